"""Attached files: which documents have them, where they live, and their bytes.

About a fifth of the county documents link files under the body (附件： links); about one in
twenty holds the whole plan in its one attachment while the page only says 详见附件. Files are
generated on request from the document's text and kept rendered (up to RENDERED_BYTES, least recently
asked dropped first): the farm stands for remote portals, whose CPU is not the crawl's, and a
benchmark's next crawl asks for every file again. What each really is:

- pdf:  a real PDF (reportlab, the built-in CID font STSong-Light: the text is extractable, glyphs
        are not embedded, so a viewer substitutes its own Song font);
- docx: a real Word document (python-docx); xlsx: a real workbook (openpyxl);
- ofd:  a minimal OFD (GB/T 33190) package: a zip of OFD.xml, Document.xml, PublicRes.xml and one
        Content.xml per page of TextObject/TextCode;
- doc:  RTF text (with \\uN escapes) served as application/msword, as many portals' ".doc" files are;
- wps:  an OLE2 compound file (the container real .wps/.doc files use) whose one "WordDocument"
        stream holds UTF-16LE text. It is NOT a Word/WPS binary document (no FIB): tools that scan
        the container's streams for text read it, antiword and WPS would not;
- xls:  an HTML table with Excel's namespaces, served as application/vnd.ms-excel, as report
        exports of many portals are.
"""
from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ofd": "application/ofd",
    "jpg": "image/jpeg", "png": "image/png", "tif": "image/tiff",
}
# .../P0 + date + 8-digit document id + file number . ext  (legacy: /UploadFiles/yyyymm/date+id+n.ext)
FILE_NAME = re.compile(r"(\d{8})(\d{8})(\d)\.(pdf|docx|doc|wps|xlsx|xls|ofd|jpg|png|tif)$")
FULLTEXT_SHARE = 0.05
FILES_SHARE = 0.22
POINTER = "详见附件。"
FIXED_TIME = (2025, 6, 30, 0, 0, 0)
EXTS = {"fulltext": ("pdf", "docx", "doc", "wps", "ofd"), "copy": ("pdf", "ofd"),
        "form": ("docx", "doc", "wps", "pdf"), "table": ("xlsx", "xls")}


@dataclass(frozen=True)
class Attachment:
    n: int           # 1-based, the digit before the extension in the file name
    ext: str
    role: str        # fulltext (the document's whole text), copy (its signed copy), form, table
    link_text: str   # the link's text on the page, and the truth's name
    noise: str | None = None   # a scan (World(scans=True)): how it was scanned (sitefarm/scans.py NOISES)


@lru_cache(maxsize=4096)
def plan(seed: int, doc) -> tuple[Attachment, ...]:
    """The files a document links, drawn from its own random (day 0 draws stay untouched)."""
    if doc.site.family == "aggregator":
        return ()
    rng = random.Random(f"att:{seed}:{doc.site.index}:{doc.seq}")
    draw = rng.random()
    header = doc.header
    if draw < FULLTEXT_SHARE and header.doc_type not in ("总结", "报告"):
        ext = rng.choice(EXTS["fulltext"])
        return (Attachment(1, ext, "fulltext", f"{header.title}.{ext}"),)
    if draw >= FULLTEXT_SHARE + FILES_SHARE:
        return ()
    roles = rng.sample(("table", "form", "copy"), k=rng.randint(1, 3))
    names = {"table": f"{header.theme.name}工作任务分解表", "form": f"{header.theme.name}报名表",
             "copy": f"{header.title}（正式文件）"}
    files = []
    for n, role in enumerate(roles, 1):
        ext = rng.choice(EXTS[role])
        files.append(Attachment(n, ext, role, f"附件{n}：{names[role]}.{ext}"))
    return tuple(files)


SCAN_SHARE = 0.15
SCAN_KINDS = ("clean", "rotated", "blurred", "jpeg", "seal", "table", "broken_map", "image_body")


