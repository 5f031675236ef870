"""Due times: a cron per site, group or default, shifted by a fixed per-site offset that spreads
sites over the window; a new site is due from its latest slot."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from archive.operations.schedules import ScheduleConfig, ScheduleSpec, last_due, next_due, offset, site_spec

DAILY = ScheduleSpec("0 3 * * *", spread_minutes=60)
NOW = datetime(2025, 7, 1, 12, 0)


def test_offset_is_fixed_per_site_and_inside_the_spread_window():
    ids = [f"county{n}" for n in range(200)]
    offsets = [offset(i, DAILY, NOW) for i in ids]
    assert offsets == [offset(i, DAILY, NOW + timedelta(days=40)) for i in ids]
    assert all(timedelta(0) <= o < timedelta(minutes=60) and o.seconds % 60 == 0 for o in offsets)
    assert len(set(offsets)) > 40          # 200 sites do not start in a handful of minutes


def test_spread_never_exceeds_the_cron_period():
    every_ten = ScheduleSpec("*/10 * * * *", spread_minutes=60)
    assert all(offset(f"s{n}", every_ten, NOW) < timedelta(minutes=10) for n in range(100))
    assert offset("qiyang", ScheduleSpec("0 3 * * *", spread_minutes=0), NOW) == timedelta(0)


def test_next_due_is_the_cron_slot_plus_the_offset_and_strictly_later():
    shift = offset("qiyang", DAILY, NOW)
    following = next_due("qiyang", DAILY, NOW)
    assert following == datetime(2025, 7, 2, 3, 0) + shift
    assert next_due("qiyang", DAILY, following) == following + timedelta(days=1)
    assert last_due("qiyang", DAILY, following) == following
    assert last_due("qiyang", DAILY, NOW) == datetime(2025, 7, 1, 3, 0) + shift


def test_site_schedule_wins_over_group_over_default():
    config = ScheduleConfig.from_mapping({"default": "0 3 * * *",
                                          "groups": {"hunan": {"cron": "0 */6 * * *", "full_every": 1}}})
    assert site_spec({"id": "a"}, config).cron == "0 3 * * *"
    assert site_spec({"id": "a", "group": "hunan"}, config) == ScheduleSpec("0 */6 * * *", 60, 1)
    own = site_spec({"id": "a", "group": "hunan", "schedule": "30 1 * * 1"}, config)
    assert own.cron == "30 1 * * 1" and own.full_every == 1


def test_bad_cron_is_refused():
    with pytest.raises(ValueError):
        ScheduleConfig.from_mapping({"default": "every night"})
