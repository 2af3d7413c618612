"""How each modem family answers: identity, storage, index base, alpha field, error forms, URCs.

The facts come from vendor AT manuals and captured dialogues (SIMCom SIM800,
Huawei sticks in stick mode, Quectel EC25). A profile is data; the behaviour
that reads it lives in :mod:`modem.simulator.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


_CNMI_27005 = (
    frozenset({0, 1, 2, 3}),
    frozenset({0, 1, 2, 3}),
    frozenset({0, 2}),
    frozenset({0, 1, 2}),
    frozenset({0, 1}),
)

SIM800 = Profile(
    name="sim800",
    manufacturer="SIMCOM_Ltd",
    model="SIMCOM_SIM800L",
    revision="Revision:1418B04SIM800L24",
    imei="865067020000001",
    imsi="432110000000001",
    ati=("SIM800 R14.18",),
    memories={"SM": 30, "ME": 50, "SR": 10},
    aliases={"SM_P": "SM", "ME_P": "ME", "MT": "ME"},
    default_mem="SM",
    index_base=1,
    alpha='""',
    empty_read="321",
    unknown_command="ERROR",
    cpms_test='+CPMS: ("SM","ME","SM_P","ME_P","MT"),("SM","ME","SM_P","ME_P","MT"),("SM","ME","SM_P","ME_P","MT")',
    cnmi_test="+CNMI: (0-3),(0-3),(0,2),(0,1),(0,1)",
    # SIM800 rejects <ds>=2, so python-gsmmodem's first AT+CNMI=2,1,0,2 fails.
    cnmi_allowed=(
        frozenset({0, 1, 2, 3}),
        frozenset({0, 1, 2, 3}),
        frozenset({0, 2}),
        frozenset({0, 1}),
        frozenset({0, 1}),
    ),
    cnmi_default=(2, 1, 0, 0, 0),
    clac=None,
    clac_line_end="\r\n",
    boot_urcs=("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"),
    noise_urcs=(),
    noise_default_on=False,
    memfull_urc=None,
    vendor_ok=("+DDET", "+CIURC", "+CSCLK", "+CLTS"),
)

HUAWEI = Profile(
    name="huawei",
    manufacturer="huawei",
    model="E3372",
    revision="21.180.01.00.00",
    imei="867000000000002",
    imsi="432110000000002",
    ati=(
        "Manufacturer: huawei",
        "Model: E3372",
        "Revision: 21.180.01.00.00",
        "IMEI: 867000000000002",
        "+GCAP: +CGSM,+DS,+ES",
    ),
    memories={"SM": 50, "ME": 23, "SR": 10},
    aliases={"MT": "ME"},
    default_mem="SM",
    index_base=0,
    alpha="",
    empty_read="321",
    unknown_command="COMMAND NOT SUPPORT",
    cpms_test='+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM","SR"),("ME","MT","SM","SR")',
    cnmi_test="+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)",
    cnmi_allowed=_CNMI_27005,
    cnmi_default=(0, 0, 0, 0, 0),
    clac=(
        "&C",
        "&D",
        "&F",
        "&V",
        "E",
        "I",
        "L",
        "M",
        "Q",
        "V",
        "X",
        "Z",
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
        "^CURC",
        "^PORTSEL",
        "^CVOICE",
        "^USSDMODE",
        "^DTMF",
        "^BOOT",
        "^SYSINFO",
    ),
    clac_line_end="\r\r\n",
    boot_urcs=("^BOOT:48175390,0,0,0,89", "^SIMST:1", "^SRVST:2", "^MODE:5,4"),
    noise_urcs=("^RSSI:18", '^HCSQ:"LTE",52,48,160,30', "^MODE:5,4", "^SRVST:2"),
    noise_default_on=True,
    memfull_urc='^SMMEMFULL: "{mem}"',
    vendor_ok=("^CURC", "^PORTSEL", "^CVOICE", "^USSDMODE", "^DTMF", "^SYSCFG"),
    extra_answers={"^SYSINFO": ("^SYSINFO:2,3,0,5,1,,4",)},
    ignores_while_busy=True,
)

EC25 = Profile(
    name="ec25",
    manufacturer="Quectel",
    model="EC25",
    revision="EC25EFAR06A10M4G",
    imei="866000000000003",
    imsi="432110000000003",
    ati=("Quectel", "EC25", "Revision: EC25EFAR06A10M4G"),
    memories={"SM": 30, "ME": 255, "SR": 10},
    aliases={"MT": "ME"},
    default_mem="SM",
    index_base=0,
    alpha="",
    empty_read="OK",
    unknown_command="ERROR",
    cpms_test='+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")',
    cnmi_test="+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",
    cnmi_allowed=(
        frozenset({0, 1, 2}),
        frozenset({0, 1, 2, 3}),
        frozenset({0, 2}),
        frozenset({0, 1, 2}),
        frozenset({0, 1}),
    ),
    cnmi_default=(2, 1, 0, 0, 0),
    clac=(
        "&C",
        "&D",
        "&F",
        "&V",
        "E",
        "I",
        "Q",
        "V",
        "Z",
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
        "+QURCCFG",
        "+QCMGR",
        "+QINDCFG",
    ),
    clac_line_end="\r\n",
    boot_urcs=("RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: PB DONE", "+QIND: SMS DONE"),
    noise_urcs=('+QIND: "csq",18,99',),
    noise_default_on=False,
    memfull_urc='+QIND: "smsfull","{mem}"',
    vendor_ok=("+QURCCFG", "+QINDCFG", "+QSCLK"),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (SIM800, HUAWEI, EC25)}
