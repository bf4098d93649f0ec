"""CSV of a patient's records: RFC 4180, UTF-8, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from ..db import DbSession
from ..journal.models import Entry
from ..journal.service import ENTRY_FIELDS
from ..records import at_offset, owned

# Spreadsheets run cells that start with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
ROWS_PER_CHUNK = 500

ENTRY_COLUMNS = ("id", *ENTRY_FIELDS, "version", "created_at", "updated_at")


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
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    return value


def entry_rows(
    session: DbSession,
    *,
    owner_id: uuid.UUID,
    day_from: date | None = None,
    day_to: date | None = None,
    include_notes: bool = True,
) -> Iterator[list[Any]]:
    """Yield the header and one row per live entry of the owner, oldest first."""
    columns = [c for c in ENTRY_COLUMNS if include_notes or c != "note"]
    yield list(columns)
    query = owned(Entry, owner_id)
    if day_from is not None:
        query = query.where(Entry.local_date >= day_from)
    if day_to is not None:
        query = query.where(Entry.local_date <= day_to)
    wanted = [getattr(Entry, c) for c in columns] + [Entry.utc_offset]
    query = query.with_only_columns(*wanted).order_by(Entry.recorded_at, Entry.id)
    result = session.connection().execution_options(yield_per=1000).execute(query)
    time_at = columns.index("recorded_at")
    effects_at = columns.index("side_effects")
    for row in result:
        values = list(row[:-1])
        values[time_at] = at_offset(values[time_at], row[-1]).isoformat()
        values[effects_at] = ";".join(values[effects_at] or [])
        for index, name in enumerate(columns):
            if name in ("created_at", "updated_at"):
                values[index] = values[index].isoformat()
        yield [_cell(v) if not isinstance(v, uuid.UUID) else str(v) for v in values]
