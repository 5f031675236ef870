"""A template adopted 300 times: a document page lists one bounded page of the copies, with
the total, and pages on with ?copies_page= (the HTML and the JSON twin alike)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from archive.config import DataDir
from archive.models import Cluster, Document, Site
from archive.store import Archive
from archive.store.clusters import refresh_cluster
from tests.ui.conftest import XSS, html_of

COPIES = 300   # documents in the family; each page lists the 299 others
SIZE = 50      # COPIES_PAGE_SIZE
CLUSTER = 7
START = date(2020, 1, 1)


@pytest.fixture(scope="module")
def large_family(tmp_path_factory) -> DataDir:
    """300 copies of one template on 300 sites, one day apart; an aggregator copy is the earliest."""
    data = DataDir(tmp_path_factory.mktemp("govplans-family")).ensure()
    archive = Archive(data.database_url)
    now = datetime(2024, 6, 1)
    with archive.session() as s:
        s.execute(insert(Site), [{"id": f"s{n}", "name": f"第{n}县人民政府", "region_code": f"43{n:04d}",
                                  "family": "aggregator" if n == 0 else "generic",
                                  "base_url": f"http://s{n}.gov.cn.test", "columns": []} for n in range(COPIES)])
        s.execute(insert(Document), [
            {"id": n + 1, "url": f"http://s{n}.gov.cn.test/t{n}.html", "site_id": f"s{n}",
             "title": f"第{n}县政务公开日活动方案" + (XSS if n == 5 else ""), "published": START + timedelta(days=n),
             "region_code": f"43{n:04d}", "province": "湖南省", "county": f"第{n}县", "year": 2020,
             "themes": [], "text": "围绕政务公开日开展宣传活动。", "outline": [], "sources": {},
             "content_hash": f"h{n}", "status": "active", "first_seen": now, "last_seen": now, "updated_at": now,
             "cluster_id": CLUSTER} for n in range(COPIES)])
        s.add(Cluster(id=CLUSTER, first_seen=now, updated_at=now))
        s.flush()
        refresh_cluster(s, CLUSTER, now)   # its canonical copy, as dedup picks it
    archive.close()
    return data


@pytest.fixture()
def family_client(large_family):
    from search_ui import create_app

    app = create_app({"DATA_DIR": str(large_family.root), "TESTING": True, "COPIES_PAGE_SIZE": SIZE})
    yield app.test_client()
    app.extensions["govplans"].archive.close()


def rows_of(tree) -> list:
    return tree.xpath("//section[@class='copies']//tbody/tr")


def test_a_large_family_lists_one_bounded_page_with_the_total(family_client):
    response = family_client.get("/doc/100")
    assert response.status_code == 200
    tree = html_of(response)
    assert tree.xpath("string(//section[@class='copies']/h2)") == f"同一模板的其他文件（{COPIES - 1}）"
    rows = rows_of(tree)
    assert len(rows) == SIZE
    # by date, the document itself left out; the earliest copy is an aggregator's, so the
    # earliest government copy (document 2) carries the badge
    hrefs = [r.xpath("string(./td[3]/a/@href)") for r in rows]
    assert hrefs == [f"/doc/{n}" for n in range(1, SIZE + 1)]
    assert [r.xpath("string(./td[5]/a/@href)") for r in rows][:2] == ["/doc/100/compare/1", "/doc/100/compare/2"]
    assert "最早原件" in rows[1].xpath("string(./td[3])") and "最早原件" not in rows[0].xpath("string(./td[3])")
    assert "转载站" in rows[0].xpath("string(./td[4])")
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body   # scraped titles stay escaped
    assert tree.xpath("string(//nav[contains(@class, 'copies-pager')]//a[@rel='next']/@href)") == \
        "/doc/100?copies_page=2#copies"


def test_the_paging_link_leads_to_the_next_copies_and_on_to_the_last(family_client):
    seen = []
    url = "/doc/100"
    while url:
        tree = html_of(family_client.get(url))
        seen += [r.xpath("string(./td[3]/a/@href)") for r in rows_of(tree)]
        url = tree.xpath("string(//nav[contains(@class, 'copies-pager')]//a[@rel='next']/@href)") or None
    assert seen == [f"/doc/{n}" for n in range(1, COPIES + 1) if n != 100]    # every copy once, in order
    last = html_of(family_client.get("/doc/100?copies_page=6"))
    assert len(rows_of(last)) == COPIES - 1 - 5 * SIZE
    assert "第 251–299 件，共 299 件" in last.xpath("string(//p[contains(@class, 'copies-range')])")
    assert last.xpath("string(//nav[contains(@class, 'copies-pager')]//a[@rel='prev']/@href)") == \
        "/doc/100?copies_page=5#copies"


def test_a_page_past_the_end_shows_the_last(family_client):
    response = family_client.get("/doc/100?copies_page=999")
    assert response.status_code == 200
    assert html_of(response).xpath("string(//nav[contains(@class, 'copies-pager')]//span[@class='current'])") == "6"


@pytest.mark.parametrize("page", ["0", "abc", "-2", "-5", "9" * 12])
def test_a_page_that_is_no_page_number_is_refused(family_client, page):
    """copies_page=0, -5 or huge was silently page 1 (200); now a 400 that says why, page and JSON."""
    response = family_client.get(f"/doc/100?copies_page={page}")
    assert response.status_code == 400 and "copies_page" in response.get_data(as_text=True)
    problem = family_client.get(f"/doc/100.json?copies_page={page}")
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["errors"][0]["parameter"] == "copies_page"


def test_the_json_twin_pages_the_same_way(family_client):
    data = family_client.get("/doc/100.json").get_json()
    assert (data["copies_total"], data["copies_page"], data["copies_pages"], data["copies_page_size"]) == \
        (COPIES - 1, 1, 6, SIZE)
    assert len(data["copies"]) == SIZE and data["copies_prev_url"] is None
    assert data["copies"][1]["canonical"] and not data["copies"][0]["canonical"]
    assert data["copies_next_url"] == "/doc/100.json?copies_page=2"
    following = family_client.get(data["copies_next_url"]).get_json()
    assert following["copies_page"] == 2 and following["copies"][0]["id"] == SIZE + 1
    assert following["copies_prev_url"] == "/doc/100.json"
