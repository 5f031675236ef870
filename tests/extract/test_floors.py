"""The floors are pinned to the corpus they were measured on: another corpus is refused, saying so."""
import json

import pytest

from evaluation.extraction import CorpusChanged, checked_floors, corpus_digest, corpus_files, load_floors


def corpus(root):
    (root / "gov").mkdir(parents=True)
    (root / "gov" / "a.html").write_bytes("<html><body><p>为深入推进政务公开工作，制定本方案。</p></body></html>".encode())
    (root / "gold.jsonl").write_text(json.dumps({"file": "gov/a.html", "title": "方案"}) + "\n", encoding="utf-8")
    (root / "bench" / "magic" / "htmls").mkdir(parents=True)
    (root / "bench" / "magic" / "base.json").write_text("{}", encoding="utf-8")
    (root / "bench" / "magic" / "LICENSE").write_text("not measured", encoding="utf-8")
    return root


def pin(root, path):
    sha256, files = corpus_digest(root)
    path.write_text(json.dumps({"corpus_sha256": sha256, "files": files, "floors": {"title": 0.95}}), encoding="utf-8")
    return path


def test_the_corpus_is_the_gold_file_the_pages_it_labels_and_the_benchmarks(tmp_path):
    assert corpus_files(corpus(tmp_path)) == ["bench/magic/base.json", "gold.jsonl", "gov/a.html"]


def test_floors_are_given_for_the_corpus_they_were_measured_on(tmp_path):
    root = corpus(tmp_path / "realdata")
    assert checked_floors(root, pin(root, tmp_path / "floors.json")) == {"title": 0.95}


def test_a_changed_page_is_refused_with_both_hashes(tmp_path):
    root = corpus(tmp_path / "realdata")
    floors = pin(root, tmp_path / "floors.json")
    before = corpus_digest(root)[0]
    (root / "gov" / "a.html").write_bytes(b"<html><body>another page</body></html>")
    with pytest.raises(CorpusChanged, match=f"{corpus_digest(root)[0]}.*{before}"):
        checked_floors(root, floors)


def test_a_missing_page_changes_the_hash(tmp_path):
    root = corpus(tmp_path / "realdata")
    before = corpus_digest(root)
    (root / "gov" / "a.html").unlink()
    assert corpus_digest(root)[0] != before[0] and corpus_digest(root)[1] == before[1]


def test_the_pinned_floors_name_a_hash_a_file_count_and_every_gated_score():
    pinned = load_floors()
    assert len(pinned["corpus_sha256"]) == 64 and pinned["files"] > 0
    assert set(pinned["floors"]) == {"fields", "body_recall", "chrome_leak_ceiling", "false_positives_ceiling",
                                     "immortal_bigram_f1", "magic_bigram_f1", "govcn_xxgk_fields", "govcn_subject"}
