"""A fake GSM modem on a pseudo-terminal, answering AT commands as real modem families do.

    from modem.simulator import Simulator
    with Simulator("/tmp/modemsim/ttyUSB2", "huawei") as sim:
        sim.deliver_sms("bank melli", "...")     # the modem stores it and announces +CMTI
        ...                                      # a client opens sim.link like /dev/ttyUSB2

Profiles: ``sim800`` (SIMCom), ``huawei`` (a stick in stick mode), ``ec25``
(Quectel), ``zte`` (MF190), ``wavecom`` (Fastrack). Faults: hang, garbage,
unplug/re-plug (under another name), reboot, full storage, SIM PIN (three
attempts, then the PUK), network loss, slow answers, a URC inside an answer,
failing commands; quirks (``quirks=`` or :meth:`Simulator.set_quirk`): SMS
stored in the other storage, ``+CMTI`` forgotten or never raised, flash SMS
shown with ``+CMT``, status reports among the SMS. :class:`SimulatorClient`
offers the same control methods over a socket.
"""

from modem.simulator.control import ControlError, SimulatorClient
from modem.simulator.core import Simulator, SimulatorError
from modem.simulator.profiles import PROFILES, Profile

__all__ = ["PROFILES", "ControlError", "Profile", "Simulator", "SimulatorClient", "SimulatorError"]
