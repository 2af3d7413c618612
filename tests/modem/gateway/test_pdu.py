"""SMS-DELIVER decoding: real bytes, the simulator's encoder as a peer, python-gsmmodem as a cross-check."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import gsmmodem.pdu
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modem.errors import PduError
from modem.messages import Part, assemble
from modem.pdu import decode_deliver, split_smsc
from modem.pdu_encode import GSM7_BASIC, GSM7_EXTENSION, encode_deliver

FIXTURES = Path(__file__).parents[2] / "fixtures" / "bank_sms.jsonl"
IRAN = timezone(timedelta(hours=3, minutes=30))
# A real SMS-DELIVER read off a Huawei E1752 (gammu issue #126): GSM-7 "Test" from +33660334189.
HUAWEI_REAL = "07913366003051F5040B913366304381F900005180719120348004D4F29C0E"


def test_real_huawei_pdu() -> None:
    pdu = decode_deliver(HUAWEI_REAL)
    assert (pdu.sender, pdu.sender_type, pdu.smsc, pdu.text, pdu.encoding) == (
        "+33660334189",
        "international",
        "+33660003155",
        "Test",
        "gsm7",
    )
    assert pdu.scts == datetime(2015, 8, 17, 19, 2, 43, tzinfo=timezone(timedelta(hours=2)))
    assert pdu.concat is None and pdu.pdu_hex == HUAWEI_REAL


def test_alphanumeric_sender_and_iran_time() -> None:
    scts = datetime(2026, 3, 5, 14, 25, 7, tzinfo=IRAN)
    [hex_] = encode_deliver("bank melli", "واریز 12,750,000", scts=scts, smsc="+9891100500")
    assert hex_[16:20] == "12D0"  # OA: 18 useful semi-octets, TON alphanumeric
    pdu = decode_deliver(hex_)
    assert (pdu.sender, pdu.sender_type, pdu.smsc) == ("bank melli", "alphanumeric", "+9891100500")
    assert pdu.scts == scts and pdu.scts.utcoffset() == timedelta(hours=3, minutes=30)
    assert (pdu.text, pdu.encoding) == ("واریز 12,750,000", "ucs2")


def test_negative_time_zone() -> None:
    scts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    [hex_] = encode_deliver("12345", "x", scts=scts)
    assert decode_deliver(hex_).scts == scts


@pytest.mark.parametrize(
    "sender",
    [
        "ADLIRAN",
        "BankMelli",
        "bank melli",
        "TejaratBank",
        "B.Pasargad",
        "6104",
        "+98700717",
        "98700719",
        "+989999920000",
    ],
)
def test_senders(sender: str) -> None:
    [hex_] = encode_deliver(sender, "hi")
    assert decode_deliver(hex_).sender == sender


@pytest.mark.parametrize("ref_bits", [8, 16])
@pytest.mark.parametrize("encoding", ["gsm7", "ucs2"])
def test_multipart_round_trip(ref_bits: int, encoding: str) -> None:
    text = ("Deposit 12,750,000 to 6204718359 [ref] {x} € " * 8) if encoding == "gsm7" else ("واریز ۱۲٬۷۵۰٬۰۰۰ " * 20)
    pdus = encode_deliver("Bank Mellat", text, encoding=encoding, ref=300 if ref_bits == 16 else 77, ref_bits=ref_bits)
    decoded = [decode_deliver(p) for p in pdus]
    assert len(decoded) > 1
    assert all(d.concat is not None and d.concat.ref_bits == ref_bits and d.concat.total == len(pdus) for d in decoded)
    assert [d.concat.seq for d in decoded] == list(range(1, len(pdus) + 1))
    # The pitfall of python-gsmmodem: GSM-7 under a 16-bit reference lost each part's first character.
    assert "".join(d.text for d in decoded) == text


def test_ucs2_agrees_with_python_gsmmodem() -> None:
    for hex_ in encode_deliver("+98700717", "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417" * 2):
        ours, theirs = decode_deliver(hex_), gsmmodem.pdu.decodeSmsPdu(hex_)
        assert ours.text == theirs["text"] and ours.sender == theirs["number"]


def test_surrogate_pair_is_joined() -> None:
    [hex_] = encode_deliver("x", "ok 👍", encoding="ucs2")
    assert decode_deliver(hex_).text == "ok 👍"


def test_every_bank_fixture_decodes_to_its_text() -> None:
    for line in FIXTURES.read_text(encoding="utf-8").splitlines():
        sample = json.loads(line)
        pdus = encode_deliver(sample["sender"] or "+989120000000", sample["text"], ref=sample["ucs2_length"])
        parts = [Part.from_pdu(decode_deliver(p)) for p in reversed(pdus)]
        assert assemble(parts).text == sample["text"], sample["id"]
        assert len(pdus) == sample["sms_parts"], sample["id"]


@pytest.mark.parametrize(
    "dcs,encoding",
    [
        (0x00, "gsm7"),
        (0x08, "ucs2"),
        (0x04, "8bit"),
        (0x18, "ucs2"),
        (0x48, "ucs2"),
        (0xF0, "gsm7"),
        (0xF4, "8bit"),
        (0xE0, "ucs2"),
    ],
)
def test_data_coding_groups(dcs: int, encoding: str) -> None:
    text_ud = {"gsm7": "04D4F29C0E", "ucs2": "04006F006B", "8bit": "024142"}[encoding]
    hex_ = "00" + "04" + "0381214300" + f"{dcs:02X}" + "62505121000040" + text_ud
    pdu = decode_deliver(hex_)
    assert pdu.encoding == encoding
    assert pdu.text == {"gsm7": "Test", "ucs2": "ok", "8bit": "AB"}[encoding]
    assert pdu.smsc is None and pdu.sender == "123"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ZZ",
        HUAWEI_REAL[:-6],
        HUAWEI_REAL[:40],
        "0791336600305 1F5",
        "07913366003051F5" + "01" + HUAWEI_REAL[18:],  # SMS-SUBMIT, not a DELIVER
        "00040381214300006250512100004005D4F29C0E",  # UDL says 5 septets, 4 are present
        "0004038121430000625051210000400A" + "D4F2",  # UDL beyond the data
        "000403812143000062A0512100004004D4F29C0E",  # month 0A: not BCD
    ],
)
def test_malformed_pdus_raise(bad: str) -> None:
    with pytest.raises(PduError):
        decode_deliver(bad)


def test_invalid_concat_is_ignored() -> None:
    # IEI 00 with seq 0: 23.040 says ignore the element; the text is still there.
    hex_ = "00440381214300086250512100004008050003070100004F"
    pdu = decode_deliver(hex_)
    assert pdu.concat is None and pdu.text == "O"


def test_split_smsc() -> None:
    sca, tpdu = split_smsc(HUAWEI_REAL)
    assert sca == "07913366003051F5" and HUAWEI_REAL == sca + tpdu


_GSM7_CHARS = "".join(ch for ch in GSM7_BASIC if ch != "\x1b") + "".join(GSM7_EXTENSION)


@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet=_GSM7_CHARS, min_size=1, max_size=500),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x6FF), min_size=1, max_size=300),
    ),
    ref_bits=st.sampled_from([8, 16]),
    ref=st.integers(0, 255),
)
def test_any_text_round_trips(text: str, ref_bits: int, ref: int) -> None:
    pdus = encode_deliver("+989121234567", text, ref_bits=ref_bits, ref=ref)
    parts = [Part.from_pdu(decode_deliver(p)) for p in pdus]
    result = assemble(parts[::-1])
    assert result.complete and result.text == text
