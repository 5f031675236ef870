"""The search box language, parsed into plain data (no Whoosh here).

    政务公开 宣传月          both words (AND); a word matches where it is written, as a substring
    "政务公开 宣传月"        exact phrase (spaces/punctuation inside match any punctuation)
    宣传月 OR 主题日         either
    -征求意见               without
    title:实施方案          in the title only
    year:2024  year:2020-2024  region:431121  theme:政务公开  type:实施方案
    agency:…  site:…  status:withdrawn                         filters (exact values)
    cites:湘政办发〔2021〕12号                                  documents citing that 文号 (archive.index.cites)

OR binds tighter than the implied AND: `a b OR c` is a AND (b OR c).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from archive.index.cites import query_term
from archive.index.terms import query_terms

MAX_QUERY_CHARS = 500
MAX_WORDS = 32

FILTER_FIELDS = {"year": "year", "region": "region", "theme": "theme", "type": "doc_type",
                 "doc_type": "doc_type", "agency": "agency", "site": "site", "status": "status",
                 "cites": "cites"}
_QUOTES = "\"“”„"
_YEARS = re.compile(r"(\d{4})(?:-(\d{4}))?$")


class QuerySyntaxError(ValueError):
    """A message for the reader, in Chinese and English."""


@dataclass(frozen=True)
class Word:
    text: str
    title_only: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[tuple[Word, ...], ...] = ()   # AND of (OR of words)
    excluded: tuple[Word, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()     # (SearchFilters field, value), all must hold

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for group in self.required for w in group)

    @property
    def is_empty(self) -> bool:
        return not (self.required or self.excluded or self.filters)


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    negated: bool = False
    field: str | None = None

    @property
    def is_or(self) -> bool:
        return self.text == "OR" and not (self.quoted or self.negated or self.field)


def parse_query(text: str) -> ParsedQuery:
    """Parse the search box; raises QuerySyntaxError with a reader-facing message."""
    if not isinstance(text, str):
        return _parse(text)   # what _parse makes of it (an error), not cached
    return _parse_cached(text)


def _parse(text: str) -> ParsedQuery:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"查询太长（最多 {MAX_QUERY_CHARS} 字）/ Query too long "
                               f"(at most {MAX_QUERY_CHARS} characters)")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        raise QuerySyntaxError("查询含有控制字符 / Query contains control characters")
    tokens = _tokenize(unicodedata.normalize("NFKC", text))
    if len(tokens) > MAX_WORDS:
        raise QuerySyntaxError(f"查询词太多（最多 {MAX_WORDS} 个）/ Too many words (at most {MAX_WORDS})")

    required: list[tuple[Word, ...]] = []
    excluded: list[Word] = []
    filters: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.is_or:
            raise QuerySyntaxError("OR 前后都需要检索词 / OR needs a word on each side")
        group = [tok]
        while i + 1 < len(tokens) and tokens[i + 1].is_or:
            if i + 2 >= len(tokens) or tokens[i + 2].is_or:
                raise QuerySyntaxError("OR 前后都需要检索词 / OR needs a word on each side")
            group.append(tokens[i + 2])
            i += 2
        i += 1
        if len(group) > 1:
            if any(t.negated or (t.field and t.field != "title") for t in group):
                raise QuerySyntaxError("OR 只能连接检索词，不能连接排除或筛选条件 / "
                                       "OR joins words only, not exclusions or filters")
            words = tuple(w for w in map(_word, group) if w)
            if words:
                required.append(words)
            continue
        if tok.field and tok.field != "title":
            filters.append(_filter(tok))
            continue
        word = _word(tok)
        if word is None:
            continue
        if tok.negated:
            excluded.append(word)
        else:
            required.append((word,))
    parsed = ParsedQuery(tuple(required), tuple(excluded), tuple(filters))
    if parsed.is_empty and text.strip():
        raise QuerySyntaxError("查询中没有可检索的文字 / Nothing searchable in the query")
    return parsed


# The parse of a text never changes and ParsedQuery is immutable: the searches people repeat
# (a results page and its next pages, a saved search) skip the tokenizer. Errors are not kept.
_parse_cached = lru_cache(maxsize=1024)(_parse)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-"
        if negated:
            i += 1
        field = None
        m = re.match(r"([a-z_]+):", text[i:])
        if m and (m.group(1) == "title" or m.group(1) in FILTER_FIELDS):
            field = FILTER_FIELDS.get(m.group(1), m.group(1))
            i += m.end()
        if i < n and text[i] in _QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _QUOTES), None)
            if end is None:
                raise QuerySyntaxError("引号不成对 / Unbalanced quotation marks")
            value, quoted, i = text[i + 1:end], True, end + 1
        else:
            start = i
            while i < n and not text[i].isspace():
                if text[i] in _QUOTES:
                    raise QuerySyntaxError("引号不成对或位置不对 / Misplaced quotation mark")
                i += 1
            value, quoted = text[start:i], False
        if not value.strip():
            what = f"{field}:" if field else ("-" if negated else '""')
            raise QuerySyntaxError(f"“{what}”后面缺少内容 / “{what}” needs something after it")
        tokens.append(_Token(value, quoted, negated, field))
    return tokens


def _word(tok: _Token) -> Word | None:
    """A searchable word, or None for bare punctuation (ignored, as a reader would expect)."""
    if query_terms(tok.text):
        return Word(tok.text, title_only=tok.field == "title")
    if tok.quoted or tok.field or tok.negated:
        raise QuerySyntaxError(f"“{tok.text}”中没有可检索的文字 / “{tok.text}” has nothing searchable")
    return None


def _filter(tok: _Token) -> tuple[str, str]:
    value = tok.text.strip()
    if tok.negated:
        raise QuerySyntaxError("筛选条件不能排除 / Filters cannot be negated")
    if tok.field == "year" and not _YEARS.match(value):
        raise QuerySyntaxError(f"年份应为 2024 或 2020-2024 / year:{value} should look like 2024 or 2020-2024")
    if tok.field == "region" and not re.fullmatch(r"\d{6}", value):
        raise QuerySyntaxError(f"地区代码应为 6 位数字 / region:{value} should be a 6-digit code")
    if tok.field == "cites":
        cited = query_term(value)
        if cited is None:
            raise QuerySyntaxError(f"cites: 后应为带年份的文号，如 cites:湘政办发〔2021〕12号 / "
                                   f"cites:{value} should be a document number with a year")
        return tok.field, cited
    return tok.field, value
