"""Seed corpora, written for these targets (no real page is copied here).

Each seed is the bytes a target takes: for text targets a leading 0x00 (UTF-8 follows, see
`targets.text_of`); for decoding and extraction the leading byte(s) pick headers and URL.
`write(directory)` lays them out as libFuzzer expects: one file per seed, one folder per target.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="ArticleTitle" content="祁阳市2024年政务公开日活动方案"><meta name="PubDate" content="2024-05-24 10:08">
<meta name="ContentSource" content="祁阳市人民政府办公室"><meta name="SiteIDCode" content="4311210001">
<title>祁阳市2024年政务公开日活动方案_祁阳市人民政府</title></head><body>
<table class="xxgk"><tr><td>索引号：</td><td>431121-2024-00012</td><td>文号：</td><td>祁政办发〔2024〕5号</td></tr>
<tr><td>发布机构：</td><td>祁阳市人民政府办公室</td><td>成文日期：</td><td>2024年5月20日</td></tr></table>
<h1>祁阳市2024年政务公开日活动方案</h1><div class="info">发布时间：2024-05-24 来源：本网</div>
<div class="TRS_Editor"><p>各乡镇人民政府，市直各单位：</p><p>一、活动目标</p><p>（一）启动仪式</p>
<p>1. 五月举办启动仪式。</p><p>附件：<a href="./P020240524.pdf">活动安排表.pdf</a></p>
<p style="text-align:right">祁阳市人民政府办公室</p><p>二〇二四年五月二十日</p></div></body></html>"""

_HOSTILE = """<html><head><meta charset="gbk"><title>关于<script>alert(1)</script>的通知</title></head>
<body><div id="content"><p onmouseover="x()">发布日期：2024-13-45</p><svg onload="alert(1)"></svg>
<iframe src="javascript:alert(1)"></iframe><a href="http://[::1">下一页</a><a href="../../../../etc/passwd">附件.doc</a>
<style>p{width:expression(alert(1))}</style><p>文号：〔2024〕〔2024〕〔〔〔号</p>""" + "<div>" * 300 + "正文" + "</table>" * 50


def _pages() -> list[bytes]:
    utf8 = _PAGE.format(charset="utf-8").encode("utf-8")
    gbk = _PAGE.format(charset="gb2312").encode("gb18030")
    return [
        b"\x00\x00" + utf8,
        b"\x03\x10" + gbk,                                    # header says gbk, site hint on
        b"\x04\x00" + gbk,                                    # header says utf-8, bytes are GBK
        b"\x00\x00" + codecs_bom_utf16(_PAGE.format(charset="gb2312")),
        b"\x00\x00" + _PAGE.format(charset="gb2312").encode("utf-16-le"),   # UTF-16 without BOM
        b"\x06\x00" + _PAGE.format(charset="big5").encode("big5hkscs", "replace"),
        b"\x00\x02" + _HOSTILE.encode("utf-8"),
        b"\x00\x00" + _HOSTILE.encode("gb18030") + b"\xff\xfe\x81",
        b"\x00\x00<?xml version='1.0'?><datastore><totalrecord>2</totalrecord><record><![CDATA[<li>"
        b"<a href='/art/2024/5/5/art_1_2.html'>\xe9\x80\x9a\xe7\x9f\xa5</a></li>]]></record></datastore>",
        b"\x00\x00%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj",
        b"\x00\x00",
    ]


def codecs_bom_utf16(text: str) -> bytes:
    return b"\xff\xfe" + text.encode("utf-16-le")


_DOC_NUMBERS = ["祁政办发〔2024〕5号", "湘政发[2019]3号", "［2016］361号", "（2023）12号", "国令第707号",
                "文号：江政办函【2021】第 12 号", "根据祁政发〔2024〕5号文件和湘政办发〔2023〕8号",
                "〔2024〕", "〔19999〕5号", "x" * 40 + "〔2024〕" + "1" * 40 + "号", "公告 第 3 号", "第号"]
_DATES = ["2016年5月5日", "2016-05-05 10:08", "2016/5/5", "二〇二四年五月二十日", "二〇二四年十二月三十一日",
          "20240524", "2024-02-30", "1948年1月1日", "２０２４年５月２４日", "〇〇〇〇年十十月十十日",
          "发布时间：2024.5.24", "2024" * 30]
_QUERIES = ["政务公开 方案", "\"政务公开日 活动\"", "宣传月 OR 开放日", "方案 -总结", "title:实施方案",
            "year:2020-2024 region:430000 theme:政务公开 type:方案", "OR", "a OR OR b", "-", "title:",
            "\"unbalanced", "year:abc", "region:12", "-year:2024", "((", "中" * 501,
            "q\nregion\n2024\n1900\n2100\n主题\n方案\ndate\n3\nqiyang", "\n\n\n\n\n\n\n\nabc\n99999999"]
_URLS = ["http://h/a/t20240524_1.html;jsessionid=0A9F", "http://h/ins.asp?i=7&s=12&sid=9f0e",
         "http://h/list.asp?sid=1&page=2", "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\nscript:alert(1)",
         "\x01javascript:alert(1)", "data:text/html,<script>", "//evil.test/", "http://[::1", "http://[::1]:80/a",
         "index_3.html", "../../../../etc/passwd", "%2e%2e/%2e%2e/x", "http://h/?&&sid=1&&", "http://h/a?b#c",
         "ｊａｖａｓｃｒｉｐｔ:alert(1)", "http://h/a;sid=1;jsessionid=2/b", "mailto:x@y", "http:///a"]


def seeds() -> dict[str, list[bytes]]:
    text = lambda items: [b"\x00" + s.encode("utf-8") for s in items]   # noqa: E731
    pages = _pages()
    return {
        "decoding": [p[1:] for p in pages] + [b"\x02\xef\xbb\xbf\xe4\xb8\xad", b"\x0a+ADw-script+AD4-"],
        "extraction": pages,
        "docnumber": text(_DOC_NUMBERS),
        "dates": text(_DATES),
        "query": text(_QUERIES),
        "urls": text(_URLS),
    }


def write(directory: str | Path, target: str) -> Path:
    """The target's seeds as files in directory/target (libFuzzer's corpus layout)."""
    folder = Path(directory) / target
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds()[target]:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return folder
