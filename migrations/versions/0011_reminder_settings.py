"""Reminder settings: one row per patient, and the calendar feed's secret as its hash.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_settings",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("daily_time", sa.Time(), nullable=True),
        sa.Column("before_session_minutes", sa.Integer(), nullable=True),
        sa.Column("after_session_minutes", sa.Integer(), nullable=True),
        sa.Column("next_morning", sa.Boolean(), nullable=False),
        sa.Column("questionnaire_every_days", sa.Integer(), nullable=True),
        sa.Column("include_pcl5", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.Column("calendar_token_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_reminder_settings_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_reminder_settings")),
        sa.UniqueConstraint(
            "calendar_token_hash", name=op.f("uq_reminder_settings_calendar_token_hash")
        ),
    )


def downgrade() -> None:
    op.drop_table("reminder_settings")
