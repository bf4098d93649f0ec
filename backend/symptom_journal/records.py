"""What every synced patient record shares: ownership, versions, soft deletes and pages.

``owned`` is the one place that decides which rows a patient may reach: every query of
patient data starts from it. The functions below implement the sync rules of the API
contract (PUT by client id, If-Match, tombstones) once for every kind of record.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ForeignKey,
    Integer,
    Select,
    Update,
    Uuid,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .db import DbSession, UTCDateTime, utcnow
from .errors import Conflict, Invalid, NotFound, PreconditionFailed
from .fields import encode_cursor

ANY_VERSION = "*"


class Record:
    """Columns of every synced record; the time column of each kind is its own."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    # The client's UTC offset, in minutes, at the record's time; with it the record
    # answers with the offset it was given and falls on the patient's own calendar day.
    utc_offset: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


R = TypeVar("R", bound=Record)
Rules = Callable[[DbSession, uuid.UUID, Mapping[str, Any]], None]


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record is stored: its model, time column and content fields."""

    model: Any  # the mapped class
    name: str
    time_field: str
    fields: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Cross-field and reference rules over a record's full content; raise Invalid.
    rules: Rules | None = None
    # Columns computed from the content on every write (e.g. an assessment's score).
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None

    def time_column(self) -> Any:
        return getattr(self.model, self.time_field)


@dataclass
class Page:
    """One page of a list and the cursor of the next, or None at the end."""

    items: list[Any]
    next_cursor: str | None


# An owner's id, or a bound parameter that carries it (a statement built once).
OwnerId = uuid.UUID | BindParameter[Any]


def owned_by(
    model: Any, owner_ids: OwnerId | list[uuid.UUID], *, include_deleted: bool = False
) -> tuple[Any, ...]:
    """Return the WHERE clauses that limit ``model`` to rows of one owner or of a list of
    owners (live ones unless asked): the scoping rule every query of patient data uses."""
    if isinstance(owner_ids, list):
        clauses: tuple[Any, ...] = (model.owner_id.in_(owner_ids),)
    else:
        clauses = (model.owner_id == owner_ids,)
    if include_deleted or not hasattr(model, "deleted_at"):  # e.g. the per-day table
        return clauses
    return (*clauses, model.deleted_at.is_(None))


def owned(model: type[R], owner_id: OwnerId, *, include_deleted: bool = False) -> Select[Any]:
    """Return a select of ``model`` rows belonging to ``owner_id`` (live ones unless asked)."""
    return select(model).where(*owned_by(model, owner_id, include_deleted=include_deleted))


def owned_update(model: type[Record], owner_id: uuid.UUID) -> Update:
    """Return an UPDATE of ``model`` limited to the owner's live rows."""
    return update(model).where(*owned_by(model, owner_id))


@functools.lru_cache(maxsize=256)
def _zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def at_offset(moment: datetime, minutes: int) -> datetime:
    """Return ``moment`` expressed at a UTC offset of ``minutes``."""
    return moment.astimezone(_zone(minutes))


def local_time(record: Record, kind: RecordKind) -> datetime:
    """Return the record's time at the offset the client gave."""
    return at_offset(getattr(record, kind.time_field), record.utc_offset)


def find_owned(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    include_deleted: bool = False,
    for_update: bool = False,
) -> Any:
    """Return the owner's record with this id; raise NotFound (also for other owners' ids)."""
    query = owned(kind.model, owner_id, include_deleted=include_deleted).where(
        kind.model.id == record_id
    )
    if for_update:
        query = query.with_for_update()
    record = session.scalar(query)
    if record is None:
        raise NotFound(f"No such {kind.name}.")
    return record


