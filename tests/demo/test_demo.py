"""`govplans demo` owns its processes and its data directory (the issue's double demo: a SIGTERM left
the farm running, the next demo moved it to a random port and crawled every document twice)."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest

from archive.config import DataDir
from govplans.ports import free_port, port_is_free, wait_for_port
from tests.demo.conftest import (ROOT, SITES, alive, farm_pid, govplans, start, stop, truth_count, wait_until)


def wait_for_ui(port: int) -> None:
    """The UI answers (its port is bound before the crawl, so a connection alone says nothing)."""
    import urllib.request

    wait_for_port(port, timeout=60)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json", timeout=180) as answer:
        assert answer.status == 200


def archive_figures(data) -> tuple[int, int, set[str]]:
    """Documents, searchable documents, and the host:port their URLs name."""
    from urllib.parse import urlsplit

    from archive import index
    from archive.read.export import ExportFilters, export_records
    from govplans.options import open_archive

    with open_archive(DataDir(data)) as archive:
        urls = [record["url"] for record in export_records(archive, ExportFilters())]
    return len(urls), index.doc_count(DataDir(data).index_dir), {urlsplit(url).port for url in urls}


def test_a_demo_stopped_by_sigterm_and_run_again_holds_the_world_once(tmp_path):
    """The done-when, small: demo, SIGTERM midway, demo again -> one archive of the farm's documents."""
    data, ui, farm = tmp_path / "data", free_port(), free_port()
    first = start("demo", "--sites", "2", "--port", str(ui), "--farm-port", str(farm), "--data", str(data))
    try:
        assert wait_until(lambda: farm_pid(data) is not None and (data / "crawl-job.json").exists())
        pid = farm_pid(data)
        wait_until(lambda: (data / "warc").is_dir() and any((data / "warc").iterdir()), timeout=30)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
    finally:
        output = stop(first)
    assert not alive(pid) and port_is_free(farm) and port_is_free(ui), output
    second = govplans("demo", "--no-serve", "--sites", "2", "--port", str(ui), "--data", str(data))
    assert second.returncode == 0, second.stderr[-3000:]
    truth = truth_count(2, farm)
    documents, searchable, ports = archive_figures(data)
    assert (documents, searchable, ports) == (truth, truth, {farm})
    assert f"the archive holds {truth} documents, {truth} of them searchable" in second.stderr


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_the_farm_stops_with_a_served_demo_however_it_stops(demo, stop_signal):
    ui = free_port()
    served = start("demo", "--sites", str(SITES), "--port", str(ui), "--data", str(demo.data))
    try:
        wait_for_ui(ui)
        pid = farm_pid(demo.data)
        assert pid and alive(pid)
        served.send_signal(stop_signal)
        code = served.wait(timeout=60)
        assert code == (-9 if stop_signal == signal.SIGKILL else 0)
        assert wait_until(lambda: not alive(pid), timeout=10)   # SIGKILL: the farm sees its parent go
    finally:
        stop(served)
    assert wait_until(lambda: port_is_free(demo.farm_port) and port_is_free(ui), timeout=10)


