"""政府信息公开目录 platforms: lists are tables (索引号, 名称, 文号, 发布机构, 成文日期, 发布日期)
paged with ?page=N and 下一页 / 尾页 links; the table's cells travel with each item."""
from __future__ import annotations

import re

from crawler.spiders.base import FamilySpider
from crawler.spiders.lists import clean, dated_links, read_pager, usable_href

# Column headings -> the field they hold (spaces and full-width spaces removed first).
HEADINGS = {
    "索引号": "index_number", "名称": "title", "标题": "title", "文件名称": "title", "信息名称": "title",
    "文号": "doc_number", "发文字号": "doc_number", "发布机构": "agency", "发文机关": "agency",
    "发布单位": "agency", "成文日期": "written", "生成日期": "written", "发布日期": "published",
    "公开日期": "published", "发布时间": "published",
}
_BLANK = re.compile(r"[\s\u3000:：]+")


def table_items(root, base_url: str) -> list[tuple[str, dict]]:
    """Rows of every table whose heading row names 索引号 or 文号 or 发布机构: (URL, cells by field)."""
    from urllib.parse import urljoin

    items = []
    for table in root.iter("table"):
        rows = [row for row in table.iter("tr") if _own_table(row) is table]
        fields = None
        for row in rows:
            cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag.lower() in ("th", "td")]
            texts = [_BLANK.sub("", cell.text_content()) for cell in cells]
            if fields is None:
                named = [HEADINGS.get(text) for text in texts]
                if sum(1 for f in named if f in ("index_number", "doc_number", "agency", "written")) >= 2:
                    fields = named
                continue
            anchors = [a for a in row.iter("a") if usable_href(a.get("href"))]
            if not anchors:
                continue
            listing = {field: clean(cell.text_content()) for field, cell in zip(fields, cells)
                       if field and clean(cell.text_content())}
            title_cell = cells[fields.index("title")] if "title" in fields and len(cells) > fields.index("title") else None
            anchor = next((a for a in anchors if title_cell is not None and _inside(a, title_cell)), anchors[0])
            items.append((urljoin(base_url, anchor.get("href").strip()), listing))
    return items


def _own_table(row):
    node = row.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def _inside(node, ancestor) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


class XxgkSpider(FamilySpider):
    name = "xxgk"
    family = "xxgk"

    def list_items(self, response):
        root = response.selector.root
        items = table_items(root, response.url)
        if items:
            return items
        # A catalogue without a heading row: fall back to links with dates beside them.
        return [(link.url, {"published": link.date}) for link in dated_links(root, response.url)]

    def list_pages(self, response, column: str):
        return read_pager(response.selector.root, response.url).pages

    def next_page(self, response):
        return read_pager(response.selector.root, response.url).next
