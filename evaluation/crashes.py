"""What tests/reliability and `python -m bench.crash_report` share: a faulty farm, crawls that
are killed at chosen moments, and the checks that nothing was lost, doubled or corrupted.

Everything runs on 127.0.0.1: the farm in this process (a thread), `govplans` in child processes.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from archive.store.index_feed import iter_index_docs

ROOT = Path(__file__).resolve().parents[1]   # the checkout: `govplans` child processes run there

# farm fault kind -> the error kinds a crawl_runs row may count it under (None: no failure to record,
# the crawler must cope with the content: slow answers, lying Content-Types, UTF-16 pages, session ids)
RECORDED_AS = {"http_500": {"http_500"}, "http_503": {"http_503"}, "too_many_requests": {"http_429"},
               "huge": {"too_large"}, "redirect_loop": {"redirect_loop"},
               "reset": {"connection_lost", "connection"}, "truncated": {"connection_lost", "connection"},
               "stall": {"connection_lost", "timeout"}, "robots": {"robots"},
               "slow": None, "binary_as_html": None, "charset_mismatch": None, "utf16": None, "session_ids": None}


def high_faults():
    """Every fault kind, on 30% of detail pages and attachments and half of the sites (faster clocks)."""
    from sitefarm.faults import Faults

    return Faults("reliability", rate=0.3, site_rate=0.5, slow_seconds=0.3, stall_seconds=1.0, retry_after=1)


# seed 1, 5 sites: legacy, hanweb, xxgk portals, and every kind of fault at least once
FAULT_WORLD = dict(sites=5, seed=1, docs_per_site=(15, 25), attachments=True)
CRASH_WORLD = dict(sites=3, seed=0, docs_per_site=(12, 18), attachments=True)


def govplans(*args: str, data: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, GOVPLANS_DATA=str(data), **(env or {}))
    return subprocess.run([sys.executable, "-m", "govplans.cli", *args], capture_output=True, text=True,
                          env=environment, cwd=ROOT, timeout=timeout)


# pages per archive-writer transaction in these crawls: a small farm's whole crawl would otherwise be
# one or two commits, and a kill point set by the count of stored documents would fall after the end
WRITER_BATCH = "4"


def start(*args: str, data: Path, env: dict | None = None) -> subprocess.Popen:
    """`govplans ARGS` in its own session (so a kill reaches its children); stderr goes to a temporary
    file (a pipe nobody reads would fill and stall the crawl), read back by `stderr_of`."""
    environment = dict(os.environ, GOVPLANS_DATA=str(data), GOVPLANS_WRITER_BATCH=WRITER_BATCH, **(env or {}))
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "govplans.cli", *args], cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    process.log = log
    return process


def stderr_of(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read().decode(errors="replace")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and every child it started (a scheduler's crawl child too)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def write_registry(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def truth_of(world, port) -> list[dict]:
    return [json.loads(json.dumps(doc, default=str)) for doc in world.truth(port)]


def servable(doc: dict) -> bool:
    """A live document a careful, polite crawler can end up with."""
    return doc["status"] != "withdrawn" and all(f["reachable"] for f in doc["faults"] if f["url"] == doc["url"])


def database(data: Path) -> str:
    return str(data / "archive.sqlite")


def query(data: Path, sql: str, *params) -> list[tuple]:
    path = database(data)
    if not os.path.exists(path):
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []


def count_documents(data: Path) -> int:
    rows = query(data, "select count(*) from documents")
    return rows[0][0] if rows else 0


# -- checks ---------------------------------------------------------------------------

@dataclass
class ArchiveCheck:
    """How the archive compares with the farm's truth, and whether its evidence reads back."""
    expected: int = 0                 # servable documents
    stored: int = 0                   # document rows
    lost: list[str] = field(default_factory=list)        # servable but not stored
    duplicated: list[str] = field(default_factory=list)  # stored more than once
    outside: list[str] = field(default_factory=list)     # stored but not in the truth / not servable
    wrong: list[str] = field(default_factory=list)       # stored with another title or date
    warc_records: int = 0             # response records read back from every WARC file
    warc_unreadable: list[str] = field(default_factory=list)  # captures whose record does not read back

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.outside or self.wrong or self.warc_unreadable)


