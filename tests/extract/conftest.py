"""The floors the real-page tests gate on (evaluation/floors.json), checked against the corpus."""
from __future__ import annotations

import pytest

from evaluation.extraction import CorpusChanged, checked_floors
from tests.conftest import REALDATA


@pytest.fixture(scope="session")
def floors() -> dict:
    """evaluation/floors.json's floors; every test using them fails, saying so, when ../shared/realdata
    is not the corpus they were measured on."""
    try:
        return checked_floors(REALDATA)
    except CorpusChanged as changed:
        pytest.fail(str(changed), pytrace=False)
