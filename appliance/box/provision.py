"""First-boot import of the settings file a merchant writes on the card's boot partition.

The boot partition is FAT: anyone holding the card can read it, and it has no
permissions. So the importer:

- validates the file with the product's own loader (every problem, with its key);
- when invalid, leaves the file where it is, writes ``<name>.error.txt`` beside it
  saying what to fix, and keeps the settings already in force;
- when valid, lays it over the image's defaults, writes the result atomically to
  the box's settings file (``root:carttocart 0640``), then overwrites and deletes
  the card's copy and leaves a secret-free ``<name>.applied`` note instead.

The importer runs at every boot when the file is present, so editing the card
re-provisions the box. Tunnel files dropped beside it (see :data:`TUNNEL_FILES`)
are imported the same way: they hold private keys.
"""

from __future__ import annotations

import grp
import hashlib
import json
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.domain.errors import ConfigError, ProvisionError
from appliance.settings import load_settings

log = logging.getLogger(__name__)

SERVICE_GROUP = "carttocart"
# Files beside carttocart.toml that configure the outbound tunnel (image/README.md):
# name on the card -> name in the tunnel folder next to the settings file.
TUNNEL_FILES = {
    "carttocart-wireguard.conf": "c2c-wg.conf",
    "carttocart-ssh-tunnel.env": "ssh-tunnel.env",
    "carttocart-ssh-tunnel.key": "ssh-tunnel.key",
}
REDACTED = "(removed from the card)"


@dataclass(frozen=True)
class ProvisionResult:
    target: Path
    fingerprint: str  # sha256 of the written settings, to tell imports apart in logs
    tunnel_files: tuple[str, ...] = field(default=())


def provision(source: Path, target: Path, now: datetime, defaults: Path | None = None) -> ProvisionResult:
    """Import ``source`` (on the boot partition) into ``target``; raise :class:`ProvisionError` if invalid."""
    error_file = source.with_name(source.name + ".error.txt")
    try:
        merged = _merge(_read_toml(defaults) if defaults else {}, _read_toml(source))
        text = dump_toml(merged)
        check_file = target.with_name(f".{target.name}.check")
        _write_atomic(check_file, text, mode=0o600)
        try:
            load_settings(check_file, env={})
        finally:
            check_file.unlink(missing_ok=True)
    except ConfigError as exc:
        _write_error(error_file, source, exc.problems, now)
        raise ProvisionError(f"{source} was not applied; the reasons are in {error_file}") from exc
    _write_atomic(target, text, mode=0o640, group=SERVICE_GROUP)
    tunnel = tuple(_import_tunnel_files(source.parent, target.parent / "tunnel"))
    fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    _write_atomic(
        source.with_name(source.name + ".applied"), _applied_note(merged, target, now, fingerprint), mode=0o644
    )
    _shred(source)
    error_file.unlink(missing_ok=True)
    log.info("imported %s into %s (%s)", source, target, fingerprint)
    return ProvisionResult(target=target, fingerprint=fingerprint, tunnel_files=tunnel)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}"], str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from exc


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; everything else (arrays of tables too) is replaced."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _write_error(error_file: Path, source: Path, problems: list[str], now: datetime) -> None:
    lines = [
        f"{source.name} was NOT applied ({now.isoformat(timespec='seconds')}).",
        "The box keeps the settings it had. Fix these problems in the file and restart the box:",
        "",
        *(f"  - {p}" for p in problems),
        "",
    ]
    try:
        _write_atomic(error_file, "\n".join(lines), mode=0o644)
    except OSError as exc:  # a read-only card must not hide the real problem
        log.error("cannot write %s: %s", error_file, exc)
    for problem in problems:
        log.error("%s: %s", source, problem)


def _import_tunnel_files(card_dir: Path, tunnel_dir: Path) -> list[str]:
    imported = []
    for card_name, name in TUNNEL_FILES.items():
        card_file = card_dir / card_name
        if not card_file.is_file():
            continue
        tunnel_dir.mkdir(mode=0o750, parents=True, exist_ok=True)
        _write_atomic(tunnel_dir / name, card_file.read_text(encoding="utf-8"), mode=0o600)
        _shred(card_file)
        imported.append(name)
    return imported


def _shred(path: Path) -> None:
    """Overwrite, then delete: on FAT a plain unlink leaves the secret in the free clusters."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.write(b"\0" * size)
        file.flush()
        os.fsync(file.fileno())
    path.unlink()
    _fsync_dir(path.parent)


def _write_atomic(path: Path, text: str, mode: int, group: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, mode)
        if group is not None and os.geteuid() == 0:
            try:
                os.chown(tmp, 0, grp.getgrnam(group).gr_gid)
            except KeyError:
                log.warning("group %s does not exist; %s stays root-only", group, path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError:  # FAT (vfat) directories may refuse fsync; the data is already synced
        pass
    finally:
        os.close(fd)


def _applied_note(settings: Mapping[str, Any], target: Path, now: datetime, fingerprint: str) -> str:
    body = dump_toml(redact(settings))
    return "\n".join(
        [
            f"# This box imported carttocart.toml on {now.isoformat(timespec='seconds')} into {target}",
            f"# (fingerprint {fingerprint}). The card's copy was erased because it may hold secrets.",
            "# To change the settings, write a complete new carttocart.toml here and restart the box.",
            "# What was applied, secrets removed:",
            "#",
            *(f"# {line}" if line else "#" for line in body.splitlines()),
            "",
        ]
    )


def redact(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without secrets: the signing key, SIM PINs, database passwords."""
    out = json.loads(json.dumps(settings, default=str))
    if out.get("security", {}).get("secret_key"):
        out["security"]["secret_key"] = REDACTED
    for modem in out.get("modems", []):
        if isinstance(modem, dict) and modem.get("pin"):
            modem["pin"] = REDACTED
    url = out.get("database", {}).get("url", "")
    if isinstance(url, str) and "@" in url:
        out["database"]["url"] = re.sub(r"//[^@/]*@", "//" + REDACTED + "@", url)
    return out


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dump_toml(data: Mapping[str, Any]) -> str:
    """Write parsed TOML back (the subset settings use: tables, arrays of tables, scalars, arrays)."""
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(table: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_array(v)}
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        if _is_table(value):
            lines.extend(["", f"[{'.'.join(_key(k) for k in [*path, key])}]"])
            _dump_table(value, [*path, key], lines)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{'.'.join(_key(k) for k in [*path, key])}]]"])
                _dump_table(item, [*path, key], lines)


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