def check_archive(data: Path, truth: list[dict]) -> ArchiveCheck:
    from archive.warc import iter_responses, read_response

    check = ArchiveCheck()
    expected = {doc["url"]: doc for doc in truth if servable(doc)}
    rows = query(data, "select url, title, published from documents")
    urls = Counter(url for url, _, _ in rows)
    check.expected, check.stored = len(expected), len(rows)
    check.duplicated = sorted(url for url, n in urls.items() if n > 1)
    check.lost = sorted(url for url in expected if url not in urls)
    check.outside = sorted(url for url in urls if url not in expected)
    check.wrong = sorted(url for url, title, published in rows if url in expected
                         and (title != expected[url]["title"] or str(published) != expected[url]["published"]))
    warc = data / "warc"
    check.warc_records = sum(1 for _ in iter_responses(warc)) if warc.exists() else 0
    for url, name, offset, digest in query(data, "select url, warc_file, warc_offset, payload_digest from captures "
                                                 "where warc_file is not null"):
        try:
            response = read_response(warc, name, offset)
        except Exception as error:  # noqa: BLE001 - any failure to read back is what is counted
            check.warc_unreadable.append(f"{url} {name}:{offset} {type(error).__name__}")
            continue
        if response.url != url:
            check.warc_unreadable.append(f"{url} {name}:{offset} holds {response.url}")
    return check


def index_ids(index_dir: Path) -> dict[int, str]:
    """doc id -> every field the index stored for it, as one comparable string."""
    from archive.index.whoosh import storage
    from archive.index.whoosh.schema import open_index

    live = storage.live_generation(index_dir)
    if live is None:
        return {}
    ix = open_index(live)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            stored = [reader.stored_fields(docnum) for docnum in reader.all_doc_ids()]
    finally:
        ix.close()
    out: dict[int, str] = {}
    for fields in stored:
        doc_id = int(fields["hit"][0])
        # an id held twice (a document indexed twice) shows as a difference from any rebuild
        out[doc_id] = repr(sorted(fields.items())) if doc_id not in out else "indexed twice"
    return out


def rebuilt_ids(data: Path, scratch: Path) -> dict[int, str]:
    """What `govplans index --rebuild` makes of the same database, in a scratch copy of the index."""
    from archive.config import DataDir
    from archive.index import rebuild
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data).database_url)
    try:
        rebuild(scratch, iter_index_docs(archive))
    finally:
        archive.close()
    return index_ids(scratch)


def random_points(seed: int, count: int, low: float, high: float) -> list[float]:
    rng = random.Random(f"crash:{seed}")
    return sorted(round(rng.uniform(low, high), 3) for _ in range(count))


