"""Each patient's journal reduced to one row per local day and one per ISO week, kept by the
database itself.

A summary of five years reads about 1,800 day rows (each measure's daily mean) and 260
week rows (counts, sums and extremes) instead of aggregating 5,500 entries on every
request. Triggers on ``entries`` add a new entry to its day's row, and recompute a day's
row from its live entries whenever an entry of that day is changed, tombstoned or deleted;
triggers on ``entry_days`` recompute that day's week from its day rows. So every way of
writing (the API, import, erasure, plain SQL) keeps both right, in the same transaction as
the write. The migrations that made the tables hold their own copies of these statements;
a test holds them to the same result.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, Float, Integer, Table, Uuid, event
from sqlalchemy.orm import Mapped

from ..db import Base
from .measures import MEASURES

PARTS = ("n", "sum", "min", "max")
# Advisory lock class on PostgreSQL: one patient's day rows are rewritten one writer at a time.
PG_LOCK_CLASS = 7_100_417


def column_names() -> list[str]:
    return [f"{name}_{part}" for name in MEASURES for part in PARTS]


def _measure_columns() -> list[Column[Any]]:
    return [
        Column(name, Integer if name.endswith("_n") else Float, nullable=not name.endswith("_n"))
        for name in column_names()
    ]


class EntryDay(Base):
    """The count of a patient's live entries on one local day, and for each measure the
    count, sum, smallest and largest of the values recorded that day (``mood_n``,
    ``mood_sum``, ``mood_min``, ``mood_max``, ...). Written only by the triggers."""

    __table__ = Table(
        "entry_days",
        Base.metadata,
        Column("owner_id", Uuid, primary_key=True),
        Column("local_date", Date, primary_key=True),
        Column("entries", Integer, nullable=False),
        *_measure_columns(),
        # On SQLite the rows are stored in key order: one patient's days lie together.
        sqlite_with_rowid=False,
    )

    owner_id: Mapped[uuid.UUID]
    local_date: Mapped[date]
    entries: Mapped[int]


class EntryWeek(Base):
    """The same sums over one ISO week (Monday first) of a patient's day rows: the days with
    entries, the entries, and each measure's count, sum, smallest and largest value. Written
    only by the triggers on ``entry_days``; a summary reads its whole weeks from here."""

    __table__ = Table(
        "entry_weeks",
        Base.metadata,
        Column("owner_id", Uuid, primary_key=True),
        Column("week_start", Date, primary_key=True),
        Column("days", Integer, nullable=False),
        Column("entries", Integer, nullable=False),
        *_measure_columns(),
        sqlite_with_rowid=False,
    )

    owner_id: Mapped[uuid.UUID]
    week_start: Mapped[date]
    days: Mapped[int]
    entries: Mapped[int]


AGGREGATES = ", ".join(f"count({m}), sum({m}), min({m}), max({m})" for m in MEASURES)
WATCHED = ", ".join(("owner_id", "local_date", "deleted_at", *MEASURES))
MOVED = " AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.local_date IS NOT OLD.local_date)"


def reduce(where: str) -> str:
    """The statement that inserts the day rows of the live entries matching ``where``."""
    return (
        f"INSERT INTO entry_days (owner_id, local_date, entries, {', '.join(column_names())})\n"
        f"SELECT owner_id, local_date, count(*), {AGGREGATES}\n"
        f"FROM entries WHERE {where} AND deleted_at IS NULL GROUP BY owner_id, local_date;"
    )


def add_to_day(dialect: str) -> str:
    """The statement that adds a new live entry (NEW) to its day's row, making the row if the
    day has none: one entry more, and each measure's count, sum, smallest and largest moved
    by the entry's value. Re-summing the day instead cost time in step with the entries the
    day holds."""
    present = "(NEW.{m} IS NOT NULL)::int" if dialect == "postgresql" else "NEW.{m} IS NOT NULL"
    values = ", ".join(f"{present.format(m=m)}, NEW.{m}, NEW.{m}, NEW.{m}" for m in MEASURES)

    def extreme(kind: str, m: str) -> str:  # of the row's and the new value, nulls ignored
        row, new = f"entry_days.{m}_{kind}", f"excluded.{m}_{kind}"
        if dialect == "postgresql":
            return f"{'least' if kind == 'min' else 'greatest'}({row}, {new})"
        return f"coalesce({kind}({row}, {new}), {row}, {new})"

    updates = ",\n  ".join(
        f"{m}_n = entry_days.{m}_n + excluded.{m}_n, "
        f"{m}_sum = coalesce(entry_days.{m}_sum + excluded.{m}_sum, entry_days.{m}_sum, "
        f"excluded.{m}_sum), {m}_min = {extreme('min', m)}, {m}_max = {extreme('max', m)}"
        for m in MEASURES
    )
    return (
        f"INSERT INTO entry_days (owner_id, local_date, entries, {', '.join(column_names())})\n"
        f"VALUES (NEW.owner_id, NEW.local_date, 1, {values})\n"
        f"ON CONFLICT (owner_id, local_date) DO UPDATE SET entries = entry_days.entries + 1,\n"
        f"  {updates};"
    )


def _sqlite_refresh(row: str, extra: str = "") -> str:
    where = f"owner_id = {row}.owner_id AND local_date = {row}.local_date{extra}"
    return f"DELETE FROM entry_days WHERE {where};\n{reduce(where)}"


def sqlite_ddl() -> list[str]:
    return [
        f"CREATE TRIGGER entries_days_insert AFTER INSERT ON entries\n"
        f"WHEN NEW.deleted_at IS NULL BEGIN\n{add_to_day('sqlite')}\nEND",
        f"CREATE TRIGGER entries_days_delete AFTER DELETE ON entries BEGIN\n"
        f"{_sqlite_refresh('OLD')}\nEND",
        f"CREATE TRIGGER entries_days_update AFTER UPDATE OF {WATCHED} ON entries BEGIN\n"
        f"{_sqlite_refresh('OLD')}\n{_sqlite_refresh('NEW', MOVED)}\nEND",
    ]


def postgresql_ddl() -> list[str]:
    where = "owner_id = p_owner AND local_date = p_day"
    return [
        "CREATE OR REPLACE FUNCTION entry_days_refresh(p_owner uuid, p_day date) RETURNS void\n"
        "LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"  PERFORM pg_advisory_xact_lock({PG_LOCK_CLASS}, hashtext(p_owner::text));\n"
        f"  DELETE FROM entry_days WHERE {where};\n"
        f"  {reduce(where)}\n"
        "END $$",
        "CREATE OR REPLACE FUNCTION entries_to_days() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        "    IF NEW.deleted_at IS NULL THEN\n"
        f"      PERFORM pg_advisory_xact_lock({PG_LOCK_CLASS}, hashtext(NEW.owner_id::text));\n"
        f"      {add_to_day('postgresql')}\n"
        "    END IF;\n"
        "    RETURN NULL;\n"
        "  END IF;\n"
        "  PERFORM entry_days_refresh(OLD.owner_id, OLD.local_date);\n"
        "  IF TG_OP = 'UPDATE' AND (NEW.owner_id, NEW.local_date)\n"
        "      IS DISTINCT FROM (OLD.owner_id, OLD.local_date) THEN\n"
        "    PERFORM entry_days_refresh(NEW.owner_id, NEW.local_date);\n"
        "  END IF;\n"
        "  RETURN NULL;\nEND $$",
        "CREATE TRIGGER entries_days_insert_delete AFTER INSERT OR DELETE ON entries\n"
        "FOR EACH ROW EXECUTE FUNCTION entries_to_days()",
        f"CREATE TRIGGER entries_days_update AFTER UPDATE OF {WATCHED} ON entries\n"
        "FOR EACH ROW EXECUTE FUNCTION entries_to_days()",
    ]


WEEK_AGGREGATES = ", ".join(
    f"sum({m}_n), sum({m}_sum), min({m}_min), max({m}_max)" for m in MEASURES
)


def week_of(day: str, dialect: str) -> str:
    """SQL for the Monday of the ISO week of the date ``day``."""
    if dialect == "postgresql":
        return f"date_trunc('week', {day})::date"
    return f"date({day}, '-6 days', 'weekday 1')"


def reduce_weeks(where: str, week: str, *, grouped: bool = True) -> str:
    """The statement that inserts the week rows of the day rows matching ``where``; ``week``
    is the SQL of their week's Monday, and ``grouped`` is false when it is one constant."""
    group = f"owner_id, {week}" if grouped else "owner_id"
    return (
        f"INSERT INTO entry_weeks (owner_id, week_start, days, entries, "
        f"{', '.join(column_names())})\n"
        f"SELECT owner_id, {week}, count(*), sum(entries), {WEEK_AGGREGATES}\n"
        f"FROM entry_days WHERE {where} GROUP BY {group};"
    )


