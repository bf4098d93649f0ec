"""Throughput and latency of the API against what Flask on this machine can do at all.

One run, one configuration for everything: gunicorn with 2 sync workers on 127.0.0.1,
driven by wrk (1 thread, 8 connections, 10 s each). Measured: a bare WSGI callable, then
the app signed in: create an entry (PUT with a new id each time), list 100 entries, the
90-day summary and the CSV export of a patient with 2,000 entries, each between two runs
of a Flask hello endpoint. Prints requests per second, p50 and p99, and each endpoint's
ratio to the mean of the two Flask hello runs beside it.

    python bench/throughput.py                 # SQLite
    python bench/throughput.py --db postgresql
    python bench/throughput.py --db postgresql --only create --cpu   # where the CPU time goes
    python bench/throughput.py --rounds 3      # each endpoint three times, judged on the median

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
import statistics
import subprocess
import tempfile
from dataclasses import dataclass

from common import database_url, free_port, gunicorn, signed_in_session, wait_until_up
from summary import seed_patient

from symptom_journal import create_app

PASSWORD = "a long http benchmark passphrase"  # noqa: S105 - a throwaway local account
DURATION = "10s"
TARGETS = {"create entry": 0.20, "list 100 entries": 0.15}


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


@dataclass
class Round:
    """One wrk run of an endpoint, with the floor beside it and the CPU it used."""

    result: dict[str, float]
    floor: float  # the mean of the Flask hello runs before and after it, req/s
    cpu: dict[str, float]

    @property
    def ratio(self) -> float:
        return self.result["rate"] / self.floor


def sign_in(base: str) -> dict[str, str]:
    """Sign the benchmark's patient in on the server at ``base``; return the headers that
    carry the session (cookie and CSRF token), for wrk."""
    http = signed_in_session(base, "http@example.org", PASSWORD)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": str(http.headers["X-CSRF-Token"])}


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
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user and system) each of ``pids`` has used so far; gone ones left out."""
    per_tick = 1 / os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) * per_tick
    return used


def database_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


class CpuMeter:
    """CPU time a request of one wrk run: the app's workers, the database server's
    processes (those started during the run counted in full), and wrk itself."""

    def __init__(self, master: int) -> None:
        self.master = master

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        return [int(pid) for pid in children.split()]

    def start(self) -> None:
        self.workers_before = cpu_seconds(self.workers())
        self.database_before = cpu_seconds(database_pids())
        self.wrk_before = os.times()

    def stop(self, requests: float) -> dict[str, float]:
        def spent(before: dict[int, float], after: dict[int, float]) -> float:
            return sum(used - before.get(pid, 0.0) for pid, used in after.items())

        wrk_after = os.times()
        wrk_used = (wrk_after.children_user + wrk_after.children_system) - (
            self.wrk_before.children_user + self.wrk_before.children_system
        )
        return {
            "workers": spent(self.workers_before, cpu_seconds(self.workers())) / requests,
            "database": spent(self.database_before, cpu_seconds(database_pids())) / requests,
            "wrk": wrk_used / requests,
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
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every endpoint this many times and judge each on its median ratio",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="also print the CPU time a request of the workers, the database server and wrk",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
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

    process, base = serve("wsgi_targets:bare", env)
    bare = wrk(base + "/", {})
    stop(process)

    # Signed in once; the session lives in the database, so every server started below
    # takes the same cookie.
    process, base = serve("symptom_journal:create_app()", env)
    signed_in = sign_in(base)
    stop(process)
    runs = {
        "create": ("create entry", "/", "put_entry.lua"),
        "list": ("list 100 entries", "/api/v1/entries?limit=100", None),
        "summary": ("summary (90 days)", "/api/v1/summary", None),
        "csv": ("CSV export (2,000+ rows)", "/api/v1/export/entries.csv", None),
    }
    # The floor runs before and after each endpoint, and the endpoint's ratio is to the mean
    # of the two: the machine's speed drifts over minutes (on one machine Flask hello ran at
    # 3,500 and at 4,300 req/s within the same run), and a floor measured only at the start
    # and the end of the run let an endpoint's ratio swing with it. With --rounds the whole
    # sequence runs again, and an endpoint is judged on its median ratio.
    hellos = [hello_run(env)]
    rounds: dict[str, list[Round]] = {}
    for _ in range(args.rounds):
        for key, (name, path, script) in runs.items():
            if key not in wanted:
                continue
            process, base = serve("symptom_journal:create_app()", env)
            meter = CpuMeter(process.pid)
            meter.start()
            result = wrk(base + path, signed_in, script)
            used = meter.stop(result["requests"])
            stop(process)
            hellos.append(hello_run(env))
            floor = (hellos[-2]["rate"] + hellos[-1]["rate"]) / 2
            rounds.setdefault(name, []).append(Round(result, floor, used))

    failed = []
    print(f"\n{args.db}: gunicorn, 2 sync workers; wrk 1 thread, 8 connections, {DURATION} each")
    print(
        f"  Flask hello, {len(hellos)} runs, one before and after each endpoint's: "
        + ", ".join(f"{run['rate']:.0f}" for run in hellos)
        + " req/s"
    )
    hello = statistics.mean(run["rate"] for run in hellos)
    print(
        f"  {'bare WSGI':<26} {bare['rate']:>8.0f} req/s  p50 {bare['p50']:7.2f} ms  p99"
        f" {bare['p99']:7.2f} ms  ({bare['p99'] / bare['p50']:.1f}x p50)"
        f"  {bare['rate'] / hello:5.2f}x Flask hello (the mean of all its runs)"
    )
    print("  each endpoint against the mean of the two Flask hello runs beside it:")
    for name, measured in rounds.items():
        ordered = sorted(measured, key=lambda run: run.ratio)
        middle = ordered[(len(ordered) - 1) // 2]  # the median (the lower one of an even count)
        r = middle.result
        print(
            f"  {name:<26} {r['rate']:>8.0f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms"
            f"  ({r['p99'] / r['p50']:.1f}x p50)  {middle.ratio:5.2f}x Flask hello"
            + (
                f"  (median of {len(measured)} rounds: "
                + ", ".join(f"{run.ratio:.2f}" for run in measured)
                + ")"
                if len(measured) > 1
                else ""
            )
        )
        if name in TARGETS and middle.ratio < TARGETS[name]:
            failed.append(f"{name}: {middle.ratio:.3f}x Flask hello < {TARGETS[name]}")
        for run in measured:
            r = run.result
            if r["p99"] > 3 * r["p50"]:
                failed.append(f"{name}: p99 {r['p99']:.1f} ms > 3x p50 {r['p50']:.1f} ms")
            if r["errors"]:
                failed.append(f"{name}: {int(r['errors'])} non-2xx answers")
    if args.cpu:
        print("  CPU time a request (workers + database server + wrk), and the time of all the")
        print(f"  machine's {os.cpu_count()} cores a request at the rate reached, each round:")
        for name, measured in rounds.items():
            for run in measured:
                used, total = run.cpu, sum(run.cpu.values())
                cores = (os.cpu_count() or 1) / run.result["rate"]
                print(
                    f"  {name:<26} {used['workers'] * 1e3:5.2f} + {used['database'] * 1e3:4.2f}"
                    f" + {used['wrk'] * 1e3:4.2f} = {total * 1e3:5.2f} ms of {cores * 1e3:5.2f} ms"
                )
    print("\n".join(f"MISSED: {f}" for f in failed) if failed else "All targets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
