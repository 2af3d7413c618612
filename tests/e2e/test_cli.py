"""The ``carttocart`` command as an operator or a provisioning script uses it: real processes, real files."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import MELLAT_CARD, MELLI_CARD
from tests.polling import wait_until

CLI = [sys.executable, "-m", "appliance.cli"]


def run(*args: str, config: Path | None = None, check: bool = True, env: dict | None = None):
    cmd = CLI + (["--config", str(config)] if config else []) + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def config(tmp_path: Path) -> Path:
    out = run("init", "--dir", str(tmp_path / "box")).stdout.strip()
    return Path(out)


def test_init_writes_a_documented_config_and_a_database(config: Path):
    text = config.read_text(encoding="utf-8")
    assert re.search(r'^secret_key = "[A-Za-z0-9_-]{40,}"$', text, re.M)
    assert (config.parent / "carttocart.db").exists()
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    again = run("init", "--dir", str(config.parent), check=False)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_token_add_prints_only_the_token(config: Path):
    out = run("token", "add", "shop", config=config).stdout
    assert re.fullmatch(r"c2c_[A-Za-z0-9_-]{40,}\n", out)
    listing = run("token", "list", config=config).stdout
    assert "shop" in listing and out.strip() not in listing
    run("token", "revoke", "shop", config=config)
    assert "revoked" in run("token", "list", config=config).stdout
    dup = run("token", "add", "shop", config=config, check=False)
    assert dup.returncode == 1 and "exists already" in dup.stderr


def test_cards_and_a_hand_recorded_deposit(config: Path):
    run(
        "card",
        "add",
        "--number",
        MELLI_CARD,
        "--holder",
        "شاهین محسنی",
        "--account",
        "30417",
        "--daily-limit",
        "۵۰٬۰۰۰٬۰۰۰",
        config=config,
    )
    run("card", "add", "--number", MELLAT_CARD, "--holder", "شاهین محسنی", config=config)
    bad = run("card", "add", "--number", "6037991234567894", "--holder", "x", config=config, check=False)
    assert bad.returncode == 1 and "Luhn" in bad.stderr and bad.stdout == ""
    listing = run("card", "list", config=config).stdout
    assert "بانک ملی ایران" in listing and "50,000,000" in listing
    run("card", "disable", "3456", config=config)
    assert "disabled" in run("card", "list", config=config).stdout

    # A payment through the service, then a deposit by hand settles it.
    from appliance.runtime import build_service
    from appliance.settings import load_settings
    from appliance.usecases.checkout import CreateRequest

    service = build_service(load_settings(config, env={}))
    payment = service.create_payment(CreateRequest(price=250_000, fid=31)).payment
    out = run(
        "deposit",
        "add",
        "--amount",
        str(payment.amount),
        "--account",
        "30417",
        "--at",
        "1405/09/06 10:15",
        "--json",
        config=config,
    ).stdout
    result = json.loads(out)
    assert result["payment"] is None and result["state"] == "unmatched"  # a transfer the day before the payment existed
    out = json.loads(run("deposit", "add", "--amount", str(payment.amount), "--json", config=config).stdout)
    assert (out["payment"], out["payment_state"]) == (payment.id, "paid")
    shown = run("payment", "show", str(payment.id), config=config).stdout
    assert "paid" in shown and "created" in shown and "matcher" in shown
    assert str(payment.id) in run("payment", "list", "--state", "paid", config=config).stdout
    review = run("deposit", "list", config=config).stdout
    assert "unmatched" in review
    dismissed = run("deposit", "dismiss", str(result["deposit"]), "--note", "test", config=config).stdout
    assert "dismissed" in dismissed


def test_errors_go_to_stderr_with_a_non_zero_exit(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[payments]\nexpire_minutes = "soon"\n[server]\nlisten = "x"\n', encoding="utf-8")
    proc = run("config", "check", config=bad, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "payments.expire_minutes" in proc.stderr and "server.listen" in proc.stderr
    proc = run("payment", "list", check=False, env={"CARTTOCART_CONFIG": ""})
    assert proc.returncode == 1 and "CARTTOCART_CONFIG" in proc.stderr
    proc = run("deposit", "add", "--amount", "abc", config=bad, check=False)
    assert proc.returncode == 2 and "whole number" in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_waitress_and_stops_on_sigterm(config: Path):
    run("card", "add", "--number", MELLI_CARD, "--holder", "x", config=config)
    token = run("token", "add", "shop", config=config).stdout.strip()
    port = _free_port()
    proc = subprocess.Popen(
        CLI + ["--config", str(config), "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def health() -> dict | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as resp:
                    return json.loads(resp.read())
            except OSError:
                return None

        assert wait_until(health, 20, what="the server")["status"] == "ok"
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/create", data=b"price=120000&fid=1", headers={"token": token}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.headers["Server"] == "carttocart"  # waitress, not Bottle's development server
            assert json.loads(resp.read())["amount"] == 120010
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "apscheduler" not in err  # at INFO its every job run would fill the journal


def test_serve_on_an_address_in_use_names_it_and_the_way_out(config: Path):
    with socket.socket() as other:  # another program has the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        proc = run("serve", "--listen", f"127.0.0.1:{port}", config=config, check=False)
    assert proc.returncode == 1, proc.stderr
    assert f"cannot listen on 127.0.0.1:{port}: another program is listening there" in proc.stderr
    assert "--listen HOST:PORT" in proc.stderr and "server.listen" in proc.stderr
    assert "internal error" not in proc.stderr
    proc = run("serve", "--listen", "no-such-host.invalid:8080", config=config, check=False)
    assert proc.returncode == 1 and "no-such-host.invalid is not a host name this machine can resolve" in proc.stderr


def test_the_installed_command_exists():
    exe = shutil.which("carttocart") or str(Path(sys.executable).parent / "carttocart")
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    for command in ("init", "token", "card", "deposit", "payment", "serve"):
        assert command in proc.stdout


def test_config_show_and_modem_add(config: Path):
    out = run("modem", "add", "--port", "/dev/ttyGSM", "--profile", "ec25", config=config).stdout
    assert "[[modems]]" in out
    shown = json.loads(run("config", "show", config=config).stdout)
    assert shown["security"]["secret_key"] == "(set)"
    assert shown["modems"][0]["port"] == "/dev/ttyGSM" and shown["modems"][0]["profile"] == "ec25"
    bad = run("modem", "add", "--port", "/dev/ttyGSM", "--profile", "nokia", config=config, check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_a_token_webhook_must_be_an_http_url(config: Path):
    bad = run("token", "add", "hooked", "--webhook", "ftp://shop/hook", config=config, check=False)
    assert bad.returncode == 1 and "webhook URL" in bad.stderr
    assert run("token", "add", "hooked", "--webhook", "https://shop.example/hook", config=config).stdout
    assert "https://shop.example/hook" in run("token", "list", config=config).stdout


def test_a_reader_that_stops_early_ends_the_command_quietly(config: Path):
    """`carttocart payment list | head -1`: a pipe whose reader is gone is no internal error; the exit code
    is a SIGPIPE'd command's (141), as shell tools give it."""
    run("card", "add", "--number", MELLAT_CARD, "--holder", "شاهین محسنی", config=config)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before the first line: every write fails with EPIPE
    try:
        proc = subprocess.run(
            [*CLI, "--config", str(config), "card", "list"], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == b""
