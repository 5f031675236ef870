"""Recognised boxes -> reading order: columns, table rows, paragraphs, page numbers."""
from __future__ import annotations

from archive.ocr.engine import Line
from archive.ocr.layout import page_text
from archive.ocr.recognise import drop_running_heads


def box(x0, y0, x1, text, h=30):
    return Line(x0, y0, x1, y0 + h, text, 0.99)


def test_wrapped_lines_join_into_paragraphs_and_page_numbers_go():
    lines = [box(160, 100, 1100, "一、总体要求坚持以人民为中心的发展思想，全面"),
             box(100, 160, 1100, "推进各项工作落实落地，确保取得实效，为全县经"),
             box(100, 220, 500, "济社会发展提供保障。"),
             box(160, 280, 1100, "二、主要任务加快推进基础设施建设，完善公共服"),
             box(100, 340, 400, "务体系。"),
             box(580, 1680, 660, "- 3 -")]
    assert page_text(lines, 1240, 1754) == ("一、总体要求坚持以人民为中心的发展思想，全面推进各项工作落实落地，确保取得实效，"
                                            "为全县经济社会发展提供保障。\n二、主要任务加快推进基础设施建设，完善公共服务体系。")


def test_two_columns_are_read_left_then_right_under_a_spanning_title():
    lines = [box(300, 40, 940, "某某县政务公开简报")]
    for n in range(5):
        lines.append(box(620 + 40, 120 + 60 * n, 1180, f"右栏第{n + 1}行"))
        lines.append(box(60, 120 + 60 * n, 580, f"左栏第{n + 1}行"))
    text = page_text(lines, 1240, 1754)
    assert text.index("某某县") < text.index("左栏第1行") < text.index("左栏第5行") < text.index("右栏第1行")


def test_table_cells_of_a_row_are_joined_by_tabs():
    lines = [box(100, 100, 160, "序号"), box(300, 100, 420, "工作任务"), box(700, 100, 820, "责任单位"),
             box(100, 160, 120, "1"), box(300, 160, 540, "完善工作制度"), box(700, 160, 820, "县政府办")]
    assert page_text(lines, 1240, 1754) == "序号\t工作任务\t责任单位\n1\t完善工作制度\t县政府办"


def test_a_running_head_repeated_on_pages_is_dropped():
    pages = ["某某县人民政府文件\n第一页正文", "某某县人民政府文件\n第二页正文", "某某县人民政府文件\n第三页正文"]
    assert drop_running_heads(pages) == ["第一页正文", "第二页正文", "第三页正文"]
