"""Days 0–5 of the farm under `schedule`: every new, changed and withdrawn document is recorded in
the run of its day and shows in a saved search's feed, the site whose layout changed is flagged on
that day's run (and the others are not), and each day's digest lists exactly that day's matches.

Six sites with attachments: a redesign, forms and tables replaced under unchanged pages, pages whose
chrome alone changed. `changed` is exactly the truth's (no redesign or chrome edit, no missed file),
in the runs, in `govplans new`, in the feed and in the version history."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.config import DataDir
from archive.store.health import site_health
from archive.models import Document
from archive.operations.notify import notify_all
from archive.read.events import run_events
from archive.store.saved import add_saved
from archive.operations.schedules import ScheduleConfig, schedule_rows
from archive.store import Archive
from crawler.recrawls import run_due
from tests.watch.conftest import DAY_WORLD as SMALL_WORLD

# 祁阳 平潭 抚顺 (trs; 平潭 is redesigned on day 1), 万载 (xxgk), 临朐 (hanweb), 安化 (legacy), with files
DAY_WORLD = dict(SMALL_WORLD, sites=6, attachments=True)

DAYS = range(6)
START = datetime(2025, 6, 30, 4, 0)          # each day's tick, after the 03:00 slot and its spread
CONFIG = ScheduleConfig.from_mapping({"default": {"cron": "0 3 * * *", "spread_minutes": 60, "full_every": 1}})
QUERY = "方案"
ATOM = "{http://www.w3.org/2005/Atom}"


def expected_events(truth: list[dict], day: int) -> dict[str, set[tuple[str, str]]]:
    """site -> {(kind, url)} that day brought (day 0: every document is new)."""
    out = defaultdict(set)
    for doc in truth:
        if doc["added_day"] == day:
            out[doc["site"]].add(("new", doc["url"]))
        if day and doc["changed_day"] == day:
            out[doc["site"]].add(("changed", doc["url"]))
        if day and doc["withdrawn_day"] == day:
            out[doc["site"]].add(("withdrawn", doc["url"]))
    return out


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    """The farm crawled on schedule for days 0–5, with a saved search notified after each day."""
    from govplans.ports import free_port
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World
    from tests.watch.conftest import DayFarm, Mailbox

    from aiosmtpd.controller import Controller

    from archive.operations.notify import SmtpSettings

    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    smtp = SmtpSettings("127.0.0.1", smtp_port, "govplans@example.test")
    farm = DayFarm(World(**DAY_WORLD))
    server, port = start_app_in_thread(farm)
    data = DataDir(tmp_path_factory.mktemp("days")).ensure()
    sites = World(**DAY_WORLD).registry(port)
    out = {"data": data, "port": port, "days": {}, "sites": sites}
    try:
        archive = Archive(data.database_url)
        saved = add_saved(archive, "方案", QUERY, {}, email="watcher@example.test")
        out["feed_key"] = saved.feed_key
        archive.close()
        for day in DAYS:
            world = World(day=day, **DAY_WORLD)
            farm.world = world
            before = len(mailbox.messages)
            tick = run_due(sites, data, CONFIG, now=START + timedelta(days=day))
            notified = notify_all(data, smtp=smtp)
            out["days"][day] = {"tick": tick, "truth": list(world.truth(port)), "notified": notified,
                                "mail": mailbox.messages[before:], "world": world,
                                "schedules": schedule_rows(Archive(data.database_url)),
                                "health": {k: (v.flagged, v.reason) for k, v in
                                           site_health(Archive(data.database_url)).items()}}
    finally:
        server.shutdown()
        controller.stop()
    return out


def test_every_site_runs_once_a_day_on_schedule(days):
    for day, result in days["days"].items():
        tick = result["tick"]
        assert sorted(tick.crawled) == sorted(s["id"] for s in days["sites"]) and not tick.failed, day
        for site_id, row in result["schedules"].items():
            assert row.runs == day + 1
            # the next run: tomorrow's 03:00 plus the site's offset, never before the tick
            assert START + timedelta(days=day) < row.next_run_at <= START + timedelta(days=day + 1)


def test_each_run_records_exactly_the_documents_its_day_brought(days):
    archive = Archive(days["data"].database_url)
    try:
        for day, result in days["days"].items():
            expected = expected_events(result["truth"], day)
            assert day == 0 or any(expected.values()), day
            for site_id, run_id in result["tick"].runs.items():
                got = {(e.kind, e.url) for e in run_events(archive, run_id)}
                assert got == expected.get(site_id, set()), (day, site_id)
        kinds = {e.kind for r in days["days"].values() for run in r["tick"].runs.values()
                 for e in run_events(archive, run)}
        assert kinds == {"new", "changed", "withdrawn"}     # the world exercised every kind
    finally:
        archive.close()


def test_redesign_is_seen_on_its_day_and_no_other_and_its_fields_still_read(days):
    """The redesign starts a new template in the site's model on day 1 (a `redesign` site event of
    that day's run, no other); extraction reads the new template's fields, so the health rule (a
    field's coverage falling) flags no site on any day."""
    from archive.models import SiteEvent

    first = days["days"][5]["world"]
    redesigned = {site.id: first.redesigned_on(site) for site in first.sites if first.redesigned_on(site) is not None}
    assert list(redesigned.values()) == [1]
    (site_id,) = redesigned
    archive = Archive(days["data"].database_url)
    try:
        with archive.session() as s:
            seen = {(e.site_id, e.run_id) for e in s.scalars(select(SiteEvent).where(SiteEvent.kind == "redesign"))}
    finally:
        archive.close()
    assert seen == {(site_id, days["days"][1]["tick"].runs[site_id])}
    for day in range(0, 6):
        assert {k for k, (flag, _) in days["days"][day]["health"].items() if flag} == set(), day


def test_digest_lists_exactly_each_days_new_matches(days):
    archive = Archive(days["data"].database_url)
    try:
        with archive.session() as s:   # what the index holds of each: title, text, files' text
            docs = {d.url: "".join([d.title or "", d.text or ""] + [a.text or "" for a in d.attachments])
                    for d in s.scalars(select(Document))}
    finally:
        archive.close()
    for day, result in days["days"].items():
        expected = set()
        for site_events in expected_events(result["truth"], day).values():
            expected |= {(kind, url) for kind, url in site_events if QUERY in docs[url]}
        assert expected, day
        (mail,) = result["mail"]
        body = mail.get_content()
        listed = {line.strip() for line in body.splitlines() if line.strip().startswith("http://www.")}
        assert listed == {url for _, url in expected}, day
        assert mail["To"] == "watcher@example.test"
        assert f"{len(expected)} 条新结果" in mail["Subject"]
        for kind, label in (("new", "新增"), ("changed", "修改"), ("withdrawn", "撤下")):
            count = sum(1 for k, _ in expected if k == kind)
            assert (f"{label}（{count}）" in body) == bool(count), (day, kind)


def test_saved_search_feed_has_every_matching_event(days):
    from search_ui import create_app

    app = create_app({"DATA_DIR": str(days["data"].root), "TESTING": True, "FEED_SIZE": 1000})
    try:
        response = app.test_client().get(f"/saved/{days['feed_key']}.atom")
        assert response.status_code == 200
        feed = ET.fromstring(response.data)
    finally:
        app.extensions["govplans"].archive.close()
    entries = {(e.find(f"{ATOM}category").get("term"), e.find(f"{ATOM}link[@rel='related']").get("href"))
               for e in feed.findall(f"{ATOM}entry")}
    mailed = set()
    for result in days["days"].values():
        (mail,) = result["mail"]
        mailed |= {line.strip() for line in mail.get_content().splitlines() if line.strip().startswith("http://www.")}
    assert {url for _, url in entries} == mailed
    assert {kind for kind, _ in entries} == {"new", "changed", "withdrawn"}


def test_new_command_lists_the_events_with_urls(days):
    from govplans.cli import main

    result = CliRunner().invoke(main, ["new", "--since", "2000-01-01", "--json", "--data", str(days["data"].root)])
    assert result.exit_code == 0, result.output
    import json
    events = json.loads(result.output)["events"]
    expected = set()
    for day, r in days["days"].items():
        for site_events in expected_events(r["truth"], day).values():
            expected |= site_events
    assert {(e["kind"], e["url"]) for e in events} == expected
    assert all(e["run_id"] for e in events)
    future = CliRunner().invoke(main, ["new", "--since", "2999-01-01", "--data", str(days["data"].root)])
    assert future.output.startswith("0 events")


def test_version_history_has_exactly_the_truths_versions(days):
    truth = days["days"][5]["truth"]
    assert any(doc["file_edits"] for doc in truth) and any(doc["chrome_day"] for doc in truth)
    archive = Archive(days["data"].database_url)
    try:
        with archive.session() as s:
            versions = {d.url: len(d.versions) for d in s.scalars(select(Document))}
    finally:
        archive.close()
    assert {doc["url"]: doc["version"] for doc in truth} == versions


def test_redesign_is_a_site_event_not_edits(days):
    from archive.models import SiteEvent

    world = days["days"][5]["world"]
    (site_id,) = [site.id for site in world.sites if world.redesigned_on(site) == 1]
    day1 = days["days"][1]["tick"].runs[site_id]
    archive = Archive(days["data"].database_url)
    try:
        with archive.session() as s:
            events = s.scalars(select(SiteEvent).where(SiteEvent.run_id == day1)).all()
    finally:
        archive.close()
    kinds = {e.kind for e in events}
    assert {e.site_id for e in events} == {site_id}
    # the site's template model saw a new template; pages it could not read the same are re-extracted
    assert "redesign" in kinds and kinds <= {"redesign", "reextracted"}
