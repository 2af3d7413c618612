"""The operator teaches a running box over the real path: modem simulator on a pseudo-terminal, the
service, SQLite on disk, and the CLI in its own process."""

from __future__ import annotations

import json
import urllib.request

from tests.e2e import test_sms_path
from tests.e2e.test_sms_path import MELLAT, Box, run
from tests.polling import wait_until

box = test_sms_path.box  # the same box: the service, the simulator, a card and a token

MELLAT_SENDER = "Bank Mellat"
STRANGER = "+989121234567"


def new_format(amount: int, balance: int, ref: int) -> str:
    """A Mellat deposit in a layout no shipped template reads, and the field reader leaves unparsed
    (it also prints the amount in Toman, which the field reader never takes for the Rial amount)."""
    return (
        f"بانک ملت\nحساب {MELLAT[1]}\nواریز شد: +{amount:,} ریال معادل {amount // 10:,} تومان\n"
        f"کد پیگیری {ref}\nمانده: {balance:,}\nبا تشکر"
    )


def check_code(box: Box, pay_id: int) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{box.port}/api/check?pay_id={pay_id}", headers={"token": box.token})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())["code"]


def test_a_learned_format_settles_the_next_message_of_that_format_end_to_end(box: Box):
    from appliance.store.models import SmsMessage
    from appliance.usecases.checkout import CreateRequest
    from modem.simulator import SimulatorClient

    box.start()
    service = box.service()
    first = service.create_payment(CreateRequest(price=2_000_000, fid=1)).payment
    with SimulatorClient(box.control) as sim:
        sim.deliver_sms(MELLAT_SENDER, new_format(first.amount, 30_000_000, 4411))
        message = wait_until(
            lambda: SmsMessage.get_or_none(SmsMessage.kind == "unparsed"), 20, what="the unparsed SMS to be stored"
        )
        assert service.get_payment(first.id).state == "pending"

        proposal = json.loads(run("sms", "learn", str(message.id), config=box.config))
        assert proposal["amounts"][0] == first.amount and proposal["direction"] == "deposit"
        out = run(
            "sms",
            "learn",
            str(message.id),
            "--amount",
            f"{first.amount:,}",
            "--direction",
            "deposit",
            "--balance",
            "30000000",
            "--account",
            MELLAT[1],
            config=box.config,
        )
        assert f"SMS {message.id}: unparsed -> deposit" in out
        assert service.get_payment(first.id).state == "paid"  # the stored message, read again

        # The running service has not been restarted: the next SMS of the format settles its payment.
        second = service.create_payment(CreateRequest(price=3_100_000, fid=2)).payment
        sim.deliver_sms(MELLAT_SENDER, new_format(second.amount, 30_000_000 + second.amount, 9920))
        wait_until(lambda: service.get_payment(second.id).state == "paid", 20, what="the next payment to be paid")
    assert check_code(box, second.id) == 201
    listed = run("sms", "learned", config=box.config)
    assert f"(from SMS {message.id})" in listed and "operator:cli:" in listed


def test_a_sender_trusted_from_the_cli_settles_its_held_deposit_in_the_running_box(box: Box):
    from appliance.store.models import SmsMessage
    from appliance.usecases.checkout import CreateRequest
    from appliance.usecases.demo_bank import mellat_deposit_sms
    from modem.simulator import SimulatorClient

    box.start()
    service = box.service()
    payment = service.create_payment(CreateRequest(price=1_500_000, fid=1)).payment
    text = mellat_deposit_sms(MELLAT[1], payment.amount, 48_000_000, service.clock()).text
    with SimulatorClient(box.control) as sim:
        sim.deliver_sms(STRANGER, text)
        message = wait_until(lambda: SmsMessage.get_or_none(SmsMessage.sender == STRANGER), 20, what="the SMS")
    assert (message.kind, message.trusted) == ("other", False)
    out = run("sms", "trust-sender", str(message.id), config=box.config)
    assert f"sender {STRANGER} is mellat" in out and f"SMS {message.id}: other -> deposit" in out
    assert check_code(box, payment.id) == 201
