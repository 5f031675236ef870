"""What counts as a new version: documents re-extracted in place, the attachments' text of each
version, and what happened to a site's pages that was not an edit (site_events).

documents.reextracted_at: when extraction last changed the stored fields without the document's
content changing (a redesign, a better extractor); versions.attachment_text: the version's attached
files' text, each part marked, so a replaced file diffs like a text edit; site_events: one row per
run (or reextract) that re-extracted a site's pages without new versions.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("reextracted_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("attachment_text", sa.Text(), nullable=True))
    op.create_table(
        "site_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_site_events_site_id"), "site_events", ["site_id"], unique=False)
    op.create_index(op.f("ix_site_events_run_id"), "site_events", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_site_events_run_id"), table_name="site_events")
    op.drop_index(op.f("ix_site_events_site_id"), table_name="site_events")
    op.drop_table("site_events")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("attachment_text")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("reextracted_at")
