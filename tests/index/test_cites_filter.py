"""cites:湘政办发〔2021〕12号 finds the documents citing that 文号, the same on every engine: any
bracket form, an issuer that ends the other, no issuer in the query = any issuer."""
from __future__ import annotations

from datetime import date

import pytest

from archive.index import IndexDoc, close_searchers, index_documents, rebuild, search
from archive.index.cites import term


@pytest.fixture(autouse=True)
def _close():
    yield
    close_searchers()


def _doc(doc_id, cites=()):
    return IndexDoc(doc_id=doc_id, url=f"http://x.test/{doc_id}", title=f"方案{doc_id}", text="正文",
                    published=date(2024, 1, doc_id), year=2024, region_code="431121", province="湖南省",
                    city="永州市", county="祁阳市", cites=cites)


DOCS = [_doc(1, (term("2021:12", "湘政办发"),)), _doc(2, (term("2021:12", "省政府办公厅湘政办发"), term("2020:3", "永政发"))),
        _doc(3, (term("2021:12", "永政办发"),)), _doc(4, (term("2021:12", None),)), _doc(5)]


def _ids(location, q):
    found = search(location, q, page_size=50)
    assert found.error is None, found.error
    return sorted(h.doc_id for h in found.hits)


@pytest.mark.parametrize("q, expected", [
    ("cites:湘政办发〔2021〕12号", [1, 2]), ("cites:湘政办发[2021]12号", [1, 2]), ("cites:湘政办发（2021）12号", [1, 2]),
    ("cites:〔2021〕12号", [1, 2, 3, 4]), ("cites:永政发〔2020〕3号", [2]), ("cites:永政发〔2020〕4号", []),
    ("正文 cites:永政办发〔2021〕12号", [3]),
])
def test_cites_filter_on_every_engine(location, q, expected):
    rebuild(location, DOCS)
    assert _ids(location, q) == expected


def test_cites_filter_follows_an_updated_document(location):
    rebuild(location, DOCS)
    index_documents(location, [_doc(5, (term("2021:12", "湘政办发"),))])
    assert _ids(location, "cites:湘政办发〔2021〕12号") == [1, 2, 5]


def test_a_cites_value_that_is_no_doc_number_is_a_readers_error(location):
    rebuild(location, DOCS)
    found = search(location, "cites:湘政办发")
    assert found.total == 0 and "cites:" in found.error


def test_whoosh_rows_written_before_the_field_read_as_citing_nothing(backend, location, monkeypatch):
    if backend != "whoosh":
        pytest.skip("PostgreSQL: the next test")
    from archive.index.whoosh import schema

    old_row = schema.facet_row
    monkeypatch.setattr(schema, "facet_row", lambda doc: old_row(doc)[:-1])   # the row before `cites`
    rebuild(location, DOCS)
    monkeypatch.undo()
    close_searchers()
    assert _ids(location, "cites:湘政办发〔2021〕12号") == [] and _ids(location, "正文") == [1, 2, 3, 4, 5]
    index_documents(location, [_doc(5, (term("2021:12", "湘政办发"),))])
    assert _ids(location, "cites:湘政办发〔2021〕12号") == [5]


def test_a_postgresql_table_made_before_the_filter_gets_its_column(backend, location):
    if backend != "pg":
        pytest.skip("Whoosh: the test before")
    from sqlalchemy import create_engine, text

    from archive.index.postgres.backend import split_url

    rebuild(location, DOCS)
    url, schema = split_url(location)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'ALTER TABLE "{schema}".search_docs DROP COLUMN cites'))
    engine.dispose()
    close_searchers()   # a new process: the table is checked again
    index_documents(location, [_doc(5, (term("2021:12", "湘政办发"),))])
    assert _ids(location, "cites:湘政办发〔2021〕12号") == [5]
