"""Atom feeds of any search, and CSV / JSONL downloads of any result set."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import lxml.etree
import lxml.html
import pytest

from search_ui.views.feeds import _cell
from tests.ui.conftest import DOCS, XSS

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = "%Y-%m-%dT%H:%M:%S%z"


def atom(client, query: str = ""):
    response = client.get(f"/search.atom?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return lxml.etree.fromstring(response.data)


def _time(text: str) -> datetime:
    return datetime.strptime(text.replace("Z", "+00:00"), RFC3339)


def test_the_feed_is_valid_atom(client):
    feed = atom(client, "q=方案")
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    _time(feed.findtext(f"{A}updated"))
    assert feed.find(f"{A}author/{A}name").text                          # entries inherit it
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith("http://localhost/search.atom?")
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 4
    for entry in entries:
        for name in ("id", "title", "updated", "summary", "content"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        _time(entry.findtext(f"{A}updated"))
        _time(entry.findtext(f"{A}published"))
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://localhost/doc/")
    assert len({e.findtext(f"{A}id") for e in entries}) == 4


def test_the_feed_is_newest_first_and_follows_the_filters(client):
    published = [e.findtext(f"{A}published") for e in atom(client).findall(f"{A}entry")]
    assert len(published) == len(DOCS) and published == sorted(published, reverse=True)
    titles = [e.findtext(f"{A}title") for e in atom(client, "region=431121").findall(f"{A}entry")]
    assert titles == ["祁阳市2024年政务公开日活动方案", "祁阳市2023年政务公开工作要点"]


def test_scraped_markup_in_the_feed_is_text(client):
    feed_bytes = client.get("/search.atom?q=进贤").data
    assert b"<script" not in feed_bytes
    entry = next(e for e in lxml.etree.fromstring(feed_bytes).findall(f"{A}entry") if "script" in e.findtext(f"{A}title"))
    assert entry.findtext(f"{A}title") == f"进贤县政务公开{XSS}方案"
    content = entry.find(f"{A}content")
    assert content.get("type") == "html"
    shown = lxml.html.fromstring(content.text)                          # what a feed reader renders
    assert not shown.xpath("//script") and XSS in shown.text_content()
    assert all(not link.get("href", "").startswith("javascript") for link in entry.findall(f"{A}link"))


def test_a_malformed_query_gives_an_empty_feed_not_an_error(client):
    feed = atom(client, 'q="未闭合')
    assert feed.findall(f"{A}entry") == [] and "引号" in feed.findtext(f"{A}subtitle")


def test_csv_has_every_result_with_a_header(client):
    response = client.get("/search.csv?theme=乡村振兴")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(r["title"] for r in rows) == ["江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案",
                                               "进贤县2024年乡村振兴工作通知"]
    assert all(r["archive_url"].startswith("http://localhost/doc/") for r in rows)
    assert response.headers["X-Result-Total"] == "3"


def test_jsonl_has_one_full_record_per_line(client):
    lines = client.get("/search.jsonl?q=进贤").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3 and all("text" in r and "sources" in r for r in records)
    assert f"进贤县政务公开{XSS}方案" in [r["title"] for r in records]
    assert all("<" not in line for line in lines)            # markup travels as \u003c


@pytest.mark.parametrize("app", [{"EXPORT_MAX_ROWS": 3}], indirect=True)
def test_downloads_stop_at_the_cap_and_say_so(client):
    rows = list(csv.reader(io.StringIO(client.get("/search.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 3 + 1 and rows[-1][0].startswith("# 仅导出前 3 条（共 7 条）")
    lines = [json.loads(line) for line in client.get("/search.jsonl").get_data(as_text=True).splitlines()]
    assert len(lines) == 4 and lines[-1]["truncated"] is True and lines[-1]["total"] == 7
    page = client.get("/search").get_data(as_text=True)
    assert "最多导出前 3 条" in page


@pytest.mark.parametrize("app", [{"EXPORT_MAX_ROWS": 5}], indirect=True)
def test_downloads_page_through_the_index(client, monkeypatch):
    import search_ui.views.feeds as feeds

    monkeypatch.setattr(feeds, "BATCH", 2)      # several index pages, in order, none twice
    ids = [json.loads(line)["id"] for line in client.get("/search.jsonl").get_data(as_text=True).splitlines()[:5]]
    expected = [h["id"] for h in client.get("/search.json").get_json()["hits"]][:5]
    assert ids == expected


@pytest.mark.parametrize("value, expected", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"),
                                             ("-2", "'-2"), ("@SUM", "'@SUM"), ("方案", "方案"), (None, ""), (7, "7")])
def test_csv_cells_never_start_a_formula(value, expected):
    assert _cell(value) == expected


@pytest.mark.parametrize("query, title", [
    ("q=政务公开&region=430000&year=2024&doc_type=方案", "政府方案档案：政务公开 湖南省 2024年 方案"),
    ("status=changed", "政府方案档案：全部文件 有修改"),
    ("site=qiyang&year_from=2023&year_to=2024", "政府方案档案：全部文件 2023年起 至2024年 祁阳市人民政府"),
])
def test_feed_titles_name_their_filters_as_a_reader_would(client, query, title):
    """They showed the codes: 政务公开 430000 2024 方案, 全部文件 changed."""
    assert atom(client, query).findtext(f"{A}title") == title
