"""Text of an attached file (pdf, docx, xlsx, ofd, rtf/.doc, OLE2 .doc/.wps/.xls, html .xls, txt).

    attachment_text(body, ext, content_type) -> (text, errors)

Never raises: what went wrong goes into errors and the text is whatever was read before it.
The real format is sniffed from the bytes first (portals serve RTF and HTML as ".doc"/".xls",
and zips under any name), then guessed from the extension and the content type.

Bounded: inputs over MAX_INPUT_BYTES are not read, at most MAX_PAGES PDF/OFD pages and
MAX_ROWS spreadsheet rows are read, zip members over MAX_MEMBER_BYTES are skipped, and the
text is cut at MAX_TEXT_CHARS.

Word 97 and WPS binaries (OLE2 with a WordDocument stream, .doc/.wps) are read by a maintained
tool when one is installed (Debian's antiword, else catdoc: scripts/install-doc-tools.sh), which
parses the piece table. Without one, or when the tool fails on the file, the text is approximate:
the runs of UTF-16LE text found in the WordDocument (or Workbook) stream. That reads Chinese
documents (Word stores non-Latin text as UTF-16) and misses text a file stores as 8-bit; an
errors entry says the text is approximate and why no tool read it.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from typing import Callable

from lxml import etree

MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 2 * 1024 * 1024
MAX_PAGES = 300
MAX_ROWS = 20_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one zip member, uncompressed (zip bombs)

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_TEXT_EXTS = {"txt", "csv", "htm", "html"}


def attachment_text(body: bytes, ext: str | None = None, content_type: str | None = None
                    ) -> tuple[str, tuple[str, ...]]:
    """(text, errors) of one attached file; never raises."""
    errors: list[str] = []
    try:
        text = _text(body, (ext or "").lower().lstrip("."), (content_type or "").lower(), errors)
    except Exception as exc:  # the last net: a broken file must not stop the crawl
        errors.append(f"attachment: {type(exc).__name__}: {exc}")
        text = ""
    text = _tidy(text)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        errors.append(f"text cut at {MAX_TEXT_CHARS} characters")
    return text, tuple(errors)


def sniff(body: bytes, ext: str = "", content_type: str = "") -> str | None:
    """The format the bytes are: pdf, docx, xlsx, ofd, zip, ole2, rtf, html, text, or None."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names or any(n.lower().endswith("content.xml") and "/pages/" in n.lower() for n in names):
            return "ofd"
        return "zip"
    if body.startswith(OLE2_MAGIC):
        return "ole2"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lower().replace(b"\x00", b"")
    if b"<html" in lowered or b"<table" in lowered or b"<!doctype html" in lowered:
        return "html"
    by_ext = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "ofd": "ofd", "rtf": "rtf",
              "htm": "html", "html": "html", "txt": "text", "csv": "text"}
    if ext in by_ext:
        return by_ext[ext]
    if "text/plain" in content_type or "text/csv" in content_type:
        return "text"
    if "text/html" in content_type:
        return "html"
    return None


def _text(body, ext: str, content_type: str, errors: list[str]) -> str:
    if not isinstance(body, (bytes, bytearray)) or not body:
        errors.append("empty file")
        return ""
    body = bytes(body)
    if len(body) > MAX_INPUT_BYTES:
        errors.append(f"file of {len(body)} bytes is over {MAX_INPUT_BYTES}: not read")
        return ""
    kind = sniff(body, ext, content_type)
    reader = READERS.get(kind or "")
    if reader is None:
        errors.append(f"no text reader for {kind or 'unknown format'} (.{ext or '?'})")
        return ""
    return reader(body, errors)


# pdf ---------------------------------------------------------------------------------------
def pdf_text(body: bytes, errors: list[str]) -> str:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:
            errors.append(f"pdf: encrypted: {type(exc).__name__}")
            return ""
    pages, out, size = len(reader.pages), [], 0
    if pages > MAX_PAGES:
        errors.append(f"pdf: read {MAX_PAGES} of {pages} pages")
    for number in range(min(pages, MAX_PAGES)):
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as exc:
            errors.append(f"pdf: page {number + 1}: {type(exc).__name__}: {exc}")
            continue
        out.append(text)
        size += len(text)
        if size > MAX_TEXT_CHARS:
            break
    if pages and not any(t.strip() for t in out):
        errors.append("pdf: no text layer (a scan?)")
    elif empty := sum(1 for t in out if not t.strip()):
        errors.append(f"pdf: {empty} of {len(out)} pages have no text layer")
    return "\n".join(out)


