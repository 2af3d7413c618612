"""The data a simulated modem family is made of (see :mod:`modem.simulator.profiles` for the families).

Quirk fields default to the well-behaved case; a test turns one on with
``Simulator(..., quirks={"cmti": False})`` or, while running, ``set_quirk``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The 27.007/27.005 commands every profile's AT+CLAC lists (identification, SMS storage, signal),
# in this order; each profile adds its vendor's own around them.
STANDARD_COMMANDS = (
    "+CGMI",
    "+CGMM",
    "+CGMR",
    "+CGSN",
    "+CIMI",
    "+CMGD",
    "+CMGF",
    "+CMGL",
    "+CMGR",
    "+CNMI",
    "+CPMS",
    "+CSCA",
    "+CSQ",
)


@dataclass(frozen=True)
class Profile:
    name: str
    manufacturer: str  # AT+CGMI, the string clients branch on
    model: str  # AT+CGMM
    revision: str  # AT+CGMR
    imei: str  # AT+CGSN
    imsi: str  # AT+CIMI
    ati: tuple[str, ...]  # ATI information lines
    memories: dict[str, int]  # storage name -> capacity
    aliases: dict[str, str]  # extra names accepted by CPMS -> the storage they mean
    default_mem: str  # mem1..mem3 after boot / ATZ
    index_base: int  # SIM800 counts from 1, Huawei and Quectel from 0
    alpha: str  # the <alpha> field of +CMGR/+CMGL: '""' (SIMCom) or '' (the others)
    empty_read: str  # answer to CMGR on an empty slot: "321" (+CMS ERROR: 321) or "OK" (bare OK, EC25)
    unknown_command: str  # final result for an unknown command
    cpms_test: str  # AT+CPMS=? information line
    cnmi_test: str  # AT+CNMI=? information line
    cnmi_allowed: tuple[frozenset[int], ...]  # allowed values of mode, mt, bm, ds, bfr
    cnmi_default: tuple[int, int, int, int, int]
    clac: tuple[str, ...] | None  # AT+CLAC lines (None: ERROR)
    clac_line_end: str  # Huawei ends CLAC lines with \r\r\n
    boot_urcs: tuple[str, ...]  # unsolicited lines after power-up, the last one once SMS are usable
    noise_urcs: tuple[str, ...]  # periodic unsolicited noise while enabled (Huawei ^RSSI ...)
    noise_default_on: bool
    memfull_urc: str | None  # URC when the storage for new SMS fills up
    operator_long: str = "IR-MCI"
    operator_numeric: str = "43211"
    vendor_ok: tuple[str, ...] = ()  # vendor commands answered OK (prefixes, upper case)
    ignores_while_busy: bool = False  # Huawei: a command sent while another is processed is dropped
    extra_answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # command -> information lines
    # How the SIM tells its PIN attempts left: "cpinr" (27.007 AT+CPINR), "huawei" (AT^CPIN?), "quectel"
    # (AT+QPINC), "simcom" (AT+SPIC), "zte" (AT+ZPINPUK=?), "wavecom" (AT+CPINC); others are unknown commands.
    pin_counters: tuple[str, ...] = ()
    cpin_no_ok: bool = False  # AT+CPIN? answers "+CPIN: READY" with no final OK (Wavecom)
    cpms_max: int = 3  # how many memories AT+CPMS= takes (Wavecom: 2)
    cpms_spaces: bool = False  # AT+CPMS? with a space after each comma ("ME", 0, 50: ZTE MF710M, gammu#907)
    cmgr_stat: bool = True  # +CMGR: <stat>,... (ZTE omits <stat>: "+CMGR: ,,41")
    noise_in_answers: bool = False  # noise URCs come between an answer's lines and its OK (ZTE, python-gsmmodem #11)
    wind: bool = False  # AT+WIND (Wavecom): the level survives a reboot and filters the boot URCs
    boot_urc_bits: dict[str, int] = field(default_factory=dict)  # boot URC -> the +WIND bit it needs
    zte_commands: bool = False  # AT+ZCDRUN / AT+ZOPRT (ZTE)
    # Quirks (off by default; see the simulator's README):
    class0: str = "store"  # a class-0 (flash) SMS: "store" as any other, or "direct" (+CMT, never stored)
    misroute_to: str | None = None  # new SMS go to this memory whatever <mem3> says (Huawei firmware)
    forgets_cnmi_on_reregistration: bool = False  # after the network comes back: <mt>=0 until AT+CNMI again
    cmti: bool = True  # False: stores new SMS but never raises +CMTI
    # Status reports: "cnmi" (as <ds> says: +CDS, stored in SR with +CDSI, or dropped), "store" (in <mem3>,
    # announced like an SMS: "some modems actually store status reports in SM", oFono), "cds" (always +CDS).
    status_reports: str = "cnmi"


# The ranges 27.005 §3.4.1 allows for <mode>,<mt>,<bm>,<ds>,<bfr>.
_CNMI_27005 = (
    frozenset({0, 1, 2, 3}),
    frozenset({0, 1, 2, 3}),
    frozenset({0, 2}),
    frozenset({0, 1, 2}),
    frozenset({0, 1}),
)
