"""Bank dialects as TOML templates: the built-in ones and those an operator adds.

A template names a bank, its allow-listed senders, the layouts of its
transaction SMS (regular expressions over the normalised text, with named
fields), the rules that mark a message as "other" (OTP, advert...), and
sample messages with the result they must give. docs/bank-templates.md is the
full reference; appliance/sms/templates/ holds the built-in dialects.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.sms.errors import TemplateError
from appliance.sms.fields import BankLexicon
from appliance.sms.model import Kind
from appliance.sms.normalize import normalize_layout, normalize_word

BUILTIN_DIR = Path(__file__).with_name("templates")
ALL_BANKS = "*"  # a template whose "other" rules apply to every bank

_ACCOUNT = r"[\d*](?:[\d.\-/*]*[\d*])?"
PLACEHOLDERS = {
    "amount": r"(?P<amount>\d+)",
    "balance": r"(?P<balance>\d+)",
    "sign": r"(?P<sign>[+-])",
    "account": rf"(?P<account>{_ACCOUNT})",
    "card": rf"(?P<counterpart_card>{_ACCOUNT})",
    "rial": r"(?: ?ریال)",
    "yyyy": r"(?P<year>\d{4})",
    "yy": r"(?P<year>\d{2})",
    "y": r"(?P<year>\d{1,2})",
    "mm": r"(?P<month>\d{2})",
    "m": r"(?P<month>\d{1,2})",
    "dd": r"(?P<day>\d{2})",
    "d": r"(?P<day>\d{1,2})",
    "hh": r"(?P<hour>\d{2})",
    "h": r"(?P<hour>\d{1,2})",
    "mi": r"(?P<minute>\d{2})",
    "ss": r"(?P<second>\d{2})",
}
FIELD_GROUPS = frozenset(
    {"amount", "balance", "sign", "account", "counterpart_card", "year", "month", "day", "hour", "minute", "second"}
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DIRECTIONS = {"deposit": Kind.DEPOSIT, "withdrawal": Kind.WITHDRAWAL}


@dataclass(frozen=True)
class Meaning:
    """What a word captured by a layout says: a direction, a channel, whether it may settle."""

    direction: Kind | None = None
    channel: str | None = None
    settles: bool = True


@dataclass(frozen=True)
class Layout:
    bank: str
    name: str
    regex: re.Pattern[str]
    direction: Kind | None
    channel: str | None
    settles: bool
    # group name -> normalised word -> meaning; a captured word missing from
    # its table leaves the message unparsed (an unknown label is never guessed).
    words: Mapping[str, Mapping[str, Meaning]]

    @property
    def label(self) -> str:
        return f"{self.bank} layout {self.name!r}"


@dataclass(frozen=True)
class OtherRule:
    reason: str
    search: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def applies(self, text: str) -> bool:
        return bool(self.search.search(text)) and not (self.unless and self.unless.search(text))


@dataclass(frozen=True)
class Sample:
    text: str
    sender: str | None
    smsc_time: datetime | None
    expect: Mapping[str, Any]
    source: str


@dataclass
class Dialect:
    bank: str
    name: str
    senders: list[str] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)
    others: list[OtherRule] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    layouts_from: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # What the field reader needs to know of this bank (its template's optional [fields] table).
    lexicon: BankLexicon = field(default_factory=BankLexicon)

    def extend(self, other: Dialect) -> None:
        """An operator's template for a known bank adds to it (a new layout, a new sender)."""
        self.senders += other.senders
        self.layouts += other.layouts
        self.others += other.others
        self.samples += other.samples
        self.layouts_from += other.layouts_from
        self.sources += other.sources
        self.lexicon = _merge_lexicons(self.lexicon, other.lexicon)


def _merge_lexicons(a: BankLexicon, b: BankLexicon) -> BankLexicon:
    return BankLexicon(
        deposit=a.deposit + b.deposit,
        withdrawal=a.withdrawal + b.withdrawal,
        non_settling={**a.non_settling, **b.non_settling},
        names=a.names + b.names,
        enabled=a.enabled and b.enabled,
        without_account=a.without_account or b.without_account,
    )


_FIELDS_KEYS = frozenset({"deposit", "withdrawal", "non_settling", "names", "enabled", "without_account"})


