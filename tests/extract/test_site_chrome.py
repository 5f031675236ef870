"""A site's template learnt from its pages: what repeats is chrome, what varies is the body."""
from __future__ import annotations

from archive.extract.composed import compose, dedup_text
from archive.extract.site_chrome import MIN_PAGES, Template, best_template, page_keys, strip_chrome

NAV = ["今天是：", "祁阳市人民政府", "搜索", "首页", "政务公开", "政务动态", "办事服务", "互动交流"]
FOOTER = ["网站地图 | 联系我们", "主办：祁阳市人民政府办公室"]


def _page(n: int, body: list[str]) -> list[str]:
    return NAV + [f"关于印发第{n}号方案的通知"] + body + FOOTER


def _learnt(pages: int) -> Template:
    template = Template()
    for n in range(pages):
        template = template.learn(page_keys(_page(n, [f"第{n}段正文，各有不同的内容{n * 7}。", "附件："])))
    return template


def test_nothing_is_chrome_before_the_template_has_seen_enough_pages():
    assert _learnt(MIN_PAGES - 1).chrome() == frozenset()
    assert {"首页", "政务公开", "网站地图", "联系我们"} <= _learnt(MIN_PAGES).chrome()


def test_navigation_above_a_short_body_is_cut_and_the_body_kept():
    chrome = _learnt(8).chrome()
    text = "\n".join(NAV + ["关于印发第99号方案的通知", "详见附件。", "附件：", "第99号方案.pdf"])
    assert strip_chrome(text, chrome, keep="关于印发第99号方案的通知") == \
        "关于印发第99号方案的通知\n详见附件。\n附件：\n第99号方案.pdf"


def test_a_navigation_bar_on_one_line_is_cut_too():
    chrome = _learnt(8).chrome()
    assert strip_chrome("今天是： 祁阳市人民政府 搜索 首页 政务公开\n正文一段。", chrome) == "正文一段。"


def test_a_repeated_line_inside_the_body_stays():
    chrome = _learnt(8).chrome() | {"各乡镇人民政府，市直各单位："}
    text = "一、总体要求\n各乡镇人民政府，市直各单位：\n二、工作目标"
    assert strip_chrome(text, chrome) == text


def test_a_redesigned_page_fits_no_template_and_an_old_one_fits_its_own():
    template = _learnt(8)
    old = page_keys(_page(50, ["新的正文。"]))
    new = page_keys(["祁阳市人民政府", "首页", "办事服务", "m-article", "新版正文。", "祁阳市人民政府办公室 主办"])
    assert best_template([(1, template)], old) == 1
    assert best_template([(1, template)], new) is None


def test_a_document_text_is_its_page_then_each_file_under_its_heading():
    text = compose("详见附件。", [("附件1：方案.pdf", "一、总体要求"), ("附件2：表.xlsx", None),
                                  ("附件3：报名表.docx", "姓名 性别")])
    assert text == "详见附件。\n【附件：附件1：方案.pdf】\n一、总体要求\n【附件：附件3：报名表.docx】\n姓名 性别"
    assert dedup_text(text) == text    # the page points at its files: copies are found on them


def test_a_file_repeating_the_page_keeps_its_heading_only_and_copies_are_found_on_the_page():
    page = "为深入贯彻落实本年度重点工作安排，制定本方案。\n" * 20
    text = compose(page, [("签发稿.pdf", page.replace("\n", "")), ("表.xlsx", "序号 任务 责任单位")])
    assert text.count("制定本方案") == 20 and "【附件：签发稿.pdf】\n【附件：表.xlsx】" in text
    assert dedup_text(text) == page.strip()


def test_a_closing_sentence_or_the_signature_repeated_on_most_pages_stays():
    pages = [[*NAV, f"标题{n}", f"正文{n}", "（二）加强组织领导。各单位要高度重视，确保各项工作落到实处。",
              "祁阳市人民政府办公室", *FOOTER] for n in range(8)]
    template = Template()
    for lines in pages:
        template = template.learn(page_keys(lines))
    chrome = template.chrome()
    assert "祁阳市人民政府办公室" in chrome                      # on every page's fields too
    text = "标题9\n正文9\n（二）加强组织领导。各单位要高度重视，确保各项工作落到实处。\n祁阳市人民政府办公室\n网站地图"
    assert strip_chrome(text, chrome, keep="标题9", signature="祁阳市人民政府办公室") == text.rsplit("\n", 1)[0]


def test_a_learnt_templates_chrome_is_what_its_counts_give():
    """learn works the new chrome out from the old chrome and the page's keys: the same as from all counts."""
    import random

    from archive.extract.site_chrome import MAX_KEYS, SHARE, Template

    rng = random.Random(0)
    words = [f"k{n}" for n in range(3000)]
    template = Template()
    for page in range(400):
        common = rng.sample(words[:40], rng.randint(0, 40))   # a site's menus: on most pages
        rare = rng.sample(words, rng.randint(0, 60 if page < 200 else 400))   # past MAX_KEYS later on
        template = template.learn(frozenset(common + rare))
        floor = max(3, SHARE * template.pages)
        expected = frozenset(k for k, n in template.counts.items() if n >= floor) if template.ready else frozenset()
        assert template.chrome() == expected
    assert len(template.counts) <= MAX_KEYS
