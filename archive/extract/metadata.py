"""Where the fields are printed: meta tags, 信息公开 tables and 发布时间：/来源： lines.

Every value comes with where it was found ("meta:PubDate", "table:发布日期", "line:来源"),
listed best first; picking among them is the caller's job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dom import clean_text, raw_text
from .labels import OTHER_LABELS, TIERS, without_widgets

# Labels as printed, per field, in tiers (labels.py: every spelling and where it was seen).
# Spaces may sit between the characters (文 号).
LABELS = {name: tuple(l for tier in tiers for l in tier) for name, tiers in TIERS.items()}
_TIER_OF = {label: n for tiers in TIERS.values() for n, tier in enumerate(tiers) for label in tier}
PROSE = 80  # a label deep inside a long line is a sentence quoting it, not a label
_OTHER_LABELS = OTHER_LABELS

META_NAMES = {
    "articletitle": "title", "og:title": "title",
    "pubdate": "published", "publishdate": "published", "firstpublishedtime": "published",
    "article:published_time": "published", "dc.date": "published",
    "contentsource": "agency", "source": "agency",
    "siteidcode": "site_code", "sitename": "site_name",
}

_SPACED = lambda label: r"\s*".join(map(re.escape, label))  # noqa: E731
_ALL_LABELS = sorted({l for ls in LABELS.values() for l in ls}, key=len, reverse=True)
_LABEL_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(" + "|".join(_SPACED(l) for l in _ALL_LABELS) + r")\s*(?:[:：]|\t)\s*")
_STOP_RE = re.compile(
    r"\t|\s{2,}|(?<=\S)\s+(?=\S+\s*[:：])|"
    + "|".join(_SPACED(l) + r"\s*[:：]" for l in _ALL_LABELS + list(_OTHER_LABELS)))
_FIELD_OF = {label: name for name, labels in LABELS.items() for label in labels}
_BARE_LABEL = re.compile(r"[^\s:：\t]{1,12}\s*[:：]")  # 办文部门： with its value left empty
_OTHER_LABEL_RE = re.compile("|".join(_SPACED(l) + r"\s*[:：]" for l in _OTHER_LABELS))
_CLOCK = re.compile(r"今天是|今日是|星期[一二三四五六日天]|农历")
_OPEN_BRACKET = re.compile(r"[【\[]")


@dataclass(frozen=True)
class Found:
    value: str
    source: str   # "meta:PubDate", "table:发布日期", "line:来源"
    line: int = -1  # index in the page's lines, for position checks


def meta_tags(tree) -> dict[str, list[Found]]:
    found: dict[str, list[Found]] = {}
    for meta in tree.iter("meta"):
        name = meta.get("name") or meta.get("property") or meta.get("itemprop") or ""
        field = META_NAMES.get(name.strip().lower())
        content = _strip_tags(meta.get("content"))
        if field and content:
            found.setdefault(field, []).append(Found(content, f"meta:{name.strip()}"))
    for fields in found.values():  # ArticleTitle before og:title
        fields.sort(key=lambda f: f.source.lower() != "meta:articletitle")
    return found


def _strip_tags(value: str | None) -> str:
    """Some CMSes put the heading's markup into ArticleTitle (…<div>——副标题</div>)."""
    if value and "<" in value and ">" in value:
        value = re.sub(r"<[^>]*>", "", value)
    return clean_text(value)


def labelled_values(lines: list[str]) -> dict[str, list[Found]]:
    """label：value pairs from the page's lines; table cells count as 'table:', text as 'line:'."""
    found: dict[str, list[Found]] = {}
    for number, line in enumerate(lines):
        if ":" not in line and "：" not in line and "\t" not in line:
            bare = _BARE_KEY.get("".join(line.split())) if len(line) <= 12 else None
            if bare:  # a label's own block (dt, a div grid's cell), its value in the next
                value = _next_line_value(lines, number)
                if value:
                    found.setdefault(_FIELD_OF[bare], []).append(Found(value, f"block:{bare}", number))
            continue  # every other label is followed by one of these: most lines have none
        clock = bool(_CLOCK.search(line))
        for match in _LABEL_RE.finditer(line):
            label = "".join(match.group(1).split())
            field = _FIELD_OF[label]
            if clock and field == "published":
                continue  # the header's "今天是 2024年5月5日 星期日" clock
            if len(line) > PROSE and match.start() > 10 and "\t" not in line:
                continue
            value = _value_after(line, match.end())
            where = "table" if "\t" in line[max(0, match.start() - 1):match.end() + 1] else "line"
            if not value and match.end() == len(line):  # label and value in sibling blocks
                value, where = _next_line_value(lines, number), "block"
            if not value or _label_key(value) in _ANY_LABEL:
                continue  # a header row's next label is no value
            found.setdefault(field, []).append(Found(value, f"{where}:{label}", number))
    for items in found.values():
        items.sort(key=lambda f: (_TIER_OF[f.source.split(":", 1)[1]], f.line))
    return found


