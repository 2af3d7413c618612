"""Operator templates: a new bank or a new layout without a release, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from bank_sms_helpers import SMSC_TIME

from appliance.domain.reasons import codes, param, parse, reason
from appliance.sms import Kind, SmsReader, TemplateError
from appliance.sms.samples import check_template_file

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "config" / "banks" / "example.toml"

SINA = '''
bank = "sina"
senders = ["SinaBank"]
[[layout]]
name = "plain"
pattern = """
بانک سینا
(?P<label>واریز|برداشت) {amount}
مانده {balance}
"""
[layout.words.label]
"واریز" = { direction = "deposit" }
"برداشت" = { direction = "withdrawal" }
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_template_adds_a_bank(tmp_path: Path) -> None:
    write(tmp_path, "sina.toml", SINA)
    reader = SmsReader(templates_dir=tmp_path)
    parsed = reader.parse("SinaBank", "بانك سينا\nواریز 1,250,000\nمانده 9,000,000", SMSC_TIME)
    assert "sina" in reader.banks
    assert (parsed.kind, parsed.bank, parsed.amount_rial, parsed.balance_rial, parsed.settles) == (
        Kind.DEPOSIT,
        "sina",
        1250000,
        9000000,
        True,
    )


def test_a_template_for_a_known_bank_adds_a_layout(tmp_path: Path) -> None:
    # «انتقال» says no direction and there is no sign: neither the layouts nor the field reader read it.
    variant = "بانک ملت\nانتقال به حساب 6204718359\nمبلغ 2,000,000\n05/07/14-09:26"
    assert SmsReader().parse("Bank Mellat", variant, SMSC_TIME).kind is Kind.UNPARSED
    write(
        tmp_path,
        "mellat-2026.toml",
        '''
bank = "mellat"
[[layout]]
name = "2026"
pattern = """
بانک ملت
انتقال به حساب {account}
مبلغ {amount}
{y}/{mm}/{dd}-{hh}:{mi}
"""
direction = "deposit"
''',
    )
    parsed = SmsReader(templates_dir=tmp_path).parse("Bank Mellat", variant, SMSC_TIME)
    assert (parsed.kind, parsed.amount_rial, parsed.account) == (Kind.DEPOSIT, 2000000, "6204718359")
    assert parse(parsed.reason) == [
        reason("read_by_layout", kind="deposit", bank="mellat", layout="2026"),
        reason("settles"),
    ]


def test_settings_senders_extend_the_allow_list(tmp_path: Path) -> None:
    text = "واريز6,500,000\nمانده19,220,418\n040715-10:41\nکارت2719*\nbki. ir"
    assert not SmsReader().parse("2000911", text, SMSC_TIME).settles
    parsed = SmsReader(extra_senders={"keshavarzi": ["2000911"]}).parse("2000911", text, SMSC_TIME)
    assert parsed.kind is Kind.DEPOSIT and parsed.settles and parsed.bank == "keshavarzi"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"nobank": ["X"]}, "unknown bank"),
        ({"melli": ["Bank Mellat"]}, "listed for both"),
        ({"melli": [" "]}, "empty sender"),
    ],
)
def test_bad_sender_settings_are_refused(extra: dict[str, list[str]], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        SmsReader(extra_senders=extra)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('bank = "Bad Key"', "lower-case key"),
        ('bank = "x"\nsurprise = 1', "unknown keys"),
        ('bank = "x"\n[[layout]]\npattern = "{amount} {price}"', "unknown placeholder"),
        ('bank = "x"\n[[layout]]\npattern = "(?P<label>a) {amount}"', "no words table"),
        ('bank = "x"\n[[layout]]\npattern = "{balance}"', "must capture"),
        ('bank = "x"\n[[layout]]\npattern = "({amount}"', "not a valid pattern"),
        ('bank = "x"\n[[layout]]\npattern = "{amount}"\ndirection = "up"', "direction must be"),
        ('bank = "x"\nlayouts_from = "nobank"', "unknown bank"),
        ('bank = "x"\n[[sample]]\ntext = "a"\n[sample.expect]\nkind = "maybe"', "expect.kind"),
        ("bank = ", "not valid TOML"),
        ('bank = "x"\nlayouts_from = 3', "layouts_from must be"),
        ('bank = "x"\nsenders = "X"', "senders must be a list"),
        ('bank = "x"\n[[sample]]\nsender = 5\ntext = "a"\n[sample.expect]\nkind = "other"', "sender must be a string"),
        (
            'bank = "x"\n[[sample]]\ntext = "a"\nsmsc_time = 2026-10-06T09:30:00\n[sample.expect]\nkind = "other"',
            "with an offset",
        ),
        ('bank = "x"\n[words.label]\n"a" = { direction = "deposit", colour = "red" }', "expected a table"),
    ],
)
def test_bad_templates_are_refused_with_the_file_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(TemplateError, match=message) as caught:
        SmsReader(templates_dir=tmp_path)
    assert str(path) in str(caught.value)


def test_a_missing_templates_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not a folder"):
        SmsReader(templates_dir=tmp_path / "nowhere")


def test_an_unknown_label_is_read_by_its_sign_and_a_reversal_never_settles() -> None:
    reader = SmsReader()
    unknown = reader.parse(
        "+98700717", "بانک ملی ایران\nانتقالی:650,000+\nحساب:52208\nمانده:9,407,366\n0524-19:02", SMSC_TIME
    )
    assert (unknown.kind, unknown.amount_rial, unknown.settles) == (Kind.DEPOSIT, 650000, True), unknown.reason
    assert codes(unknown.reason) == ["read_by_fields", "settles"]
    assert "sign says deposit" in str(param(unknown.reason, "read_by_fields", "evidence"))
    reversal = reader.parse(
        "+98700717", "بانک ملی ایران\nبرگشت:650,000+\nحساب:52208\nمانده:9,407,366\n0524-19:02", SMSC_TIME
    )
    assert (reversal.kind, reversal.channel, reversal.settles) == (Kind.DEPOSIT, "reversal", False), reversal.reason


def test_a_sign_that_contradicts_the_label_leaves_it_unparsed() -> None:
    parsed = SmsReader().parse(
        "+98700717", "بانک ملی ایران\nبرداشت:1,200,000+\nحساب:30417\nمانده:132,994,210\n0628-08:51", SMSC_TIME
    )
    assert parsed.kind is Kind.UNPARSED
    assert str(param(parsed.reason, "layout_mismatch", "problem")).startswith("direction unclear"), parsed.reason


def test_the_shipped_example_passes_its_samples() -> None:
    results = check_template_file(EXAMPLE)
    assert results and all(r.ok for r in results), [r.problems for r in results]


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    wrong = EXAMPLE.read_text(encoding="utf-8").replace("amount_rial = 12500000", "amount_rial = 12500001", 1)
    results = check_template_file(write(tmp_path, "wrong.toml", wrong))
    assert [r.problems for r in results if not r.ok] == [["amount_rial: got 12500000, expected 12500001"]]


def test_two_layouts_that_read_one_message_differently_leave_it_unparsed(tmp_path: Path) -> None:
    write(
        tmp_path,
        "mellat-doubt.toml",
        '''
bank = "mellat"
[[layout]]
name = "doubt"
pattern = """
حساب ?{account}
واریز ?{amount}
مانده ?{balance}
{y}/{mm}/{dd}-{hh}:{mi}
"""
direction = "deposit"
channel = "interest"
''',
    )
    parsed = SmsReader(templates_dir=tmp_path).parse(
        "Bank Mellat", "حساب6204718359\nواریز12,750,000\nمانده48,913,402\n05/07/14-09:26", SMSC_TIME
    )
    assert parsed.kind is Kind.UNPARSED and not parsed.settles
    assert parse(parsed.reason) == [reason("layouts_disagree", layouts="current, doubt")]


def test_a_naive_smsc_time_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="aware"):
        SmsReader().parse("Bank Mellat", "x", datetime(2026, 10, 6, 9, 0))


def test_a_sample_can_expect_no_bank(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nobody.toml",
        """
bank = "nobody"
[[sample]]
sender = "+989351122334"
text = "سلام"
[sample.expect]
kind = "other"
bank = ""
sender_trusted = false
""",
    )
    results = check_template_file(path)
    assert len(results) == 1 and results[0].ok, results[0].problems
