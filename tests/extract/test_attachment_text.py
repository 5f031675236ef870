"""attachment_text: each format made here with the library that writes it, read back; junk never raises."""
import io
import random
import zipfile

import pytest

from archive.extract.attachment_text import MAX_INPUT_BYTES, attachment_text, sniff, utf16_runs
from sitefarm import attachments as farm

TITLE = "关于印发某县2025年国土空间总体规划的通知"
PARAS = ["为深入贯彻落实党的二十大精神，结合我县实际，制定本方案。", "二、重点任务：推进乡村振兴。"]
ROWS = [["序号", "工作任务", "责任单位"], ["1", "推进高标准农田建设", "县农业农村局"]]


def make_pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for n, line in enumerate([TITLE, *PARAS]):
        page.setFont("STSong-Light", 12)
        page.drawString(50, 780 - 20 * n, line)
    page.showPage()
    page.setFont("STSong-Light", 12)
    page.drawString(50, 780, "第二页：" + ROWS[1][1])
    page.save()
    return out.getvalue()


def make_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(TITLE, 1)
    for p in PARAS:
        document.add_paragraph(p)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("附件：表格之后的段落")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    for row in ROWS:
        sheet.append(row)
    second = book.create_sheet("第二张")
    second.append(["合计", 42])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_pdf_text_comes_back_page_by_page():
    text, errors = attachment_text(make_pdf(), "pdf", "application/pdf")
    assert TITLE in text and PARAS[0] in text and "第二页：推进高标准农田建设" in text
    assert errors == ()


def test_docx_paragraphs_and_tables_in_document_order():
    text, errors = attachment_text(make_docx(), "docx", None)
    assert text.splitlines() == [TITLE, *PARAS, "序号\t工作任务\t责任单位", "1\t推进高标准农田建设\t县农业农村局",
                                 "附件：表格之后的段落"]
    assert errors == ()


def test_xlsx_cells_row_by_row_tab_joined_every_sheet():
    text, errors = attachment_text(make_xlsx(), "xlsx", None)
    assert text.splitlines() == [TITLE, *("\t".join(r) for r in ROWS), "合计\t42"]
    assert errors == ()


@pytest.mark.parametrize("ext", sorted(farm.WRITERS))
def test_every_format_the_farm_serves(ext):
    body = farm.WRITERS[ext](TITLE, PARAS, ROWS)
    text, errors = attachment_text(body, ext, farm.CONTENT_TYPES[ext])
    assert TITLE in text and "推进高标准农田建设" in text
    if ext not in ("xlsx", "xls"):  # the farm's tables hold no paragraphs
        assert PARAS[0] in text
    if ext == "wps":
        assert any("approximate" in e for e in errors)  # UTF-16 runs, not a Word binary parse
    else:
        assert errors == ()


def test_the_real_format_beats_the_name():
    rtf = farm.write_rtf(TITLE, PARAS, ROWS)
    assert sniff(rtf, "doc") == "rtf" and sniff(farm.write_xls_html(TITLE, PARAS, ROWS), "xls") == "html"
    assert sniff(make_docx(), "doc") == "docx" and sniff(make_pdf(), "docx") == "pdf"
    assert sniff(farm.write_ofd(TITLE, PARAS, ROWS), "zip") == "ofd"
    assert sniff(farm.write_cfb(TITLE, PARAS, ROWS), "doc") == "ole2"
    text, _ = attachment_text(make_docx(), "pdf", "application/pdf")
    assert TITLE in text


