"""The reading commands on a demo's archive, as a newcomer runs them after `make demo`."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from govplans.cli import main
from govplans.options import width
from tests.demo.conftest import ROOT, govplans


@pytest.mark.parametrize("command", [["search", "方案"], ["stats"], ["export"], ["new", "--since", "2024-01-01"],
                                     ["saved", "list"]])
def test_a_read_command_without_an_archive_is_an_error_and_creates_nothing(tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    for data in (tmp_path / "nonexistent", empty):
        result = CliRunner().invoke(main, [*command, "--data", str(data)])
        assert result.exit_code == 1 and f"no archive in {data}" in result.output, result.output
        assert not (data / "archive.sqlite").exists()    # `stats` used to create one; `search` said "0 documents"
    assert not (tmp_path / "nonexistent").exists()


def test_sites_list_creates_no_archive(tmp_path):
    result = CliRunner().invoke(main, ["sites", "list", "--data", str(tmp_path)])
    assert result.exit_code == 0 and not (tmp_path / "archive.sqlite").exists()


@pytest.mark.parametrize("page", ["0", "-3", "99999"])
def test_a_page_that_cannot_exist_is_refused(demo, page):
    result = CliRunner().invoke(main, ["search", "方案", "--page", page, "--data", str(demo.data)])
    assert result.exit_code == 2 and "--page" in result.output


def test_the_output_says_which_page_it_is_and_a_page_past_the_end_is_an_error(demo):
    first = CliRunner().invoke(main, ["search", "", "--page", "2", "--data", str(demo.data)])
    pages = -(-demo.truth // 20)
    assert first.exit_code == 0 and first.output.splitlines()[0] == f"{demo.truth} documents, page 2 of {pages}"
    past = CliRunner().invoke(main, ["search", "", "--page", str(pages + 1), "--data", str(demo.data)])
    assert past.exit_code == 1 and f"page {pages + 1} does not exist" in past.output


def test_chinese_columns_line_up(demo):
    result = CliRunner().invoke(main, ["stats", "--data", str(demo.data)])
    rows = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len({width(line) for line in rows}) == 1, rows   # every count ends in the same terminal column
    assert any(width(line) != len(line) for line in rows)  # with Chinese names among them (湖南省)
    listing = CliRunner().invoke(main, ["search", "", "--data", str(demo.data)]).output.splitlines()
    hits = [line for line in listing[1:] if not line.startswith(" ")]
    assert len({width(line.split("  ")[0] + "  " + line.split("  ")[1]) for line in hits}) == 1


def test_years_are_listed_in_order(demo):
    output = CliRunner().invoke(main, ["stats", "--data", str(demo.data)]).output
    block = output.split("by year:\n")[1].split("\nby ")[0].splitlines()
    years = [line.split()[0] for line in block]
    assert years == sorted(years) and len(years) > 3


def test_csv_export_has_a_bom_by_default_as_the_web_has(demo):
    with_bom = CliRunner().invoke(main, ["export", "--format", "csv", "--data", str(demo.data)]).output
    without = CliRunner().invoke(main, ["export", "--format", "csv", "--no-bom", "--data", str(demo.data)]).output
    assert with_bom.startswith("\ufeffid,url,") and without.startswith("id,url,")


def test_export_into_a_closed_pipe_exits_cleanly(demo):
    export = subprocess.Popen([sys.executable, "-m", "govplans.cli", "export", "--data", str(demo.data)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    export.stdout.readline()
    export.stdout.close()                     # what `| head -1` does
    errors = export.stderr.read().decode()
    assert export.wait(timeout=60) == 0 and "Traceback" not in errors and "Broken" not in errors, errors


def test_sites_commands_know_the_demo_s_registry(demo):
    listed = govplans("sites", "list", "--data", str(demo.data), timeout=60)
    assert listed.returncode == 0 and "the demo's sites" in listed.stderr
    assert f"http://www.qiyang.gov.cn.test:{demo.farm_port}" in listed.stdout
    assert "pingtan.gov.cn" not in listed.stdout           # the real portals of crawler/sites/real.yaml
    checked = govplans("sites", "check", "qiyang", "--data", str(demo.data), timeout=60)   # the demo is not running
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert f"nothing answers at 127.0.0.1:{demo.farm_port}" in checked.stderr and "farm running" in checked.stderr


def test_sites_check_says_what_a_dns_failure_means(monkeypatch, tmp_path):
    import crawler.check

    def unresolvable(request, user_agent, test_hosts):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(crawler.check, "fetch", unresolvable)
    result = CliRunner().invoke(main, ["sites", "check", "qiyang", "--data", str(tmp_path)])
    assert result.exit_code == 1 and "gaierror" not in result.output
    assert "cannot resolve www.qiyang.gov.cn (DNS" in result.output


def test_the_registry_gives_qiyang_its_current_code():
    from crawler.registry import load_sites

    qiyang = next(site for site in load_sites(None) if site["id"] == "qiyang")
    assert qiyang["region"] == "431181"   # 祁阳县 431121 became 祁阳市 in 2021
