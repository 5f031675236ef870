"""`govplans backup` during a running crawl restores to an archive that verifies and loses no
document; a second backup copies only what is new; restore refuses a backup that does not verify."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.config import DataDir
from archive.operations.backup import BackupError, backup, check_manifest, restore
from archive.operations.verify import verify
from evaluation.crashes import (CRASH_WORLD, count_documents, query, serve_paced, start, stderr_of, wait_for,
                                write_registry)
from govplans.commands.evidence import restore as restore_command


def _documents(data: Path) -> set[str]:
    return {url for (url,) in query(data, "select url from documents")}


@pytest.fixture(scope="module")
def crawl_with_backup(tmp_path_factory):
    """A crawl of a paced farm backed up midway (and again at its end, into the same directory)."""
    from sitefarm.world import World

    world = World(**CRASH_WORLD)
    server, port, _ = serve_paced(world, hold=0.03)
    root = tmp_path_factory.mktemp("backup-crawl")
    sites_file = write_registry(root / "sites.yaml", world.registry(port))
    data = root / "data"
    process = start("crawl", "--sites-file", str(sites_file), data=data)
    try:
        assert wait_for(lambda: count_documents(data) >= 8, 120, process), stderr_of(process)[-3000:]
        midway = backup(DataDir(data), root / "backup")
        live = verify(DataDir(data), check_index=False)     # while the crawl writes on
        running = process.poll() is None
        middle = root / "backup-midway"
        shutil.copytree(root / "backup", middle)
        assert process.wait(300) == 0, stderr_of(process)[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
        server.shutdown()
    final = backup(DataDir(data), root / "backup")
    return root, data, middle, midway, final, running, live


def test_verify_during_a_crawl_finds_no_loss(crawl_with_backup):
    *_, running, live = crawl_with_backup
    assert running and not live.loss, [f for f in live.faults if f.loss][:5]
    assert live.documents >= 8


def test_a_backup_taken_during_a_crawl_restores_to_an_archive_that_verifies(crawl_with_backup, monkeypatch):
    root, data, middle, midway, _, running, _ = crawl_with_backup
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    assert running, "the crawl ended before the backup: nothing was tested"
    target = root / "restored-midway"
    figures = restore(middle, DataDir(target))
    restored = _documents(target)
    assert len(restored) >= 8 and restored <= _documents(data)
    assert figures["indexed"] == len(restored)
    report = verify(DataDir(target))
    assert report.ok, report.faults[:5]
    # the database was copied first: every document in it has its record in the copied WARC files
    assert report.lost_documents == [] and report.documents == len(restored)


def test_a_second_backup_copies_only_what_is_new_and_holds_every_document(crawl_with_backup, monkeypatch):
    root, data, _, midway, final, *_ = crawl_with_backup
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    assert final.copied_bytes < final.warc_bytes       # what the first backup copied is not copied again
    assert final.copied_bytes + midway.copied_bytes >= final.warc_bytes
    assert check_manifest(root / "backup") == []
    target = root / "restored-final"
    restore(root / "backup", DataDir(target))
    assert _documents(target) == _documents(data)
    assert verify(DataDir(target)).ok


def test_restore_refuses_a_backup_changed_since_its_manifest(crawl_with_backup, tmp_path, monkeypatch):
    root, *_ = crawl_with_backup
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    copy = tmp_path / "backup"
    shutil.copytree(root / "backup", copy)
    warc = sorted((copy / "warc").iterdir())[0]
    raw = bytearray(warc.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    warc.write_bytes(bytes(raw))
    result = CliRunner().invoke(restore_command, [str(copy), "--data", str(tmp_path / "data")])
    assert result.exit_code == 1 and "does not match its manifest" in result.output
    assert not (tmp_path / "data" / "archive.sqlite").exists()


def test_restore_refuses_a_backup_whose_records_do_not_verify(crawl_with_backup, tmp_path, monkeypatch):
    """A backup of an archive already damaged: its manifest matches, its evidence does not."""
    root, data, *_ = crawl_with_backup
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    damaged = tmp_path / "damaged"
    shutil.copytree(data, damaged)
    name, offset, length = query(damaged, "select c.warc_file, c.warc_offset, c.warc_length from documents d "
                                          "join captures c on c.id = d.capture_id limit 1")[0]
    with open(damaged / "warc" / name, "r+b") as handle:
        handle.seek(offset + length // 2)
        byte = handle.read(1)
        handle.seek(offset + length // 2)
        handle.write(bytes([byte[0] ^ 0x01]))
    backup(DataDir(damaged), tmp_path / "backup")
    assert check_manifest(tmp_path / "backup") == []
    with pytest.raises(BackupError, match="does not verify"):
        restore(tmp_path / "backup", DataDir(tmp_path / "data"))
    assert not (tmp_path / "data" / "archive.sqlite").exists()
    assert not (tmp_path / "data.restoring").exists()


def test_restore_refuses_a_data_directory_that_holds_an_archive(crawl_with_backup, monkeypatch):
    root, data, *_ = crawl_with_backup
    monkeypatch.delenv("GOVPLANS_DATABASE_URL", raising=False)
    with pytest.raises(BackupError, match="already holds an archive"):
        restore(root / "backup", DataDir(data))


def test_postgresql_backup_and_restore_through_pg_dump(postgres_url, tmp_path, monkeypatch):
    from archive.extract.document import ExtractedDocument
    from archive.store import Archive
    from archive.warc import WarcWriter

    data = DataDir(tmp_path / "data").ensure()
    monkeypatch.setenv("GOVPLANS_DATABASE_URL", postgres_url)
    archive = Archive(postgres_url)
    writer = WarcWriter(data.warc_dir)
    for n in range(3):
        url = f"http://x.test/{n}.html"
        location = writer.write(url, 200, "OK", {"Content-Type": "text/html"}, f"<h1>文件{n}</h1>".encode())
        capture = archive.record_capture(url, 200, {}, location, fetched_at=datetime(2024, 5, 2))
        archive.ingest(ExtractedDocument(url=url, title=f"文件{n}", text=f"正文{n}"), capture_id=capture)
    writer.close()
    archive.close()
    summary = backup(data, tmp_path / "backup")
    assert summary.database == "archive.pgdump" and check_manifest(tmp_path / "backup") == []
    archive = Archive(postgres_url)
    with archive.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM versions")
        connection.exec_driver_sql("DELETE FROM documents")
    archive.close()
    target = DataDir(tmp_path / "restored")
    figures = restore(tmp_path / "backup", target)
    assert figures["documents"] == 3
    report = verify(target)
    assert report.ok, report.faults
