"""Learning a bank SMS format from one message the box could not read ("learn this format").

:func:`propose` reads what it can out of a message (amount candidates, the
direction the sign or label says, balance, account, date and time) for the
operator to confirm or correct; :func:`learned_template` turns the message and
the confirmed fields into a template in the ordinary TOML format
(docs/bank-templates.md, "Teaching the box"): one layout whose pattern is the
whole normalised message with the confirmed fields as placeholders, every
other number generalised, every other word kept literally. Pure functions:
the caller (appliance.usecases.teaching) checks the template reads its own
message back and stores it.

What keeps a learned template from settling a wrong deposit: the words stay
literal (a «برداشت» where the sample said «واریز» no longer matches), a sign
the sample printed is captured as ``{sign}`` (the reader refuses a sign that
contradicts the layout's direction), and a message it reads is marked as read
by a learned layout (:func:`read_by_learned_layout`) so that the intake holds
it on a balance break whatever the balance policy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from appliance.domain.errors import InvalidInput
from appliance.domain.reasons import layout_names
from appliance.sms.normalize import normalize_digits, normalize_text

DIRECTIONS = ("deposit", "withdrawal")
# The layout name of every learned layout starts so; the reader's reason names the layout.
LEARNED_LAYOUT = "learned from SMS"

_DATE = re.compile(
    r"(?<![\d/.])(?:(?:(\d{4}|\d{1,2})/)?(\d{1,2})/(\d{1,2})|(\d{4})\.(\d{1,2})\.(\d{1,2}))(?![\d/]|\.\d)"
)
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_GLUED_DATE_TIME = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})( ?- ?)(\d{2}):(\d{2})(?![\d:])")  # [YY]MMDD-HH:MM
_ACCOUNT = re.compile(r"(?<![\d*.\-/])[\d*](?:[\d.\-/*]*[\d*])?(?![\d*])")
_NUMBER = re.compile(r"(?<!\d)\d+(?!\d)")
_UNIT = re.compile(r" ?(?:ریال|تومان)")
_BALANCE_WORD = re.compile(r"مانده|موجودی")
_AMOUNT_WORD = re.compile(r"واریز|برداشت|انتقال|مبلغ|خرید|پرداخت|سود|نشست|ریال|تومان|[+-]")
_ACCOUNT_WORD = re.compile(r"حساب|کارت|سپرده|شماره|به|از")
# Labels whose direction is not in doubt; anything else is left to the operator.
_DEPOSIT_WORDS = re.compile(r"واریز|نشست|دریافت")
_WITHDRAWAL_WORDS = re.compile(r"برداشت|خرید|پرداخت|کسر")


class LearnError(InvalidInput):
    """The confirmed fields do not fit the message (a figure it does not print, a sign that contradicts)."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Proposal:
    """What the box could find in a message; every field may be wrong or missing: the operator decides."""

    text: str  # the normalised message
    amounts: list[int] = field(default_factory=list)  # best first
    direction: str | None = None
    direction_evidence: list[str] = field(default_factory=list)
    balance: int | None = None
    account: str | None = None
    date: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class Confirmed:
    """The operator's reading of the message: what the learned template must read out of it."""

    amount: int
    direction: str
    balance: int | None = None
    account: str | None = None


def _line_of(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)]


def _before(text: str, span: Span) -> str:
    """The text of the span's line before it."""
    start = text.rfind("\n", 0, span.start) + 1
    return text[start : span.start]


def _clause(text: str, span: Span, others: list[Span]) -> str:
    """The words that label a number: its line before it, from the last other figure on that line."""
    start = text.rfind("\n", 0, span.start) + 1
    for other in others:
        if start <= other.end <= span.start and other.start != span.start:
            start = other.end
    for m in _NUMBER.finditer(text, start, span.start):
        start = max(start, m.end())
    return text[start : span.start]


def _sign_before(text: str, span: Span) -> Span | None:
    """A ``+``/``-`` right before the number (or after it, as some banks print ``12500000+``)."""
    for at in (span.start - 1, span.start - 2):
        if at >= 0 and text[at] in "+-" and text[at + 1 : span.start].strip() == "":
            return Span(at, at + 1, text[at])
    if span.end < len(text) and text[span.end] in "+-":
        return Span(span.end, span.end + 1, text[span.end])
    return None


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span.start < t.end and t.start < span.end for t in taken)


