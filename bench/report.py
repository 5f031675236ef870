"""The suite's results as a Markdown table (figure, ours, peer, ratio, how measured) and a JSON file.

    python -m bench.report bench/out/latest.json [--record]   # re-render a saved run

`write` puts bench/out/bench-<date>.json, bench/out/latest.json and latest.md; with record=True
also bench/RESULTS.md (the latest full run, with the machine's description and the date).
"""
from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PACKAGES = ("scrapy", "trafilatura", "datasketch", "whoosh-reloaded", "sqlalchemy", "flask", "jieba", "numpy")


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    versions["sqlite"] = sqlite3.sqlite_version
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip() or None
    except OSError:
        wrk = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 2**20, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "packages": versions, "wrk": wrk}


# --- rows ------------------------------------------------------------------------------------

def _row(figure, ours, peer, unit, how, peer_name="", digits=1):
    ratio = ours / peer if isinstance(ours, (int, float)) and isinstance(peer, (int, float)) and peer else None
    return {"figure": figure, "ours": ours, "peer": peer, "peer_name": peer_name, "unit": unit,
            "ratio": ratio, "how": how, "digits": digits}


def fixed_rows(fixed: dict) -> list[dict]:
    rows = []
    crawl = fixed["stages"]["crawl"]
    modes = crawl["modes"]
    bare = modes["bare"]
    where = f"farm of {crawl['sites']} sites, {crawl['docs']} docs, {bare['pages']} responses"
    rows.append(_row("crawl: raw capture (WARC), pages/s ↑", modes["capture"]["pages_per_s"], bare["pages_per_s"],
                     "pages/s", f"{where}; median of {bare['runs']} runs each, interleaved", "bare Scrapy"))
    if "full" in modes:
        rows.append(_row("crawl + extract + store end to end, pages/s ↑", modes["full"]["pages_per_s"],
                         bare["pages_per_s"], "pages/s",
                         f"{where}; capture + extract + store + dedup + SQLite; median of {modes['full']['runs']}",
                         "bare Scrapy"))
    rows.append(_row("crawl peak memory, MB ↓", modes["capture"]["max_rss_mb"], bare["max_rss_mb"], "MB",
                     "ru_maxrss of the crawl process, raw capture vs bare", "bare Scrapy", 0))
    if "full" in modes:
        rows.append(_row("end-to-end crawl peak memory, MB ↓", modes["full"]["max_rss_mb"], bare["max_rss_mb"], "MB",
                         "ru_maxrss of the crawl process, full path vs bare", "bare Scrapy", 0))
    ours, bare_x = fixed["stages"]["extract.ours"], fixed["stages"]["extract.trafilatura"]
    o, p = ours["result"], bare_x["result"]
    how = f"{o['pages']} farm detail pages spread over {crawl['docs']} docs, rendered without HTTP"
    peer = "trafilatura.extract + extract_metadata"
    rows += [
        _row("extraction, ms/page ↓", o["median_ms"], p["median_ms"], "ms", f"{how}; median over pages", peer),
        _row("extraction, body char-bigram F1 vs farm truth ↑", o["bigram_f1"], p["bigram_f1"], "", f"{how}; mean",
             peer, 3),
        _row("extraction, exact title vs farm truth ↑", o["title_exact"], p["title_exact"], "", f"{how}; share", peer, 3),
        _row("extraction peak memory, MB ↓", ours["max_rss_mb"], bare_x["max_rss_mb"], "MB",
             "ru_maxrss of each side's process", peer, 0),
    ]
    real = fixed["stages"]["extract.realdata"]["result"]
    if "ours" in real:
        how = f"../shared/realdata: {real['pages']} labelled gov pages (bench/extraction.py)"
        for key, label, digits in (("body_recall", "body recall ↑", 3), ("chrome_leak", "chrome leak ↓", 3),
                                   ("title", "title accuracy ↑", 3), ("published", "published-date accuracy ↑", 3),
                                   ("median_ms_per_page", "ms/page ↓", 1)):
            if key in real["ours"]:
                rows.append(_row(f"real pages: {label}", real["ours"][key], real["trafilatura"].get(key), "", how,
                                 "trafilatura", digits))
        for key in ("immortal_bigram_f1", "magic_bigram_f1"):
            if real["ours"].get(key) is not None:
                n = real.get(key.replace("_bigram_f1", "_pages"))
                rows.append(_row(f"real pages: {key.split('_')[0]} char-bigram F1 ↑", real["ours"][key],
                                 real["trafilatura"][key], "", f"{n} pages of that public set; mean", "trafilatura", 3))
    return rows


