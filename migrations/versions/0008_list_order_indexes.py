"""Index each list's whole order: the time, then the id.

Lists are ordered by (time, id), newest first, or (updated_at, id) for changes. With the
indexes on (owner_id, time) alone, PostgreSQL's generic plan for the prepared list
statement read all of a patient's rows and sorted them (0.9 ms for 2,000 entries, for a page
of one), and SQLite sorted each run of equal times in a temporary B-tree. With the id in the
index, a page is read in order and the read stops at the page's end.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table, name of the index on its own time, that time
LISTS = (
    ("entries", "ix_entries_owner_recorded", "recorded_at"),
    ("treatment_sessions", "ix_treatment_sessions_owner_started", "started_at"),
    ("assessments", "ix_assessments_owner_completed", "completed_at"),
)


def _replace(with_id: bool) -> None:
    for table, by_time, time in LISTS:
        for name, column in ((by_time, time), (f"ix_{table}_owner_updated", "updated_at")):
            op.drop_index(name, table_name=table)
            op.create_index(name, table, ["owner_id", column, *(["id"] if with_id else [])])


def upgrade():
    _replace(with_id=True)


def downgrade():
    _replace(with_id=False)
