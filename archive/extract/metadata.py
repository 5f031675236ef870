"""Where the fields are printed: meta tags, 信息公开 tables and 发布时间：/来源： lines.

Every value comes with where it was found ("meta:PubDate", "table:发布日期", "line:来源"),
listed best first; picking among them is the caller's job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dom import clean_text

# Labels as printed, per field, in tiers: a better tier wins, within a tier the first printed.
# Spaces may sit between the characters (文 号).
TIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "index_number": (("索引号",),),
    "doc_number": (("文号", "发文字号", "发文文号", "文件编号"),),
    "agency": (("发布机构", "发文机关", "发文单位", "发布单位", "责任部门"),
               ("信息来源", "文章来源", "稿件来源", "来源")),
    "written": (("成文日期", "成文时间", "发文日期", "印发日期"), ("生成日期",)),
    "published": (("发布日期", "发布时间", "公开日期"),
                  ("时间发布", "更新时间", "发稿时间", "时间", "日期")),
    "title": (("标题", "文件名称", "公文名称"),),
    # 主题分类 as the table prints it; 信息分类/分类 only without it, 主题词 (keywords) last
    "subject": (("主题分类", "所属主题", "主题类别"), ("信息分类", "分类"), ("主题词",)),
    "validity": (("有效性", "是否有效", "时效性", "效力状态", "有效状态", "时效状态", "文件状态"),),
}
LABELS = {name: tuple(l for tier in tiers for l in tier) for name, tiers in TIERS.items()}
_TIER_OF = {label: n for tiers in TIERS.values() for n, tier in enumerate(tiers) for label in tier}
PROSE = 80  # a label deep inside a long line is a sentence quoting it, not a label
# Other labels of the same tables: they end the value before them.
_OTHER_LABELS = ("公开方式", "公开范围", "公开形式", "公开时限", "体裁分类", "公开分类",
                 "组配分类", "服务对象", "生效日期", "失效日期", "废止日期", "生效时间", "失效时间",
                 "废止时间", "作者", "编辑", "责任编辑", "浏览次数", "访问次数", "点击数",
                 "浏览量", "访问量", "字号", "字体", "发布人", "审核", "分享到", "分享", "打印",
                 "【", "[")

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
            continue  # every label is followed by one of these: most lines have none
        clock = bool(_CLOCK.search(line))
        for match in _LABEL_RE.finditer(line):
            label = re.sub(r"\s+", "", match.group(1))
            field = _FIELD_OF[label]
            if clock and field == "published":
                continue  # the header's "今天是 2024年5月5日 星期日" clock
            if len(line) > PROSE and match.start() > 10 and "\t" not in line:
                continue
            value = _value_after(line, match.end())
            where = "table" if "\t" in line[max(0, match.start() - 1):match.end() + 1] else "line"
            if not value and match.end() == len(line):  # label and value in sibling blocks
                value, where = _next_line_value(lines, number), "block"
            if not value:
                continue
            found.setdefault(field, []).append(Found(value, f"{where}:{label}", number))
    for items in found.values():
        items.sort(key=lambda f: (_TIER_OF[f.source.split(":", 1)[1]], f.line))
    return found


def _next_line_value(lines: list[str], number: int) -> str:
    if number + 1 >= len(lines):
        return ""
    following = lines[number + 1]
    if (len(following) > 60 or _LABEL_RE.match(following) or _BARE_LABEL.fullmatch(following)
            or _OTHER_LABEL_RE.match(following)):
        return ""
    return _value_after(following, 0)


def _value_after(line: str, start: int) -> str:
    rest = line[start:]
    stop = _STOP_RE.search(rest)
    value = rest[:stop.start()] if stop else rest
    value = value.strip(" \t:：;；|｜,，")
    if value.endswith(("】", "]")) and not re.search(r"[【\[]", value):
        value = value[:-1].rstrip()
    return value
