"""Pieces every family's pages share."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape

from sitefarm import attachments
from sitefarm.model import EPOCH

HEADING = re.compile(r"^[一二三四五六七八九十]+、")
CN_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def paragraph_html(text: str, n: int, total: int) -> str:
    """One body paragraph as a CMS editor saves it: headings bold, signature and date right."""
    if n >= total - 2 and (CN_DATE.match(text) or n == total - 2):
        return f'<p style="text-align: right;">{escape(text)}</p>'
    if HEADING.match(text):
        return f'<p style="text-indent: 2em;"><strong>{escape(text)}</strong></p>'
    return f'<p style="text-indent: 2em;">{escape(text)}</p>'


def page_count(items: int, size: int) -> int:
    return max(1, -(-items // size))


def attachment_links(world, doc, relative: bool = False) -> str:
    """The 附件： block under a body: one link per attached file, its text the truth's name."""
    files = world.attachments(doc)
    if not files:
        return ""
    doc_path = world.doc_path(doc)
    if files[0].role == "body":      # the article is one picture where its text should be
        href = attachments.path(doc, files[0], doc_path)
        if relative:
            href = "./" + href.rsplit("/", 1)[1]
        return f'<div class="article-image"><p style="text-align:center"><img src="{href}" width="800" alt=""></p></div>'
    links = []
    for f in files:
        href = attachments.path(doc, f, doc_path)
        if relative:
            href = "./" + href.rsplit("/", 1)[1]
        links.append(f'<p><a href="{href}" target="_blank" title="{escape(f.link_text)}">{escape(f.link_text)}</a></p>')
    return f'<div class="attachments"><p>附件：</p>{"".join(links)}</div>'


CST = timezone(timedelta(hours=8))


def version_moment(doc, world=None) -> datetime:
    """When the file of the document's current page was generated: its publish day, or the day its
    text was last edited or its chrome regenerated, at its pub_time, Beijing time, or the morning of
    the site's redesign if that came later (a new template regenerates every page). A replaced
    attachment leaves the page as it was."""
    days = [d for d in (doc.text_day, doc.chrome_day) if d]
    day = EPOCH + timedelta(days=max(days)) if days else doc.header.published
    hour, minute = map(int, doc.pub_time.split(":"))
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)
    redesigned = world.redesigned_on(doc.site) if world is not None else None
    if redesigned is not None:
        regenerated = datetime.combine(EPOCH + timedelta(days=redesigned), datetime.min.time(), CST) \
            + timedelta(hours=6)
        moment = max(moment, regenerated)
    return moment


def with_validators(response, doc, world=None):
    """A detail page as a static web server sends the file the CMS generated for this version:
    Last-Modified and an nginx-style ETag (mtime-id+version). server.respond answers 304 to them."""
    moment = version_moment(doc, world)
    etag = f'"{int(moment.timestamp()):x}-{doc.doc_id:x}{doc.text_version:x}"'
    if doc.chrome_day and world is not None:
        response.body = with_related(response, doc, world)
    response.headers = [*response.headers, ("Last-Modified", format_datetime(moment.astimezone(timezone.utc), usegmt=True)),
                        ("ETag", etag)]
    return response


def with_related(response, doc, world) -> bytes:
    """The page with a 相关文章 block before </body>, as a CMS regenerates it: other documents of the
    site, drawn for the day the page's chrome last changed. Chrome only: not the document's content."""
    # what the site had that day (later days change nothing here: the page's validators stay)
    others = [d for d in world.documents(doc.site) if d.seq != doc.seq and d.added_day <= doc.chrome_day]
    if not others:
        return response.body
    rng = random.Random(f"related:{world.seed}:{doc.site.index}:{doc.seq}:{doc.chrome_day}")
    picks = rng.sample(others, k=min(3, len(others)))
    items = "".join(f'<li><a href="{world.doc_path(d)}">{escape(d.header.title)}</a></li>' for d in picks)
    block = f'<div class="related"><h3>相关文章</h3><ul>{items}</ul></div>'
    charset = response.content_type.rsplit("charset=", 1)[-1] if "charset=" in response.content_type else "utf-8"
    return response.body.replace(b"</body>", block.encode(charset, "replace") + b"</body>", 1)