def _dates_and_times(text: str) -> tuple[list[Span], list[Span], list[Span]]:
    glued = [Span(m.start(), m.end(), m.group(0)) for m in _GLUED_DATE_TIME.finditer(text)]
    dates = [Span(m.start(), m.end(), m.group(0)) for m in _DATE.finditer(text)]
    dates = [d for d in dates if not _overlaps(d, glued)]
    times = [Span(m.start(), m.end(), m.group(0)) for m in _TIME.finditer(text)]
    times = [t for t in times if not _overlaps(t, glued + dates)]
    return glued, dates, times


def _numbers(text: str, taken: list[Span]) -> list[Span]:
    return [
        Span(m.start(), m.end(), m.group(0))
        for m in _NUMBER.finditer(text)
        if not _overlaps(Span(m.start(), m.end(), ""), taken)
    ]


def _accounts(text: str, taken: list[Span]) -> list[Span]:
    found = []
    for m in _ACCOUNT.finditer(text):
        span = Span(m.start(), m.end(), m.group(0))
        if _overlaps(span, taken) or _UNIT.match(text, span.end):
            continue  # a figure in Rial or Toman is money, not an account
        shaped = any(c in span.text for c in "*-.") and sum(c.isdigit() for c in span.text) >= 4
        labelled = _ACCOUNT_WORD.search(_before(text, span)) and len(span.text) >= 4
        if shaped or labelled or len(span.text) >= 10:
            found.append(span)
    return found


def propose(text: str) -> Proposal:
    """The fields the box can find in ``text`` (any bank, any layout); a proposal, never a reading."""
    norm = normalize_text(text)
    glued, dates, times = _dates_and_times(norm)
    taken = glued + dates + times
    balance: int | None = None
    amounts: list[tuple[int, int]] = []  # (rank, value)
    evidence: list[str] = []
    accounts = _accounts(norm, taken)
    for number in _numbers(norm, taken):
        if _overlaps(number, [a for a in accounts if not a.text.isdigit()]):
            continue  # part of a masked or dashed account
        context = _clause(norm, number, taken + accounts)
        if _BALANCE_WORD.search(context):
            if balance is None:
                balance = int(number.text)
            continue
        sign = _sign_before(norm, number)
        if _UNIT.match(norm, number.end):
            context += " ریال"
        is_account = any(a.start == number.start and a.end == number.end for a in accounts)
        if is_account and not sign and not _AMOUNT_WORD.search(context):
            continue
        rank = 0 if sign else 1 if _AMOUNT_WORD.search(context) else 2
        if sign:
            evidence.append(f"sign {sign.text}: {'deposit' if sign.text == '+' else 'withdrawal'}")
        amounts.append((rank, int(number.text)))
    for words, said_by in ((_DEPOSIT_WORDS, "deposit"), (_WITHDRAWAL_WORDS, "withdrawal")):
        word = words.search(norm)
        if word:
            evidence.append(f"word «{word.group(0)}»: {said_by}")
    said = {e.rsplit(": ", 1)[1] for e in evidence}
    account = next((a.text for a in accounts if a.text.isdigit() is False or len(a.text) >= 10), None)
    if account is None and accounts:
        account = accounts[0].text
    ranked = [value for _, value in sorted(amounts, key=lambda item: item[0]) if value > 0]
    return Proposal(
        text=norm,
        amounts=list(dict.fromkeys(v for v in ranked if str(v) != account)),
        direction=next(iter(said)) if len(said) == 1 else None,
        direction_evidence=evidence,
        balance=balance,
        account=account,
        date=(glued + dates)[0].text if glued or dates else None,
        time=times[0].text if times else None,
    )


# ----- the template --------------------------------------------------------------


def _literal(segment: str) -> str:
    """A piece of the message as a pattern: itself, but any number stands for any number."""
    lines = (re.sub(r"\d+", lambda _: r"\d+", re.escape(line)) for line in segment.split("\n"))
    return "\n".join(lines)


def _date_pattern(span: Span) -> str:
    m = _DATE.fullmatch(span.text)
    if m is None:
        raise LearnError(f"not a date: {span.text!r}")
    if m.group(4):
        return r"{yyyy}\.{m}\.{d}"
    year = m.group(1)
    head = {4: "{yyyy}/", 2: "{yy}/", 1: "{y}/"}[len(year)] if year else ""
    return head + "{m}/{d}"


def _time_pattern(span: Span) -> str:
    return "{h}:{mi}" + (":{ss}" if span.text.count(":") == 2 else "")


