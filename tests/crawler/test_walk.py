"""The column walk, without a network: newest first, stop after N known items in a row; a full
sweep asks known pages again with their validators; a known page answering 404 is withdrawn."""
from __future__ import annotations

from scrapy.http import HtmlResponse, Request

from archive.store.runs import Validators
from crawler.spiders.base import SweepState
from crawler.spiders.trs import TrsSpider
from crawler.state import SiteState

SITE = {"id": "s", "base_url": "http://h/", "family": "trs", "columns": ["/c/"]}


def list_page(first: int, count: int, pages: int = 5, page: int = 0) -> HtmlResponse:
    items = "".join(f'<li><a href="./202401/t20240101_{n}.html">plan {n}</a><span>2024-01-01</span></li>'
                    for n in range(first, first - count, -1))
    body = f'<ul>{items}</ul><script>createPageHTML({pages}, {page}, "index", "html");</script>'
    url = "http://h/c/" if page == 0 else f"http://h/c/index_{page}.html"
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))


def detail_url(n: int) -> str:
    return f"http://h/c/202401/t20240101_{n}.html"


def spider_with(state: SiteState, stop_after_seen: int = 3) -> TrsSpider:
    spider = TrsSpider(sites=[SITE], stop_after_seen=stop_after_seen)
    spider.states[SITE["id"]] = state

    class Stats:
        def inc_value(self, *args, **kwargs):
            pass

    class Signals:
        """What the spider tells the run bookkeeping (crawler.signals.walk_finished)."""
        def __init__(self):
            self.walks = []

        def send_catch_log(self, signal, **kwargs):
            self.walks.append(kwargs)

    spider.crawler = type("Crawler", (), {"stats": Stats(), "signals": Signals()})()
    return spider


def test_walk_stops_after_n_known_items_in_a_row():
    known = {detail_url(n): "active" for n in range(1, 98)}         # 100, 99, 98 are new
    spider = spider_with(SiteState("s", known=known), stop_after_seen=3)
    out = list(spider.parse_list(list_page(100, 20), SITE, "http://h/c/"))
    assert [r.url for r in out] == [detail_url(100), detail_url(99), detail_url(98)]   # no further list page


def test_walk_goes_on_to_the_next_page_while_items_are_new():
    known = {detail_url(n): "active" for n in range(1, 70)}
    spider = spider_with(SiteState("s", known=known), stop_after_seen=3)
    out = list(spider.parse_list(list_page(100, 20), SITE, "http://h/c/"))
    details = [r for r in out if r.callback == spider.parse_detail]
    lists = [r for r in out if r.callback == spider.parse_list]
    assert len(details) == 20
    assert [r.url for r in lists] == ["http://h/c/index_1.html"]             # one page at a time
    assert lists[0].cb_kwargs["pending"] == [f"http://h/c/index_{n}.html" for n in (2, 3, 4)]


def test_known_items_interrupted_by_a_new_one_start_counting_again():
    known = {detail_url(n): "active" for n in (100, 99, 97, 96, 94, 93)}
    spider = spider_with(SiteState("s", known=known), stop_after_seen=3)
    out = list(spider.parse_list(list_page(100, 8), SITE, "http://h/c/"))
    assert [r.url for r in out if r.callback == spider.parse_detail] == [detail_url(98), detail_url(95)]
    assert any(r.callback == spider.parse_list for r in out)                 # never 3 known in a row


def test_first_crawl_and_full_sweep_read_every_page_at_once():
    for state in (SiteState("s"), SiteState("s", known={detail_url(100): "active"}, full=True)):
        spider = spider_with(state)
        out = list(spider.parse_list(list_page(100, 20), SITE, "http://h/c/"))
        assert len([r for r in out if r.callback == spider.parse_list]) == 4


def test_full_sweep_asks_known_pages_with_their_validators():
    known = {detail_url(100): "active"}
    state = SiteState("s", known=known, full=True,
                      validators={detail_url(100): Validators('"abc"', "Mon, 01 Jan 2024 00:00:00 GMT")})
    spider = spider_with(state)
    request = next(r for r in spider.parse_list(list_page(100, 1), SITE, "http://h/c/") if r.url == detail_url(100))
    assert request.headers.get("If-None-Match") == b'"abc"'
    assert request.headers.get("If-Modified-Since") == b"Mon, 01 Jan 2024 00:00:00 GMT"
    assert 304 in request.meta["handle_httpstatus_list"]


def test_resumed_walk_skips_what_the_interrupted_run_fetched():
    state = SiteState("s", known={detail_url(100): "active"}, resumed=True, done={detail_url(99)})
    spider = spider_with(state)
    out = list(spider.parse_list(list_page(100, 4, pages=1), SITE, "http://h/c/"))
    assert [r.url for r in out] == [detail_url(98), detail_url(97)]


def test_a_known_page_that_answers_404_is_reported_gone():
    spider = spider_with(SiteState("s", known={detail_url(100): "active"}))
    response = HtmlResponse(detail_url(100), status=404, body=b"<h1>404</h1>", request=Request(detail_url(100)))
    (item,) = list(spider.parse_detail(response, SITE))
    assert item.kind == "gone" and item.url == detail_url(100)
    unchanged = HtmlResponse(detail_url(100), status=304, body=b"", request=Request(detail_url(100)))
    assert [i.kind for i in spider.parse_detail(unchanged, SITE)] == ["unchanged"]


