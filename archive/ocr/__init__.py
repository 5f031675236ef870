"""Text from scans: what needs recognition, and recognising it.

    detect.py   pure: is this text really text (PUA, mojibake, glyph soup)? does this file need OCR?
    layout.py   pure: recognised lines -> paragraphs in reading order (columns, tables, page numbers)
    pages.py    a file's pages as images, one at a time (Pillow, pypdfium2), bounded in size
    engine.py   the recogniser (RapidOCR on ONNX Runtime, models inside the wheel: works offline)
    recognise.py  one file -> its text, confidence and pages, page by page within a time limit

Nothing here touches the database: the queue is archive/store/ocr.py, the workers
archive/operations/ocr.py.
"""
