"""The metadata labels portals print, per field, as data: every spelling with where it was seen.

A label's tier orders the spellings of one field (a 发布机构 beats a 来源 on the same page); within
a tier the first printed wins. Sources: "realdata:<site>" is a page of ../shared/realdata,
"realpages:<site>" a saved portal page measured in issue 18 (outside the repo), "crawler:" a
public crawler's parser or CMS template seen through the code search (facts, not code), "farm"
the site farm's templates. Layouts read (metadata.py): `名称：值` lines, table cells, a label's
block followed by its value's block (dl/dt/dd, div grids), a label element and its sibling
(<li><label>发文机关</label><span>…</span></li>), and header rows over value rows (索取号 | 发布时间 |
发布机构 / 076478684Q/… | … | …).
"""
from __future__ import annotations

import re

# field -> tiers -> (label, source)
LABEL_TABLE: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "index_number": ((
        ("索引号", "realdata: gov.cn xxgk tables, pingtan TRS"),
        ("索取号", "realpages: wsjkw.sh.gov.cn header row; crawler: JSP CMS template field IN_CATCHNUM"),
        ("信息索引", "realpages: moe.gov.cn 公开 template"),
        ("信息索引号", "crawler: provincial xxgk templates"),
        ("索引编号", "crawler: county xxgk templates"),
    ),),
    "doc_number": ((
        ("文号", "realdata: xxgk tables"),
        ("发文字号", "realdata: govcn-zhengce; realpages: moe.gov.cn"),
        ("发文文号", "crawler: city xxgk templates"),
        ("文件编号", "realpages: wsjkw.sh.gov.cn header row"),
        ("文件文号", "crawler: county portals"),
        ("发文编号", "crawler: county portals"),
    ),),
    "agency": ((
        ("发布机构", "realdata: xxgk tables"),
        ("发文机关", "realdata: govcn-zhengce; farm trs redesign <li><label>"),
        ("发文机构", "realpages: moe.gov.cn"),
        ("发文单位", "crawler: county portals"),
        ("发布单位", "crawler: county portals"),
        ("责任部门", "realdata"),
        ("制发机关", "crawler: 规范性文件 libraries"),
        ("发布部门", "crawler: policy-library parsers"),
    ), (
        ("信息来源", "realdata"),
        ("文章来源", "realdata"),
        ("稿件来源", "realdata"),
        ("来源", "realdata: news-style pages"),
    )),
    "written": ((
        ("成文日期", "realdata: xxgk tables"),
        ("成文时间", "realdata"),
        ("发文日期", "crawler: provincial 文件 libraries"),
        ("印发日期", "crawler: county portals"),
    ), (
        ("生成日期", "realdata; realpages: moe.gov.cn"),
    )),
    "published": ((
        ("发布日期", "realdata"),
        ("发布时间", "realdata"),
        ("公开日期", "realdata"),
        ("公布日期", "crawler: 规章 libraries"),
        ("公开时间", "crawler: county xxgk"),
    ), (
        ("时间发布", "realdata"),
        ("更新时间", "realdata"),
        ("发稿时间", "realdata"),
        ("时间", "realdata"),
        ("日期", "realdata"),
    )),
    "title": ((
        ("标题", "realdata: xxgk tables"),
        ("文件名称", "realdata"),
        ("公文名称", "crawler"),
        ("信息名称", "realpages: moe.gov.cn"),
    ),),
    "subject": ((
        ("主题分类", "realdata: xxgk tables"),
        ("所属主题", "realdata"),
        ("主题类别", "realdata"),
    ), (
        ("信息分类", "realdata"),
        ("分类", "realdata"),
    ), (
        ("主题词", "realdata"),
    )),
    "validity": ((
        ("有效性", "realdata: xxgk tables"),
        ("是否有效", "crawler"),
        ("时效性", "crawler"),
        ("效力状态", "crawler: hebei.gov.cn 规范性文件库"),
        ("有效状态", "crawler"),
        ("时效状态", "crawler"),
        ("文件状态", "crawler"),
    ),),
}

# Labels of the same tables that are no field of ours: they end the value before them.
OTHER_LABELS = ("公开方式", "公开范围", "公开形式", "公开时限", "体裁分类", "公开分类", "信息类别",
                "组配分类", "服务对象", "生效日期", "失效日期", "废止日期", "生效时间", "失效时间",
                "废止时间", "内容概述", "备注", "作者", "编辑", "责任编辑", "浏览次数", "访问次数", "点击数",
                "浏览量", "访问量", "阅读次数", "字号", "字体", "发布人", "审核", "分享到", "分享", "打印",
                "【", "[")

TIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    field: tuple(tuple(label for label, _ in tier) for tier in tiers) for field, tiers in LABEL_TABLE.items()}

# Page widgets printed right after a value (来源：教育部 下载 收藏, 【打印】): never part of it.
WIDGET_WORDS = ("下载", "收藏", "打印", "分享", "关闭", "字号", "字体", "大", "中", "小", "全文下载", "打印本页",
                "关闭窗口", "打印此页", "加入收藏", "分享到", "扫一扫", "纠错", "我要纠错", "默认", "双击滚屏")
_WORDS = "|".join(sorted(map(re.escape, WIDGET_WORDS), key=len, reverse=True))
_WIDGET_ONLY = re.compile(rf"(?:[\s【\[（(]*(?:{_WORDS})[\s】\]）):：]*)+")
# a widget word glued to the value counts only after a space (中心, 大学 stay)
_WIDGET_TAIL = re.compile(rf"(?:\s+[【\[（(]*(?:{_WORDS})[】\]）)]*)+\s*$")


def without_widgets(value: str) -> str:
    """教育部 下载 收藏 -> 教育部; a value that is only widget words -> ""."""
    value = value.strip()
    if _WIDGET_ONLY.fullmatch(value):
        return ""
    tail = _WIDGET_TAIL.search(value)
    return value[:tail.start()].rstrip() if tail else value
