"""Benchmark of GET /api/v1/export/entries.csv over HTTP against the databases' own CSV tools.

Seeds one patient with 100,000 and then 1,000,000 entries, serves the app with gunicorn
(one sync worker, so its memory is the worker's) on 127.0.0.1, downloads the CSV and
prints rows per second and the worker's peak memory (VmHWM) next to `sqlite3 -csv` and
`psql \\copy` reading the same rows in the same run.

    python bench/export.py                      # SQLite, then PostgreSQL
    python bench/export.py --db sqlite --sizes 100000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_url, free_port, gunicorn, signed_in_session, wait_until_up
from summary import add_user, entry_rows, insert_batches

from symptom_journal import create_app
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry

PASSWORD = "a long benchmark passphrase"  # noqa: S105 - a throwaway local account
ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"sqlite": 0.25, "postgresql": 0.5}
FLOOR_SQL = (
    "SELECT id, recorded_at, mood, anxiety, sleep_hours, sleep_quality, dissociation, systolic, "
    "diastolic, heart_rate, side_effects, note, session_id, phase, version, created_at, "
    "updated_at FROM entries WHERE owner_id = {owner} AND deleted_at IS NULL "
    "ORDER BY recorded_at, id"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed(url: str, count: int, instance: str) -> str:
    """Create a patient with ``count`` entries; return their id as the database stores it."""
    os.environ["INSTANCE_PATH"] = instance
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        owner = add_user("export@example.org", PASSWORD)
        insert_batches(entry_rows(owner, count, random.Random(count)), Entry.__table__)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        db.session.remove()
        db.engine.dispose()
    return owner.hex if url.startswith("sqlite") else str(owner)


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def memory_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


class Sampler(threading.Thread):
    """Samples a process's resident memory every 20 ms; ``peak`` is the largest seen.

    Resident memory during the download, not the process's all-time high-water mark:
    signing in hashes a password with Argon2id, which takes 64 MiB for a moment and
    gives it back, and is not the export's doing.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, memory_mib(self.pid))
            time.sleep(0.02)


def download(url: str, instance: str) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench"}
    server = gunicorn("symptom_journal:create_app()", port, env, "--timeout", "600", workers=1)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, "/api/v1/health")
        worker = worker_pid(server.pid)
        http = signed_in_session(base, "export@example.org", PASSWORD)
        before = memory_mib(worker)
        sampler = Sampler(worker)
        sampler.start()
        start = time.perf_counter()
        lines = 0
        with http.get(f"{base}/api/v1/export/entries.csv", stream=True, timeout=600) as response:
            assert response.status_code == 200
            for chunk in response.iter_content(chunk_size=1 << 16):
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        return {"rows": lines - 1, "seconds": seconds, "peak_mib": sampler.peak, "idle_mib": before}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def floor(database: str, url: str, owner: str) -> dict[str, Any]:
    if database == "sqlite":
        path = url.removeprefix("sqlite:///")
        command = ["sqlite3", "-csv", "-header", path, FLOOR_SQL.format(owner=f"'{owner}'")]
    else:
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        query = FLOOR_SQL.format(owner=f"'{owner}'")
        command = ["psql", dsn, "-qc", f"\\copy ({query}) TO STDOUT WITH CSV HEADER"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=True)
    seconds = time.perf_counter() - start
    return {"rows": result.stdout.count(b"\n") - 1, "seconds": seconds}


def run(database: str, sizes: list[int]) -> list[str]:
    failures = []
    peaks = []
    print(f"\n{database}: GET /api/v1/export/entries.csv over HTTP vs the database's CSV tool")
    for size in sizes:
        instance = tempfile.mkdtemp(prefix="sj-export-")
        url = database_url(database, instance)
        log(f"[{database}] seeding {size:,} entries")
        owner = seed(url, size, instance)
        ours = download(url, instance)
        theirs = floor(database, url, owner)
        assert ours["rows"] == theirs["rows"] == size, (ours, theirs)
        rate, floor_rate = size / ours["seconds"], size / theirs["seconds"]
        ratio = rate / floor_rate
        peaks.append(ours["peak_mib"])
        tool = "sqlite3 -csv" if database == "sqlite" else "psql \\copy"
        print(
            f"  {size:>9,} rows: {rate:>9,.0f} rows/s ({ours['seconds']:.2f} s), "
            f"{tool} {floor_rate:>9,.0f} rows/s"
            f" ({theirs['seconds']:.2f} s), ratio {ratio:.2f} (target >= {TARGETS[database]}); "
            f"worker resident {ours['peak_mib']:.1f} MiB at most (before {ours['idle_mib']:.1f})"
        )
        if ratio < TARGETS[database]:
            failures.append(f"{database} {size:,}: {ratio:.2f} < {TARGETS[database]}")
        if ours["peak_mib"] >= 100:
            failures.append(f"{database} {size:,}: worker peak {ours['peak_mib']:.1f} MiB")
        shutil.rmtree(instance, ignore_errors=True)
    if len(peaks) == 2:
        growth = peaks[1] / peaks[0] - 1
        print(
            f"  peak memory from {sizes[0]:,} to {sizes[1]:,} rows: {growth:+.1%} "
            "(target within 10%)"
        )
        if abs(growth) > 0.10:
            failures.append(f"{database}: memory grew {growth:+.1%}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    failures = []
    for database in ("sqlite", "postgresql"):
        if args.db in (database, "both"):
            failures += run(database, args.sizes)
    print()
    print("\n".join(f"MISSED: {f}" for f in failures) if failures else "All targets met.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
