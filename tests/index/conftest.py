"""Index tests run on every search backend: Whoosh in a directory, PostgreSQL in a database.

The PostgreSQL runs use a database of their own, created for the session and dropped after it
(one schema per index inside it). Without a reachable PostgreSQL they are skipped with the
reason, unless CI=true, where that is a failure. $GOVPLANS_TEST_PG_URL names the server
(default: postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""
from __future__ import annotations

import itertools
import os
import uuid

import pytest

BACKENDS = ("whoosh", "pg")
PG_ADMIN_URL = os.environ.get("GOVPLANS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def skip_or_fail(reason: str):
    """Skip with a visible reason; on CI (CI=true) a missing service is a failure instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: not skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _backend_from_locations_only():
    """$GOVPLANS_SEARCH_URL would send the Whoosh runs to PostgreSQL: not in these tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GOVPLANS_SEARCH_URL", raising=False)
        yield


@pytest.fixture(scope="session")
def pg_database():
    """URL of a database created for this session (dropped at its end)."""
    try:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        name = f"govplans_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:   # noqa: BLE001 - any reason PostgreSQL cannot be used
        skip_or_fail(f"PostgreSQL not usable at {PG_ADMIN_URL}: {type(e).__name__}: {str(e).splitlines()[0]}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    from archive.index import close_searchers
    close_searchers()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def new_index(backend, request, tmp_path_factory):
    """A function returning a fresh, empty index location of this module's backend."""
    counter = itertools.count()
    if backend == "pg":
        database = request.getfixturevalue("pg_database")
        module = request.module.__name__.rsplit(".", 1)[-1]
        return lambda: f"{database}?schema={module}_{next(counter)}"
    return lambda: tmp_path_factory.mktemp("index") / "index"


@pytest.fixture
def location(new_index):
    """A fresh index location for one test."""
    return new_index()
