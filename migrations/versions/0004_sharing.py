"""Sharing: share links, care-team invites and links, and the access log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_invites',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_care_invites_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_invites')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_care_invites_code_hash'))
    )
    op.create_index(op.f('ix_care_invites_owner_id'), 'care_invites', ['owner_id'])

    op.create_table('care_links',
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('clinician_id', sa.Uuid(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['users.id'], name=op.f('fk_care_links_clinician_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_care_links_patient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('patient_id', 'clinician_id', name=op.f('pk_care_links'))
    )
    op.create_index('ix_care_links_clinician', 'care_links', ['clinician_id'])

    op.create_table('share_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_from', sa.Date(), nullable=True),
    sa.Column('period_to', sa.Date(), nullable=True),
    sa.Column('include_notes', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_share_links_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_share_links_token_hash'))
    )
    op.create_index(op.f('ix_share_links_owner_id'), 'share_links', ['owner_id'])

    op.create_table('access_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('clinician_id', sa.Uuid(), nullable=True),
    sa.Column('share_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.CheckConstraint("actor IN ('clinician', 'share_link')", name=op.f('ck_access_log_actor')),
    sa.ForeignKeyConstraint(['clinician_id'], ['users.id'], name=op.f('fk_access_log_clinician_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_access_log_patient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_id'], ['share_links.id'], name=op.f('fk_access_log_share_id_share_links'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    op.create_index('ix_access_log_patient_at', 'access_log', ['patient_id', 'at'])


def downgrade():
    op.drop_table("access_log")
    op.drop_table("share_links")
    op.drop_table("care_links")
    op.drop_table("care_invites")