# docx --------------------------------------------------------------------------------------
def docx_text(body: bytes, errors: list[str]) -> str:
    from docx import Document
    from docx.table import Table

    with zipfile.ZipFile(io.BytesIO(body)) as package:
        if package.getinfo("word/document.xml").file_size > MAX_MEMBER_BYTES:
            errors.append("docx: document.xml too large")
            return ""
    document = Document(io.BytesIO(body))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_rows(block))
        else:
            lines.append(block.text)
        if len(lines) > MAX_ROWS:
            errors.append(f"docx: read {MAX_ROWS} paragraphs and rows")
            break
    return "\n".join(lines)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.strip())
        rows.append("\t".join(cells))
    return rows


# xlsx --------------------------------------------------------------------------------------
def xlsx_text(body: bytes, errors: list[str]) -> str:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(body)) as package:
        if sum(i.file_size for i in package.infolist()) > 4 * MAX_MEMBER_BYTES:
            errors.append("xlsx: too large unpacked")
            return ""
    workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v).strip() for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append("\t".join(cells))
                if len(lines) >= MAX_ROWS:
                    errors.append(f"xlsx: read {MAX_ROWS} rows")
                    return "\n".join(lines)
    finally:
        workbook.close()
    return "\n".join(lines)


# ofd ---------------------------------------------------------------------------------------
_PAGE_NUMBER = re.compile(r"(\d+)")


def ofd_text(body: bytes, errors: list[str]) -> str:
    """TextCode elements of each page's Content.xml, in the document's page order; text objects
    on one baseline (same Boundary y) join into one line."""
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        names = package.namelist()
        pages = _ofd_pages(package, names, errors)
        if len(pages) > MAX_PAGES:
            errors.append(f"ofd: read {MAX_PAGES} of {len(pages)} pages")
        out: list[str] = []
        for name in pages[:MAX_PAGES]:
            data = _member(package, name, errors)
            if data is None:
                continue
            try:
                root = etree.fromstring(data, _xml_parser())
            except etree.XMLSyntaxError as exc:
                errors.append(f"ofd: {name}: {exc}")
                continue
            out.append(_ofd_page_text(root))
    return "\n".join(t for t in out if t)


def _ofd_pages(package: zipfile.ZipFile, names: list[str], errors: list[str]) -> list[str]:
    present = set(names)
    try:
        ofd = etree.fromstring(_member(package, "OFD.xml", errors) or b"", _xml_parser())
        roots = [el.text.strip().lstrip("/") for el in ofd.iter() if _local(el) == "DocRoot" and el.text]
        pages = []
        for doc_root in roots:
            folder = doc_root.rsplit("/", 1)[0] + "/" if "/" in doc_root else ""
            document = etree.fromstring(_member(package, doc_root, errors) or b"", _xml_parser())
            for el in document.iter():
                if _local(el) == "Page" and el.get("BaseLoc"):
                    loc = el.get("BaseLoc").lstrip("/")
                    name = loc if loc in present else folder + loc
                    if name.endswith("/") or not name.lower().endswith(".xml"):
                        name = name.rstrip("/") + "/Content.xml"
                    if name in present:
                        pages.append(name)
        if pages:
            return pages
    except (etree.XMLSyntaxError, ValueError, KeyError):
        pass
    # no usable OFD.xml/Document.xml: every page content file, in page-number order
    found = [n for n in names if "/pages/" in n.lower() and n.lower().endswith("content.xml")]
    return sorted(found, key=lambda n: [int(x) for x in _PAGE_NUMBER.findall(n)])


def _ofd_page_text(root) -> str:
    lines: list[str] = []
    last_y = None
    for obj in root.iter():
        if _local(obj) != "TextObject":
            continue
        text = "".join(code.text or "" for code in obj.iter() if _local(code) == "TextCode")
        if not text:
            continue
        box = (obj.get("Boundary") or "").split()
        y = box[1] if len(box) > 1 else None
        if lines and y is not None and y == last_y:
            lines[-1] += text
        else:
            lines.append(text)
        last_y = y
    return "\n".join(lines)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _member(package: zipfile.ZipFile, name: str, errors: list[str]) -> bytes | None:
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        errors.append(f"{name}: {info.file_size} bytes unpacked, skipped")
        return None
    return package.read(info)


def _xml_parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


