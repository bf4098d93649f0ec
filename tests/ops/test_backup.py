"""Backups that restore: ``flask backup`` while the app serves and takes writes, ``flask
restore`` into an empty instance, and every write acknowledged before the backup is there,
byte for byte through the export."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask_migrate import downgrade, upgrade

from symptom_journal.extensions import db

from ..factories import PASSWORD, register

EMAIL = "backed-up@example.org"
RESTORE_DATABASE = "test_restore"
# The newest migration, as its file names it.
HEAD = max(
    path.name.split("_")[0]
    for path in (Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("0*.py")
)


@pytest.fixture
def empty_instance(make_instance: Any) -> Flask:
    """A new instance of the app on an empty database of the same kind, same secret key."""
    return make_instance(RESTORE_DATABASE)


def _rows_by_id(csv_text: str) -> tuple[list[str], dict[str, list[str]]]:
    """The export's header, and each record's fields exactly as sent, by the entry's id."""
    header, *records = csv.reader(io.StringIO(csv_text, newline=""))
    column = header.index("id")
    return header, {record[column]: record for record in records}


class Writer(threading.Thread):
    """A patient's phone, writing check-ins as fast as the server takes them."""

    def __init__(self, base: str, http: requests.Session) -> None:
        super().__init__(daemon=True)
        self.base, self.http = base, http
        self.acknowledged: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            body = {
                "recorded_at": f"2026-03-{1 + n % 28:02d}T{n % 24:02d}:15:00-05:00",
                "mood": n % 11,
                "anxiety": (n * 7) % 11,
                "sleep_hours": 6.5,
                "side_effects": ["nausea"] if n % 3 == 0 else [],
                "note": f'check-in {n}: "été", ✓, a comma, and a\nsecond line',
            }
            response = self.http.post(f"{self.base}/api/v1/entries", json=body, timeout=30)
            assert response.status_code == 201, response.text
            self.acknowledged.append(response.json()["id"])

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, "the writer stalled"
            time.sleep(0.01)


def _signed_in(base: str) -> requests.Session:
    http = requests.Session()
    http.headers["X-CSRF-Token"] = http.get(f"{base}/api/v1/auth/csrf", timeout=10).json()[
        "csrf_token"
    ]
    response = http.post(
        f"{base}/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 201
    http.headers["X-CSRF-Token"] = http.get(f"{base}/api/v1/auth/csrf", timeout=10).json()[
        "csrf_token"
    ]
    return http


def test_a_backup_under_write_load_restores_every_acknowledged_write(
    app: Flask, live_server: str, empty_instance: Flask, tmp_path: Path
) -> None:
    http = _signed_in(live_server)
    writer = Writer(live_server, http)
    writer.start()
    writer.wait_for(25)
    before = list(writer.acknowledged)
    folder = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    during = len(writer.acknowledged) - len(before)
    writer.wait_for(len(writer.acknowledged) + 10)  # and the app goes on taking writes
    writer.stop.set()
    writer.join(timeout=30)
    manifest = json.loads((folder / "backup.json").read_text())
    kind = (
        "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    )
    assert manifest["database"] == kind
    assert manifest["migration_head"] == HEAD
    assert f"SHA-256 {manifest['sha256']}" in result.output

    restored = empty_instance.test_cli_runner().invoke(args=["restore", str(folder)])
    assert restored.exit_code == 0, restored.output
    assert f"the schema is now at {HEAD}" in restored.output

    header, original = _rows_by_id(
        http.get(f"{live_server}/api/v1/export/entries.csv", timeout=30).text
    )
    reader = empty_instance.test_client()
    assert (
        reader.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).status_code
        == 200
    )
    restored_header, copy = _rows_by_id(
        reader.get("/api/v1/export/entries.csv").get_data(as_text=True)
    )
    assert restored_header == header
    missing = [entry_id for entry_id in before if entry_id not in copy]
    assert missing == [], f"{len(missing)} acknowledged writes lost"
    for entry_id in before:
        assert copy[entry_id] == original[entry_id]  # every field, character for character
    assert set(copy) <= set(writer.acknowledged)  # nothing invented, nothing half-written
    assert len(before) <= len(copy) <= len(before) + during + 1
    # Sign-ins are as they were: the phone's session works on the restored instance.
    phone = empty_instance.test_client()
    for name in ("sj_session", "sj_csrf"):
        phone.set_cookie(name, http.cookies[name])
    assert phone.get("/api/v1/auth/me").get_json()["email"] == EMAIL


def _backup(app: Flask, client: Any, folder: Path) -> Path:
    client.post("/api/v1/entries", json={"recorded_at": "2026-03-10T21:00:00Z", "mood": 5})
    result = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path):
    patient = register(app.test_client(), email="kept@example.org")
    folder = _backup(app, patient, tmp_path / "backup")
    result = app.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1
    assert "the target database is not empty" in result.output
    assert len(patient.get("/api/v1/entries").get_json()["items"]) == 1  # untouched