def _sqlite_week(row: str) -> tuple[str, str]:
    """The SQL of the Monday of ``row``'s week, and the condition on that week's day rows."""
    week = week_of(f"{row}.local_date", "sqlite")
    where = f"owner_id = {row}.owner_id AND local_date BETWEEN {week} AND date({week}, '+6 days')"
    return week, where


def _sqlite_week_refresh(row: str) -> str:
    week, where = _sqlite_week(row)
    return (
        f"DELETE FROM entry_weeks WHERE owner_id = {row}.owner_id AND week_start = {week};\n"
        f"{reduce_weeks(where, week, grouped=False)}"
    )


def _sqlite_week_upsert(row: str) -> str:
    # The week of a day row that exists has at least that day: its row is written in place.
    week, where = _sqlite_week(row)
    names = ["days", "entries", *column_names()]
    return (
        f"{reduce_weeks(where, week, grouped=False).removesuffix(';')}\n"
        f"ON CONFLICT (owner_id, week_start) DO UPDATE SET "
        f"{', '.join(f'{name} = excluded.{name}' for name in names)};"
    )


def sqlite_week_ddl() -> list[str]:
    moved = (
        f"OLD.owner_id IS NOT NEW.owner_id OR {week_of('OLD.local_date', 'sqlite')} "
        f"IS NOT {week_of('NEW.local_date', 'sqlite')}"
    )
    return [
        f"CREATE TRIGGER entry_days_weeks_insert AFTER INSERT ON entry_days BEGIN\n"
        f"{_sqlite_week_upsert('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_delete AFTER DELETE ON entry_days BEGIN\n"
        f"{_sqlite_week_refresh('OLD')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_update AFTER UPDATE ON entry_days BEGIN\n"
        f"{_sqlite_week_upsert('NEW')}\nEND",
        # Day rows keep their key (the triggers write them in place), but should one move,
        # the week it left is summed again too.
        f"CREATE TRIGGER entry_days_weeks_moved AFTER UPDATE ON entry_days WHEN {moved} BEGIN\n"
        f"{_sqlite_week_refresh('OLD')}\nEND",
    ]