# OLE2 (.doc/.wps/.xls binaries) ------------------------------------------------------------
_TEXT_STREAMS = ("WordDocument", "Workbook", "Book")
# CJK, CJK punctuation and full-width forms, general punctuation, printable ASCII, tab/CR/LF
_UTF16_RUN = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u206f\u00b7\u00d7"
                        "\u0020-\u007e\t\r\n\u000b\u000c]{4,}")


# Word 97 / WPS binary readers, tried in order; each gets the file's path last and prints UTF-8.
# catdoc first: antiword 0.37 segfaults on about a third of runs over the same file (measured on
# tests/extract/word97.py's files); its crash is recorded and the next reader answers.
DOC_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("catdoc", ("-d", "utf-8", "-w")),             # -w: no line wrapping
    ("antiword", ("-m", "UTF-8.txt", "-w", "0")),  # -w 0: no line wrapping
)
TOOL_TIMEOUT = 20  # seconds for one file; then the tool is killed (catdoc loops on some damaged files)


def ole2_text(body: bytes, errors: list[str]) -> str:
    import olefile

    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        streams = ["/".join(path) for path in ole.listdir(streams=True, storages=False)]
        if "WordDocument" in streams and not _complete(ole, streams):
            errors.append("ole2: truncated file: streams end before their declared size")
        elif "WordDocument" in streams:
            tried: list[str] = []
            text = word_tool_text(body, tried)
            if text is not None:
                return text
            errors.extend(tried or ["ole2: no Word reader installed (antiword, catdoc: "
                                    "scripts/install-doc-tools.sh)"])
        chosen = [s for s in _TEXT_STREAMS if s in streams] or streams
        out = []
        for name in chosen:
            if ole.get_size(name) > MAX_INPUT_BYTES:
                errors.append(f"ole2: stream {name} too large")
                continue
            out.append(utf16_runs(ole.openstream(name).read()))
    errors.append("ole2: approximate text (UTF-16 runs of the "
                  f"{'/'.join(chosen[:3]) or 'no'} stream, not a Word/Excel binary parse)")
    return "\n".join(t for t in out if t)


def _complete(ole, streams: list[str]) -> bool:
    """Every Word stream is all there (catdoc loops forever on some truncated files)."""
    for name in ("WordDocument", "1Table", "0Table"):
        if name in streams:
            size = ole.get_size(name)
            if size > MAX_INPUT_BYTES or len(ole.openstream(name).read()) < size:
                return False
    return True


