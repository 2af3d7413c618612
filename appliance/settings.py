"""Settings: one TOML file loaded into frozen dataclasses.

Every problem in the file is reported at once, each with its key
(``payments.expire_minutes: must be a whole number, got 'soon'``), so an
operator fixes the file in one go. ``CARTTOCART_CONFIG`` names the file,
``CARTTOCART_DATABASE_URL`` and ``CARTTOCART_SECRET_KEY`` override what it says.

Every field below is documented in ``config/carttocart.example.toml``; a test
fails when one is not. A field's ``metadata`` may carry ``check``: a function
that returns a problem text (or ``None``) for a value of the right type.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.domain.errors import ConfigError

ENV_CONFIG = "CARTTOCART_CONFIG"
ENV_DATABASE_URL = "CARTTOCART_DATABASE_URL"
ENV_SECRET_KEY = "CARTTOCART_SECRET_KEY"

Check = Callable[[Any], "str | None"]


def _check(fn: Check) -> dict[str, Check]:
    return {"check": fn}


def _at_least(low: int) -> dict[str, Check]:
    return _check(lambda v: None if v >= low else f"must be at least {low}, got {v}")


def _between(low: int, high: int) -> dict[str, Check]:
    return _check(lambda v: None if low <= v <= high else f"must be between {low} and {high}, got {v}")


def _one_of(*choices: object) -> dict[str, Check]:
    return _check(lambda v: None if v in choices else f"must be one of {', '.join(map(str, choices))}, got {v!r}")


def _host_port(value: str) -> str | None:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"must be HOST:PORT (for example 127.0.0.1:8080), got {value!r}"
    return None


def _http_url_or_empty(value: str) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        return f"must be an http:// or https:// address (or empty), got {value!r}"
    return None


_BOX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _box_id(value: str) -> str | None:
    if value == "" or _BOX_ID.fullmatch(value):
        return None
    return f"must be 1-40 letters, digits, '.', '_' or '-' (starting with a letter or digit), got {value!r}"


@dataclass(frozen=True)
class BoxSettings:
    name: str = "CartToCart"
    demo: bool = False
    # This box's identity in a fleet sharing one database; empty: the host's name.
    id: str = field(default="", metadata=_check(_box_id))


@dataclass(frozen=True)
class ServerSettings:
    listen: str = field(default="127.0.0.1:8080", metadata=_check(_host_port))
    public_url: str = field(default="", metadata=_check(_http_url_or_empty))
    threads: int = field(default=8, metadata=_between(1, 64))
    max_body_bytes: int = field(default=65536, metadata=_between(1024, 10 * 1024 * 1024))
    # Open connections kept at most; beyond it the stalest unfinished or idle one is closed (web/server.py).
    connection_limit: int = field(default=500, metadata=_between(16, 50_000))
    # A connection idle this long, or still sending one request after this long, is closed.
    client_timeout_seconds: int = field(default=30, metadata=_between(1, 3600))


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///carttocart.db"
    busy_timeout_ms: int = field(default=5000, metadata=_between(100, 600_000))


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str = field(
        default="",
        metadata=_check(
            lambda v: None if not v or len(v) >= 32 else "must be at least 32 characters (or empty to generate one)"
        ),
    )


@dataclass(frozen=True)
class PaymentSettings:
    expire_minutes: int = field(default=15, metadata=_at_least(1))
    min_expire_minutes: int = field(default=1, metadata=_at_least(1))
    max_expire_minutes: int = field(default=1440, metadata=_at_least(1))
    min_offset: int = field(default=10, metadata=_at_least(0))
    max_offset: int = field(default=9990, metadata=_at_least(0))
    offset_step: int = field(default=10, metadata=_at_least(1))
    quarantine_hours: int = field(default=24, metadata=_at_least(0))
    pin_card: bool = False
    min_price_rial: int = field(default=10_000, metadata=_at_least(1))
    max_price_rial: int = field(default=2_000_000_000, metadata=_at_least(1))
    ask_payer_card: bool = False
    # The largest single transfer (Rial); a price above it is split into parts (0: never split).
    max_transfer_rial: int = field(default=0, metadata=_at_least(0))


@dataclass(frozen=True)
class ClockSettings:
    require_trusted: bool = False


@dataclass(frozen=True)
class SmsSettings:
    balance_policy: str = field(default="warn", metadata=_one_of("warn", "strict"))
    multipart_timeout_minutes: int = field(default=60, metadata=_at_least(1))
    retention_days: int = field(default=730, metadata=_at_least(1))
    templates_dir: str = ""
    senders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ModemSettings:
    name: str = "modem"
    port: str = ""
    profile: str = field(
        default="auto", metadata=_one_of("auto", "sim800", "huawei", "ec25", "zte", "wavecom", "generic")
    )
    baudrate: int = field(
        default=115200, metadata=_one_of(*(9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600))
    )
    rtscts: bool = False
    dsrdtr: bool = False
    pin: str = ""
    usb_id: str = ""


@dataclass(frozen=True)
class HealthSettings:
    sample_seconds: int = field(default=60, metadata=_at_least(5))
    sweep_seconds: int = field(default=30, metadata=_at_least(5))
    receive_down_after_minutes: int = field(default=10, metadata=_at_least(1))
    samples_keep_days: int = field(default=30, metadata=_at_least(1))


@dataclass(frozen=True)
class LoggingSettings:
    level: str = field(default="INFO", metadata=_one_of("DEBUG", "INFO", "WARNING", "ERROR"))


def _phone_or_empty(value: str) -> str | None:
    digits = value[1:] if value.startswith("+") else value
    if value and not (digits.isdigit() and digits.isascii() and 5 <= len(digits) <= 15):
        return f"must be a phone number such as 09121234567 or +989121234567 (or empty), got {value!r}"
    return None


def _regex_or_empty(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"must be a regular expression ({exc}), got {value!r}"
    return None


def _ussd_code(value: str) -> str | None:
    if value and not re.fullmatch(r"[*#][0-9*#]{0,38}#", value):
        return f"must be a USSD code: * or #, digits and *, ending in # (such as *140*11#), or empty, got {value!r}"
    return None


@dataclass(frozen=True)
class AlertSettings:
    """docs/alerts.md: what raises an alert, and where it goes."""

    # The owner's mobile: alerts and forwarded messages go there by SMS. Empty: no SMS.
    owner_phone: str = field(default="", metadata=_check(_phone_or_empty))
    # The language of alert SMS: fa or en.
    language: str = field(default="fa", metadata=_one_of("fa", "en"))
    sms: bool = True
    webhook: bool = True
    sms_daily_cap: int = field(default=20, metadata=_between(0, 500))
    repeat_minutes: int = field(default=120, metadata=_between(5, 10080))
    no_sms_minutes: int = field(default=30, metadata=_between(1, 10080))
    review_minutes: int = field(default=60, metadata=_between(1, 10080))
    disk_min_free_mb: int = field(default=200, metadata=_between(1, 1_000_000))
    webhook_failures: int = field(default=5, metadata=_between(1, 1000))
    credit_min_rial: int = field(default=50_000, metadata=_at_least(0))
    validity_min_days: int = field(default=7, metadata=_between(0, 365))


@dataclass(frozen=True)
class ForwardingSettings:
    """Which non-deposit messages (OTPs, notices, operator messages) are sent on to the owner's phone."""

    # none, all (every non-deposit message), bank_otp (one bank's one-time passwords) or pattern (senders).
    rule: str = field(default="none", metadata=_one_of("none", "all", "bank_otp", "pattern"))
    bank: str = ""
    sender_pattern: str = field(default="", metadata=_check(_regex_or_empty))
    daily_cap: int = field(default=30, metadata=_between(0, 500))


