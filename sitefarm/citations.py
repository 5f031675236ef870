"""Planted citations (World(citations=True)): the province's and the city's portals, and county
plans that cite their plans by 文号 and title, in the forms real texts use:

    根据《湖南省2021年政务公开工作要点》（湘政办发〔2021〕12号）   title and 文号
    按照永政办发[2022]7号文件                                     文号 alone, any bracket form
    依据市政府办公室〔2022〕7号文件                                a body instead of the 机关代字
    参照《永州市政务公开工作方案》                                title alone

A form is only drawn when a careful reader could tell the cited plan from it: a 文号 that another
plan on the citing county's line (its own portal, its city's, its province's) shares is written
with its title, and a title alone only when no other plan on the line has that title.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from sitefarm.model import Doc, Site

# GB/T 2260 province prefix -> the one-character name its 机关代字 start with
PROVINCE_CHARS = {"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
                  "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
                  "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
                  "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新"}
CITING_TYPES = ("方案", "要点", "计划", "通知", "意见", "办法")
CITE_SHARE = 0.6
BRACKETS = (("〔", "〕"), ("[", "]"), ("（", "）"), ("", "年"))
VERBS = ("根据", "按照", "依据", "为贯彻落实", "参照")


@dataclass(frozen=True)
class PlantedCite:
    doc: Doc                 # the cited plan
    form: str                # title+number / number / body+number / title
    text: str                # how the citing text writes it


def _number(doc: Doc, rng: random.Random, issuer: bool) -> str | None:
    """The cited 文号 rewritten in a drawn bracket form (the archive keeps it as 〔〕)."""
    printed = doc.header.doc_number
    if not printed or "〔" not in printed:
        return None
    head, rest = printed.split("〔", 1)
    year, tail = rest.split("〕", 1)
    left, right = rng.choice(BRACKETS)
    if not issuer:
        if not left:   # 2021年12号 needs its 机关代字
            left, right = "〔", "〕"
        head = "省政府办公厅" if doc.site.region.code.endswith("0000") else "市政府办公室"
    return f"{head}{left}{year}{right}{tail}"


def plant(rng: random.Random, citing: Doc, uppers: list[tuple[Site, list[Doc]]], line: list[Doc]) -> list[PlantedCite]:
    """The plans `citing` cites: at most one of its city's and one of its province's, published before it.
    `line`: every plan on the citing county's line (the ambiguity a reader would face)."""
    if citing.header.doc_type not in CITING_TYPES or rng.random() >= CITE_SHARE:
        return []
    out = []
    for _site, docs in uppers:
        earlier = [d for d in docs if d.published < citing.published and d.status != "withdrawn"
                   and d.header.doc_type in CITING_TYPES]   # plans are cited, not reports
        if not earlier:
            continue
        same = [d for d in earlier if d.header.theme.name == citing.header.theme.name]
        choices = (same or earlier)[-5:]
        rng.shuffle(choices)
        for cited in choices:   # the first a reader could tell from the others
            written = _written(rng, cited, line)
            if written:
                out.append(written)
                break
    return out


def _written(rng: random.Random, cited: Doc, line: list[Doc]) -> PlantedCite | None:
    title = cited.header.title
    number = cited.header.doc_number
    shared_number = number is not None and sum(1 for d in line if _key(d) == _key(cited)) > 1
    shared_issuer = number is not None and sum(1 for d in line if _key(d) == _key(cited)
                                               and _issuer(d) == _issuer(cited)) > 1
    unique_title = sum(1 for d in line if d.header.title == title) == 1
    forms = ["title+number"] * 4 if number else []
    if number and not shared_issuer:
        forms += ["number"] * 3
    if number and not shared_number:
        forms.append("body+number")
    if unique_title:
        forms += ["title"] * 2
    if not forms:   # no 文号 and a title others share: nothing a reader could follow
        return None
    form = rng.choice(forms)
    if form == "title+number":
        text = f"《{title}》（{_number(cited, rng, True)}）"
    elif form == "number":
        text = f"{_number(cited, rng, True)}文件"
    elif form == "body+number":
        text = f"{_number(cited, rng, False)}文件"
    else:
        text = f"《{title}》"
    return PlantedCite(cited, form, text)


def _key(doc: Doc) -> tuple | None:
    number = doc.header.doc_number
    if not number or "〔" not in number:
        return None
    year, tail = number.split("〔", 1)[1].split("〕", 1)
    return year, tail


def _issuer(doc: Doc) -> str:
    return (doc.header.doc_number or "").split("〔", 1)[0]


def sentence(rng: random.Random, cites: list[PlantedCite]) -> str:
    return f"{rng.choice(VERBS)}{'和'.join(c.text for c in cites)}的有关要求，结合实际，制定本方案。"
