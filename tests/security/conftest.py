"""The hostile archive (evaluation/hostile.py), built once per session, and an app over it
with an admin token set."""
from __future__ import annotations

import pytest

from evaluation.hostile import ADMIN_TOKEN, build_world


@pytest.fixture(scope="session")
def hostile_data(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("govplans-hostile"))


@pytest.fixture()
def app(hostile_data, monkeypatch):
    from search_ui import create_app

    monkeypatch.delenv("GOVPLANS_ADMIN_TOKEN", raising=False)
    app = create_app({"DATA_DIR": str(hostile_data.root), "TESTING": True, "GOVPLANS_ADMIN_TOKEN": ADMIN_TOKEN,
                      "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["govplans"].archive.close()


@pytest.fixture()
def client(app):
    return app.test_client()
