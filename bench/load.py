"""Load test: patients syncing, clinicians reading, a password guesser, all at once.

gunicorn (2 sync workers) on 127.0.0.1. For a fixed time: 40 patients sync check-ins every
few seconds (10% of them resend an id already acknowledged, some give up mid-request and
retry), 5 clinicians pull summaries and CSVs (through their links and through share links),
and one client guesses a password. Afterwards: every acknowledged id is stored exactly once
with the values sent, the number of rows equals the number of distinct ids, the access log
holds one row per successful clinician or share-link view, only the guesser saw 429, and
nobody saw a 5xx. Prints p50, p95 and p99 per endpoint.

    python bench/load.py                        # SQLite, 30 s
    python bench/load.py --db postgresql --seconds 60
    python bench/load.py --db postgresql --instances 2   # two servers, one database

With --instances 2, two app instances (each gunicorn with 2 workers, on its own port) share
the database, the secret key and, with RATELIMIT_STORAGE_URI, Redis; every client uses
them in turn, as behind a load balancer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import csrf_session, database_url, fresh_schema, wait_until_up
from crash import Server

from symptom_journal import create_app
from symptom_journal.extensions import db

PASSWORD = "a long load-test passphrase"  # noqa: S105 - throwaway local accounts
PATIENTS, CLINICIANS = 40, 5


class Recorder:
    """Latencies and statuses by endpoint, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, name: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latency[name].append(seconds)
            self.statuses[name][status] += 1


def timed(record: Recorder, name: str, http: requests.Session, method: str, url: str, **kw: Any):
    start = time.perf_counter()
    response = http.request(method, url, timeout=kw.pop("timeout", 30), **kw)
    record.add(name, time.perf_counter() - start, response.status_code)
    return response


def setup(bases: list[str]) -> dict[str, Any]:
    patients, clinicians = [], []
    for number in range(CLINICIANS):
        base = bases[number % len(bases)]
        http = csrf_session(base)
        body = {"email": f"doc{number}@example.org", "password": PASSWORD, "role": "clinician"}
        assert http.post(base + "/api/v1/auth/register", json=body, timeout=30).status_code == 201
        clinicians.append({"http": http, "patients": [], "tokens": [], "base": base})
    for number in range(PATIENTS):
        base = bases[number % len(bases)]
        http = csrf_session(base)
        body = {"email": f"pat{number}@example.org", "password": PASSWORD}
        assert http.post(base + "/api/v1/auth/register", json=body, timeout=30).status_code == 201
        doctor = clinicians[number % CLINICIANS]
        code = http.post(base + "/api/v1/care-team/invites", timeout=30).json()["code"]
        linked = doctor["http"].post(
            base + "/api/v1/clinician/links", json={"code": code}, timeout=30
        )
        doctor["patients"].append(linked.json()["id"])
        doctor["tokens"].append(
            http.post(base + "/api/v1/shares", json={}, timeout=30).json()["token"]
        )
        patients.append({"http": http, "acked": {}, "base": bases[(number + 1) % len(bases)]})
    decoy = csrf_session(bases[0])
    decoy.post(
        base + "/api/v1/auth/register",
        json={"email": "decoy@example.org", "password": PASSWORD},
        timeout=30,
    )
    return {"patients": patients, "clinicians": clinicians}


def patient_loop(
    base: str, state: dict[str, Any], record: Recorder, stop: threading.Event, seed: int
) -> None:
    rng, http = random.Random(seed), state["http"]
    while not stop.is_set():
        for _ in range(rng.randint(1, 3)):
            if state["acked"] and rng.random() < 0.1:
                record_id, body = rng.choice(list(state["acked"].items()))  # a resend
            else:
                record_id = str(uuid.uuid4())
                body = {
                    "recorded_at": "2026-03-10T21:00:00+01:00",
                    "mood": rng.randint(0, 10),
                    "note": f"{seed}-{len(state['acked'])}",
                }
            while True:
                try:
                    # Now and then the phone gives up mid-request, then retries the same PUT.
                    timeout = 0.002 if rng.random() < 0.05 else 30
                    response = timed(
                        record,
                        "PUT /api/v1/entries/<id>",
                        http,
                        "PUT",
                        f"{base}/api/v1/entries/{record_id}",
                        json=body,
                        timeout=timeout,
                    )
                except requests.RequestException:
                    continue
                if response.status_code in (200, 201):
                    state["acked"][record_id] = body
                    break
        stop.wait(rng.uniform(1.0, 4.0))