def _lengths(prep: dict) -> str:
    if "chars_median" not in prep:
        return f"{prep['chars_per_doc']:.0f} chars"
    return (f"lengths={prep['lengths']}: mean {prep['chars_per_doc']:,.0f} chars, median {prep['chars_median']:,}, "
            f"p90 {prep['chars_p90']:,}, max {prep['chars_max']:,}; {prep['in_attachment']} plans held in an attachment")


def size_rows(run: dict) -> list[dict]:
    n, s = run["docs"], run["stages"]
    rows = []
    prep = s["prepare"]["result"]
    rows.append(_row("archive load, docs/s ↑", n / prep["load_s"], None, "docs/s",
                     f"{n} farm truth docs ({_lengths(prep)}) bulk-inserted as documents + versions "
                     "(no crawl); one run", "none"))
    do, dp = s["dedup.ours"], s["dedup.datasketch"]
    nd = do["result"]["docs"]
    peer = "datasketch MinHashLSH 0.5 alone"
    how = f"{nd} docs{' (first of the ' + str(n) + ', --dedup-docs)' if nd < n else ''}, one run each; ours = LSH bands in SQL + exact sentence check (rebuild_clusters)"
    rows += [
        _row("dedup, docs/s ↑", nd / do["result"]["seconds"], nd / dp["result"]["seconds"], "docs/s", how, peer),
        _row("dedup, pair precision vs farm lineages ↑", do["result"]["precision"], dp["result"]["precision"], "",
             how, peer, 3),
        _row("dedup, pair recall vs farm lineages ↑", do["result"]["recall"], dp["result"]["recall"], "", how, peer, 3),
        _row("dedup peak memory, MB ↓", do["max_rss_mb"], dp["max_rss_mb"], "MB",
             "ru_maxrss; the peer holds the records (JSONL) in memory, ours streams from SQLite", peer, 0),
    ]
    io_, if_ = s["index.ours"], s["index.fts5"]
    how = f"{n} docs read from the archive; ours on {io_['result']['procs']} processes; one run each"
    rows += [
        _row("index build, docs/s ↑", n / io_["result"]["seconds"], n / if_["result"]["seconds"], "docs/s", how,
             "SQLite FTS5 trigram"),
        _row("index build peak memory, MB ↓", io_["max_rss_mb"], if_["max_rss_mb"], "MB", "ru_maxrss (largest process)",
             "SQLite FTS5 trigram", 0),
    ]
    q = s["query"]["result"]
    for name, c in q["classes"].items():
        for level, r in c["levels"].items():
            filters = " " + " ".join(f"{k}={v}" for k, v in r["filters"].items()) if r["filters"] else ""
            note = f"; peer: {r['note']}" if r["note"] else ""
            if name == "facets":
                note = "; ours: one search() call with all 7 facets; peer: MATCH + 20 hits + 7 GROUP BY queries"
            rows.append(_row(f"query {name} {level}: `{r['query']}{filters}`, ms ↓", r["ours"], r["fts5"], "ms",
                             f"{n} docs; median of {q['repeat']} after a warm-up; hits ours {r['ours_hits']:,}, "
                             f"FTS5 {r['fts5_hits']:,} ({100 * r['ours_hits'] / n:.2f}% of docs); "
                             f"ours cold {r['ours_cold']:.1f} ms{note}", "SQLite FTS5 trigram"))
    rows.append(_row("query process peak memory, MB", s["query"]["max_rss_mb"], None, "MB",
                     "both engines open in one process", "", 0))
    ui = s["ui"]
    how = (f"{ui['tool']}, {ui['connections']} connections, {ui['seconds']} s, {ui['urls']} URLs in rotation "
           f"(searches, filters, facets, document pages) over {n} docs; `govplans serve` (Flask, threaded)")
    rows += [_row("UI throughput, req/s ↑", ui["req_per_s"], None, "req/s", how, "none"),
             _row("UI latency p50, ms ↓", ui["p50_ms"], None, "ms", how, "none"),
             _row("UI latency p95, ms ↓", ui["p95_ms"], None, "ms", how, "none"),
             _row("UI errors + non-2xx", ui["errors"], None, "", how, "none", 0),
             _row("UI server peak memory, MB ↓", ui["server_max_rss_mb"], None, "MB", "ru_maxrss of the server", "", 0),
             _row("data directory, MB", run["data_dir_mb"], None, "MB", "archive.sqlite + index/", "", 0)]
    return rows