@lru_cache(maxsize=4096)
def scan_plan(seed: int, doc) -> tuple[Attachment, ...]:
    """A scan holding the document's text (World(scans=True)), from a random of its own: the
    fulltext file of a page saying 详见附件 (an image, a multi-page tif, an image-only PDF, a PDF
    with a broken ToUnicode map) or, for image_body, the picture that is the page's whole body."""
    if doc.site.family == "aggregator":
        return ()
    rng = random.Random(f"scan:{seed}:{doc.site.index}:{doc.seq}")
    if rng.random() >= SCAN_SHARE:
        return ()
    noise = rng.choice(SCAN_KINDS)
    title = doc.header.title
    if noise == "image_body":
        return (Attachment(1, "jpg", "body", title, "clean"),)
    ext = "pdf" if noise == "broken_map" else rng.choice(("jpg", "png", "tif", "pdf"))
    return (Attachment(1, ext, "fulltext", f"{title}.{ext}", noise),)


def path(doc, attachment: Attachment, doc_path: str) -> str:
    day = doc.published
    stem = f"{day:%Y%m%d}{doc.doc_id:08d}{attachment.n}.{attachment.ext}"
    if "?" in doc_path:  # ASP sites keep uploads in one folder
        return f"/UploadFiles/{day:%Y%m}/{stem}"
    return f"{doc_path.rsplit('/', 1)[0]}/P0{stem}"


def pointer_paragraphs(doc) -> list[str]:
    return [POINTER]


def find(world, site, request_path: str):
    """(doc, attachment) that request_path names, or None."""
    match = FILE_NAME.search(request_path)
    if not match:
        return None
    doc = world.document(site, int(match.group(2)))
    if not world.served(doc):
        return None
    doc_path = world.doc_path(doc)
    for attachment in world.attachments(doc):
        if path(doc, attachment, doc_path) == request_path:
            return doc, attachment
    return None


REPLACED_ROLES = ("table", "form")


def replaceable(seed: int, doc) -> bool:
    """Whether the document has a file an agency may replace under its unchanged page (a form, a table)."""
    return any(f.role in REPLACED_ROLES for f in plan(seed, doc))


def content(world, doc, attachment: Attachment) -> tuple[str, list[str], list[list[str]]]:
    """(title, paragraphs, table rows) the file holds; a form or table replaced k times (doc.file_edits)
    has its deadlines moved on k months, its contact lines revised."""
    header = doc.header
    if attachment.noise == "table":     # a scanned 任务分解表: the text, then the ruled table
        table = content(world, doc, Attachment(attachment.n, "xlsx", "table", ""))[2]
        return header.title, world.body(doc)[:3], table
    if attachment.role in ("fulltext", "copy", "body"):
        return header.title, world.body(doc), []
    theme = header.theme
    k = doc.file_edits
    if attachment.role == "table":
        rows = [["序号", "工作任务", "责任单位", "完成时限"]]
        units = ("县政府办", "县发展改革局", "各乡镇人民政府", "县财政局", "县融媒体中心")
        for n, task in enumerate(theme.tasks, 1):
            month = min(12, 3 * n + 3 + k)
            rows.append([str(n), task, units[(n + doc.seq) % len(units)], f"{header.year}年{month}月底前"])
        if k:
            rows.append([str(len(rows)), f"按第{k}次调整后的安排推进", "县政府办", f"{header.year}年12月底前"])
        return f"{theme.name}工作任务分解表", [], rows
    rows = [["序号", "姓名", "单位", "职务", "联系电话"]] + [[str(n), "", "", "", ""] for n in range(1, 6)]
    lines = ["填报单位（盖章）：", "联系人：　　　　联系电话："]
    if k:
        lines.append(f"（第{k}次修订：请于报名截止前将本表报送县政府办公室）")
    return f"{theme.name}报名表", lines, rows


def render(world, doc, attachment: Attachment) -> bytes:
    title, paragraphs, rows = content(world, doc, attachment)
    if attachment.noise:
        return _render_scan(attachment.ext, attachment.noise, title, tuple(paragraphs), tuple(map(tuple, rows)),
                            doc.doc_id)
    return _render(attachment.ext, title, tuple(paragraphs), tuple(map(tuple, rows)))


def scan_text(world, doc, attachment: Attachment) -> str:
    """What a scan shows, line by line: the truth its recognised text is scored against."""
    title, paragraphs, rows = content(world, doc, attachment)
    return "\n".join(_lines(title, paragraphs, rows))


