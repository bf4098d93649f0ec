"""Assessments: completed PHQ-9, GAD-7 and PCL-5 questionnaires, scored on write.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("utc_offset", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instrument", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("phase", sa.String(length=4), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=24), nullable=True),
        sa.Column("dsm5_criteria_met", sa.Boolean(), nullable=True),
        sa.Column("suicidal_item", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "instrument IN ('phq9', 'gad7', 'pcl5')", name=op.f("ck_assessments_instrument")
        ),
        sa.CheckConstraint("phase IN ('pre', 'post')", name=op.f("ck_assessments_phase")),
        sa.CheckConstraint(
            "(session_id IS NULL) = (phase IS NULL)",
            name=op.f("ck_assessments_session_phase_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_assessments_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_assessments_session_id_treatment_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_owner_completed", "assessments", ["owner_id", "completed_at"])
    op.create_index("ix_assessments_owner_updated", "assessments", ["owner_id", "updated_at"])
    op.create_index("ix_assessments_owner_local_date", "assessments", ["owner_id", "local_date"])
    op.create_index(op.f("ix_assessments_session_id"), "assessments", ["session_id"])


def downgrade():
    op.drop_table("assessments")
