"""A new record is one INSERT that does nothing when its id is taken (records._create); when
that INSERT fails, nothing is left half-written and the general path answers."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from symptom_journal import records
from symptom_journal.accounts.models import User
from symptom_journal.errors import NotFound
from symptom_journal.journal.models import Entry
from symptom_journal.journal.service import ENTRIES

# The rules would refuse a treatment session that does not exist before any INSERT; without
# them the INSERT itself fails, on the foreign key, as it would when the session is deleted
# between the check and the write.
UNCHECKED = dataclasses.replace(ENTRIES, rules=None)


@pytest.mark.parametrize("joined", [False, True], ids=["on its own", "in a transaction"])
def test_a_failed_insert_leaves_nothing_and_the_general_path_answers(app, patient, sql, joined):
    owner_id = sql(lambda session: session.scalar(select(User.id)))
    values = {
        "recorded_at": datetime(2026, 3, 10, 8, 15, tzinfo=UTC),
        "mood": 5,
        "session_id": uuid.uuid4(),  # no such treatment session
        "phase": "pre",
    }

    def put(session):
        if joined:
            session.connection()  # the request has begun a transaction already
        with pytest.raises(NotFound):
            records.put_record(
                session,
                UNCHECKED,
                owner_id=owner_id,
                record_id=uuid.uuid4(),
                values=values,
                if_match=None,
                now=datetime.now(UTC),
            )

    sql(put)
    assert sql(lambda session: session.scalars(select(Entry.id)).all()) == []


def test_a_new_id_is_created_and_a_resend_is_not(app, patient, sql):
    owner_id = sql(lambda session: session.scalar(select(User.id)))
    record_id = uuid.uuid4()
    values = {"recorded_at": datetime(2026, 3, 10, 8, 15, tzinfo=UTC), "mood": 5}

    def put(session):
        return records.put_record(
            session,
            ENTRIES,
            owner_id=owner_id,
            record_id=record_id,
            values=values,
            if_match=None,
            now=datetime.now(UTC),
        )

    first, created = sql(put)
    again, created_again = sql(put)
    assert (created, created_again) == (True, False)
    assert (first.id, first.version, first.mood) == (record_id, 1, 5)
    assert (again.id, again.version, again.mood) == (record_id, 1, 5)
    assert first.recorded_at_local == values["recorded_at"]
    assert sql(lambda session: session.scalars(select(Entry.id)).all()) == [record_id]
