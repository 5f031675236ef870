"""Geometry for the server-rendered SVG charts, and the SVG of the bar charts.

The geometry functions return numbers and the strings given in. `bar_chart_svg` draws a bar
chart (the search page has two, with up to 34 bars each: a few hundred template expressions
that autoescaping made the costliest part of the page); it writes every number as an int and
passes every string (labels, links, titles) through markupsafe's escape, as the template did.
The timeline is drawn by _charts.html.
"""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

COLUMN_WIDTH, COLUMN_GAP, COLUMN_HEIGHT = 34, 10, 80   # years: vertical bars
ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH = 22, 96, 220           # regions: horizontal bars
TIMELINE_WIDTH, TIMELINE_HEIGHT, TIMELINE_PAD = 640, 46, 14
MAX_BARS = 34   # every province fits; deeper levels show their largest


def columns(items: list[dict], title: str) -> dict | None:
    """Vertical bars, one per item ({"label", "count", "url"}), in the order given."""
    items = [i for i in items if i["count"] > 0][-MAX_BARS:]
    if not items:
        return None
    top = max(i["count"] for i in items)
    bars = []
    for n, item in enumerate(items):
        height = max(2, round(COLUMN_HEIGHT * item["count"] / top))
        x = 8 + n * (COLUMN_WIDTH + COLUMN_GAP)
        bars.append({**_plain(item), "x": x, "y": 20 + COLUMN_HEIGHT - height, "width": COLUMN_WIDTH,
                     "height": height, "cx": x + COLUMN_WIDTH // 2})
    return {"kind": "columns", "title": title, "bars": bars, "baseline": 20 + COLUMN_HEIGHT,
            "width": 16 + len(items) * (COLUMN_WIDTH + COLUMN_GAP), "height": 20 + COLUMN_HEIGHT + 24}


def rows(items: list[dict], title: str) -> dict | None:
    """Horizontal bars, one per item, largest first."""
    items = sorted((i for i in items if i["count"] > 0), key=lambda i: -i["count"])[:MAX_BARS]
    if not items:
        return None
    top = max(i["count"] for i in items)
    bars = []
    for n, item in enumerate(items):
        width = max(2, round(BAR_WIDTH * item["count"] / top))
        y = 4 + n * ROW_HEIGHT
        bars.append({**_plain(item), "x": LABEL_WIDTH, "y": y, "width": width, "height": ROW_HEIGHT - 6,
                     "text_y": y + ROW_HEIGHT - 10})
    return {"kind": "rows", "title": title, "bars": bars, "label_x": LABEL_WIDTH - 6,
            "width": LABEL_WIDTH + BAR_WIDTH + 48, "height": 8 + len(items) * ROW_HEIGHT}


def _plain(item: dict) -> dict:
    return {"label": str(item["label"]), "count": int(item["count"]), "url": item.get("url")}


def timeline(events: list[dict]) -> dict | None:
    """Dots on a date axis for events {"date": date, "label", "url"}; undated events are left out."""
    dated = sorted((e for e in events if isinstance(e.get("date"), date)), key=lambda e: e["date"])
    if not dated:
        return None
    first, last = dated[0]["date"].toordinal(), dated[-1]["date"].toordinal()
    span = max(1, last - first)
    inner = TIMELINE_WIDTH - 2 * TIMELINE_PAD

    def x_of(day: int) -> int:
        return TIMELINE_PAD + (round(inner * (day - first) / span) if last > first else inner // 2)

    dots = [{"x": x_of(e["date"].toordinal()), "label": str(e["label"]), "url": e.get("url"),
             "date": e["date"].isoformat()} for e in dated]
    years = range(dated[0]["date"].year + 1, dated[-1]["date"].year + 1)
    ticks = [{"x": x_of(date(y, 1, 1).toordinal()), "label": str(y)} for y in years]
    # the ends say when adoption started and when it was last seen
    ends = [{"x": dots[0]["x"], "label": dated[0]["date"].strftime("%Y-%m"), "anchor": "start"}]
    if last > first:
        ends.append({"x": dots[-1]["x"], "label": dated[-1]["date"].strftime("%Y-%m"), "anchor": "end"})
    for tick in ticks:   # a year label crowding an end label gives way
        if any(abs(tick["x"] - end["x"]) < 48 for end in ends):
            tick["label"] = ""
    return {"width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT, "axis_y": 16, "left": TIMELINE_PAD,
            "right": TIMELINE_WIDTH - TIMELINE_PAD, "dots": dots, "ticks": ticks, "ends": ends}


TRUNCATE_AT, TRUNCATE_LEEWAY = 7, 5   # Jinja's truncate(7, True, "…") with its default leeway


def _short(label: str) -> str:
    return label if len(label) <= TRUNCATE_AT + TRUNCATE_LEEWAY else label[:TRUNCATE_AT - 1] + "…"


def bar_chart_svg(chart: dict, element_id: str) -> Markup:
    """The <figure> of a `columns` or `rows` chart; scraped labels escaped, numbers as ints."""
    kind, width, height = chart["kind"], int(chart["width"]), int(chart["height"])
    title = escape(chart["title"])
    out = [f'<figure class="chart chart-{escape(kind)}" id="{escape(element_id)}">\n'
           f'  <figcaption>{title}</figcaption>\n'
           f'  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{title}">\n']
    if kind == "columns":
        baseline = int(chart["baseline"])
        out.append(f'    <line class="axis" x1="0" x2="{width}" y1="{baseline}" y2="{baseline}"/>\n')
        for b in chart["bars"]:
            label, count, cx, y = escape(b["label"]), int(b["count"]), int(b["cx"]), int(b["y"])
            out.append(f'    <g class="datum">{_bar(b, label, count)}\n'
                       f'      <text class="count" x="{cx}" y="{y - 4}" text-anchor="middle">{count}</text>\n'
                       f'      <text class="label" x="{cx}" y="{baseline + 16}" text-anchor="middle">{label}'
                       '</text></g>\n')
    else:
        label_x = int(chart["label_x"])
        for b in chart["bars"]:
            count, text_y = int(b["count"]), int(b["text_y"])
            out.append(f'    <g class="datum">\n'
                       f'      <text class="label" x="{label_x}" y="{text_y}" text-anchor="end">'
                       f'{escape(_short(str(b["label"])))}</text>\n'
                       f'      {_bar(b, escape(b["label"]), count)}\n'
                       f'      <text class="count" x="{int(b["x"]) + int(b["width"]) + 4}" y="{text_y}">{count}'
                       '</text></g>\n')
    out.append("  </svg>\n</figure>")
    return Markup("".join(out))


def _bar(b: dict, label: Markup, count: int) -> str:
    rect = (f'<rect class="bar" x="{int(b["x"])}" y="{int(b["y"])}" width="{int(b["width"])}" '
            f'height="{int(b["height"])}"><title>{label}：{count} 件</title></rect>')
    return f'<a href="{escape(b["url"])}">{rect}</a>' if b.get("url") else rect
