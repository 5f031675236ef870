"""World(citations=True): the provinces' and cities' portals join, county plans cite their plans in
every form the graph must read, and the truth lists them; the default world has none of it.
The small form of bench/citations.py: the truth's pages stored, the graph's edges against the truth."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from archive.extract.citations import find_references
from archive.extract.docnumber import parse_doc_number
from archive.extract.document import ExtractedDocument, Region
from sitefarm.world import World


@pytest.fixture(scope="module")
def world():
    return World(sites=3, citations=True, docs_per_site=(20, 40))


@pytest.fixture(scope="module")
def truth(world):
    return list(world.truth(8800))


def test_the_default_world_is_unchanged():
    plain = World(sites=4)
    assert len(plain.sites) == 4 and all(s.level == "county" for s in plain.sites)
    assert not any("cites" in r for r in plain.truth(8800))
    cited = World(sites=4, citations=True)
    first = cited.documents(cited.sites[0])[0]
    assert [s.id for s in cited.sites[:4]] == [s.id for s in plain.sites]
    if not cited.cites(first):
        assert cited.body(first) == plain.body(plain.documents(plain.sites[0])[0])


def test_upper_portals_and_their_unique_doc_numbers(world):
    levels = Counter(s.level for s in world.sites)
    assert levels["province"] >= 2 and levels["city"] >= 3
    hunan = next(s for s in world.sites if s.id == "hunan-sheng")
    numbers = [d.header.doc_number for d in world.documents(hunan) if d.header.doc_number]
    assert numbers and all(n.startswith("湘") for n in numbers) and len(set(numbers)) == len(numbers)


def test_truth_lists_each_planted_citation_as_the_text_writes_it(world, truth):
    by_url = {r["url"]: r for r in truth}
    cites = [(r, c) for r in truth for c in r.get("cites", ())]
    assert len(cites) > 30
    assert {c["form"] for _, c in cites} == {"title+number", "number", "body+number", "title"}
    for record, cite in cites:
        assert cite["written"] in record["text"]
        cited = by_url[cite["url"]]
        assert cited["title"] == cite["title"] and cited["published"] < record["published"]
        assert cited["region"]["code"] in (record["region"]["code"][:4] + "00", record["region"]["code"][:2] + "0000")


def test_every_planted_citation_is_parsed_from_the_text(truth):
    for record in truth:
        for cite in record.get("cites", ()):
            refs = find_references(record["text"], record["title"], record["doc_number"])
            number = parse_doc_number(cite["doc_number"]) if cite["form"] != "title" else None
            assert any((number and r.key == f"{number.year}:{number.number}") or r.title == cite["title"]
                       for r in refs), (cite, refs)


def test_the_graph_of_the_stored_truth_matches_the_planted_edges(archive_url, truth):
    from sqlalchemy import select

    from archive.models import Citation, Document
    from archive.store import Archive

    archive = Archive(archive_url)
    for r in truth:
        region = Region(r["region"]["province"], r["region"]["city"], r["region"]["county"], r["region"]["code"])
        archive.ingest(ExtractedDocument(url=r["url"], title=r["title"], published=date.fromisoformat(r["published"]),
                                         doc_number=parse_doc_number(r["doc_number"]), region=region, text=r["text"]))
    with archive.reading() as s:
        urls = dict(s.execute(select(Document.id, Document.url)).all())
        resolved = {(urls[d], urls[c]) for d, c in s.execute(select(Citation.document_id, Citation.cited_id))
                    if c is not None}
    archive.close()
    planted = {(r["url"], c["url"]) for r in truth for c in r.get("cites", ())}
    right = resolved & planted
    assert len(right) / len(resolved) >= 0.99     # precision
    assert len(right) / len(planted) >= 0.95      # recall


@pytest.fixture
def archive_url(tmp_path):
    return f"sqlite:///{tmp_path / 'archive.sqlite'}"
