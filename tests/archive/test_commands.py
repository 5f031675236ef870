"""govplans export / stats / dedup through click's CliRunner."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from archive.extract.document import ExtractedDocument, Region
from archive.store import Archive
from archive.warc import WarcLocation
from govplans.commands.archive import dedup, export, stats

TEXT = ("为深入贯彻落实上级有关文件精神，推进政务公开，结合我县实际，制定本方案。\n一、总体要求\n"
        "坚持以人民为中心的发展思想，统筹推进政务公开日活动各项工作，确保取得实效。\n二、工作要求\n"
        "各单位要高度重视，主要负责人亲自抓，明确专人负责，确保各项工作落到实处。")


def _doc(n: int, region: Region, year: int, text: str = TEXT) -> ExtractedDocument:
    return ExtractedDocument(url=f"http://x.test/{n}.html", title=f"{region.county}{year}年政务公开日活动方案",
                             published=date(year, 5, 1), region=region, year=year, doc_type="方案",
                             themes=("政务公开",), text=text)


QIYANG = Region("湖南省", "永州市", "祁阳市", "431121")
DONGAN = Region("湖南省", "永州市", "东安县", "431122")
MINHOU = Region("福建省", "福州市", "闽侯县", "350121")


@pytest.fixture
def data(tmp_path, monkeypatch, database_url):
    """A data directory whose database is the parametrised SQLite or PostgreSQL one."""
    url = database_url
    monkeypatch.setenv("GOVPLANS_DATABASE_URL", url)
    archive = Archive(url)
    for site, region in (("qiyang", "431121"), ("dongan", "431122"), ("minhou", "350121")):
        archive.upsert_site({"id": site, "region": region, "family": "trs", "base_url": f"http://{site}.test"})
    capture = archive.record_capture("http://x.test/1.html", 200, {}, WarcLocation("a.warc.gz", 1234, 567, "sha1:ABC"),
                                     site_id="qiyang", fetched_at=datetime(2024, 5, 2, 8, 0))
    archive.ingest(_doc(1, QIYANG, 2024), site_id="qiyang", capture_id=capture, seen_at=datetime(2024, 5, 2))
    archive.ingest(_doc(2, DONGAN, 2024), site_id="dongan", seen_at=datetime(2024, 6, 2))
    archive.ingest(_doc(3, MINHOU, 2023, "另一份完全不同的文件，关于政府采购管理的若干规定，自发布之日起施行。" * 3),
                   site_id="minhou", seen_at=datetime(2024, 7, 2))
    archive.mark_withdrawn("http://x.test/3.html", when=datetime(2024, 8, 1))
    archive.close()
    return str(tmp_path)


def _lines(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_export_jsonl_carries_provenance_cluster_and_canonical_flag(data):
    records = _lines(CliRunner().invoke(export, ["--data", data]))
    assert [r["url"] for r in records] == [f"http://x.test/{n}.html" for n in (1, 2, 3)]
    first, second, third = records
    assert first["provenance"] == {"url": "http://x.test/1.html", "site": "qiyang",
                                   "captured_at": "2024-05-02T08:00:00", "http_status": 200,
                                   "warc_file": "a.warc.gz", "warc_offset": 1234, "warc_length": 567,
                                   "payload_digest": "sha1:ABC"}
    assert first["cluster"] == second["cluster"] != third["cluster"]  # county copies of one plan
    assert (first["canonical"], second["canonical"], third["canonical"]) == (True, False, True)
    assert third["withdrawn_at"] == "2024-08-01T00:00:00"


@pytest.mark.parametrize("args, expected", [
    (["--region", "430000"], [1, 2]), (["--region", "431122"], [2]), (["--region", "350100"], [3]),
    (["--year", "2023"], [3]), (["--site", "dongan"], [2]), (["--status", "withdrawn"], [3]),
    (["--since", "2024-06-01"], [2, 3]), (["--region", "430000", "--since", "2024-06-01"], [2]),
])
def test_export_filters(data, args, expected):
    records = _lines(CliRunner().invoke(export, ["--data", data, *args]))
    assert [r["id"] for r in records] == expected


def test_export_csv_has_one_row_per_document_with_provenance(data):
    result = CliRunner().invoke(export, ["--data", data, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff")   # a BOM, as /search.csv (--no-bom leaves it out)
    rows = list(csv.DictReader(io.StringIO(result.stdout[1:])))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert (rows[0]["warc_file"], rows[0]["warc_offset"], rows[0]["canonical"]) == ("a.warc.gz", "1234", "1")
    assert rows[2]["status"] == "withdrawn" and rows[2]["themes"] == "政务公开"


def test_stats_counts_by_site_province_year_theme_and_status(data):
    result = CliRunner().invoke(stats, ["--data", data, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["documents"] == 3
    assert figures["province"] == {"湖南省": 2, "福建省": 1}
    assert figures["year"] == {"2024": 2, "2023": 1}
    assert figures["status"] == {"active": 2, "withdrawn": 1}
    assert figures["theme"] == {"政务公开": 3}
    assert figures["clusters"]["with copies"] == 1
    text = CliRunner().invoke(stats, ["--data", data]).stdout
    assert "by site:" in text and "qiyang" in text


def test_dedup_rebuild_recomputes_the_same_clusters(data):
    before = {r["id"]: r["cluster"] for r in _lines(CliRunner().invoke(export, ["--data", data]))}
    result = CliRunner().invoke(dedup, ["--data", data, "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "2 clusters, 1 with copies holding 2 documents" in result.stderr
    after = {r["id"]: r["cluster"] for r in _lines(CliRunner().invoke(export, ["--data", data]))}
    assert (after[1] == after[2]) and after[1] != after[3]
    assert set(before) == set(after)
