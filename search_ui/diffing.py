"""Paragraph-level diffs of two texts, as plain data the templates escape.

A diff is a list of blocks, one per paragraph (or a run of unchanged ones folded away):
    {"kind": "equal" | "insert" | "delete" | "change" | "skip", ...}
A "change" pairs an old paragraph with its edited form and carries character-level
segments, so a reader sees the words that changed, not just that the paragraph did.
No markup is built here: every piece of text stays a string for autoescaping.
"""
from __future__ import annotations

from difflib import SequenceMatcher

# two paragraphs this alike are one edited paragraph; less alike, a deletion and an insertion
SAME_PARAGRAPH = 0.5


def paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def diff_texts(old: str | None, new: str | None) -> list[dict]:
    """Every paragraph of both texts in reading order, each marked by what happened to it."""
    a, b = paragraphs(old), paragraphs(new)
    blocks: list[dict] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks += [{"kind": "equal", "old": p, "new": p} for p in a[i1:i2]]
        elif op == "delete":
            blocks += [{"kind": "delete", "old": p, "new": None} for p in a[i1:i2]]
        elif op == "insert":
            blocks += [{"kind": "insert", "old": None, "new": p} for p in b[j1:j2]]
        else:
            blocks += _replace(a[i1:i2], b[j1:j2])
    return blocks


def _replace(old: list[str], new: list[str]) -> list[dict]:
    """Pair each replaced paragraph with the next alike one in order; the rest are deletions
    and insertions (greedy, so a big rewrite costs at most len(old) * len(new) comparisons)."""
    blocks, j = [], 0
    for p in old:
        match = next((k for k in range(j, len(new)) if _ratio(p, new[k]) >= SAME_PARAGRAPH), None)
        if match is None:
            blocks.append({"kind": "delete", "old": p, "new": None})
            continue
        blocks += [{"kind": "insert", "old": None, "new": q} for q in new[j:match]]
        blocks.append({"kind": "change", "old": p, "new": new[match], "segments": char_segments(p, new[match])})
        j = match + 1
    blocks += [{"kind": "insert", "old": None, "new": q} for q in new[j:]]
    return blocks


def _ratio(p: str, q: str) -> float:
    matcher = SequenceMatcher(None, p, q, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= SAME_PARAGRAPH else 0.0


def char_segments(old: str, new: str) -> list[dict]:
    """old -> new as runs of {"kind": "equal" | "delete" | "insert", "text": ...}."""
    segments = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append({"kind": "equal", "text": old[i1:i2]})
            continue
        if i2 > i1:
            segments.append({"kind": "delete", "text": old[i1:i2]})
        if j2 > j1:
            segments.append({"kind": "insert", "text": new[j1:j2]})
    return segments


def fold_unchanged(blocks: list[dict], context: int = 1) -> list[dict]:
    """Keep `context` unchanged paragraphs around each change; fold longer runs into a skip."""
    changed = [i for i, b in enumerate(blocks) if b["kind"] != "equal"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    out: list[dict] = []
    for i, block in enumerate(blocks):
        if block["kind"] != "equal" or i in keep:
            out.append(block)
        elif out and out[-1]["kind"] == "skip":
            out[-1]["count"] += 1
        else:
            out.append({"kind": "skip", "count": 1})
    return out


def side_by_side(blocks: list[dict]) -> list[dict]:
    """Rows of (left, right) cells for a two-column view; a cell is None where a side has nothing."""
    rows = []
    for block in blocks:
        kind = block["kind"]
        if kind == "skip":
            rows.append({"kind": "skip", "count": block["count"], "left": None, "right": None})
            continue
        if kind == "change":
            left = [s for s in block["segments"] if s["kind"] != "insert"]
            right = [s for s in block["segments"] if s["kind"] != "delete"]
        else:
            left = [{"kind": "delete" if kind == "delete" else "equal", "text": block["old"]}] if block["old"] else None
            right = [{"kind": "insert" if kind == "insert" else "equal", "text": block["new"]}] if block["new"] else None
        rows.append({"kind": kind, "left": left, "right": right})
    return rows


def summary(blocks: list[dict]) -> dict[str, int]:
    """How many paragraphs were kept, changed, inserted and deleted."""
    counts = {"equal": 0, "change": 0, "insert": 0, "delete": 0}
    for block in blocks:
        if block["kind"] in counts:
            counts[block["kind"]] += 1
        elif block["kind"] == "skip":
            counts["equal"] += block["count"]
    return counts
