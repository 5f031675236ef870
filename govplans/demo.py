"""`govplans demo`: simulated portals -> crawl -> index -> UI, on one data directory it owns.

The demo owns its processes: the farm child stops with it on every signal (SIGTERM, SIGINT, SIGHUP)
and when it dies however it dies (the kernel's parent-death signal, and the farm watching its
parent); with --stop-with-parent (make demo) the demo itself stops when make does. A farm left on the port by an earlier demo of this data directory (DATA/farm.json) is
reused when it serves the same world, else stopped. The data directory remembers which world it
holds (DATA/demo-world.json: seed, site ids and the farm port its URLs carry) and refuses another,
so two worlds never mix in one archive. Both ports are checked before any work. A crawl stopped
midway is resumed by the next demo. Logs are quiet (`-v`: Scrapy's too); a bar per site shows the
crawl, and the summary counts what the archive holds.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import yaml

from archive.config import DataDir
from govplans.options import REGISTRY_FILE, WORLD_FILE, bind_or_fail, open_archive
from govplans.ports import port_is_free, wait_for_port

FARM_FILE = "farm.json"           # the farm process a demo of this data directory started
DEFAULT_FARM_PORT = 8800
PR_SET_PDEATHSIG = 1


class DemoError(RuntimeError):
    """Something the person running the demo must decide (a port taken, another world in DATA)."""


def _die_with_parent() -> None:   # runs in the farm child between fork and exec (Linux)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass   # not Linux: the farm's own watch of its parent still stops it


def start_farm(port: int, sites: int, seed: int = 0, quiet: bool = False) -> subprocess.Popen:
    """The farm in its own process (it does not share the crawler's interpreter lock), stopping when
    this process goes away."""
    command = [sys.executable, "-m", "govplans.cli", "farm", "serve", "--port", str(port), "--sites", str(sites),
               "--seed", str(seed), "--faults", "off", "--parent", str(os.getpid())]
    process = subprocess.Popen(command, preexec_fn=_die_with_parent, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL if quiet else None,
                               stderr=subprocess.DEVNULL if quiet else None)
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        raise
    return process


def stop_farm(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def farm_registry(port: int, sites: int, seed: int = 0) -> list[dict]:
    from sitefarm.world import World
    return World(sites=sites, seed=seed).registry(port)


def world_identity(sites: int, seed: int) -> dict:
    from sitefarm.world import World
    return World(sites=sites, seed=seed).identity()


# -- what the data directory remembers ---------------------------------------------------------

def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def demo_world(data: DataDir) -> dict | None:
    """The world a demo crawled into this data directory: {"world": {seed, day, sites}, "farm_port"}."""
    return read_json(data.root / WORLD_FILE)


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


def farm_on(port: int) -> dict | None:
    """The identity of the govplans farm listening on `port` (with its pid), or None."""
    from sitefarm.server import IDENTITY_PATH

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{IDENTITY_PATH}", timeout=3) as answer:
            found = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and "pid" in found else None


def claim_farm_port(data: DataDir, port: int, identity: dict) -> tuple[int | None, bool]:
    """Make `port` ready for this demo's farm: (None, False) when it is free (start one); (pid, ours)
    of a farm of this world already there, to reuse (ours: a stale farm this data directory's demo
    started, which this demo now stops when it ends). A stale farm of ours serving another world is
    stopped; anything else on the port is an error."""
    if port_is_free(port):
        return None, False
    found = farm_on(port)
    if found is None:
        raise DemoError(f"port {port} (the simulated portals') is taken by another program: stop it, or run the "
                        f"demo in a new --data DIR with --farm-port PORT")
    pid = found.pop("pid")
    ours = (read_json(data.root / FARM_FILE) or {}).get("pid") == pid
    if found == identity:
        return pid, ours
    if not ours:
        raise DemoError(f"port {port} is held by another farm (pid {pid}, seed {found.get('seed')}, "
                        f"{len(found.get('sites') or ())} sites) that this demo did not start: stop it first")
    _stop_pid(pid)
    if not port_is_free(port):
        raise DemoError(f"port {port} is still taken after stopping the old farm (pid {pid})")
    return None, False


def _stop_pid(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


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
                    _stop_pid(reused)
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
    _say(f"open http://127.0.0.1:{port}/  (Ctrl-C stops the UI and the simulated portals)")
    serve(lambda: create_app({"DATA_DIR": root, "SERVED_HOST": "127.0.0.1"}), "127.0.0.1", port,
          access_log=verbose, listener=listener)


def _say(message: str) -> None:
    print(f"govplans demo: {message}", file=sys.stderr, flush=True)
