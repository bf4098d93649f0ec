"""What one request costs inside the app, without HTTP: time and profile it.

Calls the WSGI app directly with a ready-made environ (no server, no test client), for a
patient with 2,000 entries, signed in with a real cookie and CSRF token. Prints the mean
time per request and, with ``--profile``, the functions that took the most time.

With ``--instructions`` it counts, instead, the CPU instructions a request takes in this
process (valgrind's callgrind, which counts the same for the same code whatever else the
machine is doing): on a machine whose speed drifts, a small change shows there and not in
the time. Each kind runs twice under callgrind, with 10 and with 10 + ``--count``
requests after the same start, and the difference is divided by ``--count``.

    python bench/perrequest.py                       # create and list 100, SQLite
    python bench/perrequest.py --db postgresql --only list --profile
    python bench/perrequest.py --only list list1 --instructions --count 100
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from common import database_url
from summary import seed_patient

from symptom_journal import create_app

PASSWORD = "a long per-request benchmark passphrase"  # noqa: S105 - a throwaway local account


def signed_in_environ(app: Any) -> dict[str, Any]:
    """Sign in through the app and return the headers of a signed-in request as environ."""
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    answer = client.post(
        "/api/v1/auth/login",
        json={"email": "bench@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    names = (app.config["LOGIN_COOKIE_NAME"], app.config["SESSION_COOKIE_NAME"])
    cookies = "; ".join(f"{name}={client.get_cookie(name).value}" for name in names)
    return {
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:5000",
        "HTTP_COOKIE": cookies,
        "HTTP_X_CSRF_TOKEN": token,
    }


def create_request(base: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    body = (
        f'{{"recorded_at": "{day}T{rng.randint(6, 22):02d}:15:00+01:00", '
        f'"mood": {rng.randint(0, 10)}, "anxiety": 3, "sleep_hours": 7.5}}'
    ).encode()
    return {
        **base,
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": f"/api/v1/entries/{uuid.uuid4()}",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }


def get_request(path: str, query: str) -> Callable[[dict[str, Any], random.Random], Any]:
    def build(base: dict[str, Any], _rng: random.Random) -> dict[str, Any]:
        return {
            **base,
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "wsgi.input": io.BytesIO(b""),
        }

    return build


KINDS: dict[str, tuple[Callable[[dict[str, Any], random.Random], Any], str]] = {
    "create": (create_request, "201"),
    "list": (get_request("/api/v1/entries", "limit=100"), "200"),
    "list1": (get_request("/api/v1/entries", "limit=1"), "200"),
    "summary": (get_request("/api/v1/summary", ""), "200"),
}


def run(app: Any, environs: list[dict[str, Any]], expected: str) -> None:
    status: list[str] = []

    def start_response(code: str, _headers: Any, _exc: Any = None) -> None:
        status.append(code)

    for environ in environs:
        status.clear()
        body = app(environ, start_response)
        try:
            for _chunk in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()
        if not status[0].startswith(expected):
            raise SystemExit(f"{environ['PATH_INFO']} answered {status[0]}")


def bench_app(url: str) -> Any:
    return create_app(
        {"SECRET_KEY": "perrequest", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    )


def replay(url: str, kind: str, count: int) -> None:
    """Sign in to the seeded database at ``url``, warm up with 10 requests of ``kind``, then
    make ``count`` more: what runs under callgrind for ``--instructions``."""
    app = bench_app(url)
    base = signed_in_environ(app)
    rng = random.Random(2)
    build, expected = KINDS[kind]
    run(app, [build(base, rng) for _ in range(10)], expected)
    run(app, [build(base, rng) for _ in range(count)], expected)


def instructions(url: str, kind: str, count: int) -> float:
    """Instructions a request of ``kind``: callgrind's totals for 10 + ``count`` and for 0 +
    ``count`` requests after the warm-up, the difference divided by ``count``."""
    totals = []
    for requests in (0, count):
        child = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--replay",
                url,
                kind,
                str(requests),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"Collected : (\d+)", child.stderr)
        if child.returncode != 0 or found is None:
            raise SystemExit(f"callgrind failed on {kind}: {child.stderr[-2000:]}")
        totals.append(int(found.group(1)))
    return (totals[1] - totals[0]) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--only", nargs="+", choices=list(KINDS), default=["create", "list"])
    parser.add_argument("--count", type=int, default=1000, help="requests timed per kind")
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count the instructions a request takes (valgrind) instead of timing it",
    )
    parser.add_argument("--replay", nargs=3, help=argparse.SUPPRESS)  # url kind count
    args = parser.parse_args()
    if args.replay:
        url, kind, count = args.replay
        replay(url, kind, int(count))
        return 0

    instance = tempfile.mkdtemp(prefix="sj-perrequest-")
    os.environ["INSTANCE_PATH"] = instance
    url = database_url(args.db, instance)
    app = bench_app(url)
    with app.app_context():
        seed_patient("bench@example.org", PASSWORD, 2000)
    if args.instructions:
        for kind in args.only:
            per_request = instructions(url, kind, args.count)
            print(
                f"{args.db} {kind:<8} {per_request / 1e6:7.3f} million instructions a request"
                f" ({args.count} requests)",
                flush=True,
            )
        return 0
    base = signed_in_environ(app)
    rng = random.Random(2)
    for kind in args.only:
        build, expected = KINDS[kind]
        run(app, [build(base, rng) for _ in range(100)], expected)  # warm up
        environs = [build(base, rng) for _ in range(args.count)]
        started = time.perf_counter()
        run(app, environs, expected)
        per_request = (time.perf_counter() - started) / args.count * 1000
        print(f"{args.db} {kind:<8} {per_request:6.3f} ms a request ({args.count} requests)")
        if args.profile:
            environs = [build(base, rng) for _ in range(args.count)]
            profiler = cProfile.Profile()
            profiler.runcall(run, app, environs, expected)
            stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
            stats.print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
