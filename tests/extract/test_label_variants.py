"""Metadata labels as portals spell and lay them out (labels.py), values without widget words.

Pages written for these tests; each layout is one real portals use."""
import pytest

from archive.extract import RawPage, extract_document
from archive.extract.labels import LABEL_TABLE, without_widgets

ARTICLE = "<div class='TRS_Editor'><p>" + "各单位要按照本通知要求，认真组织实施，确保各项任务落实到位。" * 4 + "</p></div>"


def page(meta_block: str) -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>关于做好2024年防汛工作的通知_某市人民政府</title></head>
<body><h1>关于做好2024年防汛工作的通知</h1>{meta_block}{ARTICLE}</body></html>""".encode("utf-8")


def extract(meta_block: str):
    return extract_document(RawPage("http://www.example.gov.cn/t1.html", page(meta_block)))


def test_li_label_and_span_layout():
    doc = extract("""<ul class="xxgk-info">
      <li><label>索取号</label><span>11320100MB1234567X/2024-00031</span></li>
      <li><label>发文机关</label><span>某市人民政府办公室</span></li>
      <li><label>发文字号</label><span>某政办发〔2024〕12号</span></li>
      <li><label>生成日期</label><span>2024-05-06</span></li></ul>""")
    assert doc.index_number == "11320100MB1234567X/2024-00031"
    assert doc.agency == "某市人民政府办公室"
    assert doc.doc_number and doc.doc_number.raw == "某政办发〔2024〕12号"
    assert doc.written and doc.written.isoformat() == "2024-05-06"


def test_dl_layout_without_colons():
    doc = extract("""<dl><dt>信息索引</dt><dd>000014349/2024-00088</dd>
      <dt>发文机构</dt><dd>某市水利局</dd><dt>文件编号</dt><dd>某水发〔2024〕3号</dd></dl>""")
    assert doc.index_number == "000014349/2024-00088"
    assert doc.agency == "某市水利局"
    assert doc.doc_number and doc.doc_number.raw == "某水发〔2024〕3号"


def test_header_row_over_value_row():
    doc = extract("""<table><thead><tr><td>索取号</td><td>发布时间</td><td>发布机构</td><td>文件编号</td><td>备注</td></tr>
      </thead><tbody><tr><td>MB0Q12345/2024-00007</td><td></td><td>某市卫生健康委员会</td>
      <td>某卫发〔2024〕7号</td><td></td></tr></tbody></table>""")
    assert doc.index_number == "MB0Q12345/2024-00007"
    assert doc.agency == "某市卫生健康委员会"
    assert doc.doc_number and doc.doc_number.raw == "某卫发〔2024〕7号"
    assert "索取号" not in doc.text and "文件编号" not in doc.text  # the header row is no body
    assert "认真组织实施" in doc.text


def test_div_grid_with_colons_in_their_own_cells():
    doc = extract("""<div class="grid"><div>发布单位：</div><div>某县应急管理局</div>
      <div>公开日期：</div><div>2024-06-01</div></div>""")
    assert doc.agency == "某县应急管理局"
    assert doc.published and doc.published.isoformat() == "2024-06-01"


def test_widget_words_after_a_value_are_not_part_of_it():
    doc = extract("<div class='info'>发布日期：2024-06-13 来源：某省教育厅 下载 收藏</div>")
    assert doc.agency == "某省教育厅"


def test_a_label_whose_value_is_only_a_widget_has_no_value():
    doc = extract("<div>信息来源：</div><div>打印</div><div>关闭</div>")
    assert doc.agency is None


@pytest.mark.parametrize("value, clean", [
    ("教育部 下载 收藏", "教育部"), ("某县人民政府 【打印】 【关闭】", "某县人民政府"),
    ("某县人民政府 字号 大 中 小", "某县人民政府"), ("打印", ""), ("某县政务服务中心", "某县政务服务中心"),
    ("中国大学", "中国大学")])
def test_without_widgets(value, clean):
    assert without_widgets(value) == clean


def test_every_label_says_where_it_was_seen():
    for field, tiers in LABEL_TABLE.items():
        for tier in tiers:
            for label, source in tier:
                assert label and source.strip(), (field, label)


def test_an_indented_table_of_other_spellings_stays_out_of_the_body():
    cells = "\n" + " " * 40
    table = (f"<table>{cells}<tr>{cells}<td>信息索引：</td>{cells}<td>360A00-07-2024-0001-1</td>{cells}"
             f"<td>生成日期：</td>{cells}<td>2024-06-04</td>{cells}</tr>{cells}<tr>{cells}<td>发文机构：</td>{cells}"
             f"<td>某部办公厅</td>{cells}<td>发文字号：</td>{cells}<td>某厅函〔2024〕10号</td>{cells}</tr>{cells}</table>")
    doc = extract(table)
    assert doc.index_number == "360A00-07-2024-0001-1" and doc.agency == "某部办公厅"
    assert "信息索引" not in doc.text and "发文机构" not in doc.text
    assert "认真组织实施" in doc.text
