"""What a document cites: 《title》 references and 文号 in its text, paired when a 文号 follows its
title (根据《…》（湘政办发〔2021〕12号）). Pure: resolving them to archived documents is the store's
(archive/store/citations.py).

A document's own title and 文号 are not references to something else: a notice's text repeats
its 文号, and 关于印发《X》的通知 names the plan it carries.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.extract.docnumber import find_doc_numbers, number_key, parse_doc_number, same_issuer
from archive.extract.document import DocNumber
from archive.nfkc import nfkc

MAX_REFERENCES = 200          # a long compilation cites a lot; past this it is a list, not a plan
_TITLE_MIN, _TITLE_MAX = 4, 120
# Between a title and the 文号 that belongs to it: brackets, spaces, a comma at most.
_PAIR_GAP = re.compile(r"^[\s（(\[〔,，]*(?:文号[:：]?)?\s*$")
_MARKS = re.compile("[《》\n]")
_TITLE_DROP = re.compile(r"[\s《》〈〉<>“”\"'‘’「」『』]")
# 《》 also marks books, songs and papers: alone, a title is a document's only when it ends as
# one does (a trailing (试行), (2021-2025年), (征求意见稿) set aside); with a 文号 it always is.
_TRAILING_NOTE = re.compile(r"[(（][^()（）]{0,20}[)）]$")
_DOCUMENT_END = re.compile(r"(?:方案|意见|通知|办法|规定|条例|法|规划|纲要|要点|计划|决定|细则|标准|目录|清单|措施|"
                           r"制度|报告|请示|批复|函|公告|通告|通报|指南|指引|规则|章程|准则|安排|规程|规范|决议|"
                           r"命令|令|议案|提案|纪要|协议|公约|须知|总结|白皮书|名录)$")


@dataclass(frozen=True)
class Reference:
    """One cited document as the text names it: a 文号, a title, or both."""
    doc_number: str | None      # as printed
    issuer: str | None
    key: str | None             # number_key: '2021:12'
    title: str | None           # as printed, without 《》
    title_key: str | None       # title_key(title)
    position: int               # where in the text (order on the page)


def title_key(title: str | None) -> str | None:
    """A title as two spellings of it share: NFKC, no spaces, quotes or 《〈 marks."""
    if not title:
        return None
    key = _TITLE_DROP.sub("", unicodedata.normalize("NFKC", title))
    return key[:300] or None


def find_references(text: str, own_title: str | None = None, own_number: str | None = None) -> list[Reference]:
    """The references of `text`, in order, each cited thing once (its first mention wins; a
    later mention may add the 文号 or title the first lacked)."""
    if not text:
        return []
    normal = nfkc(text)
    own = parse_doc_number(own_number)
    own_key, own_title_key = number_key(own), title_key(own_title)
    titles = _titles(normal)
    numbers = find_doc_numbers(text, normal)
    refs: list[Reference] = []
    used_numbers: set[int] = set()
    for t_start, t_end, title in titles:
        number = None
        for i, (n_start, _n_end, parsed) in enumerate(numbers):
            if n_start >= t_end and _PAIR_GAP.match(normal[t_end:n_start]):
                number = parsed
                used_numbers.add(i)
                break
            if n_start >= t_end:
                break
        if number is not None or is_document_title(title):
            refs.append(_reference(number, title, t_start))
    refs.extend(_reference(parsed, None, start) for i, (start, _e, parsed) in enumerate(numbers)
                if i not in used_numbers)
    refs.sort(key=lambda r: r.position)
    return _merged([r for r in refs if not _is_self(r, own, own_key, own_title_key)])[:MAX_REFERENCES]


def is_document_title(title: str) -> bool:
    """The title of a plan, law or notice (not a book's or a song's), by how it ends."""
    bare = _TRAILING_NOTE.sub("", unicodedata.normalize("NFKC", title).strip())
    return bool(_DOCUMENT_END.search(bare))


def _reference(number: DocNumber | None, title: str | None, position: int) -> Reference:
    return Reference(doc_number=number.raw if number else None, issuer=number.issuer if number else None,
                     key=number_key(number), title=title, title_key=title_key(title), position=position)


def _titles(text: str) -> list[tuple[int, int, str]]:
    """Outermost 《…》 spans (a 《 inside one is a quoted title within the title)."""
    found, depth, start = [], 0, 0
    for mark in _MARKS.finditer(text):   # only the marks: a page's other characters cost nothing here
        i, ch = mark.start(), mark.group()
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                inner = text[start + 1:i].strip()
                if _TITLE_MIN <= len(inner) <= _TITLE_MAX and "\n" not in inner:
                    found.append((start, i + 1, inner))
        elif ch == "\n":
            depth = 0
    return found


def _is_self(ref: Reference, own: DocNumber | None, own_key: str | None, own_title_key: str | None) -> bool:
    if ref.key and own_key and ref.key == own_key and same_issuer(ref.issuer, own.issuer if own else None):
        return True
    if ref.title_key and own_title_key and not ref.key:
        # the document itself, or the plan its 印发 notice carries (关于印发《X》的通知)
        return ref.title_key == own_title_key or ref.title_key in own_title_key
    return False


def _merged(refs: list[Reference]) -> list[Reference]:
    """One reference per cited thing: by 文号 (with an agreeing issuer), else by title."""
    out: list[Reference] = []
    for ref in refs:
        twin = next((i for i, r in enumerate(out) if _same_thing(r, ref)), None)
        if twin is None:
            out.append(ref)
            continue
        first = out[twin]
        out[twin] = Reference(doc_number=first.doc_number or ref.doc_number, issuer=first.issuer or ref.issuer,
                              key=first.key or ref.key, title=first.title or ref.title,
                              title_key=first.title_key or ref.title_key, position=first.position)
    return out


def _same_thing(a: Reference, b: Reference) -> bool:
    if a.key and b.key:
        return a.key == b.key and same_issuer(a.issuer, b.issuer) and (
            not (a.title_key and b.title_key) or a.title_key == b.title_key)
    return bool(a.title_key) and a.title_key == b.title_key
