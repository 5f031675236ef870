"""Dedup keys: each document's masked-sentence keys, stored once for the copy check.

Rows are written as documents are banded (ingest, rebuild); documents stored before this revision
get theirs the first time they are a candidate, so nothing is backfilled here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dedup_keys",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("keys", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )


def downgrade() -> None:
    op.drop_table("dedup_keys")