_BARE_KEY = {label: label for label in _ALL_LABELS}
_ANY_LABEL = set(_ALL_LABELS) | {l for l in OTHER_LABELS if len(l) > 1}
_PAIR_TAGS = ("label", "dt", "th", "strong", "b", "span", "em", "div", "p")
LAST = 10 ** 6  # structural finds sort after the printed lines of their tier


def paired_values(tree) -> dict[str, list[Found]]:
    """Labels laid out by elements, not by a colon: a label element and its sibling
    (<li><label>发文机关</label><span>…</span>), and a header row of labels over a row of values."""
    found: dict[str, list[Found]] = {}
    for el in tree.iter(*_PAIR_TAGS):
        if len(el) > 1:
            continue  # a label is a leaf, or wraps one element (<b>, <font>)
        label = _label_key(el.text if not len(el) else el.text_content())
        if label not in _FIELD_OF:
            continue
        after = el.getnext()
        value = clean_text(el.tail) or (clean_text(raw_text(after)) if after is not None else "")
        if _BARE_LABEL.fullmatch(value):
            continue  # 办文部门： with its own value left empty
        value = without_widgets(value.strip(" :：|｜"))
        if value and _label_key(value) not in _ANY_LABEL and len(value) <= 120:
            found.setdefault(_FIELD_OF[label], []).append(Found(value, f"pair:{label}", LAST))
    for row in tree.iter("tr"):
        labels = _row_labels([c for c in row if c.tag in ("td", "th")])
        if labels is None:
            continue
        below = next(iter(row.xpath("following::tr[1]")), None)  # past a </thead> too
        if below is None:
            continue
        values = [clean_text(raw_text(c)) for c in below if c.tag in ("td", "th")]
        if len(values) != len(labels):
            continue
        for label, value in zip(labels, values):
            if label in _FIELD_OF and value and _label_key(value) not in _ANY_LABEL:
                found.setdefault(_FIELD_OF[label], []).append(Found(value, f"table:{label}", LAST))
    return found


def _row_labels(cells: list) -> list[str] | None:
    """The labels of a header row: every cell a label, two or more; None at the first cell that is not."""
    if len(cells) < 2:
        return None
    labels = []
    for cell in cells:
        label = _label_key(raw_text(cell))
        if label not in _ANY_LABEL:
            return None
        labels.append(label)
    return labels


def merged(labelled: dict[str, list[Found]], more: dict[str, list[Found]]) -> dict[str, list[Found]]:
    out = {field: list(items) for field, items in labelled.items()}
    for field, items in more.items():
        out.setdefault(field, []).extend(items)
    for items in out.values():
        items.sort(key=lambda f: (_TIER_OF[f.source.split(":", 1)[1]], f.line))
    return out


def _label_key(text: str | None) -> str:
    key = "".join((text or "").split())  # as re.sub(r"\s+", "", …): one whitespace table
    return key.strip(":：") if len(key) <= 12 else ""


def _next_line_value(lines: list[str], number: int) -> str:
    if number + 1 >= len(lines):
        return ""
    following = lines[number + 1]
    if (len(following) > 60 or _LABEL_RE.match(following) or _BARE_LABEL.fullmatch(following)
            or _label_key(following) in _ANY_LABEL
            or _OTHER_LABEL_RE.match(following)):
        return ""
    return _value_after(following, 0)


def _value_after(line: str, start: int) -> str:
    rest = line[start:]
    stop = _STOP_RE.search(rest)
    value = rest[:stop.start()] if stop else rest
    value = value.strip(" \t:：;；|｜,，")
    if value.endswith(("】", "]")) and not _OPEN_BRACKET.search(value):
        value = value[:-1].rstrip()
    return without_widgets(value)
