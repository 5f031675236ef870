"""Search benchmark: our Whoosh index vs SQLite FTS5 (trigram) on the same generated corpus.

    python bench/search.py                       # realistic and dense corpora, 20k and 50k docs
    python bench/search.py --docs 20000 --corpus realistic [--lengths real]
    python bench/search.py --docs 20000 --backend whoosh pg   # adds a PostgreSQL column

With `--backend pg` the same corpus is also loaded into PostgreSQL (archive/index/postgres/,
in a schema of its own on --pg-url, dropped afterwards) and searched through the same search()
calls, measured in the same run; its 1- and 2-character Chinese words have no trigram and are
a table scan.

Prints indexing speed and, per query class and selectivity, the median milliseconds of both engines measured
side by side in one run (after one warm-up call; calls of the two engines alternate, so load
from elsewhere falls on both; "cold" is our first call after dropping the decoded-postings
cache, i.e. a query whose terms no one asked for since the index changed), the p95 of query +
filters + facets, the first search on a just-opened index,
the ratio ours / FTS5, then all figures as JSON. FTS5's trigram tokenizer cannot match terms
shorter than 3 characters, so 1- and 2-character words fall back to LIKE '%w%' (a scan).
Both sides do the same work per call: the count of all hits and page 1 (20 hits, ranked) with
what a Hit holds, i.e. stored fields, the title marked and a marked snippet of the text (ours:
search(); FTS5: count(*), then bm25-ranked rows with highlight() and snippet(), see
fts_search); facets are a class of their own. The note of each class gives both hit counts:
FTS5's trigram phrase "a b" matches only a space between a and b, ours any punctuation.
`--work DIR` keeps the built index and FTS5 database and reuses them in later runs.

Queries (bench/queries.py): every class (1-char, 2-char word, 3+ char word, AND, phrase, OR, with
filter, facets) has one query at each of three selectivities, ≤ 0.1%, ~1% and ≥ 10% of the documents,
chosen from the corpus by document frequency (a jieba-cut sample, then exact counts by our index); each
row prints both engines' hit counts. A phrase is two words either side of a "，" as the corpus writes
them; FTS5 matches that exact string, ours any punctuation there.

Corpora (evaluation/corpus.py): "realistic" spreads documents over many subjects (a
theme word such as 宣传月 in a few per cent of them), "dense" is the worst case where most
documents are about publicity work (宣传月 in ~90%). `--lengths real` gives the realistic corpus
the lengths of real government texts (sitefarm/lengths.py: median ~1,100 characters, p90 ~4,200,
4% plans of 10k-600k characters).
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.index import SearchFilters, close_searchers, rebuild, search  # noqa: E402
from archive.index.whoosh import columns  # noqa: E402
from archive.index.whoosh.postings import clear_cache  # noqa: E402
from archive.regions import region_codes  # noqa: E402
from bench.queries import Case, choose  # noqa: E402
from evaluation.corpus import generate, generate_realistic  # noqa: E402

CORPORA = {"realistic": generate_realistic, "dense": generate}

FACETS = ["province", "year", "doc_type", "agency", "site", "status"]


def build_fts(docs, path):
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='trigram');
        CREATE TABLE m(rowid INTEGER PRIMARY KEY, year INT, province TEXT, city TEXT, county TEXT,
                       doc_type TEXT, agency TEXT, site TEXT, status TEXT, published TEXT);
        CREATE TABLE themes(doc_id INT, theme TEXT);
        CREATE INDEX themes_doc ON themes(doc_id);   -- the peer gets the index a DBA would give it
        CREATE INDEX m_city ON m(city);
    """)
    for d in docs:
        province, city, county = region_codes(d.region_code)
        db.execute("INSERT INTO fts(rowid, title, text) VALUES (?,?,?)", (d.doc_id, d.title, d.text))
        db.execute("INSERT INTO m VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (d.doc_id, d.year, province, city, county, d.doc_type, d.agency, d.site, d.status,
                    d.published.isoformat() if d.published else None))
        db.executemany("INSERT INTO themes VALUES (?,?)", [(d.doc_id, t) for t in d.themes])
    db.commit()
    return db


def fts_where(kind, term):
    if kind == "like":
        return "(fts.title LIKE ? OR fts.text LIKE ?)", (f"%{term}%", f"%{term}%")
    return "fts MATCH ?", (term,)


# What a page of our hits holds besides title and text (api.Hit), read for each of the 20 rows.
HIT_COLUMNS = ("m.published, m.year, m.province, m.city, m.county, m.doc_type, m.site, "
               "(SELECT group_concat(t.theme, ',') FROM themes t WHERE t.doc_id = fts.rowid)")


