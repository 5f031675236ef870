"""What changed between two texts: paragraph-level ops, and character runs inside a replaced paragraph."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

PAIR_RATIO = 0.5  # a replaced paragraph is paired with a new one at least this similar, else delete + insert
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DiffOp:
    op: str                 # equal / insert / delete / replace
    a: str | None           # the paragraph in the older text (None for insert)
    b: str | None           # the paragraph in the newer text (None for delete)
    chars: tuple[tuple[str, str, str], ...] = ()  # replace only: (op, old run, new run), in order


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _key(paragraph: str) -> str:
    # whitespace and full/half width are not edits (as in the content hash)
    return _SPACE.sub("", unicodedata.normalize("NFKC", paragraph))


def diff_texts(old: str | None, new: str | None) -> list[DiffOp]:
    return diff_paragraphs(paragraphs(old), paragraphs(new))


def diff_paragraphs(a: list[str], b: list[str]) -> list[DiffOp]:
    ops: list[DiffOp] = []
    matcher = SequenceMatcher(None, [_key(p) for p in a], [_key(p) for p in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(DiffOp("equal", a[i], b[j]) for i, j in zip(range(i1, i2), range(j1, j2)))
        elif tag == "delete":
            ops.extend(DiffOp("delete", p, None) for p in a[i1:i2])
        elif tag == "insert":
            ops.extend(DiffOp("insert", None, p) for p in b[j1:j2])
        else:
            ops.extend(_pair(a[i1:i2], b[j1:j2]))
    return ops


def _pair(old: list[str], new: list[str]) -> list[DiffOp]:
    """Within a replaced block, pair each old paragraph with the next similar new one, in order."""
    ops, j = [], 0
    for paragraph in old:
        match = next((k for k in range(j, len(new)) if _ratio(paragraph, new[k]) >= PAIR_RATIO), None)
        if match is None:
            ops.append(DiffOp("delete", paragraph, None))
            continue
        ops.extend(DiffOp("insert", None, p) for p in new[j:match])
        ops.append(DiffOp("replace", paragraph, new[match], char_ops(paragraph, new[match])))
        j = match + 1
    ops.extend(DiffOp("insert", None, p) for p in new[j:])
    return ops


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def char_ops(a: str, b: str) -> tuple[tuple[str, str, str], ...]:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return tuple((tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes())
