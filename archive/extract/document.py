"""The records extraction works on: raw bytes in, a frozen document out."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Mapping

from archive.regions import Region  # noqa: F401  (a document's region; re-exported for extraction)


@dataclass(frozen=True)
class RawPage:
    """One fetched response, exactly as served."""
    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    status: int = 200


@dataclass(frozen=True)
class SiteHint:
    """The site registry entry a page came from; its region is the strongest region signal."""
    id: str | None = None
    name: str | None = None
    region_code: str | None = None  # GB/T 2260, 6 digits
    family: str | None = None       # trs, hanweb, xxgk, generic, aggregator


@dataclass(frozen=True)
class DocNumber:
    """文号 parsed: 祁政办发〔2024〕5号 -> issuer 祁政办发, year 2024, number 5."""
    raw: str
    issuer: str | None = None
    year: int | None = None
    number: int | None = None


@dataclass(frozen=True)
class AttachmentLink:
    url: str
    name: str
    ext: str  # pdf, docx, doc, wps, xls, xlsx, ofd, zip


@dataclass(frozen=True)
class ExtractedDocument:
    url: str
    title: str | None = None
    published: date | None = None      # 发布日期
    written: date | None = None        # 成文日期
    agency: str | None = None          # 发布机构 / 发文机关 / 来源
    doc_number: DocNumber | None = None  # 文号
    index_number: str | None = None    # 索引号
    subject: str | None = None         # 主题分类 as printed (信息分类/分类, else 主题词); never guessed
    validity: str | None = None        # 有效性 as printed: 有效, 失效, 废止, 已修改 …; never guessed
    region: Region = Region()
    year: int | None = None            # the year the plan is for
    doc_type: str | None = None        # 文种: 方案, 通知, 要点 …
    themes: tuple[str, ...] = ()
    text: str = ""
    outline: tuple[str, ...] = ()      # 一、(一)1. headings
    attachments: tuple[AttachmentLink, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)  # field -> where it was found
    errors: tuple[str, ...] = ()       # what went wrong, if anything; extraction never raises
    # the page's visible lines, for its site's template (archive/extract/site_chrome.py); not exported
    page_lines: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; dates as YYYY-MM-DD, doc_number as its raw string plus parts."""
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        out["written"] = self.written.isoformat() if self.written else None
        out["doc_number"] = self.doc_number.raw if self.doc_number else None
        out["doc_number_parts"] = asdict(self.doc_number) if self.doc_number else None
        out["themes"] = list(self.themes)
        out["outline"] = list(self.outline)
        out["attachments"] = [asdict(a) for a in self.attachments]
        out["sources"] = dict(self.sources)
        out["errors"] = list(self.errors)
        del out["page_lines"]
        return out
