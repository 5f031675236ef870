"""The whole benchmark in one run: every stage of govplans beside its peer, on sitefarm data.

    python -m bench [--docs 10000] [--scaling 10000,30000,100000] [--record]

Every measurement runs in a process of its own, started by this one and reaped with os.wait4,
so "peak memory" is that process's ru_maxrss (the largest process of its tree) and no stage
inherits another's caches. Ours and the peer are measured in the same run, one after the
other (crawl modes interleaved), so the ratio holds even when the machine is busy.

The data is the farm's truth at real lengths (--lengths real, the default; sitefarm/lengths.py): page
bodies of median ~1,100 characters and p90 ~4,200, and the few per cent of plans held in an attachment
10k to 600k characters; --lengths farm is the template farm (~570 characters a document). The crawled
farm is served with the same lengths (its long plans are real PDF/DOCX/OFD/WPS files).

Stages on the full N documents (they grow with the archive): the database load, dedup (ours:
LSH bands in SQL + exact check over the stored documents; peer: datasketch MinHashLSH alone,
in memory), index build (ours: Whoosh on all cores; peer: SQLite FTS5 trigram), every query
class of bench/search.py at three selectivities on both (queries chosen from the corpus, bench/queries.py,
with both engines' hit counts), and the UI under concurrent load (wrk, the chosen queries among its URLs). Stages on a fixed
slice (their cost is per page, not per archive): the crawl (bare Scrapy vs raw capture vs
capture + extract + store, on a farm holding --crawl-docs documents) and extraction on farm
pages (--extract-docs) and on the labelled real pages of ../shared/realdata.

A stage run alone (what the orchestrator starts): python -m bench.suite --stage NAME --work DIR --docs N
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode
from archive.store.index_feed import iter_index_docs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SEEN_AT = datetime(2025, 6, 30)

# UI load: what the 20 connections ask for, in rotation (document pages are added from the data)
UI_QUERIES = [{"q": "宣传月"}, {"q": "政务公开"}, {"q": "月"}, {"q": "政务公开 宣传月"},
              {"q": '"信息公开 宣传"'}, {"q": "宣传月 OR 主题日"}, {"q": "方案", "year": "2024"},
              {"q": "实施方案", "region": "431100"}, {"q": ""}, {"q": "通知 -方案"}]


# --- data -----------------------------------------------------------------------------------

def read_records(work: Path) -> list[dict]:
    with open(work / "records.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def data_dir(work: Path):
    from archive.config import DataDir
    return DataDir.resolve(work / "data").ensure()


def bulk_load(database_url: str, registry: list[dict], records: list[dict], chunk: int = 2000) -> None:
    """Documents and their first versions as one crawl would leave them, in few transactions
    (Archive.ingest commits per page: ~110 docs/s, 15 minutes for 100k); clusters come from dedup."""
    from sqlalchemy import insert

    from archive.models import Document, Site, Version
    from archive.store import Archive, content_hash

    archive = Archive(database_url)
    try:
        with archive.session() as s:
            s.execute(insert(Site), [{"id": e["id"], "name": e["name"], "region_code": e["region"],
                                      "family": e["family"], "base_url": e["base_url"],
                                      "columns": e["columns"], "farm": True} for e in registry])
        for start in range(0, len(records), chunk):
            docs, versions = [], []
            for n, r in enumerate(records[start:start + chunk], start + 1):
                region, digest = r["region"], content_hash(r["title"], r["text"])
                docs.append({"id": n, "url": r["url"], "site_id": r["site"], "title": r["title"],
                             "published": datetime.fromisoformat(r["published"]).date(),
                             "written": datetime.fromisoformat(r["written"]).date() if r["written"] else None,
                             "agency": r["agency"], "doc_number": r["doc_number"],
                             "index_number": r["index_number"], "region_code": region["code"],
                             "province": region["province"], "city": region["city"], "county": region["county"],
                             "year": r["year"], "doc_type": r["doc_type"], "themes": r["themes"], "text": r["text"],
                             "outline": [], "sources": {}, "content_hash": digest, "status": "active",
                             "first_seen": SEEN_AT, "last_seen": SEEN_AT, "updated_at": SEEN_AT})
                versions.append({"document_id": n, "number": 1, "content_hash": digest, "title": r["title"],
                                 "text": r["text"], "seen_at": SEEN_AT, "last_seen": SEEN_AT})
            with archive.session() as s:
                s.execute(insert(Document), docs)
                s.execute(insert(Version), versions)
    finally:
        archive.close()


# --- stages (each runs in its own process; returns its figures) ---------------------------

def stage_prepare(args) -> dict:
    from evaluation.farm import truth_records

    work = Path(args.work)
    t = time.perf_counter()
    registry, records = truth_records(args.docs, args.seed, args.lengths)
    truth_s = time.perf_counter() - t
    with open(work / "records.jsonl", "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    t = time.perf_counter()
    bulk_load(data_dir(work).database_url, registry, records)
    load_s = time.perf_counter() - t
    if args.dedup_docs < len(records):   # dedup runs on the first --dedup-docs documents, in a database of its own
        bulk_load(dedup_url(work, args), registry, records[:args.dedup_docs])
    sizes = sorted(len(r["text"]) for r in records)
    return {"docs": len(records), "sites": len(registry), "truth_s": truth_s, "load_s": load_s, "lengths": args.lengths,
            "chars_per_doc": sum(sizes) / len(sizes), "chars_median": sizes[len(sizes) // 2],
            "chars_p90": sizes[int(0.9 * len(sizes))], "chars_max": sizes[-1],
            "in_attachment": sum(r["text_in"] == "attachment" for r in records)}


def dedup_url(work: Path, args) -> str:
    if args.dedup_docs < args.docs:
        return f"sqlite:///{work / 'dedup.sqlite'}"
    return data_dir(work).database_url


def _lineage_score(clusters: dict[str, int | None], records: list[dict]) -> dict:
    from evaluation.dedup import pair_score
    score = pair_score(clusters, {r["url"]: r["lineage"] for r in records})
    return {"precision": score.precision, "recall": score.recall, "wrong_pairs": score.wrong_pairs,
            "true_pairs": score.true_pairs}


def stage_dedup_ours(args) -> dict:
    from sqlalchemy import select

    from archive.models import Document
    from archive.store import Archive

    archive = Archive(dedup_url(Path(args.work), args))
    try:
        t = time.perf_counter()
        n_clusters = archive.rebuild_clusters()
        seconds = time.perf_counter() - t
        with archive.session() as s:
            clusters = dict(s.execute(select(Document.url, Document.cluster_id)).all())
    finally:
        archive.close()
    records = read_records(Path(args.work))[:args.dedup_docs]
    return {"seconds": seconds, "docs": len(clusters), "clusters": n_clusters, **_lineage_score(clusters, records)}


def stage_dedup_datasketch(args) -> dict:
    from bench.dedup import datasketch_alone

    records = read_records(Path(args.work))[:args.dedup_docs]
    clusters, seconds = datasketch_alone(records, 0.5)
    return {"seconds": seconds, "docs": len(records), **_lineage_score(clusters, records)}


def stage_index_ours(args) -> dict:
    from archive.operations.indexing import rebuild_index

    t = time.perf_counter()
    n = rebuild_index(data_dir(Path(args.work)), procs=os.cpu_count() or 1)
    return {"seconds": time.perf_counter() - t, "docs": n, "procs": os.cpu_count() or 1}


def stage_index_fts5(args) -> dict:
    from archive.store import Archive
    from bench.search import build_fts

    path = Path(args.work) / "fts.sqlite"
    path.unlink(missing_ok=True)
    archive = Archive(data_dir(Path(args.work)).database_url)
    try:
        t = time.perf_counter()
        db = build_fts(iter_index_docs(archive), str(path))
        seconds = time.perf_counter() - t
        n = db.execute("SELECT count(*) FROM m").fetchone()[0]
        db.close()
    finally:
        archive.close()
    return {"seconds": seconds, "docs": n}


def stage_query(args) -> dict:
    import sqlite3

    from archive.index import close_searchers, search
    from bench.search import choose_cases, class_summary, measure_classes

    os.environ.pop("GOVPLANS_SEARCH_URL", None)
    index_dir = data_dir(Path(args.work)).index_dir
    db = sqlite3.connect(str(Path(args.work) / "fts.sqlite"))
    search(index_dir, "预热")   # open the searcher, load the facet columns (as bench/search.py does)
    t = time.perf_counter()
    classes = choose_cases(index_dir, db)
    choose_s = time.perf_counter() - t
    rows = measure_classes(index_dir, db, args.repeat, classes=classes)
    (Path(args.work) / "queries.json").write_text(json.dumps(   # the UI stage asks these too
        [{"q": r["query"], **{k: str(v) for k, v in r["filters"].items()}} for r in rows if r["class"] != "facets"],
        ensure_ascii=False))
    close_searchers()
    db.close()
    return {"repeat": args.repeat, "choose_s": choose_s, "classes": class_summary(rows)}


def _farm_pages(docs: int, sample: int, seed: int, lengths: str = "farm") -> list[tuple[str, bytes, dict]]:
    """`sample` detail pages spread over the farm's first `docs` documents whose text is on the page
    (not in an attachment), rendered without HTTP."""
    from evaluation.farm import farm_world, truth_records
    from sitefarm.responses import Request
    from sitefarm.server import respond

    world = farm_world(docs, seed, lengths)
    records = [r for r in truth_records(docs, seed, lengths)[1] if r["text_in"] == "page"]
    step = max(1, len(records) // sample)
    pages = []
    for record in records[::step][:sample]:
        rest = record["url"].split("://", 1)[1]
        host, path = rest.split("/", 1)
        path, _, query = ("/" + path).partition("?")
        response = respond(world, Request("GET", path, query), host.split(":")[0])
        if response.status == 200:
            pages.append((record["url"], response.body, record))
    return pages


def stage_extract(args) -> dict:
    from archive.extract import RawPage, extract_document
    from bench.extraction import bare
    from evaluation.extraction import bigram_f1

    pages = _farm_pages(args.docs, args.extract_docs, args.seed, args.lengths)

    def ours(body, url):
        doc = extract_document(RawPage(url, body))
        return {"title": doc.title}, doc.text

    runner = ours if args.side == "ours" else bare
    runner(pages[0][1], pages[0][0])   # imports, lazy tables
    times, f1s, titles = [], [], 0
    for url, body, record in pages:
        t = time.perf_counter()
        meta, text = runner(body, url)
        times.append(time.perf_counter() - t)
        f1s.append(bigram_f1(text or "", record["text"]))
        titles += (meta.get("title") or "").strip() == record["title"]
    return {"pages": len(pages), "median_ms": statistics.median(times) * 1000,
            "pages_per_s": len(times) / sum(times), "bigram_f1": statistics.mean(f1s),
            "title_exact": titles / len(pages)}


def stage_extract_realdata(args) -> dict:
    from bench.extraction import run

    realdata = Path(args.realdata)
    if not (realdata / "gold.jsonl").exists():
        return {"skipped": f"no gold.jsonl under {realdata}"}
    return run(realdata)


STAGES = {"prepare": stage_prepare, "dedup.ours": stage_dedup_ours, "dedup.datasketch": stage_dedup_datasketch,
          "index.ours": stage_index_ours, "index.fts5": stage_index_fts5, "query": stage_query,
          "extract.ours": stage_extract, "extract.trafilatura": stage_extract,
          "extract.realdata": stage_extract_realdata}
SCALED = ["prepare", "dedup.ours", "dedup.datasketch", "index.ours", "index.fts5", "query"]


# --- the orchestrator ------------------------------------------------------------------------

def measured(command: list[str], log: Path) -> dict:
    """Run a command to its end; its stdout's last line as JSON, wall seconds, CPU seconds, peak RSS."""
    with open(log, "w") as out:
        t = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
    lines = log.read_text(errors="replace").strip().splitlines()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} failed ({process.returncode}); see {log}:\n"
                           + "\n".join(lines[-15:]))
    return {"result": json.loads(lines[-1]), "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": usage.ru_maxrss / 1024}