def wait_for(predicate, timeout: float, process: subprocess.Popen | None = None, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(step)
    return False


# -- the farm and the crashes ---------------------------------------------------------

class PacedFarm:
    """The farm as an app that holds each answer a moment, so a crawl lasts long enough to be killed
    at many points; counts every request by target."""

    def __init__(self, world, hold: float = 0.01):
        from sitefarm.server import respond

        self.world, self.hold, self._respond = world, hold, respond
        self.asked: Counter = Counter()

    def __call__(self, request, host, attempt):
        time.sleep(self.hold)
        self.asked[host.split(":")[0] + request.path + (f"?{request.query}" if request.query else "")] += 1
        return self._respond(self.world, request, host, attempt)


def serve_paced(world, hold: float = 0.01):
    from sitefarm.server import start_app_in_thread

    farm = PacedFarm(world, hold)
    server, port = start_app_in_thread(farm)
    return server, port, farm


@dataclass
class CrashOutcome:
    target: str                        # crawler, indexer, scheduler
    seed: int
    kills: list[str] = field(default_factory=list)      # where each kill -9 landed
    exit_codes: list[int] = field(default_factory=list)  # of the restarts that ran to the end
    check: ArchiveCheck | None = None
    attachments_lost: list[str] = field(default_factory=list)
    indexed: int = 0                   # documents in the index left behind
    index_equal: bool = False          # incremental index == a rebuild from the same database
    index_diff: list[int] = field(default_factory=list)  # doc ids that differ
    errors: list[str] = field(default_factory=list)      # stderr tails of restarts that failed

    @property
    def ok(self) -> bool:
        return bool(self.check and self.check.ok and not self.attachments_lost and self.index_equal
                    and all(code == 0 for code in self.exit_codes) and not self.errors)


def attachments_lost(data: Path, truth: list[dict]) -> list[str]:
    """Attachments of stored servable documents that were reachable but never captured."""
    captured = {url for (url,) in query(data, "select url from captures where status = 200")}
    stored = {url for (url,) in query(data, "select url from documents")}
    lost = []
    for doc in truth:
        if not servable(doc) or doc["url"] not in stored:
            continue
        for attachment in doc["attachments"]:
            if all(f["reachable"] for f in doc["faults"] if f["url"] == attachment["url"]) \
                    and attachment["url"] not in captured:
                lost.append(attachment["url"])
    return lost


def compare_index(data: Path, scratch: Path, outcome: CrashOutcome) -> None:
    incremental = index_ids(data / "index")
    rebuilt = rebuilt_ids(data, scratch)
    outcome.indexed = len(incremental)
    outcome.index_diff = sorted(i for i in set(incremental) | set(rebuilt) if incremental.get(i) != rebuilt.get(i))
    outcome.index_equal = not outcome.index_diff


def _finish(outcome: CrashOutcome, process: subprocess.Popen, timeout: float = 300) -> None:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        outcome.errors.append("timed out")
        return
    outcome.exit_codes.append(process.returncode)
    if process.returncode != 0:
        outcome.errors.append(stderr_of(process)[-2000:])


def _kill_at_document(process: subprocess.Popen, data: Path, target: int, pause: float) -> str | None:
    """Kill -9 the process (group) once the archive holds `target` documents (and `pause` more seconds)."""
    if not wait_for(lambda: count_documents(data) >= target, 120, process):
        return None
    time.sleep(pause)
    if process.poll() is not None:
        return None
    kill_group(process)
    return f"{count_documents(data)} documents stored"


def crash_crawler(data: Path, sites_file: Path, truth: list[dict], seed: int, kills: int = 2) -> CrashOutcome:
    """`govplans crawl` killed -9 `kills` times at random points (the resumes too), then resumed to the end."""
    rng = random.Random(f"crawler:{seed}")
    outcome = CrashOutcome("crawler", seed)
    expected = sum(1 for doc in truth if servable(doc))
    process = start("crawl", "--sites-file", str(sites_file), data=data)
    last = max(1, expected - 3)   # room after the last kill point: the crawl must still be running then
    for kill in range(kills):
        now = count_documents(data)
        if now >= last:
            break
        # each kill in its share of what is left, so a late first kill leaves room for the next
        upper = now + max(1, (last - now) // (kills - kill))
        point = _kill_at_document(process, data, rng.randint(now + 1, upper), rng.random() * 0.05)
        if point is None:
            break
        outcome.kills.append(point)
        resume = (data / "crawl-job.json").exists()
        process = start("crawl", "--resume", data=data) if resume else \
            start("crawl", "--sites-file", str(sites_file), data=data)
    _finish(outcome, process)
    outcome.check = check_archive(data, truth)
    outcome.attachments_lost = attachments_lost(data, truth)
    compare_index(data, data.parent / f"{data.name}-rebuilt", outcome)
    return outcome


def _index_files(data: Path) -> set[str]:
    index = data / "index"
    return {str(path.relative_to(index)) for path in index.rglob("*")} if index.exists() else set()


def crash_indexer(data: Path, truth: list[dict], seed: int, kills: int = 1) -> CrashOutcome:
    """`govplans index` (and `--rebuild`) killed -9 at a random moment of their writing (once a file
    in the index directory appears or goes, 0-300 ms later), then `govplans index` run to the end."""
    rng = random.Random(f"indexer:{seed}")
    outcome = CrashOutcome("indexer", seed)
    for n in range(kills):
        args = ("index", "--rebuild") if (seed + n) % 2 else ("index",)
        before = _index_files(data)
        process = start(*args, data=data)
        wait_for(lambda: _index_files(data) != before, 60, process, step=0.005)
        moment = rng.random() * 0.3
        time.sleep(moment)
        if process.poll() is None:
            kill_group(process)
            outcome.kills.append(f"`govplans {' '.join(args)}` {moment * 1000:.0f} ms into writing")
        else:
            outcome.exit_codes.append(process.returncode)   # finished before the kill: a point not tried
    _finish(outcome, start("index", data=data))
    outcome.check = check_archive(data, truth)
    outcome.attachments_lost = attachments_lost(data, truth)
    compare_index(data, data.parent / f"{data.name}-rebuilt", outcome)
    return outcome


def crash_scheduler(data: Path, sites_file: Path, truth: list[dict], seed: int, kills: int = 1) -> CrashOutcome:
    """`govplans schedule --once` killed -9 (the scheduler alone: its crawl child must die with it) at
    random points, then run again until nothing is due."""
    rng = random.Random(f"scheduler:{seed}")
    outcome = CrashOutcome("scheduler", seed)
    expected = sum(1 for doc in truth if servable(doc))
    args = ("schedule", "--once", "--no-notify", "--sites-file", str(sites_file))
    for _ in range(kills):
        now = count_documents(data)
        if now >= expected - 1:
            break
        process = start(*args, data=data)
        target = rng.randint(now + 1, expected - 1)
        if not wait_for(lambda: count_documents(data) >= target, 120, process):
            _finish(outcome, process)
            break
        time.sleep(rng.random() * 0.05)
        os.kill(process.pid, signal.SIGKILL)              # the scheduler only, as an OOM killer would
        process.wait()
        orphans = not wait_for(lambda: not _group_alive(process.pid), 10)
        if orphans:
            outcome.errors.append("the crawl child outlived its scheduler")
        kill_group(process)
        outcome.kills.append(f"{count_documents(data)} documents stored")
    _finish(outcome, start(*args, data=data))
    outcome.check = check_archive(data, truth)
    outcome.attachments_lost = attachments_lost(data, truth)
    compare_index(data, data.parent / f"{data.name}-rebuilt", outcome)
    return outcome


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # a zombie counts as gone
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == pgid and stat[0] != "Z":
                return True
    return False
