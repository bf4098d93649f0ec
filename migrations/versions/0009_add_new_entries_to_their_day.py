"""A new entry is added to its day's row instead of the day being summed again.

The triggers re-summed all of a day's entries on every insert, so a write cost time in step
with the entries its day held; and rewriting the day row (DELETE, then INSERT) made the
week triggers sum the week twice. Now a new live entry is added to its day's row in place
(an upsert: one entry more, each measure's count, sum and extremes moved by its value), and
a day row written in place has its week summed once, also in place. Changes, tombstones
and deletes still recompute the day from its entries. The rows hold the same values either
way: every value is a multiple of 0.25, so sums are exact in any order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from alembic import op

revision = "0009"
down_revision = "0008"
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
WEEK_AGGREGATES = ", ".join(
    f"sum({m}_n), sum({m}_sum), min({m}_min), max({m}_max)" for m in MEASURES
)
WATCHED = ", ".join(("owner_id", "local_date", "deleted_at", *MEASURES))
MOVED = " AND (NEW.owner_id IS NOT OLD.owner_id OR NEW.local_date IS NOT OLD.local_date)"
PG_LOCK_CLASS = 7_100_417


def reduce(where):
    return (
        f"INSERT INTO entry_days (owner_id, local_date, entries, {', '.join(COLUMNS)})\n"
        f"SELECT owner_id, local_date, count(*), {AGGREGATES}\n"
        f"FROM entries WHERE {where} AND deleted_at IS NULL GROUP BY owner_id, local_date;"
    )


def add_to_day(dialect):
    present = "(NEW.{m} IS NOT NULL)::int" if dialect == "postgresql" else "NEW.{m} IS NOT NULL"
    values = ", ".join(f"{present.format(m=m)}, NEW.{m}, NEW.{m}, NEW.{m}" for m in MEASURES)

    def extreme(kind, m):
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
        f"INSERT INTO entry_days (owner_id, local_date, entries, {', '.join(COLUMNS)})\n"
        f"VALUES (NEW.owner_id, NEW.local_date, 1, {values})\n"
        f"ON CONFLICT (owner_id, local_date) DO UPDATE SET entries = entry_days.entries + 1,\n"
        f"  {updates};"
    )


def sqlite_refresh(row, extra=""):
    where = f"owner_id = {row}.owner_id AND local_date = {row}.local_date{extra}"
    return f"DELETE FROM entry_days WHERE {where};\n{reduce(where)}"


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


def sqlite_week_where(row):
    week = week_of(f"{row}.local_date", "sqlite")
    return week, (
        f"owner_id = {row}.owner_id AND local_date BETWEEN {week} AND date({week}, '+6 days')"
    )


def sqlite_week_refresh(row):
    week, where = sqlite_week_where(row)
    return (
        f"DELETE FROM entry_weeks WHERE owner_id = {row}.owner_id AND week_start = {week};\n"
        f"{reduce_weeks(where, week, grouped=False)}"
    )


def sqlite_week_upsert(row):
    week, where = sqlite_week_where(row)
    names = ["days", "entries", *COLUMNS]
    return (
        f"{reduce_weeks(where, week, grouped=False).removesuffix(';')}\n"
        f"ON CONFLICT (owner_id, week_start) DO UPDATE SET "
        f"{', '.join(f'{name} = excluded.{name}' for name in names)};"
    )


# What the models make now (journal/days.py); a test holds the two equal.


def sqlite_ddl():
    return [
        f"CREATE TRIGGER entries_days_insert AFTER INSERT ON entries\n"
        f"WHEN NEW.deleted_at IS NULL BEGIN\n{add_to_day('sqlite')}\nEND",
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


def sqlite_week_ddl():
    moved = (
        f"OLD.owner_id IS NOT NEW.owner_id OR {week_of('OLD.local_date', 'sqlite')} "
        f"IS NOT {week_of('NEW.local_date', 'sqlite')}"
    )
    return [
        f"CREATE TRIGGER entry_days_weeks_insert AFTER INSERT ON entry_days BEGIN\n"
        f"{sqlite_week_upsert('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_delete AFTER DELETE ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('OLD')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_update AFTER UPDATE ON entry_days BEGIN\n"
        f"{sqlite_week_upsert('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_moved AFTER UPDATE ON entry_days WHEN {moved} BEGIN\n"
        f"{sqlite_week_refresh('OLD')}\nEND",
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


# What 0005 and 0007 made of the statements this revision replaces; a test holds them equal.


def previous_sqlite():
    return [
        f"CREATE TRIGGER entries_days_insert AFTER INSERT ON entries BEGIN\n"
        f"{sqlite_refresh('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_insert AFTER INSERT ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('NEW')}\nEND",
        f"CREATE TRIGGER entry_days_weeks_update AFTER UPDATE ON entry_days BEGIN\n"
        f"{sqlite_week_refresh('OLD')}\n{sqlite_week_refresh('NEW')}\nEND",
    ]


def previous_postgresql():
    week = week_of("{row}.local_date", "postgresql")
    return [
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
        "CREATE OR REPLACE FUNCTION entry_days_to_weeks() RETURNS trigger "
        "LANGUAGE plpgsql AS $$\nBEGIN\n"
        "  IF TG_OP <> 'INSERT' THEN\n"
        f"    PERFORM entry_weeks_refresh(OLD.owner_id, {week.format(row='OLD')});\n"
        "  END IF;\n"
        "  IF TG_OP <> 'DELETE' THEN\n"
        f"    PERFORM entry_weeks_refresh(NEW.owner_id, {week.format(row='NEW')});\n"
        "  END IF;\n"
        "  RETURN NULL;\nEND $$",
    ]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql_ddl()[1])  # entries_to_days()
        op.execute(postgresql_week_ddl()[1])  # entry_days_to_weeks()
        return
    for name in ("entries_days_insert", "entry_days_weeks_insert", "entry_days_weeks_update"):
        op.execute(f"DROP TRIGGER {name}")
    op.execute(sqlite_ddl()[0])
    weeks = sqlite_week_ddl()
    for statement in (weeks[0], weeks[2], weeks[3]):  # insert, update, moved
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in previous_postgresql():
            op.execute(statement)
        return
    for name in (
        "entries_days_insert",
        "entry_days_weeks_insert",
        "entry_days_weeks_update",
        "entry_days_weeks_moved",
    ):
        op.execute(f"DROP TRIGGER {name}")
    for statement in previous_sqlite():
        op.execute(statement)
