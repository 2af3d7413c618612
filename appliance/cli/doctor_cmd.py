"""``carttocart doctor``: check the box and say what is wrong, in plain words (exit 1 when anything is)."""

from __future__ import annotations

import argparse

from appliance.box.doctor import FAIL, Doctor
from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext

LABELS = {"ok": " OK ", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help=help_for("doctor"))
    parser.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace, ctx: CommandContext) -> int:
    findings = Doctor(ctx.config_path).run()
    for finding in findings:
        print(f"[{LABELS[finding.status]}] {finding.check}: {finding.message}")
    failed = [f for f in findings if f.status == FAIL]
    print(f"{len(failed)} problem(s) found." if failed else "Everything checked is fine.")
    return 1 if failed else 0
