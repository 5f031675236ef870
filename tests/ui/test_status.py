"""Status page: per site the documents, the last run, errors by kind and the broken flag."""
from __future__ import annotations

import pytest

from tests.ui.conftest import html_of


def status_rows(client) -> dict[str, list[str]]:
    response = client.get("/status")
    assert response.status_code == 200
    return {r.xpath("string(./td[1]/a[1])"): [td.text_content().strip() for td in r.xpath("./td")]
            for r in html_of(response).xpath("//table[@class='status-table']/tbody/tr")}


def test_status_lists_sites_with_counts_and_last_run(client):
    rows = status_rows(client)
    assert set(rows) == {"祁阳市人民政府", "江永县人民政府", "进贤县人民政府", "范文<b>文库</b>"}
    qiyang = rows["祁阳市人民政府"]
    assert qiyang[1] == "2"                                      # documents
    assert qiyang[4:8] == ["3", "2", "0", "0"]                   # pages, new, changed, withdrawn
    assert qiyang[8].split()[:3] == ["1", "timeout", "1"]        # errors, then by kind
    assert qiyang[-1] == "正常"
    assert "尚无抓取记录" in rows["进贤县人民政府"][3]
    assert rows["进贤县人民政府"][-2] == "2024-05-05"              # newest item: from the documents
    assert "共收录 7 件" in html_of(client.get("/status")).text_content()


def test_sites_whose_last_run_failed_are_flagged_broken_first(client):
    rows = status_rows(client)
    assert set(list(rows)[:2]) == {"范文<b>文库</b>", "江永县人民政府"}
    assert "疑似失效" in rows["江永县人民政府"][-1] and "没有取得任何页面" in rows["江永县人民政府"][-1]
    assert "错误（3）多于页面（2）" in rows["范文<b>文库</b>"][-1]
    assert "http_500 2" in rows["范文<b>文库</b>"][8]
    assert "疑似失效" not in rows["祁阳市人民政府"][-1] and "疑似失效" not in rows["进贤县人民政府"][-1]
    assert "<b>" not in client.get("/status").get_data(as_text=True)


def test_status_json_mirrors_the_page(client):
    data = client.get("/status.json").get_json()
    assert data["documents"] == 7
    assert sorted(data["broken"]) == ["jiangyong", "wenku"]
    wenku = next(s for s in data["sites"] if s["id"] == "wenku")
    assert wenku["run"]["errors"] == {"http_500": 2, "timeout": 1} and wenku["run"]["error_total"] == 3


def test_broken_rule():
    from types import SimpleNamespace as Run
    from archive.read.status import broken_reason

    assert broken_reason(None) is None
    assert broken_reason(Run(finished=None, pages=0, errors={})) is None       # still running: not judged
    assert broken_reason(Run(finished=1, pages=0, errors={}))
    assert broken_reason(Run(finished=1, pages=2, errors={"a": 2})) is None   # errors equal to pages: not yet
    assert broken_reason(Run(finished=1, pages=2, errors={"a": 2, "b": 1}))


# --- at national scale: a constant number of queries, flagged sites first, the rest paged --------

def build_sites(root, n: int):
    """`n` sites (names with markup): most crawled a few times, every 10th never; every 3rd crawled
    site has no kept verdict (judged from its runs), every 25th has a last run that found nothing.
    Site 1 has 12 runs (more than health.HISTORY)."""
    from datetime import datetime, timedelta

    from sqlalchemy import insert

    from archive.config import DataDir
    from archive.models import CrawlRun, Document, Site
    from archive.store import Archive
    from archive.models import RunCheck, SiteHealth

    data = DataDir(root).ensure()
    archive = Archive(data.database_url)
    t0 = datetime(2024, 6, 1)
    sites, runs, checks, kept, docs = [], [], [], [], []
    for i in range(n):
        sid = f"s{i:04d}"
        sites.append({"id": sid, "name": f"第{i}县<script>x</script>", "family": "trs",
                      "base_url": f"http://www.s{i}.gov.cn.test", "columns": [], "farm": False})
        docs += [{"url": f"http://www.s{i}.gov.cn.test/{d}.html", "site_id": sid, "content_hash": f"{i}-{d}",
                  "first_seen": t0, "last_seen": t0, "updated_at": t0} for d in range(i % 4)]
        if i % 10 == 0:
            continue
        broken = i % 25 == 2
        count = 12 if i == 1 else 3
        for r in range(count):
            pages = 0 if broken and r == count - 1 else 5
            runs.append({"id": len(runs) + 1, "site_id": sid, "started": t0 + timedelta(days=r),
                         "finished": t0 + timedelta(days=r, hours=1), "pages": pages, "unchanged": pages,
                         "errors": {"timeout": 1} if r % 2 else {}})
            checks.append({"run_id": len(runs), "site_id": sid, "listed": pages, "extracted": pages,
                           "coverage": {"title": 1.0, "published": 1.0 if r < 11 else 0.0}})
        if i % 3:
            kept.append({"site_id": sid, "flagged": broken, "reason": "没有找到任何条目" if broken else None,
                         "run_id": len(runs), "since": t0 if broken else None, "updated": t0})
    with archive.session() as s:
        for model, rows in ((Site, sites), (CrawlRun, runs), (RunCheck, checks), (SiteHealth, kept), (Document, docs)):
            if rows:
                s.execute(insert(model), rows)
    archive.close()
    return data


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """Two archives: 10 sites and 230 (the latter 3 pages of others at 100 a page)."""
    return {n: build_sites(tmp_path_factory.mktemp(f"sites{n}"), n) for n in (10, 230)}