def _tool_env() -> dict[str, str]:
    """Only what the readers need, in a known locale."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "ANTIWORDHOME") if name in os.environ}
    return {**keep, "LC_ALL": "C.UTF-8"}


def word_tool_text(body: bytes, errors: list[str]) -> str | None:
    """The text the first installed tool of DOC_TOOLS reads from a Word 97/WPS binary, or None
    when none is installed or each fails on it (why goes into errors). Never raises."""
    tools = [(path, args) for name, args in DOC_TOOLS if (path := shutil.which(name))]
    if not tools:
        return None
    try:
        handle, path = tempfile.mkstemp(suffix=".doc", prefix="govplans-")
    except OSError as exc:
        errors.append(f"ole2: no temporary file for the Word reader: {exc}")
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        for tool, args in tools:
            name = os.path.basename(tool)
            try:
                done = subprocess.run([tool, *args, path], stdin=subprocess.DEVNULL, capture_output=True,
                                      timeout=TOOL_TIMEOUT, env=_tool_env())
            except subprocess.TimeoutExpired:
                errors.append(f"ole2: {name}: no answer in {TOOL_TIMEOUT} s")
                continue
            except OSError as exc:
                errors.append(f"ole2: {name}: {exc}")
                continue
            text = done.stdout.decode("utf-8", errors="replace")
            if done.returncode == 0 and text.strip():
                return text
            said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            errors.append(f"ole2: {name}: exit {done.returncode}"
                          + (f": {said[-1][:200]}" if said else ": no text"))
        return None
    except OSError as exc:
        errors.append(f"ole2: Word reader: {exc}")
        return None
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def utf16_runs(data: bytes) -> str:
    """Runs of plausible UTF-16LE text in a binary stream. A run whose characters are nearly all
    two printable ASCII bytes is 8-bit text misread as CJK, and is left out."""
    text = data[: len(data) // 2 * 2].decode("utf-16-le", errors="replace")
    runs = []
    for match in _UTF16_RUN.finditer(text):
        run = match.group(0)
        if not run.strip():
            continue
        ascii_pairs = sum(1 for ch in run if 0x2020 <= ord(ch) <= 0x7e7e
                          and 0x20 <= (ord(ch) & 0xFF) <= 0x7e)
        if ascii_pairs > 0.8 * len(run):
            continue
        runs.append(run.replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n"))
    return "\n".join(runs)


# rtf ---------------------------------------------------------------------------------------
_RTF_TOKEN = re.compile(r"\\([a-z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-f]{2})|\\([^a-z])|([{}])|[\r\n]+|([^\\{}\r\n]+)",
                        re.I | re.S)
_RTF_SKIP = {"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "footer",
             "headerl", "headerr", "footerl", "footerr", "listtable", "listoverridetable", "rsidtbl",
             "generator", "themedata", "datastore", "latentstyles", "xmlnstbl", "fldinst", "bkmkstart",
             "bkmkend"}
_RTF_BREAK = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "cell": "\t",
              "tab": "\t", "emdash": "\u2014", "endash": "\u2013", "lquote": "\u2018", "rquote": "\u2019",
              "ldblquote": "\u201c", "rdblquote": "\u201d", "bullet": "\u2022", "emspace": "\u3000"}


def rtf_text(body: bytes, errors: list[str]) -> str:
    source = body.decode("latin-1")
    codepage = re.search(r"\\ansicpg(\d+)", source[:4096])
    encoding = _codepage(codepage.group(1) if codepage else "1252")
    out: list[str] = []
    pending = bytearray()  # \'hh bytes: a GBK character is two of them
    stack: list[tuple[bool, int]] = []
    ignorable, uc, skip = False, 1, 0

    def flush():
        if pending:
            out.append(pending.decode(encoding, errors="replace"))
            pending.clear()

    for match in _RTF_TOKEN.finditer(source):
        word, arg, hexcode, symbol, brace, plain = match.groups()
        if hexcode is None:
            flush()
        if brace == "{":
            skip = 0
            stack.append((ignorable, uc))
        elif brace == "}":
            skip = 0
            ignorable, uc = stack.pop() if stack else (False, 1)
        elif symbol is not None:
            skip = 0
            if symbol == "*":
                ignorable = True
            elif not ignorable and symbol in "\\{}":
                out.append(symbol)
            elif not ignorable and symbol == "~":
                out.append("\u00a0")
            elif not ignorable and symbol in "-_":
                pass
        elif word is not None:
            skip = 0
            name = word.lower()
            if name in _RTF_SKIP:
                ignorable = True
            elif ignorable:
                pass
            elif name == "uc":
                uc = int(arg or 1)
            elif name == "u" and arg is not None:
                code = int(arg)
                out.append(chr(code + 65536 if code < 0 else code))
                skip = uc
            elif name in _RTF_BREAK:
                out.append(_RTF_BREAK[name])
        elif hexcode is not None:
            if skip > 0:
                skip -= 1
            elif not ignorable:
                pending.append(int(hexcode, 16))
        elif plain is not None:
            if skip > 0:
                cut = min(skip, len(plain))
                plain, skip = plain[cut:], skip - cut
            if not ignorable and plain:
                out.append(plain)
    flush()
    return "".join(out)


def _codepage(number: str) -> str:
    return {"936": "gb18030", "950": "big5hkscs", "65001": "utf-8"}.get(number, f"cp{number}") \
        if _known(f"cp{number}") or number in ("936", "950", "65001") else "cp1252"


def _known(encoding: str) -> bool:
    import codecs
    try:
        codecs.lookup(encoding)
        return True
    except LookupError:
        return False


# html (.xls exports, Word "save as web page" .doc) and plain text ---------------------------
def html_text(body: bytes, errors: list[str]) -> str:
    from .decoding import decode
    from .dom import parse, render_lines

    text, _ = decode(body, {})
    tree = parse(text)
    if tree is None:
        return ""
    return "\n".join(render_lines(tree))


def plain_text(body: bytes, errors: list[str]) -> str:
    from .decoding import decode

    text, _ = decode(body, {})
    return text


READERS: dict[str, Callable[[bytes, list[str]], str]] = {
    "pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text, "ofd": ofd_text, "ole2": ole2_text,
    "rtf": rtf_text, "html": html_text, "text": plain_text,
}

_BLANKS = re.compile(r"[ \t\u00a0]+\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return _MANY_NEWLINES.sub("\n\n", _BLANKS.sub("\n", text)).strip()
