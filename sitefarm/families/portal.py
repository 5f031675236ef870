"""Pieces the newer families' pages share: the 政府网站 meta block, a frame with the family's own
markers, a detail page's 信息公开 table and body, and a homepage that names each column.

The markers (generator comments, script paths, custom tags) are what sites of each platform show
in the wild (facts in the README's "Platforms" section); the rest is a plain county portal."""
from __future__ import annotations

from html import escape

from sitefarm.families.common import attachment_links, paragraph_html
from sitefarm.model import Doc, Site


def meta_block(site: Site, column_name: str | None = None, doc: Doc | None = None) -> str:
    lines = [f'<meta name="SiteName" content="{escape(site.name)}">',
             f'<meta name="SiteDomain" content="{site.host}">',
             f'<meta name="SiteIDCode" content="{site.site_code}">']
    if column_name:
        lines.append(f'<meta name="ColumnName" content="{escape(column_name)}">')
    if doc is not None:
        header = doc.header
        lines += [f'<meta name="ArticleTitle" content="{escape(header.title)}">',
                  f'<meta name="PubDate" content="{header.published} {doc.pub_time}">',
                  f'<meta name="ContentSource" content="{escape(header.agency)}">']
    return "\n".join(lines) + "\n"


def page(site: Site, title: str, main: str, *, head: str = "", nav: str = "", before: str = "",
         after: str = "") -> str:
    """A whole page: before (a generator comment) + <head> with the meta block + nav + main + footer."""
    return f"""{before}<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{head}<title>{escape(title)}</title>
</head>
<body>
<div class="header"><a class="logo" href="/">{escape(site.name)}</a></div>
<div class="nav">{nav}</div>
<div class="main">
{main}
</div>
<div class="footer"><p>主办：{escape(site.name)}办公室</p><p>网站标识码：{site.site_code}</p></div>
{after}</body>
</html>
"""


def info_table(doc: Doc) -> str:
    header = doc.header
    cells = (("索引号", doc.index_number), ("发布机构", header.agency), ("成文日期", str(header.written)),
             ("文号", header.doc_number or ""), ("发布日期", str(header.published)), ("主题分类", header.theme.topic))
    rows = "".join(f"<tr><th>{a}：</th><td>{escape(va)}</td><th>{b}：</th><td>{escape(vb)}</td></tr>"
                   for (a, va), (b, vb) in zip(cells[0::2], cells[1::2]))
    return f'<table class="xxgk-info">{rows}<tr><th>名称：</th><td colspan="3">{escape(header.title)}</td></tr></table>'


def body_html(world, doc: Doc) -> str:
    paragraphs = world.page_body(doc)
    body = "\n".join(paragraph_html(p, n, len(paragraphs)) for n, p in enumerate(paragraphs))
    return body + "\n" + attachment_links(world, doc)


def dated_item(href: str, doc: Doc) -> str:
    title = escape(doc.header.title)
    return f'<li><a href="{href}" title="{title}" target="_blank">{title}</a><span class="date">{doc.listed_on}</span></li>'


def home_blocks(world, site: Site, column_href, item_href, shown: int = 6) -> str:
    """A homepage block per column: its name linked to the column, 更多, its newest items."""
    blocks = []
    for column in site.columns:
        href = escape(column_href(column))
        items = "".join(dated_item(item_href(d), d) for d in world.listed(site, column)[:shown])
        blocks.append(f'<div class="block"><h3><a href="{href}">{escape(column.name)}</a></h3>'
                      f'<a class="more" href="{href}">更多&gt;&gt;</a><ul>{items}</ul></div>')
    return "".join(blocks)
