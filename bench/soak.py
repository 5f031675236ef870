"""The UI soak: 50 wrk clients for 5 minutes on a 100k-document archive while a crawl ingests into it.

    python -m bench.soak [--docs 100000] [--seconds 300] [--connections 50] [--data DIR] [--processes 1]
                         [--warmup 420] [--max-slope MB_PER_MIN] [--max-growth 50]

The archive is bench/ui_load.py's (bench/suite.py stages `prepare` and `index.ours`: farm truth
documents bulk-loaded into SQLite and indexed), built once in --data DIR (DIR/data is the govplans
data directory, DIR/records.jsonl its documents) and reused when DIR already holds one.

While the load runs, everything shares that one data directory, as in production:
  - `govplans serve` (what operators run; page cache on) answers wrk's 50 connections, which rotate
    over a few thousand URLs: searches from bench/ui_load.py's generator (words of the archive's
    titles, with year, region, type and theme filters, pages 2-3, by date), their JSON and Atom
    forms, searches filtered on the sites being crawled (their answers change as documents land),
    document pages and their JSON, and the status page;
  - a sitefarm (`govplans farm serve`) holds the archive's sites plus farm sites the archive does not
    have yet, and `govplans crawl` runs over those new sites a few at a time, one crawl after another
    until the load ends: every crawl writes the archive (SQLite, WAL) and then commits its documents
    to the Whoosh index (the crawl's incremental index update) while the server reads both;
  - after every crawl, its sites' documents are counted through the running server
    (/search.json?site=…), so "new documents became searchable while the UI served" is measured, and
    at the end every crawled document's id is looked for in its site's search results, and a sample
    of them is searched by title and has its page fetched.
  - the server's RSS (with its children when --processes > 1) is sampled every --sample-every seconds.

Prints requests, errors + non-2xx (wrk's and the server log's), req/s, p50/p95/p99, RSS at start /
middle / end and its slope over the second half, documents ingested and whether they became
searchable, as a table and one JSON line. Exits 1 when a request failed, a crawl failed, the server
logged an error, a crawled document was not searchable, or memory grew beyond the bounds
(--max-growth MB from the first half to the second, of the mean and of the peak RSS; --max-slope
MB/min over the second half when given). The measured window follows --warmup seconds of the same load and crawling, so that the
server's bounded caches (256 MB of decoded postings, 256 rendered pages) are full when it starts.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ui_load import WRK_SCRIPT, build, search_urls, stop_process  # noqa: E402  (the same archive, URLs and Lua script)

# bounds a passing soak stays within (the defaults; see --max-slope / --max-growth)
MAX_SLOPE_MB_PER_MIN = None    # slope over the second half: printed, a bound only when asked for. RSS is a
                               # sawtooth (each index commit frees the old state), so a slope over part of
                               # the run measures where the teeth fall, not a leak
MAX_GROWTH_MB = 50.0           # second half minus first half, of the mean and of the peak RSS
WARMUP_S = 420                 # unmeasured load first, until the server's bounded caches are full: in a 15-min
                               # soak (50 clients, 2 processes, 100k docs) RSS levelled off after about 6 min


@dataclass
class Crawl:
    n: int
    sites: list[str]
    started: float                 # seconds since the load started
    ended: float | None = None
    returncode: int | None = None
    docs: int = 0                  # documents of its sites in the archive after it
    searchable: int | None = None  # of them, found through the server right after it
    probe_s: float | None = None   # seconds from the crawl's end to the answer
    tail: str = ""


@dataclass
class Soak:
    """What the threads beside wrk collect."""
    t0: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    rss: list[tuple[float, float, int]] = field(default_factory=list)   # (s, MB, processes)
    crawls: list[Crawl] = field(default_factory=list)
    crawled_sites: list[str] = field(default_factory=list)
    probe_errors: list[str] = field(default_factory=list)
    heavy: list[tuple] = field(default_factory=list)   # (s, path, seconds, status) of timed heavy pages

    def now(self) -> float:
        return time.monotonic() - self.t0


# --- the archive ---------------------------------------------------------------------------------

def slim_records(work: Path, docs: int, limit: int = 40_000) -> list[dict]:
    """The fields search_urls reads, of every k-th record, at most about `limit` (100k records are
    230 MB of JSON; a sample gives the same vocabulary)."""
    step = max(1, docs // limit)
    out = []
    with open(work / "records.jsonl", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % step:
                continue
            r = json.loads(line)
            out.append({"title": r.get("title"), "year": r.get("year"),
                        "region": {"code": (r.get("region") or {}).get("code")},
                        "doc_type": r.get("doc_type"), "themes": r.get("themes") or []})
    return out


def connect(data: Path) -> sqlite3.Connection:
    """A read-only connection to the archive (WAL: it never blocks the crawl's writes)."""
    db = sqlite3.connect(f"file:{data / 'archive.sqlite'}?mode=ro", uri=True, timeout=60, check_same_thread=False)
    db.execute("PRAGMA busy_timeout=60000")
    return db


def farm_plan(db: sqlite3.Connection, docs: int, seed: int, extra: int, port: int) -> tuple[int, list[dict]]:
    """(farm size, the registry entries of the farm sites the archive does not hold yet, in farm
    order, for a farm on `port`). The farm's worlds are
    prefixes of one another, so World(sites=k + extra) holds every site of the archive's own world
    and `extra` more; sites a previous soak crawled into this archive are skipped."""
    from archive import regions
    from evaluation.farm import sites_for
    from sitefarm.world import World

    known = {row[0] for row in db.execute("SELECT id FROM sites")}
    base = sites_for(docs, seed)
    size = base + extra
    while True:
        size = min(size, len(regions.all_counties()))
        fresh = [e for e in World(sites=size, seed=seed).registry(port) if e["id"] not in known]
        if len(fresh) >= extra or size == len(regions.all_counties()):
            return size, fresh
        size += extra - len(fresh)


# --- the load ------------------------------------------------------------------------------------

def rotation(records: list[dict], db: sqlite3.Connection, crawl_sites: list[dict], n: int, seed: int) -> list[str]:
    """`n` URLs: mostly search pages (some as JSON or Atom), searches over the sites being crawled,
    document pages and their JSON, the status page."""
    rng = random.Random(seed)
    searches = search_urls(records, int(n * 0.8), seed)
    paths = []
    for url in searches:
        roll = rng.random()
        if roll < 0.12:
            url = url.replace("/search?", "/search.json?", 1)
        elif roll < 0.16:
            url = url.replace("/search?", "/search.atom?", 1)
        paths.append(url)
    for site in crawl_sites[:60]:   # answers that change with every crawl (and the page cache's keys with them)
        paths.append("/search?" + urlencode({"site": site["id"]}, quote_via=quote))
        paths.append("/search.json?" + urlencode({"region": site["region"], "sort": "date"}, quote_via=quote))
    ids = [row[0] for row in db.execute("SELECT id FROM documents ORDER BY random() LIMIT ?", (n // 5,))]
    for doc_id in ids:
        paths.append(f"/doc/{doc_id}.json" if rng.random() < 0.2 else f"/doc/{doc_id}")
    paths += ["/status", "/"] * max(1, n // 500)
    rng.shuffle(paths)
    return paths


WRK_TIMEOUT_S = 30


def run_wrk(port: int, script: Path, connections: int, seconds: int) -> dict:
    """wrk -t2 as bench/ui_load.py runs it, plus what its report says beside the script's JSON line:
    socket errors by kind and the slowest request."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{WRK_TIMEOUT_S}s",
                          "-s", str(script), f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    raw = json.loads(lines[-1])
    kinds = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out.stdout)
    counts = map(int, kinds.groups() if kinds else "0000")   # wrk prints the line only when one is not 0
    raw["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), counts))
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out.stdout)
    raw["max_latency"] = latency.group(1) if latency else None
    raw["report"] = "\n".join(lines[:-1])
    return raw


def get(port: int, path: str, timeout: float = 120) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def child_env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name in ("GOVPLANS_DATABASE_URL", "GOVPLANS_SEARCH_URL", "GOVPLANS_DATA"):
        env.pop(name, None)   # everything on the data directory given
    return env


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (the forked servers of --processes N)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += parents.get(p, [])
    return tree


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def sample_memory(soak: Soak, pid: int, every: float, port: int, heavy_every: float = 30.0) -> None:
    """RSS every `every` seconds; every `heavy_every` seconds, how long the heaviest page (/status:
    every site with its last run) takes under the load."""
    next_heavy = heavy_every / 2
    while not soak.stop.is_set():
        pids = process_tree(pid)
        soak.rss.append((soak.now(), rss_mb(pids), len(pids)))
        if soak.now() >= next_heavy:
            next_heavy += heavy_every
            threading.Thread(target=time_page, args=(soak, port, "/status"), daemon=True).start()
        soak.stop.wait(every)


def time_page(soak: Soak, port: int, path: str) -> None:
    t = time.perf_counter()
    try:
        status = get(port, path)[0]
    except OSError as error:
        status = str(error)
    soak.heavy.append((round(soak.now()), path, round(time.perf_counter() - t, 2), status))


def site_counts(db: sqlite3.Connection, sites: list[str]) -> dict[str, int]:
    if not sites:
        return {}
    marks = ",".join("?" * len(sites))
    found = dict(db.execute(f"SELECT site_id, count(*) FROM documents WHERE site_id IN ({marks}) "
                            f"AND status != 'withdrawn' GROUP BY site_id", sites).fetchall())
    return {s: found.get(s, 0) for s in sites}


def ui_total(port: int, params: dict) -> int:
    status, body = get(port, "/search.json?" + urlencode(params, quote_via=quote))
    if status != 200:
        raise RuntimeError(f"/search.json?{urlencode(params)}: HTTP {status}")
    return json.loads(body)["total"]


def crawl_loop(soak: Soak, work: Path, data: Path, sites: list[dict], per_crawl: int,
               ui_port: int, db: sqlite3.Connection, deadline: float) -> None:
    """Crawl `per_crawl` new sites (registry entries) at a time, one crawl after another, until
    `deadline` (seconds since the load started); after each, ask the server for what it stored."""
    import yaml

    logs = work / "soak-logs"
    logs.mkdir(exist_ok=True)
    n = 0
    while soak.now() < deadline and not soak.stop.is_set() and n * per_crawl < len(sites):
        batch = sites[n * per_crawl:(n + 1) * per_crawl]
        n += 1
        ids = [e["id"] for e in batch]
        sites_file = logs / f"crawl-{n}.yaml"
        sites_file.write_text(yaml.safe_dump(batch, allow_unicode=True), encoding="utf-8")
        crawl = Crawl(n, ids, soak.now())
        soak.crawls.append(crawl)
        soak.crawled_sites += ids
        with open(logs / f"crawl-{n}.log", "w") as log:
            process = subprocess.run([sys.executable, "-m", "govplans.cli", "crawl", "--sites-file", str(sites_file),
                                      "--data", str(data)], cwd=ROOT, env=child_env(), stdout=log,
                                     stderr=subprocess.STDOUT)
        crawl.ended, crawl.returncode = soak.now(), process.returncode
        crawl.tail = "\n".join((logs / f"crawl-{n}.log").read_text(errors="replace").strip().splitlines()[-3:])
        counts = site_counts(db, ids)
        crawl.docs = sum(counts.values())
        try:
            crawl.searchable = sum(ui_total(ui_port, {"site": s}) for s in ids)
            crawl.probe_s = soak.now() - crawl.ended
        except Exception as error:   # noqa: BLE001  (reported, and fails the soak)
            soak.probe_errors.append(f"after crawl {n}: {error}")
        log_line(f"  crawl {n} ({', '.join(ids)}): {crawl.ended - crawl.started:.0f} s, exit {crawl.returncode}, "
                 f"{crawl.docs} docs stored, {crawl.searchable} searchable "
                 f"[t={crawl.ended:.0f} s, RSS {soak.rss[-1][1] if soak.rss else 0:.0f} MB]")


def final_check(port: int, db: sqlite3.Connection, sites: list[str], sample: int, seed: int) -> dict:
    """Every document of every crawled site listed by the server's search (/search.json?site=…, page by
    page: the ids, not only the count); a sample of them found by their own titles (among titles no
    other crawled document shares) and their pages served."""
    marks = ",".join("?" * len(sites)) if sites else "''"
    rows = db.execute(f"SELECT d.id, d.site_id, d.title, s.name FROM documents d JOIN sites s ON s.id = d.site_id "
                      f"WHERE d.site_id IN ({marks}) AND d.status != 'withdrawn'", sites).fetchall()
    stored: dict[str, set[int]] = {site: set() for site in sites}
    for doc_id, site, _, _ in rows:
        stored[site].add(doc_id)
    missing, listed = {}, 0
    for site in sites:
        found: set[int] = set()
        page = 1
        while True:
            status, body = get(port, "/search.json?" + urlencode({"site": site, "page": page}, quote_via=quote))
            view = json.loads(body) if status == 200 else {"hits": [], "pages": 0}
            found.update(h["id"] for h in view["hits"])
            if status != 200 or page >= view["pages"]:
                break
            page += 1
        listed += len(found & stored[site])
        if found != stored[site]:
            missing[site] = {"stored": len(stored[site]), "searchable": len(found & stored[site]),
                             "not_found": sorted(stored[site] - found)[:5], "unknown": sorted(found - stored[site])[:5]}
    titles: dict[str, int] = {}
    for _, _, title, _ in rows:
        titles[title] = titles.get(title, 0) + 1
    distinctive = [r for r in rows if titles[r[2]] == 1 and r[2] != r[3]]
    picked = random.Random(seed).sample(distinctive, min(sample, len(distinctive)))
    found_by_title, pages_ok, not_found = 0, 0, []
    for doc_id, site, title, _ in picked:
        words = re.sub(r"[^\w]+", " ", title or "").strip()
        status, body = get(port, "/search.json?" + urlencode({"q": words, "site": site}, quote_via=quote))
        ids = [h["id"] for h in json.loads(body)["hits"]] if status == 200 else []
        if doc_id in ids:
            found_by_title += 1
        else:
            not_found.append({"id": doc_id, "title": title, "status": status})
        pages_ok += get(port, f"/doc/{doc_id}")[0] == 200
    return {"stored": len(rows), "searchable": listed, "sites_mismatched": missing,
            "titles_sampled": len(picked), "titles_found": found_by_title, "titles_not_found": not_found[:5],
            "doc_pages_ok": pages_ok,
            # an extraction figure, not a failure: pages whose title came out as the portal's name
            "titles_equal_site_name": sum(1 for r in rows if r[2] == r[3])}


STATUS = re.compile(r'HTTP/[\d.]+" (\d{3}) ')
ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|NotFound|Timeout)\w*)(?::|$)")


def server_log_figures(path: Path) -> dict:
    """Statuses of every request the server logged, its tracebacks, and the exceptions they end in."""
    statuses: dict[str, int] = {}
    tracebacks = 0
    exceptions: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        line = ANSI.sub("", line)
        m = STATUS.search(line)
        if m:
            statuses[m.group(1)] = statuses.get(m.group(1), 0) + 1
            continue
        if line.startswith("Traceback") or "database is locked" in line:
            tracebacks += 1
        m = EXCEPTION.match(line.strip())
        if m:
            kind = line.strip()[:200]
            exceptions[kind] = exceptions.get(kind, 0) + 1
    first = sorted(exceptions.items(), key=lambda kv: -kv[1])[:8]
    return {"statuses": dict(sorted(statuses.items())), "error_lines": tracebacks + sum(exceptions.values()),
            "tracebacks": tracebacks, "first_errors": [f"{n} x {kind}" for kind, n in first]}


def slope_mb_per_min(points: list[tuple[float, float, int]]) -> float:
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] / 60 for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


# --- the run -------------------------------------------------------------------------------------

def run_soak(work: Path, docs: int = 100_000, seconds: int = 300, connections: int = 50, processes: int = 1,
             urls: int = 3000, sites_per_crawl: int = 2, sample_every: float = 5.0, check_docs: int = 30,
             seed: int = 0, max_slope: float | None = MAX_SLOPE_MB_PER_MIN, max_growth: float = MAX_GROWTH_MB,
             warmup: int = 0) -> dict:
    """The whole soak; returns its figures (with `ok` and the reasons it is not).

    warmup: seconds of the same load (and crawling) first, not measured: the server's bounded caches
    (decoded postings, 256 MB; rendered pages; facet columns) fill, so the measured RSS is the steady state."""
    from govplans.demo import start_farm
    from govplans.ports import free_port, wait_for_port

    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (sh scripts/install-bench-tools.sh)")
    work = Path(work)
    started = time.perf_counter()
    data = build(work, docs, seed)
    build_s = time.perf_counter() - started
    db = connect(data)
    docs_before = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    ui_port, farm_port = free_port(), free_port()
    farm_size, fresh = farm_plan(db, docs, seed, extra=max(8, (warmup + seconds) // 2), port=farm_port)
    log_line(f"soak: {docs_before} documents in {data} (ready in {build_s:.0f} s); farm of {farm_size} sites, "
             f"{len(fresh)} not in the archive yet")
    paths = rotation(slim_records(work, docs), db, fresh, urls, seed)
    script = work / "soak.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))

    server_log = work / "soak-server.log"
    soak = Soak()
    farm = server = None
    threads: list[threading.Thread] = []
    try:
        with open(server_log, "w") as out:
            server = subprocess.Popen([sys.executable, "-m", "govplans.cli", "serve", "--data", str(data), "--port",
                                       str(ui_port), "--processes", str(processes)], cwd=ROOT, env=child_env(),
                                      stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(ui_port, timeout=180)
        farm = start_farm(farm_port, farm_size, seed)
        for path in paths[:30]:   # searchers opened, facet columns loaded, templates compiled
            get(ui_port, path)
        log_line(f"soak: {connections} connections for {warmup} s of warm-up + {seconds} s over {len(paths)} URLs "
                 f"on 127.0.0.1:{ui_port}, crawling {sites_per_crawl} sites at a time from the farm on "
                 f"127.0.0.1:{farm_port}")
        load_before = os.getloadavg()
        soak.t0 = time.monotonic()
        threads = [threading.Thread(target=sample_memory, args=(soak, server.pid, sample_every, ui_port), daemon=True),
                   threading.Thread(target=crawl_loop, args=(soak, work, data, fresh, sites_per_crawl,
                                                             ui_port, db, warmup + seconds), daemon=True)]
        for thread in threads:
            thread.start()
        warm = {"requests": 0, "errors": 0, "non_2xx": 0}
        if warmup:
            warm = run_wrk(ui_port, script, connections, warmup)
            log_line(f"soak: warm-up done ({warm['requests']} requests, {warm['errors'] + warm['non_2xx']} errors, "
                     f"p95 {warm['p95_us'] / 1000:.0f} ms); measuring {seconds} s ...")
        measured_at = soak.now()
        docs_at_start = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        raw = run_wrk(ui_port, script, connections, seconds)
        load_after = os.getloadavg()
        under_load = [(t - measured_at, mb, n) for t, mb, n in soak.rss if measured_at <= t <= measured_at + seconds]
        docs_during = db.execute("SELECT count(*) FROM documents").fetchone()[0] - docs_at_start
        log_line(f"soak: load done after {soak.now():.0f} s; waiting for the last crawl ...")
        threads[1].join(timeout=600)
        soak.stop.set()
        threads[0].join(timeout=30)
        check = final_check(ui_port, db, soak.crawled_sites, check_docs, seed)
        docs_after = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        soak.stop.set()
        for process in (server, farm):
            if process is not None:
                stop_process(process)
        db.close()
    logged = server_log_figures(server_log)

    half = [p for p in under_load if p[0] >= seconds / 2]
    window = max(2 * sample_every, min(30.0, seconds / 6))   # RSS at a moment: the median of the samples around it

    def around(lo: float, hi: float) -> float:
        values = [mb for t, mb, _ in under_load if lo <= t <= hi]
        return statistics.median(values) if values else 0.0

    rss = {"before_warmup_mb": soak.rss[0][1] if soak.rss else 0, "start_mb": around(0, window),
           "middle_mb": around(seconds / 2 - window / 2, seconds / 2 + window / 2),
           "end_mb": around(seconds - window, seconds), "max_mb": max((p[1] for p in under_load), default=0),
           "slope_mb_per_min_2nd_half": slope_mb_per_min(half), "samples": len(under_load), "window_s": window,
           "processes": max((p[2] for p in under_load), default=0)}
    first = [mb for t, mb, _ in under_load if t < seconds / 2]
    second = [mb for _, mb, _ in half]
    # RSS is a sawtooth (an index commit releases the previous state's searchers and columns): the
    # halves' means compare whole cycles, wherever the samples fall in them
    rss["mean_1st_half_mb"] = statistics.mean(first) if first else 0.0
    rss["mean_2nd_half_mb"] = statistics.mean(second) if second else 0.0
    rss["min_max_1st_half_mb"] = [min(first, default=0), max(first, default=0)]
    rss["min_max_2nd_half_mb"] = [min(second, default=0), max(second, default=0)]
    rss["growth_2nd_half_mb"] = rss["mean_2nd_half_mb"] - rss["mean_1st_half_mb"]
    rss["peak_growth_mb"] = max(second, default=0) - max(first, default=0)
    crawls = soak.crawls
    end = measured_at + seconds
    busy = sum(max(0.0, min(c.ended or end, end) - max(c.started, measured_at)) for c in crawls)
    probes = [c for c in crawls if c.searchable is not None]
    figures = {
        "docs": docs_before, "seconds": seconds, "warmup_s": warmup, "connections": connections, "processes": processes,
        "urls": len(paths), "requests": raw["requests"], "req_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
        "warmup_requests": warm["requests"], "warmup_errors": warm["errors"] + warm["non_2xx"],
        "mean_ms": raw["mean_us"] / 1000, "max_latency": raw["max_latency"], "socket_errors": raw["errors"],
        "socket_errors_by_kind": raw["socket_errors"], "wrk_timeout_s": WRK_TIMEOUT_S, "non_2xx": raw["non_2xx"],
        "server_statuses": logged["statuses"], "server_error_lines": logged["error_lines"],
        "server_first_errors": logged["first_errors"], "rss": rss,
        "crawls": len(crawls), "crawls_failed": [{"n": c.n, "sites": c.sites, "exit": c.returncode, "tail": c.tail}
                                                 for c in crawls if c.returncode != 0],
        "crawl_busy_fraction": busy / seconds if seconds else 0, "sites_crawled": len(soak.crawled_sites),
        "docs_ingested_under_load": docs_during, "docs_ingested": docs_after - docs_before,
        "crawls_under_load": sum(1 for c in crawls if c.ended and measured_at <= c.ended <= end),
        "probes": len(probes), "probes_all_searchable": sum(c.searchable == c.docs for c in probes),
        "probe_seconds_max": max((c.probe_s for c in probes), default=None), "probe_errors": soak.probe_errors,
        "final_check": check, "heavy_pages_under_load": soak.heavy,
        "rss_series": [(round(t), round(mb)) for t, mb, _ in under_load], "load_1min": [load_before[0], load_after[0]],
        "limits": {"max_slope_mb_per_min": max_slope, "max_growth_mb": max_growth},
        "wall_s": time.perf_counter() - started, "build_s": build_s,
    }
    non_2xx_logged = sum(n for code, n in logged["statuses"].items() if not code.startswith("2"))
    reasons = []
    if warm["errors"] or warm["non_2xx"]:
        reasons.append(f"{warm['errors']} socket errors and {warm['non_2xx']} HTTP errors during the warm-up")
    if raw["errors"] or raw["non_2xx"] or non_2xx_logged:
        reasons.append(f"{raw['errors']} socket errors, {raw['non_2xx']} HTTP errors (wrk), "
                       f"{non_2xx_logged} non-2xx in the server log")
    if logged["error_lines"]:
        reasons.append(f"the server logged {logged['tracebacks']} tracebacks: " + "; ".join(logged["first_errors"][:3]))
    if figures["crawls_failed"]:
        reasons.append(f"{len(figures['crawls_failed'])} crawls failed")
    if soak.probe_errors:
        reasons.append(f"{len(soak.probe_errors)} searchability probes failed")
    if not crawls or docs_during <= 0:
        reasons.append("no document was ingested under load")
    if check["sites_mismatched"] or check["titles_found"] < check["titles_sampled"] \
            or check["doc_pages_ok"] < check["titles_sampled"]:
        reasons.append("crawled documents missing from search or their pages")
    if max_slope is not None and rss["slope_mb_per_min_2nd_half"] > max_slope:
        reasons.append(f"RSS grew {rss['slope_mb_per_min_2nd_half']:.1f} MB/min over the second half (> {max_slope})")
    if rss["growth_2nd_half_mb"] > max_growth:
        reasons.append(f"RSS grew {rss['growth_2nd_half_mb']:.0f} MB from the first half to the second "
                       f"(> {max_growth:.0f})")
    if rss["peak_growth_mb"] > max_growth:
        reasons.append(f"RSS peak grew {rss['peak_growth_mb']:.0f} MB from the first half to the second "
                       f"(> {max_growth:.0f})")
    figures["ok"], figures["failures"] = not reasons, reasons
    return figures


def table(f: dict) -> str:
    rss, check = f["rss"], f["final_check"]
    series = f["rss_series"][::max(1, len(f["rss_series"]) // 12)]
    statuses = ", ".join(f"{code}: {n}" for code, n in f["server_statuses"].items())
    return "\n".join([
        f"UI soak: {f['docs']} documents, {f['connections']} connections (wrk -t2), {f['seconds']} s measured after "
        f"{f['warmup_s']} s of warm-up, "
        f"{f['processes']} server process(es), {f['urls']} URLs; a crawl ingesting meanwhile",
        f"  requests        {f['requests']}  ({f['req_per_s']:.1f} req/s); warm-up: {f['warmup_requests']} requests, "
        f"{f['warmup_errors']} errors",
        f"  errors          {f['socket_errors']} socket {f['socket_errors_by_kind']}, {f['non_2xx']} non-2xx (wrk, "
        f"timeout {f['wrk_timeout_s']} s); server log: {statuses}; {f['server_error_lines']} error lines "
        + ("(" + "; ".join(f["server_first_errors"][:3]) + ")" if f["server_first_errors"] else ""),
        f"  latency         p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms "
        f"(mean {f['mean_ms']:.0f} ms, max {f['max_latency']}); /status under load: "
        + ", ".join(f"{s:.1f}" for _, _, s, _ in f["heavy_pages_under_load"]) + " s",
        f"  server RSS      before warm-up {rss['before_warmup_mb']:.0f} MB; start {rss['start_mb']:.0f} MB, "
        f"middle {rss['middle_mb']:.0f} MB, end {rss['end_mb']:.0f} MB "
        f"(medians of {rss['window_s']:.0f} s; max {rss['max_mb']:.0f}); 1st half {rss['min_max_1st_half_mb'][0]:.0f}-"
        f"{rss['min_max_1st_half_mb'][1]:.0f} MB (mean {rss['mean_1st_half_mb']:.0f}), 2nd half "
        f"{rss['min_max_2nd_half_mb'][0]:.0f}-{rss['min_max_2nd_half_mb'][1]:.0f} MB "
        f"(mean {rss['mean_2nd_half_mb']:.0f})",
        f"  RSS trend       2nd half vs 1st: mean {rss['growth_2nd_half_mb']:+.0f} MB, peak "
        f"{rss['peak_growth_mb']:+.0f} MB (limit {f['limits']['max_growth_mb']:.0f} MB each); 2nd half slope "
        f"{rss['slope_mb_per_min_2nd_half']:+.2f} MB/min (limit {f['limits']['max_slope_mb_per_min']}); "
        f"{rss['samples']} samples",
        "  RSS series      " + " ".join(f"{t}s:{mb}" for t, mb in series),
        f"  ingestion       {f['crawls']} crawls of {f['sites_crawled']} new sites "
        f"({f['crawls_under_load']} ended in the measured {f['seconds']} s), "
        f"a crawl running {100 * f['crawl_busy_fraction']:.0f}% of it; "
        f"{f['docs_ingested_under_load']} documents stored in it, {f['docs_ingested']} in all; "
        f"{len(f['crawls_failed'])} crawls failed",
        f"  searchable      after each crawl: {f['probes_all_searchable']}/{f['probes']} crawls fully searchable "
        f"through the running server; at the end {check['searchable']}/{check['stored']} documents, "
        f"{check['titles_found']}/{check['titles_sampled']} sampled found by title, "
        f"{check['doc_pages_ok']}/{check['titles_sampled']} pages 200 ({check['titles_equal_site_name']} stored "
        f"with the portal's name as title)",
        f"  machine load    {f['load_1min'][0]:.1f} -> {f['load_1min'][1]:.1f} (1-min average, {os.cpu_count()} cores)",
        "  result          " + ("OK" if f["ok"] else "FAILED: " + "; ".join(f["failures"])),
    ])


def log_line(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=WARMUP_S,
                    help="seconds of the same load and crawling first, not measured (the server's caches fill)")
    ap.add_argument("--data", type=Path, default=None,
                    help="where the archive is built and kept (default /tmp/govplans-soak/n<DOCS>); reused "
                         "when it holds one (documents crawled by earlier soaks stay in it)")
    ap.add_argument("--processes", type=int, default=1, help="`govplans serve --processes`")
    ap.add_argument("--urls", type=int, default=3000, help="URLs in wrk's rotation")
    ap.add_argument("--sites-per-crawl", type=int, default=2)
    ap.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--check-docs", type=int, default=30, help="crawled documents looked up by title at the end")
    ap.add_argument("--max-slope", type=float, default=MAX_SLOPE_MB_PER_MIN,
                    help="MB/min of RSS growth allowed over the second half (default: none, printed only)")
    ap.add_argument("--max-growth", type=float, default=MAX_GROWTH_MB,
                    help="MB of growth allowed from the first half to the second, of the mean and of the peak RSS")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (sh scripts/install-bench-tools.sh)")
    work = args.data or Path(f"/tmp/govplans-soak/n{args.docs}")
    figures = run_soak(work, args.docs, args.seconds, args.connections, args.processes, args.urls,
                       args.sites_per_crawl, args.sample_every, args.check_docs, args.seed, args.max_slope,
                       args.max_growth, args.warmup)
    (work / "soak.json").write_text(json.dumps(figures, ensure_ascii=False, default=str, indent=1))
    print(json.dumps(figures, ensure_ascii=False, default=str), flush=True)
    print("\n" + table(figures), flush=True)
    sys.exit(0 if figures["ok"] else 1)


if __name__ == "__main__":
    main()