def run_stage(name: str, args, work: Path, docs: int, side: str = "") -> dict:
    command = [sys.executable, "-m", "bench.suite", "--stage", name, "--work", str(work), "--docs", str(docs),
               "--seed", str(args.seed), "--repeat", str(args.repeat), "--extract-docs", str(args.extract_docs),
               "--realdata", str(args.realdata), "--dedup-docs", str(args.dedup_docs),
               "--lengths", args.lengths] + (["--side", side] if side else [])
    log(f"  {name} ({docs} docs) ...")
    figures = measured(command, work / f"{name}.log")
    log(f"  {name}: {figures['wall_s']:.1f} s, peak {figures['max_rss_mb']:.0f} MB")
    return figures


def run_crawl(args, work: Path) -> dict:
    """Bare Scrapy, raw capture and the full path on one farm holding --crawl-docs documents:
    one unmeasured warm-up crawl, then bare and capture interleaved --crawl-runs times, the full path once per
    --full-runs (it is ~10x slower)."""
    import yaml

    from evaluation.farm import sites_for
    from govplans.demo import start_farm
    from govplans.ports import free_port

    sites = sites_for(args.crawl_docs, args.seed)
    port = free_port()
    log(f"  crawl: farm of {sites} sites on 127.0.0.1:{port}")
    farm = start_farm(port, sites, args.seed, lengths=args.lengths)
    runs: dict[str, list[dict]] = {"bare": [], "capture": [], "full": []}
    try:
        sites_file = work / "crawl-sites.yaml"
        from sitefarm.world import World
        sites_file.write_text(yaml.safe_dump(World(sites=sites, seed=args.seed).registry(port), allow_unicode=True))

        def once(mode: str, n: int) -> dict:
            data = work / f"crawl-{mode}-{n}"
            figures = measured([sys.executable, "-m", "bench.crawl", "--one", str(sites_file), mode, str(data)],
                               work / f"crawl-{mode}-{n}.log")
            shutil.rmtree(data, ignore_errors=True)
            log(f"  crawl {mode} #{n}: {figures['result']['pages']} pages, "
                f"{figures['result']['pages_per_second']:.0f} pages/s, peak {figures['max_rss_mb']:.0f} MB")
            return figures

        once("bare", 0)   # warm-up: the farm's caches, the OS page cache
        for n in range(args.crawl_runs):
            for mode in (("bare", "capture") if n % 2 == 0 else ("capture", "bare")):
                runs[mode].append(once(mode, n + 1))
            if n < args.full_runs:
                runs["full"].append(once("full", n + 1))
    finally:
        farm.terminate()
        farm.wait(timeout=10)
    return {"sites": sites, "docs": args.crawl_docs, "modes": {
        mode: {"runs": len(rs), "pages": rs[0]["result"]["pages"],
               "pages_per_s": statistics.median(r["result"]["pages_per_second"] for r in rs),
               "all_pages_per_s": [r["result"]["pages_per_second"] for r in rs],
               "max_rss_mb": max(r["max_rss_mb"] for r in rs)} for mode, rs in runs.items() if rs}}


