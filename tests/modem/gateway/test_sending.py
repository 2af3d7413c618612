"""Sending SMS (AT+CMGS, PDU mode) and USSD over real pseudo-terminals, through the receiver's own thread."""

from __future__ import annotations

import threading

import pytest

from modem.errors import CommandFailed, UssdFailed
from modem.gateway import ModemGateway
from modem.pdu_encode import EncodeError
from modem.pdu_submit import decode_submit, encode_submit
from modem.receiver import ModemBusy, Receiver
from modem.ussd import parse_cusd

from .conftest import RecordingSink, wait_until

PERSIAN_ALERT = "هشدار کارت‌به‌کارت: مودم ۱۵ دقیقه است پیامکی دریافت نکرده و ۳ پرداخت در انتظار است. " * 2
PROFILES = ["sim800", "huawei", "ec25", "zte", "wavecom"]


def test_submit_pdus_round_trip_in_both_alphabets() -> None:
    gsm = "Alert: modem down {box-1} " * 10
    for text, encoding in ((gsm, "gsm7"), (PERSIAN_ALERT, "ucs2"), ("short", "gsm7")):
        parts = encode_submit("+989121234567", text, ref=42)
        decoded = [decode_submit(p.pdu_hex) for p in parts]
        assert "".join(d.text for d in decoded) == text
        assert {d.encoding for d in decoded} == {encoding}
        assert all(d.recipient == "+989121234567" for d in decoded)
        if len(parts) > 1:
            assert [d.concat.seq for d in decoded if d.concat] == list(range(1, len(parts) + 1))
            assert {d.concat.ref for d in decoded if d.concat} == {42}
        for part in parts:  # the length AT+CMGS names is the TPDU's, the SMSC octet excluded
            assert part.length == len(bytes.fromhex(part.pdu_hex)) - 1


def test_a_bad_recipient_is_refused_before_the_modem() -> None:
    for bad in ("", "0912abc", "++98912"):
        with pytest.raises(EncodeError):
            encode_submit(bad, "x")


@pytest.mark.parametrize("profile", PROFILES)
def test_gateway_sends_multipart_ucs2_and_reads_ussd(make_sim, profile: str) -> None:
    sim = make_sim(profile)
    gateway = ModemGateway(str(sim.link), command_timeout=2.0)
    gateway.connect()
    try:
        refs = gateway.send_sms("09121234567", PERSIAN_ALERT, ref=9)
        sim.set_ussd_reply("*140#", "اعتبار اصلی شما ۱۲۵،۰۰۰ ریال", "ucs2")
        reply = gateway.ussd("*140#")
    finally:
        gateway.close()
    sent = sim.sent_messages()
    assert len(refs) == 3 and len(set(refs)) == 3
    assert sent == [
        {"recipient": "09121234567", "text": PERSIAN_ALERT, "parts": 3, "encoding": "ucs2", "complete": True}
    ]
    assert reply.text == "اعتبار اصلی شما ۱۲۵،۰۰۰ ریال" and reply.dcs == 72
    assert sim.ussd_requests() == ["*140#"]


def test_ussd_in_gsm7_and_a_network_without_an_answer(make_sim) -> None:
    sim = make_sim("sim800")
    gateway = ModemGateway(str(sim.link), command_timeout=1.0)
    gateway.connect()
    try:
        sim.set_ussd_reply("*555*4*3#", "Credit: 80,000 Rial. Valid until 1405/10/01", "gsm7")
        assert gateway.ussd("*555*4*3#").text == "Credit: 80,000 Rial. Valid until 1405/10/01"
        sim.lose_network()
        with pytest.raises(UssdFailed):
            gateway.ussd("*140#")
        with pytest.raises(CommandFailed):  # no network: the modem refuses the send
            gateway.send_sms("+989121234567", "lost")
        with pytest.raises(ValueError):
            gateway.ussd("*140#; AT+CFUN=0")
    finally:
        gateway.close()
    assert sim.sent_messages() == []


def test_parse_cusd_forms() -> None:
    assert parse_cusd('+CUSD: 0,"Balance 5000",15').text == "Balance 5000"
    assert parse_cusd('+CUSD: 2,"0633064406270645",72').text == "سلام"
    with pytest.raises(UssdFailed):
        parse_cusd("+CUSD: 4")


def test_receiver_thread_sends_between_sweeps_without_losing_sms(make_sim, make_receiver) -> None:
    sim = make_sim("huawei")
    rx, sink = make_receiver(str(sim.link))
    deposits = sim.deliver_sms("bank melli", "واریز ۱,۲۵۰,۰۰۰ ریال")
    results: list[list[int]] = []

    def send(n: int) -> None:
        results.append(rx.run_on_modem(lambda g: g.send_sms("+989121234567", f"alert {n} " + PERSIAN_ALERT)))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    wait_until(lambda: sorted(sink.pdus) == sorted(deposits) and not sim.stored(), what="the deposit received")
    texts = sorted(m["text"] for m in sim.sent_messages())
    assert texts == sorted(f"alert {n} " + PERSIAN_ALERT for n in range(3))
    assert all(m["complete"] for m in sim.sent_messages()) and len(results) == 3


def test_a_job_waits_for_no_modem_and_fails_plainly(tmp_path) -> None:
    rx = Receiver(
        lambda: ModemGateway(str(tmp_path / "nothing"), command_timeout=0.5),
        RecordingSink(),
        max_retry_seconds=0.2,
    )
    rx.start()
    try:
        with pytest.raises(ModemBusy, match="not available"):
            rx.run_on_modem(lambda g: g.send_sms("+989121234567", "x"), timeout=1.0)
    finally:
        rx.stop()


def test_stopping_the_receiver_ends_the_jobs_waiting_for_it(tmp_path) -> None:
    rx = Receiver(
        lambda: ModemGateway(str(tmp_path / "nothing"), command_timeout=0.5),
        RecordingSink(),
        max_retry_seconds=0.2,
    )
    rx.start()
    outcome: list[BaseException] = []

    def send() -> None:
        try:
            rx.run_on_modem(lambda g: g.send_sms("+989121234567", "x"), timeout=60)
        except ModemBusy as exc:
            outcome.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    wait_until(lambda: len(rx._jobs) == 1, what="the job queued")
    rx.stop()
    thread.join(5)
    assert not thread.is_alive() and "stopped" in str(outcome[0])


@pytest.mark.parametrize("text", ["hello", "هشدار: " * 30, "A long gsm message {x} " * 10])
def test_submit_pdus_match_python_gsmmodem_byte_for_byte(text: str) -> None:
    """An independent encoder agrees on every octet but TP-MR (we leave 00: the modem numbers its sends)."""
    import binascii
    import datetime as dt

    from gsmmodem.pdu import encodeSmsSubmitPdu

    theirs = [
        binascii.hexlify(p.data).decode().upper()
        for p in encodeSmsSubmitPdu(
            "+989121234567", text, reference=7, validity=dt.timedelta(hours=24), requestStatusReport=False
        )
    ]
    ours = [p.pdu_hex for p in encode_submit("+989121234567", text, ref=7)]
    assert [pdu[:4] + "00" + pdu[6:] for pdu in theirs] == ours
