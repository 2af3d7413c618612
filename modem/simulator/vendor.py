"""Vendor commands the simulated families answer beyond 27.005/27.007: Wavecom ``+WIND``, ZTE ``+ZCDRUN``/``+ZOPRT``.

A mixin of :class:`~modem.simulator.engine.ModemEngine`. What these set lives
on the engine but outside :class:`~modem.simulator.engine.Settings`: like the
devices' non-volatile memory, it survives ``ATZ`` and a reboot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from modem.simulator.answer import Answer

if TYPE_CHECKING:
    from modem.simulator.profile_base import Profile


class VendorCommands:
    profile: Profile
    wind_level: int  # Wavecom +WIND bit flow, stored in EEPROM (default 0: no indication)
    cd_autorun: bool  # ZTE: the CD-ROM shows at plug-in until AT+ZCDRUN=8
    online: bool  # ZTE AT+ZOPRT: 5 online, 6 offline (offline: no network)

    _answer: Callable[..., Answer]  # provided by SimCardCommands

    def _cmd_wind(self, op: str, arg: str) -> Answer:
        if not self.profile.wind:
            return self._answer(final=self.profile.unknown_command)
        if op == "?":
            return self._answer([f"+WIND: {self.wind_level}"])
        if op == "=?":
            return self._answer(["+WIND: (0-32767)"])
        value = arg.strip()
        if op == "=" and value.isdigit() and 0 <= int(value) <= 32767:
            self.wind_level = int(value)
            return self._answer()
        return self._answer(final="ERROR")

    def wind_allows(self, urc: str) -> bool:
        """Whether a boot or network URC is sent: Wavecom's need their +WIND bit set; others always are."""
        bit = self.profile.boot_urc_bits.get(urc)
        return bit is None or bool(self.wind_level & bit)

    def _cmd_zcdrun(self, op: str, arg: str) -> Answer:
        if not self.profile.zte_commands:
            return self._answer(final=self.profile.unknown_command)
        value = arg.strip()
        if op == "=" and value in ("8", "9"):
            self.cd_autorun = value == "9"  # 8: no CD-ROM at plug-in (what Gammu sends to MF190/MF626)
            return self._answer()
        if op == "=" and value == "4":  # the state, as some firmwares report it
            return self._answer([f"Autorun is {'enabled' if self.cd_autorun else 'disabled'}"])
        return self._answer(final="ERROR")

    def _cmd_zoprt(self, op: str, arg: str) -> Answer:
        if not self.profile.zte_commands:
            return self._answer(final=self.profile.unknown_command)
        if op == "?":
            return self._answer([f"+ZOPRT: {5 if self.online else 6}"])
        value = arg.strip()
        if op == "=" and value in ("5", "6"):
            self.online = value == "5"
            return self._answer()
        return self._answer(final="ERROR")