# Scaling: (label, getter) -> seconds or ms at each size
SCALING = [
    ("archive load, s", lambda s: s["prepare"]["result"]["load_s"]),
    ("dedup ours, s", lambda s: s["dedup.ours"]["result"]["seconds"]),
    ("dedup datasketch, s", lambda s: s["dedup.datasketch"]["result"]["seconds"]),
    ("index build ours, s", lambda s: s["index.ours"]["result"]["seconds"]),
    ("index build FTS5, s", lambda s: s["index.fts5"]["result"]["seconds"]),
    ("query 3+ char word ours, ms (median of 3 levels)", lambda s: s["query"]["result"]["classes"]["3+ char word"]["ours"]),
    ("query 3+ char word FTS5, ms", lambda s: s["query"]["result"]["classes"]["3+ char word"]["fts5"]),
    ("query 1-char ours, ms", lambda s: s["query"]["result"]["classes"]["1-char"]["ours"]),
    ("query 1-char FTS5 (LIKE), ms", lambda s: s["query"]["result"]["classes"]["1-char"]["fts5"]),
    ("query + 7 facets ours, ms", lambda s: s["query"]["result"]["classes"]["facets"]["ours"]),
    ("query + 7 facets FTS5, ms", lambda s: s["query"]["result"]["classes"]["facets"]["fts5"]),
    ("UI p50, ms", lambda s: s["ui"]["p50_ms"]),
    ("UI p95, ms", lambda s: s["ui"]["p95_ms"]),
    ("peak MB dedup ours", lambda s: s["dedup.ours"]["max_rss_mb"]),
    ("peak MB dedup datasketch", lambda s: s["dedup.datasketch"]["max_rss_mb"]),
    ("peak MB index ours", lambda s: s["index.ours"]["max_rss_mb"]),
    ("peak MB index FTS5", lambda s: s["index.fts5"]["max_rss_mb"]),
    ("peak MB UI server", lambda s: s["ui"]["server_max_rss_mb"]),
]


def scaling_rows(runs: list[dict]) -> list[dict]:
    rows = []
    for label, get in SCALING:
        values = [get(run["stages"]) for run in runs]
        first, last = runs[0]["docs"], runs[-1]["docs"]
        exponent = (math.log(values[-1] / values[0]) / math.log(last / first)
                    if len(runs) > 1 and values[0] > 0 and values[-1] > 0 else None)
        rows.append({"figure": label, "values": values, "exponent": exponent})
    return rows


# --- Markdown --------------------------------------------------------------------------------

def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _table(rows: list[dict]) -> list[str]:
    lines = ["| figure | ours | peer | ours ÷ peer | how measured |", "|---|---:|---:|---:|---|"]
    for r in rows:
        peer = _fmt(r["peer"], r["digits"]) + (f" ({r['peer_name']})" if r["peer"] is not None else
                                               (" (no peer)" if r["peer_name"] == "none" else ""))
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        lines.append(f"| {r['figure']} | {_fmt(r['ours'], r['digits'])} | {peer} | {ratio} | {r['how']} |")
    return lines