@lru_cache(maxsize=16)
def _render_scan(ext: str, noise: str, title: str, paragraphs: tuple[str, ...], rows: tuple[tuple[str, ...], ...],
                 seed: int) -> bytes:
    from sitefarm import scans

    if noise == "broken_map":
        return scans.broken_map_pdf(title, list(paragraphs), [list(r) for r in rows])
    pages = scans.render_pages(title, list(paragraphs), noise, [list(r) for r in rows], seed=seed)
    if ext == "pdf":
        return scans.scanned_pdf(pages)
    if ext in ("jpg", "png") and len(pages) > 1:    # one picture of the whole text, as portals post them
        pages = [scans.stack(pages)]
    return scans.image_file(pages, ext)


class RenderedFiles:
    """Rendered files by what they hold, at most `limit` bytes of them (the least recently asked go
    first). A 12-site farm's ~350 distinct files are ~3 MB; rendering one (openpyxl, python-docx,
    reportlab) cost the farm more CPU than serving all of a crawl's pages."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._files: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()   # the farm serves from a thread per connection

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._files.get(key)
            if body is not None:
                self._files.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> bytes:
        """Keep body; returns what is kept under key (another thread's rendering, if it came first)."""
        with self._lock:
            if key in self._files:
                return self._files[key]
            if len(body) > self.limit:
                return body
            self._files[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _, dropped = self._files.popitem(last=False)
                self.size -= len(dropped)
            return body

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self.size = 0


RENDERED_BYTES = 64 * 1024 * 1024
_rendered = RenderedFiles(RENDERED_BYTES)


def _render(ext: str, title: str, paragraphs: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> bytes:
    # Keyed on the content: a new version of the text is a new file; the same text, the same bytes
    # while it is kept (openpyxl stamps a workbook with the time it was saved)
    key = (ext, title, paragraphs, rows)
    body = _rendered.get(key)
    if body is None:
        body = _rendered.put(key, WRITERS[ext](title, list(paragraphs), [list(row) for row in rows]))
    return body


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated day 0, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def _lines(title: str, paragraphs: list[str], rows: list[list[str]]) -> list[str]:
    return [title, *paragraphs, *("\t".join(row) for row in rows)]


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def write_pdf(title, paragraphs, rows) -> bytes:
    # reportlab, python-docx and openpyxl are imported on first use: together they take about a second
    # to import, and most farms (and every process that only reads a world's truth) render no file
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("")
    width, height = A4
    y = height - 72
    for n, line in enumerate(_lines(title, paragraphs, rows)):
        size = 16 if n == 0 else 12
        for piece in _wrap(line.replace("\t", "  "), 30 if n == 0 else 37):
            if y < 72:
                pdf.showPage()
                y = height - 72
            pdf.setFont("STSong-Light", size)
            pdf.drawString(72, y, piece)
            y -= size * 1.8
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def write_docx(title, paragraphs, rows) -> bytes:
    import docx  # on first use, as reportlab above

    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    document.core_properties.title = title
    document.core_properties.created = document.core_properties.modified = datetime(*FIXED_TIME)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


def write_xlsx(title, paragraphs, rows) -> bytes:
    import openpyxl  # on first use, as reportlab above

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append([title])
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    workbook.properties.created = workbook.properties.modified = datetime(*FIXED_TIME)
    out = io.BytesIO()
    workbook.save(out)
    return _fixed_zip(out.getvalue())


def write_xls_html(title, paragraphs, rows) -> bytes:
    cells = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<head><meta http-equiv="Content-Type" content="application/vnd.ms-excel; charset=utf-8"></head>'
            f'<body><table border="1"><tr><td colspan="{len(rows[0]) if rows else 1}">{escape(title)}</td></tr>{cells}'
            f'</table></body></html>').encode("utf-8")


def write_rtf(title, paragraphs, rows) -> bytes:
    def rtf(text: str) -> str:
        out = []
        for ch in text:
            code = ord(ch)
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ch == "\t":
                out.append("\\tab ")
            elif code < 128:
                out.append(ch)
            else:
                out.append(f"\\u{code - 65536 if code > 32767 else code}?")
        return "".join(out)

    body = "".join(f"{{\\pard\\fi420 {rtf(line)}\\par}}\n" for line in [*paragraphs, *("\t".join(r) for r in rows)])
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 " + rtf("宋体") + ";}}\n"
            "{\\info{\\title " + rtf(title) + "}}\n\\f0\\fs28\n"
            "{\\pard\\qc\\b\\fs36 " + rtf(title) + "\\par}\n" + body + "}").encode("ascii")


