"""Crash test: SIGKILL the server under write load, again and again; nothing acknowledged
may be lost or stored twice.

Serves the app with gunicorn (2 sync workers) on 127.0.0.1; 8 clients sign in and PUT
check-ins with client-made ids, retrying each one until it is acknowledged (200/201), as
the app's outbox does. Meanwhile the whole server is killed with SIGKILL 20 times at random
moments and started again. Afterwards every acknowledged id must be stored exactly once
with the values sent, the per-day and per-week rows must equal the entries reduced afresh,
and on SQLite `PRAGMA integrity_check` must say ok.

    python bench/crash.py                     # SQLite
    python bench/crash.py --db postgresql --kills 20 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_url, free_port, fresh_schema, gunicorn

from symptom_journal import create_app
from symptom_journal.extensions import db
from symptom_journal.journal import days

PASSWORD = "a long crash-test passphrase"  # noqa: S105 - throwaway local accounts
CLIENTS = 8


class Server:
    def __init__(self, url: str, instance: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "crash",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = gunicorn("symptom_journal:create_app()", self.port, self.env)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # master and workers, mid-request
        self.process.wait()


class Writer(threading.Thread):
    """A phone: PUTs check-ins one after another, each retried until acknowledged."""

    def __init__(self, base: str, number: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.number, self.stop = base, number, stop
        self.acknowledged: dict[str, dict[str, Any]] = {}
        self.retries = 0
        self.http = requests.Session()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        while True:
            try:
                return self.http.request(method, self.base + path, timeout=10, **kwargs)
            except requests.RequestException:
                self.retries += 1
                time.sleep(0.05)

    def sign_in(self) -> None:
        """Sign in, registering the account the first time; a 429 or a lost answer is waited
        out and tried again, as the app does."""
        body = {"email": f"crash{self.number}@example.org", "password": PASSWORD}
        while True:
            self.http.cookies.clear()
            try:
                token = self.call("GET", "/api/v1/auth/csrf").json()["csrf_token"]
            except (ValueError, KeyError):  # an answer cut short by a kill
                self.retries += 1
                continue
            self.http.headers["X-CSRF-Token"] = token
            status = self.call("POST", "/api/v1/auth/login", json=body).status_code
            if status == 401:  # no such account yet
                status = self.call("POST", "/api/v1/auth/register", json=body).status_code
            if status in (200, 201):
                return
            self.retries += 1
            time.sleep(0.5 if status == 429 else 0.05)

    def run(self) -> None:
        self.sign_in()
        rng = random.Random(self.number)
        while not self.stop.is_set():
            record_id = str(uuid.uuid4())
            # A few check-ins a day, over two years, as a patient's fall.
            day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 729))
            body = {
                "recorded_at": f"{day.isoformat()}T{rng.randint(6, 22):02d}:00:00+01:00",
                "mood": rng.randint(0, 10),
                "note": f"client {self.number} write {len(self.acknowledged)}",
            }
            while True:
                response = self.call("PUT", f"/api/v1/entries/{record_id}", json=body)
                if response.status_code in (200, 201):
                    self.acknowledged[record_id] = body
                    break
                if response.status_code in (401, 403):
                    self.sign_in()  # the server restarted mid-sign-in; sessions live on
                else:
                    self.retries += 1
                    time.sleep(0.05)


def run(database: str, kills: int, seconds: float) -> bool:
    instance = tempfile.mkdtemp(prefix="sj-crash-")
    url = database_url(database, instance)
    fresh_schema(url, instance)
    app = create_app({"SECRET_KEY": "crash", "SQLALCHEMY_DATABASE_URI": url})
    server = Server(url, instance)
    server.start()
    stop = threading.Event()
    writers = [Writer(f"http://127.0.0.1:{server.port}", n, stop) for n in range(CLIENTS)]
    for writer in writers:
        writer.start()
    rng = random.Random(7)
    started = time.monotonic()
    for _ in range(kills):
        time.sleep(rng.uniform(0.1, 2 * seconds / kills))
        server.kill()
        time.sleep(rng.uniform(0.0, 0.3))
        server.start()
    time.sleep(1.0)
    stop.set()
    for writer in writers:
        writer.join(timeout=60)
    elapsed = time.monotonic() - started
    server.kill()

    acknowledged = {k: v for w in writers for k, v in w.acknowledged.items()}
    with app.app_context():
        rows = db.session.execute(db.text("SELECT id, mood, note FROM entries")).all()
        integrity = (
            db.session.execute(db.text("PRAGMA integrity_check")).scalar()
            if database == "sqlite"
            else "n/a"
        )
        derived_ok = derived_rows_in_step(database)
        db.session.remove()
    stored: dict[str, list[tuple[Any, Any]]] = {}
    for row in rows:
        key = str(uuid.UUID(str(row.id)))
        stored.setdefault(key, []).append((row.mood, row.note))
    lost = [k for k in acknowledged if k not in stored]
    doubled = [k for k, v in stored.items() if len(v) > 1]
    altered = [
        k for k, v in acknowledged.items() if k in stored and stored[k][0] != (v["mood"], v["note"])
    ]
    print(
        f"{database}: {kills} SIGKILLs in {elapsed:.1f} s; "
        f"{len(acknowledged)} writes acknowledged, "
        f"{len(rows)} rows stored, {sum(w.retries for w in writers)} retries; lost {len(lost)}, "
        f"stored twice {len(doubled)}, altered {len(altered)}; integrity_check: {integrity}; "
        f"day and week rows {'in step' if derived_ok else 'NOT in step'} with the entries"
    )
    return (
        not lost
        and not doubled
        and not altered
        and integrity in ("ok", "n/a")
        and derived_ok
        and len(acknowledged) > 0
    )


def derived_rows_in_step(database: str) -> bool:
    """The per-day and per-week rows the triggers keep equal the entries reduced afresh:
    a killed write took its derived rows with it, or left them whole."""
    week = days.week_of("local_date", database)
    queries = {
        "days": (
            "SELECT owner_id, local_date, count(*), count(mood), sum(mood) FROM entries "
            "WHERE deleted_at IS NULL GROUP BY owner_id, local_date",
            "SELECT owner_id, local_date, entries, mood_n, mood_sum FROM entry_days",
        ),
        "weeks": (
            f"SELECT owner_id, {week}, count(*), sum(entries), sum(mood_sum) FROM entry_days "
            f"GROUP BY owner_id, {week}",
            "SELECT owner_id, week_start, days, entries, mood_sum FROM entry_weeks",
        ),
    }
    in_step = True
    for fresh, kept in queries.values():
        expected, found = (
            {
                (str(r[0]), str(r[1])): tuple(None if v is None else float(v) for v in r[2:])
                for r in db.session.execute(db.text(q))
            }
            for q in (fresh, kept)
        )
        in_step = in_step and expected == found
    return in_step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="about how long to run")
    args = parser.parse_args()
    ok = True
    for database in ("sqlite", "postgresql"):
        if args.db in (database, "both"):
            ok = run(database, args.kills, args.seconds) and ok
    print("Nothing acknowledged was lost or doubled." if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
