"""A Pi's budget on this machine: confine a process to one core with a CPU quota (issue 14, item 5).

``taskset`` pins every thread of the running process to CPU 0, and a cgroup made
for the benchmark (v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``; needs root) caps it
to a CPU quota: what ``systemd-run --scope -p CPUQuota=`` does, which needs
systemd as PID 1 (a container often has none). What was applied is returned, to
be printed beside the figures.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PERIOD_US = 100_000


def confine_cgroup(pid: int, quota_percent: int, name: str) -> str | None:
    """Put ``pid`` (all its threads) under a CPU quota by a cgroup of its own; None when not possible."""
    quota = PERIOD_US * quota_percent // 100
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    try:
        if v2.exists():
            group = Path("/sys/fs/cgroup") / name
            group.mkdir(exist_ok=True)
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            group = Path("/sys/fs/cgroup/cpu") / name
            group.mkdir(exist_ok=True)
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        (group / "cgroup.procs").write_text(str(pid))
    except OSError:
        return None
    return f"cgroup cpu quota {quota_percent}%"


def release_cgroup(name: str) -> None:
    for group in (Path("/sys/fs/cgroup") / name, Path("/sys/fs/cgroup/cpu") / name):
        try:
            group.rmdir()
        except OSError:
            pass


def confine(pid: int, quota_percent: int, name: str) -> str:
    """One core (every thread of ``pid``) and a quota; returns what was applied."""
    applied = []
    if shutil.which("taskset"):
        subprocess.run(["taskset", "-a", "-p", "-c", "0", str(pid)], check=True, capture_output=True)
        applied.append("taskset -c 0")
    quota = confine_cgroup(pid, quota_percent, name)
    if quota:
        applied.append(quota)
    return ", ".join(applied) or "not confined (no taskset, no cgroup)"
