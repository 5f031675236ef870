"""A crawl opens the archive once: every component shares one handle, the migrations run once."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = r"""
import json, sys
from archive.config import DataDir
from archive.store import database, migrations
from sitefarm.server import start_in_thread
from sitefarm.world import World

opened, migrated = [], []
init, upgrade = database.Archive.__init__, database.upgrade
database.Archive.__init__ = lambda self, *a, **k: (opened.append(1), init(self, *a, **k))[1]
database.upgrade = lambda engine: (migrated.append(1), upgrade(engine))[1]

from crawler.run import run_crawl

world = World(sites=3, seed=0, docs_per_site=(5, 8), aggregators=1)   # trs, xxgk and aggregator spiders
server, port = start_in_thread(world, port=0)
summary = run_crawl(world.registry(port), DataDir.resolve(sys.argv[1]))
server.shutdown()
print(json.dumps({"opened": len(opened), "migrated": len(migrated), "pages": summary.pages,
                  "spiders": len({s["family"] for s in world.registry(port)})}))
"""


def test_a_crawl_of_several_spiders_opens_the_archive_once(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["spiders"] > 1 and figures["pages"] > 10
    assert figures["opened"] == 1 and figures["migrated"] == 1