def ui_paths(work: Path, docs: int) -> list[str]:
    """UI_QUERIES, then the query stage's chosen queries (every class at three selectivities), then document pages."""
    chosen = json.loads((work / "queries.json").read_text()) if (work / "queries.json").exists() else []
    paths = ["/search?" + urlencode(q, quote_via=quote) for q in UI_QUERIES + chosen]
    step = max(1, docs // 10)
    paths += [f"/doc/{n}" for n in range(1, docs + 1, step)][:10]
    return paths


WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"errors": %%d, "non_2xx": %%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_ui(args, work: Path, docs: int) -> dict:
    """`govplans serve` over the N-document data directory, driven by wrk (or a Python client without it)."""
    import urllib.request

    from govplans.ports import free_port, wait_for_port

    port = free_port()
    paths = ui_paths(work, docs)
    server = subprocess.Popen([sys.executable, "-m", "govplans.cli", "serve", "--data", str(work / "data"),
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    reaped = False
    try:
        wait_for_port(port)
        for path in paths:   # warm-up: every page once (searchers opened, templates compiled)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                response.read()
        if shutil.which("wrk"):
            script = work / "rotate.lua"
            script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
            out = subprocess.run(["wrk", "-t2", f"-c{args.ui_connections}", f"-d{args.ui_seconds}s",
                                  "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"],
                                 capture_output=True, text=True, check=True)
            raw = json.loads(out.stdout.strip().splitlines()[-1])
            figures = {"tool": "wrk 4.1 (-t2)", "requests": raw["requests"],
                       "req_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
                       "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
                       "p99_ms": raw["p99_us"] / 1000, "errors": raw["errors"] + raw["non_2xx"]}
        else:
            figures = python_load(port, paths, args.ui_connections, args.ui_seconds)
        server.terminate()
        _, _, usage = os.wait4(server.pid, 0)
        server.returncode, reaped = 0, True
        return {**figures, "connections": args.ui_connections, "seconds": args.ui_seconds, "urls": len(paths),
                "server_max_rss_mb": usage.ru_maxrss / 1024}
    finally:
        if not reaped:
            server.kill()
            server.wait()


def python_load(port: int, paths: list[str], connections: int, seconds: float) -> dict:
    """The fallback load client: threads with keep-alive connections, each request's latency kept."""
    import http.client
    import threading

    latencies: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)])
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies.append(time.perf_counter() - t)
            i += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    return {"tool": "python threads (wrk not installed)", "requests": len(latencies),
            "req_per_s": len(latencies) / (time.monotonic() - started), "p50_ms": q(0.50), "p95_ms": q(0.95),
            "p99_ms": q(0.99), "errors": errors[0]}


