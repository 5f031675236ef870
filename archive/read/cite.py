"""A document cited: GB/T 7714-2015 (what Chinese journals require), BibTeX and RIS, each with the
archived copy's permalink, capture time and payload hash, so a reader can find the very bytes
cited even after the portal changes or drops the page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from archive.models import Capture, Document

FORMATS = ("gbt7714", "bibtex", "ris")
MEDIA = {"gbt7714": "text/plain", "bibtex": "application/x-bibtex", "ris": "application/x-research-info-systems"}
SUFFIX = {"gbt7714": "txt", "bibtex": "bib", "ris": "ris"}
_LINE = re.compile(r"\s+")


@dataclass(frozen=True)
class CiteRecord:
    """What every format says of one document (plain values, one line each)."""
    doc_id: int
    title: str
    author: str                # 主要责任者: the issuing agency, else the portal, else 佚名
    doc_number: str | None
    published: date | None
    url: str                   # the page on its portal
    permalink: str             # the archive's page of the document
    capture_url: str | None    # the archived bytes, as served
    captured: datetime | None
    payload_digest: str | None
    region: str
    accessed: date             # 引用日期


def cite_record(row: Document, capture: Capture | None, permalink: str, capture_url: str | None,
                accessed: date) -> CiteRecord:
    region = " ".join(dict.fromkeys(p for p in (row.province, row.city, row.county) if p))
    author = row.agency or (row.site.name if row.site else None) or "佚名"
    return CiteRecord(doc_id=row.id, title=_one_line(row.title) or "（无标题）", author=_one_line(author),
                      doc_number=_one_line(row.doc_number) or None, published=row.published, url=_one_line(row.url),
                      permalink=permalink, capture_url=capture_url if capture else None,
                      captured=capture.fetched_at if capture else None,
                      payload_digest=(capture.payload_digest or None) if capture else None, region=region,
                      accessed=accessed)


def _one_line(value: str | None) -> str:
    return _LINE.sub(" ", value or "").strip()


def _archived(r: CiteRecord) -> str:
    parts = [f"存档: {r.permalink}"]
    if r.capture_url:
        parts.append(f"原始页面: {r.capture_url}")
    if r.captured:
        parts.append(f"抓取于 {r.captured.isoformat(timespec='seconds')}Z")
    if r.payload_digest:
        parts.append(f"载荷摘要 {r.payload_digest}")
    return "; ".join(parts)


def gbt7714(r: CiteRecord) -> str:
    """主要责任者. 题名: 文号[EB/OL]. (发布日期)[引用日期]. 获取和访问路径. — then where the archive keeps it."""
    title = f"{r.title}: {r.doc_number}" if r.doc_number else r.title
    issued = f"({r.published.isoformat()})" if r.published else ""
    return f"{r.author}. {title}[EB/OL]. {issued}[{r.accessed.isoformat()}]. {r.url}. {_archived(r)}."


def _bib(value: str) -> str:
    """A BibTeX value inside braces: braces and backslashes would end or escape it."""
    return value.replace("\\", "＼").replace("{", "｛").replace("}", "｝")


def bibtex(r: CiteRecord) -> str:
    fields = [("title", r.title), ("author", "{" + _bib(r.author) + "}"), ("number", r.doc_number),
              ("year", str(r.published.year) if r.published else None),
              ("date", r.published.isoformat() if r.published else None), ("url", r.url),
              ("urldate", r.accessed.isoformat()), ("address", r.region or None),
              ("howpublished", "[EB/OL]"), ("note", _archived(r)), ("archiveurl", r.permalink),
              ("archivedate", r.captured.date().isoformat() if r.captured else None),
              ("payloaddigest", r.payload_digest)]
    body = ",\n".join(f"  {name} = {{{value if name == 'author' else _bib(value)}}}"
                      for name, value in fields if value)
    return f"@misc{{govplans{r.doc_id},\n{body}\n}}\n"


def ris(r: CiteRecord) -> str:
    lines = [("TY", "GOVDOC"), ("ID", f"govplans{r.doc_id}"), ("TI", r.title), ("AU", r.author),
             ("PY", str(r.published.year) if r.published else None),
             ("DA", r.published.strftime("%Y/%m/%d") if r.published else None), ("M1", r.doc_number),
             ("CY", r.region or None), ("UR", r.url), ("UR", r.permalink), ("UR", r.capture_url),
             ("Y2", r.accessed.strftime("%Y/%m/%d")), ("DB", "govplans"), ("N1", _archived(r)), ("ER", "")]
    return "".join(f"{tag}  - {value}\n" for tag, value in lines if value is not None) + "\n"


def render(records: list[CiteRecord], fmt: str) -> str:
    """Many records in one format (a search's result: one file)."""
    if fmt == "gbt7714":
        return "".join(f"[{n}] {gbt7714(r)}\n" for n, r in enumerate(records, 1))
    return "".join((bibtex if fmt == "bibtex" else ris)(r) for r in records)
