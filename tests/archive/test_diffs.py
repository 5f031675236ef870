"""Paragraph-level diffs: equal / insert / delete / replace, with character runs inside replacements."""
from __future__ import annotations

from archive.diffs import diff_texts


def test_identical_texts_are_all_equal_even_with_different_spacing():
    ops = diff_texts("一、总体要求\n坚持公开。", "一、总体要求\n\n  坚持 公开。 ")
    assert [op.op for op in ops] == ["equal", "equal"]


def test_unrelated_paragraph_is_a_delete_and_an_insert_not_a_replace():
    ops = diff_texts("甲\n完全不同的一段话。\n乙", "甲\n另起炉灶写了新内容\n乙")
    assert [op.op for op in ops] == ["equal", "delete", "insert", "equal"]


def test_a_replaced_block_pairs_each_old_paragraph_with_its_similar_new_one():
    old = "标题\n（一）加强组织领导。\n（二）强化督促检查。"
    new = "标题\n新增一段说明文字在这里\n（一）加强组织领导，明确责任。\n（二）强化督促检查。"
    ops = diff_texts(old, new)
    assert [op.op for op in ops] == ["equal", "insert", "replace", "equal"]
    assert [c for c in ops[2].chars if c[0] != "equal"] == [("insert", "", "，明确责任")]
