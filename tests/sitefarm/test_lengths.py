"""Real lengths (World(lengths="real"), evaluation/corpus.py): the fitted distribution, the unchanged default."""
import io
import re
from collections import defaultdict

import olefile
import pytest

from archive.dedup.text import sentences
from evaluation.corpus import generate_realistic
from sitefarm import attachments, lengths
from sitefarm.world import World


def chars(text):
    return len(re.sub(r"\s+", "", text))


def quantile(values, share):
    ordered = sorted(values)
    return ordered[int(share * len(ordered))]


@pytest.fixture(scope="module")
def real_truth():
    return list(World(sites=30, lengths="real", attachments=True).truth(8800))


def test_page_bodies_follow_the_real_distribution(real_truth):
    pages = [chars(r["text"]) for r in real_truth if r["text_in"] == "page"]
    assert len(pages) > 1500
    assert 900 <= quantile(pages, 0.5) <= 1500      # real gov pages: median 985, fitted 1,135
    assert 3000 <= quantile(pages, 0.9) <= 6000     # real: p90 4,416
    assert quantile(pages, 0.1) < 500


def test_plans_held_in_attachments_are_long_with_a_tail(real_truth):
    files = [chars(r["text"]) for r in real_truth if r["text_in"] == "attachment" and not r["lineage"]]
    assert len(files) >= 40
    assert min(files) >= lengths.FILE_MIN - 100
    assert quantile(files, 0.5) >= 12_000
    assert max(files) >= 60_000


def test_titles_and_metadata_do_not_depend_on_lengths(real_truth):
    farm = list(World(sites=30, attachments=True).truth(8800))
    assert [(r["url"], r["title"], r["published"], r["doc_number"]) for r in farm] == \
           [(r["url"], r["title"], r["published"], r["doc_number"]) for r in real_truth]
    assert sum(chars(r["text"]) for r in real_truth) > 3 * sum(chars(r["text"]) for r in farm)


def test_default_world_keeps_its_texts():
    assert [r["text"] for r in World(sites=3).truth(8800)] == \
           [r["text"] for r in World(sites=3, lengths="farm").truth(8800)]
    with pytest.raises(ValueError):
        World(sites=1, lengths="long")


def test_lineage_members_stay_copies_and_others_share_few_sentences(real_truth):
    def overlap(a, b):
        sa, sb = sentences(a["text"], []), sentences(b["text"], [])
        return len(sa & sb) / len(sa | sb)

    members = defaultdict(list)
    for record in real_truth:
        if record["lineage"] and record["text_in"] == "page":
            members[record["lineage"]].append(record)
    pairs = [(g[0], g[1]) for g in members.values() if len(g) >= 2]
    assert pairs
    assert min(overlap(a, b) for a, b in pairs) > 0.5
    others = [r for r in real_truth if not r["lineage"] and chars(r["text"]) > 3000][:40]
    assert max(overlap(a, b) for a, b in zip(others, others[1:])) < 0.2


def test_a_long_wps_file_is_a_readable_compound_file():
    paragraphs = [lengths.sentence(__import__("random").Random(n), 2024, "县") for n in range(3000)]
    body = attachments.write_cfb("标题", paragraphs, [])
    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        text = ole.openstream("WordDocument").read().decode("utf-16-le").rstrip("\0")
    assert text == "\r".join(["标题", *paragraphs])
    assert len(text) > 100_000


def test_served_long_plan_parses_back():
    from archive.extract.attachment_text import attachment_text

    world = World(sites=30, lengths="real", attachments=True)
    record = max((r for r in world.truth(8800) if r["text_in"] == "attachment" and r["attachments"][0]["type"]
                  in ("wps", "docx")), key=lambda r: len(r["text"]))
    site = next(s for s in world.sites if s.id == record["site"])
    doc = next(d for d in world.documents(site) if d.header.title == record["title"])
    file = world.attachments(doc)[0]
    text, errors = attachment_text(attachments.render(world, doc, file), file.ext)
    assert not errors
    assert chars(text) >= chars(record["text"])


def test_corpus_lengths_are_real_and_the_default_unchanged():
    real = generate_realistic(2000, lengths="real")
    farm = generate_realistic(2000)
    assert [d.title for d in real] == [d.title for d in farm]
    assert [d.text for d in farm] == [d.text for d in generate_realistic(2000, lengths="farm")]
    sizes = [chars(d.text) for d in real]
    assert 800 <= quantile(sizes, 0.5) <= 1600
    assert max(sizes) >= 50_000


def test_cn_numbers():
    assert [lengths.cn_number(n) for n in (1, 10, 12, 20, 105, 110, 999)] == \
           ["一", "十", "十二", "二十", "一百零五", "一百一十", "九百九十九"]
