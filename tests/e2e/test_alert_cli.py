"""``carttocart alert test`` against a running service with its modem on the simulator (real processes):
the SMS leaves through AT+CMGS and the simulator shows its decoded text; the webhook reaches the shop."""

from __future__ import annotations

import http.server
import signal
import subprocess
import threading
from pathlib import Path

from modem.simulator import SimulatorClient
from tests.e2e.test_sms_path import CLI, ROOT, free_port, run
from tests.polling import wait_until


def test_alert_test_reaches_every_channel(tmp_path: Path) -> None:
    hits: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            hits.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    shop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(tmp_path / "box")], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    text = config.read_text(encoding="utf-8").replace('owner_phone = ""', 'owner_phone = "09121234567"')
    config.write_text(text, encoding="utf-8")
    run("token", "add", "shop", "--webhook", f"http://127.0.0.1:{shop.server_address[1]}/hook", config=config)
    port = free_port()
    with open(tmp_path / "serve.log", "ab") as log:
        serve = subprocess.Popen(
            CLI + ["--config", str(config), "serve", "--simulate", "--listen", f"127.0.0.1:{port}"],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
    control = SimulatorClient(f"unix:{config.parent / 'simulator' / 'control.sock'}")
    try:

        def modem_ready() -> bool:
            try:
                return bool(control.status()["sms_ready"]) and bool(control.commands_received("AT+CNMI="))
            except Exception:  # noqa: BLE001 -- not up yet
                return False

        wait_until(modem_ready, 30, what="the service's modem initialised")
        done = subprocess.run(
            CLI + ["--config", str(config), "alert", "test", "--wait", "40"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=90,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "sms to 09121234567: sent" in done.stdout and "webhook to http://127.0.0.1:" in done.stdout
        [sent] = control.sent_messages()
        assert sent["recipient"] == "09121234567" and sent["complete"]
        assert sent["text"] == "[CartToCart] این یک هشدار آزمایشی است؛ همه چیز درست کار می\u200cکند."
        assert len(hits) == 1 and b'"event":"alert.test"' in hits[0]
    finally:
        control.close()
        serve.send_signal(signal.SIGTERM)
        serve.wait(20)
        shop.shutdown()
        shop.server_close()
