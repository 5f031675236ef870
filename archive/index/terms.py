"""Text -> index terms with positions, so that a query word matches wherever it is written.

Text is normalised (NFKC, lower case) and cut into runs: Latin/digit runs become one term;
runs of other letters (Chinese) become every overlapping bigram, at the position of its
first character, plus the run's last character alone (the one character no bigram starts
with); punctuation and spaces take one position and no term. So every character of a run is
where exactly one term starts: one character is found as "a bigram starting with it, or it
alone" (a prefix of the sorted term list), at half the postings of indexing every character.
A query word then becomes a few terms at fixed offsets (see `query_terms`), which matches
exactly the documents that contain the word as a substring, whatever jieba would have made
of it.

No engine here: the Whoosh field that stores these terms is archive.index.whoosh.substring;
PostgreSQL matches on `runs` (archive.index.postgres.table).
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

# Latin/digit run | run of other letters (Chinese) | separators
_RUNS = re.compile(r"([a-z0-9]+)|([^\W_a-z0-9]+)|[\W_]+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Run:
    kind: str   # "latin", "chars" or "sep"
    text: str


def runs(text: str) -> list[Run]:
    """The normalised runs of `text`, separators collapsed to one Run each."""
    out = []
    for m in _RUNS.finditer(normalize(text)):
        latin, chars = m.group(1), m.group(2)
        if latin:
            out.append(Run("latin", latin))
        elif chars:
            out.append(Run("chars", chars))
        else:
            out.append(Run("sep", " "))
    return out


def term_positions(text: str) -> dict[str, list[int]]:
    """Every index term of `text` with its positions (ascending)."""
    poses: dict[str, list[int]] = defaultdict(list)
    pos = 0
    for m in _RUNS.finditer(normalize(text)):
        latin, chars = m.group(1), m.group(2)
        if latin:
            poses[latin].append(pos)
            pos += 1
        elif chars:
            for i in range(len(chars) - 1):
                poses[chars[i:i + 2]].append(pos + i)
            pos += len(chars)
            poses[chars[-1]].append(pos - 1)
        else:
            pos += 1
    return poses


KEY_SHIFT = 21            # every code point fits in 21 bits
LATIN_KEY = 1 << 42       # keys from here on: Latin/digit terms, numbered by the caller
_LOW = (1 << KEY_SHIFT) - 1


def term_keys(text: str, latin: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """`term_positions` as arrays, for bulk indexing: (key, position) of every term occurrence.

    The key of a bigram is its first code point << KEY_SHIFT | its second, of a run-final
    character its code point << KEY_SHIFT, of a Latin/digit term LATIN_KEY + its number in
    `latin` (numbered here when first seen). Within one key, positions are ascending.
    The runs are found per character from a table of what _RUNS makes of every code point.
    """
    norm = normalize(text)
    if not norm:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32)
    code = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kind = char_kinds()[code]
    starts = np.empty(len(kind), dtype=bool)
    starts[0] = True
    np.not_equal(kind[1:], kind[:-1], out=starts[1:])
    is_char = kind == _CHAR
    position = np.cumsum(is_char | starts) - 1        # one position per character of a run
    following = np.zeros(len(code), dtype=np.uint64)  # of other letters, one per other run
    pair = is_char[:-1] & is_char[1:]
    following[:-1][pair] = code[1:][pair]
    keys = code[is_char].astype(np.uint64) << KEY_SHIFT | following[is_char]
    positions = position[is_char].astype(np.uint32)
    latin_starts = np.flatnonzero(starts & (kind == _LATIN))
    if len(latin_starts):
        run_starts = np.flatnonzero(starts)
        ends = np.append(run_starts[1:], len(kind))[np.searchsorted(run_starts, latin_starts)]
        latin_keys = [LATIN_KEY + latin.setdefault(norm[a:b], len(latin))
                      for a, b in zip(latin_starts.tolist(), ends.tolist())]
        keys = np.concatenate((keys, np.array(latin_keys, dtype=np.uint64)))
        positions = np.concatenate((positions, position[latin_starts].astype(np.uint32)))
    return keys, positions


_SEP, _LATIN, _CHAR = 0, 1, 2
_kind_table: np.ndarray | None = None


def char_kinds() -> np.ndarray:
    """What _RUNS makes of each code point: _SEP, _LATIN or _CHAR (built once, ~0.3 s)."""
    global _kind_table
    if _kind_table is None:
        every = "".join(map(chr, range(0x110000)))
        table = np.full(0x110000, _SEP, dtype=np.uint8)
        for m in _RUNS.finditer(every):
            if m.group(1):
                table[m.start():m.end()] = _LATIN
            elif m.group(2):
                table[m.start():m.end()] = _CHAR
        _kind_table = table
    return _kind_table


def key_term(key: int, latin_terms: list[str]) -> str:
    """The term of a `term_keys` key (`latin_terms`: the Latin terms by number)."""
    if key >= LATIN_KEY:
        return latin_terms[key - LATIN_KEY]
    low = key & _LOW
    return chr(key >> KEY_SHIFT) + (chr(low) if low else "")


def query_terms(word: str) -> list[tuple[str, int]]:
    """(term, offset) pairs that together pin down `word` as a substring; [] if nothing to search.

    A term of one non-Latin character stands for that character wherever it is (see
    `is_char_term`). A run of n >= 2 characters is covered by bigrams at offsets 0, 2, 4 … and n-2, fewer terms
    than all n-1 overlapping bigrams but the same characters at the same places.
    """
    parts = runs(word)
    while parts and parts[0].kind == "sep":
        parts.pop(0)
    while parts and parts[-1].kind == "sep":
        parts.pop()
    terms: list[tuple[str, int]] = []
    pos = 0
    for run in parts:
        if run.kind == "latin":
            terms.append((run.text, pos))
            pos += 1
        elif run.kind == "chars":
            n = len(run.text)
            if n == 1:
                terms.append((run.text, pos))
            else:
                starts = sorted(set(range(0, n - 1, 2)) | {n - 2})
                terms.extend((run.text[i:i + 2], pos + i) for i in starts)
            pos += n
        else:
            pos += 1
    return terms


def pinned_terms(word: str) -> list[tuple[str, int, bool]]:
    """`query_terms` as (term, offset, anywhere), plus what a separator inside `word` implies.

    anywhere=True: a one-character term that stands for the character wherever it is
    (`is_char_term`). Where a run of other letters is followed by a separator in the word, its
    last character must end a run in the document too, so it is pinned as the run-final term
    itself (anywhere=False): "公开 宣传" then no longer matches 公开和宣传, whose 开 is inside a
    run, only 公开，宣传 or 公开 宣传. (A Latin/digit token where the word has a separator, or a
    character between two Latin tokens, is not excluded: the index has no term for separators.)
    """
    terms = [(term, off, is_char_term(term)) for term, off in query_terms(word)]
    parts = runs(word)
    while parts and parts[0].kind == "sep":
        parts.pop(0)
    while parts and parts[-1].kind == "sep":
        parts.pop()
    pos = 0
    for run, after in zip(parts, parts[1:]):
        n = len(run.text) if run.kind == "chars" else 1
        if run.kind == "chars" and after.kind == "sep":
            last = (run.text[-1], pos + n - 1)
            terms = [t for t in terms if (t[0], t[1]) != last]   # a 1-character run: the exact term instead
            terms.append((last[0], last[1], False))
        pos += n
    return terms


def anchor_terms(word: str) -> list[tuple[str, int]]:
    """The overlapping bigrams of `word` that `query_terms` leaves out (offsets 1, 3 … of a run
    of 4 or more characters), with their offsets: not needed to pin the word down, but one of
    them may be much rarer than every pinned term (务公 of 政务公开), and the occurrences of the
    rarest are where a search starts."""
    extra: list[tuple[str, int]] = []
    parts = runs(word)
    while parts and parts[0].kind == "sep":
        parts.pop(0)
    pos = 0
    for run in parts:
        if run.kind == "chars":
            n = len(run.text)
            pinned = set(range(0, n - 1, 2)) | {n - 2}
            extra.extend((run.text[i:i + 2], pos + i) for i in range(n - 1) if i not in pinned)
            pos += n
        else:
            pos += 1
    return extra


def is_char_term(term: str) -> bool:
    """A one-character query term that is not Latin: the character in any position, i.e.
    the postings of every bigram starting with it plus its own (run-final) postings."""
    return len(term) == 1 and not ("a" <= term <= "z" or "0" <= term <= "9")
