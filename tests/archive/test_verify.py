"""`govplans verify` finds every fault planted in a farm crawl's archive, reports none on a healthy
one, and `--repair` fixes what can be fixed (the index, a row re-pointed) and marks what cannot."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import index as search_index
from archive.warc import check_file
from govplans.commands.evidence import EXIT_FAULTS, EXIT_LOSS, verify


@pytest.fixture
def data(farm_crawl, tmp_path, monkeypatch):
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    copy = tmp_path / "data"
    shutil.copytree(farm_crawl, copy)
    return copy


def _verify(data: Path, *extra: str):
    result = CliRunner().invoke(verify, ["--data", str(data), "--json", *extra])
    return result.exit_code, json.loads(result.stdout)


def _sql(data: Path, statement: str, *args):
    connection = sqlite3.connect(data / "archive.sqlite")   # foreign keys off, as a damaged file might be
    try:
        rows = connection.execute(statement, args).fetchall()
        connection.commit()
        return rows
    finally:
        connection.close()


def _document_capture(data: Path, nth: int = 0):
    """(document id, WARC file, offset, length) of one document's capture."""
    return _sql(data, "SELECT d.id, c.warc_file, c.warc_offset, c.warc_length FROM documents d "
                      "JOIN captures c ON c.id = d.capture_id ORDER BY c.warc_offset")[nth]


def test_a_healthy_archive_has_no_faults(data):
    code, report = _verify(data)
    assert code == 0, report
    assert report["ok"] and report["faults"] == [] and report["lost_documents"] == []
    assert report["documents"] >= 30 and report["indexed"] == report["documents"]
    assert report["captures"] >= report["documents"] and report["records"] > report["captures"]
    text = CliRunner().invoke(verify, ["--data", str(data)])
    assert text.exit_code == 0 and "no faults" in text.output and f"{report['documents']} documents" in text.output


def test_a_flipped_byte_in_a_record_is_found_and_its_document_marked_lost(data):
    doc_id, name, offset, length = _document_capture(data, 5)
    path = data / "warc" / name
    raw = bytearray(path.read_bytes())
    raw[offset + length // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    code, report = _verify(data)
    assert code == EXIT_LOSS
    assert report["fault_counts"]["capture_unreadable"] == 1
    assert report["fault_counts"]["record_damaged"] == 1
    assert report["lost_documents"] == [doc_id]
    dangling = sorted(f["where"].split()[0] for f in report["faults"] if f["kind"] == "document_dangling")
    assert dangling == ["document", "version"]      # the document and its one version rest on it
    code, repaired = _verify(data, "--repair")
    assert code == EXIT_LOSS and repaired["repaired"]["document_marked_lost"] == 1
    assert _sql(data, "SELECT evidence_lost_at IS NOT NULL FROM documents WHERE id = ?", doc_id) == [(1,)]
    assert repaired["fault_counts"]["evidence_lost"] == 1


def test_a_truncated_warc_file_is_found(data):
    doc_id, name, offset, length = _document_capture(data, -1)
    path = data / "warc" / name
    with open(path, "r+b") as handle:
        handle.truncate(offset + length // 2)
    code, report = _verify(data)
    assert code == EXIT_LOSS
    assert report["fault_counts"]["file_truncated"] == 1
    assert report["fault_counts"]["capture_unreadable"] == 1
    assert report["lost_documents"] == [doc_id]


def test_a_deleted_warc_file_is_found(data):
    (name,) = {row[1] for row in _sql(data, "SELECT id, warc_file FROM captures")}
    (data / "warc" / name).unlink()
    code, report = _verify(data)
    assert code == EXIT_LOSS
    assert report["fault_counts"]["file_missing"] == 1
    assert report["fault_counts"]["document_dangling"] >= report["documents"]
    assert len(report["lost_documents"]) == report["documents"]


def test_a_document_pointing_nowhere_is_found_and_repointed(data):
    doc_id, *_ = _document_capture(data, 3)
    _sql(data, "UPDATE documents SET capture_id = 999999 WHERE id = ?", doc_id)
    code, report = _verify(data)
    assert code == EXIT_LOSS
    (fault,) = [f for f in report["faults"] if f["kind"] == "document_dangling"]
    assert fault["where"] == f"document {doc_id}" and "999999 is not there" in fault["detail"]
    code, repaired = _verify(data, "--repair")
    assert code == 0, repaired
    assert repaired["repaired"]["document_repointed"] == 1
    assert _sql(data, "SELECT capture_id != 999999 FROM documents WHERE id = ?", doc_id) == [(1,)]


def test_an_index_missing_documents_is_found_and_rebuilt(data):
    ids = sorted(search_index.doc_ids(data / "index"))[:3]
    assert search_index.delete_documents(data / "index", ids) == 3
    code, report = _verify(data)
    assert code == EXIT_FAULTS and not report["loss"]
    assert sorted(f["where"] for f in report["faults"]) == sorted(f"document {i}" for i in ids)
    assert {f["kind"] for f in report["faults"]} == {"index_missing"}
    code, repaired = _verify(data, "--repair")
    assert code == 0 and repaired["indexed"] == repaired["documents"]


def test_check_file_goes_on_after_a_damaged_record(data):
    (name,) = {row[0] for row in _sql(data, "SELECT warc_file FROM captures")}
    path = data / "warc" / name
    healthy = list(check_file(path))
    raw = bytearray(path.read_bytes())
    raw[healthy[2].offset + 40] ^= 0xFF
    path.write_bytes(bytes(raw))
    damaged = list(check_file(path))
    assert [r.offset for r in damaged] == [r.offset for r in healthy]
    assert [r.offset for r in damaged if r.problem] == [healthy[2].offset]


def test_a_document_marked_lost_says_so_on_its_page(data, monkeypatch):
    from search_ui import create_app

    doc_id, name, offset, length = _document_capture(data, 2)
    path = data / "warc" / name
    raw = bytearray(path.read_bytes())
    raw[offset + length // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    assert _verify(data, "--repair")[0] == EXIT_LOSS
    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    with app.test_client() as client:
        record = client.get(f"/doc/{doc_id}.json").get_json()
        page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert record["evidence_lost_at"] is not None
    assert "存档原件已损坏或缺失" in page
