"""`govplans extract`: one saved page in any encoding -> one JSON object; bad input -> error JSON, exit 2."""
from __future__ import annotations

import json

from click.testing import CliRunner

from govplans.cli import main

PAGE = """<html><head>{meta}<title>{title}_祁阳市人民政府</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-05-24 10:08">
</head><body><div class="top">今天是：2026年11月21日 星期六</div>
<h1>{title}</h1>
<table class="xxgk"><tr><td>索引号：</td><td>431121-0001/2024-00012</td><td>发布机构：</td><td>祁阳市人民政府办公室</td></tr>
<tr><td>文号：</td><td>祁政办发〔2024〕5号</td><td>成文日期：</td><td>2024年5月20日</td></tr></table>
<div class="TRS_Editor"><p>为深入贯彻落实政务公开工作要求，结合我市实际，制定本方案。</p>
<p>一、活动时间</p><p>2024年5月全月，集中开展政务公开日活动，各乡镇、各部门同步组织。</p>
<p>二、活动内容</p><p>（一）开展政府开放活动。邀请群众代表走进机关，面对面听取意见建议。</p>
<p>（二）开展政策解读。围绕群众关心的就业、教育、医疗等事项，组织部门负责人进行解读。</p>
<p>祁阳市人民政府办公室</p><p>2024年5月20日</p></div>
<div class="footer">主办：祁阳市人民政府 湘ICP备00000000号</div></body></html>"""

TITLE = "祁阳市2024年政务公开日活动方案"


def _run(path, url="http://www.qiyang.gov.cn.test/zwgk/202405/t20240524_1.html"):
    return CliRunner().invoke(main, ["extract", str(path), "--url", url])


def test_utf8_page_gives_title_date_and_text(tmp_path):
    page = tmp_path / "utf8.html"
    page.write_bytes(PAGE.format(meta='<meta charset="utf-8">', title=TITLE).encode("utf-8"))
    result = _run(page)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["title"] == TITLE
    assert record["published"] == "2024-05-24"
    assert "面对面听取意见建议" in record["text"]
    assert record["year"] == 2024
    assert record["doc_type"] == "方案"
    assert set(record) >= {"title", "published", "written", "agency", "doc_number", "index_number",
                           "region", "year", "doc_type", "themes", "text", "subject", "validity"}


def test_gbk_page_without_meta_charset_decodes(tmp_path):
    page = tmp_path / "gbk.html"
    page.write_bytes(PAGE.format(meta="", title=TITLE).encode("gbk"))
    record = json.loads(_run(page).output)
    assert record["title"] == TITLE
    assert "政策解读" in record["text"]


def test_missing_file_is_an_error_json_with_exit_2(tmp_path):
    result = _run(tmp_path / "nope.html")
    assert result.exit_code == 2
    assert "error" in json.loads(result.output)


def test_binary_input_is_an_error_json_not_a_traceback(tmp_path):
    page = tmp_path / "binary.html"
    page.write_bytes(bytes(range(256)) * 40)
    result = _run(page)
    assert result.exit_code == 2
    assert "error" in json.loads(result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_eval_extract_prints_ours_trafilatura_and_readability_with_bigram_f1(tmp_path):
    """Labelled pages and a full-text benchmark (ROOT/bench/immortal) scored side by side."""
    page = PAGE.format(meta='<meta charset="utf-8">', title=TITLE)
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(json.dumps(
        {"file": "a.html", "url": "http://www.qiyang.gov.cn.test/a.html", "title": TITLE,
         "body_with": ["面对面听取意见建议"], "body_without": ["湘ICP备00000000号"]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    immortal = tmp_path / "bench" / "immortal"
    (immortal / "original").mkdir(parents=True)
    (immortal / "cleaned").mkdir()
    (immortal / "original" / "1.html").write_text(page, encoding="utf-8")
    (immortal / "cleaned" / "1.txt").write_text("为深入贯彻落实政务公开工作要求，结合我市实际，制定本方案。", encoding="utf-8")
    args = ["eval-extract", "--gold", str(tmp_path / "gold.jsonl"), "--root", str(tmp_path)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"ours", "trafilatura", "readability"} <= set(report)
    for side in ("ours", "trafilatura", "readability"):
        assert report[side]["immortal_pages"] == 1 and 0 <= report[side]["immortal_bigram_f1"] <= 1
    assert report["ours"]["body_recall"] == 1.0 and report["ours"]["chrome_leak"] == 0.0
    table = CliRunner().invoke(main, args).output
    assert "readability" in table and "immortal_bigram_f1" in table
    empty = tmp_path / "no-bench"
    empty.mkdir()
    report = json.loads(CliRunner().invoke(main, [*args, "--bench", str(empty), "--json"]).output)
    assert "immortal_bigram_f1" not in report["ours"]
