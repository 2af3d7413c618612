"""Loading the ORM with only the database driver this process will use.

Peewee imports psycopg2 whenever it is installed, and psycopg2 loads libpq and
libssl: about 20 ms of every command's start on a PC, several times that on a
Pi, and a few MB of a SQLite box's memory. A process whose store is SQLite
never needs it, so :func:`load_orm_for` imports Peewee with psycopg2 hidden
from it. It must run before anything imports Peewee (afterwards it changes
nothing), and only in a process that opens no other database: the command line
calls it for every command but ``init`` (which may join a PostgreSQL fleet).
"""

from __future__ import annotations

import importlib
import sys

_POSTGRES_DRIVER = "psycopg2"


def load_orm_for(url: str) -> None:
    """Import Peewee for the store at ``url``: without psycopg2 when the store is SQLite."""
    if "peewee" in sys.modules or not url.startswith("sqlite:") or _POSTGRES_DRIVER in sys.modules:
        return
    sys.modules[_POSTGRES_DRIVER] = None  # type: ignore[assignment]  # `import psycopg2` raises ImportError
    try:
        importlib.import_module("peewee")
    finally:
        del sys.modules[_POSTGRES_DRIVER]
