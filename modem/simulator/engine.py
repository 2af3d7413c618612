"""The fake modem's state and its AT command interpreter (no I/O, no threads, no clock).

:class:`ModemEngine` keeps what a real modem keeps (echo, CMEE, CMGF, CSCS,
CNMI, CPMS mem1/2/3, the SIM and network state, the SMS storage) and turns one
command line into an :class:`Answer`. The transport in :mod:`modem.simulator.core`
frames the answer on the wire, delays it, interleaves URCs and acts on the
answer's side effects (reboot, space freed, SIM unlocked).

Why one module of ~540 lines: it is one interpreter, a table of commands over one
modem's state; every command reads and writes the same state, as in the device.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from modem.errors import PduError
from modem.pdu_encode import tpdu_length
from modem.pdu_submit import decode_submit
from modem.simulator.answer import Answer
from modem.simulator.profile_base import Profile
from modem.simulator.sim_card import SimCard, SimCardCommands
from modem.simulator.vendor import VendorCommands

IRAN_TIME = timezone(timedelta(hours=3, minutes=30))

# 27.005 §3.2.5 / 27.007 §9.2: the codes the simulator uses, with their verbose (CMEE=2) text.
CMS_TEXT = {
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    314: "SIM busy",
    316: "SIM PUK required",
    321: "invalid memory index",
    331: "no network service",
    322: "memory full",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}
CME_TEXT = {
    3: "operation not allowed",
    4: "operation not supported",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    16: "incorrect password",
    30: "no network service",
    100: "unknown",
}

STAT_UNREAD, STAT_READ = 0, 1

IDENTITY = {
    "+CGMI": "manufacturer",
    "+GMI": "manufacturer",
    "+CGMM": "model",
    "+GMM": "model",
    "+CGMR": "revision",
    "+GMR": "revision",
    "+CGSN": "imei",
    "+GSN": "imei",
}
# Settings the product and Gammu send that change nothing we simulate (USSD, MMS link, caller id, calls).
ACCEPTED = frozenset({"+CMMS", "+CLIP", "+CRC", "+CVHU", "+CHUP"})


@dataclass
class Settings:
    """What ATZ, AT&F and a reboot put back to the defaults."""

    echo: bool = True
    cmee: int = 0
    cmgf: int = 0
    cscs: str = "IRA"
    cnmi: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    cpms: list[str] = field(default_factory=list)
    cops_format: int = 0
    csms: int = 0
    creg_n: int = 0
    noise: bool = False


class ModemEngine(SimCardCommands, VendorCommands):
    def __init__(self, profile: Profile, *, capacity: int | None = None, smsc: str = "+9891100500"):
        self.profile = profile
        capacities = dict(profile.memories)
        if capacity is not None:
            capacities = {name: capacity for name in capacities}
        self.capacity = capacities
        self.storage: dict[str, dict[int, list]] = {name: {} for name in capacities}
        self.settings = self._default_settings()
        self.smsc = smsc
        self.card = SimCard()  # the SIM: PIN, PUK and their attempts
        self.wind_level = 0  # Wavecom +WIND (non-volatile)
        self.cd_autorun = True  # ZTE: the CD-ROM at plug-in (non-volatile)
        self.online = True  # ZTE +ZOPRT
        self.network_time: tuple[datetime, float] | None = None  # (the network's time, monotonic then); None: now
        self.factory_clock = False  # no NITZ yet: +CCLK answers the firmware's epoch
        self.registered = True  # network registration (lose_network clears it)
        self.sms_ready = True  # False between a boot and "SMS Ready": SMS commands get "SIM busy"
        self.awaiting_ack: str | None = None  # with CSMS=1, the +CMT PDU the host has not acknowledged yet
        self.awaiting_pdu: int | None = None  # after AT+CMGS=<length>: the TPDU length the PDU must have
        self.sent: list[dict] = []  # every PDU accepted by AT+CMGS, decoded (recipient, text, concat, ref)
        self.message_ref = 0
        self.ussd_replies: dict[str, tuple[str, str]] = {}  # code -> (text, "gsm7"/"ucs2")
        self.ussd_default: tuple[str, str] = ("Your balance is 125,000 Rials.", "gsm7")
        self.ussd_requests: list[str] = []

    # ---- state -------------------------------------------------------------------------
    def _default_settings(self) -> Settings:
        p = self.profile
        return Settings(cnmi=p.cnmi_default, cpms=[p.default_mem] * 3, noise=p.noise_default_on)

    def reset_settings(self) -> None:
        self.settings = self._default_settings()
        self.awaiting_ack = None

    @property
    def sim_ready(self) -> bool:
        return self.card.state == "READY"

    @property
    def on_network(self) -> bool:
        return self.registered and self.online and self.sim_ready

    @property
    def new_sms_memory(self) -> str:
        return self.settings.cpms[2]

    @property
    def target_memory(self) -> str:
        """Where a new SMS really goes: <mem3>, or where a misrouting firmware puts it."""
        quirk = self.profile.misroute_to
        return quirk if quirk and quirk in self.storage else self.new_sms_memory

    def _slots(self, memory: str) -> range:
        base = self.profile.index_base
        return range(base, base + self.capacity[memory])

    def free_index(self, memory: str) -> int | None:
        """The first free slot; a freed slot is reused, as real modems do."""
        used = self.storage[memory]
        return next((i for i in self._slots(memory) if i not in used), None)

    def store(self, pdu_hex: str, memory: str | None = None) -> tuple[str, int] | None:
        """Store a received PDU in mem3 (or ``memory``); None when that storage is full."""
        memory = memory or self.target_memory
        index = self.free_index(memory)
        if index is None:
            return None
        self.storage[memory][index] = [STAT_UNREAD, pdu_hex.upper()]
        return memory, index

    def stored(self) -> list[tuple[int, str]]:
        return [(i, slot[1]) for mem in self.storage for i, slot in sorted(self.storage[mem].items())]

    def used(self, memory: str) -> int:
        return len(self.storage[memory])

    # ---- framing helpers ---------------------------------------------------------------
    def _error(self, kind: str, code: int, texts: dict[int, str]) -> str:
        if self.settings.cmee == 0:
            return "ERROR"
        return f"+{kind} ERROR: {texts.get(code, code) if self.settings.cmee == 2 else code}"

    def cms(self, code: int) -> str:
        return self._error("CMS", code, CMS_TEXT)

    def cme(self, code: int) -> str:
        return self._error("CME", code, CME_TEXT)

    def _resolve_mem(self, name: str) -> str | None:
        name = name.strip().strip('"').upper()
        name = self.profile.aliases.get(name, name)
        return name if name in self.storage else None

    # ---- the interpreter ---------------------------------------------------------------
    def handle(self, line: str) -> Answer:
        """Answer one command line (without the terminating CR)."""
        text = line.strip()
        if not text:
            return Answer(final=None)
        upper = text.upper()
        if not upper.startswith("AT"):
            return Answer(final="ERROR")
        body = text[2:]
        if not body:
            return Answer()
        # Several commands in one line: ATE0;+CMEE=1 or AT+CMGF=0;+CPMS? (basic commands end at ';').
        parts = _split_commands(body)
        combined = Answer()
        for part in parts:
            answer = self._one(part)
            combined.info.extend(answer.info)
            combined.reboot |= answer.reboot
            combined.space_freed |= answer.space_freed
            combined.unlocked |= answer.unlocked
            combined.acked |= answer.acked
            combined.line_end = answer.line_end
            combined.prompt |= answer.prompt
            combined.later_urcs.extend(answer.later_urcs)
            combined.final = answer.final
            if answer.final != "OK":
                break
        return combined

    def _one(self, cmd: str) -> Answer:
        upper = cmd.upper()
        basic = re.fullmatch(r"([EVQ])([01]?)", upper)
        if basic:
            letter, value = basic.group(1), basic.group(2) or "0"
            if letter == "E":
                self.settings.echo = value == "1"
            return Answer()
        if upper in ("Z", "Z0", "&F", "&F0"):
            self.reset_settings()
            return Answer()
        if upper in ("I", "I0"):
            return Answer(info=list(self.profile.ati))
        if upper in ("&W", "&C", "&C1", "&D", "&D2", "&K0", "&K3", "S0=0", "+IPR=115200", "+IFC=0,0"):
            return Answer()
        name, op, arg = _parse_extended(cmd)
        if name is None:
            return Answer(final=self.profile.unknown_command)
        if name in IDENTITY:
            return Answer(info=[getattr(self.profile, IDENTITY[name])]) if op != "=?" else Answer()
        if name in ACCEPTED:
            return Answer()
        handler = getattr(self, "_cmd_" + name.replace("+", "").replace("^", "v_").lower(), None)
        if handler is not None:
            return handler(op, arg)
        if name in self.profile.extra_answers and op in ("", "?"):
            return Answer(info=list(self.profile.extra_answers[name]))
        if any(name.startswith(prefix) for prefix in self.profile.vendor_ok):
            if name == "^CURC" and op == "=":
                self.settings.noise = arg.strip() != "0"
            return Answer()
        return Answer(final=self.profile.unknown_command)

    # identity (AT+CGMI, +GMI and friends) is answered from IDENTITY in _one

    def _cmd_cimi(self, op: str, arg: str) -> Answer:
        if not self.sim_ready:
            return Answer(final=self.cme(11))
        return Answer(info=[self.profile.imsi]) if op != "=?" else Answer()

    def _cmd_clac(self, op: str, arg: str) -> Answer:
        if self.profile.clac is None:
            return Answer(final="ERROR")
        return Answer(
            info=["AT" + c if self.profile.name == "ec25" else c for c in self.profile.clac],
            line_end=self.profile.clac_line_end,
        )

    # settings
    def _cmd_cmee(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=[f"+CMEE: {self.settings.cmee}"])
        if op == "=?":
            return Answer(info=["+CMEE: (0-2)"])
        if op == "=" and arg.strip() in ("0", "1", "2"):
            self.settings.cmee = int(arg)
            return Answer()
        return Answer(final="ERROR")

    def _cmd_cfun(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=["+CFUN: 1"])
        if op == "=?":
            return Answer(info=["+CFUN: (0,1,4),(0,1)"])
        values = [v.strip() for v in arg.split(",")]
        if op == "=" and values[0] in ("0", "1", "4"):
            return Answer(reboot=len(values) > 1 and values[1] == "1")
        return Answer(final=self.cme(3))

    def _cmd_cmgf(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=[f"+CMGF: {self.settings.cmgf}"])
        if op == "=?":
            return Answer(info=["+CMGF: (0)"])
        if op == "=" and arg.strip() == "0":
            self.settings.cmgf = 0
            return Answer()
        # Text mode is not simulated: the product (and Gammu) use PDU mode.
        return Answer(final=self.cms(303) if self.settings.cmee else "ERROR")

    def _cmd_cscs(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=[f'+CSCS: "{self.settings.cscs}"'])
        if op == "=?":
            return Answer(info=['+CSCS: ("IRA","GSM")'])
        value = arg.strip().strip('"').upper()
        if op == "=" and value in ("IRA", "GSM"):
            self.settings.cscs = value
            return Answer()
        return Answer(final=self.cme(4))

    def _cmd_csca(self, op: str, arg: str) -> Answer:
        if not self.sim_ready:
            return Answer(final=self.cms(311))
        if op == "?":
            toa = 145 if self.smsc.startswith("+") else 129
            return Answer(info=[f'+CSCA: "{self.smsc}",{toa}'])
        if op == "=":
            self.smsc = arg.split(",")[0].strip().strip('"')
            return Answer()
        return Answer()

    def _cmd_csmp(self, op: str, arg: str) -> Answer:
        return Answer(info=["+CSMP: 17,167,0,0"]) if op == "?" else Answer()

    def _cmd_csms(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=[f"+CSMS: {self.settings.csms},1,1,1"])
        if op == "=?":
            return Answer(info=["+CSMS: (0,1)"])
        if op == "=" and arg.strip() in ("0", "1"):
            self.settings.csms = int(arg)
            return Answer(info=["+CSMS: 1,1,1"])
        return Answer(final=self.cms(302))

    def _cmd_cnma(self, op: str, arg: str) -> Answer:
        # 27.005 §3.4.4: only a +CMT shown with CSMS=1 waits for an acknowledgement.
        if op == "=?":
            return Answer(info=["+CNMA: (0-2)"])
        if self.awaiting_ack is None:
            return Answer(final=self.cms(340))
        self.awaiting_ack = None
        return Answer(acked=True)

    def _cmd_cnmi(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=["+CNMI: " + ",".join(str(v) for v in self.settings.cnmi)])
        if op == "=?":
            return Answer(info=[self.profile.cnmi_test])
        if op != "=":
            return Answer(final="ERROR")
        try:
            values = [int(v) if v.strip() else 0 for v in arg.split(",")]
        except ValueError:
            return Answer(final=self.cms(303) if self.settings.cmee else "ERROR")
        if not 1 <= len(values) <= 5:
            return Answer(final="ERROR")
        values += list(self.settings.cnmi[len(values) :])
        if any(v not in allowed for v, allowed in zip(values, self.profile.cnmi_allowed)):
            return Answer(final="ERROR")
        self.settings.cnmi = tuple(values)  # type: ignore[assignment]
        return Answer()

    def _cmd_cops(self, op: str, arg: str) -> Answer:
        if op == "?":
            if not self.on_network:
                return Answer(info=["+COPS: 0"])
            fmt = self.settings.cops_format
            name = self.profile.operator_numeric if fmt == 2 else self.profile.operator_long
            return Answer(info=[f'+COPS: 0,{fmt},"{name}",7'])
        if op == "=?":
            return Answer(
                info=[
                    f'+COPS: (2,"{self.profile.operator_long}","MCI","{self.profile.operator_numeric}",7),,(0-4),(0-2)'
                ]
            )
        values = [v.strip() for v in arg.split(",")]
        if op == "=" and len(values) >= 2 and values[0] == "3" and values[1] in ("0", "1", "2"):
            self.settings.cops_format = int(values[1])
        return Answer()

    def _registration(self, name: str, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer(info=[f"+{name}: (0-2)"])
        if op == "=":
            self.settings.creg_n = int(arg.strip() or 0) if arg.strip().isdigit() else 0
            return Answer()
        stat = 1 if self.on_network else (2 if self.sim_ready else 0)
        return Answer(info=[f"+{name}: {self.settings.creg_n},{stat}"])

    def _cmd_creg(self, op: str, arg: str) -> Answer:
        return self._registration("CREG", op, arg)

    def _cmd_cgreg(self, op: str, arg: str) -> Answer:
        return self._registration("CGREG", op, arg)

    def _cmd_cereg(self, op: str, arg: str) -> Answer:
        return self._registration("CEREG", op, arg)

    def _cmd_csq(self, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer(info=["+CSQ: (0-31,99),(0-7,99)"])
        return Answer(info=["+CSQ: 18,0" if self.on_network else "+CSQ: 99,99"])

    def _cmd_cclk(self, op: str, arg: str) -> Answer:
        if op != "?":
            return Answer()
        if self.factory_clock:
            return Answer(info=['+CCLK: "04/01/01,00:00:08+00"'])
        now = self.clock_now().astimezone(IRAN_TIME)
        return Answer(info=[f'+CCLK: "{now:%y/%m/%d,%H:%M:%S}+14"'])

    def clock_now(self) -> datetime:
        """The modem's clock: the network's time (NITZ) as last set, running on; the real time by default."""
        if self.network_time is None:
            return datetime.now(IRAN_TIME)
        when, at = self.network_time
        return when + timedelta(seconds=time.monotonic() - at)

    # SMS storage
    def _sms_gate(self) -> str | None:
        """The error for an SMS command now, or None: PIN first, then the boot's "SIM busy" window."""
        if not self.sim_ready:
            return self.cms({"SIM PUK": 316, "BLOCKED": 310}.get(self.card.state, 311))
        if not self.sms_ready:
            return self.cms(314)
        return None

    def _cpms_status(self, memories: list[str]) -> str:
        return ",".join(f"{self.used(m)},{self.capacity[m]}" for m in memories)

    def _cmd_cpms(self, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer(info=[self.profile.cpms_test])
        gate = self._sms_gate()
        if gate:
            return Answer(final=gate)
        if op == "?":
            sep = ", " if self.profile.cpms_spaces else ","
            return Answer(
                info=[
                    "+CPMS: " + sep.join(f'"{m}"{sep}{self.used(m)}{sep}{self.capacity[m]}' for m in self.settings.cpms)
                ]
            )
        if op != "=":
            return Answer(final="ERROR")
        names = [n for n in arg.split(",") if n.strip()]
        resolved = [self._resolve_mem(n) for n in names]
        if len(resolved) > self.profile.cpms_max:
            return Answer(final="ERROR")  # Wavecom: more memories than it has lists
        if not resolved or any(r is None for r in resolved):
            return Answer(final=self.cms(302))
        for i, mem in enumerate(resolved):
            self.settings.cpms[i] = mem  # type: ignore[assignment]
        return Answer(info=["+CPMS: " + self._cpms_status(self.settings.cpms[: self.profile.cpms_max])])

    def _cmd_cmgl(self, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer(info=["+CMGL: (0-4)"])
        gate = self._sms_gate()
        if gate:
            return Answer(final=gate)
        wanted = arg.strip() if op == "=" else "0"
        if wanted not in ("0", "1", "2", "3", "4"):
            return Answer(final=self.cms(302))
        memory = self.settings.cpms[0]
        info: list[str] = []
        for index, slot in sorted(self.storage[memory].items()):
            stat, pdu = slot
            if wanted == "4" or int(wanted) == stat:
                info.append(f"+CMGL: {index},{stat},{self.profile.alpha},{tpdu_length(pdu)}")
                info.append(pdu)
                slot[0] = STAT_READ
        return Answer(info=info)

    def _index(self, arg: str) -> int | None:
        first = arg.split(",")[0].strip()
        return int(first) if first.isdigit() else None

    def _cmd_cmgr(self, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer()
        gate = self._sms_gate()
        if gate:
            return Answer(final=gate)
        index = self._index(arg)
        memory = self.settings.cpms[0]
        if index is None or index not in self._slots(memory):
            return Answer(final=self.cms(321))
        slot = self.storage[memory].get(index)
        if slot is None:
            # EC25 answers a bare OK on an empty slot; the others a CMS 321.
            return Answer() if self.profile.empty_read == "OK" else Answer(final=self.cms(321))
        stat, pdu = slot
        slot[0] = STAT_READ
        shown = stat if self.profile.cmgr_stat else ""  # ZTE leaves <stat> out: "+CMGR: ,,41"
        return Answer(info=[f"+CMGR: {shown},{self.profile.alpha},{tpdu_length(pdu)}", pdu])

    def _cmd_cmgd(self, op: str, arg: str) -> Answer:
        if op == "=?":
            base = self.profile.index_base
            memory = self.settings.cpms[0]
            return Answer(info=[f"+CMGD: ({base}-{base + self.capacity[memory] - 1}),(0-4)"])
        gate = self._sms_gate()
        if gate:
            return Answer(final=gate)
        values = [v.strip() for v in arg.split(",")]
        index = self._index(arg)
        flag = int(values[1]) if len(values) > 1 and values[1].isdigit() else 0
        memory = self.settings.cpms[0]
        store = self.storage[memory]
        before = len(store)
        if flag == 0:
            if index is None or index not in self._slots(memory):
                return Answer(final=self.cms(321))
            store.pop(index, None)
        elif flag in (1, 2, 3, 4):
            # 27.005: 1 = read, 2 = read+sent, 3 = read+sent+unsent, 4 = all (ignores the index).
            for i in [i for i, (stat, _) in store.items() if flag == 4 or stat == STAT_READ]:
                del store[i]
        else:
            return Answer(final=self.cms(302))
        return Answer(space_freed=len(store) < before)

    def _cmd_cmgs(self, op: str, arg: str) -> Answer:
        if op == "=?":
            return Answer()
        gate = self._sms_gate()
        if gate:
            return Answer(final=gate)
        if not self.on_network:
            return Answer(final=self.cms(331 if self.sim_ready else 311))
        length = arg.split(",")[0].strip()
        if op != "=" or not length.isdigit() or not 7 <= int(length) <= 164:
            return Answer(final=self.cms(304))
        self.awaiting_pdu = int(length)
        return Answer(final=None, prompt=True)

    def submit(self, pdu_hex: str) -> Answer:
        """The PDU written after the prompt (Ctrl-Z sent): decode it, keep it, answer ``+CMGS: <mr>``."""
        expected, self.awaiting_pdu = self.awaiting_pdu, None
        pdu_hex = pdu_hex.strip()
        try:
            raw = bytes.fromhex(pdu_hex)
            if not raw or len(raw) - 1 - raw[0] != expected:
                raise PduError(f"TPDU length {len(raw) - 1 - (raw[0] if raw else 0)} != {expected}")
            decoded = decode_submit(pdu_hex)
        except (ValueError, PduError):
            return Answer(final=self.cms(304))
        self.message_ref = (self.message_ref + 1) % 256
        self.sent.append(
            {
                "recipient": decoded.recipient,
                "text": decoded.text,
                "encoding": decoded.encoding,
                "concat": None
                if decoded.concat is None
                else [decoded.concat.ref, decoded.concat.total, decoded.concat.seq],
                "message_ref": self.message_ref,
                "pdu": pdu_hex.upper(),
            }
        )
        return Answer(info=[f"+CMGS: {self.message_ref}"])

    def _cmd_cmgw(self, op: str, arg: str) -> Answer:
        return Answer(final=self.cms(303) if self.settings.cmee else "ERROR")

    def _cmd_cusd(self, op: str, arg: str) -> Answer:
        if op == "?":
            return Answer(info=["+CUSD: 1"])
        if op == "=?":
            return Answer(info=["+CUSD: (0-2)"])
        values = [v.strip() for v in arg.split(",")]
        if op != "=" or not values or values[0] not in ("0", "1", "2"):
            return Answer(final=self.cme(3))
        if len(values) < 2 or values[0] == "2":
            return Answer()  # presentation on/off, or cancel a session
        if not self.on_network:
            return Answer(final=self.cme(30))
        code = values[1].strip('"')
        self.ussd_requests.append(code)
        text, encoding = self.ussd_replies.get(code, self.ussd_default)
        if encoding == "ucs2":
            shown, dcs = text.encode("utf-16-be").hex().upper(), 72
        else:
            shown, dcs = text, 15
        return Answer(later_urcs=[f'+CUSD: 0,"{shown}",{dcs}'])


_EXTENDED = re.compile(r"([+^$][A-Za-z0-9]+)(=\?|\?|=)?(.*)", re.S)


def _parse_extended(cmd: str) -> tuple[str | None, str, str]:
    m = _EXTENDED.fullmatch(cmd.strip())
    if not m:
        return None, "", ""
    return m.group(1).upper(), m.group(2) or "", m.group(3)


def _split_commands(body: str) -> list[str]:
    """Split ``E0;+CMEE=1`` / ``+CMGF=0;+CPMS?`` at semicolons outside quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in body:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()] or [""]