def clinician_loop(
    base: str, state: dict[str, Any], record: Recorder, stop: threading.Event, seed: int
) -> None:
    rng, http = random.Random(seed), state["http"]
    state["views"] = 0
    while not stop.is_set():
        patient, token = rng.choice(list(zip(state["patients"], state["tokens"], strict=True)))
        calls = [
            ("clinician summary", f"{base}/api/v1/clinician/patients/{patient}/summary", http),
            ("clinician CSV", f"{base}/clinician/patients/{patient}/entries.csv", http),
            ("share summary.json", f"{base}/s/{token}/summary.json", requests.Session()),
        ]
        name, url, session = rng.choice(calls)
        if timed(record, name, session, "GET", url).status_code == 200:
            state["views"] += 1
        stop.wait(rng.uniform(0.5, 2.0))


def guesser_loop(base: str, record: Recorder, stop: threading.Event) -> None:
    http = csrf_session(base)
    while not stop.is_set():
        timed(
            record,
            "POST /api/v1/auth/login (guesser)",
            http,
            "POST",
            base + "/api/v1/auth/login",
            json={"email": "decoy@example.org", "password": f"guess-{uuid.uuid4()}"},
        )
        stop.wait(0.2)


def run(database: str, seconds: float, instances: int = 1) -> bool:
    instance = tempfile.mkdtemp(prefix="sj-load-")
    url = database_url(database, instance)
    fresh_schema(url, instance)
    app = create_app({"SECRET_KEY": "load", "SQLALCHEMY_DATABASE_URI": url})
    servers = [Server(url, instance) for _ in range(instances)]
    bases = []
    for server in servers:
        server.start()
        base = f"http://127.0.0.1:{server.port}"
        wait_until_up(base, "/api/v1/health")
        bases.append(base)
    # Signed in on one instance, each client then works through the other one.
    people = setup(bases)
    record, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=patient_loop, args=(base, p, record, stop, n), daemon=True)
        for n, p in enumerate(people["patients"])
    ]
    threads += [
        threading.Thread(target=clinician_loop, args=(base, c, record, stop, 100 + n), daemon=True)
        for n, c in enumerate(people["clinicians"])
    ]
    threads.append(
        threading.Thread(target=guesser_loop, args=(bases[-1], record, stop), daemon=True)
    )
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    for server in servers:
        server.kill()

    acked = {k: v for p in people["patients"] for k, v in p["acked"].items()}
    views = sum(c["views"] for c in people["clinicians"])
    with app.app_context():
        rows = db.session.execute(db.text("SELECT id, mood, note FROM entries")).all()
        logged = db.session.execute(db.text("SELECT count(*) FROM access_log")).scalar()
        db.session.remove()
    stored = defaultdict(list)
    for row in rows:
        stored[str(uuid.UUID(str(row.id)))].append((row.mood, row.note))
    problems = []
    if any(len(v) != 1 or k not in stored for k, v in ((k, stored.get(k, [])) for k in acked)):
        problems.append("an acknowledged id is missing or stored twice")
    if any(stored[k][0] != (v["mood"], v["note"]) for k, v in acked.items() if k in stored):
        problems.append("an acknowledged id holds other values")
    if len(rows) != len(stored) or len(stored) != len(acked):
        problems.append(f"{len(rows)} rows, {len(stored)} distinct ids, {len(acked)} acknowledged")
    if logged != views:
        problems.append(f"access log has {logged} rows for {views} successful views")
    for name, statuses in record.statuses.items():
        if any(code >= 500 for code in statuses):
            problems.append(f"{name}: 5xx answers {dict(statuses)}")
        if 429 in statuses and "guesser" not in name:
            problems.append(f"{name}: 429 for someone other than the guesser")
    print(
        f"\n{database}: {seconds:.0f} s, {instances} instance(s), {PATIENTS} patients, "
        f"{CLINICIANS} clinicians, 1 guesser"
    )
    for name in sorted(record.latency):
        ms = sorted(1000 * s for s in record.latency[name])
        p95, p99 = (ms[min(len(ms) - 1, int(q * len(ms)))] for q in (0.95, 0.99))
        print(
            f"  {name:<36} n={len(ms):>5}  p50 {statistics.median(ms):7.1f} ms"
            f"  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  statuses {dict(record.statuses[name])}"
        )
    print(
        f"  {len(acked)} check-ins acknowledged and stored once; "
        f"{views} views, {logged} access-log rows"
    )
    print("  " + ("; ".join(problems) if problems else "all checks passed"))
    return not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--instances", type=int, choices=[1, 2], default=1)
    args = parser.parse_args()
    ok = True
    for database in ("sqlite", "postgresql"):
        if args.db in (database, "both"):
            ok = run(database, args.seconds, args.instances) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
