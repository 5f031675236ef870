"""bench/queries.py: every query class of the search benchmark gets queries at three selectivities, none empty."""
import pytest

from archive.index import close_searchers, rebuild
from bench.queries import LEVELS, within
from bench.search import build_fts, choose_cases, measure_classes
from evaluation.corpus import generate_realistic

N = 1500


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    base = tmp_path_factory.mktemp("queries")
    docs = generate_realistic(N, lengths="real")
    rebuild(base / "index", docs, procs=1)
    db = build_fts(docs, str(base / "fts.sqlite"))
    yield base / "index", db
    close_searchers()
    db.close()


def test_every_class_has_three_levels_with_hits_on_both_engines(engines):
    index_dir, db = engines
    classes = choose_cases(index_dir, db)
    assert {"1-char", "2-char word", "3+ char word", "AND of two words", "phrase", "OR", "with filter",
            "facets"} <= set(classes)
    rows = measure_classes(index_dir, db, 1, classes=classes)
    for name, cases in classes.items():
        assert [c.level for c in cases] == list(LEVELS), name
        assert len({c.query + str(c.filters) for c in cases}) == 3, name   # three different queries
    for row in rows:
        assert row["ours_hits"] > 0 and row["fts5_hits"] > 0, row
        if row["class"] != "phrase":   # the same words, the same documents
            assert row["ours_hits"] == row["fts5_hits"], row
    # the common and the 1% levels are within their bounds on this corpus; rare ones hold few documents
    for row in rows:
        if row["level"] != "≤0.1%":
            assert within(row["level"], row["ours_hits"], N), row
        else:
            assert row["ours_hits"] <= 0.005 * N, row
