"""The statements every signed-in request makes, the sign-in lookup, a new record's
INSERT and a list's page, go to the driver's cursor (``execute_on_driver``): they read and
store what SQLAlchemy's own execution reads and stores, and go through SQLAlchemy when the
driver fails."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from symptom_journal.accounts import service
from symptom_journal.accounts.auth import policies
from symptom_journal.db import standalone, utcnow
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry
from symptom_journal.records import _list_statement, insert_if_new

# The module, not the Flask-SQLAlchemy object the package exports under the same name.
db_module = importlib.import_module("symptom_journal.db")


def cookie_token(app, client) -> str:
    return client.get_cookie(app.config["LOGIN_COOKIE_NAME"]).value


def on_driver(connection, statement, values, *, writes=False, all_rows=False):
    """Run on the driver only: a failure is not sent through SQLAlchemy, but raised."""
    columns = tuple(values) if statement.is_insert else None
    compiled = db_module.driver_statement(statement, connection.dialect, columns)
    return db_module._run_on_driver(connection, compiled, values, writes=writes, all_rows=all_rows)


def lookup(connection, digest: str):
    return on_driver(connection, service._resolve_statement(), {"token_hash": digest})


def test_the_driver_read_gives_what_sqlalchemy_gives(app, patient):
    digest = service.token_hash(cookie_token(app, patient))
    with app.app_context(), db.engine.connect() as connection:
        standalone(connection)
        quick = lookup(connection, digest)
        reference = tuple(
            connection.execute(service._resolve_statement(), {"token_hash": digest}).first()
        )
        missing = lookup(connection, service.token_hash("no such token"))
    assert quick.row == reference
    login_id, last_seen_at, expires_at, user_id, email, role, *_ = quick.row
    assert isinstance(login_id, uuid.UUID)
    assert user_id == patient.user_id
    assert (email, role) == ("pat@example.org", "patient")
    for moment in (last_seen_at, expires_at):
        assert isinstance(moment, datetime)
        assert moment.utcoffset() is not None
        assert moment.utcoffset().total_seconds() == 0
    assert missing.row is None


def entry_row(owner_id: uuid.UUID, **values) -> dict:
    recorded = datetime(2026, 3, 10, 21, 15, tzinfo=timezone(timedelta(hours=1)))
    now = datetime(2026, 3, 11, 8, 0, 0, 123456, tzinfo=UTC)
    row = {
        "id": uuid.uuid4(),
        "owner_id": owner_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "recorded_at": recorded.astimezone(UTC),
        "utc_offset": 60,
        "local_date": recorded.date(),
        "mood": 6,
        "anxiety": None,
        "sleep_hours": 7.5,
        "sleep_quality": 4,
        "dissociation": None,
        "systolic": 151,
        "diastolic": 92,
        "heart_rate": None,
        "side_effects": ["nausea", "dizziness"],
        "note": "Slept badly, «vivid dreams», café",
        "session_id": None,
        "phase": None,
    }
    row.update(values)
    return row


def stored(connection, record_id: uuid.UUID) -> dict:
    found = connection.execute(select(Entry.__table__).where(Entry.id == record_id)).one()
    return {key: value for key, value in found._mapping.items() if key != "id"}


def test_the_driver_insert_stores_what_sqlalchemy_stores(app, patient):
    with app.app_context(), db.engine.connect() as connection:
        standalone(connection, writes=True)
        insert = insert_if_new(Entry.__table__, connection.dialect.name)
        quick, reference = entry_row(patient.user_id), entry_row(patient.user_id)
        first = on_driver(connection, insert, quick, writes=True)
        connection.execute(insert, reference)
        again = on_driver(connection, insert, quick, writes=True)  # the id is taken
        assert (first.rowcount, again.rowcount) == (1, 0)
        assert stored(connection, quick["id"]) == stored(connection, reference["id"])
        values = stored(connection, quick["id"])
    assert values["owner_id"] == patient.user_id
    assert values["side_effects"] == ["nausea", "dizziness"]
    assert values["note"] == "Slept badly, «vivid dreams», café"
    assert values["recorded_at"] == datetime(2026, 3, 10, 20, 15, tzinfo=UTC)
    assert values["created_at"] == datetime(2026, 3, 11, 8, 0, 0, 123456, tzinfo=UTC)


def test_an_insert_that_leaves_out_a_column_with_a_default_goes_through_sqlalchemy(app, patient):
    # SQLAlchemy computes such a column's default as it executes: the driver alone cannot.
    with app.app_context(), db.engine.connect() as connection:
        standalone(connection, writes=True)
        table = Table(
            "driver_defaults",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("note", String(20), default="by default"),
        )
        table.create(connection)
        try:
            insert = table.insert()
            assert db_module.driver_statement(insert, connection.dialect, ("id",)) is None
            assert db_module.driver_statement(insert, connection.dialect, ("id", "note"))
            done = db_module.execute_on_driver(connection, insert, {"id": 1}, writes=True)
            stored_note = connection.execute(select(table.c.note)).scalar_one()
        finally:
            table.drop(connection)
    assert done.rowcount == 1
    assert stored_note == "by default"


def test_a_page_read_on_the_driver_gives_what_sqlalchemy_gives(app, patient):
    entries = [
        {"recorded_at": "2026-03-10T21:15:00+01:00", "mood": 6, "sleep_hours": 7.5},
        {
            "recorded_at": "2026-03-11T07:00:00-05:00",
            "mood": 4,
            "side_effects": ["nausea"],
            "note": "café",
        },
        {"recorded_at": "2026-03-12T08:30:00+00:00", "mood": 5, "systolic": 151, "diastolic": 92},
    ]
    for body in entries:
        assert patient.put(f"/api/v1/entries/{uuid.uuid4()}", json=body).status_code == 201
    # Newest first, three to a page; the SQLite form carries an OFFSET of its own.
    statement = _list_statement(Entry, "recorded_at", False, frozenset(), ())
    values = {"owner_id": patient.user_id, "limit": 3}
    with app.app_context(), db.engine.connect() as connection:
        standalone(connection)
        quick = on_driver(connection, statement, values, all_rows=True)
        again = on_driver(connection, statement, values, all_rows=True)  # converters kept
        reference = [tuple(row) for row in connection.execute(statement, values).all()]
        empty = on_driver(
            connection, statement, {**values, "owner_id": uuid.uuid4()}, all_rows=True
        )
    assert quick.rows == again.rows == reference
    assert quick.row == reference[0]
    assert empty.rows == []
    assert empty.row is None
    columns = [column.key for column in statement.selected_columns]
    oldest = dict(zip(columns, quick.rows[2], strict=True))
    assert oldest["sleep_hours"] == 7.5
    assert isinstance(oldest["sleep_hours"], float)
    assert isinstance(oldest["id"], uuid.UUID)
    assert oldest["recorded_at"] == datetime(2026, 3, 10, 20, 15, tzinfo=UTC)
    assert oldest["local_date"] == date(2026, 3, 10)
    middle = dict(zip(columns, quick.rows[1], strict=True))
    assert (middle["side_effects"], middle["note"]) == (["nausea"], "café")


def broken_driver(calls: list[str]):
    def run(connection, compiled, values, *, writes, all_rows=False):
        calls.append(compiled.sql.split()[0])
        raise connection.dialect.loaded_dbapi.OperationalError("the driver failed")

    return run


def test_a_failing_driver_goes_through_sqlalchemy(app, patient, monkeypatch):
    token = cookie_token(app, patient)
    calls: list[str] = []
    monkeypatch.setattr(db_module, "_run_on_driver", broken_driver(calls))
    with app.test_request_context(), db.engine.connect() as connection:
        found = service.resolve_session(
            standalone(connection), token=token, policies=policies(), now=utcnow()
        )
    assert calls == ["SELECT"]
    assert found is not None
    _login, user = found
    assert user.id == patient.user_id
    # And through the app: the user is read and the entry stored, once.
    record_id = uuid.uuid4()
    created = patient.put(
        f"/api/v1/entries/{record_id}",
        json={"recorded_at": "2026-03-10T21:15:00+01:00", "mood": 6},
    )
    assert created.status_code == 201, created.get_json()
    assert calls[-2:] == ["SELECT", "INSERT"]
    resent = patient.put(
        f"/api/v1/entries/{record_id}",
        json={"recorded_at": "2026-03-10T21:15:00+01:00", "mood": 6},
    )
    assert resent.status_code == 200
    listed = patient.get("/api/v1/entries?limit=10").get_json()
    assert [item["id"] for item in listed["items"]] == [str(record_id)]
    assert calls[-2:] == ["SELECT", "SELECT"]  # the user, then the page


def test_inside_a_transaction_a_statement_goes_through_sqlalchemy(app, patient, monkeypatch):
    # A statement that failed on the driver inside a transaction would have spoilt it on
    # PostgreSQL: there is nothing to run again, so the driver is not used at all.
    digest = service.token_hash(cookie_token(app, patient))
    calls: list[str] = []
    monkeypatch.setattr(db_module, "_run_on_driver", broken_driver(calls))
    with app.app_context(), db.engine.begin() as connection:
        found = db_module.execute_on_driver(
            connection, service._resolve_statement(), {"token_hash": digest}
        )
        alone = db_module.stands_alone(connection)
    assert calls == []
    assert not alone
    assert found.row is not None
    assert found.row[3] == patient.user_id  # the user's id, after the session's three columns


@pytest.mark.parametrize("token", ["", "x" * 43, "no such token"])
def test_an_unknown_token_resolves_to_no_one(app, token):
    with app.test_request_context(), db.engine.connect() as connection:
        found = service.resolve_session(
            standalone(connection), token=token, policies=policies(), now=utcnow()
        )
    assert found is None
