"""Knowing when a site blocks us: the class of each blocked run, and the site's blocking state.

crawl_runs.block_class / block_detail (archive/operations/blocking.py); site_health.block_class,
blocked_since and blocked_runs (the streak the scheduler's backoff doubles on).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("block_class", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("block_detail", sa.JSON(), nullable=True))
    with op.batch_alter_table("site_health") as batch:
        batch.add_column(sa.Column("block_class", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("blocked_since", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("blocked_runs", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site_health") as batch:
        batch.drop_column("blocked_runs")
        batch.drop_column("blocked_since")
        batch.drop_column("block_class")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("block_detail")
        batch.drop_column("block_class")
