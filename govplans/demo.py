"""`govplans demo`: simulated portals -> crawl -> index -> UI, on one data directory it owns.

The demo owns its processes: the farm child stops with it on every signal (SIGTERM, SIGINT, SIGHUP)
and when it dies however it dies (govplans/demo_farm.py); with --stop-with-parent (make demo) the
demo itself stops when make does. A farm left on the port by an earlier demo of this data directory
is reused when it serves the same world, else stopped. The data directory remembers which world it
holds (DATA/demo-world.json: seed, site ids and the farm port its URLs carry) and refuses another,
so two worlds never mix in one archive. Both ports are checked before any work. A crawl stopped
midway is resumed by the next demo. Logs are quiet (`-v`: Scrapy's too); a bar per site shows the
crawl, and the summary counts what the archive holds.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import yaml

from archive.config import DataDir
from govplans.demo_farm import (FARM_FILE, DemoError, claim_farm_port, read_json, start_farm, stop_farm,
                                stop_pid)
from govplans.options import REGISTRY_FILE, WORLD_FILE, bind_or_fail, open_archive

DEFAULT_FARM_PORT = 8800


def farm_registry(port: int, sites: int, seed: int = 0) -> list[dict]:
    from sitefarm.world import World
    return World(sites=sites, seed=seed).registry(port)


def world_identity(sites: int, seed: int) -> dict:
    from sitefarm.world import World
    return World(sites=sites, seed=seed).identity()


# -- what the data directory remembers ---------------------------------------------------------

def demo_world(data: DataDir) -> dict | None:
    """The world a demo crawled into this data directory: {"world": {seed, day, sites}, "farm_port"}.
    A demo of an earlier version left only its registry (seed 0, day 0): read from that."""
    found = read_json(data.root / WORLD_FILE)
    if found is not None or not (data.root / REGISTRY_FILE).is_file():
        return found
    try:
        registry = yaml.safe_load((data.root / REGISTRY_FILE).read_text(encoding="utf-8")) or []
        ports = {urlsplit(site["base_url"]).port for site in registry}
        sites = [site["id"] for site in registry]
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError):
        return None
    if len(ports) != 1 or not all(site.get("farm") for site in registry):
        return None
    return {"world": {"seed": 0, "day": 0, "sites": sites}, "farm_port": ports.pop()}


def choose_farm_port(data: DataDir, identity: dict, farm_port: int | None) -> int:
    """The farm port this data directory's URLs carry; a different world or port is refused."""
    held = demo_world(data)
    if held is None:
        if (data.root / "archive.sqlite").exists() and _documents(data):
            raise DemoError(f"{data.root} holds an archive that is not a demo's: give the demo a directory of its "
                            f"own (--data DIR)")
        return farm_port or DEFAULT_FARM_PORT
    if held.get("world") != identity:
        was = held.get("world") or {}
        raise DemoError(f"{data.root} holds the demo world of seed {was.get('seed')} with "
                        f"{len(was.get('sites') or ())} sites; this one (seed {identity['seed']}, "
                        f"{len(identity['sites'])} sites) would mix with it: use another --data DIR, or the same "
                        f"--sites and --seed")
    if farm_port is not None and farm_port != held["farm_port"]:
        raise DemoError(f"the documents in {data.root} were crawled from port {held['farm_port']}; another farm "
                        f"port would add every one of them again under new URLs: use --farm-port "
                        f"{held['farm_port']} (the default here) or another --data DIR")
    return held["farm_port"]


def _documents(data: DataDir) -> int:
    from archive.read.documents import count_documents

    with open_archive(data) as archive:
        return count_documents(archive)


# -- signals ---------------------------------------------------------------------------------------

_crawling = [False]   # True while Scrapy runs the crawl (its reactor: a signal must not raise there)


@contextmanager
def stopped_by_signals():
    """SIGTERM and SIGINT end the demo (every `finally` runs: the farm stops); SIGHUP is turned into
    SIGTERM. During the crawl Scrapy's own handlers stop it cleanly once its reactor runs; a signal
    just before that stops the reactor as soon as it starts (the crawl is resumed by the next demo)."""
    def terminate(signum, _frame):
        if _crawling[0]:
            from twisted.internet import reactor

            reactor.callFromThread(_stop_reactor)
            return
        raise SystemExit(128 + signum)

    def hang_up(_signum, _frame):
        os.kill(os.getpid(), signal.SIGTERM)

    stops = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.getsignal(sig) for sig in stops}
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    signal.signal(signal.SIGHUP, hang_up)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_reactor() -> None:
    from twisted.internet import reactor

    if reactor.running:
        reactor.stop()


@contextmanager
def crawling():
    _crawling[0] = True
    try:
        yield
    finally:
        _crawling[0] = False


# -- the demo --------------------------------------------------------------------------------------

