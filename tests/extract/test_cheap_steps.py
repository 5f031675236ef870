"""The shortcuts that keep extraction cheap give what the long way gives: lxml.html's element classes
from our parser, trafilatura's options built once, prune_chrome's skipped subtrees, and the steps
that skip work a cheap test shows is not needed (nav anchors, themes, 文号, headings, header rows,
readability's tests of divs and link densities)."""
import copy
import json
import random
import re
import sys
import unicodedata
from urllib.parse import unquote

import pytest
import trafilatura
from lxml import etree, html
from readability import Document as ReadabilityDocument
from readability.readability import REGEXES as readability_regexes, clean as readability_clean
from trafilatura.settings import Extractor

from archive.extract import decode, dom, navigation, parse_doc_number, readable, site_chrome, titles
from archive.extract.body import (_BLOCKS, _CHROME_WORDS, _chrome_attrs, _content_holders, _drop, _goes,
                                  INDENTED, SMALL, prune_chrome, trafilatura_options)
from archive.extract import attachments as attachments_module
from archive.extract.dom import element_text, longest_text, parse, raw_text, render_lines, with_class_or_id
from archive.extract.images import body_images
from archive.extract.metadata import meta_tags, paired_values
from archive.extract.navigation import is_nav_line, nav_texts
from archive.extract.site_chrome import page_keys, template_lines
from archive.extract.titles import pick_title
from archive.themes import MIN_TEXT_HITS, SHARE_OF_TOP, load_taxonomy, themes_for
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


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("url", ["http://www.qiyang.gov.cn/zwgk/t20240524_1.html", None, "", "http://x.cn/\ud800"])
def test_shared_trafilatura_options_are_what_a_fresh_extractor_builds(url, fast):
    fresh = Extractor(output_format="txt", recall=True, comments=False, links=False, tables=True, dedup=False,
                      with_metadata=False, url=url or None, fast=fast)
    shared = trafilatura_options(url, fast)
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


# The long ways of the shortcuts below, as the steps were written before them.
def _content_anchors_collected(tree) -> set:
    return {a for el in tree.iter(etree.Element) if (el.get("class") is not None or el.get("id") is not None)
            and navigation._content_attrs(el.get("class"), el.get("id")) for a in el.iter("a")}


def _is_nav_line_the_long_way(line: str, nav: frozenset[str]) -> bool:
    item = navigation._LIST_MARK.sub("", line.strip()).strip()
    if navigation.key(item) in nav:
        return True
    bare = item.strip("【】[]")
    if not bare:
        return False
    if navigation.HEADER_WORD.match(bare) and len(bare) <= 40:
        return True
    if navigation.key(bare) in nav:
        return True
    tokens = [t for t in navigation._SEPARATORS.split(bare) if t]
    return len(tokens) > 1 and all(navigation.key(t) in nav or navigation.HEADER_WORD.match(t) for t in tokens)


def _page_keys_the_long_way(lines) -> frozenset[str]:
    keys = set()
    for line in lines:
        for k in (site_chrome.key(line), *map(site_chrome.key, site_chrome._PIECES.split(line))):
            if k and len(k) <= site_chrome.MAX_KEY and not site_chrome._SENTENCE.search(k):
                keys.add(k)
    return frozenset(keys)


NAV_PAGE = ("<html><body><ul class='nav'><li><a>首页</a></li><li><a>政务公开</a></li><li><a>工作动态</a></li></ul>"
            "<div id='zoom'><ul><li><a>附件一</a></li><li><a>附件二</a></li><li><a>附件三</a></li></ul></div>"
            "<div><ul><li><a class='content_text'>正文链接</a></li><li><a>链接二</a></li><li><a>链接三</a></li></ul></div>"
            "<div class=''><p>- 首页 | 政务公开</p><p>【工作动态】</p><p>• 今天是：星期一</p></div></body></html>")


