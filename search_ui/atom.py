"""Atom feeds (RFC 4287), the one place they are written: a search's documents (views/feeds.py) and a
saved search's events (views/saved.py). Text goes in as text, so scraped markup is shown, never run."""
from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from archive.clock import utcnow

ATOM = "http://www.w3.org/2005/Atom"
# characters XML 1.0 cannot carry even escaped; scraped text sometimes has them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def new_feed(self_url: str, title: str, updated: datetime | None, subtitle: str | None = None,
             alternate: str | None = None) -> ET.Element:
    """A feed's head: id, title, subtitle, updated, author, its links and generator, in that order."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    sub(feed, "id", self_url)
    sub(feed, "title", title)
    if subtitle:
        sub(feed, "subtitle", subtitle)
    sub(feed, "updated", stamp(updated))
    sub(sub(feed, "author"), "name", "政府方案档案")
    link(feed, "self", self_url, "application/atom+xml")
    if alternate:
        link(feed, "alternate", alternate, "text/html")
    sub(feed, "generator", "govplans")
    return feed


def sub(parent: ET.Element, name: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        element.text = clean(text)
    return element


def link(parent: ET.Element, rel: str, href: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", rel=rel, href=clean(href), type=kind)


def category(parent: ET.Element, term: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}category", term=clean(term))


def clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def stamp(moment: datetime | None) -> str:
    """RFC 3339; the archive stores UTC without a zone."""
    moment = moment or utcnow()
    return moment.replace(microsecond=0).isoformat() + "Z"


def serialise(feed: ET.Element) -> bytes:
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
