"""Saved searches get an unguessable feed key: the feed URL no longer counts up from 1.

Existing rows get a random key here, so their old numeric feed URLs stop working (on purpose:
anyone could read them); `govplans saved list` prints the new URLs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_searches") as batch:
        batch.add_column(sa.Column("feed_key", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    table = sa.table("saved_searches", sa.column("id", sa.Integer), sa.column("feed_key", sa.String))
    for (row_id,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(table.update().where(table.c.id == row_id).values(feed_key=secrets.token_urlsafe(18)))
    with op.batch_alter_table("saved_searches") as batch:
        batch.alter_column("feed_key", existing_type=sa.String(length=64), nullable=False)
        batch.create_index("ix_saved_searches_feed_key", ["feed_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("saved_searches") as batch:
        batch.drop_index("ix_saved_searches_feed_key")
        batch.drop_column("feed_key")