@dataclass(frozen=True)
class SimBalanceSettings:
    """The scheduled USSD balance query (credit and validity of a prepaid SIM)."""

    # Hours between queries; 0: never.
    every_hours: int = field(default=12, metadata=_between(0, 720))
    # mci, irancell, rightel, or auto (from the operator the modem reports).
    operator: str = field(default="auto", metadata=_one_of("auto", "mci", "irancell", "rightel"))
    mci_code: str = field(default="*140*11#", metadata=_check(_ussd_code))
    irancell_code: str = field(default="*141*1#", metadata=_check(_ussd_code))
    rightel_code: str = field(default="*140#", metadata=_check(_ussd_code))


@dataclass(frozen=True)
class Settings:
    box: BoxSettings = field(default_factory=BoxSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    clock: ClockSettings = field(default_factory=ClockSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    modems: tuple[ModemSettings, ...] = ()
    health: HealthSettings = field(default_factory=HealthSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    forwarding: ForwardingSettings = field(default_factory=ForwardingSettings)
    sim_balance: SimBalanceSettings = field(default_factory=SimBalanceSettings)
    # Where the file was read from; relative paths in it are relative to its folder.
    source: str = field(default="", metadata={"internal": True})

    @property
    def base_dir(self) -> Path:
        return Path(self.source).resolve().parent if self.source else Path.cwd()

    def resolve_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute (relative to the config file)."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.resolve_path(url[len(prefix) :]))
        return url


def documented_keys() -> list[str]:
    """Every setting as ``section.key`` (modems as ``modems.key``): what the example must document."""
    keys: list[str] = []
    for section in dataclasses.fields(Settings):
        if section.metadata.get("internal"):
            continue
        cls = _section_class(section)
        keys.extend(f"{section.name}.{f.name}" for f in dataclasses.fields(cls))
    return keys


def _section_class(section: dataclasses.Field) -> type:
    hint = typing.get_type_hints(Settings)[section.name]
    if typing.get_origin(hint) is tuple:
        return typing.get_args(hint)[0]
    return hint


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if hint is bool:
        return "true or false"
    if hint is int:
        return "a whole number"
    if hint is str:
        return "a string"
    if origin is tuple:
        return "a list of strings"
    if origin in (Mapping, dict):
        return "a table of lists of strings"
    return str(hint)


def _convert(hint: Any, value: Any) -> tuple[Any, str | None]:
    """Return (converted, problem). Only the types the settings use are known."""
    origin = typing.get_origin(hint)
    if hint is bool:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        return None, "must be a whole number"
    if hint is str:
        return (value, None) if isinstance(value, str) else (None, "must be a string")
    if origin is tuple:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value), None
        return None, "must be a list of strings"
    if origin in (Mapping, dict):
        if isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
        ):
            return types.MappingProxyType({k: tuple(v) for k, v in value.items()}), None
        return None, "must be a table whose values are lists of strings"
    raise TypeError(f"unsupported setting type {hint!r}")  # a programming error, not a user's


def _build_section(cls: type, data: Any, prefix: str, problems: list[str]) -> Any:
    if not isinstance(data, dict):
        problems.append(f"{prefix}: must be a table ([{prefix}])")
        return cls()
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in fields:
            problems.append(f"{prefix}.{key}: unknown setting (known: {', '.join(fields)})")
            continue
        value, problem = _convert(hints[key], raw)
        if problem is None:
            check = fields[key].metadata.get("check")
            problem = check(value) if check else None
        if problem is not None:
            problems.append(
                f"{prefix}.{key}: {problem}, got {raw!r}" if "got" not in problem else f"{prefix}.{key}: {problem}"
            )
            continue
        values[key] = value
    return cls(**values)


def _cross_checks(settings: Settings) -> list[str]:
    problems = []
    p = settings.payments
    if p.min_expire_minutes > p.max_expire_minutes:
        problems.append("payments.min_expire_minutes: must not be above payments.max_expire_minutes")
    if not p.min_expire_minutes <= p.expire_minutes <= p.max_expire_minutes:
        problems.append("payments.expire_minutes: must lie between min_expire_minutes and max_expire_minutes")
    if p.min_offset > p.max_offset:
        problems.append("payments.min_offset: must not be above payments.max_offset")
    if p.min_price_rial > p.max_price_rial:
        problems.append("payments.min_price_rial: must not be above payments.max_price_rial")
    if p.max_transfer_rial and p.max_transfer_rial <= p.max_offset + p.min_price_rial:
        problems.append(
            "payments.max_transfer_rial: must be 0 (never split) or above payments.max_offset plus "
            f"payments.min_price_rial ({p.max_offset + p.min_price_rial}), so that a part and its offset fit "
            f"in one transfer; got {p.max_transfer_rial}"
        )
    names = [m.name for m in settings.modems]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"modems.name: {name!r} is used by more than one modem")
    f = settings.forwarding
    if f.rule == "bank_otp" and not f.bank:
        problems.append("forwarding.bank: the bank_otp rule needs a bank (such as mellat)")
    if f.rule == "pattern" and not f.sender_pattern:
        problems.append("forwarding.sender_pattern: the pattern rule needs a sender pattern")
    for i, modem in enumerate(settings.modems):
        if not modem.port and not modem.usb_id:
            problems.append(f"modems[{i}].port: a modem needs a port (or a usb_id to discover it by)")
    return problems