def _lexicon(raw: Any, source: str) -> BankLexicon:
    """The optional ``[fields]`` table: deposit/withdrawal words, non_settling word -> channel, names, enabled."""
    if not isinstance(raw, Mapping) or set(raw) - _FIELDS_KEYS:
        raise TemplateError(f"[fields] may have only {', '.join(sorted(_FIELDS_KEYS))}", source)

    def words(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise TemplateError(f"[fields] {key} must be a list of non-empty strings", source)
        return tuple(normalize_layout(w) for w in value)

    non_settling = raw.get("non_settling", {})
    if not isinstance(non_settling, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in non_settling.items()
    ):
        raise TemplateError("[fields] non_settling must be a table of word = channel", source)
    enabled, without_account = raw.get("enabled", True), raw.get("without_account", False)
    if not isinstance(enabled, bool) or not isinstance(without_account, bool):
        raise TemplateError("[fields] enabled and without_account must be true or false", source)
    return BankLexicon(
        deposit=words("deposit"),
        withdrawal=words("withdrawal"),
        non_settling={normalize_layout(k): v for k, v in non_settling.items()},
        names=words("names"),
        enabled=enabled,
        without_account=without_account,
    )


def compile_pattern(pattern: str, source: str, what: str) -> re.Pattern[str]:
    """Placeholders expanded; written against normalised text, so normalised too."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise TemplateError(f"{what}: unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})", source)
        return PLACEHOLDERS[name]

    try:
        return re.compile(_PLACEHOLDER.sub(expand, normalize_layout(pattern)))
    except re.error as exc:
        raise TemplateError(f"{what}: not a valid pattern: {exc}", source) from exc


def _meaning(raw: Any, source: str, what: str) -> Meaning:
    if not isinstance(raw, Mapping) or set(raw) - {"direction", "channel", "settles"}:
        raise TemplateError(f"{what}: expected a table with direction, channel and/or settles, got {raw!r}", source)
    direction = raw.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise TemplateError(f"{what}: direction must be deposit or withdrawal, got {direction!r}", source)
    settles = raw.get("settles", True)
    if not isinstance(settles, bool):
        raise TemplateError(f"{what}: settles must be true or false", source)
    return Meaning(
        DIRECTIONS.get(direction) if direction else None, _optional_str(raw, "channel", source, what), settles
    )


def _optional_str(raw: Mapping[str, Any], key: str, source: str, what: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise TemplateError(f"{what}: {key} must be a non-empty string", source)
    return value


def _words(raw: Any, source: str, what: str) -> dict[str, dict[str, Meaning]]:
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{what}: words must be a table of tables", source)
    tables: dict[str, dict[str, Meaning]] = {}
    for group, table in raw.items():
        if not isinstance(table, Mapping):
            raise TemplateError(f"{what}: words.{group} must be a table", source)
        tables[group] = {
            normalize_word(word): _meaning(m, source, f"{what} words.{group}.{word}") for word, m in table.items()
        }
    return tables


def _layout(bank: str, raw: Any, file_words: Mapping[str, Mapping[str, Meaning]], source: str, index: int) -> Layout:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("pattern"), str):
        raise TemplateError(f"layout #{index + 1}: needs a pattern", source)
    unknown = set(raw) - {"name", "pattern", "direction", "channel", "settles", "words"}
    if unknown:
        raise TemplateError(f"layout #{index + 1}: unknown keys {sorted(unknown)}", source)
    name = str(raw.get("name") or f"#{index + 1}")
    what = f"layout {name!r}"
    regex = compile_pattern(raw["pattern"], source, what)
    words = {**file_words, **_words(raw.get("words", {}), source, what)}
    groups = set(regex.groupindex)
    for group in groups - FIELD_GROUPS:
        if group not in words:
            raise TemplateError(f"{what}: group {group!r} has no words table saying what it means", source)
    if "amount" not in groups:
        raise TemplateError(f"{what}: a layout must capture {{amount}}", source)
    meaning = _meaning({k: raw[k] for k in ("direction", "channel", "settles") if k in raw}, source, what)
    return Layout(
        bank,
        name,
        regex,
        meaning.direction,
        meaning.channel,
        meaning.settles,
        {g: t for g, t in words.items() if g in groups},
    )


def _other(raw: Any, source: str, index: int) -> OtherRule:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("search"), str) or not isinstance(raw.get("reason"), str):
        raise TemplateError(f"other #{index + 1}: needs reason and search", source)
    what = f"other rule {raw['reason']!r}"
    unless = raw.get("unless")
    return OtherRule(
        raw["reason"],
        compile_pattern(raw["search"], source, what),
        compile_pattern(unless, source, what) if unless else None,
    )


def _sample(raw: Any, source: str, index: int) -> Sample:
    if (
        not isinstance(raw, Mapping)
        or not isinstance(raw.get("text"), str)
        or not isinstance(raw.get("expect"), Mapping)
    ):
        raise TemplateError(f"sample #{index + 1}: needs text and an expect table", source)
    if raw["expect"].get("kind") not in {k.value for k in Kind}:
        raise TemplateError(f"sample #{index + 1}: expect.kind must be one of {[k.value for k in Kind]}", source)
    if raw.get("sender") is not None and not isinstance(raw["sender"], str):
        raise TemplateError(f"sample #{index + 1}: sender must be a string", source)
    smsc_time = raw.get("smsc_time")
    if smsc_time is not None and (not isinstance(smsc_time, datetime) or smsc_time.tzinfo is None):
        raise TemplateError(f"sample #{index + 1}: smsc_time must be a TOML date-time with an offset", source)
    return Sample(raw["text"], raw.get("sender"), smsc_time, dict(raw["expect"]), f"{source} sample #{index + 1}")


def dialect_from_mapping(data: Mapping[str, Any], source: str) -> Dialect:
    bank = data.get("bank")
    if not isinstance(bank, str) or not re.fullmatch(r"[a-z][a-z0-9_]*|\*", bank):
        raise TemplateError('bank must be a lower-case key such as mellat or sina (or "*" for shared rules)', source)
    unknown = set(data) - {"bank", "name", "senders", "words", "layouts_from", "layout", "other", "sample", "fields"}
    if unknown:
        raise TemplateError(f"unknown keys {sorted(unknown)}", source)
    senders = data.get("senders", [])
    if not isinstance(senders, list) or not all(isinstance(s, str) for s in senders):
        raise TemplateError("senders must be a list of strings", source)
    layouts_from = data.get("layouts_from", [])
    layouts_from = [layouts_from] if isinstance(layouts_from, str) else layouts_from
    if not isinstance(layouts_from, list) or not all(isinstance(b, str) for b in layouts_from):
        raise TemplateError("layouts_from must be a bank key or a list of them", source)
    file_words = _words(data.get("words", {}), source, "words")
    return Dialect(
        bank=bank,
        name=str(data.get("name") or bank),
        senders=list(senders),
        layouts=[_layout(bank, raw, file_words, source, i) for i, raw in enumerate(data.get("layout", []))],
        others=[_other(raw, source, i) for i, raw in enumerate(data.get("other", []))],
        samples=[_sample(raw, source, i) for i, raw in enumerate(data.get("sample", []))],
        layouts_from=list(layouts_from),
        sources=[source],
        lexicon=_lexicon(data.get("fields", {}), source),
    )


def load_template(path: Path) -> Dialect:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot read: {exc.strerror}", str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"not valid TOML: {exc}", str(path)) from exc
    return dialect_from_mapping(data, str(path))


def load_dialects(paths: list[Path]) -> tuple[dict[str, Dialect], list[OtherRule]]:
    """Dialects by bank (files for one bank merged, shared layouts resolved) and the rules for every bank."""
    dialects: dict[str, Dialect] = {}
    shared_others: list[OtherRule] = []
    for path in paths:
        dialect = load_template(path)
        if dialect.bank == ALL_BANKS:
            shared_others += dialect.others
        elif dialect.bank in dialects:
            dialects[dialect.bank].extend(dialect)
        else:
            dialects[dialect.bank] = dialect
    for dialect in dialects.values():
        for other in dialect.layouts_from:
            if other not in dialects:
                raise TemplateError(f"layouts_from names unknown bank {other!r}", ", ".join(dialect.sources))
            dialect.layouts += [layout for layout in dialects[other].layouts if layout.bank == other]
    return dialects, shared_others


def template_paths(templates_dir: Path | None = None, extra: list[Path] | None = None) -> list[Path]:
    """The built-in templates, then the operator's folder (sorted), then single files."""
    paths = sorted(BUILTIN_DIR.glob("*.toml"))
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise TemplateError("not a folder", str(templates_dir))
        paths += sorted(templates_dir.glob("*.toml"))
    seen = {p.resolve() for p in paths}
    # A file named again (checking a built-in template by its path) is read once.
    return paths + [p for p in extra or [] if p.resolve() not in seen]
