"""What the benchmarks share: a fresh database, a free port, a server that answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from symptom_journal import create_app
from symptom_journal.extensions import db

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def prepare_postgres(base_url: str) -> str:
    """(Re)create the database symptom_journal_bench on ``base_url``'s server; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS symptom_journal_bench"))
        conn.execute(text("CREATE DATABASE symptom_journal_bench"))
    admin.dispose()
    return url.set(database="symptom_journal_bench").render_as_string(hide_password=False)


def database_url(database: str, folder: str) -> str:
    """Return an empty database to seed: an SQLite file in ``folder``, or the PostgreSQL
    bench database recreated on $BENCH_POSTGRES_URL's server (default: the local one)."""
    if database == "sqlite":
        return f"sqlite:///{folder}/journal.db"
    return prepare_postgres(os.environ.get("BENCH_POSTGRES_URL", POSTGRES_SERVER))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(base: str, path: str = "/", seconds: float = 20.0) -> None:
    """Return once ``base + path`` answers at all (a server just started)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            requests.get(base + path, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)


def gunicorn(
    target: str, port: int, env: dict[str, str], *options: str, workers: int = 2
) -> subprocess.Popen[bytes]:
    """Start gunicorn serving ``target`` on 127.0.0.1:``port``, in a process group of its own
    (so that the master and its workers can be signalled together), output discarded."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            target,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def csrf_session(base: str, timeout: float = 30) -> requests.Session:
    """Return an HTTP session for the server at ``base`` holding a CSRF cookie and sending
    its token with every request."""
    http = requests.Session()
    token = http.get(base + "/api/v1/auth/csrf", timeout=timeout).json()["csrf_token"]
    http.headers["X-CSRF-Token"] = token
    return http


def signed_in_session(base: str, email: str, password: str) -> requests.Session:
    """Return a ``csrf_session`` signed in as ``email``."""
    http = csrf_session(base)
    answer = http.post(
        base + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"signing in as {email} answered {answer.status_code}: {answer.text}")
    return http


def fresh_schema(url: str, instance: str) -> None:
    """Give the database at ``url`` an empty schema of the current models."""
    os.environ["INSTANCE_PATH"] = instance
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
