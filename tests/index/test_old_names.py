"""An index written before the engines had packages of their own (its schema and codec pickled as
archive.index.analysis / archive.index.whoosh_backend) opens and searches as it is."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

WRITE_UNDER_OLD_NAMES = r"""
import sys
from archive.index.whoosh import old_names
from archive.index.whoosh.schema import Codec
from archive.index.whoosh.substring import SubstringPositions, SubstringText
for cls in (SubstringText, SubstringPositions):
    cls.__module__ = "archive.index.analysis"
Codec.__module__, Codec.__name__, Codec.__qualname__ = "archive.index.whoosh_backend", "_Codec", "_Codec"
from archive.index import rebuild
from evaluation.corpus import generate
rebuild(sys.argv[1], generate(30, seed=3))
"""

SEARCH = r"""
import json, sys
from archive.index import rebuild, search
from evaluation.corpus import generate
fresh = sys.argv[2]
rebuild(fresh, generate(30, seed=3))
print(json.dumps([[h.doc_id for h in search(where, word, page_size=50).hits] + [search(where, word).total]
                  for word in ("方案", "政务公开", "县") for where in (sys.argv[1], fresh)]))
"""


def test_an_index_written_under_the_old_module_names_opens_as_it_is(tmp_path):
    old = tmp_path / "old"
    wrote = subprocess.run([sys.executable, "-c", WRITE_UNDER_OLD_NAMES, str(old)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    toc = b"".join(path.read_bytes() for path in old.rglob("*.toc"))
    assert b"archive.index.analysis" in toc and b"archive.index.whoosh_backend" in toc
    found = subprocess.run([sys.executable, "-c", SEARCH, str(old), str(tmp_path / "fresh")], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr[-2000:]
    hits = json.loads(found.stdout.strip().splitlines()[-1])
    for in_old, in_fresh in zip(hits[::2], hits[1::2]):
        assert in_old == in_fresh and in_old[-1] > 0