@pytest.mark.parametrize("name,page", [("nav", NAV_PAGE), *_pages()], ids=lambda v: v if len(v) < 80 else None)
def test_navigation_and_template_keys_are_what_the_long_way_finds(name, page):
    tree = parse(page)
    nav = nav_texts(tree)
    in_content = _content_anchors_collected(tree)
    known: dict = {}
    assert [navigation._in_content(a, known) for a in tree.iter("a")] == [a in in_content for a in tree.iter("a")]
    lines = render_lines(tree)
    assert [is_nav_line(line, nav) for line in lines] == [_is_nav_line_the_long_way(line, nav) for line in lines]
    pieces = template_lines(tree, lines)
    assert page_keys(pieces) == page_keys(pieces) == _page_keys_the_long_way(pieces)  # again: from the cache
    assert list(with_class_or_id(tree)) == [el for el in tree.iter(etree.Element)
                                            if el.get("class") is not None or el.get("id") is not None]


def test_a_link_in_the_articles_container_is_no_navigation():
    nav = nav_texts(parse(NAV_PAGE))
    assert {"首页", "政务公开", "工作动态", "链接二"} <= nav
    assert not {"附件一", "正文链接"} & nav
    assert is_nav_line("- 首页 | 政务公开", nav) and is_nav_line("【工作动态】", nav)


def test_themes_count_only_the_keywords_whose_characters_the_text_has_and_find_the_same():
    taxonomy = {"安全生产": ("安全生产", "隐患排查", "消防安全"), "教育": ("学校", "教育", "校园安全"), "空": ()}

    def counted_every_keyword(title, text):
        hits = {theme: sum(text.count(k) for k in keywords) for theme, keywords in taxonomy.items()}
        top = max(hits.values(), default=0)
        return tuple(theme for theme, keywords in taxonomy.items() if any(k in title for k in keywords)
                     or (hits[theme] >= MIN_TEXT_HITS and hits[theme] >= SHARE_OF_TOP * top))

    for title, text in [("关于安全生产的通知", "学校"), ("通知", "学校" * 3 + "安全生产"), ("", "隐患排查" * 4 + "学校" * 2),
                        ("", "安全" * 9 + "生产" * 9), ("校园安全月", ""), ("", "")]:
        assert themes_for(title, text, taxonomy) == counted_every_keyword(title, text)
    assert themes_for("2024年政务公开工作要点", "") == themes_for("2024年政务公开工作要点", "", dict(load_taxonomy()))


def test_a_doc_number_needs_its_hao_and_nfkc_makes_hao_of_no_other_character():
    assert parse_doc_number("祁政办发〔2024〕5号").raw == "祁政办发〔2024〕5号"
    assert parse_doc_number("国令第707号").number == 707
    assert parse_doc_number("祁政办发〔2024〕5") is None
    assert not [c for c in range(sys.maxunicode + 1)
                if chr(c) != "号" and "号" in unicodedata.normalize("NFKC", chr(c))]


def test_headings_are_rendered_only_when_article_title_does_not_answer(monkeypatch):
    page = ("<html><head><meta name='ArticleTitle' content='关于做好政务公开工作的通知'><title>某县人民政府</title></head>"
            "<body><h1>关于做好政务公开工作的通知</h1></body></html>")
    tree = parse(page)
    meta = meta_tags(tree)
    assert pick_title(tree, meta, "某县人民政府").value == "关于做好政务公开工作的通知"

    def no_rendering(el):
        raise AssertionError("a heading was rendered")

    monkeypatch.setattr(titles, "render_lines", no_rendering)
    assert pick_title(tree, meta, "某县人民政府").value == "关于做好政务公开工作的通知"
    with pytest.raises(AssertionError):
        pick_title(tree, {}, "某县人民政府")


def test_a_header_row_is_read_only_when_every_cell_is_a_label():
    labels_then_values = "<table><tr><th>索引号</th><th>发布机构</th></tr><tr><td>001</td><td>县政府办</td></tr></table>"
    assert paired_values(parse(labels_then_values))["agency"][0].value == "县政府办"
    one_cell_no_label = "<table><tr><th>索引号</th><th>说明</th></tr><tr><td>001</td><td>县政府办</td></tr></table>"
    found = paired_values(parse(one_cell_no_label))
    assert not [f for values in found.values() for f in values if f.source.startswith("table:")]


class _ReadabilityOwnWay(readable._Readability):
    get_link_density = ReadabilityDocument.get_link_density
    transform_misused_divs_into_paragraphs = ReadabilityDocument.transform_misused_divs_into_paragraphs
    remove_unlikely_candidates = ReadabilityDocument.remove_unlikely_candidates
    score_paragraphs = ReadabilityDocument.score_paragraphs


