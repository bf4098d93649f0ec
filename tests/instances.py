"""New instances of the app, each on an empty database of the test run's kind (a SQLite
file, or a database made on the run's PostgreSQL server): for restores and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from symptom_journal import create_app
from symptom_journal.extensions import db

from .factories import ApiClient


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