def write_cfb(title, paragraphs, rows) -> bytes:
    """An OLE2 compound file (v3, 512-byte sectors) with one stream, WordDocument, of UTF-16LE text:
    FAT sectors first (as many as the stream needs, up to the header's 109), then the directory, then the data."""
    stream = "\r".join(_lines(title, paragraphs, rows)).encode("utf-16-le")
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")  # past the mini-stream cutoff
    data_sectors = len(stream) // 512
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + 1 + data_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("text too long for a compound file without DIFAT sectors")
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    first_data = fat_sectors + 1
    fat = [fat_sect] * fat_sectors + [end] + [first_data + n + 1 if n < data_sectors - 1 else end
                                              for n in range(data_sectors)]
    fat += [free] * (128 * fat_sectors - len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors, fat_sectors, 0, 4096, end, 0, end, 0)
    header += struct.pack(f"<{fat_sectors}I", *range(fat_sectors)) + struct.pack("<I", free) * (109 - fat_sectors)

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", encoded.ljust(64, b"\0"), len(encoded), kind, 1,
                           0xFFFFFFFF, 0xFFFFFFFF, child, b"\0" * 16, 0, 0, 0, start, size)

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("WordDocument", 2, 0xFFFFFFFF, first_data, len(stream))
                 + entry("", 0, 0xFFFFFFFF, 0xFFFFFFFF, 0) * 2)
    return header + struct.pack(f"<{128 * fat_sectors}I", *fat) + directory + stream


OFD_NS = "http://www.ofdspec.org/2016"


def write_ofd(title, paragraphs, rows) -> bytes:
    """A minimal OFD package: A4 pages of 35 lines, 4.2 mm Song text, one TextObject per line."""
    lines = [piece for line in _lines(title, paragraphs, rows) for piece in _wrap(line.replace("\t", "  "), 36)]
    pages = [lines[i:i + 35] for i in range(0, len(lines), 35)] or [[]]
    next_id = 3
    files = {}
    page_refs = []
    for number, page_lines in enumerate(pages):
        objects = []
        layer_id, next_id = next_id, next_id + 1
        for row, text in enumerate(page_lines):
            objects.append(f'<ofd:TextObject ID="{next_id}" Boundary="20 {25 + row * 7.2:.1f} 170 7" Font="2" Size="4.2">'
                           f'<ofd:TextCode X="0" Y="5">{escape(text)}</ofd:TextCode></ofd:TextObject>')
            next_id += 1
        page_id, next_id = next_id, next_id + 1
        files[f"Doc_0/Pages/Page_{number}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content>'
            f'<ofd:Layer ID="{layer_id}">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>')
        page_refs.append(f'<ofd:Page ID="{page_id}" BaseLoc="Pages/Page_{number}/Content.xml"/>')
    files["OFD.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD">'
        f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>{hashlib.md5(title.encode()).hexdigest()}</ofd:DocID>'
        f'<ofd:Title>{escape(title)}</ofd:Title><ofd:Creator>govplans sitefarm</ofd:Creator></ofd:DocInfo>'
        f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData>'
        f'<ofd:MaxUnitID>{next_id - 1}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
        f'</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>'
        f'<ofd:Pages>{"".join(page_refs)}</ofd:Pages></ofd:Document>')
    files["Doc_0/PublicRes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in ("OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml", *sorted(n for n in files if "Pages" in n)):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, files[name].encode("utf-8"))
    return out.getvalue()


WRITERS = {"pdf": write_pdf, "docx": write_docx, "doc": write_rtf, "wps": write_cfb,
           "xlsx": write_xlsx, "xls": write_xls_html, "ofd": write_ofd}
