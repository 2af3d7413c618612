"""A small JSON document on disk that the modems of one box keep between starts (what the SIM said).

:mod:`modem` cannot use the box's database (it is a leaf library), and what
it must remember is tiny and per device: the composition root names a file
in the box's data folder, next to the database. Every change is a
read-modify-write under one lock per file (several receivers share it) and
is written atomically: a temporary file in the same folder, fsync, rename,
fsync of the folder. A file that cannot be parsed is set aside (renamed
``.corrupt-<time>``) and an empty document takes its place.

With ``path=None`` the document lives in memory only (tests, a library user
that wants no file).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class StateFile:
    """One JSON object on disk (or in memory), changed only through :meth:`update`."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self._memory: dict[str, Any] = {}
        self._lock = _lock_for(str(self.path.resolve()) if self.path else f"memory:{id(self)}")

    def read(self) -> dict[str, Any]:
        """A copy of the whole document."""
        with self._lock:
            return copy.deepcopy(self._load())

    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply ``change`` to the document in place and write it; returns a copy of the new document."""
        with self._lock:
            data = self._load()
            change(data)
            self._store(data)
            return copy.deepcopy(data)

    # -- internals ----------------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if self.path is None:
            return self._memory
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.error("%s cannot be read (%s); set aside as %s and started afresh", self.path, exc, aside)
            os.replace(self.path, aside)
            return {}
        return data

    def _store(self, data: dict[str, Any]) -> None:
        if self.path is None:
            self._memory = data
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        try:
            fd = os.open(self.path.parent, os.O_RDONLY)
        except OSError:  # a folder that cannot be opened for reading: the rename is done anyway
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
