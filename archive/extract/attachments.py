"""Links to attached files (pdf, doc, docx, wps, xls, xlsx, ofd, zip …) with their link text."""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlparse

from .document import AttachmentLink
from .dom import element_text, raw_text

EXTENSIONS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "ofd", "zip", "rar", "7z",
              "pptx", "ppt", "txt", "csv", "jpg", "jpeg", "png", "tif", "tiff")  # images: scans for OCR
_EXT = re.compile(r"\.(" + "|".join(EXTENSIONS) + r")(?:$|[?#&])", re.I)
_MAYBE_EXT = re.compile(r"\.(?:" + "|".join(EXTENSIONS) + r")", re.I)  # anywhere: a cheap first test


def attachments(tree, base_url: str | None) -> tuple[AttachmentLink, ...]:
    """Every distinct file link on the page, in document order."""
    found: dict[str, AttachmentLink] = {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.get("title") or "").strip()
        if not (_may_name_file(href) or _may_name_file(title) or _may_name_file(raw_text(a))):
            continue  # no file name anywhere: skip rendering the link's text
        text = element_text(a) or title
        ext = _extension(href) or _extension(text)
        if not ext:
            continue
        try:
            url = urljoin(base_url, href) if base_url else href
            path = urlparse(href).path
        except ValueError:    # http://[::1 …: one malformed link must not lose the others
            continue
        if url not in found:
            name = text or unquote(path.rsplit("/", 1)[-1])
            found[url] = AttachmentLink(url=url, name=name, ext=ext)
    return tuple(found.values())


def _may_name_file(s: str) -> bool:
    """_MAYBE_EXT in s unquoted; unquoting only changes a string with a %, and every extension
    follows a dot."""
    if "%" in s:
        s = unquote(s)
    return "." in s and _MAYBE_EXT.search(s) is not None


def _extension(s: str) -> str | None:
    match = _EXT.search(unquote(s).strip())
    return match.group(1).lower() if match else None
