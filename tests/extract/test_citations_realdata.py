"""References on real pages (../shared/realdata; skipped without it): the pingtan page of 福建省's
2019 政务公开 tasks cites 国办发〔2019〕14号 with its title, and every title-only reference on the
labelled gov pages is a policy document's (books and songs in 《》 are not references)."""
from __future__ import annotations

import json

import pytest

from archive.extract import extract_document
from archive.extract.citations import find_references, is_document_title
from archive.extract.document import RawPage
from tests.conftest import REALDATA

PINGTAN = "pingtan/zwgk/zfxxgk/zfxxgkzd/202311/80967_福建省人民政府办公厅关于印发福建省2019年政务公开工作主要任务的通知/page.html"


def _extracted(path: str, url: str):
    page = REALDATA / path
    if not page.exists():
        pytest.skip(f"{page} not here")
    return extract_document(RawPage(url, page.read_bytes(), {}))


def test_a_real_notice_cites_the_state_councils_doc_number_with_its_title():
    doc = _extracted(PINGTAN, "http://www.pingtan.gov.cn/zwgk/80967.html")
    refs = find_references(doc.text, doc.title, doc.doc_number.raw if doc.doc_number else None)
    assert ("国办发〔2019〕14号", "国务院办公厅关于印发2019年政务公开工作要点的通知") in [(r.doc_number, r.title) for r in refs]


def test_references_on_the_labelled_real_pages():
    gold = REALDATA / "gold.jsonl"
    if not gold.exists():
        pytest.skip("../shared/realdata not here")
    found = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = _extracted(record["file"], record.get("url") or "http://x.test/")
        found += find_references(doc.text, doc.title, doc.doc_number.raw if doc.doc_number else None)
    assert len(found) >= 40 and sum(1 for r in found if r.key) >= 12
    assert all(is_document_title(r.title) for r in found if r.title and not r.key)
