"""Titles on farm pages whose banner prints the portal's name as a heading.

The xxgk template of 兰坪白族普米族自治县 puts <h2>兰坪白族普米族自治县人民政府</h2> in its banner
and <title>{title}_兰坪白族普米族自治县人民政府</title> in the head. The long county name is as
long as a short document title, so the banner once passed for "a heading that <title> repeats"
and the site's name became the title (and no 文种) on 37 of its 100 pages. Rendered without HTTP.
"""
import pytest

from archive.extract import RawPage, extract_document
from sitefarm.families import FAMILIES
from sitefarm.responses import Request
from sitefarm.server import respond
from sitefarm.world import World

LANPING_WORLD = 1385  # World(sites=k, seed=0) is a prefix of a larger world; lanping is site 1384
EXAMPLE = "/xxgk/fdzdgknr/tzgg/content_443586.html"


@pytest.fixture(scope="module")
def lanping():
    world = World(sites=LANPING_WORLD, seed=0)
    site = next(s for s in world.sites if s.id == "lanping")
    family = FAMILIES[site.family]
    pages = []
    for doc in world.documents(site):
        path = family.doc_path(doc)
        response = respond(world, Request("GET", path, ""), site.host)
        assert response.status == 200, path
        pages.append((path, f"http://{site.host}{path}", response.body, doc.header))
    return site, pages


def test_lanping_is_an_xxgk_site_whose_name_is_as_long_as_a_title(lanping):
    site, pages = lanping
    assert site.family == "xxgk" and site.name == "兰坪白族普米族自治县人民政府"
    assert any(path == EXAMPLE for path, *_ in pages)


def test_the_banner_heading_is_not_the_title(lanping):
    site, pages = lanping
    path, url, body, header = next(p for p in pages if p[0] == EXAMPLE)
    assert f"<h2>{site.name}</h2>".encode() in body            # the banner
    assert f"<h1>{header.title}</h1>".encode() in body         # the document's heading
    doc = extract_document(RawPage(url, body))
    assert doc.title == header.title == "兰坪白族普米族自治县生态环境保护工作管理办法"
    assert doc.doc_type == header.doc_type == "办法"
    assert doc.sources["title"] != "h2"  # the banner's heading


def test_every_lanping_page_gets_its_own_title_and_doc_type(lanping):
    site, pages = lanping
    wrong = []
    for path, url, body, header in pages:
        doc = extract_document(RawPage(url, body))
        if (doc.title, doc.doc_type) != (header.title, header.doc_type):
            wrong.append((path, doc.title, header.title))
    assert not wrong, f"{len(wrong)} of {len(pages)}: {wrong[:5]}"


def _page(head_title: str, banner: str, heading: str, site_name_meta: str = "") -> bytes:
    meta = f'<meta name="SiteName" content="{site_name_meta}">' if site_name_meta else ""
    return (f"<html><head><title>{head_title}</title>{meta}</head><body>"
            f"<div class='banner'><h2>{banner}</h2></div>"
            f"<div class='main'><h1>{heading}</h1><p>{'正文内容。' * 40}</p></div>"
            f"</body></html>").encode("utf-8")


def test_a_site_name_in_the_title_is_never_a_confirmed_heading():
    name, title = "某某某某某某自治县人民政府", "某某某某某某自治县林长制工作方案"
    doc = extract_document(RawPage("http://example.test/a.html", _page(f"{title}_{name}", name, title)))
    assert doc.title == title and doc.doc_type == "方案"


def test_the_site_name_meta_tag_names_the_banner_too():
    name, title = "某某某某某某自治县政务服务中心", "某某某某某某自治县林长制工作方案"
    doc = extract_document(RawPage("http://example.test/a.html",
                                   _page(f"{title}_{name}", name, title, site_name_meta=name)))
    assert doc.title == title


def test_a_title_of_one_part_ending_like_a_site_name_is_still_the_heading():
    title = "关于加快推进农村电网"  # ends in 网, and <title> holds nothing else
    doc = extract_document(RawPage("http://example.test/a.html", _page(title, "某县人民政府", title)))
    assert doc.title == title
