"""The broken-site rules: no items where there used to be some, a field most pages had going
missing, more errors than pages; the flag clears when a run passes again."""
from __future__ import annotations

from archive.operations.health import RunFacts, assess

FULL = {"title": 1.0, "published": 1.0, "agency": 1.0}


def run(n: int, **facts) -> RunFacts:
    values = dict(finished=True, pages=10, items=10, listed=10, extracted=10, coverage=FULL)
    values.update(facts)
    return RunFacts(run_id=n, **values)


def test_healthy_history_is_not_flagged():
    assert not assess([run(1), run(2), run(3)]).flagged


def test_run_finding_no_items_where_earlier_runs_did_is_flagged():
    verdict = assess([run(1), run(2, pages=3, items=0, listed=0, extracted=0, coverage={})])
    assert verdict.flagged and "没有找到任何条目" in verdict.reason and verdict.run_id == 2


def test_quiet_incremental_run_that_still_lists_items_is_not_flagged():
    assert not assess([run(1), run(2, pages=0, items=0, listed=15, extracted=0, coverage={})]).flagged


def test_field_missing_on_most_pages_after_a_redesign_is_flagged():
    verdict = assess([run(1), run(2, coverage={"title": 1.0, "published": 1.0, "agency": 0.1})])
    assert verdict.flagged and "agency" in verdict.reason


def test_field_a_site_never_had_is_no_alarm():
    sparse = {"title": 1.0, "published": 1.0, "agency": 0.3}
    assert not assess([run(1, coverage=sparse), run(2, coverage={"title": 1.0, "published": 1.0, "agency": 0.0})]).flagged


def test_too_few_pages_say_nothing_about_coverage_and_keep_the_last_verdict():
    broken = run(2, coverage={"title": 1.0, "published": 0.0})
    assert assess([run(1), broken, run(3, extracted=1, coverage={"title": 1.0, "published": 1.0})]).flagged
    assert not assess([run(1), broken, run(3)]).flagged          # recovered: dates are back


def test_more_errors_than_pages_is_flagged():
    assert assess([run(1), run(2, pages=2, errors=3)]).flagged
    assert not assess([run(1), run(2, pages=2, errors=2)]).flagged


def test_unfinished_run_is_not_judged():
    assert not assess([run(1), run(2, finished=False, pages=0, items=0, listed=0)]).flagged
    assert not assess([]).flagged


def test_first_run_without_pages_is_flagged():
    assert assess([run(1, pages=0, items=0, listed=None, extracted=0, coverage={})]).flagged
