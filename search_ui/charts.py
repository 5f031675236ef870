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


# -- the coverage ledger's picture: one tile per province, roughly where it lies --------------------

# code -> (column, row, label) on an 8 × 8 grid
PROVINCE_TILES = {
    "230000": (7, 0, "黑龙江"),
    "650000": (0, 1, "新疆"), "150000": (4, 1, "内蒙古"), "110000": (5, 1, "北京"), "210000": (6, 1, "辽宁"),
    "220000": (7, 1, "吉林"),
    "630000": (1, 2, "青海"), "620000": (2, 2, "甘肃"), "640000": (3, 2, "宁夏"), "140000": (4, 2, "山西"),
    "130000": (5, 2, "河北"), "120000": (6, 2, "天津"),
    "540000": (1, 3, "西藏"), "610000": (3, 3, "陕西"), "410000": (4, 3, "河南"), "370000": (5, 3, "山东"),
    "510000": (2, 4, "四川"), "500000": (3, 4, "重庆"), "420000": (4, 4, "湖北"), "340000": (5, 4, "安徽"),
    "320000": (6, 4, "江苏"), "310000": (7, 4, "上海"),
    "530000": (2, 5, "云南"), "520000": (3, 5, "贵州"), "430000": (4, 5, "湖南"), "360000": (5, 5, "江西"),
    "330000": (6, 5, "浙江"),
    "450000": (3, 6, "广西"), "440000": (4, 6, "广东"), "350000": (5, 6, "福建"), "710000": (6, 6, "台湾"),
    "460000": (3, 7, "海南"), "820000": (4, 7, "澳门"), "810000": (5, 7, "香港"),
}
TILE, TILE_GAP, GRID_PAD = 66, 4, 4
SHARE_STEPS = 5           # colour classes share-1 … share-5 (share-0: nothing covered)


def share_step(covered: int, units: int) -> int:
    """0 when nothing is covered, else 1 … SHARE_STEPS by the covered share (any coverage is at least 1)."""
    if not covered or not units:
        return 0
    return max(1, min(SHARE_STEPS, -(-covered * SHARE_STEPS // units)))


def province_tiles(items: list[dict]) -> dict | None:
    """Tiles for provinces {"code", "covered", "units", "blocked", "portals", "url", "selected"}: where
    each sits, its label and its colour step; provinces without a place on the grid are left out."""
    tiles = []
    for item in items:
        place = PROVINCE_TILES.get(item["code"])
        if place is None:
            continue
        column, row, label = place
        x, y = GRID_PAD + column * (TILE + TILE_GAP), GRID_PAD + row * (TILE + TILE_GAP)
        tiles.append({"code": item["code"], "label": label, "x": x, "y": y, "cx": x + TILE // 2,
                      "step": share_step(int(item["covered"]), int(item["units"])),
                      "covered": int(item["covered"]), "units": int(item["units"]),
                      "portals": int(item["portals"]), "blocked": int(item["blocked"]),
                      "url": item.get("url"), "selected": bool(item.get("selected")), "name": str(item.get("name", ""))})
    if not tiles:
        return None
    side = 2 * GRID_PAD + 8 * TILE + 7 * TILE_GAP
    return {"tiles": tiles, "width": side, "height": side, "tile": TILE}


def province_grid_svg(grid: dict, element_id: str = "coverage-grid") -> Markup:
    """The <figure> of province_tiles: a square per province coloured by the share of its governments
    with a verified portal; a corner mark where some portal blocks us. Every string escaped."""
    width, height, tile = int(grid["width"]), int(grid["height"]), int(grid["tile"])
    out = [f'<figure class="coverage-grid" id="{escape(element_id)}">\n'
           f'  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="各省份覆盖情况">\n']
    for t in grid["tiles"]:
        x, y, cx = int(t["x"]), int(t["y"]), int(t["cx"])
        classes = f"tile share-{int(t['step'])}" + (" selected" if t["selected"] else "") \
            + (" has-blocked" if t["blocked"] else "")
        title = escape(f"{t['name']}：{t['covered']}/{t['units']} 个政府单位有已验证的网站；登记网站 {t['portals']} 个"
                       + (f"，{t['blocked']} 个拦截抓取" if t["blocked"] else ""))
        shape = (f'<rect class="{classes}" x="{x}" y="{y}" width="{tile}" height="{tile}" rx="4"/>'
                 f'<text class="tile-label" x="{cx}" y="{y + 27}" text-anchor="middle">{escape(t["label"])}</text>'
                 f'<text class="tile-count" x="{cx}" y="{y + 48}" text-anchor="middle">{int(t["covered"])}/'
                 f'{int(t["units"])}</text>')
        if t["blocked"]:
            shape += (f'<path class="tile-blocked" d="M{x + tile - 16} {y} h12 a4 4 0 0 1 4 4 v12 z"/>')
        shape = f"<title>{title}</title>{shape}"
        if t.get("url"):
            shape = f'<a href="{escape(t["url"])}">{shape}</a>'
        out.append(f'    <g class="province" data-code="{escape(t["code"])}">{shape}</g>\n')
    out.append("  </svg>\n</figure>")
    return Markup("".join(out))
