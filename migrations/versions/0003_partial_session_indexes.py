"""Index only the entries and assessments linked to a treatment session.

Most rows have no session; with them in the index, the planner's statistics made the
index look useless and a summary read all of a patient's entries to find one session's.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LINKED = sa.text("session_id IS NOT NULL")


def upgrade():
    for table in ("entries", "assessments"):
        op.drop_index(f"ix_{table}_session_id", table_name=table)
        op.create_index(
            f"ix_{table}_session_id",
            table,
            ["session_id"],
            sqlite_where=LINKED,
            postgresql_where=LINKED,
        )


def downgrade():
    for table in ("entries", "assessments"):
        op.drop_index(f"ix_{table}_session_id", table_name=table)
        op.create_index(f"ix_{table}_session_id", table, ["session_id"])
