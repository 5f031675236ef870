"""Per-site templates (site_templates: what repeats across a site's pages is chrome), and a
document's text composed of its page's text and its attachments' texts.

Existing documents with attachment texts get their composed text here (their page's text is the
latest version's); clusters are left as they were until `govplans dedup --rebuild`.

Revision ID: 0007
Revises: 0012
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from archive.extract.composed import compose

revision = "0007"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.String(length=64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("cleaned_at_pages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_site_templates_site_id", "site_templates", ["site_id"])
    _compose_existing(op.get_bind())


def _compose_existing(connection) -> None:
    files = sa.table("attachments", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                     sa.column("name", sa.Text), sa.column("text", sa.Text))
    docs = sa.table("documents", sa.column("id", sa.Integer), sa.column("text", sa.Text))
    versions = sa.table("versions", sa.column("document_id", sa.Integer), sa.column("number", sa.Integer),
                        sa.column("text", sa.Text))
    parts: dict[int, list] = {}
    for doc_id, name, text in connection.execute(sa.select(files.c.document_id, files.c.name, files.c.text)
                                                 .where(files.c.text.is_not(None)).order_by(files.c.id)):
        parts.setdefault(doc_id, []).append((name, text))
    for doc_id, found in parts.items():
        page = connection.execute(sa.select(versions.c.text).where(versions.c.document_id == doc_id)
                                  .order_by(versions.c.number.desc()).limit(1)).scalar()
        if page is None:
            page = connection.execute(sa.select(docs.c.text).where(docs.c.id == doc_id)).scalar() or ""
        connection.execute(docs.update().where(docs.c.id == doc_id).values(text=compose(page, found)))


def downgrade() -> None:
    op.drop_index("ix_site_templates_site_id", table_name="site_templates")
    op.drop_table("site_templates")
