"""The PostgreSQL engine: one table with unit strings searched by LIKE, served by pg_trgm.

    backend.py   the api functions (PgIndex, what backends.py hands out), connection pools
    table.py     the table, a document's row, unit strings and LIKE patterns

Only the modules of this package use PostgreSQL's SQLAlchemy dialect and psycopg (COPY in a
rebuild).
"""
