"""Dates as Chinese portals print them: 2016年5月5日, 2016-05-05 10:08, 2016/5/5, 二〇二四年五月二十日."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "О": 0, "O": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○零ＯОO一二三四五六七八九十"

_NUMERIC = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*(?:年|-|/|\.|_)\s*(\d{1,2})\s*(?:月|-|/|\.|_)\s*(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_CHINESE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*日")

MIN_YEAR, MAX_YEAR = 1949, 2100


def parse_date(s: str | None) -> date | None:
    """The first plausible date in s, or None."""
    found = find_dates(s or "")
    return found[0][0] if found else None


def find_dates(s: str) -> list[tuple[date, int, int]]:
    """Every plausible date in s with its (start, end) offsets, in order."""
    s = unicodedata.normalize("NFKC", s or "")
    hits: list[tuple[date, int, int]] = []
    for match in _NUMERIC.finditer(s):
        _add(hits, match, int(match[1]), int(match[2]), int(match[3]))
    for match in _CHINESE.finditer(s):
        year = int("".join(str(_CN_DIGITS[c]) for c in match[1] if c in _CN_DIGITS) or 0)
        _add(hits, match, year, _cn_number(match[2]), _cn_number(match[3]))
    if not hits:
        for match in _COMPACT.finditer(s):
            _add(hits, match, int(match[1]), int(match[2]), int(match[3]))
    return sorted(hits, key=lambda hit: hit[1])


def _add(hits: list, match: re.Match, year: int, month: int, day: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return
    try:
        hits.append((date(year, month, day), match.start(), match.end()))
    except ValueError:
        pass


def _cn_number(s: str) -> int:
    """一 .. 三十一 (十 as tens)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return int("".join(str(_CN_DIGITS.get(c, 0)) for c in s) or 0)
