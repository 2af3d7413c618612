"""Every reason the code base can store is a code in appliance.domain.reasons.CODES, and every code has
Persian and English on the pages (web/i18n.py) and complete English for the command line (reasons.plain)."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from appliance.domain import reasons
from appliance.domain.reasons import CODES, plain, reason, say
from web.i18n import WORDS
from web.present import Present

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("appliance", "web", "modem") for p in (ROOT / d).rglob("*.py"))

# The calls that build a reason part, and where the calls that store a reason take it (position, keyword).
BUILDERS = {"say", "reason", "_reason", "Reason"}
STORERS = {
    "record_event": (4, "reason"),
    "_move": (3, "reason"),
    "_close_deposit": (2, "reason"),
    "ParsedSms": (None, "reason"),
    "TrustDecision": (2, "reason"),
    "FieldReading": (None, "reason"),
}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _literals(node: ast.expr) -> list[str]:
    """The string constants an expression can be (a conditional's both branches)."""
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return []


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call):
                found.append((str(path.relative_to(ROOT)), node.lineno, node))
    return found


def test_every_code_the_code_base_writes_is_registered() -> None:
    written: dict[str, str] = {}
    for where, line, call in _calls():
        if _name(call) in BUILDERS and call.args:
            for code in _literals(call.args[0]):
                written.setdefault(code, f"{where}:{line}")
    unknown = {code: where for code, where in written.items() if code not in CODES}
    assert unknown == {}
    assert len(written) > 60  # the scan found the writers (matching, reader, trust, intake, review...)


def test_no_writer_stores_a_sentence() -> None:
    """What a storing call gets as its reason is never a literal sentence or an f-string: only codes."""
    sentences = []
    for where, line, call in _calls():
        spot = STORERS.get(_name(call))
        if spot is None:
            continue
        position, keyword = spot
        args = [k.value for k in call.keywords if k.arg == keyword]
        if position is not None and len(call.args) > position:
            args.append(call.args[position])
        for arg in args:
            if isinstance(arg, ast.JoinedStr) or any(_literals(arg)) or isinstance(arg, ast.BinOp):
                sentences.append(f"{where}:{line}: {ast.unparse(arg)}")
    assert sentences == []


def _params(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_persian_and_english_on_the_pages_and_in_plain(code: str) -> None:
    words = WORDS.get(f"r.{code}")
    assert words is not None, f"web/i18n.py has no r.{code}"
    persian, english = words
    assert persian.strip() and english.strip()
    assert not re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", persian)), f"English in the Persian of {code}"
    # The pages and the command line name the same parameters.
    assert _params(persian) <= _params(CODES[code]) | {"note"}
    assert _params(english) <= _params(CODES[code]) | {"note"}
    # Every parameter renders: no "{" left, no stray placeholder.
    values = {name: "1" for name in _params(CODES[code])}
    if code.startswith("alert"):
        values["alert"] = "test"
    stored = say(code, **values)
    for lang in ("fa", "en"):
        shown = Present(lang, dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).reason(stored)
        assert "{" not in shown and shown != "—"
    assert "?" not in plain(stored) and "{" not in plain(stored)


def test_plain_is_complete_english_for_every_code() -> None:
    assert plain(say("most_likely", payment=12, mistake="toman")) == "most likely payment 12 (toman)"
    assert plain(reasons.encode(reason("refunded", note="by card"))) == "refunded: by card"
    assert plain(say("read_by_layout", kind="deposit", bank="mellat", layout="current")) == (
        "deposit by mellat layout 'current'"
    )


def test_every_other_rule_and_unpayable_channel_of_the_shipped_banks_has_persian() -> None:
    """A reason's {rule} and {channel} are words of the bank templates: each needs its Persian."""
    from appliance.sms.model import NON_SETTLING_CHANNELS
    from appliance.sms.template import load_dialects, template_paths

    dialects, shared = load_dialects(template_paths())
    rules = {rule.reason for d in dialects.values() for rule in d.others} | {rule.reason for rule in shared}
    channels = set(NON_SETTLING_CHANNELS) | {"wallet", "not a customer payment"}
    channels |= {
        meaning.channel
        for d in dialects.values()
        for layout in d.layouts
        for table in layout.words.values()
        for meaning in table.values()
        if not meaning.settles and meaning.channel
    }
    channels |= {c for d in dialects.values() for c in d.lexicon.non_settling.values()}
    assert len(rules) > 5
    missing = sorted(f"rule.{r}" for r in rules if f"rule.{r}" not in WORDS)
    missing += sorted(f"channel.{c}" for c in channels if f"channel.{c}" not in WORDS)
    assert missing == []


def test_the_field_readers_evidence_and_a_sum_read_in_persian() -> None:
    page = Present("fa", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    evidence = "sign says deposit, word «واریز» says deposit, balance arithmetic says deposit"
    shown = page.reason(say("read_by_fields", kind="deposit", evidence=evidence))
    assert not re.search(r"[A-Za-z]", re.sub(r"<[^>]+>", "", shown)), shown
    assert "علامت" in shown and "«واریز»" in shown and "حساب مانده" in shown
    broken = page.reason(say("balance_break", previous=1_000_000, op="+", amount=50_000, expected=1_050_000, balance=2))
    assert "۱٬۰۵۰٬۰۰۰" in broken and "1050000" not in broken
    assert Present("en", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).reason(say("accepted_short", shortfall=5000)) == (
        "accepted as paid with 5,000 Rial missing"
    )
