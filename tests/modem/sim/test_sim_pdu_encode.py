"""The SMS-DELIVER encoder, checked byte for byte and against Gammu's decoder as an independent oracle."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from modem.pdu_encode import EncodeError, encode_deliver, encode_originator, encode_scts, split_text, tpdu_length

IRST = timezone(timedelta(hours=3, minutes=30))
WHEN = datetime(2026, 3, 5, 14, 25, 9, tzinfo=IRST)

# A real PDU captured from a Huawei E1752 (gammu issue #126): "Test" from +33660334189.
REAL_HUAWEI_PDU = "07913366003051F5040B913366304381F900005180719120348004D4F29C0E"


def test_reproduces_a_captured_network_pdu_byte_for_byte() -> None:
    scts = datetime(2015, 8, 17, 19, 2, 43, tzinfo=timezone(timedelta(hours=2)))
    assert encode_deliver("+33660334189", "Test", smsc="+33660003155", scts=scts) == [REAL_HUAWEI_PDU]


def test_alphanumeric_sender_counts_useful_semi_octets() -> None:
    # 10 characters -> 18 semi-octets (0x12), TOA D0, GSM-7 packed.
    assert encode_originator("bank melli").hex().upper() == "12D0E2B07B0D6A97D9EC34"
    assert encode_originator("10007000").hex().upper() == "088101000700"
    assert encode_originator("+989121234567").hex().upper() == "0C91891912325476"


@pytest.mark.parametrize(
    ("offset", "octet"),
    [
        (timedelta(hours=3, minutes=30), 0x41),
        (timedelta(hours=4, minutes=30), 0x81),
        (timedelta(hours=-5), 0x0A),
        (timedelta(0), 0x00),
    ],
)
def test_scts_time_zone_octet(offset: timedelta, octet: int) -> None:
    assert encode_scts(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(offset)))[-1] == octet


def test_scts_must_be_aware() -> None:
    with pytest.raises(EncodeError):
        encode_scts(datetime(2026, 1, 2))


@pytest.mark.parametrize(
    ("text", "encoding", "ref_bits", "sizes"),
    [
        ("a" * 160, "gsm7", 8, [160]),
        ("a" * 161, "gsm7", 8, [153, 8]),
        ("a" * 161, "gsm7", 16, [152, 9]),
        ("س" * 70, "ucs2", 8, [70]),
        ("س" * 71, "ucs2", 8, [67, 4]),
        ("س" * 71, "ucs2", 16, [66, 5]),
    ],
)
def test_part_sizes(text: str, encoding: str, ref_bits: int, sizes: list[int]) -> None:
    assert [s.units for s in split_text(text, encoding, ref_bits)] == sizes


def test_an_escape_or_a_surrogate_pair_is_never_cut() -> None:
    gsm = split_text("a" * 152 + "€" + "b" * 10, "gsm7", 8)  # € costs two septets; 152 + 2 > 153
    assert [s.units for s in gsm] == [152, 12]
    ucs = split_text("س" * 66 + "😀" + "x" * 5, "ucs2", 8)  # the emoji is two code units; 66 + 2 > 67
    assert [s.units for s in ucs] == [66, 7]


def test_tpdu_length_excludes_the_smsc_field() -> None:
    assert tpdu_length(REAL_HUAWEI_PDU) == 23  # gammu#126 shows +CMGL: 0,0,,23


def test_unknown_encoding_and_bad_sender_are_refused() -> None:
    with pytest.raises(EncodeError):
        encode_deliver("x", "y", encoding="latin1")
    with pytest.raises(EncodeError):
        encode_deliver("a-very-long-sender", "y")
    with pytest.raises(EncodeError):
        encode_deliver("bank", "پ", encoding="gsm7")


CASES = [
    ("bank melli", "واریز 1,250,000 ریال به کارت 6037-99**-****-1234\nمانده: ۲۵۰۰۰۰۰", "auto", 8),
    ("BankMellat", "همراه‌بانک " * 30, "auto", 16),
    ("10007000", "Deposit 1,250,000 IRR {ref} [ok] ~ | € ^ \\" * 4, "gsm7", 16),
    ("+989121234567", "x" * 159 + "€", "gsm7", 8),
    ("MALIAT", "plain ascii in ucs2", "ucs2", 8),
    ("ADLIRAN", "emoji 😀 " * 12, "ucs2", 16),
    ("Pasargad12", "a", "auto", 8),
]


@pytest.mark.skipif(not shutil.which("gammu"), reason="needs Debian's gammu and python3-gammu (make system-deps)")
@pytest.mark.parametrize(("sender", "text", "encoding", "ref_bits"), CASES)
def test_gammu_decodes_and_links_what_we_encode(sender: str, text: str, encoding: str, ref_bits: int) -> None:
    pdus = encode_deliver(
        sender,
        text,
        smsc="+9891100500",
        scts=WHEN,
        encoding=encoding,
        ref=0x1234 if ref_bits == 16 else 0x5A,
        ref_bits=ref_bits,
    )
    decoded = _gammu_decode(pdus)
    assert decoded["text"] == text
    assert decoded["number"] == sender
    assert decoded["smsc"] == "+9891100500"
    assert decoded["parts"] == len(pdus)
    assert decoded["time"] == "2026-03-05 14:25:09"  # python-gammu drops the offset (naive local time)
    if len(pdus) > 1:
        assert decoded["udh"] == ("ConcatenatedMessages16bit" if ref_bits == 16 else "ConcatenatedMessages")


_ORACLE = r"""
import gammu, json, sys
pdus = json.load(sys.stdin)
parts = [[gammu.DecodePDU(bytes.fromhex(p))] for p in pdus]
linked = gammu.LinkSMS(parts)
assert len(linked) == 1, len(linked)
msg = linked[0]
print(json.dumps({"text": "".join(m["Text"] for m in msg), "number": msg[0]["Number"],
                  "smsc": msg[0]["SMSC"]["Number"], "parts": len(msg), "time": str(msg[0]["DateTime"]),
                  "udh": msg[0]["UDH"]["Type"]}))
"""


def _gammu_decode(pdus: list[str]) -> dict:
    python = shutil.which("python3", path="/usr/bin")  # python3-gammu is a Debian package, not in the venv
    probe = subprocess.run([python or "python3", "-c", "import gammu"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("python3-gammu is not installed (make system-deps)")
    done = subprocess.run(
        [python or "python3", "-c", _ORACLE],
        input=json.dumps(pdus),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)
