"""Throughput and latency of the API against what Flask on this machine can do at all.

One run, one configuration for everything: gunicorn with 2 sync workers on 127.0.0.1,
driven by wrk (1 thread, 8 connections, 10 s each). Measured: a bare WSGI callable, a
Flask hello endpoint, then the app signed in: create an entry (PUT with a new id each
time), list 100 entries, the 90-day summary and the CSV export of a patient with 2,000
entries, then Flask hello again. Prints requests per second, p50 and p99, and the ratios to
Flask hello's mean over its two runs.

    python bench/throughput.py                 # SQLite
    python bench/throughput.py --db postgresql

(Not named http.py: a file of that name in bench/ would shadow the standard library's
http package for every script run from this folder.)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import argparse
import os
import re
import signal
import subprocess
import tempfile

import requests
from common import database_url, free_port, gunicorn, wait_until_up
from summary import seed_patient

from symptom_journal import create_app

PASSWORD = "a long http benchmark passphrase"  # noqa: S105 - a throwaway local account
DURATION = "10s"
TARGETS = {"create entry": 0.25, "list 100 entries": 0.15}


def serve(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = gunicorn(target, port, env, "--chdir", str(HERE / "targets"))
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base)
    return process, base


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def hello_run(env: dict[str, str]) -> dict[str, float]:
    process, base = serve("wsgi_targets:hello", env)
    try:
        return wrk(base + "/", {})
    finally:
        stop(process)


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group()), re.sub(r"[\d.]+", "", text)  # type: ignore[union-attr]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, headers: dict[str, str], script: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t1", "-c8", f"-d{DURATION}", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(HERE / "lua" / script)]
    run = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed on {url}: {run.stdout} {run.stderr}")
    output = run.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["create", "list", "summary", "csv"],
        help="measure only these app endpoints (the two floors always run)",
    )
    args = parser.parse_args()
    wanted = set(args.only or ["create", "list", "summary", "csv"])
    instance = tempfile.mkdtemp(prefix="sj-http-")
    url = database_url(args.db, instance)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "http",
        "RATELIMIT_ENABLED": "false",
    }
    os.environ["INSTANCE_PATH"] = instance
    app = create_app({"SECRET_KEY": "http", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        seed_patient("http@example.org", PASSWORD, 2000)

    results: dict[str, dict[str, float]] = {}
    process, base = serve("wsgi_targets:bare", env)
    results["bare WSGI"] = wrk(base + "/", {})
    stop(process)
    results["Flask hello"] = hello_run(env)

    process, base = serve("symptom_journal:create_app()", env)
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(base + "/api/v1/auth/csrf", timeout=10).json()[
        "csrf_token"
    ]
    assert (
        http.post(
            base + "/api/v1/auth/login", json={"email": "http@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    signed_in = {"Cookie": cookie, "X-CSRF-Token": http.headers["X-CSRF-Token"]}
    if "create" in wanted:
        results["create entry"] = wrk(base + "/", signed_in, "put_entry.lua")
    if "list" in wanted:
        results["list 100 entries"] = wrk(base + "/api/v1/entries?limit=100", signed_in)
    if "summary" in wanted:
        results["summary (90 days)"] = wrk(base + "/api/v1/summary", signed_in)
    if "csv" in wanted:
        results["CSV export (2,000+ rows)"] = wrk(base + "/api/v1/export/entries.csv", signed_in)
    stop(process)
    # The floor again, after the app: the machine's speed drifts over minutes, and the
    # ratios are taken to the mean of the two.
    results["Flask hello (again)"] = hello_run(env)

    hello = (results["Flask hello"]["rate"] + results["Flask hello (again)"]["rate"]) / 2
    failed = []
    print(f"\n{args.db}: gunicorn, 2 sync workers; wrk 1 thread, 8 connections, {DURATION} each")
    print(f"  ratios to Flask hello's mean over its two runs: {hello:.0f} req/s")
    for name, r in results.items():
        ratio = r["rate"] / hello
        print(
            f"  {name:<26} {r['rate']:>8.0f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms"
            f"  ({r['p99'] / r['p50']:.1f}x p50)  {ratio:5.2f}x Flask hello"
            + (f"  {int(r['errors'])} non-2xx!" if r["errors"] else "")
        )
        if name in TARGETS and ratio < TARGETS[name]:
            failed.append(f"{name}: {ratio:.2f}x Flask hello < {TARGETS[name]}")
        if r["p99"] > 3 * r["p50"]:
            failed.append(f"{name}: p99 {r['p99']:.1f} ms > 3x p50 {r['p50']:.1f} ms")
        if r["errors"]:
            failed.append(f"{name}: {int(r['errors'])} non-2xx answers")
    print("\n".join(f"MISSED: {f}" for f in failed) if failed else "All targets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
