"""A process that goes on after a crawl (demo, schedule) still stops on SIGTERM and Ctrl-C."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import yaml


SCRIPT = textwrap.dedent("""
    import os, signal, sys, time, yaml
    from archive.config import DataDir
    from crawler.run import run_crawl

    run_crawl(yaml.safe_load(open(sys.argv[1])), DataDir.resolve(sys.argv[2]))
    print("crawled", flush=True)
    os.kill(os.getpid(), getattr(signal, sys.argv[3]))
    time.sleep(30)
    print("still running", flush=True)
""")


def _crawl_then_signal(tmp_path, family_farm, name: str) -> subprocess.CompletedProcess:
    world, port = family_farm
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump(world.registry(port)[:1], allow_unicode=True), encoding="utf-8")
    return subprocess.run([sys.executable, "-c", SCRIPT, str(sites), str(tmp_path / "data"), name],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_sigterm_after_a_crawl_ends_the_process(tmp_path, family_farm):
    result = _crawl_then_signal(tmp_path, family_farm, "SIGTERM")
    assert "crawled" in result.stdout and "still running" not in result.stdout, result.stderr[-2000:]
    assert result.returncode == -signal.SIGTERM


def test_ctrl_c_after_a_crawl_raises_keyboard_interrupt(tmp_path, family_farm):
    result = _crawl_then_signal(tmp_path, family_farm, "SIGINT")
    assert "crawled" in result.stdout and "still running" not in result.stdout, result.stderr[-2000:]
    assert "KeyboardInterrupt" in result.stderr
