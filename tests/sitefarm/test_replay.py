"""Replay: saved pages served at their original paths under .test hosts, bytes untouched."""
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner

from sitefarm.cli import farm as farm_cli
from sitefarm.replay import Replay
from sitefarm.server import start_app_in_thread
from tests.sitefarm.conftest import FarmClient

PINGTAN = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "pingtan"
needs_realdata = pytest.mark.skipif(not (PINGTAN / "urls.tsv").is_file(),
                                    reason=f"real pages not found at {PINGTAN} (shared/realdata beside the repo)")


@pytest.fixture
def saved_site(tmp_path):
    """A two-page saved site: a GBK list linking a detail by a relative URL."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "list.html").write_bytes('<a href="./202401/t20240102_7.htm">通知</a>'.encode("gbk"))
    (tmp_path / "pages" / "detail.html").write_bytes(b"\xff\xfe" + "<p>正文</p>".encode("utf-16-le"))
    (tmp_path / "urls.tsv").write_text("url\tfile\nhttps://www.example.gov.cn/zwgk/\tpages/list.html\n"
                                       "https://www.example.gov.cn/zwgk/202401/t20240102_7.htm\tpages/detail.html\n",
                                       encoding="utf-8")
    return tmp_path


def serve(replay):
    server, port = start_app_in_thread(replay.respond, port=0)
    return server, FarmClient(port)


def test_saved_pages_are_served_byte_for_byte_at_their_paths(saved_site):
    server, client = serve(Replay(saved_site))
    try:
        status, headers, body = client.get(f"http://www.example.gov.cn.test:{client.port}/zwgk/")
        assert status == 200 and body == (saved_site / "pages" / "list.html").read_bytes()
        assert headers["Content-Type"] == "text/html"
        assert client.get(f"http://www.example.gov.cn.test:{client.port}/zwgk/index.html")[2] == body
        link = re.search(rb'href="([^"]+)"', body).group(1).decode()
        detail = client.get(urljoin(f"http://www.example.gov.cn.test:{client.port}/zwgk/", link))
        assert detail[0] == 200 and detail[2] == (saved_site / "pages" / "detail.html").read_bytes()
        assert client.get(f"http://www.example.gov.cn.test:{client.port}/zwgk/nope.htm")[0] == 404
        assert client.get(f"http://www.example.gov.cn:{client.port}/zwgk/")[0] == 404  # only the .test name
    finally:
        server.shutdown()


def test_host_option_serves_everything_under_one_name(saved_site):
    replay = Replay(saved_site, host="www.other.gov.cn.test")
    assert replay.hosts == ["www.other.gov.cn.test"]


def test_missing_file_is_reported(saved_site):
    (saved_site / "urls.tsv").write_text("url\tfile\nhttps://a.gov.cn/\tnone.html\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="none.html"):
        Replay(saved_site)


def test_cli_replay_needs_a_root():
    result = CliRunner().invoke(farm_cli, ["replay"])
    assert result.exit_code != 0 and "--root" in result.output


@needs_realdata
def test_pingtan_replays_every_saved_url_unchanged():
    replay = Replay(PINGTAN)
    assert replay.hosts == ["www.pingtan.gov.cn.test"]
    server, client = serve(replay)
    try:
        rows = [line.split("\t") for line in (PINGTAN / "urls.tsv").read_text(encoding="utf-8").splitlines()[1:]]
        for url, file in rows:
            parts = urlsplit(url)
            status, _, body = client.get(f"http://{parts.hostname}.test:{client.port}{parts.path}")
            assert status == 200 and body == (PINGTAN.parent / file).read_bytes(), url
    finally:
        server.shutdown()


@needs_realdata
def test_pingtan_lists_lead_to_replayed_details():
    replay = Replay(PINGTAN)
    server, client = serve(replay)
    try:
        followed = 0
        for list_url in [u for u in replay.urls(client.port) if u.endswith("/")]:
            page = client.get(list_url)[2]
            for href in re.findall(rb'href="(\./\d{6}/t\d{8}_\d+\.htm)"', page):
                status = client.get(urljoin(list_url, href.decode()))[0]
                followed += status == 200
        assert followed >= 5
    finally:
        server.shutdown()
