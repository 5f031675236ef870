"""Migrations: a fresh database reaches head, the models match the migrations, an old database upgrades."""
from __future__ import annotations

from datetime import datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from archive.store import migrations
from archive.models import Base
from archive.store import Archive
from archive.read.documents import get_document
from archive.read.documents import count_documents


def test_fresh_database_is_migrated_to_head_on_open(database_url):
    archive = Archive(database_url)
    with archive.engine.connect() as connection:
        assert migrations.current(connection) == migrations.head()
        tables = set(inspect(connection).get_table_names())
    archive.close()
    assert {"documents", "versions", "clusters", "lsh_buckets", "crawl_runs", "alembic_version"} <= tables


def test_models_and_migrations_describe_the_same_schema(database_url):
    archive = Archive(database_url)
    with archive.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    archive.close()
    assert differences == []


def test_opening_twice_is_harmless(database_url):
    Archive(database_url).close()
    archive = Archive(database_url)
    assert count_documents(archive) == 0
    archive.close()


def test_database_made_before_migrations_is_stamped_and_upgraded_keeping_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:  # the walking skeleton's schema, as create_all made it, unversioned
        command.upgrade(migrations.alembic_config(connection), migrations.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text(
            "INSERT INTO documents (url, themes, text, outline, sources, content_hash, status, first_seen, "
            "last_seen, updated_at) VALUES ('http://x.test/a', '[]', '正文', '[]', '{}', 'h', 'withdrawn', "
            "'2024-01-01 00:00:00', '2024-01-02 00:00:00', '2024-01-03 00:00:00')"))
    engine.dispose()
    archive = Archive(url)
    row = get_document(archive, 1)
    assert row.url == "http://x.test/a"
    assert row.withdrawn_at == datetime(2024, 1, 3)  # backfilled from when it was last updated
    archive.close()


def test_saved_searches_made_before_feed_keys_get_distinct_random_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0005")
        for name in ("一", "二"):
            connection.execute(text("INSERT INTO saved_searches (name, query, filters, created, last_event_id) "
                                    "VALUES (:n, '方案', '{}', '2024-01-01 00:00:00', 0)"), {"n": name})
    engine.dispose()
    archive = Archive(url)
    from archive.store.saved import get_saved_by_feed_key, list_saved

    keys = [row.feed_key for row in list_saved(archive)]
    assert len(set(keys)) == 2 and all(len(k) >= 24 for k in keys)
    assert get_saved_by_feed_key(archive, keys[1]).name == "二"
    archive.close()