def stop_with_parent(every: float = 0.5) -> threading.Thread:
    """SIGTERM to this process when the one that started it ends: `make demo` does not pass a SIGTERM
    on to its recipe, so a demo killed through make would otherwise keep running."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def run_demo(data: DataDir, ui_port: int = 8000, farm_port: int | None = None, sites: int = 12, seed: int = 0,
             serve: bool = True, verbose: bool = False, with_parent: bool = False) -> None:
    identity = world_identity(sites, seed)
    farm_port = choose_farm_port(data, identity, farm_port)
    if serve and ui_port == farm_port:
        raise DemoError(f"the UI and the simulated portals cannot share port {ui_port}")
    listener = bind_or_fail("127.0.0.1", ui_port) if serve else None   # before any work
    try:
        with stopped_by_signals():
            if with_parent:
                stop_with_parent()
            reused, adopted = claim_farm_port(data, farm_port, identity)
            data.ensure()
            farm = None if reused else start_farm(farm_port, sites, seed, quiet=not verbose)
            try:
                if farm is not None:
                    (data.root / FARM_FILE).write_text(json.dumps({"pid": farm.pid, "port": farm_port}))
                else:
                    _say(f"reusing the simulated portals already on port {farm_port} (pid {reused})")
                (data.root / WORLD_FILE).write_text(json.dumps({"world": identity, "farm_port": farm_port}),
                                                    encoding="utf-8")
                if not crawl_and_index(data, farm_port, sites, seed, verbose):
                    _say("the crawl was stopped before it finished; `make demo` again continues it")
                    return
                if serve:
                    _serve(data, listener, ui_port, verbose)
            finally:
                if farm is not None:
                    stop_farm(farm)
                    (data.root / FARM_FILE).unlink(missing_ok=True)
                elif adopted:
                    stop_pid(reused)
                    (data.root / FARM_FILE).unlink(missing_ok=True)
    except SystemExit as stop:
        if stop.code not in (128 + signal.SIGTERM, 128 + signal.SIGINT):
            raise
        _say("stopped")
    finally:
        if listener is not None:
            listener.close()


def crawl_and_index(data: DataDir, farm_port: int, sites: int, seed: int, verbose: bool) -> bool:
    """Crawl the farm into the archive (or resume the crawl a stopped demo left), index, and say what
    the archive holds. False when the crawl was stopped before it finished."""
    from archive.clock import utcnow
    from archive.operations.indexing import pending_index, update_index
    from crawler.run import pending_job, run_crawl

    registry = farm_registry(farm_port, sites, seed)
    (data.root / REGISTRY_FILE).write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    resume = pending_job(data) is not None
    overrides = {"GOVPLANS_PROGRESS": expected_documents(data, farm_port, sites, seed)}
    if not verbose:
        overrides["LOG_LEVEL"] = "WARNING"
    _say(f"{'continuing the stopped crawl of' if resume else 'crawling'} {sites} simulated portals on "
         f"127.0.0.1:{farm_port} into {data.root}")
    with pending_index(data, utcnow()) as since:    # a crawl stopped before indexing is indexed by the next
        with crawling():
            summary = run_crawl(None if resume else registry, data, overrides=overrides, resume=resume)
        if not summary.finished:
            return False
        update_index(data, since=None if resume else since)
    held, indexed = archive_counts(data)
    _say(f"crawled {summary.sites} portals: {summary.pages} responses in {summary.seconds:.1f}s; "
         f"the archive holds {held} documents, {indexed} of them searchable")
    return True


def expected_documents(data: DataDir, farm_port: int, sites: int, seed: int) -> dict[str, list[int]]:
    """Per site: [documents the archive holds, documents the farm publishes] (the progress bars)."""
    from archive.read.export import stats
    from sitefarm.world import World

    truth: dict[str, int] = {}
    for record in World(sites=sites, seed=seed).truth(farm_port):
        if record.get("status") != "withdrawn":
            truth[record["site"]] = truth.get(record["site"], 0) + 1
    with open_archive(data) as archive:
        held = stats(archive).get("site", {})
    return {site: [held.get(site, 0), total] for site, total in truth.items()}


def archive_counts(data: DataDir) -> tuple[int, int]:
    """Documents in the archive, and in its index."""
    from archive import index
    from archive.read.documents import count_documents

    with open_archive(data) as archive:
        held = count_documents(archive)
    return held, index.doc_count(data.index_dir)


def _serve(data: DataDir, listener, port: int, verbose: bool) -> None:
    from search_ui import create_app
    from search_ui.serving import serve

    root = str(data.root)
    registry = yaml.safe_load((data.root / REGISTRY_FILE).read_text(encoding="utf-8")) or []   # for /coverage
    _say(f"open http://127.0.0.1:{port}/  (Ctrl-C stops the UI and the simulated portals)")
    serve(lambda: create_app({"DATA_DIR": root, "SERVED_HOST": "127.0.0.1", "REGISTRY": registry}), "127.0.0.1",
          port, access_log=verbose, listener=listener)


def _say(message: str) -> None:
    print(f"govplans demo: {message}", file=sys.stderr, flush=True)