def settings_from_mapping(data: Mapping[str, Any], source: str = "") -> Settings:
    """Build settings from parsed TOML, raising :class:`ConfigError` with every problem found."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")}
    for key, value in data.items():
        if key not in known:
            problems.append(f"{key}: unknown section (known: {', '.join(known)})")
            continue
        cls = _section_class(known[key])
        if key == "modems":
            if not isinstance(value, list):
                problems.append("modems: must be an array of tables ([[modems]])")
                continue
            sections[key] = tuple(_build_section(cls, item, f"modems[{i}]", problems) for i, item in enumerate(value))
        else:
            sections[key] = _build_section(cls, value, key, problems)
    settings = Settings(**sections, source=source)
    problems.extend(_cross_checks(settings))
    if problems:
        raise ConfigError(problems, source)
    return settings


def load_settings(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings file (``path``, else ``$CARTTOCART_CONFIG``) and apply the environment overrides."""
    env = os.environ if env is None else env
    chosen = path or env.get(ENV_CONFIG)
    if not chosen:
        raise ConfigError(
            ["no configuration file: pass --config FILE or set CARTTOCART_CONFIG (`carttocart init` writes one)"]
        )
    file = Path(chosen)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}"], str(file)) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(file)) from exc
    settings = settings_from_mapping(data, source=str(file))
    return apply_environment(settings, env)


