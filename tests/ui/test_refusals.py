"""One error vocabulary and one parameter validator: every 4xx/5xx is our Chinese page (HTML) or an
RFC 9457 problem (.json, .csv, .jsonl, .atom, /api/), and a parameter invalid for one format is
invalid for all of them. Each of these requests was answered otherwise before (200 with the
parameter dropped, Werkzeug's English pages, an HTML 404 for JSON, a 500)."""
from __future__ import annotations

import pytest

from search_ui.views.saved import form_token
from tests.ui.test_documents import doc_id

PROBLEM = "application/problem+json"
DATA_FORMATS = ("/search.json", "/search.csv", "/search.jsonl", "/search.atom")


def assert_problem(response, status: int, parameter: str | None = None) -> dict:
    assert response.status_code == status and response.mimetype == PROBLEM, (response.status_code, response.data[:300])
    body = response.get_json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    assert not body["detail"].isascii()            # ours, in Chinese
    if parameter:
        assert parameter in [e["parameter"] for e in body["errors"]], body
    return body


def assert_page(response, status: int, words: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == status and response.mimetype == "text/html", response.status_code
    assert words in text and "政府方案档案" in text and "<title>" in text


@pytest.mark.parametrize("query, parameter", [
    ("year=abc", "year"), ("year_to=2101", "year_to"), ("year_from=2025&year_to=2018", "year_to"),
    ("region=999999", "region"), ("region=hunan", "region"), ("region=", "region"), ("theme=%00", "theme"),
    ("status=AAA", "status"), ("page=-1", "page"), ("page=0", "page"), ("q=" + "政" * 501, "q"),
    ("agency=" + "局" * 101, "agency"),
])
def test_an_invalid_parameter_is_refused_in_every_data_format(client, query, parameter):
    for path in DATA_FORMATS:
        if parameter == "page" and path == "/search.atom":
            continue   # a feed has no pages
        assert_problem(client.get(f"{path}?{query}"), 400, parameter)


def test_the_csv_export_no_longer_exports_everything_for_a_bad_year(client):
    response = client.get("/search.csv?year=abc")
    assert response.status_code == 400 and "\ufeffid,title" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["year_from=2025&year_to=2018", "region=999999", "status=AAA"])
def test_the_page_says_why_a_parameter_was_refused(client, query):
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    assert "此条件已忽略" in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["%E6%94", "%FF", "q=%E6%94", "q=%FF%FE"])
def test_invalid_utf8_in_the_query_string_is_refused(client, raw):
    assert_problem(client.get(f"/search.json?{raw}"), 400)
    assert_page(client.get(f"/search?{raw}"), 400, "UTF-8")


def test_the_templates_page_refuses_an_empty_or_unknown_region(client):
    assert_problem(client.get("/templates.json?region="), 400, "region")
    assert_problem(client.get("/templates.json?region=999999"), 400, "region")
    assert_problem(client.get("/templates.json?agency=x"), 400, "agency")   # not a filter of this page


def test_status_refuses_what_it_cannot_use(client):
    assert_problem(client.get("/status.json?q=" + "a" * 101), 400, "q")
    assert_problem(client.get("/status.json?page=-1"), 400, "page")
    assert_problem(client.get("/status.json?flagged=yes"), 400, "flagged")
    assert_page(client.get("/status?page=abc"), 400, "页码")


def test_missing_things_are_a_problem_in_json_and_our_page_in_html(client):
    assert_problem(client.get("/doc/99999.json"), 404)
    assert_problem(client.get("/doc/1/versions/99.json"), 404)
    assert_problem(client.get("/saved/aaaaaaaaaaaaaaaaaaaa.atom"), 404)
    assert_problem(client.get("/api/nothing"), 404)
    assert_page(client.get("/doc/99999"), 404, "找不到页面")
    assert_page(client.get("/capture/99999/raw"), 404, "找不到页面")


def test_wrong_methods_and_missing_tokens_are_ours_too(client):
    assert_page(client.get("/saved"), 405, "不支持的请求方法")
    assert_problem(client.post("/search.json"), 405)
    assert client.post("/search.json").headers["Allow"]
    assert_page(client.post("/saved", data={"q": "方案"}), 403, "无权操作")


def test_a_100_kb_query_gets_our_414(client):
    assert_page(client.get("/search?q=" + "政" * 34_000), 414, "地址太长")
    assert_problem(client.get("/search.json?q=" + "政" * 34_000), 414)


@pytest.fixture()
def save(app):
    client = app.test_client()

    def post(**fields):
        return client.post("/saved", data={"token": form_token_of(app), **fields})
    return post


def form_token_of(app) -> str:
    with app.test_request_context():
        return form_token()


@pytest.mark.parametrize("fields, parameter", [
    ({"q": "政务公开\x00"}, "q"), ({"q": '"政务公开'}, "q"), ({"q": "OR"}, "q"), ({"q": "政" * 501}, "q"),
    ({"q": "方案", "year": "abc"}, "year"), ({"q": "方案", "region": "999999"}, "region"),
    ({"q": "方案", "bogus": "1"}, "bogus"), ({"q": "方案", "email": "not-an-address"}, "email"),
])
def test_a_search_that_could_never_run_is_not_saved(save, fields, parameter):
    response = save(**fields)
    assert response.status_code == 400, response.status_code   # it answered 201, and its feed stayed empty
    assert "请求有误" in response.get_data(as_text=True)


def test_a_runnable_search_is_saved_and_a_huge_one_refused_before_it_is_read(save):
    assert save(q="政务公开 方案", region="430000").status_code == 201
    assert save(q="政" * 1_000_000).status_code == 413


def test_feed_links_follow_the_public_url_and_other_hosts_are_refused(data_dir, monkeypatch):
    from search_ui import create_app

    monkeypatch.setenv("GOVPLANS_PUBLIC_URL", "https://archive.example.org")
    monkeypatch.delenv("GOVPLANS_TRUSTED_HOSTS", raising=False)
    app = create_app({"DATA_DIR": str(data_dir.root), "SERVED_HOST": "127.0.0.1"})
    client = app.test_client()
    feed = client.get("/search.atom", headers={"Host": "127.0.0.1:8000"}).get_data(as_text=True)
    assert "<id>https://archive.example.org/search.atom</id>" in feed and "127.0.0.1" not in feed
    assert_problem(client.get("/search.atom", headers={"Host": "evil.test"}), 400)
    app.extensions["govplans"].archive.close()


def test_trusted_hosts_default_to_the_address_served(data_dir, monkeypatch):
    from search_ui import create_app

    monkeypatch.delenv("GOVPLANS_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("GOVPLANS_PUBLIC_URL", raising=False)
    app = create_app({"DATA_DIR": str(data_dir.root), "SERVED_HOST": "127.0.0.1"})
    client = app.test_client()
    assert client.get("/search.atom", headers={"Host": "localhost:8000"}).status_code == 200
    answer = client.get("/search.atom", headers={"Host": "evil.test"})
    assert_problem(answer, 400)
    assert b"evil.test" not in client.get("/search", headers={"Host": "evil.test"}).data
    app.extensions["govplans"].archive.close()
