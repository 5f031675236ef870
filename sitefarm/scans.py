"""Scans as portals serve them: a text rendered to page images with the noise real scans have,
image-only PDFs, and PDFs whose fonts have a broken ToUnicode map.

    NOISES: clean, rotated (1.5°), blurred, jpeg (quality 20), seal (a red 公章 across the
            signature), table (a ruled table of cells), broken_map (a text PDF whose ToUnicode
            map sends every glyph to the wrong character: pypdf reads glyph soup)

Pages are drawn with Pillow in a CJK font of the machine (fc-match :lang=zh; the Makefile's
scripts/install-cjk-font.sh installs fonts-wqy-microhei when there is none). Everything is
deterministic: the same text and noise give the same bytes.
"""
from __future__ import annotations

import io
import math
import random
import re
import shutil
import subprocess
import zlib
from functools import lru_cache

NOISES = ("clean", "rotated", "blurred", "jpeg", "seal", "table", "broken_map")
PAGE = (1240, 1754)           # A4 at 150 dpi
MARGIN = 110
FONT_PX = 30
TITLE_PX = 40
LINE = 1.9                    # line height, in font sizes
KNOWN_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
               "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


class NoCjkFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def font_path() -> str:
    """A font file that draws Chinese: fontconfig's choice, else a known Debian path."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
            if found and re.search(r"wqy|noto.*cjk|droid.*fallback|arphic|uming|ukai|source.*han", found, re.I):
                return found
        except (OSError, subprocess.SubprocessError):
            pass
    import os
    for path in KNOWN_FONTS:
        if os.path.exists(path):
            return path
    raise NoCjkFont("no CJK font on this machine: run scripts/install-cjk-font.sh (fonts-wqy-microhei)")


@lru_cache(maxsize=4)
def _font(size: int):
    from PIL import ImageFont
    return ImageFont.truetype(font_path(), size)


def _wrap(text: str, per_line: int, indent: int) -> list[str]:
    out, first = [], True
    while text:
        width = per_line - (indent if first else 0)
        out.append(("　" * indent if first else "") + text[:width])
        text, first = text[width:], False
    return out or [""]


def render_pages(title: str, paragraphs: list[str], noise: str = "clean", rows: list[list[str]] = (),
                 seed: int = 0) -> list:
    """The text as page images (PIL, RGB): a centred title, paragraphs indented two characters,
    a page number at the foot of each page, a table when rows are given, the noise applied."""
    from PIL import Image, ImageDraw

    font, title_font = _font(FONT_PX), _font(TITLE_PX)
    per_line = (PAGE[0] - 2 * MARGIN) // FONT_PX
    pages, y = [], PAGE[1]
    draw = None

    def new_page():
        nonlocal draw, y
        page = Image.new("RGB", PAGE, "white")
        pages.append(page)
        draw = ImageDraw.Draw(page)
        y = MARGIN

    new_page()
    for piece in _wrap(title, (PAGE[0] - 2 * MARGIN) // TITLE_PX, 0):
        width = draw.textlength(piece, font=title_font)
        draw.text(((PAGE[0] - width) / 2, y), piece, font=title_font, fill="black")
        y += TITLE_PX * LINE
    y += FONT_PX
    for paragraph in paragraphs:
        for line in _wrap(paragraph, per_line, 2):
            if y > PAGE[1] - MARGIN - FONT_PX * LINE:
                new_page()
            draw.text((MARGIN, y), line, font=font, fill="black")
            y += FONT_PX * LINE
    if rows:
        y = _table(pages, new_page, lambda: (draw, y), rows, font)
    if noise == "seal":
        _seal(pages[-1], y, seed)
    for number, page in enumerate(pages, start=1):
        ImageDraw.Draw(page).text((PAGE[0] / 2 - 30, PAGE[1] - MARGIN / 2 - 10), f"- {number} -", font=font, fill="black")
    return [_noisy(page, noise, seed) for page in pages]


def _table(pages, new_page, state, rows, font) -> float:
    """A ruled table, columns sized to their widest cell."""
    draw, y = state()
    widths = [max(draw.textlength(row[c], font=font) for row in rows) + FONT_PX for c in range(len(rows[0]))]
    scale = min(1.0, (PAGE[0] - 2 * MARGIN) / sum(widths))
    widths = [w * scale for w in widths]
    height = FONT_PX * 1.8
    y += FONT_PX
    for row in rows:
        if y + height > PAGE[1] - MARGIN:
            new_page()
            draw, y = state()
        x = MARGIN
        for cell, width in zip(row, widths):
            draw.rectangle([x, y, x + width, y + height], outline="black", width=2)
            draw.text((x + FONT_PX / 2, y + (height - FONT_PX) / 2 - 2), cell, font=font, fill="black")
            x += width
        y += height
    return y


def _seal(page, y: float, seed: int) -> None:
    """A red round seal (ring, star, agency arc) over the last lines (the signature), multiplied."""
    from PIL import Image, ImageChops, ImageDraw

    rng = random.Random(f"seal:{seed}")
    radius = 150
    cx, cy = PAGE[0] - MARGIN - radius - rng.randint(0, 60), min(PAGE[1] - MARGIN - radius, max(radius + MARGIN, y - 90))
    layer = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(layer)
    red = (215, 30, 35)
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=red, width=9)
    star = [(cx + 45 * math.cos(math.pi / 2 + k * 4 * math.pi / 5), cy - 45 * math.sin(math.pi / 2 + k * 4 * math.pi / 5))
            for k in range(5)]
    draw.polygon(star, fill=red)
    small = _font(26)
    for n, ch in enumerate("县人民政府办公室"):
        angle = math.pi * (0.9 - n * 0.8 / 7)
        draw.text((cx + 110 * math.cos(angle) - 13, cy - 110 * math.sin(angle) - 13), ch, font=small, fill=red)
    page.paste(ImageChops.multiply(page, layer))


def _noisy(page, noise: str, seed: int):
    from PIL import Image, ImageFilter

    rng = random.Random(f"noise:{noise}:{seed}")
    if noise == "rotated":
        angle = rng.choice((-1, 1)) * rng.uniform(1.0, 2.0)
        return page.rotate(angle, resample=Image.BICUBIC, fillcolor="white", expand=False)
    if noise == "blurred":
        return page.filter(ImageFilter.GaussianBlur(1.3))
    if noise == "jpeg":
        out = io.BytesIO()
        page.save(out, "JPEG", quality=20)
        return Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    return page


def image_file(pages: list, ext: str) -> bytes:
    """One page as jpg/png, or every page as a multi-page tif."""
    out = io.BytesIO()
    if ext in ("tif", "tiff"):
        pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    elif ext in ("jpg", "jpeg"):
        pages[0].save(out, "JPEG", quality=85)
    else:
        pages[0].save(out, "PNG", optimize=False)
    return out.getvalue()


def scanned_pdf(pages: list) -> bytes:
    """An image-only PDF (no text layer), one JPEG per page as a scanner writes it."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=150.0, quality=85)
    return out.getvalue()


