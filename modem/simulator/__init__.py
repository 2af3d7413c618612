"""A fake GSM modem on a pseudo-terminal, answering AT commands as real modem families do.

    from modem.simulator import Simulator
    with Simulator("/tmp/modemsim/ttyUSB2", "huawei") as sim:
        sim.deliver_sms("bank melli", "...")     # the modem stores it and announces +CMTI
        ...                                      # a client opens sim.link like /dev/ttyUSB2

Profiles: ``sim800`` (SIMCom), ``huawei`` (a stick in stick mode), ``ec25``
(Quectel). Faults: hang, garbage, unplug/re-plug (under another name), reboot,
full storage, SIM PIN, network loss, slow answers, a URC inside an answer.
:class:`SimulatorClient` offers the same control methods over a socket.
"""

from modem.simulator.control import ControlError, SimulatorClient
from modem.simulator.core import Simulator, SimulatorError
from modem.simulator.profiles import PROFILES, Profile

__all__ = ["PROFILES", "ControlError", "Profile", "Simulator", "SimulatorClient", "SimulatorError"]
