"""The SVG of the time lines (server-rendered, no script): documents per year per region as a
grid of shaded cells, and a template family's adoption as a rising step line. Every number is
written as an int and every string (region names, titles) passes through markupsafe's escape."""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from archive.read.timelines import RegionAdoption, RegionYears

CELL_W, CELL_H, LABEL_W, HEAD_H = 40, 22, 110, 22
MAX_ROWS = 34
SHADES = 5
STEP_W, STEP_H, PAD = 640, 180, 36


def years_of(rows: list[RegionYears]) -> list[int]:
    found = sorted({y for r in rows for y in r.years})
    return list(range(found[0], found[-1] + 1)) if found else []


def heatmap_svg(rows: list[RegionYears], title: str, element_id: str, url_of=None) -> Markup:
    """One row per region (the MAX_ROWS largest), one column per year; darker = more documents."""
    rows = rows[:MAX_ROWS]
    years = years_of(rows)
    top = max((c for r in rows for c in r.years.values()), default=0)
    width, height = LABEL_W + CELL_W * len(years) + 8, HEAD_H + CELL_H * len(rows) + 4
    label = escape(title)
    out = [f'<figure class="chart chart-heatmap" id="{escape(element_id)}">\n  <figcaption>{label}</figcaption>\n'
           f'  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{label}">\n']
    for i, year in enumerate(years):
        x = LABEL_W + i * CELL_W + CELL_W // 2
        out.append(f'    <text class="label year" x="{x}" y="{HEAD_H - 7}" text-anchor="middle">{int(year)}</text>\n')
    for n, row in enumerate(rows):
        y = HEAD_H + n * CELL_H
        name = escape(row.name)
        out.append(f'    <g class="datum region">\n      <text class="label" x="{LABEL_W - 6}" y="{y + CELL_H - 7}" '
                   f'text-anchor="end">{name}</text>\n')
        for i, year in enumerate(years):
            count = int(row.years.get(year, 0))
            shade = 0 if not count else 1 + min(SHADES - 1, (SHADES * count - 1) // max(1, top))
            x = LABEL_W + i * CELL_W
            cell = (f'<rect class="cell shade-{shade}" x="{x + 1}" y="{y + 1}" width="{CELL_W - 2}" '
                    f'height="{CELL_H - 2}"><title>{name} {int(year)}年：{count} 件</title></rect>')
            if count:
                cell += (f'<text class="count{" light" if shade >= 3 else ""}" x="{x + CELL_W // 2}" '
                         f'y="{y + CELL_H - 7}" text-anchor="middle">{count}</text>')
            link = url_of(row, year) if (url_of and count) else None
            out.append(f'      <a href="{escape(link)}">{cell}</a>\n' if link else f'      {cell}\n')
        out.append("    </g>\n")
    out.append("  </svg>\n</figure>")
    return Markup("".join(out))


def adoption_svg(adoptions: list[RegionAdoption], title: str, element_id: str, url_of=None) -> Markup | None:
    """Regions adopted so far (y) against the date (x): one step and one dot per region."""
    dated = [a for a in adoptions if isinstance(a.first, date)]
    if not dated:
        return None
    first, last = dated[0].first.toordinal(), dated[-1].first.toordinal()
    span, inner_w, inner_h = max(1, last - first), STEP_W - 2 * PAD, STEP_H - 2 * PAD

    def x_of(day: int) -> int:
        return PAD + (round(inner_w * (day - first) / span) if last > first else inner_w // 2)

    def y_of(n: int) -> int:
        return STEP_H - PAD - round(inner_h * n / len(dated))

    label = escape(title)
    out = [f'<figure class="chart chart-adoption" id="{escape(element_id)}">\n  <figcaption>{label}</figcaption>\n'
           f'  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {STEP_W} {STEP_H}" width="{STEP_W}" '
           f'height="{STEP_H}" role="img" aria-label="{label}">\n'
           f'    <line class="axis" x1="{PAD}" x2="{STEP_W - PAD}" y1="{STEP_H - PAD}" y2="{STEP_H - PAD}"/>\n'
           f'    <line class="axis" x1="{PAD}" x2="{PAD}" y1="{PAD}" y2="{STEP_H - PAD}"/>\n'
           f'    <text class="label" x="{PAD - 6}" y="{PAD + 4}" text-anchor="end">{len(dated)}</text>\n'
           f'    <text class="label" x="{PAD - 6}" y="{STEP_H - PAD + 4}" text-anchor="end">0</text>\n']
    points, previous = [], (x_of(first), y_of(0))
    points.append(previous)
    for n, a in enumerate(dated, 1):
        x = x_of(a.first.toordinal())
        points += [(x, previous[1]), (x, y_of(n))]
        previous = (x, y_of(n))
    out.append('    <polyline class="step" fill="none" points="' + " ".join(f"{x},{y}" for x, y in points) + '"/>\n')
    for year in range(dated[0].first.year + 1, dated[-1].first.year + 1):
        x = x_of(date(year, 1, 1).toordinal())
        out.append(f'    <text class="label year" x="{x}" y="{STEP_H - PAD + 18}" text-anchor="middle">{year}</text>\n')
    for n, a in enumerate(dated, 1):
        dot = (f'<circle class="dot" cx="{x_of(a.first.toordinal())}" cy="{y_of(n)}" r="4">'
               f'<title>{int(a.order)}. {escape(a.region)} {a.first.isoformat()}</title></circle>')
        link = url_of(a) if url_of else None
        out.append(f'    <g class="datum"><a href="{escape(link)}">{dot}</a></g>\n' if link
                   else f'    <g class="datum">{dot}</g>\n')
    out.append("  </svg>\n</figure>")
    return Markup("".join(out))
