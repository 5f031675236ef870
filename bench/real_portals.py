"""Portals made of real government pages, for benchmarks whose pages must weigh what real ones do.

The farm's detail pages are our own writing: their bodies follow the real length distribution, but
their markup is light (a farm page extracts in ~5 ms, a saved real government page, with its
navigation, scripts and tables, in ~15-20 ms). Here each of `sites` portals serves one column list
(our markup: a `ul.list` of links) and, behind it, every labelled page of
../shared/realdata/gold.jsonl byte for byte, with one comment appended naming the portal (so
each portal's copy is a capture of its own, as on distinct county portals, and not an exact
copy of another's). Served from a thread on 127.0.0.1 under `realN.bench.test` hosts.

    server, registry = start_real_portals(realdata, sites=12)   # registry: sites.yaml entries
    ...
    server.shutdown()
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sitefarm.responses import Request, Response, not_found
from sitefarm.server import FarmServer, start_app_in_thread

COLUMN = "/zwgk/"
DETAIL = re.compile(rf"{COLUMN}d(\d+)\.html")   # the n-th labelled page


def gold_pages(realdata: Path) -> list[tuple[str, bytes]]:
    """(title, bytes) of every labelled real page."""
    pages = []
    for line in (realdata / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            pages.append((record.get("title") or record["file"], (realdata / record["file"]).read_bytes()))
    return pages


def list_page(titles: list[str]) -> bytes:
    items = "".join(f'<li><a href="{COLUMN}d{n}.html">{html.escape(title)}</a><span>2024-06-01</span></li>'
                    for n, title in enumerate(titles))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开</title></head><body>'
            f'<ul class="list">{items}</ul></body></html>').encode("utf-8")


def _comment(body: bytes, portal: str) -> bytes:
    """<!-- portal --> in the page's own encoding as far as its BOM tells (two pages are UTF-16)."""
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(body[:2], "ascii")
    return f"<!-- {portal} -->".encode(encoding)


def start_real_portals(realdata: Path, sites: int) -> tuple[FarmServer, list[dict]]:
    pages = gold_pages(realdata)
    listing = list_page([title for title, _ in pages])

    def respond(request: Request, host: str, attempt: int = 1) -> Response:
        portal = host.split(".")[0]
        if request.path in (COLUMN, COLUMN + "index.html"):
            return Response(200, listing, "text/html; charset=utf-8")
        detail = DETAIL.fullmatch(request.path)
        if detail is None or int(detail[1]) >= len(pages):
            return not_found()
        body = pages[int(detail[1])][1]
        # no charset: the page's own meta (or BOM) says it, as its portal served it
        return Response(200, body + _comment(body, portal), "text/html")

    server, port = start_app_in_thread(respond, port=0)
    registry = [{"id": f"real{k}", "name": f"真实页面门户{k}", "region": "350128", "family": "generic",
                 "base_url": f"http://real{k}.bench.test:{port}", "columns": [COLUMN],
                 "selectors": {"items": "ul.list li a"}, "farm": True}
                for k in range(sites)]
    return server, registry
