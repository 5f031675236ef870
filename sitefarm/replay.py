"""Replay saved real pages at their original URLs under a .test host, byte for byte.

A saved site is a folder with urls.tsv (header `url<TAB>file`): every original URL and the file
holding its bytes. A file path is read relative to the folder, else to its parent (realdata's
pingtan/urls.tsv names files as pingtan/…). http://www.pingtan.gov.cn/a/ is served as
http://www.pingtan.gov.cn.test:PORT/a/ (and /a/index.html); nothing in the bytes is rewritten,
so links keep their original form and resolve to the replayed paths when they are relative.
"""
from __future__ import annotations

import csv
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from sitefarm.responses import Request, Response, not_found

HTML_SUFFIXES = ("", ".htm", ".html", ".shtml", ".jsp", ".asp", ".aspx", ".php")


class Replay:
    def __init__(self, root: str | Path, host: str | None = None):
        """host: serve every entry under this one name (default: each original host + .test)."""
        self.root = Path(root)
        self.pages: dict[tuple[str, str], Path] = {}
        with open(self.root / "urls.tsv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                parts = urlsplit(row["url"])
                name = (host or f"{parts.hostname}.test").lower()
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                file = self._locate(row["file"])
                self.pages[(name, target)] = file
                if target.endswith("/"):
                    self.pages.setdefault((name, target + "index.html"), file)
        self.hosts = sorted({name for name, _ in self.pages})

    def _locate(self, name: str) -> Path:
        for base in (self.root, self.root.parent):
            if (base / name).is_file():
                return base / name
        raise FileNotFoundError(f"{name} (listed in {self.root / 'urls.tsv'})")

    def urls(self, port: int) -> list[str]:
        return [f"http://{host}:{port}{target}" for host, target in self.pages]

    def respond(self, request: Request, host: str, attempt: int = 1) -> Response:
        target = request.path + (f"?{request.query}" if request.query else "")
        file = self.pages.get((host.split(":")[0].lower(), target))
        if file is None:
            return not_found()
        suffix = file.suffix.lower()
        kind = "text/html" if suffix in HTML_SUFFIXES else mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return Response(200, file.read_bytes(), kind)  # no charset: the page's own meta (or BOM) says it