@pytest.fixture()
def national_client(national):
    from search_ui import create_app

    apps = []

    def client(n: int):
        app = create_app({"DATA_DIR": str(national[n].root), "TESTING": True})
        apps.append(app)
        return app, app.test_client()
    yield client
    for app in apps:
        app.extensions["govplans"].archive.close()


def statements(app, client, url: str) -> int:
    from sqlalchemy import event

    engine = app.extensions["govplans"].archive.engine
    seen = []

    def count(conn, cursor, statement, *rest):
        seen.append(statement)
    client.get(url)                                   # warm: first-use queries (migrations, caches) aside
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("url", ["/status", "/status.json", "/status?page=2", "/status?q=1&flagged=1"])
def test_queries_per_request_do_not_grow_with_the_sites(national_client, url):
    small = statements(*national_client(10), url)
    large = statements(*national_client(230), url)
    assert small == large <= 8, (small, large)


def test_flagged_sites_come_first_on_page_one_in_full(national_client):
    _, client = national_client(230)
    data = client.get("/status.json").get_json()
    flagged = sorted(data["broken"])
    assert len(flagged) == 10 and data["totals"] == {"sites": 230, "broken": 10, "with_runs": 207, "with_errors": 1,
                                                 "blocked": 0}
    assert sorted(s["id"] for s in data["flagged"]) == flagged
    assert [s["id"] for s in data["sites"][:10]] == [s["id"] for s in data["flagged"]]
    assert len(data["others"]) == data["page_size"] == 100 and data["pages"] == 3
    # the ones judged from their runs (no kept verdict) are flagged as well as the kept ones
    assert {"s0002", "s0027"} <= set(flagged)
    page = client.get("/status")
    rows = html_of(page).xpath("(//table[@class='status-table'])[1]/tbody/tr")
    assert len(rows) == 10 and all("疑似失效" in r.text_content() for r in rows)
    assert "230 个来源" in html_of(page).text_content() and "10 个网站疑似失效" in html_of(page).text_content()
    assert "<script>" not in page.get_data(as_text=True)
    later = client.get("/status.json?page=2").get_json()
    assert later["flagged"] == [] and later["broken"] == data["broken"] and later["totals"] == data["totals"]


def test_paging_reaches_every_site_once(national_client):
    _, client = national_client(230)
    first = client.get("/status.json").get_json()
    seen = [s["id"] for page in range(1, first["pages"] + 1)
            for s in client.get(f"/status.json?page={page}").get_json()["sites"]]
    assert len(seen) == len(set(seen)) == 230
    documents = [s["documents"] for s in first["others"]]
    assert documents == sorted(documents, reverse=True)
    html_seen = []
    url = "/status"
    while url:                                         # the HTML pager's next links walk the same pages
        page = html_of(client.get(url))
        html_seen += [c.text_content() for c in page.xpath("//table[@class='status-table']//a[@class='site-id']/code")]
        nxt = page.xpath("//nav[@class='pager']/a[@rel='next']/@href")
        url = nxt[0] if nxt else None
    assert html_seen == seen
    assert client.get("/status.json?page=99").get_json()["page"] == 3          # past the end: the last page
    assert client.get("/status.json?page=abc").status_code == 400


def test_filter_by_name_or_id_and_flagged_only(national_client):
    _, client = national_client(230)
    data = client.get("/status.json?q=第12").get_json()
    assert {s["id"] for s in data["sites"]} == {f"s{i:04d}" for i in (12, *range(120, 130))}
    assert data["matched"] == 11 and data["totals"]["sites"] == 230
    assert [s["id"] for s in client.get("/status.json?q=S0077").get_json()["sites"]] == ["s0077"]
    only = client.get("/status.json?flagged=1").get_json()
    assert sorted(s["id"] for s in only["sites"]) == sorted(only["broken"]) and only["others"] == []
    hostile = client.get("/status?q=<script>alert(1)</script>&flagged=1")
    assert hostile.status_code == 200 and "<script>alert" not in hostile.get_data(as_text=True)
    assert "没有符合条件的网站" in html_of(client.get("/status?q=nothing-like-this")).text_content()


def test_recent_run_facts_match_run_facts_site_by_site(national):
    from archive.store import Archive
    from archive.store import health

    archive = Archive(national[230].database_url)
    try:
        every = health.recent_run_facts(archive)
        assert len(every["s0001"]) == health.HISTORY
        assert every == {sid: health.run_facts(archive, sid) for sid in every}
        unjudged = health.recent_run_facts(archive, unjudged=True)
        assert set(unjudged) == {sid for sid in every if int(sid[1:]) % 3 == 0}
        assert health.recent_run_facts(archive, ["s0001", "s0002"]).keys() == {"s0001", "s0002"}
    finally:
        archive.close()


def test_nothing_odd_is_said_when_no_site_is_flagged(client):
    """With no flagged site in view the table was captioned 其余网站：第 1–1 个 (others of nothing)."""
    page = html_of(client.get("/status?q=qiyang"))
    caption = page.xpath("string(//table[@class='status-table']/caption)")
    assert caption == "全部 1 个网站（按文件数排序）"
    assert "其余" not in page.xpath("string(//main)")


def test_the_filter_form_is_styled(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    form = html_of(client.get("/status")).xpath("//form[@class='status-filter']")
    assert form and ".status-filter {" in css and ".status-filter button" in css
