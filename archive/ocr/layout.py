"""Recognised lines -> text that reads well. Pure: boxes in, text out.

- page numbers (- 3 -, 第3页, 3/12 …) and running headers/footers in the page's top and bottom
  margins are dropped;
- boxes on one baseline form one row (a table's cells are joined by tabs, pieces of one line of
  prose by nothing);
- a vertical gutter free of boxes splits a block into two columns, read left then right; a box
  spanning the gutter (a title, a full-width paragraph) closes the block;
- rows become paragraphs: a row continues the previous one unless it is indented, the previous
  row stopped short of the column's right edge, or a larger vertical gap separates them.
"""
from __future__ import annotations

import re
from statistics import median

from archive.ocr.engine import Line

MARGIN = 0.07            # top and bottom share of the page where headers and page numbers live
_PAGE_NUMBER = re.compile(r"^[-—–－·\s]*(?:第\s*)?[0-9０-９]{1,4}\s*(?:页)?(?:\s*[/／]\s*(?:共\s*)?[0-9]{1,4}\s*页?)?"
                          r"[-—–－·\s]*$|^共\s*\d+\s*页.*$")


def page_text(lines: list[Line], width: float, height: float) -> str:
    lines = [line for line in lines if not _furniture(line, height)]
    if not lines:
        return ""
    blocks = _blocks(lines, width)
    paragraphs: list[str] = []
    for block in blocks:
        paragraphs.extend(_paragraphs(_rows(block)))
    return "\n".join(paragraphs)


def _furniture(line: Line, height: float) -> bool:
    """A page number anywhere in the margins (or alone on the page's last line)."""
    in_margin = line.y1 < height * MARGIN or line.y0 > height * (1 - MARGIN)
    return bool(_PAGE_NUMBER.match(line.text)) and (in_margin or line.y0 > height * 0.8)


def _blocks(lines: list[Line], width: float) -> list[list[Line]]:
    """Lines cut into blocks read in order: one column, or a left column then a right one."""
    gutter = _gutter(lines, width)
    if gutter is None:
        return [lines]
    blocks: list[list[Line]] = []
    left: list[Line] = []
    right: list[Line] = []
    for line in sorted(lines, key=lambda l: l.y0):
        if line.x0 < gutter < line.x1:          # spans both columns: what came before is done
            blocks.extend(b for b in (left, right) if b)
            left, right = [], []
            blocks.append([line])
        elif line.x1 <= gutter:
            left.append(line)
        else:
            right.append(line)
    blocks.extend(b for b in (left, right) if b)
    return blocks


def _gutter(lines: list[Line], width: float) -> float | None:
    """The x of an empty vertical band in the middle of the page with text on both sides over most
    of the page's rows, or None (one column)."""
    if len(lines) < 6 or width <= 0:
        return None
    step = max(width / 200, 1.0)
    cells = int(width / step) + 1
    cover = [0] * cells
    for line in lines:
        for i in range(int(line.x0 / step), min(cells, int(line.x1 / step) + 1)):
            cover[i] += 1
    spanning = max(cover)
    best = None
    for i in range(int(cells * 0.3), int(cells * 0.7)):
        # a few spanning lines (titles) may cross the gutter
        if cover[i] <= max(1, spanning // 8):
            x = i * step
            on_left = sum(1 for line in lines if line.x1 <= x)
            on_right = sum(1 for line in lines if line.x0 >= x)
            if on_left >= 3 and on_right >= 3 and (best is None or cover[i] < best[0]):
                best = (cover[i], x)
    return best[1] if best else None


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by baseline: each row's boxes overlap vertically by half a line."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda l: (l.y0 + l.y1) / 2):
        if rows:
            last = rows[-1]
            top, bottom = min(l.y0 for l in last), max(l.y1 for l in last)
            overlap = min(bottom, line.y1) - max(top, line.y0)
            if overlap > 0.5 * min(line.height, bottom - top):
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda l: l.x0) for row in rows]


def _row_text(row: list[Line], char: float) -> str:
    out = row[0].text
    for before, line in zip(row, row[1:]):
        gap = line.x0 - before.x1
        out += ("\t" if gap > 1.5 * char else "") + line.text
    return out


def _paragraphs(rows: list[list[Line]]) -> list[str]:
    if not rows:
        return []
    char = median(line.height for row in rows for line in row) or 1.0
    left = min(row[0].x0 for row in rows)
    right = max(row[-1].x1 for row in rows)
    paragraphs: list[str] = []
    previous = None
    for row in rows:
        text = _row_text(row, char)
        cells = len(row) > 1 and "\t" in text
        if previous is None:
            paragraphs.append(text)
        else:
            prev_row, gap = previous, row[0].y0 - max(l.y1 for l in previous)
            indented = row[0].x0 - left > 1.2 * char
            short = right - prev_row[-1].x1 > 2.0 * char
            prev_cells = len(prev_row) > 1 and "\t" in paragraphs[-1]
            if indented or short or cells or prev_cells or gap > 1.2 * char:
                paragraphs.append(text)
            else:
                paragraphs[-1] += text
        previous = row
    return paragraphs
