"""The scheduler keeps one `govplans ocr --pending` child beside its crawls while scans wait."""
from __future__ import annotations

import subprocess

from archive.config import DataDir
from archive.extract import ExtractedDocument
from archive.store import Archive
from crawler import recrawls


class FakeChild:
    def __init__(self, args, **kwargs):
        self.args, self.alive = args, True
        started.append(self)

    def poll(self):
        return None if self.alive else 0


started: list[FakeChild] = []


def test_one_ocr_child_while_scans_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", FakeChild)
    monkeypatch.setattr(recrawls, "_ocr_child", None)
    data = DataDir(tmp_path).ensure()
    archive = Archive(data.database_url)
    assert recrawls.ocr_beside(data) is None                      # nothing waits: no child
    archive.ingest(ExtractedDocument(url="http://x.test/t1.html", title="t", text="详见附件。"))
    capture = archive.record_capture("http://x.test/P1.jpg", 200, {}, None)
    archive.link_attachment_capture("http://x.test/t1.html", "http://x.test/P1.jpg", capture, ocr="image")
    archive.close()
    child = recrawls.ocr_beside(data)
    assert child.args[-6:] == ["ocr", "--pending", "--workers", "1", "--data", str(data.root)]
    assert recrawls.ocr_beside(data) is child and len(started) == 1   # one at a time
    child.alive = False
    assert recrawls.ocr_beside(data) is not child                    # finished, scans still wait: again
