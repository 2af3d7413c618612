"""What the gateway does differently per modem family: identification, init commands, CNMI, PIN counters.

A family is data, chosen by ``[[modems]] profile`` or, under ``auto``, by the
manufacturer the modem names in ``AT+CGMI``. The sources behind each entry are
in ``docs/modems.md``; the simulator's profiles (:mod:`modem.simulator.profiles`)
are the same families seen from the modem's side.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "PROFILES", "Family", "detect_profile", "family"]

# 27.007 §8.65: the standard way to ask for the PIN attempts left; tried after the family's own command.
CPINR = 'AT+CPINR="SIM PIN"'
# Wavecom +WIND bits (Wavecom AT manual, "General Indications +WIND"): 1 SIM inserted/removed (events 0/1),
# 8 ready for every command (event 4), 64 network service available (event 7), 128 network lost (event 8).
WAVECOM_WIND = 1 + 8 + 64 + 128


@dataclass(frozen=True)
class Family:
    name: str
    makers: tuple[str, ...] = ()  # lower-case words of AT+CGMI that identify the family
    init: tuple[str, ...] = ()  # settings sent after identification; an error answer is ignored
    cnmi: tuple[str, ...] = ("2,1,0,0,0", "1,1,0,0,0", "2,1")  # AT+CNMI values to try, in order
    pin_counter: tuple[str, ...] = (CPINR,)  # commands that tell the PIN attempts left, in order
    cpin_no_ok: bool = False  # AT+CPIN? answers "+CPIN: ..." with no final OK
    # URCs, upper case, matched whole (or followed by a comma: "+WIND: 1" is not "+WIND: 13"):
    boot_lines: tuple[str, ...] = ()  # the modem or its SIM restarted
    network_lost: tuple[str, ...] = ()  # the registration was lost
    network_back: tuple[str, ...] = ()  # the modem is registered again

    @staticmethod
    def matches(line: str, urcs: tuple[str, ...]) -> bool:
        """Whether ``line`` is one of ``urcs`` (whole, or followed by a comma and parameters)."""
        upper = line.strip().upper()
        return any(upper == urc or upper.startswith(urc + ",") for urc in urcs)


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        # SIMCom SIM800: refuses <ds>=2; AT+SPIC answers +SPIC: <pin>,<puk>,<pin2>,<puk2> (oFono sim.c).
        Family("sim800", makers=("simcom",), pin_counter=("AT+SPIC", CPINR)),
        # Huawei: ^CURC=0 silences ^RSSI/^MODE; CNMI <mode>=2 is advertised but may be refused (oFono sms.c);
        # AT^CPIN? answers ^CPIN: <code>,<times>,<puk>,<pin>,<puk2>,<pin2> (MU509 manual, oFono sim.c).
        Family(
            "huawei",
            makers=("huawei",),
            init=("AT^CURC=0",),
            cnmi=("1,1,0,0,0", "2,1,0,0,0"),
            pin_counter=("AT^CPIN?", CPINR),
        ),
        # Quectel EC25: AT+QPINC="SC" answers +QPINC: "SC",<pin>,<puk>.
        Family("ec25", makers=("quectel",), pin_counter=('AT+QPINC="SC"', CPINR)),
        # ZTE MF190/MF626 (Qualcomm MSM): Gammu sends AT+ZCDRUN=8 (no CD-ROM at plug-in) and AT+ZOPRT=5
        # (online) to these models; CNMI <mode>=2 is advertised but refused (oFono sms.c, "MSM devices");
        # AT+ZPINPUK=? answers +ZPINPUK: <pin>,<puk> (oFono sim.c).
        Family(
            "zte",
            makers=("zte",),
            init=("AT+ZCDRUN=8", "AT+ZOPRT=5"),
            cnmi=("1,1,0,0,0", "2,1,0,0,0"),
            pin_counter=("AT+ZPINPUK=?", CPINR),
        ),
        # Wavecom (now Sierra Wireless): +CPIN: READY comes without OK (python-gsmmodem issue #19, Gammu
        # F_CPIN_NO_OK, oFono's Wavecom quirk); +WIND URCs report SIM, readiness and network; AT+CPINC
        # answers +CPINC: <pin1>,<pin2>,<puk1>,<puk2>.
        Family(
            "wavecom",
            makers=("wavecom", "sierra"),
            init=(f"AT+WIND={WAVECOM_WIND}",),
            pin_counter=("AT+CPINC", CPINR),
            cpin_no_ok=True,
            boot_lines=("+WIND: 4", "+WIND: 1"),
            network_lost=("+WIND: 8",),
            network_back=("+WIND: 7",),
        ),
        Family("generic"),
    )
}
PROFILES = ("auto", *FAMILIES)


def detect_profile(manufacturer: str) -> str:
    """The family whose maker word appears in ``AT+CGMI``'s answer; ``generic`` when none does."""
    name = manufacturer.lower()
    for fam in FAMILIES.values():
        if any(word in name for word in fam.makers):
            return fam.name
    return "generic"


def family(profile: str) -> Family:
    return FAMILIES.get(profile, FAMILIES["generic"])
