"""The WACZ of a farm crawl passes the WACZ validator and replays through pywb byte for byte.

pywb runs from .venv-pywb (scripts/install-replay-tools.sh, `make replay-tools`): without it the
replay test skips, except under CI=true."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.config import DataDir
from archive.read.replay import replay_address, replay_pages
from archive.store import Archive
from archive.warc import read_response
from govplans.commands.archive import export
from govplans.ports import free_port
from tests.conftest import ROOT

PYWB = ROOT / ".venv-pywb" / "bin"


@pytest.fixture(scope="module")
def exported(farm_crawl, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "farm.wacz"
    result = CliRunner().invoke(export, ["--format", "wacz", "--output", str(out), "--data", str(farm_crawl)],
                                env={"GOVPLANS_DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert "without a record" not in result.output       # py-wacz matched every page to its record
    archive = Archive(DataDir(farm_crawl).database_url)
    try:
        pages = list(replay_pages(archive))
    finally:
        archive.close()
    return farm_crawl, out, pages


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(path)], capture_output=True,
                          text=True, timeout=120)


def test_the_wacz_passes_the_format_validator_with_every_document_as_a_page(exported):
    _, wacz, pages = exported
    result = _validate(wacz)
    assert result.returncode == 0 and "is valid" in result.stdout, result.stdout + result.stderr
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        listed = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()]
        datapackage = json.loads(package.read("datapackage.json"))
        for resource in datapackage["resources"]:      # every file carries its digest
            assert resource["hash"] == "sha256:" + hashlib.sha256(package.read(resource["path"])).hexdigest()
    assert {"datapackage.json", "pages/pages.jsonl"} <= names
    assert any(name.startswith("indexes/index.cdx") for name in names)
    assert listed[0]["format"] == "json-pages-1.0"
    assert {(p["url"], p["title"]) for p in listed[1:]} == {(p.url, p.title) for p in pages}
    assert len(listed) - 1 == len(pages) >= 30


def test_a_site_export_holds_that_site_only_and_is_valid(exported, tmp_path):
    data, _, pages = exported
    site = pages[0].url.split("/")[2]
    archive = Archive(DataDir(data).database_url)
    with archive.engine.connect() as connection:
        site_id, = connection.exec_driver_sql("select site_id from documents where id = ?", (pages[0].doc_id,)).one()
    archive.close()
    out = tmp_path / "site.wacz"
    result = CliRunner().invoke(export, ["--format", "wacz", "-o", str(out), "--site", site_id, "--data", str(data)],
                                env={"GOVPLANS_DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert _validate(out).returncode == 0
    with zipfile.ZipFile(out) as package:
        urls = [json.loads(line).get("url") for line in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert urls and all(url.split("/")[2] == site for url in urls)
    assert len(urls) < len(pages)


def test_wacz_needs_an_output_file(exported):
    data, *_ = exported
    result = CliRunner().invoke(export, ["--format", "wacz", "--data", str(data)])
    assert result.exit_code == 2 and "--output" in result.output


@pytest.fixture(scope="module")
def pywb(exported, tmp_path_factory):
    if not (PYWB / "wayback").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pywb is required under CI=true: make replay-tools")
        pytest.skip("pywb not installed (make replay-tools)")
    _, wacz, _ = exported
    root = tmp_path_factory.mktemp("pywb")
    for step in (["init", "govplans"], ["add", "--unpack-wacz", "govplans", str(wacz)]):
        done = subprocess.run([str(PYWB / "wb-manager"), *step], cwd=root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen([str(PYWB / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/govplans"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(10)


def test_every_archived_page_replays_through_pywb_byte_for_byte(exported, pywb):
    data, _, pages = exported
    warc_dir = DataDir(data).warc_dir
    archive = Archive(DataDir(data).database_url)
    with archive.engine.connect() as connection:
        where = {url: (file, offset) for url, file, offset in connection.exec_driver_sql(
            "select d.url, c.warc_file, c.warc_offset from documents d join captures c on c.id = d.capture_id")}
    archive.close()
    for page in pages:
        # the address the document page links to: its capture's time and URL
        with urllib.request.urlopen(replay_address(pywb, page.fetched_at, page.url, raw=True), timeout=30) as answer:
            replayed = answer.read()
            assert answer.status == 200
        assert replayed == read_response(warc_dir, *where[page.url]).body, page.url
