"""Entries CSV on PostgreSQL: COPY ... TO STDOUT, the formatting and the formula guard in SQL.

The server writes the CSV itself, far faster than building rows in Python; the output is
the same as the portable path's, cell for cell (floats aside: 7.0 prints as 7).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import psycopg

from ..db import DbSession
from ..journal.service import ENTRY_FIELDS

CHUNK_BYTES = 64 * 1024


def _iso(column: str, offset: str | None = None) -> str:
    # PostgreSQL's own text for timestamps ('2026-03-10 21:15:00.5+00', no fraction when
    # it is zero, as Python's isoformat()), with the T and a full offset. Far cheaper than
    # to_char(). The COPY runs with the time zone set to UTC.
    if offset is None:
        return f"overlay({column}::text placing 'T' from 11 for 1) || ':00'"
    local = f"({column} AT TIME ZONE 'UTC' + {offset} * interval '1 minute')::text"
    sign = f"CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
    return (
        f"overlay({local} placing 'T' from 11 for 1)"
        f" || {sign} || lpad((abs({offset}) / 60)::text, 2, '0')"
        f" || ':' || lpad((abs({offset}) %% 60)::text, 2, '0')"
    )


def _guarded(column: str) -> str:
    # The spreadsheet formula guard of csv.guard(), in SQL.
    starts = "'=', '+', '-', '@', chr(9), chr(13), chr(10)"
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


def _select(include_notes: bool) -> tuple[str, list[str]]:
    columns = [c for c in ("id", *ENTRY_FIELDS, "version", "created_at", "updated_at")]
    if not include_notes:
        columns.remove("note")
    expressions = {
        "recorded_at": _iso("recorded_at", "utc_offset"),
        "created_at": _iso("created_at"),
        "updated_at": _iso("updated_at"),
        "side_effects": (
            "array_to_string(ARRAY(SELECT json_array_elements_text(side_effects)), ';')"
        ),
        "note": _guarded("note"),
    }
    select = ", ".join(f"{expressions.get(c, c)} AS {c}" for c in columns)
    return select, columns


def entry_copy(
    session: DbSession,
    *,
    owner_id: uuid.UUID,
    day_from: date | None = None,
    day_to: date | None = None,
    include_notes: bool = True,
) -> Iterator[bytes]:
    """Yield the owner's live entries as CSV (with a header), in chunks of at least 64 KiB."""
    select, _columns = _select(include_notes)
    where = ["owner_id = %(owner)s", "deleted_at IS NULL"]
    params: dict[str, Any] = {"owner": owner_id}
    if day_from is not None:
        where.append("local_date >= %(day_from)s")
        params["day_from"] = day_from
    if day_to is not None:
        where.append("local_date <= %(day_to)s")
        params["day_to"] = day_to
    # Same scope as records.owned(): the owner's rows that are not deleted.
    sql = (
        f"COPY (SELECT {select} FROM entries WHERE {' AND '.join(where)} "  # noqa: S608
        "ORDER BY recorded_at, id) TO STDOUT WITH (FORMAT csv, HEADER true)"
    )
    raw = cast("psycopg.Connection[Any]", session.connection().connection.dbapi_connection)
    buffer = bytearray()
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        with cursor.copy(sql, params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
    if buffer:
        yield bytes(buffer)
