"""Where a capture is written: a small response in the reactor's thread (handing it to a pool thread
costs more in GIL hand-offs than the write itself), a large one (an attachment) in a pool thread,
and the site's earlier captures are read from the database in a pool thread, never the reactor's;
either way every response is in the WARC files, byte for byte."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import yaml

from archive.config import DataDir
from archive.warc import iter_responses

INLINE_BYTES = 7_000       # about the middle of the farm pages' sizes, so both routes carry many responses

SCRIPT = textwrap.dedent("""
    import hashlib, json, sys, threading, yaml
    from archive.config import DataDir
    from crawler.middlewares.warc import WarcCaptureMiddleware
    from crawler.run import run_crawl

    seen = []
    capture = WarcCaptureMiddleware.capture
    def recording_capture(self, request, response):
        seen.append({"url": response.url, "status": response.status, "site": request.meta.get("site_id"), "bytes": len(response.body), "sha1": hashlib.sha1(response.body).hexdigest(),
                     "reactor_thread": threading.current_thread() is threading.main_thread()})
        return capture(self, request, response)
    WarcCaptureMiddleware.capture = recording_capture
    reads = []
    read_captures = WarcCaptureMiddleware._read_captures
    def recording_read(self, site_id):
        reads.append(threading.current_thread() is threading.main_thread())
        return read_captures(self, site_id)
    WarcCaptureMiddleware._read_captures = recording_read
    run_crawl(yaml.safe_load(open(sys.argv[1])), DataDir.resolve(sys.argv[2]),
              overrides={"GOVPLANS_WARC_INLINE_BYTES": int(sys.argv[3])})
    print(json.dumps({"seen": seen, "reads": reads}))
""")


def test_small_responses_are_written_in_the_reactor_thread_large_ones_in_a_pool_thread(tmp_path, family_farm):
    world, port = family_farm
    sites = tmp_path / "sites.yaml"
    site = next(s for s in world.registry(port) if s["family"] == "trs")
    sites.write_text(yaml.safe_dump([site], allow_unicode=True), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(sites), str(tmp_path / "data"), str(INLINE_BYTES)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    seen = out["seen"]

    assert out["reads"] == [False]                          # the site's captures: read once, off the reactor
    large = [c for c in seen if c["bytes"] > INLINE_BYTES]
    small = [c for c in seen if c["bytes"] <= INLINE_BYTES]
    assert len(large) >= 5 and len(small) >= 5, (len(large), len(small))
    assert not any(c["reactor_thread"] for c in large)
    # a response that arrives before the site's captures are read goes to a pool thread to wait for them
    assert sum(c["reactor_thread"] for c in small) >= len(small) - 2

    stored = [(r.url, r.status, hashlib.sha1(r.body).hexdigest())
              for _, _, r in iter_responses(DataDir.resolve(tmp_path / "data").warc_dir)]
    assert sorted(stored) == sorted((c["url"], c["status"], c["sha1"]) for c in seen)
