"""What one copy of a model text changed: the parts filled in (placeholders, place names, dates) and
the paragraphs rewritten. Pure: it reads two documents' texts and places."""
from __future__ import annotations

from dataclasses import dataclass

from archive.dedup.text import PLACEHOLDER, jaccard, place_names, sentences
from archive.diffs import DiffOp, char_ops, diff_paragraphs, paragraphs

_ADMIN_SUFFIX = "省市县区镇乡村街"


@dataclass(frozen=True)
class Fill:
    a: str      # as doc_a has it (a placeholder such as xx镇, or its own name)
    b: str      # what doc_b put there
    kind: str   # placeholder / place / date / other


@dataclass(frozen=True)
class CopyDifferences:
    similarity: float            # Jaccard of masked sentences, as the clusters use
    fills: tuple[Fill, ...]      # paragraphs that differ only by these filled-in parts
    changed: tuple[DiffOp, ...]  # paragraphs rewritten, added or dropped


def copy_differences(a, b) -> CopyDifferences:
    """Two documents (anything with text, region_code, county and city), paragraph by paragraph."""
    names_a = place_names(a.region_code, a.county, a.city)
    names_b = place_names(b.region_code, b.county, b.city)
    fills: dict[tuple[str, str], Fill] = {}
    changed = []
    for op in diff_paragraphs(paragraphs(a.text), paragraphs(b.text)):
        if op.op == "equal":
            continue
        found = _fills(op.a, op.b, names_a, names_b) if op.op == "replace" else []
        if found and all(fill.kind != "other" for fill in found):
            for fill in found:
                fills.setdefault((fill.a, fill.b), fill)
        else:
            changed.append(op)
    similarity = jaccard(sentences(a.text, names_a), sentences(b.text, names_b))
    return CopyDifferences(similarity, tuple(fills.values()), tuple(changed))


def _fills(a: str, b: str, names_a: list[str], names_b: list[str]) -> list[Fill]:
    ops = char_ops(a, b)
    out = []
    for n, (tag, old, new) in enumerate(ops):
        if tag == "equal":
            continue
        # xx镇 -> 白水镇: keep the shared suffix so the fill reads as a whole name
        after = ops[n + 1][1][:1] if n + 1 < len(ops) and ops[n + 1][0] == "equal" else ""
        if after and after in _ADMIN_SUFFIX:
            old, new = old + after, new + after
        out.append(Fill(old, new, _kind(old, new, names_a, names_b)))
    return out


def _kind(old: str, new: str, names_a: list[str], names_b: list[str]) -> str:
    if PLACEHOLDER.fullmatch(old) or PLACEHOLDER.fullmatch(new):
        return "placeholder"
    if any(n in old for n in names_a) or any(n in new for n in names_b):
        return "place"
    if all(c.isdigit() or c in "年月日度" for c in old + new):
        return "date"
    if old and new and all(c in _ADMIN_SUFFIX for c in old + new):
        return "place"  # 我县 -> 我市
    return "other"
