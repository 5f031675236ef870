"""文种 from the title's ending, and the year a plan is for."""
from __future__ import annotations

import re
from datetime import date

# The base 文种: 实施方案 is a 方案, 工作要点 a 要点; a longer ending goes before its tail (命令, 令).
DOC_TYPES = (
    "细则", "方案", "要点", "规划", "计划", "安排", "通知", "通报",
    "意见", "办法", "总结", "报告", "公告", "通告", "公示", "决定", "规定", "公报", "批复", "请示",
    "函", "纪要", "条例", "规则", "制度", "措施", "预案", "指南", "清单", "任务", "决议", "命令",
    "令", "议案", "公开表", "答复", "说明", "解读", "通讯", "倡议书", "章程",
)
_TRAILING = re.compile(r"[\s\u3000]*(?:[（(][^（）()]*[）)]|[【\[][^】\]]*[】\]]|[》」”\"'。．.])+\s*$")
_YEAR_DU = re.compile(r"((?:19|20)\d\d)\s*年度")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年|—|-|～|~|至)")


def doc_type(title: str | None) -> str | None:
    """The 文种 the title ends with (通知, 方案 …), trailing brackets and quotes ignored."""
    if not title:
        return None
    stem = _TRAILING.sub("", title.strip())
    for ending in DOC_TYPES:
        if stem.endswith(ending):
            return ending
    return None


def plan_year(title: str | None, published: date | None) -> tuple[int | None, str | None]:
    """(year, where): a 2022年度 in the title, else its last 2022年, else the publishing year."""
    if title:
        for pattern, where in ((_YEAR_DU, "title:年度"), (_YEAR, "title:年")):
            years = pattern.findall(title)
            if years:
                return int(years[-1]), where
    if published:
        return published.year, "published"
    return None, None