def _canonical(kind: RecordKind, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in kind.fields:
        value = values.get(name, kind.defaults.get(name))
        if name == kind.time_field and value is not None:
            offset = value.utcoffset() or timedelta(0)
            value = (value.astimezone(UTC), int(offset.total_seconds() // 60))
        elif isinstance(value, list):
            value = list(value)
        out[name] = value
    return out


def current_values(record: Record, kind: RecordKind) -> dict[str, Any]:
    """Return the record's content fields, its time at the client's offset."""
    values = {name: getattr(record, name) for name in kind.fields}
    values[kind.time_field] = local_time(record, kind)
    return values


def _columns(kind: RecordKind, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the stored columns of a record's content: its time in UTC with the client's
    offset and local date, defaults for what was left out, and the derived columns."""
    columns: dict[str, Any] = {}
    for name in kind.fields:
        value = values.get(name, kind.defaults.get(name))
        if name == kind.time_field:
            offset = value.utcoffset() or timedelta(0)
            columns["utc_offset"] = int(offset.total_seconds() // 60)
            columns["local_date"] = value.date()
            value = value.astimezone(UTC)
        columns[name] = value
    if kind.derive is not None:
        columns.update(kind.derive(values))
    return columns


def _apply(record: Record, kind: RecordKind, values: Mapping[str, Any]) -> None:
    for name, value in _columns(kind, values).items():
        setattr(record, name, value)


def new_row(
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Return every stored column of a new record, version 1, as its INSERT takes them."""
    return {
        "id": record_id,
        "owner_id": owner_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        **_columns(kind, values),
    }


@functools.cache
def _insert_if_new(model: Any, dialect: str) -> Any:
    """INSERT ... ON CONFLICT (id) DO NOTHING RETURNING the new record, for ``dialect``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=["id"]).returning(model)


def _create(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    now: datetime,
) -> Any:
    """Store a new record with one INSERT that does nothing when the id is taken; return it,
    or None when the id was taken (a resend, another account's id, a racing request).
    Raise NotFound when a record it refers to went away meanwhile (the transaction is then
    rolled back: nothing else was written in it).

    A new id is by far the common case: one statement (ORM INSERT ... ON CONFLICT DO
    NOTHING RETURNING) instead of a read of the id and a savepoint."""
    statement = _insert_if_new(kind.model, session.get_bind().dialect.name)
    row = new_row(kind, owner_id=owner_id, record_id=record_id, values=values, now=now)
    try:
        # The values as parameters of a statement built once (an ORM bulk INSERT of one row):
        # written into the statement, each of 22 values was coerced and keyed on every call.
        return session.scalars(statement, [row]).first()
    except IntegrityError:  # e.g. its treatment session deleted since the rules looked
        session.rollback()
        raise NotFound(f"What this {kind.name} refers to no longer exists.") from None


def _check_version(record: Record, kind: RecordKind, if_match: int | str | None) -> None:
    if if_match is None or if_match == ANY_VERSION or if_match == record.version:
        return
    raise PreconditionFailed(
        f"This {kind.name} has changed since version {if_match}: it is now at version "
        f'{record.version}. Fetch it, merge, and send If-Match: "{record.version}".',
        headers={"ETag": f'"{record.version}"'},
    )


def _update(
    session: DbSession, record: Record, kind: RecordKind, values: Mapping[str, Any], now: datetime
) -> bool:
    if _canonical(kind, values) == _canonical(kind, current_values(record, kind)):
        return False
    if kind.rules:
        kind.rules(session, record.owner_id, values)
    _apply(record, kind, values)
    record.version += 1
    record.updated_at = now
    return True


def put_record(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    if_match: int | str | None,
    now: datetime,
) -> tuple[Any, bool]:
    """Create or replace a record by its client id; return it and whether it was created.

    Raise Conflict when the id holds other content and If-Match is absent (or the record
    was deleted), PreconditionFailed for a stale If-Match, NotFound when the id is another
    account's, Invalid when a rule is broken.
    """
    if if_match is None:
        if kind.rules:
            kind.rules(session, owner_id, values)
        created = _create(
            session, kind, owner_id=owner_id, record_id=record_id, values=values, now=now
        )
        if created is not None:
            return created, True
    # The id is taken (a resend, a replacement, another account's id) or If-Match was sent.
    query = owned(kind.model, owner_id, include_deleted=True).where(kind.model.id == record_id)
    record = session.scalar(query.with_for_update())
    if record is None:
        # Another account's id (the INSERT found it taken), or an update of a record this
        # account does not have: 404 either way, as for PATCH.
        raise NotFound(f"No such {kind.name}" + (" to update." if if_match is not None else "."))
    if record.deleted_at is not None:
        raise Conflict(f"This {kind.name} was deleted; it cannot be written again.")
    if if_match is None:
        if _canonical(kind, values) != _canonical(kind, current_values(record, kind)):
            raise Conflict(
                f"This {kind.name} id already holds other content. To replace it, "
                f'send If-Match: "{record.version}".',
                headers={"ETag": f'"{record.version}"'},
            )
        return record, False
    _check_version(record, kind, if_match)
    _update(session, record, kind, values, now)
    return record, False


def patch_record(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    changes: Mapping[str, Any],
    if_match: int | str | None,
    now: datetime,
) -> Any:
    """Change fields of a live record and return it; raise NotFound, PreconditionFailed, Invalid."""
    record = find_owned(session, kind, owner_id=owner_id, record_id=record_id, for_update=True)
    _check_version(record, kind, if_match)
    merged = current_values(record, kind)
    merged.update(changes)
    _update(session, record, kind, merged, now)
    return record


def delete_record(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    record_id: uuid.UUID,
    if_match: int | str | None,
    now: datetime,
    before_delete: Callable[[Any], None] | None = None,
) -> None:
    """Soft-delete a record, clearing its content; deleting it again is a no-op.

    Raise NotFound when it is not the owner's, PreconditionFailed for a stale If-Match.
    """
    record = find_owned(
        session, kind, owner_id=owner_id, record_id=record_id, include_deleted=True, for_update=True
    )
    if record.deleted_at is not None:
        return
    _check_version(record, kind, if_match)
    if before_delete:
        before_delete(record)
    # The tombstone keeps only what sync needs: nothing the patient wrote stays behind.
    for name in kind.fields:
        if name in kind.defaults:
            setattr(record, name, kind.defaults[name])
        elif name != kind.time_field and kind.model.__table__.columns[name].nullable:
            setattr(record, name, None)
    record.deleted_at = now
    record.version += 1
    record.updated_at = now


def _decode_cursor(parts: list[str] | None, tag: str) -> tuple[datetime, uuid.UUID] | None:
    if parts is None:
        return None
    try:
        if len(parts) != 3 or parts[0] != tag:
            raise ValueError
        moment = datetime.fromisoformat(parts[1])
        if moment.tzinfo is None:
            raise ValueError
        return moment, uuid.UUID(parts[2])
    except ValueError:
        raise Invalid(
            {"cursor": ["Invalid cursor: pass next_cursor from the previous page of this list."]},
            location="query",
        ) from None


def _list_statement(
    model: Any,
    time_field: str,
    *,
    owner_id: uuid.UUID,
    since: datetime | None,
    day_from: date | None,
    day_to: date | None,
    after: tuple[datetime, uuid.UUID] | None,
    filters: Mapping[str, Any],
) -> Select[Any]:
    """Return the statement of a page: live records newest first, or every change since
    ``since`` oldest first, within the optional day bounds, past the cursor ``after``."""
    changes = since is not None
    query = owned(model, owner_id, include_deleted=changes)
    if day_from is not None:
        query = query.where(model.local_date >= day_from)
    if day_to is not None:
        query = query.where(model.local_date <= day_to)
    query = query.where(*(getattr(model, name) == value for name, value in filters.items()))
    time = model.updated_at if changes else getattr(model, time_field)
    if changes:
        query = query.where(time >= since)
    if after is not None:  # past the cursor, in the page's own order
        after_time, after_id = after
        later_time, later_id = (
            (time > after_time, model.id > after_id)
            if changes
            else (time < after_time, model.id < after_id)
        )
        query = query.where(or_(later_time, and_(time == after_time, later_id)))
    order = (time.asc(), model.id.asc()) if changes else (time.desc(), model.id.desc())
    return query.order_by(*order)


def list_page(
    session: DbSession,
    kind: RecordKind,
    *,
    owner_id: uuid.UUID,
    limit: int,
    cursor: list[str] | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    since: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Page:
    """Return a page of the owner's records: without ``since``, live ones newest first; with
    it, every record changed at or after it, tombstones included, oldest change first.

    ``filters`` maps column names to the values they must equal (None: not filtered).
    Raise Invalid for a bad cursor."""
    changes = since is not None
    tag = "u" if changes else "t"
    statement = _list_statement(
        kind.model,
        kind.time_field,
        owner_id=owner_id,
        since=since,
        day_from=day_from,
        day_to=day_to,
        after=_decode_cursor(cursor, tag),
        filters={name: value for name, value in (filters or {}).items() if value is not None},
    )
    rows = list(session.scalars(statement.limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    moment = last.updated_at if changes else getattr(last, kind.time_field)
    return Page(rows[:limit], encode_cursor([tag, moment.isoformat(), str(last.id)]))