ODD_DIVS = ("<html class='sidebar'><body><div class='comment'><div class='comment-content'>留言</div></div>"
            "<pre><span class='footer'>代码</span></pre><div id='sidebar'><article>文章</article></div>"
            "<div><a href='x'><img src='a.png'></a>文字</div><div>纯文字 &lt;p&gt; 不是块</div>"
            "<div title='<div>'><span>属性里的 &lt;div&gt;</span></div><div><param name='p'>参数</div>"
            "<div><P>大写</P></div><div><!-- <p>注释</p> -->注释外</div><div><!-- 没有块 -->文字</div>"
            "<div><span>a</span><b>b</b>尾巴<br>下一行</div>"
            "<div class='content'>" + "这是一段比较长的正文，" * 30 + "<a href='y'>" + "链接 " * 60 + "</a>\t制表\n换行</div>"
            "<div>" + "\u3000" * 300 + "全角空格之后</div></body></html>")


@pytest.mark.parametrize("name,page", [("odd divs", ODD_DIVS), ("nav", NAV_PAGE), *_pages()],
                         ids=lambda v: v if len(v) < 80 else None)
def test_readability_gives_what_its_own_methods_give(name, page):
    tree = parse(page)
    assert readable._Readability(tree).summary(html_partial=True) == \
        _ReadabilityOwnWay(tree).summary(html_partial=True)
    for div in tree.iter("div"):
        own_way = bool(readability_regexes["divToPElementsRe"].search(
            str(b"".join(etree.tostring(child, encoding="utf-8") for child in div))))
        assert readable._holds_block(div) == own_way


@pytest.mark.parametrize("text", ["", "  链接  ", "a b", "a  b", "a\tb", "a\n  b", " " * 300, "\u3000" * 300 + "x",
                                  "x" * 300, "\u3000\u3000正文 ", "a\r\nb", "\xa0\xa0x\xa0"])
def test_readabilitys_text_length_is_its_clean_texts_length(text):
    assert readable._text_length(text, {}) == len(readability_clean(text))


def test_readabilitys_clean_with_its_runs_tested_first_is_its_clean():
    spaces = [" ", "\t", "\n", "\r", "\u3000", "\xa0", "\x0b", "\x1c", "\x85", "\u2028", "a", "中", ","]
    rnd = random.Random(21)
    texts = ["".join(rnd.choice(spaces) for _ in range(rnd.randint(0, 40))) for _ in range(20000)]
    texts += ["".join(rnd.choice(spaces[:6] + ["x"]) for _ in range(rnd.randint(240, 700))) for _ in range(2000)]
    texts += ["x" + " " * n + "y" + "\t" * m + "\n" * (n % 3) for n in range(0, 320, 9) for m in range(0, 300, 13)]
    assert [readable._clean(text) for text in texts] == [readability_clean(text) for text in texts]


def test_an_image_is_the_body_in_the_articles_container_or_when_large_and_never_when_furniture():
    page = ("<html><body><div class='TRS_Editor'><img src='/a/scan1.jpg'><img src='/a/logo.png'>"
            "<img src='/a/p.png' class='share'></div><div><img src='/b/big.jpg' width='800'>"
            "<img src='/b/small.jpg' width='40'><img src='/b/banner.jpg' width='800'></div></body></html>")
    found = body_images(parse(page), "http://x.gov.cn/c/t1.html")
    assert [i.url for i in found] == ["http://x.gov.cn/a/scan1.jpg", "http://x.gov.cn/b/big.jpg"]


LEAVES = ("<html><body><p>纯文字</p><p></p><p><!-- 注释 -->后面</p><p>a<b>粗</b>尾</p><span>&amp; 实体 &#20013;</span>"
          "<a href='x.pdf'>附件<?pi x?></a><td>单元格</td><div><![CDATA[数据]]></div><script>var a = '<p>';</script>"
          "</body></html>")


@pytest.mark.parametrize("name,page", [("leaves", LEAVES), *_pages()], ids=lambda v: v if len(v) < 80 else None)
def test_raw_text_is_text_content(name, page):
    for tree in (parse(page), html.document_fromstring(page)):
        for el in tree.iter(etree.Element):
            assert raw_text(el) == el.text_content() and type(raw_text(el)) is str


