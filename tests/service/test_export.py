"""Payments and deposits of a Jalali date range as CSV, and the `payment export` / `deposit export` commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import pytest

from appliance.domain import jalali
from appliance.domain.errors import InvalidInput
from appliance.store.models import Deposit, Payment
from appliance.usecases import export
from tests.web.dash_box import build_day


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (so Persian) only with the BOM
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_days_payments_and_deposits(two_cards, clock):
    box = build_day(two_cards, clock)
    today = jalali.tehran_day(clock())
    yesterday = today - dt.timedelta(days=1)
    rows = _rows(export.payments_csv(today, today))
    assert rows[0][:4] == ["شناسه", "شماره فاکتور", "قیمت (ریال)", "مبلغ (ریال)"]
    created_today = [p for p in Payment.select() if jalali.tehran_day(p.created_at) == today]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(p.id for p in created_today)
    assert len(created_today) == 5  # the day before's payment is left out
    paid = next(r for r in rows[1:] if int(r[0]) == box.paid.id)
    assert (paid[4], paid[5], paid[6]) == ("paid", "پرداخت‌شده", jalali.jalali_text(today))
    assert int(paid[3]) == box.paid.amount

    both_days = _rows(export.deposits_csv(yesterday, today, lang="en"))
    assert both_days[0][:4] == ["id", "amount (Rial)", "state (code)", "state"]
    assert sorted(int(r[0]) for r in both_days[1:]) == sorted(d.id for d in Deposit.select())
    only_yesterday = _rows(export.deposits_csv(yesterday, yesterday))
    assert {int(r[0]) for r in only_yesterday[1:]} == {
        d.id for d in Deposit.select() if jalali.tehran_day(d.received_at) == yesterday
    }


def test_what_a_spreadsheet_would_run_is_quoted(two_cards, clock):
    box = build_day(two_cards, clock)
    box.service.dismiss_deposit(box.stray.id, "operator:admin", '=HYPERLINK("http://x","y")')
    today = jalali.tehran_day(clock())
    row = next(r for r in _rows(export.deposits_csv(today, today))[1:] if int(r[0]) == box.stray.id)
    assert row[-1] == '\'=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("first", "last", "why"),
    [
        ("1405/13/01", "1405/09/01", "not a day"),
        ("1405/09/10", "1405/09/01", "ends"),
        ("yesterday", "1405/09/01", "not a Jalali date"),
        ("1400/01/01", "1405/09/01", "at most"),
    ],
)
def test_a_bad_range_is_a_clear_error(first, last, why):
    with pytest.raises(InvalidInput, match=why):
        export.date_range(first, last)


def test_the_commands_write_the_file(tmp_path):
    cli = [sys.executable, "-m", "appliance.cli"]
    config = subprocess.run(
        [*cli, "init", "--dir", str(tmp_path / "box")], capture_output=True, text=True, check=True
    ).stdout.strip()
    run = [*cli, "--config", config]
    subprocess.run(
        [*run, "card", "add", "--number", "6104337890123456", "--holder", "شاهین", "--account", "6204718359"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*run, "deposit", "add", "--amount", "120010", "--account", "6204718359"], check=True, capture_output=True
    )
    now = dt.datetime.now(dt.UTC)  # the command stamps the deposit with the real clock; take a 3-day window
    first = jalali.jalali_text(jalali.tehran_day(now) - dt.timedelta(days=1))
    last = jalali.jalali_text(jalali.tehran_day(now) + dt.timedelta(days=1))
    out = tmp_path / "deposits.csv"
    subprocess.run([*run, "deposit", "export", "--from", first, "--to", last, "-o", str(out)], check=True)
    rows = _rows(out.read_bytes().decode("utf-8"))
    assert len(rows) == 2 and rows[1][1] == "120010" and rows[1][2] == "unmatched"
    printed = subprocess.run(
        [*run, "payment", "export", "--from", first, "--to", last, "--lang", "en"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert _rows(printed) == [[c[2] for c in export.PAYMENT_COLUMNS]]
    bad = subprocess.run(
        [*run, "deposit", "export", "--from", "1405/13/01", "--to", last], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "not a day of the Jalali calendar" in bad.stderr and bad.stdout == ""
