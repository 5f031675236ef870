"""Paragraph diffs: what changed is marked, what did not is kept or folded, text stays text."""
from __future__ import annotations

from search_ui import diffing


def kinds(blocks):
    return [b["kind"] for b in blocks]


def test_unchanged_inserted_and_deleted_paragraphs_are_told_apart():
    blocks = diffing.diff_texts("一、目标\n旧的段落内容完全不同\n三、保障", "一、目标\n三、保障\n四、附则")
    assert kinds(blocks) == ["equal", "delete", "equal", "insert"]
    assert blocks[1]["old"] == "旧的段落内容完全不同" and blocks[3]["new"] == "四、附则"


def test_an_edited_paragraph_shows_the_characters_that_changed():
    [block] = diffing.diff_texts("全面推进政务公开标准化。", "全面推进政务公开标准化规范化。")
    assert block["kind"] == "change"
    assert block["segments"] == [{"kind": "equal", "text": "全面推进政务公开标准化"},
                                 {"kind": "insert", "text": "规范化"}, {"kind": "equal", "text": "。"}]


def test_a_rewritten_paragraph_is_a_deletion_and_an_insertion():
    assert kinds(diffing.diff_texts("甲乙丙丁戊", "子丑寅卯辰")) == ["delete", "insert"]


def test_whitespace_and_blank_lines_are_not_changes():
    assert kinds(diffing.diff_texts("  一段\n\n二段 ", "一段\n二段")) == ["equal", "equal"]


def test_long_unchanged_runs_fold_around_the_change():
    old = "\n".join(f"第{i}段" for i in range(10))
    new = old.replace("第5段", "第5段（修订）")
    folded = diffing.fold_unchanged(diffing.diff_texts(old, new), context=1)
    assert kinds(folded) == ["skip", "equal", "change", "equal", "skip"]
    assert [b.get("count") for b in folded if b["kind"] == "skip"] == [4, 3]
    assert diffing.summary(folded) == {"equal": 9, "change": 1, "insert": 0, "delete": 0}


def test_side_by_side_puts_deletions_left_and_insertions_right():
    rows = diffing.side_by_side(diffing.diff_texts("同\n删掉这一段吧\n改前文字", "同\n改后文字\n新增的一段"))
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["equal"]["left"] == by_kind["equal"]["right"] == [{"kind": "equal", "text": "同"}]
    change = next(r for r in rows if r["kind"] == "change")
    assert {s["kind"] for s in change["left"]} <= {"equal", "delete"}
    assert {s["kind"] for s in change["right"]} <= {"equal", "insert"}
    assert "".join(s["text"] for s in change["left"]) == "改前文字"
    assert "".join(s["text"] for s in change["right"]) == "改后文字"
    inserted = [r for r in rows if r["kind"] == "insert"]
    assert inserted and all(r["left"] is None for r in inserted)
