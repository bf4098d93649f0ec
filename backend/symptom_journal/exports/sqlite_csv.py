"""Entries CSV on SQLite: raw stored text in, the reference format out, in batches.

Going through SQLAlchemy's type processing (UUID, UTC datetime and JSON objects per cell)
and back to text cost five times the read; so did having SQLite format the text. Here the
stored text is read as it is and reshaped with string operations; csv.entry_rows is the
reference, and the tests hold this path to it cell for cell.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from ..db import DbSession
from ..journal.service import ENTRY_FIELDS
from .csv import FORMULA_STARTS

BATCH = 2000


def _uuid(value: str | None) -> str:
    # Stored as 32 hex digits; written in the usual 8-4-4-4-12 form.
    if not value:
        return ""
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _utc(value: str) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; written as isoformat() writes it.
    fraction = value[20:26]
    return f"{value[:10]}T{value[11:19]}{'' if fraction == '000000' else '.' + fraction}+00:00"


_OFFSETS: dict[int, tuple[timedelta, str]] = {}


def _local(value: str, minutes: int) -> str:
    shift = _OFFSETS.get(minutes)
    if shift is None:
        sign = "-" if minutes < 0 else "+"
        shift = _OFFSETS[minutes] = (
            timedelta(minutes=minutes),
            f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
        )
    return (datetime.fromisoformat(value) + shift[0]).isoformat() + shift[1]


def _effects(value: str | None) -> str:
    if not value or value == "[]":
        return ""
    return ";".join(json.loads(value))


def entry_csv(
    session: DbSession,
    *,
    owner_id: uuid.UUID,
    day_from: date | None = None,
    day_to: date | None = None,
    include_notes: bool = True,
) -> Iterator[str]:
    """Yield the owner's live entries as CSV text with a header, a few thousand rows a time."""
    columns = ["id", *ENTRY_FIELDS, "version", "created_at", "updated_at"]
    if not include_notes:
        columns.remove("note")
    where = ["owner_id = :owner", "deleted_at IS NULL"]
    params: dict[str, Any] = {"owner": owner_id.hex}
    if day_from is not None:
        where.append("local_date >= :day_from")
        params["day_from"] = day_from.isoformat()
    if day_to is not None:
        where.append("local_date <= :day_to")
        params["day_to"] = day_to.isoformat()
    # Same scope as records.owned(): the owner's rows that are not deleted.
    sql = (
        f"SELECT {', '.join(columns)}, utc_offset FROM entries "  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY recorded_at, id"
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    # The DBAPI cursor's plain tuples, a batch at a time: no Row object per record.
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            writer.writerows(_format(row, include_notes) for row in rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    finally:
        cursor.close()
    if buffer.tell():  # the header alone, when there is no entry
        yield buffer.getvalue()


def _format(row: tuple[Any, ...], include_notes: bool) -> tuple[Any, ...]:
    # Columns: id, recorded_at, 8 measures, side_effects, [note], session_id, phase, version,
    # created_at, updated_at, and last the offset.
    if include_notes:
        note = row[11]
        if note and note.startswith(FORMULA_STARTS):
            note = "'" + note
        rest = (note, *_tail(row, 12))
    else:
        rest = _tail(row, 11)
    return (
        _uuid(row[0]),
        _local(row[1], row[-1]),
        *row[2:10],
        _effects(row[10]),
        *rest,
    )


def _tail(row: tuple[Any, ...], start: int) -> tuple[Any, ...]:
    return (
        _uuid(row[start]),
        row[start + 1],
        row[start + 2],
        _utc(row[start + 3]),
        _utc(row[start + 4]),
    )
