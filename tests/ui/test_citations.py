"""The 文号 graph and citations on the pages: cites / cited_by in the JSON and on the page, the
chain view, the cites: filter, and the three citation formats read back by real parsers."""
from __future__ import annotations

from datetime import date, datetime

import bibtexparser
import pytest
import rispy

from archive.config import DataDir
from archive.extract.docnumber import parse_doc_number
from archive.extract.document import ExtractedDocument, Region
from archive.store import Archive
from archive.store.index_feed import iter_index_docs
from archive.warc import WarcWriter
from tests.ui.conftest import html_of

HUNAN = Region("湖南省", None, None, "430000")
YONGZHOU = Region("湖南省", "永州市", None, "431100")
QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
XSS = "<script>alert(1)</script>"
PAGE = "<html><head><meta charset='utf-8'></head><body><p>省级要点</p></body></html>".encode()


def _doc(url, title, number, region, text, published):
    return ExtractedDocument(url=f"http://x.test/{url}", title=title, published=published, region=region,
                             doc_number=parse_doc_number(number) if number else None, text=text,
                             agency=f"{region.county or region.city or region.province}人民政府办公室")


@pytest.fixture(scope="module")
def graph_app(tmp_path_factory):
    from archive import index
    from search_ui import create_app

    data = DataDir(tmp_path_factory.mktemp("graph")).ensure()
    archive = Archive(data.database_url)
    archive.upsert_site({"id": "hunan", "name": "湖南省人民政府", "region": "430000", "base_url": "http://x.test"})
    ids = {}
    ids["province"] = archive.ingest(_doc("p", "湖南省政务公开工作要点", "湘政办发〔2021〕12号", HUNAN,
                                          "全省推进政务公开。", date(2021, 3, 1)), site_id="hunan").document_id
    ids["city"] = archive.ingest(_doc("c", "永州市政务公开实施方案", "永政办发〔2021〕30号", YONGZHOU,
                                      "根据《湖南省政务公开工作要点》（湘政办发〔2021〕12号），制定本方案。",
                                      date(2021, 6, 1))).document_id
    ids["county"] = archive.ingest(_doc("q", f"祁阳市政务公开实施方案{XSS}", "祁政办发〔2022〕5号", QIYANG,
                                        f"依据永政办发[2021]30号和《未存档的{XSS}办法》，结合实际。",
                                        date(2022, 2, 1))).document_id
    warc = WarcWriter(data.warc_dir)
    location = warc.write("http://x.test/p", 200, "OK", {"Content-Type": "text/html"}, PAGE)
    warc.close()
    capture = archive.record_capture("http://x.test/p", 200, {"content-type": "text/html"}, location, "hunan",
                                     fetched_at=datetime(2024, 6, 1, 8, 0))
    from sqlalchemy import update
    from archive.models import Document
    with archive.session() as s:
        s.execute(update(Document).where(Document.id == ids["province"]).values(capture_id=capture))
    index.rebuild(data.index_dir, iter_index_docs(archive))
    archive.close()
    app = create_app({"DATA_DIR": str(data.root), "TESTING": True})
    app.ids = ids
    yield app
    app.extensions["govplans"].archive.close()


@pytest.fixture
def graph(graph_app):
    return graph_app.test_client(), graph_app.ids


def test_json_carries_cites_and_cited_by(graph):
    client, ids = graph
    city = client.get(f"/doc/{ids['city']}.json").get_json()
    assert [(c["doc_number"], c["title"], c["doc_id"]) for c in city["cites"]] == [
        ("湘政办发〔2021〕12号", "湖南省政务公开工作要点", ids["province"])]
    assert [(c["doc_number"], c["doc_id"]) for c in city["cited_by"]] == [("祁政办发〔2022〕5号", ids["county"])]
    county = client.get(f"/doc/{ids['county']}.json").get_json()
    assert [(c["doc_number"], c["title"], c["doc_id"]) for c in county["cites"]] == [
        ("永政办发[2021]30号", None, ids["city"]), (None, f"未存档的{XSS}办法", None)]


def test_page_shows_what_it_cites_and_what_cites_it_escaped(graph):
    client, ids = graph
    body = client.get(f"/doc/{ids['county']}").get_data(as_text=True)
    assert "依据 / 引用（2）" in body and "被引用（0）" in body and "未存档" in body
    assert XSS not in body and "&lt;script&gt;" in body
    page = html_of(client.get(f"/doc/{ids['city']}"))
    assert page.xpath(f"//section[@id='citations']//a[@href='/doc/{ids['province']}']")
    assert page.xpath(f"//ul[@class='cited-by']//a[@href='/doc/{ids['county']}']")


