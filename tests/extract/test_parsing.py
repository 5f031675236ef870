"""The small parsers: decoding, 文号, dates, 文种, year, outline, themes."""
import codecs
from datetime import date

import pytest

from archive.extract import decode, parse_date, parse_doc_number
from archive.extract.classify import doc_type, plan_year
from archive.extract.outline import outline
from archive.themes import themes_for

HTML = "<html><head>{meta}<title>政务公开</title></head><body><p>关于进一步做好政府信息公开工作的通知</p></body></html>"


def test_gbk_page_without_meta_charset_decodes():
    text, encoding = decode(HTML.format(meta="").encode("gbk"), {})
    assert "政府信息公开" in text and encoding == "gb18030"


def test_utf16_bom_page_whose_meta_says_gb2312():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    body = codecs.BOM_UTF16_LE + HTML.format(meta=meta).encode("utf-16-le")
    text, encoding = decode(body, {"content-type": "text/html; charset=gb2312"})
    assert "政府信息公开" in text and encoding == "utf-16-le"


def test_utf16_without_bom_is_sniffed():
    text, encoding = decode(HTML.format(meta="").encode("utf-16-le"), {})
    assert "政府信息公开" in text and encoding == "utf-16-le"


def test_utf8_page_declared_gb2312_decodes_as_utf8():
    meta = '<meta charset="gb2312">'
    text, encoding = decode(HTML.format(meta=meta).encode("utf-8"), {})
    assert "政府信息公开" in text and encoding == "utf-8"


def test_header_charset_used_when_bytes_fit():
    text, encoding = decode(HTML.format(meta="").encode("gb18030"), {"content-type": "text/html; charset=GBK"})
    assert "政府信息公开" in text and encoding == "gb18030"


def test_gb18030_only_characters_survive():
    text, _ = decode(HTML.format(meta='<meta charset="gb2312">').replace("通知", "通知䶮").encode("gb18030"), {})
    assert "䶮" in text


@pytest.mark.parametrize("raw, issuer, year, number", [
    ("祁政办发〔2024〕5号", "祁政办发", 2024, 5),
    ("湘政发[2019]3号", "湘政发", 2019, 3),
    ("[2016]361号", None, 2016, 361),
    ("（2023）12号", None, 2023, 12),
    ("文号：岚综管办〔2015〕149号", "岚综管办", 2015, 149),
    ("国办发［2019］第14号", "国办发", 2019, 14),
    ("根据《关于加强管理的通知》（湘政办发〔2020〕7号）要求", "湘政办发", 2020, 7),
    ("国令第707号", "国令", None, 707),
])
def test_doc_number_parts(raw, issuer, year, number):
    parsed = parse_doc_number(raw)
    assert (parsed.issuer, parsed.year, parsed.number) == (issuer, year, number)


def test_doc_number_raw_keeps_the_printed_brackets():
    assert parse_doc_number("文号：祁政办发〔2024〕5号").raw == "祁政办发〔2024〕5号"


@pytest.mark.parametrize("text", ["", None, "无", "2024年5月5日", "第5号", "根据国令第707号规定"])
def test_no_doc_number(text):
    assert parse_doc_number(text) is None


@pytest.mark.parametrize("text, expected", [
    ("2016年5月5日", date(2016, 5, 5)),
    ("发布时间：2016-05-05 10:08", date(2016, 5, 5)),
    ("2016/5/5", date(2016, 5, 5)),
    ("２０１６－０５－０５ 10∶08", date(2016, 5, 5)),
    ("2020年09月15日 09时32分", date(2020, 9, 15)),
    ("2016.05.05", date(2016, 5, 5)),
    ("二〇二四年五月二十日", date(2024, 5, 20)),
    ("二○一二年七月十八日", date(2012, 7, 18)),
    ("20230101", date(2023, 1, 1)),
    ("2016-13-01", None),
    ("2016年2月30日", None),
    ("共1234人参加", None),
    ("", None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("title, expected", [
    ("祁阳市2024年政务公开日活动实施方案", "方案"),
    ("2023年政务公开工作要点", "要点"),
    ("关于印发《2022年农产品质量安全工作计划》的通知", "通知"),
    ("国家金融监督管理总局浙江监管局行政处罚信息公开表（浙金罚决字〔2024〕52号）", "公开表"),
    ("某县2021年工作总结", "总结"),
    ("某县召开推进会", None),
])
def test_doc_type_from_title_ending(title, expected):
    assert doc_type(title) == expected


def test_plan_year_from_title_beats_publish_date():
    assert plan_year("某县2022年度工作计划", date(2021, 12, 31)) == (2022, "title:年度")
    assert plan_year("关于2022年法治工作情况暨2023年工作要点的报告", date(2023, 3, 31))[0] == 2023
    assert plan_year("关于开展消防检查的通知", date(2021, 2, 1)) == (2021, "published")


def test_outline_headings_cut_at_full_stop():
    text = "一、总体要求\n正文。\n（一）加强领导。成立工作专班。\n2.落实责任\n2024.5.1活动开始\n第二章 职责"
    assert outline(text) == ("一、总体要求", "（一）加强领导", "2.落实责任", "第二章 职责")


def test_themes_need_title_or_recurring_keywords():
    taxonomy = {"安全生产": ("安全生产",), "教育": ("学校",)}
    assert themes_for("关于安全生产的通知", "学校", taxonomy) == ("安全生产",)
    assert themes_for("通知", "学校" * 3 + "安全生产", taxonomy) == ("教育",)


def test_default_taxonomy_loads():
    assert "政务公开" in themes_for("2024年政务公开工作要点", "")
