"""Choosing each field among what the page prints: visible labels first, then meta tags."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from .dates import find_dates, parse_date
from .docnumber import parse_doc_number
from .document import DocNumber
from .metadata import LABELS, Found

_INDEX_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_./\-－—]{4,}$")
_ORG_LINE = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|局|厅|部|委|办|院|会|中心|所|站|队|支队|公司|"
    r"街道|社区|管理处|领导小组|指挥部|党工委|党委|组)$")
_DATE_ONLY = re.compile(r"^[\s（(]*[0-9〇○零一二三四五六七八九十年月日.\-/ ]{6,20}[）)]?$")
_AGENCY_JUNK = re.compile(r"^[\d\s:：\-/年月日]+$")
NEAR_TITLE_LINES = 5
_RELATED = re.compile(r"^\s*[【\[]?\s*(?:相关|关联|推荐|热点|延伸|上一篇|下一篇)")
_BRACKETED_DATE = re.compile(r"^\s*[（(【\[]")
WRITTEN_LABELS = re.compile(r"成文|生成日期|发文日期|印发日期")


def first_date(items: list[Found]) -> tuple[date | None, str | None]:
    for item in items:
        parsed = parse_date(item.value)
        if parsed:
            return parsed, item.source
    return None, None


def date_near_title(lines: list[str], title: str | None) -> tuple[date | None, str | None]:
    """An unlabelled date printed just under the heading (2020年02月18日 09:15 来源：…)."""
    if not title:
        return None, None
    key = _key(title)
    for number in range(len(lines)):
        end = _title_end(lines, number, key)
        if end is not None:
            for nearby in lines[end + 1:end + 1 + NEAR_TITLE_LINES]:
                if _RELATED.match(nearby):
                    break
                if WRITTEN_LABELS.search(nearby) or _BRACKETED_DATE.match(nearby):
                    continue  # （2023年4月12日） under a 公报 heading is the body's own date
                hits = find_dates(nearby)
                if hits and len(nearby) - (hits[0][2] - hits[0][1]) <= 40:
                    return hits[0][0], "line:near-title"
            return None, None
    return None, None


def _title_end(lines: list[str], number: int, key: str) -> int | None:
    """The last line of the heading when it starts at lines[number] (it may wrap over lines)."""
    line = _key(lines[number])
    if len(key) < 4 or not line:
        return None
    if line == key or (key in line and len(line) < len(key) + 10):
        return number
    if len(line) < 6 or not key.startswith(line):
        return None
    joined, end = line, number
    while end + 1 < len(lines) and key.startswith(joined + _key(lines[end + 1])):
        end += 1
        joined += _key(lines[end])
        if joined == key:
            return end
    return None


def signature_date(text: str) -> tuple[date | None, str | None]:
    """成文日期 from the signature: an issuing office's line followed by a date-only line."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for previous, line in zip(lines, lines[1:]):
        if len(line) <= 20 and _DATE_ONLY.match(line) and _ORG_LINE.search(previous) \
                and len(previous) <= 40:
            parsed = parse_date(line)
            if parsed:
                return parsed, "body:signature"
    return None, None


def pick_agency(items: list[Found]) -> Found | None:
    for item in items:
        value = item.value.strip("，,。 ")
        if 2 <= len(value) <= 40 and not _AGENCY_JUNK.match(value) and not parse_date(value):
            return Found(value, item.source, item.line)
    return None


def pick_index_number(items: list[Found]) -> Found | None:
    for item in items:
        value = unicodedata.normalize("NFKC", item.value).split()[0] if item.value.split() else ""
        if _INDEX_NUMBER.match(value):
            return Found(value, item.source, item.line)
    return None


_NO_VALUE = {"无", "暂无", "空", "-", "--", "—", "/", "null", "none", "undefined"}
_LABEL_KEYS = {label for labels in LABELS.values() for label in labels}
_VALIDITY = re.compile(r"有效|失效|废止|作废|修改|修订|修正|停止|暂停|生效|撤销|宣布")


def pick_subject(items: list[Found]) -> Found | None:
    """主题分类 as printed (市场监管、安全生产监管\\工商): not empty, not the next cell's label."""
    for item in items:
        value = item.value.strip("，,。；; ")
        if 1 <= len(value) <= 80 and _printed(value) and not parse_date(value):
            return Found(value, item.source, item.line)
    return None


def pick_validity(items: list[Found]) -> Found | None:
    """有效性 as printed (有效, 现行有效, 已废止, 部分失效 …); a value saying none of that is no value."""
    for item in items:
        value = item.value.strip("，,。；; ")
        if len(value) <= 20 and _printed(value) and _VALIDITY.search(value):
            return Found(value, item.source, item.line)
    return None


def _printed(value: str) -> bool:
    key = _key(value).strip(":：")
    return bool(key) and key.lower() not in _NO_VALUE and key not in _LABEL_KEYS


RED_HEAD_LINES = 8  # how far under the heading a 红头 文号 line may stand


def pick_doc_number(labelled: list[Found], title: str | None, text: str,
                    lines: list[str] = ()) -> tuple[DocNumber | None, str | None]:
    """A labelled 文号, else one in the title, else a line of its own at the top of the body,
    else one alone on its line just under the heading (a 红头 document's 祁政办发〔2023〕5号)."""
    for item in labelled:
        parsed = parse_doc_number(item.value)
        if parsed:
            return parsed, item.source
    parsed = parse_doc_number(title)
    if parsed:
        return parsed, "title"
    for line in text.split("\n")[:6]:
        parsed = _alone(line)
        if parsed:
            return parsed, "body:top"
    key = _key(title or "")
    for number in range(len(lines)) if len(key) >= 4 else ():
        end = _title_end(lines, number, key)
        if end is not None:
            for nearby in lines[end + 1:end + 1 + RED_HEAD_LINES]:
                parsed = _alone(nearby)
                if parsed:
                    return parsed, "line:under-title"
            break
    return None, None


def _alone(line: str) -> DocNumber | None:
    """A 文号 that is the whole line (brackets or a 第 aside)."""
    parsed = parse_doc_number(line)
    if parsed and parsed.year and len(_key(line)) <= len(_key(parsed.raw)) + 2:
        return parsed
    return None


def _key(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s or "").split())
