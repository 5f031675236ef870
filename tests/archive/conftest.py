"""Archive tests run against SQLite and, where the service is up, a real PostgreSQL.

PostgreSQL: $GOVPLANS_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test run makes one uniquely named database and drops it afterwards; each test gets a fresh schema.
Without the service the tests skip, except under CI=true, where a missing service fails them.
"""
from __future__ import annotations

import os
import uuid

import pytest

ADMIN_URL = os.environ.get("GOVPLANS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require_postgres(reason: str) -> None:
    """A required service is missing: fail under CI=true, skip (with the reason) elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres_database():
    """URL of a database made for this test run (dropped at the end), or None with the reason."""
    try:
        from sqlalchemy import create_engine, text
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"govplans_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no driver, no server, no rights: all mean "not available"
        yield None, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False), None
    finally:
        admin.dispose()  # the run's own engines are disposed by the tests
        with create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_database):
    """A fresh schema in the run's database, as a URL whose search_path points at it."""
    url, reason = postgres_database
    if url is None:
        require_postgres(reason)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def archive(database_url):
    from archive.store import Archive

    store = Archive(database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def farm_crawl(farm3, tmp_path_factory):
    """A data directory holding a crawl of the 3-site farm (copy it before changing it)."""
    import yaml

    from tests.conftest import run_govplans

    world, port = farm3
    data = tmp_path_factory.mktemp("farm-crawl")
    sites_file = data / "sites.yaml"
    sites_file.write_text(yaml.safe_dump(world.registry(port), allow_unicode=True), encoding="utf-8")
    result = run_govplans("crawl", "--sites-file", str(sites_file), data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    return data
