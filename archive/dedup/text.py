"""What two copies are compared on: their masked sentences, for the LSH bands and for the check alike.

County adaptations of one model plan differ in the filled-in parts: the county's own name, dates
and years, placeholders such as xx镇. Sentences are compared with those masked, so an adaptation
counts as a copy while a different plan written from the same boilerplate does not. Banding the
sentences rather than 5-character shingles keeps the candidates close to what the check accepts:
on the farm, shingles made every same-theme plan a candidate of every other (datasketch alone:
pair precision 0.001). `shingles` stays for comparisons with shingle-based tools.
"""
from __future__ import annotations

import hashlib
import re

from archive import regions
from archive.nfkc import nfkc

SHINGLE = 5
MASK = "□"
_SPACE = re.compile(r"\s+")
_INLINE_SPACE = re.compile(r"[^\S\n]+")  # whitespace but the line breaks that end sentences
_NOTHING = frozenset({""})
_SENTENCE_END = re.compile(r"[\n。！？；]")
_DATE = re.compile(r"\d{2,4}年\d{1,2}月\d{1,2}日|\d{4}年(?:度)?|\d{1,2}月\d{1,2}日")
# unfilled placeholders of model texts: xx镇, XX县, ××单位, ○○
PLACEHOLDER = re.compile(r"(?:[xX×*○]{2,}|某某)(?:[省市县区镇乡村街道]|单位|部门)?")


def normalise(text: str) -> str:
    """NFKC, without whitespace: the same normalisation as the content hash."""
    return _SPACE.sub("", nfkc(text or ""))


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
    return _mask_normal(nfkc(text or ""), names)


def _mask_normal(text: str, names: list[str]) -> str:
    out = PLACEHOLDER.sub(MASK, _DATE.sub("〇", text))
    for name in names:
        out = out.replace(name, MASK)
    return out


def sentences(text: str, names: list[str]) -> frozenset[str]:
    return _sentences_normal(nfkc(text or ""), names)


def _sentences_normal(text: str, names: list[str]) -> frozenset[str]:
    """The sentences of an NFKC text once masked, without whitespace."""
    return frozenset(_SENTENCE_END.split(_INLINE_SPACE.sub("", _mask_normal(text, names)))) - _NOTHING


def sentence_keys(text: str, names: list[str], min_chars: int = 0) -> frozenset[int] | None:
    """The masked sentences as stable 64-bit keys, what LSH bands and the copy check both compare;
    None when the text has fewer than min_chars characters besides whitespace (too short to compare)."""
    normal = nfkc(text or "")
    if min_chars and len(_SPACE.sub("", normal)) < min_chars:
        return None
    return frozenset(int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")
                     for s in _sentences_normal(normal, names))


def jaccard(a: set | frozenset, b: set | frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
