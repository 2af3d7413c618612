"""The field reader: a bank SMS read line by line into fields with a lexicon, whatever their order.

The templates read whole layouts; this reads what any layout is made of:

- a **date** and a **time** in every shape the banks print (``1405/06/12``,
  ``05/06/12``, ``1405.06.12``, ``MMDD-HH:MM``, ``YYMMDD-HH:MM``, ``6/7-17:34``,
  ``06/28_15:03``, a ``MM/DD`` line, a separate ``HH:MM[:SS]`` line);
- an **account or card**: after حساب/کارت/به/از, or a number shaped like one
  (``846-800-2275319-1``, ``214.8000.13572468.1``, ``831/266971998``,
  ``603799******1234``, ``2719*``);
- the **balance**: a number after مانده/موجودی (or before it, ``N:مانده``, or
  on the line after a bare «مانده:»);
- the **amount**: a number with a sign, after a movement label
  (واریز/برداشت/خرید/مبلغ/انتقال/…) or before «ریال»;
- the **direction evidence**: the sign, the movement words, and, when the
  caller knows the account's previous balance, the arithmetic
  ``previous ± amount = balance``;
- the **channel** (شتاب, پایا, ساتنا, پل, سود…).

It never guesses: two different amounts, two balances, a malformed number,
evidence that disagrees, or no direction at all leave the message unread
(:class:`FieldReading` with ``problem`` set). Which evidence is enough to
settle a deposit is :func:`decide`'s rule, documented in docs/bank-templates.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from appliance.domain.reasons import join, say
from appliance.sms.bank_time import BadDate, resolve_bank_time
from appliance.sms.model import NON_SETTLING_CHANNELS, Kind
from appliance.sms.normalize import ADVERT_PHRASE as _ADVERT_PHRASE
from appliance.sms.normalize import THOUSANDS_SEPARATORS, is_advert_line

# --- The lexicon -------------------------------------------------------------

# Movement words: (pattern, direction, strong). A strong word is a bank's own
# label for the movement (واریز, برداشت); a weak one is prose that suggests it
# («به حساب شما نشست»). Patterns are written against normalised text.
_DEPOSIT_STRONG = r"واریز|افزایش ?موجودی"
_WITHDRAWAL_STRONG = r"برداشت|خرید|پرداخت|قبض|کارمزد|کسر"
_DEPOSIT_WEAK = r"به حساب شما (?:نشست|منتقل شد)|دریافت شد"
_WITHDRAWAL_WEAK = r"از حساب شما (?:پرید|رفت)"

# Money that arrives but never settles a payment: (pattern, channel).
_NON_SETTLING = (
    (r"سود(?! ?و ?زیان)", "interest"),
    (r"برگشت(?: پول| وجه| تراکنش)?|بازگشت وجه|عودت", "reversal"),
    (r"اصلاحیه|اصلاح", "correction"),
)

# Channels, first match wins.
_CHANNELS = (
    (r"ساتنا", "satna"),
    (r"پایا(?!نه)", "paya"),
    (r"(?<![آ-ی])پل(?![آ-ی])", "pol"),
    (r"شتاب", "shetab"),
    (r"خود ?پرداز|ATM", "atm"),
    (r"پایانه|کارتخوان|POS", "pos"),
    (r"قبض", "bill"),
    (r"خرید ?اینترنتی", "internet_purchase"),
    (r"اینترنت ?بانک|اینترنتی", "internet"),
    (r"همراه ?بانک|موبایل ?بانک", "mobile"),
    (r"شعبه", "branch"),
)

# Labels a money figure may follow («واریز: N», «مبلغN», «انتقال:N»).
_AMOUNT_WORD = r"(?:واریز|برداشت|خرید|پرداخت|انتقال|مبلغ|قبض|کارمزد|پایا|ساتنا|شتاب|پل|سود|اصلاحیه|برگشت|تراکنش|وجه)"
_AMOUNT_LABEL = _AMOUNT_WORD + r"[^\d\n:+\-]{0,24}"
_BALANCE_WORD = r"(?:مانده|موجودی)(?: ?(?:حساب|کارت|فعلی|جدید))?"
_BALANCE_BEFORE = re.compile(rf"{_BALANCE_WORD} ?:? ?$")
_BALANCE_AFTER = re.compile(rf"^ ?:? ?{_BALANCE_WORD}")
_BALANCE_ONLY_LINE = re.compile(rf"{_BALANCE_WORD} ?:?")
_AMOUNT_BEFORE = re.compile(rf"{_AMOUNT_LABEL} ?:? ?$")
_AMOUNT_AFTER = re.compile(rf"^ ?: ?{_AMOUNT_LABEL}")
_RIAL_AFTER = re.compile(r"^ ?(?:ریال|IRR)")
_TOMAN_AFTER = re.compile(r"^ ?تومان")
# A number in words we do not read as money even beside a label: codes, years, percentages.
_NOT_MONEY_BEFORE = re.compile(
    r"(?:کد|شناسه|پیگیری|مرجع|سال(?![آ-ی])|ماه(?![آ-ی])|رمز|ترمینال|شماره|سریال|کدشعبه)[^\d\n]{0,6}$"
)
# A line without any of these words needs no search of the patterns above for each of its figures.
_LINE_HAS_AMOUNT_WORD = re.compile(_AMOUNT_WORD)
_LINE_HAS_BALANCE_WORD = re.compile(r"مانده|موجودی")
_LINE_HAS_NOT_MONEY_WORD = re.compile(r"کد|شناسه|پیگیری|مرجع|سال|ماه|رمز|ترمینال|شماره|سریال")
_NOT_MONEY_AFTER = re.compile(r"^ ?(?:درصد|ماهه|روز|ساعت|دقیقه|%)")

# --- Dates and times ---------------------------------------------------------
_DATE_SHAPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"(?=\d)(?<![\d/.])(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?![\d/])"), ("year", "month", "day")),
    (
        re.compile(r"(?=\d)(?<![\d/*])(\d{2})(\d{2})(\d{2}) ?[-_ ] ?(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])"),
        ("year", "month", "day", "hour", "minute", "second"),
    ),
    (
        re.compile(r"(?=\d)(?<![\d/*])(\d{2})(\d{2}) ?[-_ ] ?(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])"),
        ("month", "day", "hour", "minute", "second"),
    ),
    (re.compile(r"(?=\d)(?<![\d/.])(\d{2})/(\d{1,2})/(\d{1,2})(?![\d/])"), ("year", "month", "day")),
    (
        re.compile(r"(?=\d)(?<![\d/.])(\d{1,2})/(\d{1,2}) ?[-_ ] ?(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])"),
        ("month", "day", "hour", "minute", "second"),
    ),
    (re.compile(r"(?m)^(\d{1,2})/(\d{1,2})$"), ("month", "day")),
)
_TIME = re.compile(r"(?=\d)(?<![\d/.])(?<!\d:)(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")

# --- Accounts and cards -----------------------------------------------------
_ACCOUNT_TOKEN = r"[\d*](?:[\d*]|[.\-/](?=[\d*]))*"
# Each of these patterns starts with a one-character lookahead: a cheap test at every position of the text.
_ACCOUNT_LABEL = re.compile(
    rf"(?=[شحکسبا])(?<!مانده )(?<!موجودی )(?<!مانده)(?<!موجودی)"
    rf"(?:شماره ?کارت|شماره ?حساب|حساب|کارت|سپرده|(?<![آ-ی])به|(?<![آ-ی])از) ?:? ?({_ACCOUNT_TOKEN})"
)
# «1816108908:حساب»: the number before its label, as an RTL line copied by some phones lays it out.
_ACCOUNT_BEFORE_LABEL = re.compile(
    rf"(?=[\d*])(?<![\d*.\-/])({_ACCOUNT_TOKEN}) ?: ?"
    rf"(?:شماره ?کارت|شماره ?حساب|حساب|کارت|واریز به|برداشت از|به|از)(?![آ-ی])"
)
_SHAPED_ACCOUNT = re.compile(r"(?=[\d*])(?<![\d*.\-/])(\d+(?:[.\-/]\d+){1,4}|\d*\*+\d+\*?|\d{3,}\*+)(?![\d*.\-/])")
_BARE_ACCOUNT_LINE = re.compile(r"(?m)^(\d{6,26})$")
# Only a card with a «*» or a number with «.», «-», «/» inside can be a shaped account.
_MAY_BE_SHAPED = re.compile(r"\*|\d[.\-/]\d")
_DIGIT = re.compile(r"\d")
_FOUR_DIGITS = re.compile(r"\d{4}")
_INNER_PUNCTUATION = re.compile(r"[.\-/]")
_NOT_DIGIT = re.compile(r"\D")
# The other side's card («انتقال از اینترنت بانک از کارت 3988»); «برداشت از کارت» / «واریز به کارت» is one's own.
_COUNTERPART = re.compile(rf"(?=[اب])(?<!برداشت )(?<!واریز )(?:از|به) کارت ?:? ?({_ACCOUNT_TOKEN})")

# --- Numbers ---------------------------------------------------------------
_NUMBER = re.compile(r"(?=[\d+-])(?<![\d.])([+-] ?)?(\d+)( ?[+-](?![\d]))?(?![\d.])")
_SECRET = re.compile(r"(?<![آ-ی])رمز|کد ?(?:تایید|فعالسازی)|یکبار ?مصرف|(?i:otp)")
_DOTTED_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})+ ?(?:ریال|تومان)")
_SEPARATOR_CHARS = frozenset(THOUSANDS_SEPARATORS)
# Separators that only group digits; «،» and «٫» are also a Persian comma and decimal point.
_GROUPING_ONLY = frozenset(",\u066c")
# Searched in the text with its date and time blanked out: a line that starts with a figure hints at money,
# a line that is only a date or a time (a login or other notice prints one) does not.
_MONEY_HINT = re.compile(rf"ریال|تومان|مبلغ|{_DEPOSIT_STRONG}|{_WITHDRAWAL_STRONG}|مانده|موجودی|انتقال|(?m:^ *[+-]?\d)")
_BALANCE_HINT = re.compile(r"مانده|موجودی")
_SENTENCE_MOVEMENT = re.compile(rf"{_DEPOSIT_STRONG}|{_WITHDRAWAL_STRONG}|انتقال|[+-] ?\d|\d ?[+-]")


@dataclass(frozen=True)
class BankLexicon:
    """What is really per bank: its own direction words and traps (from its template's ``[fields]``)."""

    deposit: tuple[str, ...] = ()
    withdrawal: tuple[str, ...] = ()
    # word -> channel of money that never settles (a wallet top-up, a cash-back)
    non_settling: Mapping[str, str] = field(default_factory=dict)
    # the bank's name lines («بانک ملی ایران»): dropped before reading; seen from another bank's sender, a trap
    names: tuple[str, ...] = ()
    # the bank prints no account at all (one account per customer, as Blu): a deposit may settle without one
    without_account: bool = False
    enabled: bool = True

    def compiled(self) -> _CompiledLexicon:
        return _CompiledLexicon.build(self)


@dataclass(frozen=True)
class _CompiledLexicon:
    deposit: re.Pattern[str] | None
    withdrawal: re.Pattern[str] | None
    non_settling: tuple[tuple[re.Pattern[str], str], ...]
    names: re.Pattern[str] | None
    enabled: bool
    without_account: bool = False
    # Every non-settling word of the bank and of the reader at once: most messages have none.
    any_non_settling: re.Pattern[str] | None = None

    @staticmethod
    def build(lexicon: BankLexicon) -> _CompiledLexicon:
        def words(items: Sequence[str]) -> re.Pattern[str] | None:
            return re.compile("|".join(re.escape(w) for w in items)) if items else None

        # A word is found with or without the spaces inside it («خرید اینترنتی» = «خریداینترنتی»).
        spelled = [(" ?".join(map(re.escape, w.replace(" ", ""))), c) for w, c in lexicon.non_settling.items()]
        every = [p for p, _ in spelled] + [p for p, _ in _NON_SETTLING]
        return _CompiledLexicon(
            words(lexicon.deposit),
            words(lexicon.withdrawal),
            tuple((re.compile(p), c) for p, c in spelled),
            words(lexicon.names),
            lexicon.enabled,
            lexicon.without_account,
            re.compile("|".join(f"(?:{p})" for p in every)),
        )


NO_LEXICON = BankLexicon().compiled()
# Non-settling money that is incoming by its nature (interest, a cash-back): the word alone says deposit.
_INCOMING = frozenset({"interest", "reversal"})
_COMPILED_DEPOSIT_STRONG = re.compile(_DEPOSIT_STRONG)
_COMPILED_WITHDRAWAL_STRONG = re.compile(_WITHDRAWAL_STRONG)
_COMPILED_DEPOSIT_WEAK = re.compile(_DEPOSIT_WEAK)
_COMPILED_WITHDRAWAL_WEAK = re.compile(_WITHDRAWAL_WEAK)
_COMPILED_NON_SETTLING = tuple((re.compile(p), c) for p, c in _NON_SETTLING)
_COMPILED_CHANNELS = tuple((re.compile(p), c) for p, c in _CHANNELS)
_ANY_CHANNEL = re.compile("|".join(f"(?:{p})" for p, _ in _CHANNELS))  # most messages name none: one search says so


@dataclass(frozen=True)
class FieldReading:
    """What the field reader found. ``problem`` set: the message looks like money but is not read."""

    kind: Kind | None = None
    amount_rial: int | None = None
    balance_rial: int | None = None
    account: str | None = None
    counterpart_card: str | None = None
    bank_time: datetime | None = None
    channel: str | None = None
    settles: bool = False
    evidence: tuple[str, ...] = ()
    problem: str | None = None
    looks_like_money: bool = True
    reason: str = ""


def _glued(line: str, start: int, end: int) -> bool:
    """A number cut out of a malformed one (``12,75,000``): a separator between it and another digit."""
    before, after = line[start - 1 : start], line[end : end + 1]
    if before in _GROUPING_ONLY or after in _GROUPING_ONLY:
        return True  # «,400,000»: a comma is never punctuation beside a figure
    return (
        start >= 2
        and before in _SEPARATOR_CHARS
        and line[start - 2].isdigit()
        or after in _SEPARATOR_CHARS
        and line[end + 1 : end + 2].isdigit()
    )


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _find_date(text: str) -> tuple[dict[str, str | None], str]:
    """The date/time fields and the text with them blanked out."""
    found: dict[str, str | None] = {}
    has_colon, has_slash = ":" in text, "/" in text
    for index, (pattern, names) in enumerate(_DATE_SHAPES):
        # Shapes 1, 2 and 4 carry a time (a colon); 3, 4 and 5 a slash: skip those the text cannot hold.
        if (index in (1, 2, 4) and not has_colon) or (index in (3, 4, 5) and not has_slash):
            continue
        match = pattern.search(text)
        if match is None:
            continue
        found.update({n: v for n, v in zip(names, match.groups(), strict=True) if v is not None})
        text = _blank(text, match.start(), match.end())
        break
    if "hour" not in found and has_colon:
        match = _TIME.search(text)
        if match is not None:
            found.update({"hour": match.group(1), "minute": match.group(2), "second": match.group(3)})
            text = _blank(text, match.start(), match.end())
    return found, text


def _find_accounts(text: str) -> tuple[str | None, str | None, str]:
    """(own account or card, the other side's card, the text with them blanked)."""
    counterpart = None
    match = _COUNTERPART.search(text) if "کارت" in text else None
    if match and _FOUR_DIGITS.search(match.group(1)):
        counterpart = match.group(1)
        text = _blank(text, match.start(1), match.end(1))
    account = None
    for pattern in (_ACCOUNT_LABEL, _ACCOUNT_BEFORE_LABEL, _SHAPED_ACCOUNT, _BARE_ACCOUNT_LINE):
        if pattern is _ACCOUNT_BEFORE_LABEL and ":" not in text:
            continue
        if pattern is _SHAPED_ACCOUNT and not _MAY_BE_SHAPED.search(text):
            continue
        for match in pattern.finditer(text):
            token = match.group(1)
            if pattern in (_ACCOUNT_LABEL, _ACCOUNT_BEFORE_LABEL) and not (
                "*" in token or _INNER_PUNCTUATION.search(token) or len(token) >= 4
            ):
                continue
            if pattern is _SHAPED_ACCOUNT and len(_NOT_DIGIT.sub("", token)) < 4:
                continue  # «3.0 درصد», a short fraction: not an account
            if pattern is _ACCOUNT_LABEL and not _DIGIT.search(token):
                text = _blank(text, match.start(1), match.end(1))  # «حساب: ********»: printed, but designates nothing
                continue
            if account is None:
                account = token
            elif token != account:
                continue
            text = _blank(text, match.start(1), match.end(1))
        if account is not None:
            break
    return account, counterpart, text


def _direction_words(text: str, lexicon: _CompiledLexicon) -> tuple[list[tuple[Kind, bool, str]], str | None]:
    """The movement words in the text: (direction, strong, word), and the non-settling channel if any."""
    non_settling = None
    anything = lexicon.any_non_settling is None or lexicon.any_non_settling.search(text) is not None
    for pattern, channel in lexicon.non_settling + _COMPILED_NON_SETTLING if anything else ():
        if pattern.search(text):
            non_settling = channel
            break
    words: list[tuple[Kind, bool, str]] = []
    tables: tuple[tuple[re.Pattern[str] | None, Kind, bool], ...] = (
        (lexicon.deposit, Kind.DEPOSIT, True),
        (lexicon.withdrawal, Kind.WITHDRAWAL, True),
        (_COMPILED_DEPOSIT_STRONG, Kind.DEPOSIT, True),
        (_COMPILED_WITHDRAWAL_STRONG, Kind.WITHDRAWAL, True),
        (_COMPILED_DEPOSIT_WEAK, Kind.DEPOSIT, False),
        (_COMPILED_WITHDRAWAL_WEAK, Kind.WITHDRAWAL, False),
    )
    for table, kind, strong in tables:
        if table is None:
            continue
        for match in table.finditer(text):
            words.append((kind, strong, match.group(0)))
    return words, non_settling


def _channel(text: str, non_settling: str | None) -> str | None:
    if non_settling:
        return non_settling
    if _ANY_CHANNEL.search(text) is None:
        return None
    for pattern, channel in _COMPILED_CHANNELS:
        if pattern.search(text):
            return channel
    return None


def read_fields(
    text: str,
    reference: datetime,
    *,
    lexicon: _CompiledLexicon = NO_LEXICON,
    previous_balance: int | None = None,
) -> FieldReading:
    """Read normalised ``text`` into fields and decide its direction from the evidence."""
    adverts = _ADVERT_PHRASE.search(text) is not None  # most messages have none: test each line only if so
    lines = [line for line in text.split("\n") if not (adverts and is_advert_line(line))]
    if lexicon.names is not None:
        lines = [line for line in lines if not lexicon.names.fullmatch(line.strip("* "))]
    body = "\n".join(lines)
    if _SECRET.search(body):
        return FieldReading(problem="a password or code in a message about money")
    date_fields, rest = _find_date(body)
    undated = rest
    account, counterpart, rest = _find_accounts(rest)

    amounts: list[tuple[int, str | None, str]] = []  # (value, sign, how it was found)
    balances: list[int] = []
    malformed: list[str] = []
    rest_lines = rest.split("\n")
    for index, line in enumerate(rest_lines):
        previous_line = rest_lines[index - 1].strip() if index else ""
        if adverts and _ADVERT_PHRASE.search(line):
            if _DIGIT.search(line):
                malformed.append(f"a figure in an advert line ({line.strip()})")
            continue
        if not _DIGIT.search(line):
            continue  # no figure on this line
        not_money_word = _LINE_HAS_NOT_MONEY_WORD.search(line) is not None
        balance_word = _LINE_HAS_BALANCE_WORD.search(line) is not None
        amount_word = _LINE_HAS_AMOUNT_WORD.search(line) is not None
        for match in _NUMBER.finditer(line):
            start, end = match.start(2), match.end(2)
            # A label is at most a few words from its figure: look that far only (keeps the search short).
            before, after = line[max(0, match.start() - 32) : match.start()], line[match.end() : match.end() + 24]
            worded_before = bool(before.strip(" :"))  # the regexes on «before» need a word to find
            sign = (match.group(1) or match.group(3) or "").strip() or None
            value = match.group(2)
            if _glued(line, start, end):
                malformed.append(line.strip())  # cut out of a badly grouped figure: never money
                continue
            if (worded_before and not_money_word and _NOT_MONEY_BEFORE.search(before)) or _NOT_MONEY_AFTER.match(after):
                continue
            if _TOMAN_AFTER.match(after):
                malformed.append(f"{value} تومان (a figure in Toman)")
                continue
            if (worded_before and balance_word and _BALANCE_BEFORE.search(before)) or _BALANCE_AFTER.match(after):
                balances.append(int(value))
                continue
            if not worded_before and _BALANCE_ONLY_LINE.fullmatch(previous_line):
                balances.append(int(value))
                continue
            if sign:
                amounts.append((int(value), sign, "sign"))
            elif (worded_before and amount_word and _AMOUNT_BEFORE.search(before)) or _AMOUNT_AFTER.match(after):
                amounts.append((int(value), None, "label"))
            elif _RIAL_AFTER.match(after):
                amounts.append((int(value), None, "unit"))

    dotted = _DOTTED_MONEY.search(body) if "." in body else None
    if dotted:
        malformed.append(dotted.group(0))
    if malformed:
        return FieldReading(problem=f"malformed figure: {malformed[0]!r}")
    if not amounts:
        if balances:
            return FieldReading(problem="a balance but no amount", looks_like_money=not _only_balance(body))
        return FieldReading(problem="no amount found", looks_like_money=bool(_MONEY_HINT.search(undated)))
    values = {a[0] for a in amounts}
    if len(values) > 1:
        return FieldReading(problem=f"several amounts ({', '.join(str(v) for v in sorted(values))})")
    if len(set(balances)) > 1:
        return FieldReading(problem=f"several balances ({', '.join(str(v) for v in sorted(set(balances)))})")
    amount = amounts[0][0]
    if amount <= 0:
        return FieldReading(problem="amount is zero")
    balance = balances[0] if balances else None
    signs = {a[1] for a in amounts if a[1]}

    evidence: dict[str, Kind] = {}
    strong: list[str] = []
    if len(signs) > 1:
        return FieldReading(problem="the amount is printed with both signs")
    if signs:
        evidence["sign"] = Kind.DEPOSIT if signs == {"+"} else Kind.WITHDRAWAL
        strong.append("sign")
    words, non_settling = _direction_words(body, lexicon)
    for kind, is_strong, word in words:
        key = f"word «{word}»"
        if non_settling and kind is Kind.WITHDRAWAL and not is_strong:
            continue
        evidence.setdefault(key, kind)
        if is_strong:
            strong.append(key)
    if non_settling in _INCOMING and "sign" not in evidence:
        # Interest, a reversal, a correction: money in, whatever else the prose mentions; never settles.
        evidence = {"word «" + non_settling + "»": Kind.DEPOSIT}
        strong = list(evidence)
    elif non_settling in _INCOMING:
        evidence = {k: v for k, v in evidence.items() if k == "sign" or v is evidence["sign"]}
    if previous_balance is not None and balance is not None:
        if previous_balance + amount == balance:
            evidence["balance arithmetic"] = Kind.DEPOSIT
            strong.append("balance arithmetic")
        elif previous_balance - amount == balance:
            evidence["balance arithmetic"] = Kind.WITHDRAWAL
            strong.append("balance arithmetic")

    try:
        bank_time = resolve_bank_time(date_fields, reference)
    except BadDate as exc:
        return FieldReading(problem=str(exc))
    channel = _channel(body, non_settling)
    common: dict[str, Any] = {
        "amount_rial": amount,
        "balance_rial": balance,
        "account": account,
        "counterpart_card": counterpart,
        "bank_time": bank_time,
        "channel": channel,
    }
    said = tuple(f"{k} says {v.value}" for k, v in evidence.items())
    directions = set(evidence.values())
    if not directions:
        return FieldReading(problem="nothing says whether the money came in or went out", **common)
    if len(directions) > 1:
        return FieldReading(problem="the evidence disagrees (" + ", ".join(said) + ")", evidence=said, **common)
    kind = directions.pop()
    settles, reason = decide(
        kind, bool(strong), account, channel, previous_balance, balance, amount, lexicon.without_account
    )
    if settles and non_settling is not None:
        settles, reason = False, say("channel_never_settles", channel=non_settling)
    return FieldReading(kind=kind, settles=settles, evidence=said, reason=reason, **common)


def _only_balance(body: str) -> bool:
    """A balance notice: it names a balance and no movement at all."""
    return not _SENTENCE_MOVEMENT.search(body)


def decide(
    kind: Kind,
    strong: bool,
    account: str | None,
    channel: str | None,
    previous_balance: int | None,
    balance: int | None,
    amount: int,
    without_account: bool = False,
) -> tuple[bool, str]:
    """May this reading settle a payment? (settles, why). The rule docs/bank-templates.md states."""
    if kind is not Kind.DEPOSIT:
        return False, say("not_a_deposit")
    if channel in NON_SETTLING_CHANNELS or channel == "wallet":
        return False, say("channel_never_settles", channel=channel)
    if not strong:
        return False, say("weak_evidence")
    if account is None and not without_account:
        return False, say("no_account_of_ours")
    if previous_balance is not None and balance is not None and previous_balance + amount != balance:
        break_ = say("fields_balance_break", previous=previous_balance, amount=amount, balance=balance)
        return True, join(say("settles"), break_)
    return True, say("settles")