def _find(text: str, spans: list[Span], wanted: str, what: str, taken: list[Span]) -> Span:
    matches = list({(s.start, s.end): s for s in spans if s.text == wanted and not _overlaps(s, taken)}.values())
    if not matches:
        raise LearnError(f"the message does not print the {what} {wanted}")
    if len(matches) > 1:
        matches = [s for s in matches if (what == "balance") == bool(_BALANCE_WORD.search(_line_of(text, s.start)))]
        if len(matches) != 1:
            raise LearnError(f"the {what} {wanted} is printed more than once: the box cannot tell which is meant")
    return matches[0]


def learned_layout(text: str, confirmed: Confirmed) -> str:
    """The pattern that reads ``text`` (normalised) as ``confirmed``, and messages laid out like it."""
    if confirmed.direction not in DIRECTIONS:
        raise LearnError(f"direction must be deposit or withdrawal, got {confirmed.direction!r}")
    if confirmed.amount <= 0:
        raise LearnError("the amount must be a positive number of Rial")
    norm = normalize_text(text)
    glued, dates, times = _dates_and_times(norm)
    clock = glued[:1] or ((dates[:1] + times[:1]) if dates and times else [])
    fields: list[tuple[Span, str]] = []
    taken: list[Span] = list(clock)
    if glued:
        shape = _GLUED_DATE_TIME.fullmatch(glued[0].text)
        assert shape is not None
        year = "{yy}" if shape.group(1) else ""
        fields.append((glued[0], year + "{mm}{dd}" + re.escape(shape.group(4)) + "{hh}:{mi}"))
    elif clock:
        fields += [(dates[0], _date_pattern(dates[0])), (times[0], _time_pattern(times[0]))]
    numbers = _numbers(norm, glued + dates + times)
    amount = _find(norm, numbers, str(confirmed.amount), "amount", taken)
    taken.append(amount)
    fields.append((amount, "{amount}"))
    sign = _sign_before(norm, amount)
    if sign is not None:
        said = "deposit" if sign.text == "+" else "withdrawal"
        if said != confirmed.direction:
            raise LearnError(f"the sign {sign.text} before the amount says {said}, not {confirmed.direction}")
        taken.append(sign)
        fields.append((sign, "{sign}"))
    words = {"deposit": _WITHDRAWAL_WORDS, "withdrawal": _DEPOSIT_WORDS}[confirmed.direction]
    contrary = words.search(_line_of(norm, amount.start))
    if contrary:
        raise LearnError(f"the amount's line says «{contrary.group(0)}», which contradicts {confirmed.direction}")
    if confirmed.balance is not None:
        balance = _find(norm, numbers, str(confirmed.balance), "balance", taken)
        taken.append(balance)
        fields.append((balance, "{balance}"))
    if confirmed.account:
        wanted = normalize_digits(confirmed.account.strip())
        account = _find(norm, _accounts(norm, glued + dates + times) + numbers, wanted, "account", taken)
        taken.append(account)
        fields.append((account, "{account}"))
    pattern, at = [], 0
    for span, placeholder in sorted(fields, key=lambda f: f[0].start):
        pattern += [_literal(norm[at : span.start]), placeholder]
        at = span.end
    pattern.append(_literal(norm[at:]))
    return "".join(pattern)


def _toml_string(value: str) -> str:
    if "'''" not in value and "\r" not in value and not value.endswith("'"):
        return "'''\n" + value + "'''" if "\n" in value else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's


def learned_template(
    bank: str,
    text: str,
    confirmed: Confirmed,
    *,
    message_id: int,
    comment: str,
    smsc_time: datetime | None = None,
    expect: dict[str, object] | None = None,
) -> str:
    """The TOML of a template for ``bank`` with one learned layout, and ``text`` as its sample when
    ``expect`` (the result the sample must give) is known."""
    pattern = learned_layout(text, confirmed)
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [
        f"bank = {_toml_value(bank)}",
        "",
        "[[layout]]",
        f"name = {_toml_value(f'{LEARNED_LAYOUT} {message_id}')}",
        f"direction = {_toml_value(confirmed.direction)}",
        # The pattern is the whole message: a literal multi-line string, so backslashes stay as written.
        f"pattern = {_toml_string(pattern)}",
    ]
    if expect is not None:
        lines += ["", "[[sample]]", f"text = {_toml_value(text)}"]
        if smsc_time is not None:
            lines.append(f"smsc_time = {smsc_time.isoformat()}")
        lines.append("[sample.expect]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in expect.items() if value is not None]
    return "\n".join(lines) + "\n"


def read_by_learned_layout(reason: str) -> bool:
    """Was a reading (its ``ParsedSms.reason``) made by a learned layout?"""
    return any(name.startswith(LEARNED_LAYOUT + " ") for name in layout_names([reason]))
