"""Authenticator secrets sealed with the app's keys; each sign-in notes its second step.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from flask import current_app

from symptom_journal.accounts.sealing import Sealer

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

totp_factors = sa.table("totp_factors", sa.column("user_id", sa.Uuid()), sa.column("secret"))


def _each_secret(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for user_id, secret in bind.execute(sa.select(totp_factors.c.user_id, totp_factors.c.secret)):
        bind.execute(
            totp_factors.update()
            .where(totp_factors.c.user_id == user_id)
            .values(secret=change(secret))
        )


def upgrade() -> None:
    with op.batch_alter_table("login_sessions") as batch:
        batch.add_column(sa.Column("second_factor", sa.String(length=16), nullable=True))
    with op.batch_alter_table("totp_factors") as batch:
        batch.alter_column(
            "secret", existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
    _each_secret(Sealer.from_config(current_app.config).seal)


def downgrade() -> None:
    _each_secret(Sealer.from_config(current_app.config).open)
    with op.batch_alter_table("totp_factors") as batch:
        batch.alter_column(
            "secret", existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
    with op.batch_alter_table("login_sessions") as batch:
        batch.drop_column("second_factor")
