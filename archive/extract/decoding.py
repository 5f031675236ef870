"""Bytes -> text: BOM, HTTP header charset, meta charset, then detection.

Each declared charset is only believed when the bytes decode cleanly with it: county
portals often declare gb2312 on UTF-8 pages, and saved copies are UTF-16 with a meta
that still says gb2312.
"""
from __future__ import annotations

import codecs
import re
from typing import Mapping

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# gb18030 is a superset of both and real pages use characters outside gb2312.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
          "big5": "big5hkscs", "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
# A meta found by an ASCII regex cannot be telling the truth about these.
_NOT_ASCII_COMPATIBLE = ("utf-16", "utf-32", "unicode", "ucs-2", "ucs2")
_WEAK = {"cp1252"}  # servers' default when nobody configured a charset

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def decode(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The page's text and the encoding used; never raises (undecodable bytes are replaced)."""
    body = body or b""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(encoding, errors="replace"), encoding
    utf16 = _sniff_utf16(body)
    if utf16:
        return body.decode(utf16, errors="replace"), utf16

    declared = [_header_charset(headers or {}), _meta_charset(body)]
    strong = [e for e in declared if e and e not in _WEAK]
    # Valid UTF-8 is almost never an accident, while gb18030 accepts most byte soup.
    for encoding in ["utf-8"] + strong:
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    # Chinese pages that declare nothing (or only in an XML-ish wrapper) with a stray bad byte:
    # detectors guess Cyrillic code pages for GBK soup, while gb18030 reads it with a few errors.
    for encoding in strong[:1] or ["gb18030"]:
        text = _mostly(body, encoding)
        if text is not None:
            return text, encoding
    detected = _detect(body)
    if detected:
        return body.decode(detected, errors="replace"), detected
    fallback = strong[0] if strong else "gb18030"
    return body.decode(fallback, errors="replace"), fallback


def normalise_encoding(name: str | None) -> str | None:
    """A codec Python knows, widened (gbk -> gb18030), or None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(name).name
    except (LookupError, ValueError):   # ValueError: a NUL in the name
        return None
    if any(name.startswith(p) for p in _NOT_ASCII_COMPATIBLE):
        return None
    return _WIDER.get(name, name)


def _header_charset(headers: Mapping[str, str]) -> str | None:
    match = _HEADER_CHARSET.search(headers.get("content-type", "") or "")
    return normalise_encoding(match.group(1)) if match else None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return normalise_encoding(match.group(1).decode("ascii", "ignore")) if match else None


def _sniff_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII markup leaves every other byte zero."""
    head = body[:512]
    if len(head) < 16:
        return None
    even_zero = head[0::2].count(0) / (len(head) / 2)
    odd_zero = head[1::2].count(0) / (len(head) / 2)
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly(body: bytes, encoding: str) -> str | None:
    """The text when at most 1 in 500 of the non-ASCII characters fails to decode, else None."""
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return None
    wide = len(text) - len(text.encode("ascii", "ignore"))  # non-ASCII characters
    bad = text.count("\ufffd")
    return text if wide >= 50 and bad * 500 <= wide else None


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(body[:200_000]).best()
    except Exception:  # detection is a guess; a crash in it must not stop extraction
        return None
    if best is None:
        return None
    return normalise_encoding(best.encoding) or best.encoding
