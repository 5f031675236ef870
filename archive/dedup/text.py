"""What two copies are compared on: character shingles (for LSH) and masked sentences (for the check).

County adaptations of one model plan differ in the filled-in parts: the county's own name, dates
and years, placeholders such as xx镇. Sentences are compared with those masked, so an adaptation
counts as a copy while a different plan written from the same boilerplate does not.
"""
from __future__ import annotations

import re
import unicodedata

from archive import regions

SHINGLE = 5
MASK = "□"
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[\n。！？；]")
_DATE = re.compile(r"\d{2,4}年\d{1,2}月\d{1,2}日|\d{4}年(?:度)?|\d{1,2}月\d{1,2}日")
# unfilled placeholders of model texts: xx镇, XX县, ××单位, ○○
PLACEHOLDER = re.compile(r"(?:[xX×*○]{2,}|某某)(?:[省市县区镇乡村街道]|单位|部门)?")


def normalise(text: str) -> str:
    """NFKC, without whitespace: the same normalisation as the content hash."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    flat = normalise(text)
    if len(flat) <= size:
        return {flat} if flat else set()
    return {flat[i:i + size] for i in range(len(flat) - size + 1)}


def place_names(region_code: str | None, *names: str | None) -> list[str]:
    """The names a document uses for its own place, longest first (祁阳市 before 祁阳)."""
    found = {n for n in names if n and len(n) >= 2}
    if region_code:
        short = regions.short_name(region_code)
        if short and len(short) >= 2:
            found.add(short)
    return sorted(found, key=len, reverse=True)


def mask(text: str, names: list[str]) -> str:
    """Dates, years, the document's own place names and placeholders become one mark each."""
    out = PLACEHOLDER.sub(MASK, _DATE.sub("〇", unicodedata.normalize("NFKC", text or "")))
    for name in names:
        out = out.replace(name, MASK)
    return out


def sentences(text: str, names: list[str]) -> frozenset[str]:
    return frozenset(s for s in (normalise(part) for part in _SENTENCE_END.split(mask(text, names))) if s)


def jaccard(a: set | frozenset, b: set | frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
