"""What needs recognition: images, PDFs without a text layer, text layers that are not text, and
article bodies that are one picture; plain text (and text PDFs) do not."""
from __future__ import annotations

import random

import pytest

from archive.extract import RawPage, extract_document
from archive.extract.attachment_text import attachment_text
from archive.extract.images import body_images
from archive.extract.dom import parse
from archive.ocr.detect import garbled, image_kind, needs_ocr
from sitefarm.attachments import write_pdf
from sitefarm.world import World

WORLD = World(sites=1)
DOC = WORLD.documents(WORLD.sites[0])[3]
TEXT = "\n".join(WORLD.body(DOC))


def test_government_prose_is_text():
    assert garbled(TEXT) is None
    assert garbled("短") is None                              # too little to judge


def test_private_use_mojibake_and_soup_are_not_text():
    assert garbled("".join(chr(0xE000 + i % 300) for i in range(200))) == "private-use characters"
    assert garbled(TEXT.encode("gbk").decode("latin-1")) == "mojibake"
    chars = sorted(set(TEXT))
    shuffled = chars[:]
    random.Random(3).shuffle(shuffled)
    soup = TEXT.translate({ord(a): b for a, b in zip(chars, shuffled)})
    assert garbled(soup) == "glyph soup"


def test_images_and_scanned_or_broken_pdfs_need_ocr():
    from sitefarm import scans

    pages = scans.render_pages("关于做好防汛工作的通知", ["各乡镇人民政府：现将有关事项通知如下。"])
    png = scans.image_file(pages, "png")
    assert image_kind(png) == "png" and needs_ocr(png, "png", "") == "image"
    scanned = scans.scanned_pdf(pages)
    text, errors = attachment_text(scanned, "pdf")
    assert needs_ocr(scanned, "pdf", text, errors) == "pdf: no text layer"
    broken = scans.broken_map_pdf(DOC.header.title, WORLD.body(DOC))
    text, errors = attachment_text(broken, "pdf")
    assert needs_ocr(broken, "pdf", text, errors) == "pdf: glyph soup"
    good = write_pdf(DOC.header.title, WORLD.body(DOC), [])
    text, errors = attachment_text(good, "pdf")
    assert needs_ocr(good, "pdf", text, errors) is None


PICTURE_PAGE = """<html><head><title>关于公布2024年城乡低保标准的通知</title></head><body>
<div class="logo"><img src="/images/logo.png"></div>
<h1>关于公布2024年城乡低保标准的通知</h1><div class="TRS_Editor"><p><img src="./W020240301.jpg" alt="通知"></p></div>
<div class="footer">版权所有：某某县人民政府</div></body></html>"""


def test_an_article_whose_body_is_a_picture_links_it_for_recognition():
    links = body_images(parse(PICTURE_PAGE), "http://www.x.gov.cn/zwgk/t1.html")
    assert [link.url for link in links] == ["http://www.x.gov.cn/zwgk/W020240301.jpg"]
    doc = extract_document(RawPage("http://www.x.gov.cn/zwgk/t1.html", PICTURE_PAGE.encode()))
    assert doc.sources.get("text_in") == "image"
    assert "http://www.x.gov.cn/zwgk/W020240301.jpg" in [a.url for a in doc.attachments]


def test_a_picture_beside_text_is_not_the_body():
    page = PICTURE_PAGE.replace('<p><img', "<p>" + TEXT[:300] + "</p><p><img")
    assert body_images(parse(page), "http://www.x.gov.cn/zwgk/t1.html") == ()


def test_farm_image_bodies_are_found_on_the_served_page():
    from sitefarm.families.common import attachment_links
    world = World(sites=3, scans=True)
    doc = next(d for s in world.sites for d in world.documents(s)
               if world.attachments(d) and world.attachments(d)[0].role == "body")
    html = f"<html><body><div>{attachment_links(world, doc)}</div></body></html>"
    assert len(body_images(parse(html), "http://x.test/a/t.html")) == 1
