"""Alerts and forwarded messages leave through the modem: the box, the modem simulator on a real pty,
SQLite on disk, a real webhook receiver on loopback. The jobs are run by hand; the clock is a FakeClock."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.jobs import check_alerts, notify_owner, query_sim_balance
from appliance.runtime import Box
from appliance.store.models import Alert, Event, OwnerNotice, SimBalance, SmsMessage
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from modem.simulator import Simulator
from tests.conftest import MELLAT_CARD, make_settings
from tests.polling import wait_until

OWNER = "09121234567"
BALANCE_CODE = "*140*11#"
LOW = "مشترک گرامی اعتبار اصلی شما ۲۰٬۰۰۰ ریال است. تاریخ انقضای سیم‌کارت ۱۴۰۶/۰۳/۳۱"
HIGH = "مشترک گرامی اعتبار اصلی شما ۹۰۰٬۰۰۰ ریال است. تاریخ انقضای سیم‌کارت ۱۴۰۶/۰۳/۳۱"
OTP = "بانک ملت\nرمز پویا: 482913\nمبلغ: 1,500,000 ریال\nاین رمز را در اختیار دیگران قرار ندهید"


class Hooks(http.server.ThreadingHTTPServer):
    received: list[tuple[Any, bytes]]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Hooks

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    server = Hooks(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    with Simulator(tmp_path / "sim" / "ttyUSB0", "sim800") as simulator:
        wait_until(lambda: simulator.status()["sms_ready"], what="the simulator's boot")
        yield simulator


@pytest.fixture
def box(tmp_path: Path, sim: Simulator, clock, hooks: Hooks) -> Iterator[Box]:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'carttocart.db'}",
        modems=[{"name": "sim", "port": str(sim.link), "profile": "sim800"}],
        health={"sweep_seconds": 5, "sample_seconds": 5},
        alerts={"owner_phone": OWNER, "sms_daily_cap": 8, "no_sms_minutes": 30, "repeat_minutes": 60},
        forwarding={"rule": "bank_otp", "bank": "mellat"},
        sim_balance={"operator": "auto"},  # from the network's name the modem reports: IR-MCI
    )
    box = Box(settings, clock=clock)
    box.service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
    box.service.add_token("shop", webhook_url=f"http://127.0.0.1:{hooks.server_address[1]}/hook")
    box.receive.start()
    wait_until(lambda: box.receive.network_names() == {"sim": "IR-MCI"}, 15, what="the modem's first health sample")
    yield box
    box.close()


def sent_texts(sim: Simulator) -> list[str]:
    return [m["text"] for m in sim.sent_messages() if m["complete"]]


def send_notices(box: Box, sim: Simulator, count: int) -> list[str]:
    """Run the owner's outbox until ``count`` SMS have left through AT+CMGS; their decoded texts."""
    wait_until(lambda: notify_owner(box) >= 0 and len(sent_texts(sim)) >= count, 30, what=f"{count} SMS sent")
    return sent_texts(sim)


