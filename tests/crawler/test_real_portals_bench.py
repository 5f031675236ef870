"""bench/real_portals.py: portals of real government pages, crawled through the whole path."""
from __future__ import annotations

import http.client
import json

import pytest
import yaml

from archive.config import DataDir
from archive.store import Archive
from archive.store.index_feed import iter_documents
from bench.real_portals import COLUMN, gold_pages, start_real_portals
from tests.conftest import REALDATA, run_govplans

pytestmark = pytest.mark.skipif(not (REALDATA / "gold.jsonl").is_file(),
                                reason=f"real pages not found at {REALDATA} (shared/realdata beside the repo)")


def _get(port: int, host: str, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": f"{host}:{port}"})
    response = connection.getresponse()
    return response.status, response.read()


def test_each_portal_serves_every_labelled_page_marked_as_its_own_in_the_page_s_encoding():
    server, registry = start_real_portals(REALDATA, sites=2)
    try:
        port = int(registry[0]["base_url"].rsplit(":", 1)[1])
        labelled = [json.loads(line) for line in (REALDATA / "gold.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        status, listing = _get(port, "real0.bench.test", COLUMN)
        assert status == 200 and listing.count(b"<li>") == len(labelled)
        for n, record in enumerate(labelled):
            original = (REALDATA / record["file"]).read_bytes()
            status, served = _get(port, "real1.bench.test", f"{COLUMN}d{n}.html")
            assert status == 200 and served.startswith(original) and served != original
            if original[:2] == b"\xff\xfe":   # a UTF-16 page stays whole in its encoding
                assert served.decode("utf-16").endswith("<!-- real1 -->")
        assert _get(port, "real0.bench.test", f"{COLUMN}d{len(labelled)}.html")[0] == 404
    finally:
        server.shutdown()


def test_a_crawl_of_the_real_portals_stores_every_page_with_its_title(tmp_path):
    server, registry = start_real_portals(REALDATA, sites=1)
    try:
        sites = tmp_path / "sites.yaml"
        sites.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        result = run_govplans("crawl", "--sites-file", str(sites), data=tmp_path / "data")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        server.shutdown()
    archive = Archive(DataDir.resolve(tmp_path / "data").database_url)
    stored = list(iter_documents(archive))
    archive.close()
    labelled = len(gold_pages(REALDATA))
    assert len(stored) == labelled
    assert sum(1 for row in stored if row.title) >= labelled - 2
