"""An entry's side effects are a list, never JSON null.

An entry written with ``"side_effects": null`` was stored as the JSON value null, listed
back as null and broke the entries CSV. The API now stores ``[]`` for null; this turns the
values already stored into ``[]``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE entries SET side_effects = '[]' WHERE side_effects::text = 'null'")
    else:
        op.execute("UPDATE entries SET side_effects = '[]' WHERE side_effects = 'null'")


def downgrade() -> None:
    pass  # [] is what null meant: nothing to undo
