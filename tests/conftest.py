"""Fixtures: one app per test run on SQLite or $TEST_DATABASE_URL, clean tables per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, text

from symptom_journal import create_app
from symptom_journal.extensions import db, limiter

from .factories import ApiClient, register
from .instances import gunicorn_app, make_instance  # noqa: F401 (fixtures for every test)
from .mailbox import inbox, mail_on  # noqa: F401 (fixtures for every test)


def database_url(tmp_dir: Path) -> str:
    """Return the test database: $TEST_DATABASE_URL (PostgreSQL) or a fresh SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def reset_schema() -> None:
    """Drop every table of the test database, including ones left by an earlier run."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("app")
    os.environ["INSTANCE_PATH"] = str(tmp / "instance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp),
            "PASSWORD_HASH_PROFILE": "cheapest",
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        }
    )
    app.test_client_class = ApiClient
    with app.app_context():
        reset_schema()
        # The schema comes from the migrations, so every run also tests them.
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def delete_all_rows() -> None:
    """Empty every table, children first."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean(app: Flask) -> Iterator[None]:
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        db.session.remove()
        delete_all_rows()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def patient(app: Flask) -> ApiClient:
    """A client signed in as a new patient; its user is ``client.user``."""
    return register(app.test_client(), email="pat@example.org")


@pytest.fixture
def other_patient(app: Flask) -> ApiClient:
    return register(app.test_client(), email="other@example.org")


@pytest.fixture
def clinician(app: Flask) -> ApiClient:
    return register(app.test_client(), email="doc@example.org", role="clinician")


@pytest.fixture
def sql(app: Flask) -> Callable[[Callable[[Any], Any]], Any]:
    """Run ``fn(session)`` in an app context of its own, commit, and return its result.

    A test must not keep an app context open around its requests: the test client would
    reuse it, and with it ``g`` and the signed-in user, across requests.
    """

    def run(fn: Callable[[Any], Any]) -> Any:
        with app.app_context():
            result = fn(db.session)
            db.session.commit()
            db.session.remove()
            return result

    return run


OTHER_DATABASE = "runs on the other database only"


def current_dialect() -> str:
    """Return the dialect of this run's database: postgresql or sqlite."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgres") else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test marked only_on("postgresql") is about that database's own behaviour (a server
    # to restart); on the other it is skipped with the reason, which CI's run on that
    # database covers.
    dialect = current_dialect()
    for item in items:
        marker = item.get_closest_marker("only_on")
        if marker is not None and marker.args[0] != dialect:
            reason = f"{OTHER_DATABASE} ({marker.args[0]}; this run: {dialect})"
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # On CI nothing may be silently skipped: a missing browser or database is a failure.
    # A test for the other database is not missing anything: CI runs both.
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [
        report
        for report in (reporter.stats.get("skipped", []) if reporter else [])
        if OTHER_DATABASE not in str(report.longrepr)
    ]
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} skipped test(s) count as failures.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1 from a thread; yield its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped (a failure on CI) when it is missing."""
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=BROWSER_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    """A folder for screenshots and other things a person may want to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