def test_ofd_lines_split_over_text_objects_on_one_baseline_join():
    page = ('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1">'
            '<ofd:TextObject ID="2" Boundary="20 25 10 7"><ofd:TextCode X="0" Y="5">国土</ofd:TextCode></ofd:TextObject>'
            '<ofd:TextObject ID="3" Boundary="30 25 10 7"><ofd:TextCode X="0" Y="5">空间</ofd:TextCode></ofd:TextObject>'
            '<ofd:TextObject ID="4" Boundary="20 33 10 7"><ofd:TextCode X="0" Y="5">规划</ofd:TextCode></ofd:TextObject>'
            '</ofd:Layer></ofd:Content></ofd:Page>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:  # no OFD.xml: pages are found by name
        package.writestr("Doc_0/Pages/Page_1/Content.xml", "<x/>")
        package.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    assert attachment_text(out.getvalue(), "ofd", None)[0] == "国土空间\n规划"


def test_utf16_runs_leave_out_8bit_text_misread_as_cjk():
    data = b"\x01\x02\x03" * 30 + "国土空间规划".encode("utf-16-le") + b"\0\0" + b"plain ascii text here!!" + b"\0" * 8
    assert utf16_runs(data) == "国土空间规划"


JUNK = [b"", b"\0", b"%PDF-1.7\n garbage", b"PK\x03\x04" + b"\x00" * 40, farm.write_cfb("a", [], [])[:600],
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\xff" * 600, b"{\\rtf1 {\\*\\u-1 {{{{ \\'zz \\uc9999999999 x",
        b"<html><table><tr><td>" * 200, b"PK\x03\x04" + bytes(range(256)) * 4]


@pytest.mark.parametrize("n", range(len(JUNK)))
@pytest.mark.parametrize("ext", ["pdf", "docx", "doc", "wps", "xlsx", "xls", "ofd", "zip", ""])
def test_junk_never_raises(n, ext):
    text, errors = attachment_text(JUNK[n], ext, None)
    assert isinstance(text, str) and isinstance(errors, tuple)


def test_random_and_truncated_files_never_raise():
    rng = random.Random(7)
    files = [make_pdf(), make_docx(), make_xlsx(), *(farm.WRITERS[e](TITLE, PARAS, ROWS) for e in ("ofd", "wps", "doc"))]
    for body in files:
        for _ in range(8):
            cut = body[: rng.randrange(len(body))]
            flipped = bytearray(body)
            for _ in range(20):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            for sample in (cut, bytes(flipped)):
                text, errors = attachment_text(sample, "pdf", None)
                assert isinstance(text, str) and isinstance(errors, tuple)
    text, errors = attachment_text(bytes(rng.randrange(256) for _ in range(5000)), "doc", None)
    assert isinstance(text, str)


def test_too_large_inputs_are_not_read():
    text, errors = attachment_text(b"%PDF-1.4" + b"\0" * MAX_INPUT_BYTES, "pdf", None)
    assert text == "" and "not read" in errors[0]


def test_text_is_capped(monkeypatch):
    import archive.extract.attachment_text as module

    monkeypatch.setattr(module, "MAX_TEXT_CHARS", 100)
    text, errors = attachment_text(("规划" * 500).encode("utf-8"), "txt", "text/plain")
    assert len(text) == 100 and any("cut" in e for e in errors)


def test_zip_bomb_members_are_skipped(monkeypatch):
    import archive.extract.attachment_text as module

    monkeypatch.setattr(module, "MAX_MEMBER_BYTES", 1000)
    body = farm.write_ofd(TITLE, ["很长的段落" * 400], ROWS)
    text, errors = attachment_text(body, "ofd", None)
    assert any("skipped" in e for e in errors)


def test_eval_extract_command_scores_ours_and_trafilatura_side_by_side(tmp_path):
    import json

    from tests.conftest import run_govplans

    (tmp_path / "a.html").write_text(
        "<html><head><title>关于印发某县国土空间规划的通知_某县人民政府</title></head><body><div>首页 导航</div>"
        "<h1>关于印发某县国土空间规划的通知</h1><div class='content'><p>" + "为深入贯彻落实党的二十大精神，制定本方案。" * 20
        + "</p></div></body></html>", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"file": "a.html", "url": "http://example.gov.cn/a.html",
                                "title": "关于印发某县国土空间规划的通知", "body_with": ["制定本方案"],
                                "body_without": ["首页 导航"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_govplans("eval-extract", "--gold", str(gold), "--root", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert {"ours", "trafilatura"} <= set(report)
    assert report["ours"]["title"] == 1.0 and report["ours"]["body_recall"] == 1.0
    table = run_govplans("eval-extract", "--gold", str(gold), "--root", str(tmp_path))
    assert "body_recall" in table.stdout and "trafilatura" in table.stdout
