"""Small helpers for commands: Rial arguments, aligned tables, times in the shop's zone."""

from __future__ import annotations

import argparse
import datetime as dt
import zoneinfo
from collections.abc import Sequence

from appliance.domain.money import parse_whole_number

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def rial(text: str) -> int:
    """An argparse type: a positive whole number of Rial, in any digit script, with separators."""
    try:
        value = parse_whole_number(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of Rial: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("an amount is a positive number of Rial")
    return value


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells)


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone(TEHRAN).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """--from/--to (Jalali days, both included), --lang, --output: the options of ``payment|deposit export``."""
    parser.add_argument("--from", dest="first", required=True, metavar="JALALI", help="first day, e.g. 1405/09/01")
    parser.add_argument("--to", dest="last", required=True, metavar="JALALI", help="last day (included)")
    parser.add_argument("--lang", choices=["fa", "en"], default="fa", help="the language of the header and states")
    parser.add_argument("--output", "-o", default="-", metavar="FILE", help="write here instead of stdout")


def write_export(text: str, output: str) -> None:
    """The CSV (it starts with a BOM) to stdout or FILE, byte for byte (CRLF rows, UTF-8)."""
    import sys

    if output == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    else:
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
