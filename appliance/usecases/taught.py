"""What the operator taught the box, as the bank SMS reader takes it: senders per bank, learned templates.

Both live in the store (tables ``taught_sender`` and ``learned_template``,
migration 0007), so they survive restarts, come back with a backup, and reach
every box of a fleet. The reader is given them through its public entry
points only: senders as ``extra_senders``, each learned template as a TOML
file written for the moment the reader loads it. :func:`stamp` changes when
anything is taught, so that a running intake rebuilds its reader (a sender
trusted from the CLI reaches the running service with the next SMS).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from appliance.sms import SmsReader, TemplateError
from appliance.store import database as store

log = logging.getLogger(__name__)


def stamp() -> tuple[int, ...]:
    """Changes whenever a sender is trusted or a format learned (or one is removed)."""
    row = store.execute(
        "SELECT (SELECT COUNT(*) FROM taught_sender), (SELECT COALESCE(MAX(id), 0) FROM taught_sender), "
        "(SELECT COUNT(*) FROM learned_template), (SELECT COALESCE(MAX(id), 0) FROM learned_template)"
    ).fetchone()
    return tuple(int(v) for v in row)


def taught_senders() -> dict[str, list[str]]:
    senders: dict[str, list[str]] = {}
    for bank, sender in store.execute("SELECT bank, sender FROM taught_sender ORDER BY id"):
        senders.setdefault(bank, []).append(sender)
    return senders


def learned_bodies() -> list[tuple[int, str]]:
    """(id, TOML) of every learned template, oldest first."""
    return [(int(i), body) for i, body in store.execute("SELECT id, body FROM learned_template ORDER BY id")]


def build_taught_reader(
    senders: Mapping[str, Sequence[str]],
    templates_dir: Path | None,
    clock: Callable[[], dt.datetime],
    extra_bodies: Sequence[tuple[str, str]] = (),
) -> SmsReader:
    """A reader with the settings' senders and templates plus everything taught (and ``extra_bodies``:
    (name, TOML) of templates being tried, not stored yet).

    A stored template the reader refuses (a later release reads templates more strictly) is left out
    with an error in the log, so that the box goes on reading with the rest.
    """
    merged: dict[str, list[str]] = {bank: list(values) for bank, values in senders.items()}
    for bank, taught in taught_senders().items():
        merged.setdefault(bank, []).extend(taught)
    bodies = [(f"learned-{i}", body) for i, body in learned_bodies()] + list(extra_bodies)
    with tempfile.TemporaryDirectory(prefix="carttocart-learned-") as folder:
        paths = []
        for name, body in bodies:
            path = Path(folder) / f"{name}.toml"
            path.write_text(body, encoding="utf-8")
            paths.append(path)
        try:
            return SmsReader(extra_senders=merged, templates_dir=templates_dir, extra_templates=paths, now=clock)
        except TemplateError as exc:
            if not paths:
                raise
            log.error("a taught sender or learned template cannot be used (%s); reading without the bad ones", exc)
            good: list[Path] = []
            for path in paths:
                try:
                    SmsReader(templates_dir=templates_dir, extra_templates=[*good, path], now=clock)
                    good.append(path)
                except TemplateError as bad:
                    log.error("learned template %s left out: %s", path.stem, bad)
            try:
                return SmsReader(extra_senders=merged, templates_dir=templates_dir, extra_templates=good, now=clock)
            except TemplateError as bad:
                log.error("taught senders left out: %s", bad)
                return SmsReader(extra_senders=senders, templates_dir=templates_dir, extra_templates=good, now=clock)
