"""``carttocart doctor``: check a box and say what is wrong in plain words.

Each check returns a :class:`Finding`; ``fail`` means the box cannot take
payments safely (the command exits 1), ``warn`` deserves a look, ``skip`` means
the check does not apply (no tunnel configured, settings unreadable).
Where the checks look (``/proc``, ``/run``, ``/sys``) is a :class:`Places` so that
tests can point them at folders of their own.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from appliance.box import clock, modem_state, usb_modes
from appliance.box import serial_ask as at
from appliance.box.shipped import config_dir
from appliance.domain.errors import ConfigError
from appliance.settings import ModemSettings, Settings, load_settings

log = logging.getLogger(__name__)

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
MIN_FREE_BYTES = 100 * 1024 * 1024
MIN_FREE_FRACTION = 0.05
WIREGUARD_INTERFACE = "c2c-wg"
WIREGUARD_FILE = "c2c-wg.conf"
SSH_TUNNEL_FILE = "ssh-tunnel.env"
HANDSHAKE_MAX_AGE_S = 180  # WireGuard re-handshakes every 2 minutes while traffic or keepalives flow


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    message: str


@dataclass(frozen=True)
class Places:
    proc: Path = Path("/proc")
    sys_class_net: Path = Path("/sys/class/net")
    ntp_sync_file: Path = clock.NTP_SYNC_FILE
    modem_sync_file: Path = clock.MODEM_SYNC_FILE
    root: Path = Path("/")
    usb_devices: Path = Path("/sys/bus/usb/devices")
    block_devices: Path = Path("/sys/class/block")
    supported_modems: Path | None = None  # config/modems.toml (None: the shipped one)


@dataclass
class Doctor:
    config_path: str | None
    places: Places = field(default_factory=Places)
    api_timeout: float = 5.0
    _health: dict | None = field(default=None, init=False)

    def run(self) -> list[Finding]:
        try:
            settings = load_settings(self.config_path)
        except ConfigError as exc:
            where = exc.source or "the settings file"
            return [
                Finding("config", FAIL, f"{where} is not usable: " + "; ".join(exc.problems)),
                Finding("everything else", SKIP, "not checked until the settings file is fixed"),
            ]
        findings = [Finding("config", OK, f"{settings.source} is valid")]
        checks: list[Callable[[Settings], Iterator[Finding]]] = [
            self.check_api,
            self.check_database,
            self.check_modems,
            self.check_usb_modes,
            self.check_modem_manager,
            self.check_clock,
            self.check_disk,
            self.check_tunnel,
        ]
        for check in checks:
            findings.extend(check(settings))
        return findings

    # --- the API ---------------------------------------------------------------------------
    def check_api(self, settings: Settings) -> Iterator[Finding]:
        host, _, port = settings.server.listen.rpartition(":")
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host
        url = f"http://{host}:{port}/api/health"
        try:
            with urllib.request.urlopen(url, timeout=self.api_timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            yield Finding(
                "api",
                FAIL,
                f"the API does not answer at {url} ({_reason(exc)}); "
                "is the service running? (systemctl status carttocart)",
            )
            return
        self._health = body if isinstance(body, dict) else {}
        if self._health.get("status") == "ok":
            yield Finding("api", OK, f"the API answers at {url}")
        else:
            yield Finding("api", FAIL, f"the API answers at {url} but reports {self._health.get('status')!r}")

    # --- the database ----------------------------------------------------------------------
    def check_database(self, settings: Settings) -> Iterator[Finding]:
        url = settings.database_url
        if not url.startswith("sqlite:///"):
            yield from self._check_postgres(url)
            return
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            yield Finding("database", FAIL, f"{path} does not exist yet (run `carttocart init`)")
            return
        try:
            connection = sqlite3.connect(
                f"file:{path}?mode=rw", uri=True, timeout=settings.database.busy_timeout_ms / 1000
            )
            try:
                result = connection.execute("PRAGMA quick_check").fetchone()[0]
                connection.execute("BEGIN IMMEDIATE")  # takes the write lock: proves we may write
                connection.execute("ROLLBACK")
            finally:
                connection.close()
        except sqlite3.Error as exc:
            yield Finding("database", FAIL, f"{path} cannot be written or read: {exc}")
            return
        if result != "ok":
            yield Finding("database", FAIL, f"{path} is damaged: {result}")
        else:
            yield Finding("database", OK, f"{path} is intact and writable")

    def _check_postgres(self, url: str) -> Iterator[Finding]:
        try:
            import psycopg2  # optional: only fleets use PostgreSQL
        except ImportError:
            yield Finding("database", WARN, "PostgreSQL is configured but psycopg2 is not installed here; not checked")
            return
        try:
            with psycopg2.connect(url, connect_timeout=5) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except psycopg2.Error as exc:
            yield Finding("database", FAIL, f"the PostgreSQL server cannot be reached: {str(exc).strip()}")
            return
        yield Finding("database", OK, "the PostgreSQL server answers")

    # --- the modems ------------------------------------------------------------------------
    def check_modems(self, settings: Settings) -> Iterator[Finding]:
        if not settings.modems:
            yield Finding("modems", WARN, "no modem configured: deposits only come in by hand or POST /api/sms")
            return
        reported = {m.get("name"): m for m in (self._health or {}).get("modems", []) if isinstance(m, dict)}
        sims = modem_state.sim_records(modem_state.state_path(settings))
        for modem in settings.modems:
            sim = sims.get(modem.name, {})
            if sim.get("state") in modem_state.NEEDS_A_PERSON:
                # What the SIM said last: the service enters no PIN until the settings change (so neither does this).
                yield Finding(f"modem {modem.name}", FAIL, f"SIM: {modem_state.describe(sim)}")
                continue
            yield self._check_modem(modem, reported.get(modem.name))

    def check_usb_modes(self, settings: Settings) -> Iterator[Finding]:
        """A modem stick still showing its CD-ROM (usb_modeswitch did not switch it) has no AT port."""
        listed = self.places.supported_modems or config_dir() / "modems.toml"
        stuck = usb_modes.stuck_sticks(
            self.places.usb_devices, self.places.block_devices, usb_modes.storage_ids(listed)
        )
        for stick in stuck:
            what = f"{stick.vendor} {stick.model or ''}".strip() + (f" ({stick.usb_id})" if stick.usb_id else "")
            yield Finding(
                "usb modem",
                FAIL,
                f"{what} at {stick.where} is still a USB CD-ROM/storage, not a modem: usb_modeswitch has not "
                "switched it. Unplug it and plug it back in; if it stays so, its storage id is missing from "
                "config/modems.toml (see docs/modems.md)",
            )
        if not stuck and settings.modems:
            yield Finding("usb modem", OK, "no modem stick is stuck in its CD-ROM mode")

    def _check_modem(self, modem: ModemSettings, reported: dict | None) -> Finding:
        check = f"modem {modem.name}"
        if not modem.port:
            return Finding(check, WARN, f"no port set (found by USB id {modem.usb_id}); not checked")
        port = Path(modem.port)
        if not port.exists():
            return Finding(
                check,
                FAIL,
                f"{port} does not exist: is the modem plugged in and listed in "
                "the supported modems (udev gives it this name)?",
            )
        if not stat.S_ISCHR(port.stat().st_mode):
            return Finding(check, FAIL, f"{port} is not a serial device")
        if reported is not None:  # the service holds the port: trust what it says rather than disturb it
            if reported.get("state") == "sim_locked":
                return Finding(check, FAIL, f"the service stopped reception: {reported.get('last_error')}")
            if reported.get("registered"):
                return Finding(check, OK, f"{port}: the service reports it registered on the network")
            return Finding(
                check,
                FAIL,
                f"{port}: the service reports it not registered "
                f"({reported.get('detail') or 'no detail'}); check the SIM and the signal",
            )
        holders = self._processes_holding(port)
        if holders:
            return Finding(check, WARN, f"{port} is open by {', '.join(holders)}; not probed so as not to disturb it")
        return _probe_modem(modem)

    def _processes_holding(self, device: Path) -> list[str]:
        target = os.path.realpath(device)
        names = []
        for pid_dir in self.places.proc.glob("[0-9]*"):
            try:
                if any(os.readlink(fd) == target for fd in (pid_dir / "fd").iterdir()):
                    names.append(f"{(pid_dir / 'comm').read_text().strip()} (pid {pid_dir.name})")
            except OSError:  # the process ended, or is not ours to look at
                continue
        return names

    def check_modem_manager(self, settings: Settings) -> Iterator[Finding]:
        running = [p for p in self._process_names() if p == "ModemManager"]
        if running:
            yield Finding(
                "ModemManager",
                FAIL,
                "ModemManager is running and grabs modems: run `systemctl mask --now ModemManager`",
            )
        else:
            yield Finding("ModemManager", OK, "ModemManager is not running")

    def _process_names(self) -> Iterator[str]:
        for comm in self.places.proc.glob("[0-9]*/comm"):
            try:
                yield comm.read_text().strip()
            except OSError:
                continue

    # --- clock, disk, tunnel ---------------------------------------------------------------
    def check_clock(self, settings: Settings) -> Iterator[Finding]:
        source = clock.trusted_source(
            self.places.ntp_sync_file, self.places.modem_sync_file, modem_state.network_time_path(settings)
        )
        if source:
            how = {"ntp": "NTP", "modem": "the modem network time", "network": "the network time the service reads"}
            yield Finding("clock", OK, f"the clock is trusted ({how[source]})")
        elif settings.clock.require_trusted:
            yield Finding(
                "clock",
                FAIL,
                "the clock is not trusted (no NTP, no network time from the modem): "
                "new payments are refused until it is",
            )
        else:
            yield Finding("clock", WARN, "nothing vouches for the clock (no NTP synchronisation seen)")

    def check_disk(self, settings: Settings) -> Iterator[Finding]:
        places = [self.places.root]
        if settings.database_url.startswith("sqlite:///"):
            places.insert(0, Path(settings.database_url[len("sqlite:///") :]).parent)
        seen = set()
        for place in places:
            while not place.exists():
                place = place.parent
            device = place.stat().st_dev
            if device in seen:
                continue
            seen.add(device)
            usage = shutil.disk_usage(place)
            free_mb = usage.free // (1024 * 1024)
            if usage.free < MIN_FREE_BYTES or usage.free < usage.total * MIN_FREE_FRACTION:
                yield Finding("disk", FAIL, f"only {free_mb} MB free on {place}: the database needs room")
            else:
                yield Finding("disk", OK, f"{free_mb} MB free on {place}")

    def check_tunnel(self, settings: Settings) -> Iterator[Finding]:
        tunnel_dir = settings.base_dir / "tunnel"
        if (tunnel_dir / WIREGUARD_FILE).exists():
            yield self._check_wireguard()
        elif (tunnel_dir / SSH_TUNNEL_FILE).exists():
            if "autossh" in set(self._process_names()):
                yield Finding("tunnel", OK, "the SSH tunnel (autossh) is running")
            else:
                yield Finding(
                    "tunnel",
                    FAIL,
                    "the SSH tunnel is configured but autossh is not running (systemctl status carttocart-ssh-tunnel)",
                )
        else:
            yield Finding("tunnel", SKIP, "no tunnel configured (the API is reachable on the local network only)")

    def _check_wireguard(self) -> Finding:
        if not (self.places.sys_class_net / WIREGUARD_INTERFACE).exists():
            return Finding(
                "tunnel",
                FAIL,
                f"the WireGuard tunnel is configured but interface {WIREGUARD_INTERFACE} "
                "is down (systemctl status carttocart-wireguard)",
            )
        try:
            out = subprocess.run(
                ["wg", "show", WIREGUARD_INTERFACE, "latest-handshakes"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            return Finding("tunnel", WARN, f"interface {WIREGUARD_INTERFACE} is up; handshake unknown ({exc})")
        stamps = [int(line.split()[1]) for line in out.splitlines() if len(line.split()) == 2]
        age = time.time() - max(stamps, default=0)
        if not stamps or max(stamps) == 0 or age > HANDSHAKE_MAX_AGE_S:
            return Finding(
                "tunnel",
                FAIL,
                "the WireGuard tunnel has no recent handshake with the hub: "
                "check the internet connection and the hub's address and key",
            )
        return Finding("tunnel", OK, f"the WireGuard tunnel is up (last handshake {age:.0f} s ago)")


def _probe_modem(modem: ModemSettings) -> Finding:
    """Ask the modem directly: does it answer, is the SIM ready, is it registered (3GPP TS 27.007 +CREG)?"""
    import serial  # pyserial

    check = f"modem {modem.name}"
    try:
        with serial.Serial(modem.port, baudrate=modem.baudrate, timeout=0.2) as link:
            if "OK" not in _ask(link, "AT"):
                return Finding(check, FAIL, f"{modem.port} does not answer AT commands: wrong port or speed?")
            pin = _ask(link, "AT+CPIN?")
            if "READY" not in pin:
                return Finding(
                    check, FAIL, f"the SIM is not ready ({_first_info(pin)}): is it inserted, does it need a PIN?"
                )
            creg = _ask(link, "AT+CREG?")
    except serial.SerialException as exc:
        return Finding(check, FAIL, f"{modem.port} cannot be opened: {exc}")
    stat_field = _first_info(creg).split(",")[1:2]
    if stat_field and stat_field[0].strip() in ("1", "5"):
        return Finding(check, OK, f"{modem.port} answers and is registered on the network")
    return Finding(
        check,
        FAIL,
        f"{modem.port} answers but is not registered ({_first_info(creg)}): check the SIM, the antenna and the signal",
    )


def _ask(link, command: str, timeout: float = 3.0) -> str:
    return at.ask(link, command, timeout)[0]


def _first_info(reply: str) -> str:
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip().startswith("+")]
    return lines[0] if lines else (reply.strip() or "no answer")


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)
