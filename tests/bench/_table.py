"""Rows of the issue-14 table: each benchmark appends its figures, ``summary.py`` prints them together.

A row is (figure, target, measured, unit, ratio, met, note): ``ratio`` is measured/target, as
the benchmarks print it, and ``met`` says whether the target holds (above it for a "higher is
better" figure, below it otherwise). Rows go to the JSON-lines file named by ``C2C_BENCH_RESULTS``
(``make bench`` sets it); without it they are only printed by the benchmark itself.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Sequence


def spread(values: Sequence[float], digits: int = 2) -> str:
    """``median (min-max, n runs)`` of several runs."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f} (1 run)"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f}, {len(values)} runs)"


def record(
    figure: str,
    target: str,
    measured: float,
    unit: str = "",
    *,
    higher_is_better: bool,
    target_value: float | None,
    note: str = "",
) -> None:
    ratio = None if not target_value else measured / target_value
    met = None if target_value is None else (measured >= target_value if higher_is_better else measured <= target_value)
    row = {
        "figure": figure,
        "target": target,
        "measured": measured,
        "unit": unit,
        "ratio": ratio,
        "met": met,
        "note": note,
    }
    path = os.environ.get("C2C_BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
