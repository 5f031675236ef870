"""Control characters in a page (vertical tabs pasted from Word, stray C0 bytes, UTF-16 pages with
noise): lxml keeps them from the parse but refuses them when the body step moves a dropped
element's tail text, so one such character lost the whole body (found by fuzz/targets.py: extraction)."""
from __future__ import annotations

import pytest

from archive.extract import RawPage, extract_document

PAGE = ("<html><head><title>关于印发政务公开工作方案的通知</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>{c}<div class='content'><p>一、总体要求</p>"
        "<p>为深入贯彻落实{c}政务公开工作，制定本方案。</p><div class='share'>分享到</div>{c}结尾文字</div></body></html>")


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x01", "\x1f", "\x00", "\ufffe"])
def test_a_control_character_does_not_lose_the_body(char):
    doc = extract_document(RawPage("http://www.qiyang.gov.cn.test/a.html", PAGE.format(c=char).encode("utf-8")))
    assert doc.errors == ()
    assert "为深入贯彻落实政务公开工作，制定本方案。" in doc.text.replace(" ", "")
    assert "结尾文字" in doc.text


def test_a_utf16_page_with_noise_still_extracts():
    body = PAGE.format(c="\x15").encode("utf-16-le")
    doc = extract_document(RawPage("http://www.qiyang.gov.cn.test/a.html", body))
    assert doc.errors == () and "制定本方案" in doc.text