# the list sweep: every list page, only new, re-published and vanished items -----------------
def dated_list_page(entries: list[tuple[int, str, str]], pages: int = 1) -> HtmlResponse:
    """entries: (n, title, list date), newest first."""
    items = "".join(f'<li><a href="./202401/t20240101_{n}.html" title="{title}">{title}</a><span>{day}</span></li>'
                    for n, title, day in entries)
    body = f'<ul>{items}</ul><script>createPageHTML({pages}, 0, "index", "html");</script>'
    return HtmlResponse("http://h/c/", body=body.encode(), encoding="utf-8", request=Request("http://h/c/"))


def sweep_spider(known: range, **extra) -> tuple[TrsSpider, SweepState]:
    from datetime import date

    state = SweepState("s", known={detail_url(n): "active" for n in known},
                       basis={detail_url(n): (f"plan {n}", date(2024, 1, 1)) for n in known}, **extra)
    spider = spider_with(state)
    scheduled = []
    spider.crawler.engine = type("Engine", (), {"crawl": staticmethod(scheduled.append)})()
    spider.scheduled = scheduled
    return spider, state


def test_list_sweep_reads_every_page_and_fetches_new_and_re_published_items_only():
    validators = {detail_url(98): Validators('"v1"', "Mon, 01 Jan 2024 02:00:00 GMT")}
    spider, state = sweep_spider(range(90, 99), validators=validators)
    entries = [(100, "plan 100", "2024-05-01"), (99, "plan 99", "2024-05-01"),       # new
               (98, "plan 98", "2024-05-01"),                                          # re-published
               (97, "关于plan 97的通知", "2024-01-01"),                                 # title changed
               *[(n, f"plan {n}", "2024-01-01") for n in range(96, 89, -1)]]          # unchanged
    out = list(spider.parse_list(dated_list_page(entries, pages=5), SITE, "http://h/c/"))
    details = [r for r in out if r.callback == spider.parse_detail]
    assert [r.url for r in details] == [detail_url(n) for n in (100, 99, 98, 97)]
    assert details[2].headers.get("If-None-Match") == b'"v1"'                  # asked conditionally
    assert len([r for r in out if r.callback == spider.parse_list]) == 4         # all pages at once


def test_list_sweep_compares_the_list_date_with_the_stored_last_modified_day_in_beijing_time():
    # Stored 发布日期 2024-01-01, but the page was last modified 2024-05-01 08:30 Beijing time
    # (00:30 GMT): a list saying 2024-05-01 is that version, not a newer one.
    validators = {detail_url(95): Validators(None, "Wed, 01 May 2024 00:30:00 GMT")}
    spider, state = sweep_spider(range(90, 99), validators=validators)
    out = list(spider.parse_list(dated_list_page([(95, "plan 95", "2024-05-01"), (94, "plan 94", "2024-05-02")]),
                                 SITE, "http://h/c/"))
    assert [r.url for r in out if r.callback == spider.parse_detail] == [detail_url(94)]


def test_list_sweep_asks_each_vanished_item_once_and_withdraws_those_still_up():
    import pytest
    from scrapy.exceptions import DontCloseSpider

    spider, state = sweep_spider(range(80, 100))
    listed = [(n, f"plan {n}", "2024-01-01") for n in range(99, 80, -1) if n not in (97, 90)]
    list(spider.parse_list(dated_list_page(listed), SITE, "http://h/c/"))
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()
    assert sorted(r.url for r in spider.scheduled) == sorted([detail_url(97), detail_url(90), detail_url(80)])
    spider.spider_idle()                                                      # only once a run
    up = HtmlResponse(detail_url(97), status=200, body=b"<h1>plan 97</h1>", request=Request(detail_url(97)))
    unchanged = HtmlResponse(detail_url(90), status=304, body=b"", request=Request(detail_url(90)))
    gone = HtmlResponse(detail_url(80), status=404, body=b"<h1>404</h1>", request=Request(detail_url(80)))
    assert [i.kind for r in (up, unchanged, gone) for i in spider.parse_detail(r, SITE)] == \
        ["detail", "unchanged", "gone"]
    assert sorted(state.unlisted()) == sorted([detail_url(97), detail_url(90)])   # 80 is withdrawn as gone
    spider.spider_idle()                                                      # nothing left: the walk's report
    report = spider.crawler.signals.walks[-1]
    assert report["site_id"] == "s" and report["listed"] == 17
    assert sorted(report["gone"]) == sorted([detail_url(97), detail_url(90)])


def test_list_sweep_does_not_take_a_broken_walk_for_withdrawals():
    spider, state = sweep_spider(range(80, 100))
    list(spider.parse_list(dated_list_page([(99, "plan 99", "2024-01-01")]), SITE, "http://h/c/"))
    spider.spider_idle()                                                      # 19 of 20 vanished: no request
    assert spider.scheduled == [] and state.unlisted() == []
    assert spider.crawler.signals.walks[-1]["gone"] == []                      # nothing withdrawn
    spider, state = sweep_spider(range(80, 100))
    state.list_failures = 1
    list(spider.parse_list(dated_list_page([(n, f"plan {n}", "2024-01-01") for n in range(99, 81, -1)]),
                           SITE, "http://h/c/"))
    spider.spider_idle()                                                      # a list page failed
    assert spider.scheduled == []
    assert spider.crawler.signals.walks[-1]["gone"] is None                    # the walk cannot tell
