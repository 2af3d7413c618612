"""Trust checks: SMSC learned then enforced, balance continuity, and which card an SMS designates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.domain.reasons import parse, reason
from appliance.sms import Kind, ParsedSms, account_matches, check_balance, check_smsc


def test_the_first_smsc_is_learned() -> None:
    decision = check_smsc("+989350001500", [])
    assert (
        decision.ok and not decision.hold and parse(decision.reason) == [reason("smsc_learned", smsc="+989350001500")]
    )


def test_a_known_smsc_passes_in_any_spelling() -> None:
    assert check_smsc("09350001500", ["+989350001500"]).ok
    assert check_smsc("+98 935 000 1500", {"+989350001500", "+989120000000"}).ok


def test_a_foreign_smsc_holds_the_deposit() -> None:
    decision = check_smsc("+447700900123", ["+989350001500"])
    assert not decision.ok and decision.hold
    assert parse(decision.reason) == [reason("smsc_new", smsc="+447700900123", known="+989350001500")]


def test_a_missing_smsc_holds_once_smscs_are_known() -> None:
    assert check_smsc(None, ["+989350001500"]).hold
    assert not check_smsc(None, []).hold


def movement(kind: Kind, amount: int, balance: int | None) -> ParsedSms:
    return ParsedSms(kind=kind, bank="melli", amount_rial=amount, balance_rial=balance)


@pytest.mark.parametrize(
    ("kind", "previous", "amount", "balance"),
    [(Kind.DEPOSIT, 100_000, 50_000, 150_000), (Kind.WITHDRAWAL, 100_000, 40_000, 60_000)],
)
def test_a_continuous_balance_passes(kind: Kind, previous: int, amount: int, balance: int) -> None:
    for policy in ("warn", "strict"):
        decision = check_balance(previous, movement(kind, amount, balance), policy)
        sign = "+" if kind is Kind.DEPOSIT else "-"
        assert decision.ok and not decision.hold
        assert parse(decision.reason) == [
            reason("balance_continues", previous=previous, op=sign, amount=amount, expected=balance)
        ]


def test_a_balance_break_warns_or_holds_by_policy() -> None:
    parsed = movement(Kind.DEPOSIT, 50_000, 170_000)
    warned = check_balance(100_000, parsed, "warn")
    held = check_balance(100_000, parsed, "strict")
    broken = reason("balance_break", previous=100_000, op="+", amount=50_000, expected=150_000, balance=170_000)
    assert warned.ok and not warned.hold and parse(warned.reason) == [broken, reason("warned_lenient")]
    assert not held.ok and held.hold and parse(held.reason) == [broken, reason("held_strict")]


def test_nothing_to_compare_is_not_a_break() -> None:
    assert check_balance(None, movement(Kind.DEPOSIT, 5, 10), "strict").ok
    assert check_balance(100, movement(Kind.DEPOSIT, 5, None), "strict").ok
    assert check_balance(100, ParsedSms(kind=Kind.OTHER, bank="mellat"), "strict").ok


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError):
        check_balance(1, movement(Kind.DEPOSIT, 1, 2), "lenient")


CARD = "6037991234565182"


@pytest.mark.parametrize(
    ("printed", "account"),
    [
        ("6204718359", "6204718359"),
        ("846-800-2275319-1", "84680022753191"),
        ("84680022753191", "846-800-2275319-1"),
        ("214.8000.13572468.1", "214.8000.13572468.1"),
        ("۶۲۰۴۷۱۸۳۵۹", "6204718359"),
        ("0213004567182", "0213004567182"),
        ("30417", "0100012330417"),  # Melli prints the account's last digits
        ("5182", None),  # the card's last four
        ("603799*5182", None),
        ("6037-99**-****-5182", None),
        ("5182*", None),  # Keshavarzi: last four, then a star
    ],
)
def test_forms_that_designate_the_card(printed: str, account: str | None) -> None:
    assert account_matches(printed, CARD, account)


@pytest.mark.parametrize(
    ("printed", "account"),
    [
        ("6204718358", "6204718359"),  # one digit off
        ("213004567182", "0213004567182"),  # a leading zero is significant
        ("30418", "0100012330417"),
        ("603799*5183", None),
        ("603798*5182", None),
        ("5183*", None),
        ("182", None),  # too few digits to designate anything
        ("*", None),
        ("", None),
        (None, "6204718359"),
        ("XXX/XXXXXXXX", "6204718359"),
        ("62047183590", "6204718359"),  # longer is a different account
        ("204718359", "6204718359"),  # a whole-looking number is not a tail
    ],
)
def test_forms_that_do_not(printed: str | None, account: str | None) -> None:
    assert not account_matches(printed, CARD, account)


@given(
    st.from_regex(r"[56][0-9]{15}", fullmatch=True),
    st.from_regex(r"[56][0-9]{15}", fullmatch=True),
    st.sampled_from(["{h6}*{t4}", "{h4}-{h6b}**-****-{t4}", "{t4}", "*{t4}", "{full}"]),
)
def test_a_form_of_one_card_never_designates_another(card: str, other: str, form: str) -> None:
    printed = form.format(h6=card[:6], h4=card[:4], h6b=card[4:6], t4=card[-4:], full=card)
    assert account_matches(printed, card, None)
    visible_agree = (
        other.startswith(card[:6]) and other.endswith(card[-4:])
        if "*" in form and "{h" in form
        else other.endswith(card[-4:])
        if form in ("{t4}", "*{t4}")
        else other == card
    )
    assert account_matches(printed, other, None) is visible_agree
