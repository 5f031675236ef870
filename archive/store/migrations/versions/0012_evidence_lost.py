"""Documents whose evidence is gone: `govplans verify --repair` marks a document whose WARC record
(and every other capture of its URL) is unreadable, so the loss is shown instead of hidden.

documents.evidence_lost_at (archive/operations/verify.py).

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("evidence_lost_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("evidence_lost_at")