def test_chain_walks_province_city_county(graph):
    client, ids = graph
    chain = client.get(f"/doc/{ids['city']}/chain.json").get_json()
    assert [(link["doc_id"], link["level"], link["depth"]) for link in chain["links"]] == [
        (ids["province"], "province", -1), (ids["city"], "city", 0), (ids["county"], "county", 1)]
    assert client.get(f"/doc/{ids['county']}/chain").status_code == 200


def test_search_filters_to_documents_citing_a_doc_number(graph):
    client, ids = graph
    found = client.get("/search.json", query_string={"q": "cites:湘政办发（2021）12号"}).get_json()
    assert [h["id"] for h in found["hits"]] == [ids["city"]]
    assert client.get("/search", query_string={"q": "cites:永政办发〔2021〕30号"}).status_code == 200


@pytest.mark.parametrize("key", ["province", "city", "county"])
def test_three_formats_parse_with_real_parsers(graph, key):
    client, ids = graph
    doc_id = ids[key]
    bib = client.get(f"/doc/{doc_id}/cite?format=bibtex")
    assert bib.status_code == 200 and bib.mimetype == "application/x-bibtex"
    library = bibtexparser.parse_string(bib.get_data(as_text=True))
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.fields_dict["archiveurl"].value == f"http://localhost/doc/{doc_id}"
    ris = rispy.loads(client.get(f"/doc/{doc_id}/cite?format=ris").get_data(as_text=True))
    assert len(ris) == 1 and ris[0]["type_of_reference"] == "GOVDOC"
    assert f"http://localhost/doc/{doc_id}" in ris[0]["urls"]
    gbt = client.get(f"/doc/{doc_id}/cite?format=gbt7714").get_data(as_text=True)
    assert "[EB/OL]" in gbt and f"http://localhost/doc/{doc_id}" in gbt


def test_citation_carries_capture_time_and_payload_hash(graph):
    client, ids = graph
    gbt = client.get(f"/doc/{ids['province']}/cite?format=gbt7714").get_data(as_text=True)
    assert gbt.startswith("湖南省人民政府办公室. 湖南省政务公开工作要点: 湘政办发〔2021〕12号[EB/OL]. (2021-03-01)[")
    assert "抓取于 2024-06-01T08:00:00Z" in gbt and "载荷摘要 sha1:" in gbt and "/capture/" in gbt
    entry = bibtexparser.parse_string(client.get(f"/doc/{ids['province']}/cite?format=bibtex")
                                      .get_data(as_text=True)).entries[0]
    assert entry.fields_dict["payloaddigest"].value.startswith("sha1:")
    assert entry.fields_dict["number"].value == "湘政办发〔2021〕12号"


def test_cite_page_button_and_bulk(graph):
    client, ids = graph
    page = html_of(client.get(f"/doc/{ids['city']}"))
    href = page.xpath("//a[@class='cite-button']/@href")[0]
    cite_page = client.get(href)
    assert cite_page.status_code == 200 and "GB/T 7714-2015" in cite_page.get_data(as_text=True)
    bulk = client.get("/search/cite", query_string={"q": "政务公开", "format": "bibtex"})
    assert len(bibtexparser.parse_string(bulk.get_data(as_text=True)).entries) == 3
    ris = rispy.loads(client.get("/search/cite", query_string={"q": "政务公开", "format": "ris"}).get_data(as_text=True))
    assert len(ris) == 3
    assert client.get(f"/doc/{ids['city']}/cite?format=word").status_code == 400


def test_cite_json_and_the_search_pages_link(graph):
    client, ids = graph
    data = client.get(f"/doc/{ids['province']}/cite.json").get_json()
    assert data["permalink"] == f"http://localhost/doc/{ids['province']}" and data["payload_digest"].startswith("sha1:")
    assert [f["name"] for f in data["formats"]] == ["gbt7714", "bibtex", "ris"]
    page = html_of(client.get("/search", query_string={"q": "政务公开"}))
    bulk = client.get(page.xpath("//a[@class='cite-search']/@href")[0])
    assert bulk.status_code == 200 and bulk.get_data(as_text=True).count("[EB/OL]") == 3
    listing = client.get("/search/cite.json", query_string={"q": "政务公开"}).get_json()
    assert listing["count"] == 3 and client.get("/search/cite.json?year=x").status_code == 400