def fts_search(db, kind, term, extra):
    """The peer's equivalent of one search(…, facets=False): the count of all hits, then page 1
    (20 hits) ranked as ours (bm25 with the title weighted 20, like TITLE_BOOST) with what our
    Hit holds: the stored fields, the title with <mark>s (highlight()) and a marked snippet
    of the text (snippet(), 64 tokens = characters under the trigram tokenizer; ours are ~120).
    The 20 are chosen first and only they are highlighted: with highlight()/snippet() in the
    ranking query itself SQLite would compute them for every hit before sorting.
    LIKE (1-2 characters) has no rank or auxiliary functions: newest first, and the snippet
    is the 120 characters around the word (substr/instr)."""
    where, args = fts_where(kind, term)
    base = f"FROM fts JOIN m ON m.rowid = fts.rowid WHERE {where} {extra}"
    total = db.execute(f"SELECT count(*) {base}", args).fetchone()[0]
    if kind == "match":
        rows = db.execute(
            f"WITH top(id, score) AS (SELECT fts.rowid, bm25(fts, 20.0, 1.0) {base} ORDER BY 2 LIMIT 20) "
            f"SELECT fts.rowid, fts.title, highlight(fts, 0, '<mark>', '</mark>'), "
            f"snippet(fts, 1, '<mark>', '</mark>', '…', 64), {HIT_COLUMNS} "
            f"FROM top JOIN fts ON fts.rowid = top.id JOIN m ON m.rowid = top.id "
            f"WHERE fts MATCH ? ORDER BY top.score", args + args).fetchall()
    else:
        rows = db.execute(
            f"WITH top(id, published) AS (SELECT fts.rowid, m.published {base} ORDER BY 2 DESC LIMIT 20) "
            f"SELECT fts.rowid, fts.title, substr(fts.text, max(1, instr(fts.text, ?) - 40), 120), {HIT_COLUMNS} "
            f"FROM top JOIN fts ON fts.rowid = top.id JOIN m ON m.rowid = top.id "
            f"ORDER BY top.published DESC", args + (term,)).fetchall()
    return total, rows


def fts_facets(db, match, extra=""):
    where, args = ("fts MATCH ?", (match,)) if match else ("1", ())
    base = f"FROM fts JOIN m ON m.rowid = fts.rowid WHERE {where} {extra}"
    for col in FACETS:
        db.execute(f"SELECT m.{col}, count(*) {base} GROUP BY m.{col}", args).fetchall()
    db.execute(f"SELECT t.theme, count(*) FROM fts JOIN m ON m.rowid = fts.rowid JOIN themes t ON t.doc_id = fts.rowid "
               f"WHERE {where} {extra} GROUP BY t.theme", args).fetchall()


def median_ms(fn, repeat):
    return statistics.median(times_ms(fn, repeat))


def times_ms(fn, repeat):
    fn()   # warm caches
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def paired_ms(ours, peer, repeat):
    """Milliseconds of every call of `ours` and of `peer`, called in turn (after one warm-up
    call each), so that whatever else the machine does falls on both alike."""
    ours(), peer()
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((ours, a), (peer, b)):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
    return a, b


def p95(times):
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


