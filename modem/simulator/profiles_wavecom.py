"""Wavecom (Sierra Wireless) serial modems: the Fastrack / Multiband 900E 1800 family.

What is taken from where (docs/modems.md has the links):

* identity ``AT+CGMI`` -> `` WAVECOM MODEM`` and ``AT+CGMM`` -> `` MULTIBAND  900E  1800`` with their
  leading space and double spaces (python-gsmmodem fakemodems.py WavecomMultiband900E1800; Gammu's
  phone table knows the model by that spelling and gives it F_CPIN_NO_OK);
* ``AT+CPIN?`` -> ``+CPIN: READY`` with no final OK (python-gsmmodem issue #19, Gammu F_CPIN_NO_OK,
  oFono's Wavecom quirk in drivers/atmodem/sim.c);
* ``AT+CPMS=?`` -> ``(("SM","BM","SR"),("SM"))``: two lists, nested (python-gsmmodem; oFono calls it
  "broken according to 3GPP TS 07.05" and sends one memory); ``AT+CPMS="SM","SM"`` -> ``+CPMS: 14,50,14,50``,
  three memories -> ERROR (python-gsmmodem);
* ``+CMTI: "SM",<n>``; ``AT+CMGR`` on an empty slot -> ``+CMS ERROR: 321`` (gammu issue #154, Fastrack M1306B);
* ``+WIND`` indications (Wavecom AT manual WM_DEV_OAT_UGD_049 and Multi-Tech's copy): a bit flow set
  with ``AT+WIND=<n>``, kept in EEPROM (default 0: none); events 13 rack closed, 1 SIM inserted,
  7 network available, 4 ready for every command, 8 network lost;
* ``AT+CPINC`` -> ``+CPINC: <pin1>,<pin2>,<puk1>,<puk2>`` (the same manual, Westermo GD-01 manual).

Assumed, not seen: the revision and IMEI, ATI's lines, index base 1, the capacities, the factory CNMI.
Not simulated: the two ``+CME ERROR: 515`` that follow ``AT+CFUN=1`` on the python-gsmmodem fixture.
"""

from __future__ import annotations

from modem.simulator.profile_base import _CNMI_27005, Profile

WAVECOM = Profile(
    name="wavecom",
    manufacturer=" WAVECOM MODEM",
    model=" MULTIBAND  900E  1800",
    revision="R7.43.0.201003311142.FXT009",
    imei="353000000000005",
    imsi="432110000000005",
    ati=("WAVECOM MODEM", "MULTIBAND  900E  1800"),
    memories={"SM": 50, "BM": 20, "SR": 10},
    aliases={},
    default_mem="SM",
    index_base=1,
    alpha="",
    empty_read="321",
    unknown_command="ERROR",
    cpms_test='+CPMS: (("SM","BM","SR"),("SM"))',
    cnmi_test="+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)",
    cnmi_allowed=_CNMI_27005,
    cnmi_default=(0, 0, 0, 0, 0),
    clac=None,
    clac_line_end="\r\n",
    boot_urcs=("+WIND: 13", "+WIND: 1", "+WIND: 7", "+WIND: 4"),
    boot_urc_bits={"+WIND: 13": 4096, "+WIND: 1": 1, "+WIND: 7": 64, "+WIND: 4": 8},
    noise_urcs=(),
    noise_default_on=False,
    memfull_urc=None,
    pin_counters=("wavecom",),
    cpin_no_ok=True,
    cpms_max=2,
    wind=True,
)
