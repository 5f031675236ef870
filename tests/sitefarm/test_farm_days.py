"""--day D: new documents top the lists, edits make new versions, withdrawals 404 or leave the lists,
and one TRS site moves to its redesigned template; day 0 is untouched."""
import json
import re
from html import unescape

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from sitefarm.cli import farm as farm_cli
from sitefarm.families import FAMILIES
from sitefarm.server import start_in_thread
from sitefarm.world import EPOCH, World
from datetime import timedelta
from tests.sitefarm.conftest import FarmClient

WORLD = dict(sites=15, seed=0, docs_per_site=(20, 30))


@pytest.fixture(scope="module")
def days():
    """(day-0 truth, day-1 truth, client of a day-1 farm, the day-1 world)."""
    world = World(day=1, **WORLD)
    server, port = start_in_thread(world, port=0)
    day0 = {t["url"]: t for t in World(**WORLD).truth(port)}
    day1 = {t["url"]: t for t in world.truth(port)}
    yield day0, day1, FarmClient(port), world
    server.shutdown()


def column_urls(client, world, site, column):
    """Detail URLs of a column, newest first, as the site lists them (first list page only)."""
    base = world.base_url(site, client.port)
    if site.family == "hanweb":
        return []
    body = client.get(base + column.path)[2]
    page = body.decode("gbk" if site.family == "legacy" else "utf-8")
    hrefs = re.findall(r'href="([^"]+)"[^>]*target="_blank"', page)
    return [base + column.path + unescape(h)[2:] if h.startswith("./") else base + unescape(h)
            for h in hrefs if "/" in h]


def test_day_zero_is_all_active_version_one():
    for record in World(**WORLD).truth(8800):
        assert (record["status"], record["version"], record["added_day"], record["layout"]) == ("active", 1, 0, 1)


def test_day_one_keeps_every_day_zero_url_and_adds_new_ones(days):
    day0, day1, _, _ = days
    assert set(day0) < set(day1)
    new = [t for t in day1.values() if t["added_day"] == 1]
    assert new and len(new) == len(day1) - len(day0)
    assert all(t["published"] == str(EPOCH.fromordinal(EPOCH.toordinal() + 1)) and t["status"] == "active" for t in new)


def test_new_documents_top_their_column_lists(days):
    _, day1, client, world = days
    checked = 0
    for site in (s for s in world.sites if s.family in ("trs", "xxgk", "legacy")):
        fresh = {t["url"] for t in day1.values() if t["added_day"] == 1 and t["site"] == site.id}
        shown = set()
        for column in site.columns:
            listed = column_urls(client, world, site, column)
            top = set(listed[:len(fresh & set(listed))])
            assert top == fresh & set(listed)
            shown |= top
        assert shown == fresh
        checked += len(fresh)
    assert checked >= 3


def test_changed_document_has_version_two_and_one_edited_paragraph(days):
    day0, day1, client, _ = days
    changed = [t for t in day1.values() if t["status"] == "changed"]
    assert changed
    for record in changed:
        assert record["version"] == 2 and record["changed_day"] == 1
        before, after = day0[record["url"]]["text"].split("\n"), record["text"].split("\n")
        assert len(before) == len(after)
        edits = [(a, b) for a, b in zip(before, after) if a != b]
        assert len(edits) == 1 and edits[0][1].startswith(edits[0][0].rstrip("。"))
        status, _, body = client.get(record["url"])
        page = body.decode("gbk" if record["family"] == "legacy" else "utf-8")
        assert status == 200 and edits[0][1] in page and edits[0][0] not in page


def test_withdrawn_documents_answer_404_or_leave_the_lists(days):
    _, day1, client, world = days
    withdrawn = [t for t in day1.values() if t["status"] == "withdrawn"]
    assert {t["withdrawn_as"] for t in withdrawn} == {"404", "unlisted"}
    listed_everywhere = set()
    for site in world.sites:
        for column in site.columns:
            listed_everywhere |= {world.base_url(site, client.port) + FAMILIES[site.family].doc_path(d)
                                  for d in world.listed(site, column)}
    for record in withdrawn:
        assert record["withdrawn_day"] == 1 and record["url"] not in listed_everywhere
        status = client.get(record["url"])[0]
        assert status == (404 if record["withdrawn_as"] == "404" else 200)
    site = next(s for s in world.sites if s.id == withdrawn[0]["site"] and s.family != "hanweb")
    shown = [u for c in site.columns for u in column_urls(client, world, site, c)]
    assert shown and not {t["url"] for t in withdrawn} & set(shown)


