"""The field reader: fields in any order, evidence that must agree, and what is 'other' or 'unparsed'."""

from __future__ import annotations

import pytest
from bank_sms_helpers import SMSC_TIME

from appliance.domain.reasons import codes, find, param, parse, reason
from appliance.sms import Kind, SmsReader
from appliance.sms.fields import read_fields
from appliance.sms.normalize import normalize_text

SINA = "BankSina"  # Sina ships no sender: the tests configure one, as an operator would


@pytest.fixture(scope="module")
def sina_reader() -> SmsReader:
    return SmsReader(extra_senders={"sina": [SINA]})


SINA_DEPOSIT = [
    "*بانک سينا*",
    "واريز به 183-12-3442698-9",
    "مبلغ  87,300,000 ريال",
    "مانده 99,900,000 ريال",
    "زمان : 1405/2/26 ; 07:17:01",
]


@pytest.mark.parametrize(
    "order",
    [(0, 1, 2, 3, 4), (0, 4, 3, 2, 1), (2, 1, 3, 0, 4), (4, 3, 2, 1, 0), (1, 2, 3)],
    ids=["as sent", "reversed fields", "shuffled", "all reversed", "no name, no date"],
)
def test_field_order_does_not_matter(sina_reader: SmsReader, order: tuple[int, ...]) -> None:
    text = "\n\n".join(SINA_DEPOSIT[i] for i in order)
    parsed = sina_reader.parse(SINA, text, SMSC_TIME)
    assert (parsed.kind, parsed.amount_rial, parsed.balance_rial, parsed.account, parsed.settles) == (
        Kind.DEPOSIT,
        87300000,
        99900000,
        "183-12-3442698-9",
        True,
    ), parsed.reason


def test_a_date_in_every_shape() -> None:
    for printed, expect in [
        ("1405/6/12 ۰۹:۱۵", "1405-06-12 09:15"),
        ("0612-09:15", "1405-06-12 09:15"),
        ("050612-09:15", "1405-06-12 09:15"),
        ("05/06/12\n09:15", "1405-06-12 09:15"),
        ("6/12-09:15", "1405-06-12 09:15"),
        ("06/12_09:15", "1405-06-12 09:15"),
        ("06/12\n09:15", "1405-06-12 09:15"),
        ("۱۴۰۵.۰۶.۱۲\n۹:۱۵", "1405-06-12 09:15"),
    ]:
        reading = read_fields(normalize_text(f"واریز: 1,000,000 ریال\nحساب 12345678\n{printed}"), SMSC_TIME)
        assert reading.bank_time is not None, (printed, reading.problem)
        import jdatetime

        j = jdatetime.datetime.fromgregorian(datetime=reading.bank_time.replace(tzinfo=None))
        assert f"{j.year}-{j.month:02}-{j.day:02} {j.hour:02}:{j.minute:02}" == expect, printed


def test_the_balance_arithmetic_proves_or_refutes_a_deposit(sina_reader: SmsReader) -> None:
    text = "\n".join(SINA_DEPOSIT)
    proved = sina_reader.parse(SINA, text, SMSC_TIME, previous_balance=99_900_000 - 87_300_000)
    assert proved.settles and codes(proved.reason) == ["read_by_fields", "settles"]
    assert "balance arithmetic says deposit" in param(proved.reason, "read_by_fields", "evidence")
    refuted = sina_reader.parse(SINA, text, SMSC_TIME, previous_balance=99_900_000 + 87_300_000)
    assert refuted.kind is Kind.UNPARSED and not refuted.settles
    assert codes(refuted.reason) == ["no_layout", "fields_problem"]
    assert param(refuted.reason, "fields_problem", "problem").startswith("the evidence disagrees")
    # The caller may hand a lookup instead: (bank, account) -> the last balance it knows.
    asked: list[tuple[str, str]] = []

    def lookup(bank: str, account: str) -> int | None:
        asked.append((bank, account))
        return 99_900_000 + 87_300_000

    assert not sina_reader.parse(SINA, text, SMSC_TIME, previous_balance=lookup).settles
    assert asked == [("sina", "183-12-3442698-9")]


