"""A synthetic archive of N documents with real evidence, for bench/evidence.py (verify and backup at
national size): every document a gzipped WARC response record (an HTML page of evaluation/corpus.py's
text, with its request record), a capture row, a document row and its first version, and the index.

Rows go in by SQL executemany (evaluation may not use archive.models; ingest would spend its time on
dedup, which is not what is measured here); the schema is the archive's own, made by opening it."""
from __future__ import annotations

import hashlib
import html
import json
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from archive.config import DataDir
from archive.store import Archive
from archive.warc import WarcWriter
from evaluation.corpus import generate

SITES = 50
_pick = random.Random(7)
LINKS = [f"<li><a href=\"/zwgk/{_pick.randint(2016, 2025)}{_pick.randint(1, 12):02d}/t{_pick.randint(10**7, 10**8)}"
         f".html\">{html.escape(d.title)}</a><span>{_pick.randint(2016, 2025)}-{_pick.randint(1, 12):02d}-"
         f"{_pick.randint(1, 28):02d}</span></li>" for d in generate(3000, seed=7)]
_BATCH = 5000


def _page(doc, rng: random.Random) -> bytes:
    """About 25 KB of HTML (6-7 KB gzipped), as a county portal's article page: the text amid a
    portal's navigation and lists of other articles (links that differ from page to page)."""
    paragraphs = "".join(f"<p>{html.escape(s)}。</p>" for s in doc.text.split("。") if s)
    links = "".join(rng.sample(LINKS, 120))
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(doc.title)}</title>"
            f"<meta name=\"ArticleTitle\" content=\"{html.escape(doc.title)}\"></head><body>"
            f"<div class=\"header\">{'导航 ' * 40}</div><h1>{html.escape(doc.title)}</h1>"
            f"<div class=\"content\">{paragraphs}</div><ul class=\"related\">{links}</ul>"
            f"<div class=\"footer\">{'版权所有 ' * 30}</div></body></html>").encode("utf-8")


def build_archive(data: DataDir, docs: int, seed: int = 20240524, start: int = 1,
                  warc_bytes: int = 256 << 20) -> int:
    """Add documents start .. start+docs-1 to the archive of `data` (made when absent); returns how
    many WARC bytes were written. Call again with a later `start` to grow it (an incremental backup)."""
    data.ensure()
    Archive(data.database_url).close()                                   # the schema, by migrations
    database = data.root / "archive.sqlite"
    connection = sqlite3.connect(database)
    writer = WarcWriter(data.warc_dir, prefix=f"bench-{start}", max_bytes=warc_bytes)
    base = datetime(2026, 1, 1)
    written = 0
    try:
        connection.executemany("INSERT OR IGNORE INTO sites (id, name, family, base_url, columns, farm) "
                               "VALUES (?, ?, 'trs', ?, '[]', 0)",
                               [(f"site{n}", f"站点{n}", f"http://site{n}.test/") for n in range(1, SITES + 1)])
        corpus = generate(docs, seed=seed + start)
        rng = random.Random(seed + start)
        for first in range(0, len(corpus), _BATCH):
            captures, documents, versions = [], [], []
            for doc in corpus[first:first + _BATCH]:
                number = start + doc.doc_id - 1
                url = f"http://site{number % SITES + 1}.test/zwgk/{number}.html"
                body = _page(doc, rng)
                location = writer.write(url, 200, "OK", {"Content-Type": "text/html; charset=utf-8",
                                                         "Content-Length": str(len(body))}, body,
                                        request_headers={"Host": url.split("/")[2], "User-Agent": "govplans"})
                written += location.length
                when = (base + timedelta(seconds=number)).isoformat(sep=" ")
                site = f"site{number % SITES + 1}"
                captures.append((number, url, site, when, 200, json.dumps({"content-type": "text/html"}),
                                 location.payload_digest, location.file, location.offset, location.length))
                digest = hashlib.sha256((doc.title + doc.text).encode()).hexdigest()
                documents.append((number, url, site, doc.title, doc.published and doc.published.isoformat(),
                                  doc.region_code, doc.province, doc.city, doc.county, doc.year, doc.doc_type,
                                  json.dumps(list(doc.themes), ensure_ascii=False), doc.text, digest, when, when,
                                  when, number, doc.agency))
                versions.append((number, number, digest, doc.title, doc.text, when, when, number))
            connection.executemany("INSERT INTO captures (id, url, site_id, fetched_at, status, headers, "
                                   "payload_digest, warc_file, warc_offset, warc_length) VALUES "
                                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", captures)
            connection.executemany("INSERT INTO documents (id, url, site_id, title, published, region_code, province, "
                                   "city, county, year, doc_type, themes, text, outline, sources, content_hash, status, "
                                   "first_seen, last_seen, updated_at, capture_id, agency) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                   "?, ?, ?, ?, ?, ?, '[]', '{}', ?, 'active', ?, ?, ?, ?, ?)", documents)
            connection.executemany("INSERT INTO versions (id, document_id, number, content_hash, title, text, seen_at, "
                                   "last_seen, capture_id) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)", versions)
            connection.commit()
    finally:
        writer.close()
        connection.close()
    return written
