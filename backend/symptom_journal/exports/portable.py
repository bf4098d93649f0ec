"""The patient's whole journal as one versioned JSON document, and importing it back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import marshmallow as ma

from ..assessments.schemas import AssessmentIn, AssessmentOut
from ..assessments.service import ASSESSMENTS
from ..db import DbSession
from ..errors import Conflict, Invalid
from ..journal.schemas import EntryIn, EntryOut, SessionIn, SessionOut
from ..journal.service import ENTRIES, SESSIONS
from ..records import RecordKind, owned, put_record

FORMAT = "symptom-journal"
VERSION = 1
MAX_RECORDS = 200_000
# (document key, kind, input schema, output schema), sessions first: entries link to them.
KINDS: tuple[tuple[str, RecordKind, type[ma.Schema], type[ma.Schema]], ...] = (
    ("sessions", SESSIONS, SessionIn, SessionOut),
    ("entries", ENTRIES, EntryIn, EntryOut),
    ("assessments", ASSESSMENTS, AssessmentIn, AssessmentOut),
)
NAMESPACE = uuid.UUID("6f1c2f0e-5a4b-4c55-9a0e-6c7e0b8d3a21")


def export_document(session: DbSession, *, owner: Any, now: datetime) -> dict[str, Any]:
    """Return everything the owner has, as one document (live records only)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "account": {"display_name": owner.display_name, "timezone": owner.timezone},
    }
    for key, kind, _schema_in, schema_out in KINDS:
        query = owned(kind.model, owner.id).order_by(kind.time_column(), kind.model.id)
        records = list(session.scalars(query))
        document[key] = schema_out(many=True).dump(records)
    return document


def _load(document: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(document, Mapping):
        raise Invalid({"_schema": ["Send the document of GET /api/v1/export/json."]})
    if document.get("format") != FORMAT:
        raise Invalid({"format": [f"Must be {FORMAT!r}: this is not an export of this app."]})
    if document.get("version") != VERSION:
        raise Invalid({"version": [f"Only version {VERSION} documents can be imported."]})
    loaded: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, Any] = {}
    total = 0
    for key, _kind, schema_in, _schema_out in KINDS:
        items = document.get(key, [])
        if not isinstance(items, list):
            errors[key] = ["Must be a list."]
            continue
        total += len(items)
        schema = schema_in()
        records = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping) or "id" not in item:
                errors.setdefault(key, {})[str(index)] = {"id": ["Every record needs its id."]}
                continue
            content = {k: v for k, v in item.items() if k in schema.fields}
            try:
                records.append(schema.load(content))
            except ma.ValidationError as error:
                errors.setdefault(key, {})[str(index)] = error.messages
        loaded[key] = records
    if total > MAX_RECORDS:
        raise Invalid({"_schema": [f"At most {MAX_RECORDS} records can be imported at once."]})
    if errors:
        raise Invalid(errors)
    return loaded


def import_document(
    session: DbSession, *, owner_id: uuid.UUID, document: Any, now: datetime
) -> dict[str, dict[str, int]]:
    """Import an export into the owner's account, idempotent by ids; return counts.

    A record whose id is another account's gets a new id derived from the owner and the old
    id (UUIDv5), and the links to it are rewritten, so importing twice still adds nothing.
    Raise Invalid, before anything is written, for a document that does not fit.
    """
    loaded = _load(document)
    counts: dict[str, dict[str, int]] = {}
    renamed: dict[uuid.UUID, uuid.UUID] = {}
    for key, kind, _schema_in, _schema_out in KINDS:
        created = unchanged = updated = 0
        for index, values in enumerate(loaded.get(key, [])):
            old_id = values.pop("id")
            record_id = _own_id(session, kind, owner_id, old_id)
            if record_id != old_id:
                renamed[old_id] = record_id
            if values.get("session_id") in renamed:
                values["session_id"] = renamed[values["session_id"]]
            try:
                status = _upsert(session, kind, owner_id, record_id, values, now)
            except Invalid as error:
                problems = (error.errors or {}).get("json", {})
                raise Invalid({key: {str(index): problems}}) from None
            created += status == "created"
            updated += status == "updated"
            unchanged += status == "unchanged"
        counts[key] = {"created": created, "updated": updated, "unchanged": unchanged}
    return counts


def _own_id(
    session: DbSession, kind: RecordKind, owner_id: uuid.UUID, record_id: uuid.UUID
) -> uuid.UUID:
    model = kind.model
    mine = session.scalar(
        owned(model, owner_id, include_deleted=True)
        .where(model.id == record_id)
        .with_only_columns(model.id)
    )
    if mine is not None:
        return record_id
    taken = session.get(model, record_id)
    if taken is None:
        return record_id
    # Another account holds this id: take one derived from ours, the same on every import.
    return uuid.uuid5(NAMESPACE, f"{owner_id}:{record_id}")


def _upsert(
    session: DbSession,
    kind: RecordKind,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    values: dict[str, Any],
    now: datetime,
) -> str:
    try:
        with session.begin_nested():
            _record, created = put_record(
                session,
                kind,
                owner_id=owner_id,
                record_id=record_id,
                values=values,
                if_match=None,
                now=now,
            )
    except Conflict:
        # The same id with other content: the imported document wins, as a newer edit.
        current = session.scalar(
            owned(kind.model, owner_id, include_deleted=True).where(kind.model.id == record_id)
        )
        if current is None or current.deleted_at is not None:
            return "unchanged"  # deleted here: stays deleted
        put_record(
            session,
            kind,
            owner_id=owner_id,
            record_id=record_id,
            values=values,
            if_match=current.version,
            now=now,
        )
        return "updated"
    return "created" if created else "unchanged"
