"""How well the current SmsReader reads the real-format bank SMS corpus.

Runs ``SmsReader().parse`` over tests/fixtures/bank_sms_corpus/corpus.jsonl (the
tuning part) and held_back.jsonl (never tune on it) separately, and prints per
file and per bank:

- messages, and exact reads: kind, amount, balance and account all equal to the
  labels (accounts compared by their digits); for "other" the kind alone;
- false payable deposits: read as a deposit that settles (``settles`` true)
  while the label is not a deposit, is a deposit that must not settle
  (interest, correction, reversal, wallet, spoof), or has another amount or
  account. This must be 0;
- the misses by class, first that applies: unknown sender (a genuine bank sender
  the reader does not trust, or no sender at all), unparsed, wrong
  kind, wrong amount, wrong balance, wrong account, wrong settles (right figures
  but ``settles`` differs from the label's payment_candidate).

Then the same over mutated copies of every deposit (Persian digits, blank lines
inserted, an advert line appended, CRLF, RLM marks, the balance label after its
number); the labels are unchanged because the meaning is.

A row without a sender is given its bank's first shipped sender, as
bench_bank_sms.py does; a bank with none stays without one. The SMSC time is the
labelled bank time plus three minutes (year 1405 when the SMS prints none).
Prints figures and asserts nothing: low numbers are expected until the reader
is rewritten.

    .venv/bin/python tests/bench/bench_bank_sms_accuracy.py [--misses] [--bank BANK]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

from appliance.sms import SmsReader, account_matches
from appliance.sms.model import Kind, ParsedSms
from appliance.sms.normalize import normalize_digits
from appliance.sms.senders import canonical_sender

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bank_sms_corpus"
sys.path.insert(0, str(CORPUS))
from drift import DRIFT, hostile_cases  # noqa: E402  (the corpus's generators live beside it)

# Banks that ship no sender (none is confirmed by a message) get one, as an operator would
# configure it under [sms.senders]; the unit tests do the same.
OPERATOR_SENDERS = {"keshavarzi": ["2000911"], "sina": ["BankSina"], "post": ["PostBank"], "tosee_taavon": ["TTBank"]}
FILES = {"tuning (corpus.jsonl)": CORPUS / "corpus.jsonl", "held back (held_back.jsonl)": CORPUS / "held_back.jsonl"}
TEHRAN = ZoneInfo("Asia/Tehran")
DEFAULT_SMSC = datetime(2026, 10, 12, 12, 0, tzinfo=TEHRAN)
MISS_CLASSES = (
    "unknown sender",
    "unparsed",
    "wrong kind",
    "wrong amount",
    "wrong balance",
    "wrong account",
    "wrong settles",
)
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
BALANCE_LINE = re.compile(r"^(\s*)(مانده|موجودی|موجودي)\s*:?\s*([0-9۰-۹][0-9۰-۹,٬]*)(.*)$")


def label_after_number(text: str) -> str:
    """``مانده:64,220,175`` -> ``64,220,175:مانده`` (how some phones lay an RTL line out)."""
    lines = [BALANCE_LINE.sub(r"\1\3:\2\4", line) for line in text.split("\n")]
    return "\n".join(lines)


MUTATIONS: dict[str, Callable[[str], str]] = {
    "Persian digits": lambda t: t.translate(PERSIAN_DIGITS),
    "blank lines inserted": lambda t: t.replace("\n", "\n\n"),
    "advert line appended": lambda t: t + "\nهمراه بانک را نصب کنید",
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "RLM marks": lambda t: "\n".join("\u200f" + line for line in t.split("\n")),
    "label after number": label_after_number,
}


@dataclass
class Outcome:
    exact: bool
    false_payable: bool
    miss: str | None


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", normalize_digits(value or ""))


def smsc_time(row: dict) -> datetime:
    """The labelled bank time plus three minutes; a fixed time when the SMS prints none."""
    printed = row.get("jalali_datetime")
    if not printed:
        return DEFAULT_SMSC
    day, _, clock = printed.partition(" ")
    parts = [int(p) for p in day.split("/")]
    year, month, dom = parts if len(parts) == 3 else [1405, *parts]
    hour, minute, second = ([int(p) for p in clock.split(":")] + [0, 0, 0])[:3] if clock else (12, 0, 0)
    g = jdatetime.datetime(year, month, dom, hour, minute, second).togregorian()
    return datetime(g.year, g.month, g.day, g.hour, g.minute, g.second, tzinfo=TEHRAN) + timedelta(minutes=3)


def judge(row: dict, parsed: ParsedSms) -> Outcome:
    kind = row["kind"]
    amount_ok = parsed.amount_rial == row["amount_rial"]
    account_ok = digits(parsed.account) == digits(row["account_or_card"])
    false_payable = parsed.settles and (
        kind != "deposit" or not row["payment_candidate"] or not amount_ok or not account_ok
    )
    if kind == "other":
        exact = parsed.kind is Kind.OTHER and not parsed.settles
    else:
        exact = (
            parsed.kind.value == kind
            and amount_ok
            and parsed.balance_rial == row["balance_rial"]
            and account_ok
            and parsed.settles == bool(row["payment_candidate"])
        )
    if exact:
        return Outcome(True, false_payable, None)
    if row["trusted_sender"] and not parsed.sender_trusted:
        miss = "unknown sender"
    elif parsed.kind is Kind.UNPARSED:
        miss = "unparsed"
    elif parsed.kind.value != kind:
        miss = "wrong kind"
    elif not amount_ok:
        miss = "wrong amount"
    elif parsed.balance_rial != row["balance_rial"]:
        miss = "wrong balance"
    elif not account_ok:
        miss = "wrong account"
    else:
        miss = "wrong settles"  # right figures, but settles where the label says it must not, or the reverse
    return Outcome(False, false_payable, miss)


class Tally:
    def __init__(self) -> None:
        self.messages = 0
        self.exact = 0
        self.false_payable = 0
        self.misses: Counter[str] = Counter()

    def add(self, outcome: Outcome) -> None:
        self.messages += 1
        self.exact += outcome.exact
        self.false_payable += outcome.false_payable
        if outcome.miss:
            self.misses[outcome.miss] += 1

    def line(self, label: str) -> str:
        share = 100 * self.exact / self.messages if self.messages else 0.0
        misses = "  ".join(f"{self.misses[c]:>3}" for c in MISS_CLASSES)
        return f"{label:<24} {self.messages:>5} {self.exact:>6} {share:>6.1f}% {self.false_payable:>7}  {misses}"


HEADER = (
    f"{'':<24} {'msgs':>5} {'exact':>6} {'exact%':>7} {'fpay':>7}  "
    + "  ".join(f"{c.split()[-1][:3]:>3}" for c in MISS_CLASSES)
    + "   (fpay = false payable deposits; misses: sen=unknown sender, par=unparsed, kin=kind, amo=amount, "
    "bal=balance, acc=account, set=settles)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list every miss with the reader's reason")
    parser.add_argument("--bank", help="only this bank")
    parser.add_argument("--hostile", type=int, default=100_000, help="how many hostile cases (default 100000)")
    parser.add_argument("--as-shipped", action="store_true", help="no operator senders for the banks that ship none")
    args = parser.parse_args()

    extra = {} if args.as_shipped else OPERATOR_SENDERS
    reader = SmsReader(extra_senders=extra)
    print(f"operator senders configured: {extra or 'none'}")

    def sender(row: dict) -> str | None:
        if row["sender"]:
            return row["sender"]
        dialect = reader.dialects.get(row["bank"])
        shipped = dialect.senders if dialect else []
        return (shipped or extra.get(row["bank"], []) or [None])[0]

    def read(row: dict, text: str) -> ParsedSms:
        return reader.parse(sender(row), text, smsc_time(row))

    for title, path in FILES.items():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if args.bank:
            rows = [r for r in rows if r["bank"] == args.bank]
        total, by_bank = Tally(), defaultdict(Tally)
        listed: list[str] = []
        for row in rows:
            parsed = read(row, row["text"])
            outcome = judge(row, parsed)
            total.add(outcome)
            by_bank[row["bank"]].add(outcome)
            if args.misses and (outcome.miss or outcome.false_payable):
                flag = " FALSE PAYABLE" if outcome.false_payable else ""
                # A reason may quote the text: never for the held-back file (its texts stay unseen).
                why = "" if path.name == "held_back.jsonl" else f": {parsed.reason}"
                listed.append(f"  {row['id']:<20} {outcome.miss or 'exact'}{flag}{why}")
        print(f"\n== {title}: {len(rows)} messages")
        print(HEADER)
        for bank in sorted(by_bank):
            print(by_bank[bank].line(bank))
        print(total.line("ALL"))
        if listed:
            print("misses:")
            print("\n".join(listed))

        deposits = [r for r in rows if r["kind"] == "deposit" and r["trusted_sender"]]
        print(f"\n-- {title}: drifted copies of the {len(deposits)} deposits (classes of drift.py)")
        print(HEADER.split("   (")[0])
        every = Tally()
        rng = random.Random(1405)
        for name, mutate in {
            **DRIFT,
            "label after number (old)": lambda t, r: MUTATIONS["label after number"](t),
        }.items():
            tally = Tally()
            for row in deposits:
                mutated = mutate(row["text"], rng)
                if mutated is None or mutated == row["text"]:
                    continue  # this mutation does not apply to this message
                outcome = judge(row, read(row, mutated))
                tally.add(outcome)
                every.add(outcome)
            print(tally.line(name))
        print(every.line("ALL drifted copies"))

    hostile(reader, sender, args.hostile, extra)


def hostile(reader: SmsReader, sender: Callable[[dict], str | None], count: int, extra: dict) -> None:
    """Hostile cases from drift.py: none may become a payable deposit of the merchant's account."""
    senders = {bank: sender({"sender": None, "bank": bank}) for bank in reader.banks}
    every = {canonical_sender(s) for d in reader.dialects.values() for s in d.senders}
    every |= {canonical_sender(s) for ss in extra.values() for s in ss}
    by_kind: Counter[str] = Counter()
    payable: Counter[str] = Counter()
    times: list[float] = []
    cpu: list[float] = []  # CPU time: what the parse costs when other processes share the cores
    reference = DEFAULT_SMSC
    for case in hostile_cases(random.Random(1405), count, {**senders, "*": "\n".join(every)}):
        start, start_cpu = time.perf_counter(), time.process_time()
        parsed = reader.parse(case.sender, case.text, reference, previous_balance=case.previous_balance)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        by_kind[case.kind] += 1
        if (
            parsed.kind is Kind.DEPOSIT
            and parsed.settles
            and parsed.sender_trusted
            # No account printed: the intake matches on the amount alone, so that is payable too.
            and (
                parsed.account is None
                or account_matches(parsed.account, digits(case.merchant_account), case.merchant_account)
            )
        ):
            payable[case.kind] += 1
    print(f"\n== hostile cases: {sum(by_kind.values())} (target: 0 payable)")
    for kind in sorted(by_kind):
        print(f"{kind:<28} {by_kind[kind]:>7}  payable {payable[kind]}")
    print(f"{'ALL':<28} {sum(by_kind.values()):>7}  payable {sum(payable.values())}")
    for label, samples in (("wall", times), ("CPU", cpu)):
        ordered = sorted(samples)
        if ordered:
            p50, p99 = ordered[len(ordered) // 2] * 1e6, ordered[int(len(ordered) * 0.99)] * 1e6
            print(
                f"parse time ({label}) over the hostile cases: p50 {p50:.0f} us, p99 {p99:.0f} us, "
                f"target p99 < 500 us, ratio {p99 / 500:.2f}"
            )


if __name__ == "__main__":
    main()