def run_size(args, root: Path, docs: int) -> dict:
    work = root / f"n{docs}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"== {docs} documents")
    started = time.perf_counter()
    stages = {name: run_stage(name, args, work, docs) for name in SCALED}
    log("  ui load ...")
    stages["ui"] = run_ui(args, work, docs)
    log(f"  ui: {stages['ui']['req_per_s']:.0f} req/s, p50 {stages['ui']['p50_ms']:.0f} ms, "
        f"p95 {stages['ui']['p95_ms']:.0f} ms")
    disk = sum(f.stat().st_size for f in (work / "data").rglob("*") if f.is_file())
    return {"docs": docs, "wall_s": time.perf_counter() - started, "data_dir_mb": disk / 2**20, "stages": stages}


def run_fixed(args, root: Path) -> dict:
    work = root / "fixed"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"== fixed-size stages: crawl on {args.crawl_docs} docs, extraction on {args.extract_docs} farm pages")
    started = time.perf_counter()
    stages = {"crawl": run_crawl(args, work)}
    for side in ("ours", "trafilatura"):
        stages[f"extract.{side}"] = run_stage(f"extract.{side}", args, work, args.crawl_docs, side=side)
    stages["extract.realdata"] = run_stage("extract.realdata", args, work, 0)
    return {"wall_s": time.perf_counter() - started, "stages": stages}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000, help="archive size for the scalable stages")
    ap.add_argument("--scaling", default=None,
                    help="comma-separated sizes, e.g. 10000,30000,100000 (overrides --docs)")
    ap.add_argument("--crawl-docs", type=int, default=2_000, help="documents on the crawled farm")
    ap.add_argument("--crawl-runs", type=int, default=3, help="bare and capture crawls (median)")
    ap.add_argument("--full-runs", type=int, default=1, help="full-path crawls (median)")
    ap.add_argument("--dedup-docs", type=int, default=100_000,
                    help="dedup (both sides) runs on the first this many documents (default: all, up to 100k)")
    ap.add_argument("--extract-docs", type=int, default=1_000, help="farm pages extracted by each side")
    ap.add_argument("--repeat", type=int, default=7, help="calls per query (median), after one warm-up")
    ap.add_argument("--ui-connections", type=int, default=20)
    ap.add_argument("--ui-seconds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lengths", choices=("real", "farm"), default="real",
                    help="real: the farm's bodies and attached plans at real lengths (sitefarm/lengths.py); "
                         "farm: the template farm (~570 characters a document)")
    ap.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--record", action="store_true", help="also write bench/RESULTS.md")
    ap.add_argument("--skip-fixed", action="store_true", help="only the scalable stages")
    ap.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    ap.add_argument("--side", default="ours", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.stage:
        print(json.dumps(STAGES[args.stage](args), ensure_ascii=False, default=str))
        return

    from bench import report

    sizes = [int(s) for s in args.scaling.split(",")] if args.scaling else [args.docs]
    root = args.work or Path(tempfile.mkdtemp(prefix="govplans-bench-"))
    started, load_before = time.perf_counter(), os.getloadavg()
    results = {"date": datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": report.machine(), "load_before": load_before,
               "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                            if k not in ("stage", "side", "record", "keep", "work")},
               "sizes": sizes}
    def save_partial() -> None:   # bench/out/latest.json holds every finished part (python -m bench.report)
        report.write({**results, "sizes": [run["docs"] for run in results["runs"]],
                      "wall_s": time.perf_counter() - started, "load_after": os.getloadavg()})

    try:
        results["fixed"] = None if args.skip_fixed else run_fixed(args, root)
        results["runs"] = []
        save_partial()
        for docs in sizes:
            results["runs"].append(run_size(args, root, docs))
            save_partial()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    results["wall_s"] = time.perf_counter() - started
    results["load_after"] = os.getloadavg()
    paths = report.write(results, record=args.record)
    print(report.markdown(results))
    log(f"bench: {results['wall_s'] / 60:.1f} min; " + ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()