def cold_ms(fn):
    clear_cache()
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def pg_location(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema=bench_{os.getpid()}"


def drop_pg(location: str) -> None:
    from sqlalchemy import text
    from archive.index.postgres.backend import index_at
    pg = index_at(location)
    with pg.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {pg.engine.dialect.identifier_preparer.quote(pg.schema)} CASCADE"))


def choose_cases(index_dir, db) -> dict[str, list[Case]]:
    """Every class's three queries (bench/queries.py), chosen from the corpus the FTS5 database holds."""
    n = db.execute("SELECT count(*) FROM m").fetchone()[0]
    step = max(1, n // 1500)
    texts = [t for (t,) in db.execute("SELECT text FROM fts WHERE rowid % ? = 0 LIMIT 1500", (step,))]
    provinces = [p for (p,) in db.execute("SELECT province FROM m WHERE province IS NOT NULL "
                                          "GROUP BY 1 ORDER BY count(*) DESC")]
    years = [y for (y,) in db.execute("SELECT year FROM m WHERE year IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC")]
    return choose(index_dir, texts, n, provinces, years)


def measure_classes(index_dir, db, repeat: int, pg: str | None = None,
                    classes: dict[str, list[Case]] | None = None) -> list[dict]:
    """Per query class and selectivity level: our and FTS5's median ms (side by side), our cold ms,
    PostgreSQL's (with pg), and both engines' hit counts."""
    classes = classes or choose_cases(index_dir, db)
    rows = []
    for name, cases in classes.items():
        for case in cases:
            filters = case.filters or SearchFilters()
            kind, term = case.fts
            if name == "facets":
                ours_fn = lambda: search(index_dir, case.query, filters)  # noqa: E731
                peer_fn = lambda: (fts_search(db, kind, term, case.where), fts_facets(db, term, case.where))  # noqa: E731
            else:
                ours_fn = lambda: search(index_dir, case.query, filters, facets=False)  # noqa: E731
                peer_fn = lambda: fts_search(db, kind, term, case.where)  # noqa: E731
            a, b = paired_ms(ours_fn, peer_fn, repeat)
            pg_ms = median_ms(lambda: search(pg, case.query, filters, facets=name == "facets"), repeat) if pg else None
            note = "FTS5: LIKE scan (trigram needs >= 3 chars)" if kind == "like" else ""
            rows.append({"class": name, "level": case.level, "query": case.query,
                         "filters": {k: v for k, v in vars(filters).items() if v is not None},
                         "fts5_query": term + (f" {case.where}" if case.where else ""),
                         "ours": statistics.median(a), "ours_cold": cold_ms(ours_fn), "fts5": statistics.median(b),
                         "pg": pg_ms, "ours_hits": search(index_dir, case.query, filters, facets=False).total,
                         "fts5_hits": fts_search(db, kind, term, case.where)[0], "note": note})
    return rows


def class_summary(rows: list[dict]) -> dict[str, dict]:
    """class -> median ms over its levels (ours, cold, FTS5, pg) and its levels' rows."""
    out: dict[str, dict] = {}
    for row in rows:
        out.setdefault(row["class"], {"levels": {}})["levels"][row["level"]] = row
    for name, entry in out.items():
        levels = list(entry["levels"].values())
        for key in ("ours", "ours_cold", "fts5", "pg"):
            values = [r[key] for r in levels if r[key] is not None]
            entry[key] = statistics.median(values) if values else None
        entry["note"] = "; ".join(f"{r['level']} {r['query']}: hits ours {r['ours_hits']}, FTS5 {r['fts5_hits']}"
                                  for r in levels)
    return out


def measure_p95(index_dir, db, repeat: int, cases: list[Case]) -> dict:
    """The issue's latency figure: p95 of query + filters + all facets, over every call of
    every case of the "with filter" class (ours: one search() call; FTS5: count, 20 hits, 7 GROUP BYs)."""
    ours, fts = [], []
    for case in cases:
        a, b = paired_ms(lambda: search(index_dir, case.query, case.filters),
                         lambda: (fts_search(db, "match", case.fts[1], case.where),
                                  fts_facets(db, case.fts[1], case.where)), repeat)
        ours += a
        fts += b
    return {"ours_p95": round(p95(ours), 1), "fts5_p95": round(p95(fts), 1),
            "ours_median": round(statistics.median(ours), 1), "fts5_median": round(statistics.median(fts), 1),
            "calls": len(ours)}


def cold_searcher_ms(index_dir, query: str = "政务公开 宣传月") -> dict:
    """A search on a just-opened index (no searcher, no decoded postings, no facet columns)
    and the same query on the now open searcher with its postings dropped."""
    close_searchers()
    clear_cache()
    columns._segments.clear()   # the facet columns of each segment, kept across searchers
    t = time.perf_counter()
    search(index_dir, query)
    first = (time.perf_counter() - t) * 1000
    return {"first_search_ms": round(first, 1),
            "cold_postings_ms": round(cold_ms(lambda: search(index_dir, query)), 1)}


def run(corpus: str, n: int, sentences, repeat: int, procs: int, pg_url: str | None = None,
        work: str | None = None, lengths: str = "farm") -> dict:
    docs = (generate_realistic(n, sentences=tuple(sentences), lengths=lengths) if corpus == "realistic"
            else CORPORA[corpus](n, sentences=tuple(sentences)))
    chars = sum(len(d.title) + len(d.text) for d in docs) / len(docs)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if work:   # --work: build once into work/CORPUS-N-A-B, reuse it on later runs
            base = Path(work) / f"{corpus}-{n}-{sentences[0]}-{sentences[1]}-{lengths}"
            base.mkdir(parents=True, exist_ok=True)
        index_dir = base / "index"
        fts_path = base / "fts.sqlite"
        done = base / "built.json"
        if done.exists():
            ours_build, fts_build = json.loads(done.read_text())
            db = sqlite3.connect(str(fts_path))
        else:
            fts_path.unlink(missing_ok=True)
            t = time.perf_counter()
            rebuild(index_dir, docs, procs=procs)
            ours_build = time.perf_counter() - t
            t = time.perf_counter()
            db = build_fts(docs, str(fts_path))
            fts_build = time.perf_counter() - t
            if work:
                done.write_text(json.dumps([ours_build, fts_build]))
        search(index_dir, "预热")   # open the searcher, load the facet column
        pg = pg_location(pg_url) if pg_url else None
        pg_build = None
        if pg:
            t = time.perf_counter()
            rebuild(pg, docs)
            pg_build = time.perf_counter() - t
            search(pg, "预热")

        classes = choose_cases(index_dir, db)
        rows = measure_classes(index_dir, db, repeat, pg, classes)
        latency = measure_p95(index_dir, db, max(repeat, 20), classes["with filter"])
        cold_open = cold_searcher_ms(index_dir)
        hits = {q: search(index_dir, q, facets=False).total for q in ("宣传月", "政务公开", "主题日")}
        if pg:
            pg_hits = {q: search(pg, q, facets=False).total for q in hits}
            assert pg_hits == hits, (pg_hits, hits)   # same corpus, same hit sets
            drop_pg(pg)
        close_searchers()
        db.close()

    print(f"\n== {corpus} corpus: {n} docs, {chars:.0f} chars/doc, hits {hits}")
    print(f"index build: ours {n / ours_build:.0f} docs/s ({ours_build:.1f} s, procs={procs}), "
          f"FTS5 {n / fts_build:.0f} docs/s ({fts_build:.1f} s)")
    if pg:
        print(f"PostgreSQL build: {n / pg_build:.0f} docs/s ({pg_build:.1f} s, COPY + GIN trigram indexes)")
    pg_head = f" {'pg ms':>9}" if pg else ""
    print(f"{'class':18} {'level':6} {'ours ms':>9} {'cold ms':>9} {'FTS5 ms':>9}{pg_head} {'ours/FTS5':>9} "
          f"{'hits ours':>9} {'FTS5':>7}  query")
    for r in rows:
        pg_col = f" {r['pg']:9.1f}" if pg else ""
        print(f"{r['class']:18} {r['level']:6} {r['ours']:9.1f} {r['ours_cold']:9.1f} {r['fts5']:9.1f}{pg_col} "
              f"{r['ours'] / r['fts5']:9.2f} {r['ours_hits']:9} {r['fts5_hits']:7}  {r['query']} {r['filters'] or ''}"
              f"{'  (' + r['note'] + ')' if r['note'] else ''}")
    print(f"query + filters + facets, {latency['calls']} calls: p95 ours {latency['ours_p95']} ms, "
          f"FTS5 {latency['fts5_p95']} ms (medians {latency['ours_median']} / {latency['fts5_median']} ms)")
    print(f"first search on a just-opened index: {cold_open['first_search_ms']} ms; "
          f"then with postings dropped: {cold_open['cold_postings_ms']} ms")
    figures = {"corpus": corpus, "docs": n, "chars_per_doc": round(chars), "hits": hits, "procs": procs,
               "ours_docs_per_s": round(n / ours_build), "fts5_docs_per_s": round(n / fts_build),
               "lengths": lengths, "queries": rows,
               "median_ms": {name: {"ours": round(c["ours"], 1), "ours_cold": round(c["ours_cold"], 1),
                                    "fts5": round(c["fts5"], 1), "ratio": round(c["ours"] / c["fts5"], 2),
                                    **({"pg": round(c["pg"], 1)} if pg else {})}
                             for name, c in class_summary(rows).items()},
               "query_filters_facets": latency, "cold_open": cold_open}
    if pg:
        figures["pg_docs_per_s"] = round(n / pg_build)
    return figures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[20000, 50000])
    ap.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["realistic", "dense"])
    ap.add_argument("--sentences", type=int, nargs=2, default=(8, 20), help="sentences per document")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--lengths", choices=("farm", "real"), default="farm",
                    help="real: the realistic corpus's texts at real lengths (sitefarm/lengths.py)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="processes for the rebuild")
    ap.add_argument("--backend", nargs="+", choices=("whoosh", "pg"), default=["whoosh"],
                    help="whoosh is always measured (beside FTS5); pg adds a PostgreSQL column")
    ap.add_argument("--pg-url", default=os.environ.get("GOVPLANS_SEARCH_URL")
                    or "postgresql+psycopg://postgres@127.0.0.1:5432/test", help="database for --backend pg")
    ap.add_argument("--work", help="keep the built index and FTS5 database under this directory and "
                    "reuse them in later runs (build speeds are then those of the first run)")
    args = ap.parse_args(argv)
    pg_url = args.pg_url if "pg" in args.backend else None
    os.environ.pop("GOVPLANS_SEARCH_URL", None)   # the Whoosh column is measured in a directory
    figures = [run(corpus, n, args.sentences, args.repeat, args.procs, pg_url, args.work, args.lengths)
               for n in args.docs for corpus in args.corpus]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
