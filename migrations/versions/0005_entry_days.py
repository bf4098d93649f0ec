"""Each patient's journal reduced to one row per local day, kept by triggers on entries.

A summary reads these rows instead of aggregating every entry of its period. The triggers
recompute a day's row from its live entries on every insert, change, tombstone or delete
of an entry of that day. Existing entries are reduced once here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MEASURES = (
    "mood",
    "anxiety",
    "sleep_hours",
    "sleep_quality",
    "dissociation",
    "systolic",
    "diastolic",
    "heart_rate",
)
COLUMNS = [f"{m}_{part}" for m in MEASURES for part in ("n", "sum", "min", "max")]
AGGREGATES = ", ".join(f"count({m}), sum({m}), min({m}), max({m})" for m in MEASURES)
WATCHED = ", ".join(("owner_id", "local_date", "deleted_at", *MEASURES))
MOVED = " AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.local_date IS NOT OLD.local_date)"
PG_LOCK_CLASS = 7_100_417


def reduce(where):
    return (
        f"INSERT INTO entry_days (owner_id, local_date, entries, {', '.join(COLUMNS)})\n"
        f"SELECT owner_id, local_date, count(*), {AGGREGATES}\n"
        f"FROM entries WHERE {where} AND deleted_at IS NULL GROUP BY owner_id, local_date;"
    )


def sqlite_refresh(row, extra=""):
    where = f"owner_id = {row}.owner_id AND local_date = {row}.local_date{extra}"
    return f"DELETE FROM entry_days WHERE {where};\n{reduce(where)}"


def sqlite_ddl():
    return [
        f"CREATE TRIGGER entries_days_insert AFTER INSERT ON entries BEGIN\n"
        f"{sqlite_refresh('NEW')}\nEND",
        f"CREATE TRIGGER entries_days_delete AFTER DELETE ON entries BEGIN\n"
        f"{sqlite_refresh('OLD')}\nEND",
        f"CREATE TRIGGER entries_days_update AFTER UPDATE OF {WATCHED} ON entries BEGIN\n"
        f"{sqlite_refresh('OLD')}\n{sqlite_refresh('NEW', MOVED)}\nEND",
    ]


def postgresql_ddl():
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


def upgrade():
    op.create_table(
        "entry_days",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        *(
            sa.Column(
                name,
                sa.Integer() if name.endswith("_n") else sa.Float(),
                nullable=not name.endswith("_n"),
            )
            for name in COLUMNS
        ),
        sa.PrimaryKeyConstraint("owner_id", "local_date", name=op.f("pk_entry_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in postgresql_ddl() if postgresql else sqlite_ddl():
        op.execute(statement)
    op.execute(reduce("TRUE" if postgresql else "1"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER entries_days_update ON entries")
        op.execute("DROP TRIGGER entries_days_insert_delete ON entries")
        op.execute("DROP FUNCTION entries_to_days()")
        op.execute("DROP FUNCTION entry_days_refresh(uuid, date)")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER entries_days_{name}")
    op.drop_table("entry_days")