def apply_environment(settings: Settings, env: Mapping[str, str]) -> Settings:
    if url := env.get(ENV_DATABASE_URL):
        settings = dataclasses.replace(settings, database=dataclasses.replace(settings.database, url=url))
    if key := env.get(ENV_SECRET_KEY):
        if len(key) < 32:
            raise ConfigError([f"{ENV_SECRET_KEY}: must be at least 32 characters"], "environment")
        settings = dataclasses.replace(settings, security=dataclasses.replace(settings.security, secret_key=key))
    return settings


def settings_as_dict(settings: Settings, hide_secrets: bool = True) -> dict[str, Any]:
    """The settings in force as plain data (for ``config show`` and diagnostics)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {
                f.name: plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if not f.metadata.get("internal")
            }
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    data = plain(settings)
    if hide_secrets:
        if data["security"]["secret_key"]:
            data["security"]["secret_key"] = "(set)"
        for modem in data["modems"]:
            if modem["pin"]:
                modem["pin"] = "(set)"
    return data


def describe_type(section: str, key: str) -> str:
    """A human description of a setting's type, for ``--help`` texts and docs."""
    for f in dataclasses.fields(Settings):
        if f.name == section:
            cls = _section_class(f)
            return _type_name(typing.get_type_hints(cls)[key])
    raise KeyError(f"{section}.{key}")
