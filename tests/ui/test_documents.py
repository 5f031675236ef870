"""Document page: every field with its provenance, the text, outline, attachments, versions."""
from __future__ import annotations

import re

import pytest

from tests.ui.conftest import CAPTURED_HTML, html_of


def doc_id(client, title: str) -> int:
    hits = client.get("/search.json", query_string={"q": f'title:"{title}"'}).get_json()["hits"]
    return next(h["id"] for h in hits if h["title"] == title)


@pytest.fixture()
def qiyang(client):
    response = client.get(f"/doc/{doc_id(client, '祁阳市2024年政务公开日活动方案')}")
    assert response.status_code == 200
    return response


def field_row(tree, name: str) -> tuple[str, str]:
    row = tree.xpath(f"//tr[@class='field-{name}']")[0]
    return row.xpath("string(./td[1])").strip(), row.xpath("string(./td[2])").strip()


def test_document_page_shows_each_field_with_where_it_came_from(qiyang):
    tree = html_of(qiyang)
    assert tree.xpath("string(//h1)") == "祁阳市2024年政务公开日活动方案"
    assert field_row(tree, "title") == ("祁阳市2024年政务公开日活动方案", "meta:ArticleTitle")
    assert field_row(tree, "doc_number") == ("祁政办发〔2024〕5号", "table:文号")
    assert field_row(tree, "agency") == ("祁阳市人民政府办公室", "table:发布机构")
    assert field_row(tree, "index_number") == ("431121-2024-0001", "")
    assert field_row(tree, "region") == ("湖南省 永州市 祁阳市 (431121)", "site:qiyang")
    assert field_row(tree, "published") == ("2024-05-01", "meta:PubDate")
    assert field_row(tree, "written")[0] == "2024-04-28"
    assert field_row(tree, "year")[0] == "2024"
    assert field_row(tree, "doc_type")[0] == "方案"
    assert field_row(tree, "themes")[0] == "政务公开"
    assert "在线" in tree.xpath("string(//p[contains(@class, 'doc-status')])")


def test_text_keeps_paragraphs_and_outline_becomes_a_table_of_contents(qiyang):
    tree = html_of(qiyang)
    paragraphs = [p.text_content() for p in tree.xpath("//section[@class='text']/p")]
    assert paragraphs == ["一、活动目标", "围绕政务公开日开展宣传活动。", "二、活动安排", "（一）启动仪式", "5月举办启动仪式。"]
    toc = tree.xpath("//nav[@class='toc']//a")
    assert [a.text for a in toc] == ["一、活动目标", "二、活动安排", "（一）启动仪式"]
    for a in toc:   # every entry jumps to its heading in the text
        target = tree.xpath(f"//section[@class='text']/p[@id='{a.get('href')[1:]}']")
        assert target and target[0].text_content() == a.text


def test_source_and_attachments_link_out_without_referrer(qiyang):
    tree = html_of(qiyang)
    source = tree.xpath("//p[@class='doc-source']/a[starts-with(@href, 'http')]")[0]
    assert source.get("href") == "http://www.qiyang.gov.cn.test/zwgk/202405/t20240501_1.html"
    assert set(source.get("rel").split()) == {"noopener", "noreferrer", "nofollow"}
    attachment = tree.xpath("//section[@class='attachments']//a")[0]
    assert (attachment.text, attachment.get("href")) == ("活动安排表.pdf", "http://www.qiyang.gov.cn.test/zwgk/202405/P1.pdf")
    assert "nofollow" in attachment.get("rel")


def test_versions_and_crawl_dates_are_listed(qiyang):
    tree = html_of(qiyang)
    rows = tree.xpath("//section[@class='versions']//tbody/tr")
    assert len(rows) == 1 and "第 1 版" in rows[0].text_content()
    assert rows[0].xpath(".//a/@href") == [f"/doc/{qiyang.request.path.rsplit('/', 1)[1]}/versions/1"]   # shown whole
    assert "首次发现 2024-06-01 08:00" in tree.xpath("string(//p[contains(@class, 'doc-status')])")


def test_an_edited_document_shows_what_its_new_version_changed(client):
    tree = html_of(client.get(f"/doc/{doc_id(client, '祁阳市2023年政务公开工作要点')}"))
    rows = tree.xpath("//section[@class='versions']//tbody/tr")
    assert ["第 1 版" in rows[0].text_content(), "第 2 版（当前）" in rows[1].text_content()] == [True, True]
    diff = tree.xpath("//section[@class='versions']//div[@class='diff']")[0]
    assert diff.xpath("string(.//p[@class='diff-change']/ins)") == "建设"
    assert diff.xpath("string(.//p[@class='diff-insert']/ins)") == "加强<b>政策解读</b>工作。"   # shown as text
    assert not diff.xpath(".//b")


def test_the_version_diff_page_and_its_json(client):
    doc = doc_id(client, "祁阳市2023年政务公开工作要点")
    links = html_of(client.get(f"/doc/{doc}")).xpath("//section[@class='versions']//tbody//a/@href")
    assert links == [f"/doc/{doc}/versions/1", f"/doc/{doc}/versions/2"]
    link = links[1]
    page = client.get(link)
    body = page.get_data(as_text=True)
    assert "<ins>建设</ins>" in body and "&lt;b&gt;政策解读&lt;/b&gt;" in body and "<b>" not in body
    data = client.get(f"{link}.json").get_json()
    assert data["summary"] == {"equal": 0, "change": 1, "insert": 1, "delete": 0}
    assert [b["kind"] for b in data["blocks"]] == ["change", "insert"]
    for missing in (3, 99):
        assert client.get(f"/doc/{doc}/versions/{missing}").status_code == 404


