#!/usr/bin/env python3
"""TEST IMAGES ONLY: check the booted appliance from inside and report.

Runs as ci-smoke.service after carttocart.service. Prints one line
``CI-RESULT {json}`` on the console and writes it to /data/ci/result-<boot>.json and powers the
machine off. With /etc/carttocart-ci/scenario = "payment" it also drives the
SMS path: the first boot creates a token, a card and a payment, prints
``CI-SMS-WANTED {json}`` so that the host makes the simulated modem receive the
bank's deposit SMS, and waits for /api/check to answer code 201; later boots
check that the payment is still there (the database survived).
"""

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

API = "http://127.0.0.1:8080"
CONFIG = "/etc/carttocart/config.toml"
STATE = Path("/var/lib/carttocart/ci-state.json")  # on /data through the bind mount
BOOTS = Path("/data/ci-boots")
SCENARIO = Path("/etc/carttocart-ci/scenario")
CARD = {"number": "6104337000000016", "holder": "CI Shop", "account": "6204718359"}


def run(*cmd: str) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return (result.stdout + result.stderr).strip()


def as_service_user(*args: str) -> str:
    # The database files must stay the service user's: never write them as root.
    return run("runuser", "-u", "carttocart", "--", "/opt/carttocart/venv/bin/carttocart", "--config", CONFIG, *args)


def http(method: str, path: str, token: str = "", body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(API + path, data=data, method=method)
    if token:
        request.add_header("token", token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_until(predicate, timeout: float, step: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (OSError, ValueError):
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)  # polling inside the box under test


def say(tag: str, payload: dict) -> None:
    line = f"{tag} {json.dumps(payload, ensure_ascii=False)}"
    print(line, flush=True)
    with open("/dev/console", "w") as console:  # nspawn and QEMU both show it
        console.write(line + "\n")


def payment_scenario(boot: int, report: dict) -> None:
    if boot == 1:
        token = as_service_user("token", "add", "ci-shop").splitlines()[-1].strip()
        report["card_add"] = as_service_user(
            "card", "add", "--number", CARD["number"], "--holder", CARD["holder"], "--account", CARD["account"]
        )
        status, created = http(
            "POST", "/api/create", token, {"price": 1_000_000, "fid": 1001, "callback": "https://shop.example/back"}
        )
        report["create"] = {"status": status, "body": created}
        if status != 200:
            return
        STATE.write_text(json.dumps({"token": token, "pay_id": created["pay_id"]}))
        say("CI-SMS-WANTED", {"amount": created["amount"], "account": CARD["account"]})
        check = wait_until(
            lambda: (lambda r: r if r[1].get("code") == 201 else None)(
                http("POST", "/api/check", token, {"pay_id": created["pay_id"]})
            ),
            timeout=150,
            step=2,
        )
        report["check"] = check[1] if check else http("POST", "/api/check", token, {"pay_id": created["pay_id"]})[1]
    else:
        state = json.loads(STATE.read_text())
        report["check"] = http("POST", "/api/check", state["token"], {"pay_id": state["pay_id"]})[1]


def main() -> None:
    boot = int(BOOTS.read_text()) + 1 if BOOTS.exists() else 1
    BOOTS.write_text(str(boot))
    report: dict = {"boot": boot}
    health = wait_until(lambda: http("GET", "/api/health"), timeout=120)
    report["health"] = health[1] if health else None
    report["active"] = run("systemctl", "is-active", "carttocart.service")
    report["provision"] = run("systemctl", "show", "-p", "Result", "--value", "carttocart-provision.service")
    report["root_fstype"] = run("findmnt", "-n", "-o", "FSTYPE", "/")
    report["data_source"] = run("findmnt", "-n", "-o", "SOURCE", "/data")
    report["etc_source"] = run("findmnt", "-n", "-o", "SOURCE", "/etc/carttocart")
    report["boot_files"] = sorted(os.listdir("/boot/firmware")) if os.path.isdir("/boot/firmware") else []
    report["config_mode"] = oct(os.stat(CONFIG).st_mode & 0o777) if os.path.exists(CONFIG) else None
    report["tty_gsm"] = os.path.realpath("/dev/ttyGSM") if os.path.exists("/dev/ttyGSM") else None
    report["mm_ignore"] = run("udevadm", "info", "-q", "property", "-n", "/dev/ttyGSM") if report["tty_gsm"] else ""
    report["watchdog"] = (
        Path("/sys/class/watchdog/watchdog0/state").read_text().strip()
        if Path("/sys/class/watchdog/watchdog0/state").exists()
        else None
    )
    report["devices"] = [line for line in Path("/proc/devices").read_text().splitlines() if "tty" in line]
    if SCENARIO.exists() and SCENARIO.read_text().strip() == "payment":
        try:
            payment_scenario(boot, report)
        except (OSError, ValueError, KeyError, IndexError) as exc:
            report["scenario_error"] = repr(exc)
    report["doctor"] = run("/opt/carttocart/venv/bin/carttocart", "--config", CONFIG, "doctor")
    report["failed"] = run("systemctl", "--failed", "--plain", "--no-legend")
    for unit in [line.split()[0] for line in report["failed"].splitlines() if line.strip()]:
        report.setdefault("failed_logs", {})[unit] = run(
            "journalctl", "-b", "-o", "cat", "--no-pager", "-n", "15", "-u", unit
        )
    report["journal"] = run(
        "journalctl", "-b", "-o", "cat", "--no-pager", "-n", "60", "-u", "carttocart*", "-u", "ci-smoke"
    )
    results = Path("/data/ci")
    results.mkdir(exist_ok=True)
    (results / f"result-{boot}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    say("CI-RESULT", report)
    subprocess.run(["systemctl", "--no-block", "poweroff"], check=False)


if __name__ == "__main__":
    main()