def test_a_layouts_deposit_refuted_by_the_arithmetic_is_held(reader: SmsReader) -> None:
    text = "حساب6204718359\nواریز12,750,000\nمانده48,913,402\n05/07/14-09:26"
    assert reader.parse("Bank Mellat", text, SMSC_TIME, previous_balance=48_913_402 - 12_750_000).settles
    held = reader.parse("Bank Mellat", text, SMSC_TIME, previous_balance=48_913_402 + 12_750_000)
    assert held.kind is Kind.DEPOSIT and not held.settles
    assert codes(held.reason) == ["read_by_layout", "doubt_withdrawal_sum"]
    assert find(held.reason, "doubt_withdrawal_sum") == reason(
        "doubt_withdrawal_sum",
        previous=held.balance_rial + held.amount_rial,
        amount=held.amount_rial,
        balance=held.balance_rial,
    )


@pytest.mark.parametrize(
    ("sender", "text", "balance", "amount", "account"),
    [
        (
            "Bank Mellat",
            "حساب6204718359\nواریز12,750,000\nمانده48,913,402\n05/07/14-09:26",
            48_913_402,
            12_750_000,
            ("mellat", "6204718359"),
        ),
        (
            SINA,
            "*بانک سينا*\nواریز به 183-12-3442698-9\nمبلغ 87,300,000 ريال\nمانده 99,900,000 ريال",
            99_900_000,
            87_300_000,
            ("sina", "183-12-3442698-9"),
        ),
    ],
    ids=["layout", "field reader"],
)
@pytest.mark.parametrize("arithmetic", ["deposit", "withdrawal", "break"])
def test_a_balance_found_by_a_function_reads_as_one_given(
    sina_reader: SmsReader, sender: str, text: str, balance: int, amount: int, account: tuple[str, str], arithmetic: str
) -> None:
    previous = {"deposit": balance - amount, "withdrawal": balance + amount, "break": 1}[arithmetic]
    asked: list[tuple[str, str]] = []

    def find(bank: str, account: str) -> int:
        asked.append((bank, account))
        return previous

    given = sina_reader.parse(sender, text, SMSC_TIME, previous_balance=previous)
    assert sina_reader.parse(sender, text, SMSC_TIME, previous_balance=find) == given
    assert asked == [account]  # asked once, for the account the message names


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("*بانک سينا*\nمبلغ 5,000,000+ ريال\nبرداشت از 183-12-3442698-9\nمانده 9,000,000", "disagrees"),
        ("*بانک سينا*\nمبلغ 5,000,000 ريال\nحساب 183-12-3442698-9\nمانده 9,000,000", "came in or went out"),
        ("*بانک سينا*\nواریز 5,000,000 ريال\nواریز 6,000,000 ريال\nحساب 183-12-3442698-9", "several amounts"),
        ("*بانک سينا*\nواریز ,400,000 ريال\nحساب 183-12-3442698-9", "malformed"),
        ("*بانک سينا*\nواریز 5.000.000 ریال\nحساب 183-12-3442698-9", "malformed"),
        ("*بانک سينا*\nواریز 500,000 تومان\nحساب 183-12-3442698-9", "Toman"),
    ],
    ids=["sign against label", "no direction", "two amounts", "broken grouping", "dotted", "toman"],
)
def test_what_cannot_be_read_for_sure_is_unparsed(sina_reader: SmsReader, text: str, why: str) -> None:
    parsed = sina_reader.parse(SINA, text, SMSC_TIME)
    assert parsed.kind is Kind.UNPARSED and not parsed.settles, parsed.reason
    assert codes(parsed.reason) == ["no_layout", "fields_problem"], parsed.reason
    assert why in param(parsed.reason, "fields_problem", "problem"), parsed.reason


def test_weak_evidence_alone_is_held(sina_reader: SmsReader) -> None:
    parsed = sina_reader.parse(SINA, "مبلغ 5,000,000 ریال به حساب شما نشست\nحساب 183-12-3442698-9", SMSC_TIME)
    assert parsed.kind is Kind.DEPOSIT and not parsed.settles
    assert codes(parsed.reason) == ["read_by_fields", "weak_evidence"]


