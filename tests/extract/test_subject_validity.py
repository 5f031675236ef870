"""主题分类 (subject) and 有效性 (validity): read where the page prints them, never guessed."""
import re
from pathlib import Path

import pytest

from archive.extract import RawPage, extract_document

from .pages import trs_page

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def page(rows: str, body: str = "<p>为深入推进政务公开工作，结合本县实际，制定本方案。</p>") -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>某县2024年政务公开工作要点_某县人民政府</title></head>
<body><div class="nav">首页 政务公开</div><h1>某县2024年政务公开工作要点</h1>
{rows}<div class="TRS_Editor">{body}</div></body></html>""".encode("utf-8")


def extract(body: bytes):
    return extract_document(RawPage("http://www.example.gov.cn/zwgk/t1.html", body))


def test_xxgk_table_cells_give_subject_and_validity_with_their_labels():
    doc = extract(page("""<table class="xxgk">
      <tr><td>索引号：</td><td>431121001/2024-00321</td><td>主题分类：</td><td>综合政务\\政务公开</td></tr>
      <tr><td>发布机构：</td><td>某县人民政府办公室</td><td>有效性：</td><td>现行有效</td></tr></table>"""))
    assert (doc.subject, doc.sources["subject"]) == ("综合政务\\政务公开", "table:主题分类")
    assert (doc.validity, doc.sources["validity"]) == ("现行有效", "table:有效性")
    assert doc.index_number == "431121001/2024-00321" and doc.agency == "某县人民政府办公室"


def test_trs_fixture_subject_is_read_and_nothing_says_its_validity():
    doc = extract(trs_page().encode("utf-8"))
    assert doc.subject == "政务公开" and doc.sources["subject"] == "table:主题分类"
    assert doc.validity is None and "validity" not in doc.sources


def test_label_and_value_in_sibling_blocks():
    doc = extract(page("""<ul class="info"><li><span class="k">信息分类：</span></li><li>专项工作</li>
      <li><span class="k">有<span style="padding:0 .5em"></span>效<span></span>性：</span></li><li>有效</li>
      <li>生效时间：</li><li>2017-04-12</li></ul>"""))
    assert (doc.subject, doc.sources["subject"]) == ("专项工作", "block:信息分类")
    assert (doc.validity, doc.sources["validity"]) == ("有效", "block:有效性")


def test_one_line_of_labels_ends_each_value_at_the_next_label():
    doc = extract(page("<div class='meta'>生成日期: 2024-10-21 主题分类: 教育 公开方式: 主动公开 时效性：已废止</div>"))
    assert (doc.subject, doc.sources["subject"]) == ("教育", "line:主题分类")
    assert (doc.validity, doc.sources["validity"]) == ("已废止", "line:时效性")


@pytest.mark.parametrize("printed", ["有效", "现行有效", "失效", "已失效", "废止", "已废止", "已修改", "部分失效"])
def test_validity_is_kept_as_printed(printed):
    doc = extract(page(f"<table><tr><td>是否有效：</td><td>{printed}</td></tr></table>"))
    assert doc.validity == printed and doc.sources["validity"] == "table:是否有效"


def test_subject_label_beats_information_class_and_keywords_whatever_the_order():
    doc = extract(page("""<table><tr><td>主 题 词：</td><td>政务公开　方案　通知</td>
      <td>信息分类：</td><td>通知公告</td><td>主题分类：</td><td>综合政务</td></tr></table>"""))
    assert (doc.subject, doc.sources["subject"]) == ("综合政务", "table:主题分类")


def test_keywords_alone_are_the_subject_and_say_so():
    doc = extract(page("<table><tr><td>主 题 词：</td><td>体育　运动会　函</td></tr></table>"))
    assert doc.subject == "体育 运动会 函" and doc.sources["subject"] == "table:主题词"


@pytest.mark.parametrize("rows", [
    "<table><tr><td>主题分类：</td><td></td><td>发布日期：</td><td>2024-05-21</td></tr></table>",
    "<div><span>主题分类：</span></div><div><span>办文部门：</span></div><div>发文日期：</div>",
    "<table><tr><td>主题分类：</td><td>暂无</td><td>有效性：</td><td>暂无</td></tr></table>",
    "<table><tr><td>有效性：</td><td>2024年5月21日</td><td>分类：</td><td>-</td></tr></table>",
    "<table><tr><td>公开分类</td><td></td><td>主题词</td><td></td></tr></table>",
])
def test_labels_printed_without_a_value_give_nothing(rows):
    doc = extract(page(rows))
    assert doc.subject is None and doc.validity is None
    assert "subject" not in doc.sources and "validity" not in doc.sources


def test_validity_is_never_guessed_from_hidden_stamps_or_prose():
    doc = extract(page(
        '<img style="display:none" alt="文件已废止" title="文件已废止" src="feizhi.png">'
        "<table><tr><td>废止时间：</td><td>暂无</td><td>失效时间：</td><td>暂无</td></tr></table>",
        body="<p>本办法自发布之日起施行，原《某县政务公开办法》同时废止。有效性评估由县政府办负责。</p>"
             "<p>政府信息形成、变更或者废止之日起20个工作日内予以公开，主题分类按照目录执行。</p>"))
    assert doc.validity is None and doc.subject is None


def test_new_fields_are_in_the_json_record():
    record = extract(page("<table><tr><td>主题分类：</td><td>教育</td><td>有效性：</td><td>有效</td></tr></table>")).to_dict()
    assert (record["subject"], record["validity"]) == ("教育", "有效")
    assert record["sources"]["subject"] == "table:主题分类" and record["sources"]["validity"] == "table:有效性"
    empty = extract(page("")).to_dict()
    assert empty["subject"] is None and empty["validity"] is None


# real pages ------------------------------------------------------------------------------
# Every gov/ and pingtan/ page that prints a 主题分类-like or 有效性 label with a value, checked by hand;
# the others print none (or print the label with its cell left empty) and must give None.
PRINTED = {
    "gov/mhxqwer/mltjyt.zj.gov.cn/index.html": ("教育", None),
    "gov/mhxqwer/lklhfss.gov.cn/index.html": ("专项工作", "有效"),
    "gov/SimonXinw-job/统计局/宜春市/2022/宜春市2022年国民经济和社会发展统计公报 _ 中国宜春.html": ("统计公报", None),
}


@pytest.mark.skipif(not (REALDATA / "gov").is_dir(), reason=f"real pages not found at {REALDATA}")
def test_real_pages_subject_and_validity_only_where_printed():
    pages = sorted([*(REALDATA / "gov").rglob("*.html"), *(REALDATA / "pingtan").rglob("page.html")])
    got = {}
    for path in pages:
        doc = extract_document(RawPage("", path.read_bytes()))
        got[path.relative_to(REALDATA).as_posix()] = (doc.subject, doc.validity)
    printed = {name: value for name, value in got.items() if value != (None, None)}
    assert printed == {name: value for name, value in PRINTED.items() if name in got}


@pytest.mark.skipif(not (REALDATA / "bench" / "govcn-zhengce" / "records.sql").exists(),
                    reason="bench/govcn-zhengce not present")
def test_govcn_policy_pages_subject_as_their_table_prints_it(floors):
    sql = (REALDATA / "bench" / "govcn-zhengce" / "records.sql").read_text(encoding="utf-8")
    right = total = 0
    for record in sql.split("insert into ge_policy_raw")[1:]:
        html = [q for q in re.findall(r"'((?:[^']|'')*)'", record, re.S) if "<" in q][-1].replace("''", "'")
        printed = re.search(r"主题分类：</b></td>\s*<td[^>]*>([^<]*)<", html)
        if not printed:
            continue
        doc = extract_document(RawPage("http://www.gov.cn/zhengce/content/x.htm", html.encode()))
        right += doc.subject == printed.group(1).strip() and doc.sources["subject"].endswith(":主题分类")
        total += 1
        assert doc.validity is None  # gov.cn 政策 tables print no 有效性
    assert total >= 50 and right / total >= floors["govcn_subject"]