def alert_hooks(hooks: Hooks, box: Box) -> list[dict[str, Any]]:
    from appliance.store.models import ApiToken

    secret = box.webhooks.secret_for(ApiToken.get(ApiToken.name == "shop"))
    bodies = []
    for headers, body in hooks.received:
        assert verify_signature(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        bodies.append(json.loads(body))
    return [b for b in bodies if b["event"].startswith("alert.")]


def test_low_credit_read_by_ussd_raises_an_alert_sms_and_webhook_and_clears(box, sim, hooks, clock) -> None:
    sim.set_ussd_reply(BALANCE_CODE, LOW, "ucs2")
    assert query_sim_balance(box) == 1
    reading = SimBalance.select().order_by(SimBalance.id.desc()).first()
    assert reading.credit_rial == 20_000 and reading.valid_until == dt.date(2027, 6, 21)
    assert sim.ussd_requests() == [BALANCE_CODE]

    changes = check_alerts(box)
    assert changes["raised"] == ["sim_credit"]
    [text] = send_notices(box, sim, 1)
    assert "اعتبار سیم‌کارت کم است" in text and "۲۰٬۰۰۰ ریال" in text and "۲٬۰۰۰ تومان" in text
    assert [m["recipient"] for m in sim.sent_messages()] == [OWNER]
    wait_until(lambda: notify_owner(box) >= 0 and alert_hooks(hooks, box), 10, what="the alert's webhook")
    [raised] = alert_hooks(hooks, box)
    assert raised["event"] == "alert.raised" and raised["kind"] == "sim_credit" and raised["params"]["credit"] == 20_000
    assert [a.kind for a in box.alerts.active()] == ["sim_credit"]

    # Still low an hour later: one repeat; still low a minute after that: nothing new.
    clock.advance(minutes=61)
    query_sim_balance(box)
    assert check_alerts(box)["repeated"] == ["sim_credit"]
    clock.advance(minutes=1)
    assert check_alerts(box) == {"raised": [], "repeated": [], "resolved": []}

    sim.set_ussd_reply(BALANCE_CODE, HIGH, "ucs2")
    query_sim_balance(box)
    assert check_alerts(box)["resolved"] == ["sim_credit"]
    texts = send_notices(box, sim, 3)
    assert texts[2].startswith("[CartToCart] رفع شد: اعتبار سیم‌کارت کم است")
    assert box.alerts.active() == []
    kinds = [e.kind for e in Event.select().where(Event.entity == "alert").order_by(Event.id)]
    assert kinds == ["alert_raised", "alert_resolved"]


def test_a_bank_otp_is_forwarded_through_the_modem_and_a_deposit_is_not(box, sim) -> None:
    notify_owner(box)  # the first run marks where forwarding starts
    sim.deliver_sms("BankMellat", OTP)
    sim.deliver_sms("+989121110000", "Irancell: your package is active")  # another sender: not by this rule
    wait_until(lambda: SmsMessage.select().count() == 2, 20, what="both messages stored")
    [forwarded] = send_notices(box, sim, 1)
    assert forwarded == "[CartToCart] از BankMellat:\n" + OTP
    notice = OwnerNotice.get(OwnerNotice.purpose == "forward")
    assert notice.state == "sent" and notice.sms_message_id == SmsMessage.get(SmsMessage.sender == "BankMellat").id
    notify_owner(box)
    assert len(sim.sent_messages()) == 1


def test_modem_gone_alerts_by_webhook_and_its_sms_goes_once_the_modem_is_back(box, sim, hooks) -> None:
    sim.unplug(replug_after=None)
    wait_until(lambda: box.receive.status()[0]["state"] != "connected", 15, what="the modem to be gone")
    assert check_alerts(box)["raised"] == []  # one check: perhaps a reconnect
    assert "modem_down:sim" in check_alerts(box)["raised"]
    wait_until(lambda: notify_owner(box) >= 0 and alert_hooks(hooks, box), 10, what="the webhook")
    assert alert_hooks(hooks, box)[0]["kind"] == "modem_down"
    pending = OwnerNotice.get((OwnerNotice.channel == "sms") & (OwnerNotice.purpose == "raised"))
    assert pending.state == "pending"  # no modem to send it through: it waits, retried

    sim.replug()
    wait_until(lambda: box.receive.status()[0]["state"] == "connected", 20, what="the modem back")
    assert check_alerts(box)["resolved"] == ["modem_down:sim"]
    # One statement: a write inside a read's open cursor cannot take SQLite's write lock once the box has
    # written meanwhile (WAL answers "database is locked" at once, without waiting).
    OwnerNotice.update(next_attempt_at=box.clock()).where(OwnerNotice.state == "pending").execute()
    texts = send_notices(box, sim, 2)
    assert texts[0] == "[CartToCart] مودم «sim» در دسترس نیست یا در شبکه ثبت نشده است."
    assert texts[1] == "[CartToCart] رفع شد: مودم «sim» در دسترس نیست یا در شبکه ثبت نشده است."


def test_no_sms_while_payments_wait_raises_and_a_deposit_sms_clears_it(box, sim, clock) -> None:
    box.service.create_payment(CreateRequest(price=120_000, fid=1))
    assert check_alerts(box)["raised"] == []
    clock.advance(minutes=31)
    assert check_alerts(box)["raised"] == ["no_sms"]
    [alert] = Alert.select().where(Alert.kind == "no_sms")
    assert alert.params == {"minutes": 31, "pending": 1}
    sim.deliver_sms("+989121110000", "any SMS shows that reception works")
    wait_until(lambda: SmsMessage.select().count() == 1, 20, what="the SMS stored")
    assert check_alerts(box)["resolved"] == ["no_sms"]


def test_the_daily_cap_holds_back_sms_beyond_it(box, sim, clock) -> None:
    for n in range(10):
        box.alerts.queue_sms("raised", f"alert {n}")
    send_notices(box, sim, 8)
    notify_owner(box)
    states = [n.state for n in OwnerNotice.select().order_by(OwnerNotice.id)]
    assert states == ["sent"] * 8 + ["capped"] * 2
    assert len(sim.sent_messages()) == 8


def test_two_forwarders_on_one_database_forward_a_message_once(box, sim) -> None:
    from appliance.usecases.forwarding import Forwarder

    box.forwarder.run()
    start = box.forwarder._position()

    class LateBox(Forwarder):  # a second box of a fleet that read the position before the first moved it
        def _position(self) -> int | None:
            return start

    sim.deliver_sms("BankMellat", OTP)
    wait_until(lambda: SmsMessage.select().count() == 1, 20, what="the OTP stored")
    assert box.forwarder.run() == 1
    assert LateBox(box.settings, box.alerts).run() == 0
    assert OwnerNotice.select().where(OwnerNotice.purpose == "forward").count() == 1