def test_one_trs_site_is_redesigned_on_day_one(days):
    day0, day1, client, world = days
    redesigned = [s for s in world.sites if world.layout(s) == 2]
    assert len(redesigned) == 1 and redesigned[0].family == "trs" and world.redesigned_on(redesigned[0]) == 1
    site = redesigned[0]
    record = next(t for t in day1.values() if t["site"] == site.id and t["status"] == "active" and t["text_in"] == "page")
    assert record["layout"] == 2 and day0[record["url"]]["layout"] == 1
    page = client.get(record["url"])[2].decode()
    assert "ArticleTitle" not in page and "PubDate" not in page and "TRS_Editor" not in page
    tree = lxml_html.fromstring(page)
    assert tree.xpath('string(//h1[@class="m-article-title"])') == record["title"]
    assert "\n".join(p.text_content() for p in tree.xpath('//div[@id="js-content"]/p')) == record["text"]
    listing = client.get(world.base_url(site, client.port) + site.columns[0].path)[2].decode()
    assert re.search(r"createPageHTML\('page-div', \d+, 0, 'index', 'html', \d+\)", listing)
    other = next(s for s in world.sites if s.family == "trs" and s is not site)
    other_record = next(t for t in day1.values() if t["site"] == other.id)
    assert "ArticleTitle" in client.get(other_record["url"])[2].decode()


def test_days_accumulate():
    day1 = {t["url"]: t for t in World(day=1, **WORLD).truth(1)}
    day3 = {t["url"]: t for t in World(day=3, **WORLD).truth(1)}
    assert set(day1) <= set(day3)
    for url, record in day1.items():
        if record["status"] == "withdrawn":
            assert day3[url]["status"] == "withdrawn" and day3[url]["withdrawn_day"] == 1
        assert day3[url]["version"] >= record["version"]
        assert day3[url]["title"] == record["title"]
    assert {t["added_day"] for t in day3.values()} >= {0, 1, 2, 3}


