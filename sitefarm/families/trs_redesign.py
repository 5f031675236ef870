"""The redesigned TRS template a site moves to on its redesign day (see sitefarm/timeline.py).

Same URLs as before, but everything a family spider keys on moved: new classes, no
ArticleTitle / PubDate / ContentSource meta tags, the 信息公开 table now a list of labels,
and the newer createPageHTML('page-div', count, current, 'index', 'html', total) signature."""
from __future__ import annotations

from html import escape

from sitefarm.families.common import attachment_links


def _frame(site, title: str, main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/static/2025/css/main.css">
</head>
<body class="g-body">
<header class="g-header"><div class="g-wrap"><a class="g-logo" href="/"><img src="/static/2025/img/logo.png" alt="{escape(site.name)}"></a>
<nav class="g-nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/bsfw/">办事服务</a><a href="/hdjl/">互动交流</a></nav></div></header>
<main class="g-wrap g-main">
{main}
</main>
<footer class="g-footer"><div class="g-wrap"><span>{escape(site.name)}办公室 主办</span><span>网站标识码 {site.site_code}</span></div></footer>
</body>
</html>
"""


def home(world, site, doc_path) -> str:
    blocks = []
    for column in site.columns:
        items = "".join(f'<dd><a href="{doc_path(d)}">{escape(d.header.title)}</a><em>{d.listed_on}</em></dd>'
                        for d in world.listed(site, column)[:6])
        blocks.append(f'<section class="m-box"><h2 class="m-box-hd"><a href="{column.path}">{escape(column.name)}</a></h2>'
                      f'<dl class="m-news">{items}</dl></section>')
    return _frame(site, site.name, "".join(blocks))


def list_page(site, column, docs, page: int, pages: int, doc_path) -> str:
    items = "\n".join(
        f'<dd><a href="./{doc_path(d)[len(column.path):]}" target="_blank">{escape(d.header.title)}</a>'
        f'<em>{d.listed_on}</em></dd>' for d in docs)
    return _frame(site, f"{column.name}-{site.name}", f"""<div class="m-crumb"><a href="/">首页</a> / {escape(column.name)}</div>
<section class="m-list"><h1 class="m-list-hd">{escape(column.name)}</h1>
<dl class="m-news-list">
{items}
</dl></section>
<div class="m-pager" id="page-div"></div>
<script>createPageHTML('page-div', {pages}, {page}, 'index', 'html', {len(docs)});</script>""")


def detail(world, site, doc) -> str:
    header = doc.header
    body = "\n".join(f"<p>{escape(p)}</p>" for p in world.page_body(doc))
    info = (("索引号", doc.index_number), ("发文机关", header.agency), ("成文日期", str(header.written)),
            ("发文字号", header.doc_number or "无"), ("发布日期", str(header.published)))
    labels = "".join(f"<li><label>{a}</label><span>{escape(v)}</span></li>" for a, v in info)
    return _frame(site, f"{header.title}-{site.name}", f"""<div class="m-crumb"><a href="/">首页</a> / <a href="{doc.column.path}">{escape(doc.column.name)}</a> / 正文</div>
<ul class="m-gk-info">{labels}</ul>
<article class="m-article">
<h1 class="m-article-title">{escape(header.title)}</h1>
<div class="m-article-meta"><span>{header.published} {doc.pub_time}</span><span>{escape(header.agency)}</span></div>
<div class="m-article-body" id="js-content">
{body}
</div>{attachment_links(world, doc, relative=True)}
</article>""")
