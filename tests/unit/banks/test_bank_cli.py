"""`carttocart sms parse` and `carttocart sms test-template`, run as the operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bank_sms_helpers import FIXTURE_ROWS

REPO = Path(__file__).resolve().parents[3]
CARTTOCART = Path(sys.executable).with_name("carttocart")
KEYS = [
    "kind",
    "bank",
    "amount_rial",
    "balance_rial",
    "account",
    "counterpart_card",
    "bank_time",
    "channel",
    "trusted",
    "reason",
    "reasons",
]


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "CARTTOCART_CONFIG"}
    return subprocess.run(
        [str(CARTTOCART), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
        cwd=REPO,
    )


def test_parse_one_message() -> None:
    done = run(
        "sms",
        "parse",
        "--sender",
        "Bank Mellat",
        "--smsc-time",
        "2026-10-06T06:00:00+00:00",
        "حساب6204718359\nواریز۱۲٬۷۵۰٬۰۰۰\nمانده48,913,402\n05/07/14-09:26",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result) == KEYS
    assert result["kind"] == "deposit" and result["amount_rial"] == 12750000 and result["trusted"] is True
    assert result["bank_time"] == "2026-10-06T09:26:00+03:30"
    assert result["reason"] == "deposit by mellat layout 'current'; settles"
    assert result["reasons"] == [
        {"code": "read_by_layout", "params": {"bank": "mellat", "kind": "deposit", "layout": "current"}},
        {"code": "settles", "params": {}},
    ]


def test_parse_reads_the_text_from_stdin() -> None:
    done = run("sms", "parse", "--sender", "DigiPay", stdin="بازگشت پول\nمبلغ 31,000 ریال به دیجیکارت شما واریز شد.")
    assert done.returncode == 0 and json.loads(done.stdout)["kind"] == "other"


def test_parse_a_jsonl_file(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"sender": r["sender"], "text": r["text"], "smsc_time": "2026-10-12T08:30:00+00:00"}, ensure_ascii=False
        )
        for r in FIXTURE_ROWS
    ]
    source = tmp_path / "sms.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("sms", "parse", "--jsonl", str(source))
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(FIXTURE_ROWS)
    for row, result in zip(FIXTURE_ROWS, results, strict=True):
        if row["sender"] is not None and row["trusted_sender"]:
            assert (result["kind"], result["amount_rial"]) == (row["kind"], row["amount_rial"]), row["id"]


def test_parse_uses_the_settings_senders_and_templates(tmp_path: Path) -> None:
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "example.toml").write_text(
        (REPO / "config/banks/example.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    config = tmp_path / "carttocart.toml"
    config.write_text('[sms]\ntemplates_dir = "banks"\n[sms.senders]\nkeshavarzi = ["2000911"]\n', encoding="utf-8")
    text = "واريز6,500,000\nمانده19,220,418\n040715-10:41\nکارت2719*\nbki. ir"
    without = json.loads(run("sms", "parse", "--sender", "2000911", text).stdout)
    with_config = json.loads(run("--config", str(config), "sms", "parse", "--sender", "2000911", text).stdout)
    from_env = json.loads(
        run(
            "sms",
            "parse",
            "--sender",
            "EXAMPLE-BANK",
            "بانک نمونه\nصورتحساب ماهانه",
            env={"CARTTOCART_CONFIG": str(config)},
        ).stdout
    )
    assert (without["kind"], without["trusted"]) == ("other", False)
    assert (with_config["kind"], with_config["trusted"], with_config["amount_rial"]) == ("deposit", True, 6500000)
    assert (from_env["bank"], from_env["kind"]) == ("example", "other")


def test_parse_refuses_a_bad_jsonl_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"sender": "x", "text": "a"}\nnot json\n', encoding="utf-8")
    done = run("sms", "parse", "--jsonl", str(source))
    assert done.returncode == 1 and f"{source}:2" in done.stderr


def test_test_template_passes_and_fails() -> None:
    passed = run("sms", "test-template", "config/banks/example.toml")
    assert passed.returncode == 0 and "4 of 4 samples" in passed.stdout


def test_test_template_exits_non_zero_on_a_failing_sample(tmp_path: Path) -> None:
    wrong = (
        (REPO / "config/banks/example.toml")
        .read_text(encoding="utf-8")
        .replace('\nchannel = "shetab"', '\nchannel = "paya"')
    )
    (tmp_path / "wrong.toml").write_text(wrong, encoding="utf-8")
    failed = run("sms", "test-template", str(tmp_path / "wrong.toml"))
    assert (
        failed.returncode == 1 and "FAIL" in failed.stdout and "channel: got 'shetab', expected 'paya'" in failed.stdout
    )


def test_test_template_reports_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('bank = "x"\n[[layout]]\npattern = "{price}"\n', encoding="utf-8")
    done = run("sms", "test-template", str(tmp_path / "broken.toml"))
    assert done.returncode == 1 and "unknown placeholder {price}" in done.stderr