@pytest.mark.parametrize("s", ["", "x.pdf", "x%2Epdf", "x%2epdf?a=1", "附件.DOCX", "no file", "a.b", "%zz.pdf", "%E9%99%84.xls",
                                "report%2", "x.pdf%", ".txt"])
def test_a_file_name_is_looked_for_as_before(s):
    assert attachments_module._may_name_file(s) == bool(attachments_module._MAYBE_EXT.search(unquote(s)))


def _render_lines_with_a_skipping_mark(root) -> list[str]:
    """render_lines as it was: every event of a skipped subtree walked, a mark telling to skip it."""
    kinds = {**{t: 1 for t in dom.SKIP}, **{t: 2 for t in dom.BLOCK}, **{t: 3 for t in dom.CELL}}
    parts = []
    skipping = None
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if skipping is not None:
            if event == "end" and el is skipping:
                skipping = None
                if el.tail:
                    parts.append(el.tail)
            continue
        if event == "start":
            if not isinstance(tag, str):
                continue
            kind = kinds.get(tag.lower())
            if kind == 1:
                skipping = el
                continue
            if kind == 2:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if isinstance(tag, str):
                kind = kinds.get(tag.lower())
                if kind == 3:
                    parts.append("\t")
                elif kind == 2:
                    parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    lines = [line for line in (dom.clean_text(line) if "\t" not in line else "\t".join(
        c for c in (dom.clean_text(c) for c in line.split("\t")) if c) for line in "".join(parts).split("\n")) if line]
    return lines


ODD_RENDERING = ("<html><head><title>标题</title><script>var x;</script></head><body><!-- 注释 --><?pi 指令?>"
                 "<div>块<p>段<b>粗</b>尾</p>之后<script>隐藏<p>不显示</p></script>脚本之后</div>"
                 "<table><tr><td> 单元 </td><td></td><th>表头</th></tr></table><select><option>选项</option></select>尾巴"
                 "<o:p>Word</o:p><span>行内\u3000\xa0空格</span><br>换行<textarea>文本框</textarea>末</body></html>")


@pytest.mark.parametrize("name,page", [("odd rendering", ODD_RENDERING), *_pages()],
                         ids=lambda v: v if len(v) < 80 else None)
def test_render_lines_is_what_walking_every_event_renders(name, page):
    for tree in (parse(page), html.document_fromstring(page)):  # (lxml.html keeps processing instructions)
        for el in tree.iter(etree.Element):
            assert render_lines(el) == _render_lines_with_a_skipping_mark(el)
    tree = parse(ODD_RENDERING)
    for el in list(tree.iter("p", "td", "script")):
        el.tag = el.tag.upper()  # not from the parser, but read as before
    for el in tree.iter(etree.Element):
        assert render_lines(el) == _render_lines_with_a_skipping_mark(el)


def test_doc_numbers_are_looked_for_only_where_a_numbers_end_is_and_found_the_same(monkeypatch):
    """find_doc_numbers runs its patterns only on a text holding what their matches end with."""
    import random

    from archive.extract import docnumber

    pool = list("祁政办发湘字函令室的〔〕【】[]()（）［］《》{}<>第年号 　\n2019200345１２") + \
        ["2021", "〔2024〕", "年第", "祁政办发", "湘政函", "12号", "2020年", "〔２０２１〕", "依据"] * 3
    rng = random.Random(0)
    texts = ["祁政办发〔2024〕5号", "依据湘政办发2021年第12号文件", "〔２０２１〕３号", "国发〔2020〕 第 3 号和国发2021年4号",
             "市政府办公室〔2021〕30号", "2021年12月", "〔2021〕号"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 30))) for _ in range(4000)]
    fast = [docnumber.find_doc_numbers(text) for text in texts]
    always = re.compile("")
    monkeypatch.setattr(docnumber, "_PATTERN_END", always)
    monkeypatch.setattr(docnumber, "_YEAR_FORM_END", always)
    assert fast == [docnumber.find_doc_numbers(text) for text in texts]
    assert sum(1 for found in fast if found) > 100
