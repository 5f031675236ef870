"""Indexes that keep a document's ingest cost flat as the archive grows (ARCHITECTURE.md, "Ingest cost").

lsh_buckets (key, document_id) replaces (key): a bucket's first members are read from the index
alone, in id order, and no more (archive/store/clusters.py caps a band's candidates).
documents.doc_number_issuer (the 文号's 机关代字, parsed from the 文号 as printed) and the index
(doc_number_key, doc_number_issuer) replacing (doc_number_key); citations (number_key, issuer)
replacing (number_key): a 文号 is resolved among its issuer's documents, and a new document
re-resolves the citations of its issuer, not those of every plan numbered 12 that year.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from archive.extract.docnumber import parse_doc_number

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_lsh_buckets_key", table_name="lsh_buckets")
    op.create_index("ix_lsh_buckets_key_document_id", "lsh_buckets", ["key", "document_id"])
    op.add_column("documents", sa.Column("doc_number_issuer", sa.String(length=100), nullable=True))
    connection = op.get_bind()
    docs = sa.table("documents", sa.column("id", sa.Integer), sa.column("doc_number", sa.String),
                    sa.column("doc_number_issuer", sa.String))
    rows = connection.execute(sa.select(docs.c.id, docs.c.doc_number).where(docs.c.doc_number.is_not(None))).all()
    issuers = [{"row_id": row_id, "issuer": number.issuer} for row_id, doc_number in rows
               if (number := parse_doc_number(doc_number)) is not None and number.issuer]
    if issuers:
        connection.execute(docs.update().where(docs.c.id == sa.bindparam("row_id"))
                           .values(doc_number_issuer=sa.bindparam("issuer")), issuers)
    op.drop_index("ix_documents_doc_number_key", table_name="documents")
    op.create_index("ix_documents_doc_number_key_issuer", "documents", ["doc_number_key", "doc_number_issuer"])
    op.drop_index("ix_citations_number_key", table_name="citations")
    op.create_index("ix_citations_number_key_issuer", "citations", ["number_key", "issuer"])


def downgrade() -> None:
    op.drop_index("ix_citations_number_key_issuer", table_name="citations")
    op.create_index("ix_citations_number_key", "citations", ["number_key"])
    op.drop_index("ix_documents_doc_number_key_issuer", table_name="documents")
    op.create_index("ix_documents_doc_number_key", "documents", ["doc_number_key"])
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("doc_number_issuer")
    op.drop_index("ix_lsh_buckets_key_document_id", table_name="lsh_buckets")
    op.create_index("ix_lsh_buckets_key", "lsh_buckets", ["key"])
