"""The TRS spider on a real portal's real markup: pingtan's saved pages replayed under a .test host."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from archive.config import DataDir
from archive.store import Archive
from sitefarm.replay import Replay
from sitefarm.server import start_app_in_thread
from tests.conftest import REALDATA, run_govplans
from archive.store.index_feed import iter_documents

PINGTAN = REALDATA / "pingtan"
pytestmark = pytest.mark.skipif(not (PINGTAN / "urls.tsv").is_file(),
                                reason=f"real pages not found at {PINGTAN} (shared/realdata beside the repo)")

DETAIL_HREF = re.compile(rb'href="([^"]*t\d{8}_\d+\.s?html?)"')


def linked_and_served(replay: Replay, port: int) -> set[str]:
    """Detail URLs the replayed list pages link to and the replay can serve."""
    served = set(replay.urls(port))
    lists = [url for url in served if url.endswith("/")]
    linked = set()
    for list_url in lists:
        path = urlsplit(list_url).path
        file = replay.file_for(path) if hasattr(replay, "file_for") else None
        body = file.read_bytes() if file else _fetch(list_url)
        for href in DETAIL_HREF.findall(body):
            linked.add(urljoin(list_url, href.decode()))
    return linked & served


def _fetch(url: str) -> bytes:
    import http.client
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    connection.request("GET", parts.path, headers={"Host": parts.netloc})
    return connection.getresponse().read()


def test_trs_spider_finds_every_replayed_detail_linked_from_the_lists(tmp_path):
    replay = Replay(PINGTAN)
    server, port = start_app_in_thread(replay.respond, port=0)
    try:
        base = f"http://www.pingtan.gov.cn.test:{port}"
        columns = sorted({urlsplit(url).path for url in replay.urls(port) if url.endswith("/")})
        expected = linked_and_served(replay, port)
        assert len(expected) >= 5
        sites = tmp_path / "sites.yaml"
        sites.write_text(yaml.safe_dump([{"id": "pingtan", "name": "平潭综合实验区管委会", "region": "350128",
                                          "family": "trs", "base_url": base, "columns": columns,
                                          "farm": True}], allow_unicode=True), encoding="utf-8")
        result = run_govplans("crawl", "--sites-file", str(sites), data=tmp_path / "data")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        server.shutdown()
    archive = Archive(DataDir.resolve(tmp_path / "data").database_url)
    stored = {row.url: row for row in iter_documents(archive)}
    archive.close()
    assert expected - set(stored) == set()
    assert all(stored[url].title for url in expected)
    assert {stored[url].region_code for url in expected} == {"350128"}