def test_a_stale_farm_of_the_same_world_is_reused_and_then_stopped(demo):
    stale = subprocess.Popen([sys.executable, "-m", "govplans.cli", "farm", "serve", "--port", str(demo.farm_port),
                              "--sites", str(SITES), "--faults", "off"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(demo.farm_port)
        (demo.data / "farm.json").write_text(json.dumps({"pid": stale.pid, "port": demo.farm_port}))
        done = govplans("demo", "--no-serve", "--sites", str(SITES), "--data", str(demo.data))
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"reusing the simulated portals already on port {demo.farm_port} (pid {stale.pid})" in done.stderr
        assert stale.wait(timeout=15) is not None          # adopted: stopped when the demo ended
        assert archive_figures(demo.data)[0] == demo.truth
    finally:
        if stale.poll() is None:
            stale.kill()


def test_a_stale_farm_of_another_world_is_stopped(tmp_path):
    port = free_port()
    stale = subprocess.Popen([sys.executable, "-m", "govplans.cli", "farm", "serve", "--port", str(port),
                              "--sites", "3", "--faults", "off"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port)
        data = tmp_path / "data"
        data.mkdir()
        (data / "farm.json").write_text(json.dumps({"pid": stale.pid, "port": port}))
        done = govplans("demo", "--no-serve", "--sites", "1", "--farm-port", str(port), "--data", str(data))
        assert done.returncode == 0, done.stderr[-3000:]
        assert stale.wait(timeout=15) is not None
        documents, _, ports = archive_figures(data)
        assert documents == truth_count(1, port) and ports == {port}
    finally:
        if stale.poll() is None:
            stale.kill()


def test_a_port_held_by_another_program_is_refused_before_any_work(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        farm_taken = govplans("demo", "--no-serve", "--farm-port", str(port), "--data", str(tmp_path / "a"), timeout=60)
        ui_taken = govplans("demo", "--port", str(port), "--farm-port", str(free_port()), "--data",
                            str(tmp_path / "b"), timeout=60)
    assert farm_taken.returncode == 1 and f"port {port} (the simulated portals') is taken" in farm_taken.stderr
    assert ui_taken.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in ui_taken.stderr
    assert not (tmp_path / "a" / "archive.sqlite").exists() and not (tmp_path / "b").exists()


def test_a_data_directory_refuses_a_second_world(demo):
    other_world = govplans("demo", "--no-serve", "--sites", str(SITES + 1), "--data", str(demo.data), timeout=60)
    assert other_world.returncode == 1 and "would mix" in other_world.stderr
    other_port = govplans("demo", "--no-serve", "--sites", str(SITES), "--farm-port", str(free_port()),
                          "--data", str(demo.data), timeout=60)
    assert other_port.returncode == 1 and f"crawled from port {demo.farm_port}" in other_port.stderr
    marker = json.loads((demo.data / "demo-world.json").read_text())
    assert marker["farm_port"] == demo.farm_port and marker["world"]["seed"] == 0


def test_a_crawled_archive_that_is_no_demo_is_not_mixed_with_one(tmp_path):
    from tests.ui.conftest import build_world

    data = build_world(tmp_path / "data")
    refused = govplans("demo", "--no-serve", "--data", str(data.root), timeout=60)
    assert refused.returncode == 1 and "not a demo's" in refused.stderr


def test_the_demo_is_quiet_and_its_summary_is_true(demo):
    lines = [line for line in demo.output.splitlines() if line.strip()]
    assert len(lines) <= 3 + SITES, lines                          # was ~570 lines: settings dumps, warnings
    assert not any("INFO" in line or "Warning" in line or "[scrapy" in line for line in lines), lines
    assert f"the archive holds {demo.truth} documents, {demo.truth} of them searchable" in demo.output
    assert f"qiyang: {demo.truth}/{demo.truth} documents" in demo.output   # the site's line (a bar on a terminal)


def test_a_demo_started_by_make_stops_when_make_is_killed(demo, tmp_path):
    """make does not pass a SIGTERM on to its recipe: the demo (make's child) watches make."""
    ui = free_port()
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"demo:\n\texec {sys.executable} -m govplans.cli demo --sites {SITES} --port {ui} "
                        f"--data {demo.data} --stop-with-parent\n")
    make = subprocess.Popen(["make", "-f", str(makefile), "demo"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_ui(ui)
        pid = farm_pid(demo.data)
        make.send_signal(signal.SIGTERM)
        make.wait(timeout=30)
        assert wait_until(lambda: port_is_free(ui) and port_is_free(demo.farm_port) and not alive(pid), timeout=60)
    finally:
        if make.poll() is None:
            make.kill()


def test_a_demo_of_an_earlier_version_is_recognised_by_its_registry(demo, tmp_path):
    """Earlier demos wrote only DATA/farm-sites.yaml: that is read as the world (seed 0) and its port."""
    from govplans.demo import demo_world

    older = tmp_path / "older"
    older.mkdir()
    (older / "farm-sites.yaml").write_text((demo.data / "farm-sites.yaml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    found = demo_world(DataDir(older))
    assert found == json.loads((demo.data / "demo-world.json").read_text())
