"""An article whose body is a picture: the images standing where the text should be.

An `<img>` counts when it sits in the article's container (TRS_Editor, zoom, content … as
archive.extract.body knows them) or is declared large, is not page furniture (logo, icon, QR
code, banner, button), and the container around it holds less than BODY_TEXT_MAX CJK
characters: then the text is in the image, and the image is fetched and recognised like an
attached scan (archive.ocr).
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlparse

from .document import AttachmentLink

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "tif", "tiff", "bmp", "gif", "webp")
BODY_TEXT_MAX = 80
_FURNITURE = re.compile(r"logo|icon|banner|qr|ewm|erweima|btn|button|share|weixin|wechat|weibo|"
                        r"jiathis|gotop|top\.|arrow|bg[_.-]|blank|spacer|nav|zf_?jg|conac|jiucuo|"
                        r"foot|head", re.I)
_EXT = re.compile(r"\.(" + "|".join(IMAGE_EXTENSIONS) + r")(?:$|[?#&])", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
LARGE = 400   # px: a declared width or height this large is content, whatever its container


def body_images(tree, base_url: str | None) -> tuple[AttachmentLink, ...]:
    """The images that are the article's body, in page order; () when the body has text."""
    from .body import _content_attrs

    found: dict[str, AttachmentLink] = {}
    for img in tree.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        match = _EXT.search(unquote(src))
        if not match:
            continue
        container = next((a for a in img.iterancestors() if _content_attrs(a.get("class"), a.get("id"))), None)
        if container is None:
            if not _large(img):
                continue  # (most images: before the slower furniture test)
            container = _block_around(img)
        if container is None or _FURNITURE.search(src) \
                or _FURNITURE.search(f"{img.get('class') or ''} {img.get('id') or ''}"):
            continue
        if len(_CJK.findall(container.text_content() or "")) >= BODY_TEXT_MAX:
            continue
        try:
            url = urljoin(base_url, src) if base_url else src
            name = (img.get("alt") or img.get("title") or "").strip() or unquote(urlparse(src).path.rsplit("/", 1)[-1])
        except ValueError:
            continue
        found.setdefault(url, AttachmentLink(url=url, name=name[:200], ext=match.group(1).lower()))
    return tuple(found.values())


def _large(img) -> bool:
    for name in ("width", "height"):
        value = re.match(r"\s*(\d+)", img.get(name) or "")
        if value and int(value.group(1)) >= LARGE:
            return True
    return False


def _block_around(img):
    """The nearest div/td/article around the image (up to four levels up)."""
    for depth, ancestor in enumerate(img.iterancestors()):
        if depth >= 4 or ancestor.tag in ("body", "html"):
            return None
        if ancestor.tag in ("div", "td", "article", "section"):
            return ancestor
    return None
