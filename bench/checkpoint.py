"""What one SQLite checkpoint costs here: entries are written with the app's schema and
triggers and SQLite's own checkpoints off, then the write-ahead log is copied into the
database file (``PRAGMA wal_checkpoint(PASSIVE)``) every N writes. Printed: the time a
write, the time a checkpoint and the pages it copied, with the checkpoint's ``fsync`` calls
(``synchronous=NORMAL``, as the app runs) and without them (``OFF``), which shows how much
of it is the disk.

    python bench/checkpoint.py
    python bench/checkpoint.py --every 20 125 500

The app copies the log on a thread while writes go on (``db.BackgroundCheckpoints``):
before, a commit did it with the writer lock held.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import argparse
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from summary import seed_patient

from symptom_journal import create_app
from symptom_journal.db import driver_statement, utcnow
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry
from symptom_journal.journal.service import ENTRIES
from symptom_journal.records import insert_if_new, new_row

ROUNDS = 20
Insert = Callable[[uuid.UUID, datetime], tuple[str, Any]]


def run(path: str, every: int, synchronous: str, insert: Insert, rng: random.Random) -> str:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    owner = uuid.UUID(connection.execute("SELECT id FROM users LIMIT 1").fetchone()[0])
    first_day = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    writing = copying = 0.0
    pages = 0
    for _round in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(every):
            moment = first_day + timedelta(days=rng.randrange(730), hours=rng.randrange(6, 22))
            connection.execute(*insert(owner, moment))
        written = time.perf_counter()
        _busy, _logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        copying += time.perf_counter() - written
        writing += written - started
        pages += copied
    connection.close()
    per_write = writing / ROUNDS / every * 1e6
    return (
        f"  every {every:>4} writes, synchronous={synchronous:<6}: a write {per_write:4.0f} µs;"
        f" a checkpoint {copying / ROUNDS * 1e3:6.2f} ms for {pages / ROUNDS:5.0f} pages"
        f" ({pages / ROUNDS / every:.1f} a write)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, nargs="+", default=[20, 125, 500])
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="sj-checkpoint-")
    os.environ["INSTANCE_PATH"] = instance
    path = f"{instance}/journal.db"
    app = create_app({"SECRET_KEY": "checkpoint", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        seed_patient("checkpoint@example.org", "a long checkpoint benchmark passphrase", 2000)
        # The app's own INSERT of a new entry, as it sends it to the driver.
        dialect = db.engine.dialect
        statement = insert_if_new(Entry.__table__, dialect.name)

    def insert(owner: uuid.UUID, moment: datetime) -> tuple[str, Any]:
        values = {"recorded_at": moment, "mood": 5, "anxiety": 3, "sleep_hours": 7.5}
        row = new_row(ENTRIES, owner_id=owner, record_id=uuid.uuid4(), values=values, now=utcnow())
        compiled = driver_statement(statement, dialect, tuple(row))
        assert compiled is not None
        return compiled.sql, compiled.parameters(row)

    rng = random.Random(3)
    print(f"SQLite in {instance}, {ROUNDS} checkpoints each:")
    for every in args.every:
        for synchronous in ("NORMAL", "OFF"):
            print(run(path, every, synchronous, insert, rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
