"""A file's pages as RGB images, one at a time: memory holds one page, never the whole file.

Images (jpg, png, multi-page tif …) are read with Pillow, PDF pages rendered with pypdfium2
(PDFium, as Chrome does). A page is scaled so its long side is at most MAX_SIDE pixels: enough
for 10-point text on A4, and a bound on a recogniser's time and memory per page.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterator

MAX_SIDE = 2000
PDF_DPI = 200
MAX_PIXELS = 80_000_000        # a decompression bomb is refused before it is decoded
TALL = 1.8                     # height/width past which a picture is read in strips
STRIP = 1.4                    # a strip's height/width


@dataclass
class Page:
    number: int                # 1-based
    image: object | None       # a PIL RGB image, None when the page's text layer was used
    text: str = ""             # the text layer's text, when it reads as text


def count_pages(body: bytes) -> int:
    if _is_pdf(body):
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(body)
        try:
            return len(doc)
        finally:
            doc.close()
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(body)) as image:
        frames = getattr(image, "n_frames", 1)
        width, height = image.size
    return frames if frames > 1 or height <= TALL * width else len(strips_of_size(width, height))


def strips_of_size(width: int, height: int) -> range:
    return range(max(1, round(height / (STRIP * width))))


def pages(body: bytes, max_pages: int, use_text_layer: bool = True) -> Iterator[Page]:
    """Each page of an image or a PDF, up to max_pages. A PDF page whose text layer reads as text
    (archive.ocr.detect) comes as its text, unless use_text_layer is False."""
    if _is_pdf(body):
        yield from _pdf_pages(body, max_pages, use_text_layer)
    else:
        yield from _image_pages(body, max_pages)


def _is_pdf(body: bytes) -> bool:
    return b"%PDF-" in bytes(body[:1024])


def _image_pages(body: bytes, max_pages: int) -> Iterator[Page]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    number = 0
    with Image.open(io.BytesIO(body)) as image:
        for frame in ImageSequence.Iterator(image):
            for strip in strips(_rgb(frame)):
                number += 1
                if number > max_pages:
                    return
                yield Page(number, fit(strip))


def strips(image) -> list:
    """A tall picture (a 长图 of a whole notice) cut into page-shaped strips at blank rows, so that
    scaling to MAX_SIDE does not shrink its text to nothing; other images as they are."""
    import numpy as np

    width, height = image.size
    if height <= TALL * width:
        return [image]
    ink = (np.asarray(image.convert("L")) < 160).sum(axis=1)
    out, top = [], 0
    while height - top > TALL * width:
        target = top + int(STRIP * width)
        low, high = target - int(0.2 * width), target + int(0.2 * width)
        cut = low + int(np.argmin(ink[low:high]))          # the emptiest row near the target
        out.append(image.crop((0, top, width, cut)))
        top = cut
    out.append(image.crop((0, top, width, height)))
    return out


def _rgb(frame):
    from PIL import Image

    if frame.mode in ("RGBA", "LA", "P", "PA"):
        frame = frame.convert("RGBA")
        white = Image.new("RGB", frame.size, "white")
        white.paste(frame, mask=frame.split()[-1])
        return white
    return frame.convert("RGB")


def fit(image):
    """The image scaled down so its long side is at most MAX_SIDE (small images are left alone)."""
    side = max(image.size)
    if side <= MAX_SIDE:
        return image
    scale = MAX_SIDE / side
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def _pdf_pages(body: bytes, max_pages: int, use_text_layer: bool) -> Iterator[Page]:
    import pypdfium2 as pdfium

    from archive.ocr.detect import MIN_JUDGED, garbled

    doc = pdfium.PdfDocument(body)
    broken = False      # one page's text layer is rubbish: its fonts' maps are, on every page
    try:
        for index in range(min(len(doc), max_pages)):
            page = doc[index]
            try:
                if use_text_layer and not broken:
                    textpage = page.get_textpage()
                    text = textpage.get_text_bounded() or ""
                    textpage.close()
                    # a short page's text cannot be judged: recognised (cheap) rather than trusted
                    if len("".join(text.split())) >= MIN_JUDGED:
                        if garbled(text) is None:
                            yield Page(index + 1, None, text)
                            continue
                        broken = True
                width, height = page.get_size()
                scale = min(PDF_DPI / 72, MAX_SIDE / max(width, height, 1))
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil().convert("RGB")
                bitmap.close()
                yield Page(index + 1, image)
            finally:
                page.close()
    finally:
        doc.close()