def test_cli_truth_takes_the_day():
    result = CliRunner().invoke(farm_cli, ["truth", "--sites", "3", "--day", "2"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records == list(World(sites=3, day=2, attachments=True, faults="low").truth(8800))
    assert all(r["day"] == 2 for r in records) and any(r["added_day"] == 2 for r in records)


def _list_row(client, world, site, url: str):
    """The date text beside url in its column's list, every list page read (trs and xxgk; None if unlisted)."""
    base = world.base_url(site, client.port)
    for column in site.columns:
        for n in range(100):
            page_url = base + column.path + ((f"index_{n}.html" if site.family == "trs" else f"?page={n + 1}")
                                             if n else "")
            status, _, body = client.get(page_url)
            rows = re.findall(r'href="([^"]+)"((?:(?!href=).){0,600}?)</(?:li|tr|dd)>', body.decode(), re.S) if status == 200 else []
            if not rows:
                break
            for href, rest in rows:
                href = unescape(href)
                if (base + column.path + href[2:] if href.startswith("./") else base + href) == url:
                    return re.findall(r"\d{4}-\d{2}-\d{2}", rest)[-1]     # xxgk: 成文日期, then 发布日期
    return None


def test_edited_documents_show_their_edit_day_in_the_lists_as_each_family_does(days):
    """trs re-publishes (重新发布): the edit day as list date, at the top; xxgk keeps the row in place
    with the update day as its 发布日期. (The edit day is EPOCH + 1 on a day-1 farm.)"""
    _, day1, client, world = days
    edit_day = str(EPOCH.fromordinal(EPOCH.toordinal() + 1))
    checked = set()
    for record in (t for t in day1.values() if t["status"] == "changed"):
        site = next(s for s in world.sites if s.id == record["site"])
        doc = next(d for d in world.documents(site) if world.base_url(site, client.port)
                   + FAMILIES[site.family].doc_path(d) == record["url"])
        assert doc.listed_on == EPOCH.fromordinal(EPOCH.toordinal() + 1) and doc.published != doc.listed_on
        column = world.listed(site, doc.column)
        position = column.index(doc)
        if FAMILIES[site.family].EDITED_IN_LISTS == "republish":
            assert all(d.listed_on == doc.listed_on for d in column[:position])    # only that day's news above
        else:
            assert all(d.published >= doc.published for d in column[:position])   # still in 发布日期 order
        if site.family in ("trs", "xxgk"):
            assert _list_row(client, world, site, record["url"]) == edit_day
            checked.add(site.family)
    assert checked


def test_detail_pages_carry_validators_and_answer_conditional_requests_with_304(days):
    day0, day1, client, world = days
    from email.utils import parsedate_to_datetime

    for family in ("trs", "xxgk", "hanweb", "legacy"):
        record = next(t for t in day1.values() if t["family"] == family and t["status"] == "active")
        status, headers, body = client.get(record["url"])
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        assert client.get(record["url"], headers={"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
        assert client.get(record["url"], headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert client.get(record["url"], headers={"If-None-Match": '"other"',
                                                  "If-Modified-Since": headers["Last-Modified"]})[0] == 200
        assert client.get(record["url"], headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    # an edit is a new version: new validators, Last-Modified on the edit day (Beijing time)
    record = next(t for t in day1.values() if t["status"] == "changed")
    headers = client.get(record["url"])[1]
    assert headers["ETag"] != _day0_etag(record, client)
    moment = parsedate_to_datetime(headers["Last-Modified"]) + timedelta(hours=8)    # Beijing time
    assert moment.date() == EPOCH + timedelta(days=1)
    # list pages are generated on every request: no validators, as dynamic list scripts send
    site = next(s for s in world.sites if s.family == "trs")
    assert "ETag" not in client.get(world.base_url(site, client.port) + site.columns[0].path)[1]


def _day0_etag(record, client) -> str:
    server, port = start_in_thread(World(**WORLD), port=0)
    try:
        url = record["url"].replace(f":{client.port}", f":{port}")
        return FarmClient(port).get(url)[1]["ETag"]
    finally:
        server.shutdown()


def _answer(world, url, headers=None):
    from urllib.parse import urlsplit

    from sitefarm.responses import Request
    from sitefarm.server import respond

    parts = urlsplit(url)
    response = respond(world, Request("GET", parts.path, parts.query, b"", headers or {}), parts.netloc)
    return response.status, dict(response.headers), response.body


def test_replaced_files_and_chrome_only_changes_as_the_truth_says():
    """A replaced form or table: same URL, new bytes and ETag, a new version in the truth, its page
    untouched; an unreplaced file answers 304 to its ETag; a page whose chrome alone changed has new
    bytes and validators but the same document (version and text)."""
    options = dict(sites=6, seed=0, docs_per_site=(8, 12), attachments=True)
    before, after = World(**options), World(day=5, **options)
    old = {t["url"]: t for t in before.truth(8800)}
    new = {t["url"]: t for t in after.truth(8800)}
    replaced = [t for t in new.values() if t["file_edits"] and t["status"] != "withdrawn" and t["url"] in old]
    assert replaced
    for record in replaced:
        assert record["version"] == old[record["url"]]["version"] + record["file_edits"] == 1 + record["file_edits"]
        assert record["text"] == old[record["url"]]["text"]
        page_then, page_now = _answer(before, record["url"]), _answer(after, record["url"])
        if record["chrome_day"] is None:      # the page's validators stay (its 上一篇/下一篇 may move on)
            assert page_now[1]["ETag"] == page_then[1]["ETag"]
        changed_files = 0
        for link in record["attachments"]:
            status, headers, body = _answer(before, link["url"])
            again = _answer(after, link["url"], {"if-none-match": headers["ETag"]})
            if again[0] == 304:
                assert _answer(after, link["url"])[2] == body
            else:
                changed_files += 1
                assert again[0] == 200 and again[2] != body and again[1]["ETag"] != headers["ETag"]
        assert changed_files == 1
    chrome = [t for t in new.values() if t["chrome_day"] and t["version"] == 1 and t["status"] == "active"
              and t["url"] in old]
    assert chrome
    for record in chrome:
        then, now = _answer(before, record["url"]), _answer(after, record["url"])
        assert now[0] == 200 and now[2] != then[2]
        assert "相关文章".encode() in now[2] or "相关文章".encode("gbk") in now[2]     # legacy pages are GBK
        assert now[1]["ETag"] != then[1]["ETag"]
        assert record["text"] == old[record["url"]]["text"]
