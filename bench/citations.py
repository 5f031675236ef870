"""The 文号 citation graph measured: on a farm crawl with planted citations (precision and recall of
the resolved edges against the truth) and on the real pages of ../shared/realdata (references
found and resolved).

    python -m bench.citations [--sites 12] [--seed 0] [--work DIR] [--realdata ../shared/realdata]

The farm part starts World(sites=N, citations=True) on a free port (N county portals plus their
provinces' and cities' portals), crawls every site into a fresh data directory and compares each
archived citation with the truth's `cites`. An edge is (citing page URL, cited page URL):
precision = resolved edges that the truth lists / resolved edges; recall = truth edges resolved to
the right page / truth edges whose citing page was archived.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml


def farm_figures(sites: int, seed: int, work: Path) -> dict:
    from sqlalchemy import select

    from archive.config import DataDir
    from archive.models import Citation, Document
    from archive.read.citations import graph_figures
    from archive.store import Archive
    from crawler.registry import load_sites
    from crawler.run import run_crawl
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    world = World(sites=sites, seed=seed, citations=True)
    server, port = start_in_thread(world, 0)
    try:
        registry = work / "sites.yaml"
        registry.write_text(yaml.safe_dump(world.registry(port), allow_unicode=True))
        data = DataDir(work / "data")
        started = time.monotonic()
        summary = run_crawl(load_sites(str(registry)), data, overrides={"LOG_LEVEL": "ERROR"})
        crawl_seconds = time.monotonic() - started
        truth = list(world.truth(port))
    finally:
        server.shutdown()
    archive = Archive(data.database_url)
    with archive.reading() as s:
        urls = dict(s.execute(select(Document.id, Document.url)).all())
        rows = s.execute(select(Citation.document_id, Citation.cited_id, Citation.resolved_by)).all()
    figures = graph_figures(archive)
    archive.close()
    by_url = {u: i for i, u in urls.items()}
    planted = {(r["url"], c["url"]): c["form"] for r in truth for c in r.get("cites", ())}
    archived_planted = {edge: form for edge, form in planted.items() if edge[0] in by_url}
    resolved = {(urls[d], urls[c]) for d, c, _ in rows if c is not None}
    right = resolved & set(archived_planted)
    forms = Counter(archived_planted.values())
    found_forms = Counter(archived_planted[e] for e in right)
    return {
        "sites": len(world.sites), "county_sites": sites, "pages_crawled": summary.pages,
        "crawl_seconds": round(crawl_seconds, 1), "documents": len(urls), "truth_documents": len(truth),
        "planted_edges": len(planted), "planted_edges_archived": len(archived_planted),
        "cited_archived": sum(1 for _, cited in archived_planted if cited in by_url),
        "resolved_edges": len(resolved), "correct": len(right),
        "precision": round(len(right) / len(resolved), 4) if resolved else None,
        "recall": round(len(right) / len(archived_planted), 4) if archived_planted else None,
        "recall_by_form": {f: f"{found_forms[f]}/{n}" for f, n in sorted(forms.items())},
        "wrong": sorted(resolved - set(archived_planted))[:10],
        "missed": sorted(set(archived_planted) - right)[:10],
        "graph": figures,
    }


def _gov_cn_records(realdata: Path) -> list[dict]:
    """The 60 www.gov.cn policy records of bench/govcn-zhengce/records.sql (their HTML fragments)."""
    sql = realdata / "bench" / "govcn-zhengce" / "records.sql"
    if not sql.exists():
        return []
    db = sqlite3.connect(":memory:")
    db.execute("create table ge_policy_raw (id, crawl_url, crawl_time, index_number, title, release_office, "
               "release_number, policy_basis, wiritten_time, release_time, effect_time, content, image_url, "
               "status, html, remark)")
    db.executescript(sql.read_text(encoding="utf-8"))
    return [{"url": url, "title": title, "doc_number": number, "html": html}
            for url, title, number, html in db.execute("select crawl_url, title, release_number, html from ge_policy_raw")]


def realdata_figures(realdata: Path, work: Path) -> dict:
    from archive.extract import extract_document
    from archive.extract.docnumber import parse_doc_number
    from archive.extract.document import ExtractedDocument, RawPage
    from archive.read.citations import graph_figures
    from archive.store import Archive

    out = {}
    gold = [json.loads(line) for line in (realdata / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    archive = Archive(f"sqlite:///{work / 'realdata.sqlite'}")
    for record in gold:
        page = realdata / record["file"]
        if page.exists():
            archive.ingest(extract_document(RawPage(record.get("url") or f"file:{record['file']}", page.read_bytes(), {})))
    out["gov_pages"] = {"pages": len(gold), **graph_figures(archive)}
    archive.close()
    records = _gov_cn_records(realdata)
    if records:
        import lxml.html
        archive = Archive(f"sqlite:///{work / 'govcn.sqlite'}")
        for r in records:
            text = "\n".join(t.strip() for t in lxml.html.fromstring(f"<div>{r['html']}</div>").itertext() if t.strip())
            archive.ingest(ExtractedDocument(url=r["url"], title=r["title"], text=text,
                                             doc_number=parse_doc_number(r["doc_number"])))
        out["gov_cn_policies"] = {"pages": len(records), **graph_figures(archive)}
        archive.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--realdata", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata")
    parser.add_argument("--no-farm", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        figures = {}
        if args.realdata.exists():
            figures["realdata"] = realdata_figures(args.realdata, work)
        if not args.no_farm:
            figures["farm"] = farm_figures(args.sites, args.seed, work)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
