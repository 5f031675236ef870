"""The shortcuts that keep extraction cheap give what the long way gives: lxml.html's element classes
from our parser, trafilatura's options built once, and prune_chrome's skipped subtrees."""
import copy
import json

import pytest
import trafilatura
from lxml import etree, html
from trafilatura.settings import Extractor

from archive.extract import decode
from archive.extract.body import (_BLOCKS, _CHROME_WORDS, _chrome_attrs, _content_holders, _drop, _goes,
                                  INDENTED, SMALL, prune_chrome, trafilatura_options)
from archive.extract.dom import element_text, longest_text, parse
from tests.conftest import REALDATA

FORM_PAGE = ("<html><head><title>t</title></head><body><!-- a comment --><form><label>姓名</label>"
             "<input name='n'><select><option>1</option></select><textarea>意见</textarea></form>"
             "<p>正文</p></body></html>")


def test_parsed_elements_get_lxml_html_classes_also_in_copies():
    ours, theirs = parse(FORM_PAGE), html.document_fromstring(FORM_PAGE)
    expected = [type(el) for el in theirs.iter()]
    assert [type(el) for el in ours.iter()] == expected
    assert [type(el) for el in copy.deepcopy(ours).iter()] == expected
    assert [type(el) for el in copy.copy(ours).iter()] == expected  # trafilatura's copies


@pytest.mark.parametrize("url", ["http://www.qiyang.gov.cn/zwgk/t20240524_1.html", None, "", "http://x.cn/\ud800"])
def test_shared_trafilatura_options_are_what_a_fresh_extractor_builds(url):
    fresh = Extractor(output_format="txt", recall=True, comments=False, links=False, tables=True, dedup=False,
                      with_metadata=False, url=url or None)
    shared = trafilatura_options(url)
    # date_params only serve metadata extraction, which is off
    assert {name: getattr(shared, name) for name in Extractor.__slots__ if name != "date_params"} == \
        {name: getattr(fresh, name) for name in Extractor.__slots__ if name != "date_params"}
    assert not shared.with_metadata


def test_trafilatura_text_is_the_same_with_shared_options():
    page = ("<html><body><div class='nav'><a href='/'>首页</a></div><div class='content'>"
            + "".join(f"<p>第{n}条 为进一步做好政务公开工作，结合本县实际，制定本实施方案，请认真贯彻落实。</p>"
                      for n in range(12)) + "</div></body></html>")
    url = "http://www.qiyang.gov.cn/zwgk/t20240524_1.html"
    by_arguments = trafilatura.extract(parse(page), url=url, include_tables=True, include_comments=False,
                                       include_links=False, favor_recall=True, deduplicate=False,
                                       output_format="txt", with_metadata=False)
    assert by_arguments and trafilatura.extract(parse(page), options=trafilatura_options(url)) == by_arguments


def _prune_chrome_looking_at_every_element(tree) -> None:
    """prune_chrome as it was before it skipped subtrees: every element looked at, on its own."""
    doomed = []
    holders = _content_holders(tree)
    for el in tree.iter(etree.Element):
        if el.tag in ("html", "body") or el in holders:
            continue
        raw = el.text_content()
        if len(raw) >= SMALL + 100 and (len(raw) > INDENTED or el.tag not in ("table", "ul", "dl", "div")
                                        or len("".join(raw.split())) >= SMALL + 100):
            continue
        chrome_attrs = _chrome_attrs(el.get("class"), el.get("id"))
        if not chrome_attrs and (el.tag not in _BLOCKS or not _CHROME_WORDS.pattern.search(raw)):
            continue
        if _goes(el, el.tag, element_text(el), chrome_attrs):
            doomed.append(el)
    for el in doomed:
        _drop(el)


NESTED_CHROME = ("<html><body><div class='footer'><div class='share'>分享到：<a>微博</a></div>版权所有 某县人民政府"
                 "<p class='print'>【打印】</p></div><div><ul><li>工作动态</li><li>通知公告</li></ul></div>"
                 "<div><div><table><tr><td>索引号：</td><td>001</td></tr><tr><td>发布机构：</td><td>县政府办</td></tr>"
                 "</table></div></div><div class='TRS_Editor'><p>为做好政务公开工作，制定本方案。</p>"
                 "<div class='share'>分享</div></div></body></html>")


def _pages():
    yield "nested chrome", NESTED_CHROME
    gold = REALDATA / "gold.jsonl"
    if gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            yield record["file"], decode((REALDATA / record["file"]).read_bytes(), {})[0]


@pytest.mark.parametrize("name,page", list(_pages()), ids=lambda v: v if len(v) < 80 else None)
def test_prune_chrome_prunes_what_looking_at_every_element_prunes(name, page):
    ours, theirs = parse(page), parse(page)
    prune_chrome(ours)
    _prune_chrome_looking_at_every_element(theirs)
    assert etree.tostring(ours, encoding="unicode") == etree.tostring(theirs, encoding="unicode")


def test_chrome_inside_a_dropped_block_goes_with_it_and_the_article_stays():
    tree = parse(NESTED_CHROME)
    prune_chrome(tree)
    text = tree.text_content()
    assert "分享到" not in text and "版权所有" not in text and "发布机构" not in text
    assert "为做好政务公开工作" in text and "工作动态" in text


def test_longest_text_is_never_shorter_than_the_rendered_text():
    for name, page in _pages():
        for el in parse(page).iter(etree.Element):
            assert len(element_text(el)) <= longest_text(el, el.text_content()), (name, el.tag)
