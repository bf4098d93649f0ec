"""CSV of a patient's records: RFC 4180, UTF-8, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select

from ..assessments.service import ASSESSMENT_FIELDS, ASSESSMENTS
from ..db import DbSession
from ..journal.service import ENTRIES, ENTRY_FIELDS, SESSION_FIELDS, SESSIONS
from ..records import RecordKind, at_offset, owned

# Spreadsheets run cells that start with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 500
BATCH = 1000
MAX_ITEMS = 20  # the PCL-5's; shorter questionnaires leave the last item cells empty
SERVER_FIELDS = ("version", "created_at", "updated_at")


def guard(text: str) -> str:
    """Return a text cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def encode(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield CSV text (CRLF line ends) a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _cell(value: Any) -> Any:
    kind = type(value)
    if kind is int or kind is float:  # most cells: written as they are
        return value
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def scoped_query(
    kind: RecordKind, owner_id: uuid.UUID, day_from: date | None, day_to: date | None
) -> Select[Any]:
    """The owner's live records of ``kind`` on a local day in the bounds given, oldest first:
    what every export of them reads."""
    model = kind.model
    query = owned(model, owner_id)
    if day_from is not None:
        query = query.where(model.local_date >= day_from)
    if day_to is not None:
        query = query.where(model.local_date <= day_to)
    return query.order_by(kind.time_column(), model.id)


def entry_columns(include_notes: bool) -> list[str]:
    """The entries CSV's columns, in order (the JSON field names, id first)."""
    return [c for c in ("id", *ENTRY_FIELDS, *SERVER_FIELDS) if include_notes or c != "note"]


def _rows(
    session: DbSession,
    kind: RecordKind,
    columns: Sequence[str],
    owner_id: uuid.UUID,
    day_from: date | None,
    day_to: date | None,
) -> Iterator[dict[str, Any]]:
    model = kind.model
    wanted = [getattr(model, c) for c in columns] + [model.utc_offset]
    query = scoped_query(kind, owner_id, day_from, day_to).with_only_columns(*wanted)
    # Core rows fetched in batches: memory stays flat whatever the number of records.
    result = session.connection().execution_options(yield_per=BATCH).execute(query)
    for row in result:
        values = dict(zip(columns, row, strict=False))
        values[kind.time_field] = at_offset(values[kind.time_field], row[-1])
        yield values


def entry_rows(
    session: DbSession,
    *,
    owner_id: uuid.UUID,
    day_from: date | None = None,
    day_to: date | None = None,
    include_notes: bool = True,
) -> Iterator[list[Any]]:
    """Yield the header and one row per live entry of the owner, oldest first."""
    columns = entry_columns(include_notes)
    yield list(columns)
    for values in _rows(session, ENTRIES, columns, owner_id, day_from, day_to):
        values["side_effects"] = ";".join(values["side_effects"] or [])
        yield [_cell(values[c]) for c in columns]


def session_rows(session: DbSession, *, owner_id: uuid.UUID) -> Iterator[list[Any]]:
    """Yield the header and one row per live treatment session, oldest first."""
    columns = ["id", *SESSION_FIELDS, *SERVER_FIELDS]
    yield list(columns)
    for values in _rows(session, SESSIONS, columns, owner_id, None, None):
        yield [_cell(values[c]) for c in columns]


def assessment_rows(session: DbSession, *, owner_id: uuid.UUID) -> Iterator[list[Any]]:
    """Yield the header and one row per live assessment: answers as item_1..item_20."""
    fields = [f for f in ASSESSMENT_FIELDS if f != "answers"]
    read = ["id", *fields, "answers", "total", "severity", *SERVER_FIELDS]
    items = [f"item_{n}" for n in range(1, MAX_ITEMS + 1)]
    header = ["id", *fields, *items, "total", "severity", *SERVER_FIELDS]
    yield header
    for values in _rows(session, ASSESSMENTS, read, owner_id, None, None):
        answers = list(values.pop("answers") or [])
        values |= {name: answers[i] if i < len(answers) else None for i, name in enumerate(items)}
        yield [_cell(values[c]) for c in header]
