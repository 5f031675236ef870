"""The bulk rebuild writer (archive/index/whoosh/bulk.py) writes what Whoosh's own writer writes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive.index import close_searchers, rebuild, search
from archive.index.terms import key_term, term_keys, term_positions
from archive.index.whoosh import bulk
from archive.index.whoosh.schema import Codec, create_index, document_fields, open_index
from evaluation.corpus import generate, generate_realistic

ODD_TEXTS = ["", "abc", "a", "中", "中文", "Ａ５ｇ 中文。x1", "ｘ﹏中_文", "𠀀𠀁 ab", "2024年5月10日，PDF文件",
             "ÄÖü straße", "一、活动主题：政务公开\n（二）", "   ", "——", "a中b文c"]


def _docs():
    docs = generate(150, seed=3) + generate_realistic(150, seed=4)[1:]
    docs = [replace(d, doc_id=i + 1) for i, d in enumerate(docs)]
    odd = [replace(docs[0], doc_id=1000 + i, title=t, text=ODD_TEXTS[-1 - i]) for i, t in enumerate(ODD_TEXTS)]
    return docs + odd


def _postings(ix):
    """Every (field, term) -> [(docnum, value bytes)] and every stored document."""
    with ix.searcher() as s:
        reader = s.reader()
        out = {}
        for field, term in reader.all_terms():
            m = reader.postings(field, term)
            items = []
            while m.is_active():
                items.append((m.id(), m.value()))
                m.next()
            out[(field, term)] = items
        return out, list(reader.all_stored_fields())


@pytest.mark.parametrize("text", ODD_TEXTS + [d.text for d in generate_realistic(30, seed=5)])
def test_term_keys_are_term_positions_as_arrays(text):
    latin: dict[str, int] = {}
    keys, positions = term_keys(text, latin)
    found: dict[str, list[int]] = {}
    for key, pos in sorted(zip(keys.tolist(), positions.tolist())):
        found.setdefault(key_term(key, list(latin)), []).append(pos)
    assert found == dict(term_positions(text))


def test_bulk_segment_has_the_postings_and_stored_fields_whoosh_writes(tmp_path):
    docs = _docs()
    (tmp_path / "plain").mkdir()
    plain = create_index(tmp_path / "plain")
    writer = plain.writer(codec=Codec())
    for d in docs:
        writer.add_document(**document_fields(d))
    writer.commit()

    (tmp_path / "bulk").mkdir()
    fast = create_index(tmp_path / "bulk")
    assert bulk.build(fast, iter(docs), document_fields, dict(codec=Codec())) == len(docs)

    plain_postings, plain_stored = _postings(plain)
    fast_postings, fast_stored = _postings(fast)
    assert fast_postings.keys() == plain_postings.keys()
    assert fast_postings == plain_postings
    assert fast_stored == plain_stored


def test_bulk_rebuild_in_processes_and_small_segments_finds_the_same(tmp_path, monkeypatch):
    docs = _docs()
    rebuild(tmp_path / "one", docs)
    monkeypatch.setattr(bulk, "SEGMENT_DOCS", 70)
    monkeypatch.setattr(bulk, "_BATCH", 25)
    rebuild(tmp_path / "two", docs, procs=2)
    with open_index(next((tmp_path / "two").glob("gen-*"))).searcher() as s:
        assert len(s.leaf_searchers()) >= 4
    try:
        for q in ["宣传月", "月", "政务公开 宣传月", "宣传月 OR 主题日", "-宣传", "title:方案", '"公开 宣传"', "pdf", ""]:
            one, two = search(tmp_path / "one", q, page_size=200), search(tmp_path / "two", q, page_size=200)
            assert (two.total, [h.doc_id for h in two.hits], two.facets) == \
                   (one.total, [h.doc_id for h in one.hits], one.facets), q
    finally:
        close_searchers()


def test_a_failing_rebuild_process_fails_the_rebuild_and_keeps_the_live_index(tmp_path):
    docs = _docs()
    rebuild(tmp_path / "ix", docs[:10])
    bad = docs[:300] + [replace(docs[0], doc_id=99999, title=object())]
    with pytest.raises(Exception):
        rebuild(tmp_path / "ix", bad, procs=2)
    try:
        assert search(tmp_path / "ix", "").total == 10
    finally:
        close_searchers()


def test_postings_decoded_a_block_at_a_time_match_whoosh_matcher(tmp_path):
    from archive.index.whoosh.postings import term_postings
    from archive.index.whoosh.substring import decode_positions

    (tmp_path / "ix").mkdir()
    ix = create_index(tmp_path / "ix")
    bulk.build(ix, iter(_docs() * 1), document_fields, dict(codec=Codec()))
    postings, _ = _postings(ix)
    with ix.searcher() as s:
        reader = s.reader()
        multi_block = 0
        for (field, term), items in postings.items():
            if field not in ("title", "text"):
                continue
            found = term_postings(reader, "test-decode", field, term.decode("utf-8"))
            assert found.docs.tolist() == [d for d, _ in items]
            assert found.tf.tolist() == [len(v) // 4 for _, v in items]
            assert found.occurrences().tolist() == [d << 32 | p for d, v in items for p in decode_positions(v)]
            multi_block += len(items) > 128
        assert multi_block > 10
