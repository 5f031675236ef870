"""On the site farm: attachment-only pages (详见附件 + a file link) keep no navigation in their text,
and every 文号 the truth knows is read, the legacy pages' 红头 line included. Both failed before
navigation.py (22 of 43 attachment pages stored the header; 123 of 511 文号 missed on 12 sites)."""
import pytest

from archive.extract import RawPage, extract_document
from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient

HEADER_LINES = {"今天是：", "首页", "搜索", "政务公开", "政务动态", "办事服务", "互动交流"}


@pytest.fixture(scope="module")
def extracted():
    world = World(sites=6, seed=0, attachments=True)
    server, port = start_in_thread(world, port=0)
    try:
        client = FarmClient(port)
        yield [(t, extract_document(RawPage(t["url"], client.get(t["url"])[2]))) for t in world.truth(port)]
    finally:
        server.shutdown()


def test_attachment_only_pages_have_no_navigation_in_their_text(extracted):
    pages = [(t, d) for t, d in extracted if t["text_in"] == "attachment"]
    assert pages
    for truth, doc in pages:
        lines = {line.strip() for line in doc.text.split("\n")}
        assert not lines & HEADER_LINES and "今天是" not in doc.text, (truth["url"], doc.text)
        assert "详见附件" in doc.text


def test_every_doc_number_is_read(extracted):
    with_number = [(t, d) for t, d in extracted if t.get("doc_number")]
    assert with_number
    missed = [(t["url"], t["doc_number"]) for t, d in with_number
              if not d.doc_number or d.doc_number.raw != t["doc_number"]]
    assert not missed
