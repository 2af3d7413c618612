"""What the simulated modem does with one message the network hands it: store it, show it, announce it.

27.005 §3.4.1 (``AT+CNMI``) decides, with the profile's quirks on top:

* an SMS-DELIVER with ``<mt>``=2 is shown with ``+CMT`` and not stored; with
  ``<mt>``=1 (or 3) it is stored in ``<mem3>`` (or where a misrouting firmware
  puts it) and announced with ``+CMTI`` (unless the firmware stopped doing so);
  a class-0 "flash" SMS may be shown with ``+CMT`` whatever ``<mt>`` says;
* an SMS-STATUS-REPORT follows ``<ds>``: 1 ``+CDS`` (shown), 2 stored in SR with
  ``+CDSI``, 0 dropped; some firmwares store it among the SMS instead.

Returns the URC lines; the caller writes them (in one burst) and handles acks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.errors import PduError
from modem.pdu import MTI_STATUS_REPORT, decode_deliver, message_type
from modem.pdu_encode import tpdu_length

if TYPE_CHECKING:
    from modem.simulator.engine import ModemEngine


class Delivery:
    """The outcome for one PDU: URC lines, and whether a ``+CMT`` awaits a ``+CNMA`` (CSMS=1)."""

    def __init__(self, urcs: list[str], needs_ack: bool = False) -> None:
        self.urcs = urcs
        self.needs_ack = needs_ack


def _is_status_report(pdu: str) -> bool:
    try:
        return message_type(pdu) == MTI_STATUS_REPORT
    except PduError:
        return False


def _is_flash(pdu: str) -> bool:
    try:
        return decode_deliver(pdu).message_class == 0
    except PduError:
        return False


def receive(engine: ModemEngine, pdu: str) -> Delivery:
    """Store or show ``pdu`` as the modem would; the caller has checked there is room in the target memory."""
    profile = engine.profile
    mode, mt, _, ds, _ = engine.settings.cnmi
    shown = f"{profile.alpha},{tpdu_length(pdu)}\r\n{pdu}"
    if _is_status_report(pdu):
        if profile.status_reports == "cds" or (profile.status_reports == "cnmi" and ds == 1 and mode != 0):
            return Delivery([f"+CDS: {tpdu_length(pdu)}\r\n{pdu}"])
        if profile.status_reports == "cnmi" and ds == 2 and "SR" in engine.storage:
            stored = engine.store(pdu, "SR")
            return Delivery([f'+CDSI: "SR",{stored[1]}'] if stored and mode != 0 else [])
        if profile.status_reports != "store":
            return Delivery([])  # <ds>=0: not routed to the host at all
    elif (mt == 2 and mode != 0) or (profile.class0 == "direct" and _is_flash(pdu)):
        # Direct delivery: shown once, never stored (a client that ignores +CMT loses it).
        return Delivery([f"+CMT: {shown}"], needs_ack=engine.settings.csms == 1 and mt == 2)
    stored = engine.store(pdu)
    assert stored is not None  # the caller checked for room
    memory, index = stored
    if mode != 0 and mt in (1, 3) and profile.cmti:
        return Delivery([f'+CMTI: "{memory}",{index}'])
    return Delivery([])