def selectivity_table(run: dict) -> list[str]:
    """Every query class at its three selectivities: hits (ours / FTS5) and median ms (ours / FTS5)."""
    classes = run["stages"]["query"]["result"]["classes"]
    levels = list(next(iter(classes.values()))["levels"]) if classes else []
    if not levels:
        return []
    lines = [f"Query classes by selectivity ({run['docs']:,} docs; queries chosen from the corpus by document "
             "frequency, bench/queries.py): hits ours / FTS5, then median ms ours / FTS5.", "",
             "| class | " + " | ".join(levels) + " |", "|---|" + "---|" * len(levels)]
    for name, c in classes.items():
        cells = []
        for level in levels:
            r = c["levels"].get(level)
            cells.append("—" if r is None else f"`{r['query']}` {r['ours_hits']:,} / {r['fts5_hits']:,} hits; "
                                                  f"{r['ours']:.1f} / {r['fts5']:.1f} ms")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


def markdown(results: dict) -> str:
    m = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    sizes = ", ".join(f"{n:,}" for n in results["sizes"])
    lines = [
        f"Run of {results['date']}: {sizes} documents; total wall time {results['wall_s'] / 60:.1f} min.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; Python {m['python']}; "
        f"{packages}; {m['wrk'] or 'wrk not installed'}. Load average before / after: "
        f"{' '.join(f'{x:.1f}' for x in results['load_before'])} / "
        f"{' '.join(f'{x:.1f}' for x in results['load_after'])}.",
        "",
        "Ratios are ours ÷ peer, both measured in this run one after the other (↑: higher is better, "
        "↓: lower is better). Peak memory is the ru_maxrss of the stage's own process (os.wait4).",
        "",
    ]
    if results.get("fixed"):
        f = results["fixed"]
        lines += [f"### Per-page stages (fixed size, wall {f['wall_s']:.0f} s)", "",
                  "Their cost is per page, not per archive, so they run on a fixed slice at every --docs.", ""]
        lines += _table(fixed_rows(f)) + [""]
    for run in results["runs"]:
        lines += [f"### Archive of {run['docs']:,} documents (wall {run['wall_s']:.0f} s)", ""]
        lines += _table(size_rows(run)) + [""] + selectivity_table(run)
    if len(results["runs"]) > 1:
        head = " | ".join(f"{run['docs']:,}" for run in results["runs"])
        lines += ["### How cost grows", "",
                  "Exponent b in cost ∝ docs^b between the smallest and the largest size: 1 is linear, "
                  "0 is flat, above 1 worse than linear.", "",
                  f"| figure | {head} | b |", "|---|" + "---:|" * (len(results["runs"]) + 1)]
        for r in scaling_rows(results["runs"]):
            values = " | ".join(_fmt(v) for v in r["values"])
            b = f"{r['exponent']:.2f}" if r["exponent"] is not None else "—"
            lines.append(f"| {r['figure']} | {values} | {b} |")
        lines.append("")
    return "\n".join(lines)


def _kept_sections() -> str:
    """Sections other benchmarks wrote into RESULTS.md: from bench/evidence.py's first marker to the end
    (the evidence section and what follows it, e.g. the OCR section of bench/ocr.py)."""
    from bench.evidence import BEGIN, END

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if BEGIN in text and END in text:
        return "\n\n" + text[text.index(BEGIN):].rstrip() + "\n"
    return ""


def write(results: dict, record: bool = False) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = results["date"][:19].replace(":", "")
    text = json.dumps(results, ensure_ascii=False, indent=1, default=str)
    paths = [OUT / f"bench-{stamp}.json", OUT / "latest.json", OUT / "latest.md"]
    paths[0].write_text(text, encoding="utf-8")
    paths[1].write_text(text, encoding="utf-8")
    body = markdown(results)
    paths[2].write_text(body, encoding="utf-8")
    if record:
        RESULTS.write_text("# govplans beside its peers\n\n"
                           "Written by `make bench` / `python -m bench --record` (bench/suite.py); "
                           "the JSON of the same run is in bench/out/.\n\n" + body + _kept_sections(), encoding="utf-8")
        paths.append(RESULTS)
    return paths


def main(argv=None) -> None:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", type=Path)
    ap.add_argument("--record", action="store_true")
    args = ap.parse_args(argv)
    results = json.loads(args.json.read_text(encoding="utf-8"))
    if args.record:
        write(results, record=True)
    print(markdown(results))


if __name__ == "__main__":
    sys.exit(main())