def postgresql_week_ddl() -> list[str]:
    where = "owner_id = p_owner AND local_date BETWEEN p_week AND p_week + 6"
    week = week_of("{row}.local_date", "postgresql")
    return [
        "CREATE OR REPLACE FUNCTION entry_weeks_refresh(p_owner uuid, p_week date) "
        "RETURNS void\nLANGUAGE plpgsql AS $$\nBEGIN\n"
        f"  PERFORM pg_advisory_xact_lock({PG_LOCK_CLASS}, hashtext(p_owner::text));\n"
        "  DELETE FROM entry_weeks WHERE owner_id = p_owner AND week_start = p_week;\n"
        f"  {reduce_weeks(where, 'p_week', grouped=False)}\n"
        "END $$",
        "CREATE OR REPLACE FUNCTION entry_days_to_weeks() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\nBEGIN\n"
        "  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.owner_id, "
        f"{week.format(row='OLD')})\n"
        f"      IS DISTINCT FROM (NEW.owner_id, {week.format(row='NEW')})) THEN\n"
        f"    PERFORM entry_weeks_refresh(OLD.owner_id, {week.format(row='OLD')});\n"
        "  END IF;\n"
        "  IF TG_OP <> 'DELETE' THEN\n"
        f"    PERFORM entry_weeks_refresh(NEW.owner_id, {week.format(row='NEW')});\n"
        "  END IF;\n"
        "  RETURN NULL;\nEND $$",
        "CREATE TRIGGER entry_days_weeks AFTER INSERT OR UPDATE OR DELETE ON entry_days\n"
        "FOR EACH ROW EXECUTE FUNCTION entry_days_to_weeks()",
    ]


def ddl(dialect: str) -> list[str]:
    """The triggers that keep the day rows (on entries) and the week rows (on entry_days)."""
    if dialect == "postgresql":
        return postgresql_ddl() + postgresql_week_ddl()
    return sqlite_ddl() + sqlite_week_ddl()


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(_target: Any, connection: Connection, **kw: Any) -> None:
    """Give a schema made with ``create_all`` the triggers the migrations make."""
    if "entries" not in {table.name for table in kw.get("tables", ())}:
        return
    for statement in ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)