def broken_map_pdf(title: str, paragraphs: list[str], rows: list[list[str]] = ()) -> bytes:
    """A text PDF with an embedded CJK font whose ToUnicode map is shuffled: it prints right and
    reads as glyph soup, as PDFs of some 公文 systems do."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "GovScanCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("GovScanCJK", font_path(), subfontIndex=0))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=0)
    width, height = A4
    y = height - 72
    lines = [title, *paragraphs, *("　".join(r) for r in rows)]
    for n, line in enumerate(lines):
        size = 16 if n == 0 else 12
        for piece in [line[i:i + (28 if n == 0 else 36)] for i in range(0, len(line), 28 if n == 0 else 36)] or [""]:
            if y < 72:
                pdf.showPage()
                y = height - 72
            pdf.setFont("GovScanCJK", size)
            pdf.drawString(72, y, ("　　" if n and piece is line[:36] else "") + piece)
            y -= size * 1.8
    pdf.showPage()
    pdf.save()
    return _shuffle_tounicode(out.getvalue())


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{2,4})>(\s*)<([0-9A-Fa-f]{4,8})>")


def _shuffle_tounicode(pdf: bytes) -> bytes:
    """Every ToUnicode CMap's targets shuffled (same length, so offsets stay valid)."""
    out = bytearray(pdf)
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        end = pdf.find(b"endstream", start)
        data = pdf[start:end]
        raw = data
        try:
            raw = zlib.decompress(data)
            compressed = True
        except zlib.error:
            compressed = False
        if b"beginbfchar" not in raw:
            continue
        pairs = _BFCHAR.findall(raw)
        targets = [t for _, _, t in pairs]
        random.Random(len(targets)).shuffle(targets)
        it = iter(targets)
        new = _BFCHAR.sub(lambda m: b"<" + m.group(1) + b">" + m.group(2) + b"<" + next(it) + b">", raw)
        if compressed or len(new) != len(data):
            continue   # pageCompression=0 keeps the map uncompressed: same length, offsets intact
        out[start:end] = new
    return bytes(out)


def stack(pages: list):
    """Pages one under the other, their white margins trimmed: one tall picture."""
    from PIL import Image

    crops = [page.crop((0, MARGIN // 2, PAGE[0], PAGE[1] - MARGIN)) for page in pages]
    tall = Image.new("RGB", (PAGE[0], sum(c.height for c in crops)), "white")
    y = 0
    for crop in crops:
        tall.paste(crop, (0, y))
        y += crop.height
    return tall
