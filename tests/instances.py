"""Other instances of the app: new ones, each on an empty database of the test run's kind (a
SQLite file, or a database made on the run's PostgreSQL server), for restores and migrations;
and the test run's own database served by gunicorn in a process of its own, for timings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from symptom_journal import create_app
from symptom_journal.extensions import db

from .factories import ApiClient
from .mailbox import free_port


def _recreate_database(url: str, name: str, *, create: bool) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if create:
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def make_instance(app: Flask, tmp_path: Path) -> Iterator[Any]:
    """Make new instances of the app, each on an empty database of the test run's kind."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    postgres = url.startswith("postgresql")
    made: list[tuple[Flask, str]] = []

    def make(name: str) -> Flask:
        if postgres:
            target = _recreate_database(url, name, create=True)
        else:
            (tmp_path / name).mkdir()
            target = f"sqlite:///{tmp_path / name / 'journal.db'}"
        config = {k: app.config[k] for k in ("SECRET_KEY", "PASSWORD_HASH_PROFILE", "TESTING")}
        instance = create_app({**config, "SQLALCHEMY_DATABASE_URI": target})
        instance.test_client_class = ApiClient
        made.append((instance, name))
        return instance

    yield make
    for instance, name in made:
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()
        if postgres:
            _recreate_database(url, name, create=False)


@pytest.fixture
def gunicorn_app(app: Flask, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Serve the test run's database with gunicorn (one sync worker) in a process of its
    own, as `make run` serves the app; call with settings for its environment, get its base
    URL. Times taken against it are the server's alone, as a client on another machine would
    see them: an app served from a thread of the test's own process shares the interpreter
    lock with the client timing it, and one sharing its CPU core delays the client's reading
    of an answer by the work it does after it. So, given two cores or more, the server runs
    on one and the test on the others."""
    servers: list[subprocess.Popen[bytes]] = []
    cores = sorted(os.sched_getaffinity(0))
    pinned = len(cores) >= 2 and shutil.which("taskset") is not None

    def serve(**settings: str) -> str:
        port = free_port()
        environment = {
            **os.environ,
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
            "ACCESS_LOG": "false",
            **settings,
        }
        command = [
            *(["taskset", "-c", str(cores[-1])] if pinned else []),
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:symptom_journal.gunicorn_conf",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "symptom_journal:create_app()",
        ]
        servers.append(subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    if pinned:
                        os.sched_setaffinity(0, cores[:-1])
                    return base
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /api/v1/health within 30 seconds")

    try:
        yield serve
    finally:
        os.sched_setaffinity(0, cores)
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
