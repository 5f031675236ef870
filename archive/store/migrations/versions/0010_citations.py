"""The 文号 citation graph: citations (what each document cites, resolved or not) and the keys
documents are found by (documents.doc_number_key, documents.title_key), filled here for the rows
already archived. Their edges come from `govplans archive citations` (or the next crawl of each).

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from archive.extract.citations import title_key
from archive.extract.docnumber import number_key, parse_doc_number

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("doc_number_key", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("title_key", sa.String(length=300), nullable=True))
        batch.create_index("ix_documents_doc_number_key", ["doc_number_key"])
        batch.create_index("ix_documents_title_key", ["title_key"])
    op.create_table(
        "citations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("doc_number", sa.String(length=200), nullable=True),
        sa.Column("issuer", sa.String(length=100), nullable=True),
        sa.Column("number_key", sa.String(length=24), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("title_key", sa.String(length=300), nullable=True),
        sa.Column("cited_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cited_id"], ["documents.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("document_id", "number_key", "title_key", "cited_id"):
        op.create_index(f"ix_citations_{column}", "citations", [column])
    connection = op.get_bind()
    docs = sa.table("documents", sa.column("id", sa.Integer), sa.column("doc_number", sa.String),
                    sa.column("title", sa.Text), sa.column("doc_number_key", sa.String),
                    sa.column("title_key", sa.String))
    rows = connection.execute(sa.select(docs.c.id, docs.c.doc_number, docs.c.title)).all()
    for row_id, doc_number, title in rows:
        connection.execute(docs.update().where(docs.c.id == row_id).values(
            doc_number_key=number_key(parse_doc_number(doc_number)), title_key=title_key(title)))


def downgrade() -> None:
    op.drop_table("citations")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_title_key")
        batch.drop_index("ix_documents_doc_number_key")
        batch.drop_column("title_key")
        batch.drop_column("doc_number_key")
