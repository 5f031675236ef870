"""History and dedup: withdrawn_at, versions.last_seen, clusters, MinHash LSH buckets.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canonical_document_id', sa.Integer(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['canonical_document_id'], ['documents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_clusters_updated_at'), 'clusters', ['updated_at'], unique=False)
    op.create_table('lsh_buckets',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.SmallInteger(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'band')
    )
    op.create_index(op.f('ix_lsh_buckets_key'), 'lsh_buckets', ['key'], unique=False)
    op.add_column('documents', sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
    op.add_column('versions', sa.Column('last_seen', sa.DateTime(), nullable=True))
    # what older rows imply: a withdrawn document vanished when it was last updated
    op.execute("UPDATE documents SET withdrawn_at = updated_at WHERE status = 'withdrawn'")
    op.execute("UPDATE versions SET last_seen = seen_at")
    op.execute("UPDATE versions SET last_seen = (SELECT d.last_seen FROM documents d WHERE d.id = versions.document_id) "
               "WHERE number = (SELECT max(v.number) FROM versions v WHERE v.document_id = versions.document_id)")


def downgrade() -> None:

    op.drop_column('versions', 'last_seen')
    op.drop_column('documents', 'withdrawn_at')
    op.drop_index(op.f('ix_lsh_buckets_key'), table_name='lsh_buckets')
    op.drop_table('lsh_buckets')
    op.drop_index(op.f('ix_clusters_updated_at'), table_name='clusters')
    op.drop_table('clusters')