@pytest.mark.parametrize(
    ("text", "code", "rule"),
    [
        ("رمز پویا: 58213904\nاعتبار تا 14:45", "other_rule", "one-time password"),
        ("کارت شما به دلیل ورود رمز اشتباه مسدود شد", "other_rule", "card blocked notice"),
        ("چک صیادی شما به شناسه 1234567890123456 ثبت شد", "other_rule", "cheque notice"),
        ("مانده حساب شما 12,000,000 ریال", "other_rule", "balance notice"),
        ("ورود به همراه بانک در ساعت 10:12", "other_rule", "login notice"),
        ("مشتری گرامی، سال نو مبارک", "no_movement", None),
    ],
)
def test_non_transactions_are_other_with_a_reason(sina_reader: SmsReader, text: str, code: str, rule: str) -> None:
    parsed = sina_reader.parse(SINA, text, SMSC_TIME)
    assert parsed.kind is Kind.OTHER and not parsed.settles, parsed.reason
    assert codes(parsed.reason) == [code] and param(parsed.reason, code, "rule") == rule, parsed.reason


@pytest.mark.parametrize(
    "notice",
    [
        "مشتری گرامی\nبه سامانه خوش آمدید\n1405/05/02\n12:47",
        "مشتری گرامی\n05/05/02-12:47\nبه سامانه خوش آمدید",
        "به سامانه خوش آمدید\n1405.05.02 ساعت 12:47:10",
    ],
    ids=["date and time lines", "date-time line", "dotted date"],
)
def test_a_notice_whose_only_figures_are_its_date_and_time_is_other(sina_reader: SmsReader, notice: str) -> None:
    parsed = sina_reader.parse(SINA, notice, SMSC_TIME)
    assert parsed.kind is Kind.OTHER and codes(parsed.reason) == ["no_movement"], parsed.reason
    # A line that starts with any other figure may be money: left unparsed for a person to read.
    figure = sina_reader.parse(SINA, notice + "\n12,000,000", SMSC_TIME)
    assert figure.kind is Kind.UNPARSED, figure.reason


def test_interest_and_reversals_are_deposits_that_never_settle(sina_reader: SmsReader) -> None:
    for word, channel in (("واریز سود سپرده", "interest"), ("برگشت وجه", "reversal")):
        parsed = sina_reader.parse(
            SINA, f"*بانک سينا*\n{word}\nمبلغ 73,000 ريال\nحساب 183-12-3442698-9\nمانده 9,000,000", SMSC_TIME
        )
        assert (parsed.kind, parsed.channel, parsed.settles) == (Kind.DEPOSIT, channel, False), parsed.reason


def test_another_banks_name_from_this_banks_sender_is_not_its_deposit(sina_reader: SmsReader) -> None:
    parsed = sina_reader.parse(SINA, "بانک ملت\nواریز 5,000,000 ریال\nحساب 6204718359", SMSC_TIME)
    assert parsed.kind is Kind.OTHER
    assert parse(parsed.reason) == [reason("names_other_bank", bank="sina", kind="deposit", owner="mellat")]


def test_a_time_after_its_label_is_read() -> None:
    reading = read_fields(
        normalize_text("واریز: 1,000,000 ریال\nحساب 12345678\nتاریخ:1405/01/24\nساعت:16:39"), SMSC_TIME
    )
    assert reading.bank_time is not None and (reading.bank_time.hour, reading.bank_time.minute) == (16, 39)


def test_a_word_a_template_says_never_settles_keeps_a_drifted_message_unpayable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sina-cashback.toml").write_text(
        """
bank = "sina"
[[layout]]
name = "cashback"
pattern = '''
بانک سینا
(?P<label>[^\\\\d\\\\n:]+): ?{amount}{sign}
حساب: ?{account}
'''
[layout.words.label]
"جایزه ماهانه" = { channel = "prize", settles = false }
""",
        encoding="utf-8",
    )
    reader = SmsReader(templates_dir=tmp_path, extra_senders={"sina": [SINA]})
    text = "بانک سینا\nجایزه ماهانه:5,000,000+\nحساب:183-12-3442698-9"
    assert reader.parse(SINA, text, SMSC_TIME).settles is False  # the layout itself
    drifted = reader.parse(SINA, text + "\nمانده:9,000,000", SMSC_TIME)  # no layout matches: the field reader
    assert drifted.kind is Kind.DEPOSIT and not drifted.settles, drifted.reason
    assert codes(drifted.reason) == ["read_by_fields", "channel_never_settles"], drifted.reason
