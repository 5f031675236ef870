"""`govplans demo`: simulated portals -> crawl -> index -> UI, on one embedded data directory."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import yaml

from archive.config import DataDir
from govplans.ports import free_port, port_is_free, wait_for_port

# portals that keep crawlers out, so /status and /coverage show what blocking looks like
DEMO_DEFENCES = "challenge_412,waf_aliyun,stub"


def start_farm(port: int, sites: int, seed: int = 0) -> subprocess.Popen:
    """The farm runs in its own process so it does not share the crawler's interpreter lock."""
    command = [sys.executable, "-m", "govplans.cli", "farm", "serve", "--port", str(port),
               "--sites", str(sites), "--seed", str(seed), "--faults", "off", "--defended", DEMO_DEFENCES]
    process = subprocess.Popen(command)
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        raise
    return process


def farm_registry(port: int, sites: int, seed: int = 0) -> list[dict]:
    from sitefarm.world import World
    return World(sites=sites, seed=seed, defended=tuple(DEMO_DEFENCES.split(","))).registry(port)


def run_demo(data: DataDir, ui_port: int = 8000, farm_port: int = 8800, sites: int = 12,
             serve: bool = True) -> None:
    from archive.operations.indexing import update_index
    from crawler.run import run_crawl

    data.ensure()
    if not port_is_free(farm_port):
        farm_port = free_port()
    farm = start_farm(farm_port, sites)
    try:
        registry = farm_registry(farm_port, sites)
        (data.root / "farm-sites.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        started = datetime.now(timezone.utc).replace(tzinfo=None)
        summary = run_crawl(registry, data)
        indexed = update_index(data, since=started)
        print(f"crawled {summary.sites} simulated portals: {summary.pages} responses in "
              f"{summary.seconds:.1f}s ({summary.pages_per_second:.0f} pages/s); {indexed} documents indexed",
              flush=True)
        if serve:
            from search_ui import create_app
            app = create_app({"DATA_DIR": str(data.root), "REGISTRY": registry})
            print(f"govplans demo: open http://127.0.0.1:{ui_port}/ (Ctrl-C stops)", flush=True)
            app.run(host="127.0.0.1", port=ui_port, threaded=True)
    finally:
        farm.terminate()
        farm.wait(timeout=10)
