"""ZTE MF series sticks (MF190, MF626; Qualcomm MSM inside), as they answer in modem (not CD-ROM) mode.

What is taken from where (docs/modems.md has the links):

* identity: ``AT+CGMI`` -> ``ZTE CORPORATION`` (gammu issues #119 MF180, #151 MF190; the MF710 of #560
  prefixes it with ``+CGMI:``); the model ``MF190`` is one Gammu's phone table gives its ZTE init
  (``AT+ZCDRUN=8``, ``AT+ZOPRT=5``, gammu libgammu/phone/at/atgen.c), so both must be answered OK;
* storages ``("ME","MT","SM","SR")`` three times (python-gsmmodem fakemodems.py QualcommM6280 and
  ZteK3565Z), ``ME`` in use after start with spaces after the commas in ``AT+CPMS?``
  (``+CPMS: "ME", 0, 50, ...``: gammu issue #907, an MF710M);
* ``+CMGR`` without ``<stat>`` (python-gsmmodem's comment on ZTE; ``+CMGR: ,,41``);
* CNMI ``<mode>=2`` advertised but refused (oFono drivers/atmodem/sms.c, "MSM devices");
* ``AT+ZPINPUK=?`` -> ``+ZPINPUK: <pin>,<puk>`` (oFono drivers/atmodem/sim.c);
* ``AT+ZPAS?`` -> ``+BEARTYPE: "UMTS","CS_PS"`` and the URCs ``+ZDONR: ...`` and ``+ZPASR: "UMTS"``
  arriving inside command answers (python-gsmmodem fixtures, its issue #11); ``+ZUSIMR: 2`` is the
  USIM report seen in ZTE logs (its values are not documented in what was found);
* ``+ZSMMEMFULL`` when the storage fills (ZTE MC2261 AT manual, table of contents).

Assumed, not seen: the revision string, ATI's lines, the capacities, index base 0 (as other MSM
firmwares), the boot URCs and the factory CNMI.
"""

from __future__ import annotations

from modem.simulator.profile_base import STANDARD_COMMANDS, Profile

ZTE = Profile(
    name="zte",
    manufacturer="ZTE CORPORATION",
    model="MF190",
    revision="BD_MF190V1.0.0B06",
    imei="864000000000004",
    imsi="432110000000004",
    ati=(
        "Manufacturer: ZTE CORPORATION",
        "Model: MF190",
        "Revision: BD_MF190V1.0.0B06",
        "IMEI: 864000000000004",
        "+GCAP: +CGSM,+DS,+ES",
    ),
    memories={"ME": 50, "SM": 30, "SR": 10},
    aliases={"MT": "ME"},
    default_mem="ME",
    index_base=0,
    alpha="",
    empty_read="321",
    unknown_command="ERROR",
    cpms_test='+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM","SR"),("ME","MT","SM","SR")',
    cnmi_test="+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",
    cnmi_allowed=(
        frozenset({0, 1}),  # <mode>=2 is advertised above but refused
        frozenset({0, 1, 2, 3}),
        frozenset({0, 2}),
        frozenset({0, 1, 2}),
        frozenset({0, 1}),
    ),
    cnmi_default=(0, 0, 0, 0, 0),
    clac=(
        "&C",
        "&D",
        "&F",
        "E",
        "I",
        "Q",
        "V",
        "Z",
        *STANDARD_COMMANDS,
        "+ZRSSI",
        "+ZUSIM",
        "+ZCPBR",
        "$QCSIMSTAT",
        "$QCCNMI",
    ),
    clac_line_end="\r\n",
    boot_urcs=("+ZUSIMR: 2", '+ZPASR: "UMTS"'),
    noise_urcs=('+ZPASR: "UMTS"', '+ZDONR: "METEOR",272,3,"CS_ONLY","ROAM_OFF"', "+ZUSIMR: 2"),
    noise_default_on=True,
    memfull_urc='+ZSMMEMFULL: "{mem}"',
    vendor_ok=(),
    extra_answers={"+ZPAS": ('+BEARTYPE: "UMTS","CS_PS"',)},
    pin_counters=("zte",),
    cpms_spaces=True,
    cmgr_stat=False,
    noise_in_answers=True,
    zte_commands=True,
)