def test_restore_refuses_a_backup_from_a_newer_schema(app, empty_instance, tmp_path):
    folder = _backup(app, register(app.test_client(), email="n@example.org"), tmp_path / "b")
    manifest = json.loads((folder / "backup.json").read_text())
    manifest.update(migration_head="0042", app_version="9.0.0")
    (folder / "backup.json").write_text(json.dumps(manifest))
    result = empty_instance.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1
    assert f"schema (0042, app 9.0.0) is newer than this app's ({HEAD}" in result.output
    with empty_instance.app_context():
        assert db.inspect(db.engine).get_table_names() == []  # nothing written


def test_restore_refuses_a_damaged_copy(app, empty_instance, tmp_path):
    folder = _backup(app, register(app.test_client(), email="d@example.org"), tmp_path / "b")
    manifest = json.loads((folder / "backup.json").read_text())
    copy = folder / manifest["file"]
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    result = empty_instance.test_cli_runner().invoke(args=["restore", str(folder)])
    assert result.exit_code == 1
    assert "is missing or damaged: its SHA-256 does not match" in result.output


def test_backup_and_restore_say_what_is_wrong_with_a_folder(app, tmp_path):
    runner = app.test_cli_runner()
    full = tmp_path / "full"
    full.mkdir()
    (full / "something.txt").write_text("kept")
    result = runner.invoke(args=["backup", str(full)])
    assert result.exit_code == 1
    assert "is not empty: give a new folder for each backup" in result.output
    assert sorted(p.name for p in full.iterdir()) == ["something.txt"]
    result = runner.invoke(args=["restore", str(full)])
    assert result.exit_code == 1
    assert "holds no backup.json: not a backup of this app" in result.output


def test_a_backup_from_an_older_release_is_upgraded_on_restore(make_instance, tmp_path):
    older = make_instance("test_older")
    directory = str(older.config["MIGRATIONS_DIR"])
    with older.app_context():
        upgrade(directory=directory)
    patient = register(older.test_client(), email="older@example.org")
    entry = patient.post("/api/v1/entries", json={"recorded_at": "2026-03-10T21:00:00Z", "mood": 3})
    assert entry.status_code == 201
    # The schema as release 0010 had it (the code of today cannot write to it).
    with older.app_context():
        downgrade(directory=directory, revision="0010")
        db.session.remove()
    backup = tmp_path / "older-backup"
    result = older.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert json.loads((backup / "backup.json").read_text())["migration_head"] == "0010"
    newer = make_instance("test_newer")
    restored = newer.test_cli_runner().invoke(args=["restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    assert "(schema 0010, app" in restored.output
    assert f"the schema is now at {HEAD}" in restored.output
    reader = newer.test_client()
    login = {"email": "older@example.org", "password": PASSWORD}
    assert reader.post("/api/v1/auth/login", json=login).status_code == 200
    items = reader.get("/api/v1/entries").get_json()["items"]
    assert [item["id"] for item in items] == [entry.get_json()["id"]]
