"""Same template elsewhere: a document's copies by region and date, and the side-by-side view."""
from __future__ import annotations

from tests.ui.conftest import XSS, html_of
from tests.ui.test_documents import doc_id

XSS_TITLE = f"进贤县政务公开{XSS}方案"


def copies_table(response) -> list[list[str]]:
    return [[td.text_content().strip() for td in tr.xpath("./td")]
            for tr in html_of(response).xpath("//section[@class='copies']//tbody/tr")]


def test_a_document_lists_its_family_elsewhere_by_date(client):
    rows = copies_table(client.get(f"/doc/{doc_id(client, '祁阳市2024年政务公开日活动方案')}"))
    assert [(r[0], r[1]) for r in rows] == [("2023-05-04", "湖南省 永州市 江永县"), ("2023-05-06", "江西省 南昌市 进贤县")]
    assert "最早原件" in rows[0][2] and "最早原件" not in rows[1][2]   # the earliest government copy


def test_a_document_outside_any_family_lists_no_copies(client):
    tree = html_of(client.get(f"/doc/{doc_id(client, '进贤县2024年乡村振兴工作通知')}"))   # a cluster of one
    assert not tree.xpath("//section[@class='copies']")


def test_compare_shows_two_copies_side_by_side(client):
    left, right = doc_id(client, "江永县2024年乡村振兴实施方案"), doc_id(client, "进贤县2023年乡村振兴实施方案")
    link = html_of(client.get(f"/doc/{left}")).xpath("//a[@class='compare-link']/@href")[0]
    assert link == f"/doc/{left}/compare/{right}"
    tree = html_of(client.get(link))
    heads = [th.xpath("string(./a)") for th in tree.xpath("//table[@class='side-by-side']/thead//th")]
    assert heads == ["江永县2024年乡村振兴实施方案", "进贤县2023年乡村振兴实施方案"]
    rows = tree.xpath("//table[@class='side-by-side']/tbody/tr")
    assert [r.get("class") for r in rows] == ["row-equal", "row-delete", "row-insert", "row-equal", "row-equal"]
    assert rows[1].xpath("string(./td[@class='left']/del)") == "推进乡村振兴，发展特色产业。"
    assert rows[2].xpath("string(./td[@class='right']/ins)") == "巩固拓展脱贫攻坚成果同乡村振兴有效衔接。"
    assert not tree.xpath("//p[contains(@class, 'warning')]")     # same family: no caveat
    swapped = html_of(client.get(tree.xpath("//p[@class='compare-tools']/a[1]/@href")[0]))
    assert swapped.xpath("string(//table[@class='side-by-side']/thead//th[1]/a)") == "进贤县2023年乡村振兴实施方案"


def test_compare_escapes_scraped_text_and_warns_across_families(client):
    left, right = doc_id(client, XSS_TITLE), doc_id(client, "江永县2024年乡村振兴实施方案")
    response = client.get(f"/doc/{left}/compare/{right}")
    body = response.get_data(as_text=True)
    assert "<script" not in body.lower() and "&lt;script&gt;" in body
    assert "不在同一模板族" in html_of(response).xpath("string(//p[contains(@class, 'warning')])")
    data = client.get(f"/doc/{left}/compare/{right}.json").get_json()
    assert data["left"]["title"] == XSS_TITLE and data["same_family"] is False


def test_compare_with_an_unknown_document_is_a_404(client):
    known = doc_id(client, "江永县2024年乡村振兴实施方案")
    for url in (f"/doc/{known}/compare/999999", f"/doc/999999/compare/{known}", f"/doc/{known}/compare/0.json"):
        assert client.get(url).status_code == 404
