"""A blocked run: its class from what it met, a flag that names it (never a quiet site), and a longer
wait before the site's next scheduled run, doubling while it keeps blocking."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from archive.config import DataDir
from archive.operations import blocking, schedules
from archive.operations.health import RunFacts, assess, update_site_health
from archive.operations.schedules import ScheduleConfig
from archive.store import Archive
from archive.store import runs as crawl_runs
from archive.store.health import block_state, record_check, site_health

NOW = datetime(2025, 7, 1, 4, 0)
SITE = {"id": "wanzai", "name": "万载县人民政府", "family": "trs", "base_url": "http://www.wanzai.gov.cn.test"}
DAILY = ScheduleConfig.from_mapping({"default": {"cron": "0 3 * * *", "spread_minutes": 0}})


# -- the class of a run ----------------------------------------------------------------------------

def test_a_run_that_reached_nothing_takes_the_class_of_its_strongest_signal():
    block = blocking.run_block({"challenge": 2}, {"challenge": 2, "gave_up": 2, "timeout": 1}, listed=0, pages=0,
                               evidence={"challenge": {"status": 412, "vendor": "瑞数"}})
    assert block.name == "challenge" and block.detail["vendor"] == "瑞数" and block.detail["status"] == 412
    assert block.detail["signals"] == {"challenge": 2, "timeout": 1} and block.label == "JS 验证（Cookie 挑战）"
    assert blocking.run_block({}, {"dns": 2, "timeout": 3}, 0, 0).name == "dns"
    assert blocking.run_block({}, {"connection_lost": 3, "gave_up": 1}, 0, 0).name == "reset"
    assert blocking.run_block({}, {"connection_refused": 2}, None, 0).name == "refused"
    assert blocking.run_block({"stub": 3}, {}, 0, 0).name == "stub"
    assert blocking.run_block({"js_list": 1, "stub": 1}, {}, 0, 0).name == "js_list"


def test_a_run_without_signals_or_that_got_its_lists_is_not_blocked():
    assert blocking.run_block({}, {"http_500": 3, "gave_up": 1}, 0, 0) is None       # an outage: the broken-site rule
    assert blocking.run_block({"stub": 2}, {"timeout": 4}, listed=40, pages=0) is None   # a deep stub page, a slow page
    assert blocking.run_block({"waf": 2}, {}, listed=40, pages=0) is None              # two refused answers: not yet


def test_a_waf_that_lets_the_lists_through_but_refuses_the_documents_blocks_the_run():
    block = blocking.run_block({"waf": 12}, {"waf": 12}, listed=40, pages=3)
    assert block.name == "waf" and block.detail["partial"] is True
    assert blocking.run_block({"waf": 3}, {}, listed=40, pages=30) is None             # most pages came: not blocked


def test_the_pause_doubles_with_the_streak_up_to_its_cap():
    assert blocking.pause("challenge", 1) == timedelta(days=7)
    assert blocking.pause("challenge", 2) == timedelta(days=14)
    assert blocking.pause("challenge", 9) == timedelta(days=30)
    assert blocking.pause("timeout", 1) == timedelta(days=1)
    assert blocking.pause(None, 3) == blocking.pause("challenge", 0) == timedelta(0)


# -- the flag --------------------------------------------------------------------------------------

def run(n: int, **facts) -> RunFacts:
    values = dict(finished=True, pages=10, items=10, listed=10, extracted=10)
    values.update(facts)
    return RunFacts(run_id=n, **values)


def test_a_blocked_run_is_flagged_with_its_class_not_as_a_quiet_or_empty_site():
    blocked = dict(pages=0, items=0, listed=0, extracted=0, blocked="waf")
    verdict = assess([run(1), run(2, **blocked)])
    assert verdict.flagged and "WAF 拦截页" in verdict.reason and "没有找到任何条目" not in verdict.reason
    assert (verdict.blocked, verdict.blocked_runs) == ("waf", 1)
    verdict = assess([run(1), run(2, **blocked), run(3, **dict(blocked, blocked="challenge"))])
    assert (verdict.blocked, verdict.blocked_runs) == ("challenge", 2) and "连续 2 次" in verdict.reason
    assert not assess([run(1), run(2, **blocked), run(3)]).flagged                    # it let us in again


def finished_run(archive: Archive, block: str | None, listed: int) -> None:
    run_id = crawl_runs.start_run(archive, SITE["id"])
    crawl_runs.finish_run(archive, run_id, pages=listed, unchanged=listed, block_class=block,
                          block_detail={"signals": {block: 2}} if block else None)
    record_check(archive, run_id, SITE["id"], listed, 0, {})
    update_site_health(archive, SITE["id"], now=NOW + timedelta(days=run_id))


@pytest.fixture()
def archive(tmp_path):
    archive = Archive(DataDir(tmp_path / "data").ensure().database_url)
    archive.upsert_site(SITE)
    yield archive
    archive.close()


def test_site_health_keeps_the_class_since_when_and_the_streak_and_clears_them(archive):
    finished_run(archive, None, 20)
    assert block_state(archive, "wanzai") == (None, 0)
    finished_run(archive, "challenge", 0)
    finished_run(archive, "challenge", 0)
    kept = site_health(archive)["wanzai"]
    assert (kept.block_class, kept.blocked_runs, kept.blocked_since) == ("challenge", 2, NOW + timedelta(days=2))
    assert kept.flagged and block_state(archive, "wanzai") == ("challenge", 2)
    finished_run(archive, None, 20)
    kept = site_health(archive)["wanzai"]
    assert (kept.block_class, kept.blocked_runs, kept.blocked_since, kept.flagged) == (None, None, None, False)


# -- the scheduler's wait --------------------------------------------------------------------------

def test_a_blocked_site_waits_its_class_pause_and_longer_while_it_keeps_blocking(archive):
    schedules.sync(archive, [SITE], DAILY, NOW)
    assert schedules.mark_ran(archive, SITE, DAILY, NOW, now=NOW) == datetime(2025, 7, 2, 3, 0)   # not blocked: tomorrow
    finished_run(archive, "challenge", 0)
    assert schedules.mark_ran(archive, SITE, DAILY, NOW, now=NOW) == datetime(2025, 7, 9, 3, 0)   # a week
    finished_run(archive, "challenge", 0)
    assert schedules.mark_ran(archive, SITE, DAILY, NOW, now=NOW) == datetime(2025, 7, 16, 3, 0)  # two weeks
    finished_run(archive, "timeout", 0)
    assert schedules.mark_ran(archive, SITE, DAILY, NOW, now=NOW) == datetime(2025, 7, 6, 3, 0)   # 3rd in a row: 1 day × 2²
    finished_run(archive, None, 20)
    assert schedules.mark_ran(archive, SITE, DAILY, NOW, now=NOW) == datetime(2025, 7, 2, 3, 0)
