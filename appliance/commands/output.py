"""Small helpers for command output: aligned tables and times in the shop's zone."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells)


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone(TEHRAN).strftime("%Y-%m-%d %H:%M:%S") if value else ""
