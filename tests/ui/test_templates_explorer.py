"""The templates explorer: families ranked by adopting regions, filters in the URL, timelines."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.dedup import canonical_copy, earliest_first
from archive.read.templates import Member, canonical, region_count
from tests.ui.conftest import XSS, html_of
from tests.ui.test_search import facet_items


def families_shown(response) -> list[dict]:
    out = []
    for article in html_of(response).xpath("//article[@class='family']"):
        out.append({"title": article.xpath("string(./h2)").strip(),
                    "regions": int(article.xpath("string(.//strong[@class='n-regions'])")),
                    "canonical": article.xpath("string(.//a[@class='canonical']/@href)"),
                    "adoptions": [li.xpath("string(./span[@class='date'])") for li in article.xpath(".//ol/li")],
                    "dots": len(article.xpath(".//*[local-name()='circle']"))})
    return out


def test_families_are_ranked_by_how_many_regions_adopted_them(client):
    shown = families_shown(client.get("/templates"))
    assert [f["title"] for f in shown] == ["江永县关于开展政务公开宣传周的通知", "进贤县2023年乡村振兴实施方案"]
    assert [f["regions"] for f in shown] == [3, 2]    # the cluster of one is no family and is not listed


def test_each_family_has_a_dated_adoption_timeline_and_its_canonical_text(client):
    first = families_shown(client.get("/templates"))[0]
    assert first["adoptions"] == ["2023-05-04", "2023-05-06", "2024-05-01"]
    assert first["dots"] == 3
    canonical_page = client.get(first["canonical"])
    assert html_of(canonical_page).xpath("string(//h1)") == "江永县关于开展政务公开宣传周的通知"


@pytest.mark.parametrize("query, titles", [
    ("theme=乡村振兴", ["进贤县2023年乡村振兴实施方案"]),
    ("doc_type=通知", ["江永县关于开展政务公开宣传周的通知"]),
    ("region=431121", ["江永县关于开展政务公开宣传周的通知"]),
    ("region=360000&year=2023", ["江永县关于开展政务公开宣传周的通知", "进贤县2023年乡村振兴实施方案"]),
    ("year=2022", []),
    ("q=宣传周", ["江永县关于开展政务公开宣传周的通知"]),
])
def test_filters_keep_families_with_a_matching_copy(client, query, titles):
    assert [f["title"] for f in families_shown(client.get(f"/templates?{query}"))] == titles


def test_facet_links_narrow_and_chips_widen_again(client):
    themes = facet_items(html_of(client.get("/templates")), "theme")
    assert {label: count for label, (count, _) in themes.items()} == {"政务公开": 1, "乡村振兴": 1}
    link = themes["乡村振兴"][1]
    assert urlsplit(link).path == "/templates" and parse_qs(urlsplit(link).query) == {"theme": ["乡村振兴"]}
    narrowed = client.get(link)
    assert len(families_shown(narrowed)) == 1
    remove = html_of(narrowed).xpath("//li[@class='chip']/a[@class='remove']/@href")[0]
    assert len(families_shown(client.get(remove))) == 2


def test_region_facet_counts_families_once_per_region(client):
    regions = facet_items(html_of(client.get("/templates")), "region")
    assert {label: count for label, (count, _) in regions.items()} == {"湖南省": 2, "江西省": 2}
    cities = facet_items(html_of(client.get(regions["湖南省"][1])), "region")
    assert {label: count for label, (count, _) in cities.items()} == {"湖南省": 2, "永州市": 2}   # chosen, then its cities


def test_the_json_twin_and_escaping(client):
    data = client.get("/templates.json").get_json()
    assert [f["documents"] for f in data["families"]] == [3, 2]
    assert f"进贤县政务公开{XSS}方案" in [m["title"] for m in data["families"][0]["members"]]
    body = client.get("/templates").get_data(as_text=True)
    assert "<script" not in body.lower() and "&lt;script&gt;" in body


def test_filters_the_page_cannot_apply_are_ignored_with_a_note(client):
    response = client.get("/templates?site=qiyang&page=abc")
    assert response.status_code == 400
    warnings = " ".join(html_of(response).xpath("//p[contains(@class, 'warning')]/text()"))
    assert "网站" in warnings and "页码" in warnings
    assert len(families_shown(response)) == 2


def _member(n: int, day: date, aggregator: bool = False, code: str = "431121") -> Member:
    return Member(n, 1, f"文件{n}", day, None, 2024, code, "湖南省", "永州市", "祁阳市", (), "方案", "s", "s", aggregator)


def _canonical_copy(family):
    """dedup's rule (archive/dedup/keys.py), as archive/store/clusters.py applies it."""
    return canonical_copy(family, lambda m: earliest_first(m.published, m.first_seen, m.id), lambda m: m.aggregator)


def test_an_aggregator_copy_is_never_canonical_nor_an_adopting_region():
    family = [_member(1, date(2024, 1, 1), aggregator=True, code="360124"), _member(2, date(2024, 3, 1)),
              _member(3, date(2024, 2, 1), code="431125")]
    assert _canonical_copy(family).id == 3
    assert region_count(family) == 2
    assert _canonical_copy([_member(1, date(2024, 1, 1), aggregator=True)]) is None
    # the read layer shows the copy the clusters table names
    assert canonical([replace(m, canonical=m.id == 3) for m in family]).id == 3
    assert canonical(family) is None
