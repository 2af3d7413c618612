"""What the simulated modem says to one command line, and the side effects the transport acts on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Answer:
    info: list[str] = field(default_factory=list)  # information lines (a PDU is a line of its own)
    final: str | None = "OK"  # None: no final result (the modem stays silent)
    reboot: bool = False  # AT+CFUN=1,1 and friends: reboot after answering
    space_freed: bool = False  # a delete made room: the SMSC may re-deliver
    unlocked: bool = False  # AT+CPIN accepted: emit +CPIN: READY, then SMS Ready
    acked: bool = False  # AT+CNMA acknowledged the pending +CMT
    line_end: str = "\r\n"  # Huawei ends CLAC lines with \r\r\n
    prompt: bool = False  # AT+CMGS: write "> " and take the next bytes up to Ctrl-Z as the PDU
    later_urcs: list[str] = field(default_factory=list)  # sent shortly after the answer (+CUSD)
