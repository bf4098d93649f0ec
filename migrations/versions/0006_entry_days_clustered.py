"""On SQLite, the per-day rows are stored in the order of their key (WITHOUT ROWID).

A summary reads one patient's days in date order. Kept in a rowid table, those rows lie
wherever they were first written, between other patients' rows; clustered on
(owner_id, local_date) they lie together and are read without a second lookup per row.
PostgreSQL is left as it is.

The triggers on entries that keep the table are put back exactly as they were.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
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


def rebuild(*, with_rowid):
    """Recreate entry_days with or without a rowid, keeping its rows and the triggers."""
    bind = op.get_bind()
    triggers = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entries' "
        "AND name LIKE 'entries_days_%' ORDER BY name"
    ).all()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    op.rename_table("entry_days", "entry_days_old")
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
        sqlite_with_rowid=with_rowid,
    )
    names = ", ".join(("owner_id", "local_date", "entries", *COLUMNS))
    op.execute(f"INSERT INTO entry_days ({names}) SELECT {names} FROM entry_days_old")
    op.drop_table("entry_days_old")
    for _, sql in triggers:
        op.execute(sql)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        rebuild(with_rowid=False)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        rebuild(with_rowid=True)
