"""Days: what happens to a site's documents between day 0 and day D.

Each day d ≥ 1 and site draw from their own random ("day:{seed}:{site}:{d}"):
new documents published that day (they top the lists), an edit of an older document
(a new version: one paragraph edited, status `changed`), a withdrawal (status `withdrawn`:
the page answers 404, or stays up but leaves every list). Every REDESIGN_EVERY days, starting
on day 1, one site whose family has a second template (`REDESIGN = True`) switches to it.
Day D is the result of days 1..D applied in order, so day D+1 only adds to day D.

Drawn from randoms of their own, so the draws above stay as they were: in a world with attachments,
one of a document's forms or tables replaced (same URL, new bytes: a new version of the document,
`changed`, its page untouched); and a page whose chrome alone changed (its related-documents block
regenerated: not a change of the document, the truth's version stays).
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Callable

from sitefarm.families import FAMILIES

NEW_PER_DAY = (0, 1, 1, 2, 3)
CHANGE_CHANCE = 0.4
WITHDRAW_CHANCE = 0.25
GONE_SHARE = 0.5            # withdrawn documents whose page answers 404
REDESIGN_EVERY = 7
FILE_CHANGE_CHANCE = 0.35
CHROME_CHANCE = 0.5
EDITS = ("并于每季度末将工作进展情况报送牵头单位", "所需经费列入本级年度财政预算予以保障",
         "有关办理结果同步在政府网站公开", "对工作中发现的问题建立清单、限期整改",
         "确保各项任务按时保质完成")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def evolve(seed: int, site, docs: list, day: int, new_document: Callable,
           replaceable: Callable | None = None) -> list:
    """The site's documents (oldest first) after days 1..day. replaceable(doc): whether the document
    has a file that may be replaced (None: a world without attachments)."""
    docs = list(docs)
    for d in range(1, day + 1):
        rng = random.Random(f"day:{seed}:{site.index}:{d}")
        live = [n for n, doc in enumerate(docs) if doc.status != "withdrawn"]
        if live and rng.random() < CHANGE_CHANCE:
            n = rng.choice(live)
            docs[n] = replace(docs[n], version=docs[n].version + 1, status="changed", changed_day=d, text_day=d)
        if live and rng.random() < WITHDRAW_CHANCE:
            n = rng.choice(live)
            docs[n] = replace(docs[n], status="withdrawn", withdrawn_day=d, gone=rng.random() < GONE_SHARE)
        for _ in range(rng.choice(NEW_PER_DAY)):
            docs.append(new_document(seed, site, len(docs), d))
        _page_only_changes(seed, site, docs, live, d, replaceable)
    return docs


def _page_only_changes(seed: int, site, docs: list, live: list[int], d: int, replaceable: Callable | None) -> None:
    """A replaced file (a new version) and a page whose chrome alone changed (none), in place."""
    untouched = [n for n in live if docs[n].status != "withdrawn" and docs[n].changed_day != d]
    files = random.Random(f"files:{seed}:{site.index}:{d}")
    if replaceable is not None and files.random() < FILE_CHANGE_CHANCE:
        candidates = [n for n in untouched if replaceable(docs[n])]
        if candidates:
            n = files.choice(candidates)
            docs[n] = replace(docs[n], version=docs[n].version + 1, file_edits=docs[n].file_edits + 1,
                              status="changed", changed_day=d)
    chrome = random.Random(f"chrome:{seed}:{site.index}:{d}")
    candidates = [n for n in untouched if docs[n].changed_day != d]
    if candidates and chrome.random() < CHROME_CHANCE:
        n = chrome.choice(candidates)
        docs[n] = replace(docs[n], chrome_day=d)


def edited(seed: int, doc, paragraphs: list[str]) -> list[str]:
    """Version v of a text: version 1 with one paragraph edited for each of versions 2..v."""
    paragraphs = list(paragraphs)
    for version in range(2, doc.text_version + 1):
        rng = random.Random(f"edit:{seed}:{doc.site.index}:{doc.seq}:{version}")
        candidates = [n for n, p in enumerate(paragraphs[:-2]) if not HEADING.match(p) and len(p) > 12]
        n = rng.choice(candidates or [0])
        paragraphs[n] = paragraphs[n].rstrip("。") + "，" + rng.choice(EDITS) + "。"
    return paragraphs


def redesigns(seed: int, day: int, sites: list) -> dict[int, int]:
    """site index -> the day that site moved to its second template."""
    candidates = [s.index for s in sites if getattr(FAMILIES[s.family], "REDESIGN", False)]
    out: dict[int, int] = {}
    for d in range(1, day + 1, REDESIGN_EVERY):
        left = [i for i in candidates if i not in out]
        if not left:
            break
        out[random.Random(f"layout:{seed}:{d}").choice(left)] = d
    return out
