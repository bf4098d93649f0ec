"""Each patient's day rows summed per ISO week, kept by triggers on entry_days.

A summary reads its whole weeks (counts, sums, extremes) from these rows instead of
aggregating every day of its period. The triggers recompute a week from its day rows
whenever one of them is inserted, changed or deleted. Existing day rows are summed once
here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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
WEEK_AGGREGATES = ", ".join(
    f"sum({m}_n), sum({m}_sum), min({m}_min), max({m}_max)" for m in MEASURES
)
PG_LOCK_CLASS = 7_100_417


def week_of(day, dialect):
    if dialect == "postgresql":
        return f"date_trunc('week', {day})::date"
    return f"date({day}, '-6 days', 'weekday 1')"


def reduce_weeks(where, week, *, grouped=True):
    group = f"owner_id, {week}" if grouped else "owner_id"
    return (
        f"INSERT INTO entry_weeks (owner_id, week_start, days, entries, "
        f"{', '.join(COLUMNS)})\n"
        f"SELECT owner_id, {week}, count(*), sum(entries), {WEEK_AGGREGATES}\n"
        f"FROM entry_days WHERE {where} GROUP BY {group};"
    )


def sqlite_week_refresh(row):
    week = week_of(f"{row}.local_date", "sqlite")
    where = (
        f"owner_id = {row}.owner_id AND local_date BETWEEN {week} AND date({week}, '+6 days')"
    )
    return (
        f"DELETE FROM entry_weeks WHERE owner_id = {row}.owner_id AND week_start = {week};\n"
        f"{reduce_weeks(where, week, grouped=False)}"
    )


def sqlite_week_ddl():
    return [
        f"CREATE TRIGGER entry_days_weeks_insert AFTER INSERT ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_delete AFTER DELETE ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('OLD')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_update AFTER UPDATE ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('OLD')}\n{sqlite_week_refresh('NEW')}\nEND",
    ]


def postgresql_week_ddl():
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
        "  IF TG_OP <> 'INSERT' THEN\n"
        f"    PERFORM entry_weeks_refresh(OLD.owner_id, {week.format(row='OLD')});\n"
        "  END IF;\n"
        "  IF TG_OP <> 'DELETE' THEN\n"
        f"    PERFORM entry_weeks_refresh(NEW.owner_id, {week.format(row='NEW')});\n"
        "  END IF;\n"
        "  RETURN NULL;\nEND $$",
        "CREATE TRIGGER entry_days_weeks AFTER INSERT OR UPDATE OR DELETE ON entry_days\n"
        "FOR EACH ROW EXECUTE FUNCTION entry_days_to_weeks()",
    ]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "entry_weeks",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        *(
            sa.Column(
                name,
                sa.Integer() if name.endswith("_n") else sa.Float(),
                nullable=not name.endswith("_n"),
            )
            for name in COLUMNS
        ),
        sa.PrimaryKeyConstraint("owner_id", "week_start", name=op.f("pk_entry_weeks")),
        sqlite_with_rowid=False,
    )
    for statement in postgresql_week_ddl() if dialect == "postgresql" else sqlite_week_ddl():
        op.execute(statement)
    op.execute(reduce_weeks("1 = 1", week_of("local_date", dialect)))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER entry_days_weeks ON entry_days")
        op.execute("DROP FUNCTION entry_days_to_weeks()")
        op.execute("DROP FUNCTION entry_weeks_refresh(uuid, date)")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER entry_days_weeks_{name}")
    op.drop_table("entry_weeks")
