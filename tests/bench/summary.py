"""The issue-14 table: every figure the benchmarks wrote to ``C2C_BENCH_RESULTS``, in one table.

    C2C_BENCH_RESULTS=.bench/results.jsonl .venv/bin/python tests/bench/summary.py

``make bench`` runs every benchmark with that file set, then this. Prints only;
``ratio`` is measured/target, ``met`` whether the target holds.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("C2C_BENCH_RESULTS", ".bench/results.jsonl"))
    if not path.exists():
        sys.exit(f"no results in {path}: run the benchmarks with C2C_BENCH_RESULTS={path}")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    width = max(len(r["figure"]) for r in rows) + 2
    print(f"\nIssue 14: every figure ({len(rows)} rows; {os.cpu_count()} cores)")
    print(f"{'figure':<{width}}{'target':<26}{'measured':>14}{'ratio':>8}{'met':>6}  note")
    for r in rows:
        measured = f"{r['measured']:.3g} {r['unit']}".strip()
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        met = {True: "yes", False: "NO", None: "-"}[r["met"]]
        print(f"{r['figure']:<{width}}{r['target']:<26}{measured:>14}{ratio:>8}{met:>6}  {r['note']}")


if __name__ == "__main__":
    main()