def test_the_first_version_is_shown_whole(client):
    """Version 1 is listed on the document page: its link shows its text (it was a 404)."""
    doc = doc_id(client, "祁阳市2023年政务公开工作要点")
    page = html_of(client.get(f"/doc/{doc}/versions/1"))
    assert "第 1 版" in page.xpath("string(//h1)")
    assert page.xpath("string(//div[contains(@class, 'version-text')])") == "全面推进政务公开标准化规范化。"
    data = client.get(f"/doc/{doc}/versions/1.json").get_json()
    assert data["old"] is None and data["new"]["number"] == 1
    assert [b["kind"] for b in data["blocks"]] == ["insert"]


def test_the_archived_page_is_framed_in_a_sandbox(qiyang):
    frame = html_of(qiyang).xpath("//section[@class='capture']/iframe")[0]
    assert frame.get("sandbox") == ""                  # present and granting nothing
    assert re.fullmatch(r"/capture/\d+/raw", frame.get("src"))


def test_a_capture_is_served_byte_exact_with_scripts_sandboxed(client, qiyang):
    src = html_of(qiyang).xpath("//iframe/@src")[0]
    response = client.get(src)
    assert response.status_code == 200
    assert response.data == CAPTURED_HTML
    assert response.mimetype == "text/html"
    assert response.mimetype_params["charset"] in ("gbk", "gb18030")
    assert response.data.decode(response.mimetype_params["charset"]).count("祁阳市2024年政务公开日活动方案") == 1
    csp = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    assert csp[0] == "sandbox"                       # no allow-scripts, no allow-same-origin
    assert "default-src 'none'" in csp and "img-src 'self' data:" in csp and "style-src 'unsafe-inline'" in csp
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("url", ["/capture/999999/raw", "/capture/0/raw", "/capture/abc/raw", "/capture/-1/raw",
                                 "/capture/99999999999999999999999/raw", "/capture/1/../../archive.sqlite",
                                 "/capture/..%2F..%2Farchive.sqlite/raw", "/capture/%2e%2e/raw"])
def test_captures_are_found_by_id_only(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"SQLite" not in response.data


def test_a_capture_that_is_not_html_or_whose_file_is_lost_is_a_404(client, app):
    from archive.models import Capture
    from search_ui.app_resources import resources

    with app.app_context(), resources().archive.session() as s:
        ids = {c.url.rsplit("/", 1)[-1]: c.id for c in s.query(Capture)}
    assert client.get(f"/capture/{ids['P1.pdf']}/raw").status_code == 404
    assert client.get(f"/capture/{ids['lost.html']}/raw").status_code == 404


def test_a_document_without_a_capture_has_no_frame(client):
    tree = html_of(client.get(f"/doc/{doc_id(client, '江永县2024年乡村振兴实施方案')}"))
    assert not tree.xpath("//iframe")


def test_document_json_has_the_record_with_provenance(client):
    data = client.get(f"/doc/{doc_id(client, '祁阳市2024年政务公开日活动方案')}.json").get_json()
    assert data["doc_number"] == "祁政办发〔2024〕5号"
    assert data["sources"]["title"] == "meta:ArticleTitle"
    assert data["region"]["code"] == "431121"
    assert data["site_name"] == "祁阳市人民政府"
    assert [a["name"] for a in data["attachments"]] == ["活动安排表.pdf"]
    assert [v["number"] for v in data["versions"]] == [1]
    assert re.fullmatch(r"/capture/\d+/raw", data["capture"]["raw_url"])
    assert sorted(c["region"] for c in data["copies"]) == ["江西省 南昌市 进贤县", "湖南省 永州市 江永县"]


def test_a_javascript_url_is_never_a_link(client):
    response = client.get(f"/doc/{doc_id(client, '进贤县政务公开<script>alert(1)</script>方案')}")
    body = response.get_data(as_text=True)
    assert "恶意附件" in body
    assert "javascript:" not in " ".join(html_of(response).xpath("//@href")).lower()


@pytest.mark.parametrize("url", ["/doc/999999", "/doc/999999.json", "/doc/abc", "/doc/-1", "/doc/1x",
                                 "/doc/0", "/doc/99999999999999999999999", "/doc/99999999999999999999999.json"])
def test_unknown_document_is_a_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if not url.endswith(".json"):
        assert "找不到" in response.get_data(as_text=True)


def test_the_archived_copy_is_given_in_replay_form_and_linked_under_a_replay_url(client, app, qiyang, monkeypatch):
    doc = client.get(qiyang.request.path + ".json").get_json()
    replay = doc["capture"]["replay"]
    assert re.fullmatch(r"\d{14}", replay["timestamp"]) and replay["url"] == doc["url"]
    assert replay["path"] == f"{replay['timestamp']}/{doc['url']}" and replay["href"] is None
    assert html_of(qiyang).xpath("string(//section[@class='capture']//code[@class='replay'])") == replay["path"]
    monkeypatch.setenv("GOVPLANS_REPLAY_URL", "http://127.0.0.1:8080/govplans/")
    page = html_of(client.get(qiyang.request.path))
    href = page.xpath("//section[@class='capture']//a[@class='replay']/@href")[0]
    assert href == f"http://127.0.0.1:8080/govplans/{replay['timestamp']}/{doc['url']}"
