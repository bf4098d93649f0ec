"""Each patient's journal reduced to one row per local day, kept by the database itself.

A summary of five years reads about 1,800 of these rows instead of aggregating 5,500
entries on every request. Triggers on ``entries`` recompute a day's row from its live
entries whenever an entry of that day is inserted, changed, tombstoned or deleted, so every
way of writing (the API, import, erasure, plain SQL) keeps the rows right, in the same
transaction as the write. The migration that made the table holds its own copy of these
statements; a test holds the two to the same result.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, Float, Integer, Table, Uuid, event
from sqlalchemy.orm import Mapped

from ..db import Base
from ..summaries.stats import MEASURES

PARTS = ("n", "sum", "min", "max")
# Advisory lock class on PostgreSQL: one patient's day rows are rewritten one writer at a time.
PG_LOCK_CLASS = 7_100_417


def column_names() -> list[str]:
    return [f"{name}_{part}" for name in MEASURES for part in PARTS]


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
        *(
            Column(
                name, Integer if name.endswith("_n") else Float, nullable=not name.endswith("_n")
            )
            for name in column_names()
        ),
    )

    owner_id: Mapped[uuid.UUID]
    local_date: Mapped[date]
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


def _sqlite_refresh(row: str, extra: str = "") -> str:
    where = f"owner_id = {row}.owner_id AND local_date = {row}.local_date{extra}"
    return f"DELETE FROM entry_days WHERE {where};\n{reduce(where)}"


def sqlite_ddl() -> list[str]:
    return [
        f"CREATE TRIGGER entries_days_insert AFTER INSERT ON entries BEGIN\n"
        f"{_sqlite_refresh('NEW')}\nEND",
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
        "  IF TG_OP <> 'INSERT' THEN\n"
        "    PERFORM entry_days_refresh(OLD.owner_id, OLD.local_date);\n"
        "  END IF;\n"
        "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.owner_id, NEW.local_date)\n"
        "      IS DISTINCT FROM (OLD.owner_id, OLD.local_date)) THEN\n"
        "    PERFORM entry_days_refresh(NEW.owner_id, NEW.local_date);\n"
        "  END IF;\n"
        "  RETURN NULL;\nEND $$",
        "CREATE TRIGGER entries_days_insert_delete AFTER INSERT OR DELETE ON entries\n"
        "FOR EACH ROW EXECUTE FUNCTION entries_to_days()",
        f"CREATE TRIGGER entries_days_update AFTER UPDATE OF {WATCHED} ON entries\n"
        "FOR EACH ROW EXECUTE FUNCTION entries_to_days()",
    ]


def ddl(dialect: str) -> list[str]:
    return postgresql_ddl() if dialect == "postgresql" else sqlite_ddl()


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(_target: Any, connection: Connection, **kw: Any) -> None:
    """Give a schema made with ``create_all`` the triggers the migrations make."""
    if "entries" not in {table.name for table in kw.get("tables", ())}:
        return
    for statement in ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)
