"""County portals in the style of 祁阳/平潭's: TRS URLs and list pages (the crawler reads them with
the trs spider), but the details real county portals serve and extraction trips on:

- a long navigation block (a header bar, a 40+ link 政务公开 menu, a 热门搜索 line) above the article;
- the 信息公开 fields as a `<ul>` of `<li><label>发文机关</label><span>…</span></li>` or a `<dl>` of
  `<dt>索取号</dt><dd>…</dd>`, with the label variants of the site (索取号, 发文机关, 生成日期 …),
  the 发布机构 value followed by 下载 / 收藏 widget words in their own elements;
- a document whose text is in its file shows 详见附件, its PDF link and a 相关文件：《…》政策解读 line.

The truth of each page adds `chrome`: the lines of the page that are template, never body.
Drawn only when a world names it (World(families=("county",))), so seeded worlds stay as they were.
"""
from __future__ import annotations

import random
from html import escape

from sitefarm.families import trs
from sitefarm.families.common import attachment_links, paragraph_html, with_validators
from sitefarm.model import Doc, Site
from sitefarm.responses import Request, Response, html, not_found

COLUMNS = trs.COLUMNS
DETAIL_URL = trs.DETAIL_URL
EDITED_IN_LISTS = trs.EDITED_IN_LISTS
REGISTRY = {"family": "trs"}      # the crawler reads these portals with the trs spider
doc_path = trs.doc_path

TOP = ("国务院", "省政府", "市政府", "无障碍", "长者模式", "登录", "注册")
MAIN_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本县", "专题专栏")
MENU = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "机构概况", "领导信息", "政策文件",
        "政府规章", "规范性文件", "政策解读", "规划计划", "发展规划", "年度计划", "财政信息", "财政预决算",
        "政府采购", "公共资源交易", "重大项目", "重点领域信息公开", "教育", "卫生健康", "社会救助", "就业创业",
        "生态环境", "安全生产", "食品药品", "应急管理", "人事信息", "统计信息", "建议提案办理", "审计信息",
        "政务公开主题日", "政府信息公开年报", "依申请公开", "政府开放日", "政务督查", "权责清单", "乡村振兴",
        "营商环境", "双随机一公开", "新闻发布会", "民生实事")
HOT = "热门搜索：政府工作报告 规划计划 政策解读 招聘 补贴"
WIDGETS = ("下载", "收藏")
# label variants a site prints, one set per site (drawn from its seed)
LABELS = (
    {"index": "索引号", "agency": "发文机关", "written": "成文日期", "number": "发文字号", "published": "发布日期"},
    {"index": "索取号", "agency": "发布机构", "written": "生成日期", "number": "文号", "published": "公开日期"},
    {"index": "信息索引", "agency": "发文机构", "written": "成文日期", "number": "文件编号", "published": "发布时间"},
)


def handle(world, site: Site, request: Request) -> Response:
    rest = next((request.path[len(c.path):] for c in site.columns if request.path.startswith(c.path)), None)
    match = trs.DETAIL.match(rest) if rest is not None else None
    if not match:
        return trs.handle(world, site, request)
    doc = world.document(site, int(match.group(3)))
    if not world.served(doc) or doc_path(doc) != request.path:
        return not_found()
    return with_validators(html(detail(world, site, doc)), doc, world)


def chrome_lines(site: Site) -> list[str]:
    """The lines every detail page of the site shows around its article."""
    county = site.region.county or ""
    return [*TOP, site.name, "搜索", *[n.replace("本县", county) for n in MAIN_NAV], *MENU, HOT,
            "网站地图", "联系我们", f"主办：{site.name}办公室", f"网站标识码：{site.site_code}"]


def truth_overrides(doc: Doc) -> dict:
    return {"chrome": chrome_lines(doc.site)}


def detail(world, site: Site, doc: Doc) -> str:
    header = doc.header
    county = site.region.county or ""
    rng = random.Random(f"county:{site.id}")
    labels = LABELS[rng.randrange(len(LABELS))]
    as_dl = rng.random() < 0.5
    paragraphs = world.page_body(doc)
    body = "\n".join(paragraph_html(p, n, len(paragraphs)) for n, p in enumerate(paragraphs))
    files = world.attachments(doc)
    related = ""
    if files and files[0].role == "fulltext":
        related = (f'<p class="xgwj">相关文件：<a href="javascript:void(0)">《{escape(header.title)}》政策解读</a></p>')
    fields = ((labels["index"], doc.index_number), (labels["agency"], header.agency),
              (labels["written"], str(header.written)), (labels["number"], header.doc_number or ""),
              (labels["published"], str(header.published)))
    widgets = "".join(f'<a href="javascript:void(0)" class="w">{w}</a>' for w in WIDGETS)
    if as_dl:
        info = "".join(f"<dt>{a}</dt><dd>{escape(v)}{widgets if a == labels['agency'] else ''}</dd>"
                       for a, v in fields)
        info = f'<dl class="gk-info">{info}</dl>'
    else:
        info = "".join(f"<li><label>{a}</label><span>{escape(v)}</span>"
                       f"{widgets if a == labels['agency'] else ''}</li>" for a, v in fields)
        info = f'<ul class="gk-info">{info}</ul>'
    top = "".join(f'<a href="javascript:void(0)">{t}</a>' for t in TOP)
    main_nav = "".join(f'<li><a href="/">{escape(n.replace("本县", county))}</a></li>' for n in MAIN_NAV)
    menu = "".join(f'<li><a href="/zwgk/">{escape(m)}</a></li>' for m in MENU)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(header.title)}-{escape(site.name)}</title>
</head>
<body>
<div class="topbar">{top}</div>
<div class="head"><a href="/">{escape(site.name)}</a><form action="/search/"><input name="q"><button>搜索</button></form></div>
<ul class="mainnav">{main_nav}</ul>
<div class="gkmenu"><ul>{menu}</ul></div>
<div class="hot">{HOT}</div>
<div class="content">
{info}
<h1>{escape(header.title)}</h1>
<div class="text">
{body}
</div>{attachment_links(world, doc, relative=True)}
{related}
</div>
<div class="foot"><p><a href="javascript:void(0)">网站地图</a> | <a href="javascript:void(0)">联系我们</a></p>
<p>主办：{escape(site.name)}办公室</p><p>网站标识码：{site.site_code}</p></div>
</body>
</html>
"""
