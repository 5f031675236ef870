"""The 文号 citation graph in SQL: what a document cites (archive.extract.citations finds it),
resolved to an archived document by 文号 first, then by title (and date, and region).

Ingest costs what the new document holds: its own references are looked up by indexed keys,
and the citations that waited for it (cited_id None, its 文号 key or title key) are resolved
then, so a plan cited before it was archived gets its edges when it arrives.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, or_, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from archive.extract.citations import Reference, find_references, title_key
from archive.extract.docnumber import number_key, parse_doc_number, same_issuer
from archive.models import Attachment, Citation, Document, Version

ATTACHMENT_POSITION = 10_000_000   # attachments' references come after the page's own


@dataclass(frozen=True)
class _Candidate:
    id: int
    issuer: str | None
    title_key: str | None
    number_key: str | None
    region_code: str | None
    cluster_id: int | None
    published: object


def document_keys(row: Document) -> None:
    """The keys others find this document by (its 文号's year:number and issuer, its title)."""
    number = parse_doc_number(row.doc_number)
    row.doc_number_key = number_key(number)
    row.doc_number_issuer = number.issuer if number else None
    row.title_key = title_key(row.title)


def issuer_may_be(column, issuer: str | None):
    """SQL: the issuer in `column` may be `issuer` (same_issuer: missing, or one ends the other).
    With the year:number key before it in an index, a 文号 is looked up among its issuer's documents
    and those that name none, not among every plan numbered 12 that year (there are hundreds)."""
    if not issuer:
        return true()
    suffixes = [issuer[n:] for n in range(len(issuer))]
    return or_(column.is_(None), column.in_(suffixes), column.like(f"%{issuer}"))


# the statements of every refresh, built once (building one costs more than SQLite running it)
_DELETE_CITED = delete(Citation).where(Citation.document_id == bindparam("doc"))
_PAGE_TEXT = select(Version.text).where(Version.document_id == bindparam("doc")).order_by(Version.number.desc()).limit(1)
_DELETE_CITED_OF = delete(Citation).where(Citation.document_id.in_(bindparam("docs", expanding=True)))
_PAGE_TEXTS_OF = (select(Version.document_id, Version.text)
                  .where(Version.document_id.in_(bindparam("docs", expanding=True)))
                  .order_by(Version.document_id, Version.number.desc()))
_FILE_TEXTS_OF = (select(Attachment.document_id, Attachment.text)
                  .where(Attachment.document_id.in_(bindparam("docs", expanding=True)), Attachment.text.is_not(None))
                  .order_by(Attachment.id))
_FILE_TEXTS = (select(Attachment.text).where(Attachment.document_id == bindparam("doc"), Attachment.text.is_not(None))
               .order_by(Attachment.id))


def _page_text(s: Session, row: Document) -> str:
    """The page's own text: the latest version's (the row's text also holds its files', which are
    read below as attachments); a row without versions (bulk loads) is its page."""
    text = s.scalar(_PAGE_TEXT, {"doc": row.id})
    return text if text is not None else (row.text or "")


def refresh_citations(s: Session, row: Document) -> int:
    """Replace what `row` cites with what its text and attachments' texts name now; returns
    how many references it keeps. Then resolve the citations that were waiting for `row`."""
    s.execute(_DELETE_CITED, {"doc": row.id})
    return _cite(s, row, _page_text(s, row), s.scalars(_FILE_TEXTS, {"doc": row.id}))


def refresh_many(s: Session, rows: list[Document]) -> int:
    """refresh_citations of each row in turn (a batch's documents), with their old citations deleted
    and their page and file texts read for all of them at once: nothing the turns write changes
    those texts, and a row's old citations, resolved again by an earlier row's turn, were deleted
    at its own turn anyway."""
    ids = [row.id for row in rows]
    if not ids:
        return 0
    s.execute(_DELETE_CITED_OF, {"docs": ids})
    pages: dict[int, str] = {}
    for doc_id, text in s.execute(_PAGE_TEXTS_OF, {"docs": ids}):   # each one's latest version first
        pages.setdefault(doc_id, text)
    files: dict[int, list[str]] = {}
    for doc_id, text in s.execute(_FILE_TEXTS_OF, {"docs": ids}):
        files.setdefault(doc_id, []).append(text)
    cited = _KeysCited(s, rows)
    total = 0
    for row in rows:
        page = pages.get(row.id)
        total += _cite(s, row, page if page is not None else (row.text or ""), files.get(row.id, ()), cited)
    return total


_CITED_NUMBERS = (select(Citation.number_key).distinct()
                  .where(Citation.number_key.in_(bindparam("keys", expanding=True))))
_CITED_TITLES = select(Citation.title_key).distinct().where(Citation.title_key.in_(bindparam("keys", expanding=True)))


class _KeysCited:
    """The 文号 and title keys of a batch's documents that some citation holds (read for all of them
    at once, then kept up to date with the citations the batch adds): a document whose keys no
    citation holds has none waiting for it, and resolve_waiting's query is left out."""

    def __init__(self, s: Session, rows: list[Document]):
        numbers = sorted({row.doc_number_key for row in rows if row.doc_number_key})
        titles = sorted({row.title_key for row in rows if row.title_key})
        connection = s.connection()
        self.numbers = set(connection.scalars(_CITED_NUMBERS, {"keys": numbers})) if numbers else set()
        self.titles = set(connection.scalars(_CITED_TITLES, {"keys": titles})) if titles else set()

    def add(self, ref: Reference) -> None:
        self.numbers.add(ref.key)
        self.titles.add(ref.title_key)

    def may_wait_for(self, row: Document) -> bool:
        return (bool(row.doc_number_key) and row.doc_number_key in self.numbers) or \
            (bool(row.title_key) and row.title_key in self.titles)


@lru_cache(maxsize=1024)   # a few batches' pages and files (their texts average a few KB)
def _references(text: str, own_title: str | None, own_number: str | None) -> tuple[Reference, ...]:
    """find_references, remembered: a document cited again in a later batch (its file's text came)
    has the same page, and the files it had, read again."""
    return tuple(find_references(text, own_title, own_number))


def _cite(s: Session, row: Document, page_text: str, file_texts, keys_cited: _KeysCited | None = None) -> int:
    """`row`'s citations (its old ones deleted) from its page's and its files' texts (in id order);
    `keys_cited`: the keys citations hold (refresh_many), to skip looking for citations waiting for `row`."""
    refs = [("text", r) for r in _references(page_text, row.title, row.doc_number)]
    seen = {(r.key, r.title_key) for _, r in refs}
    for n, text in enumerate(file_texts):
        for ref in _references(text, row.title, row.doc_number):
            if (ref.key, ref.title_key) not in seen:
                seen.add((ref.key, ref.title_key))
                refs.append(("attachment", _shifted(ref, ATTACHMENT_POSITION * (n + 1))))
    cited: set[int] = set()
    for source, ref in refs:
        cited_id, how = resolve(s, row, ref)
        if cited_id is not None:
            if cited_id in cited:   # two spellings of one document (its 文号 here, its title there)
                continue
            cited.add(cited_id)
        s.add(Citation(document_id=row.id, position=ref.position, source=source, doc_number=ref.doc_number,
                       issuer=(ref.issuer or None) and ref.issuer[:100], number_key=ref.key, title=ref.title,
                       title_key=ref.title_key, cited_id=cited_id, resolved_by=how))
    s.flush()
    if keys_cited is not None:
        for _, ref in refs:
            keys_cited.add(ref)
    if keys_cited is None or keys_cited.may_wait_for(row):
        resolve_waiting(s, row)
    return len(refs)


def _shifted(ref: Reference, offset: int) -> Reference:
    return Reference(ref.doc_number, ref.issuer, ref.key, ref.title, ref.title_key, ref.position + offset)


def resolve_waiting(s: Session, row: Document) -> int:
    """Citations naming `row`'s 文号 or title, resolved again now that it is here: the unresolved
    ones may be resolved, and one resolved to a plan elsewhere may turn out to mean this one (a
    plan of the citing county's own line outranks a namesake elsewhere, whichever came first).

    A popular 文号 or title is cited by more documents as the archive grows: each of them costs the
    row read here and a write only if its answer changed; the candidates are read once per
    reference they share (most cite the plan in the same words), not once per citing document."""
    issuer = (parse_doc_number(row.doc_number) or _NO_NUMBER).issuer
    if not row.doc_number_key and not row.title_key:
        return 0
    s.flush()   # the reads below are Core's (most documents find none waiting: no objects to load)
    connection = s.connection()
    found = connection.execute(
        _waiting_for(bool(row.doc_number_key), bool(issuer), bool(row.title_key)),
        {"doc": row.id, "number_key": row.doc_number_key, "title_key": row.title_key,
         "suffixes": [issuer[n:] for n in range(len(issuer))] if issuer else [],
         "issuer_like": f"%{issuer}" if issuer else None}).all()
    read: dict = {}   # candidates by query, shared by the citations below
    resolved = 0
    # year:number alone is shared by many plans: only the citations `row` could answer are resolved again
    for c in found:
        if not _could_mean(c, c.region_code, row, issuer):
            continue
        ref = Reference(c.doc_number, c.issuer, c.number_key, c.title, c.title_key, c.position)
        cited_id, how = resolve(s, _Citing(c.document_id, c.region_code, c.published), ref, read)
        resolved += cited_id is not None
        if (cited_id, how) != (c.cited_id, c.resolved_by):
            _resolved_again(s, c.id, cited_id, how)
    return resolved


@dataclass(frozen=True)
class _Citing:
    """What resolution reads of a citing document (loading the whole row would read its text)."""
    id: int
    region_code: str | None
    published: object


_RESOLVED_AGAIN = (update(Citation.__table__).where(Citation.__table__.c.id == bindparam("citation"))
                   .values(cited_id=bindparam("cited"), resolved_by=bindparam("how")))


def _resolved_again(s: Session, citation_id: int, cited_id: int | None, how: str | None) -> None:
    """The citation's new answer, written at once; a Citation object of it in the session (a batch's
    earlier document) is told, as if it had been read back."""
    s.connection().execute(_RESOLVED_AGAIN, {"citation": citation_id, "cited": cited_id, "how": how})
    loaded = s.identity_map.get(identity_key(Citation, citation_id))
    if loaded is not None:
        set_committed_value(loaded, "cited_id", cited_id)
        set_committed_value(loaded, "resolved_by", how)


@lru_cache(maxsize=8)
def _waiting_for(number: bool, issuer: bool, title: bool):
    """The citations a document may answer (its 文号, with or without an issuer, and/or its title):
    one statement per shape, built once; issuer_may_be's condition with the issuer's suffixes bound."""
    cited, documents = Citation.__table__.c, Document.__table__.c
    keys = []
    if number:
        may_be = or_(cited.issuer.is_(None), cited.issuer.in_(bindparam("suffixes", expanding=True)),
                     cited.issuer.like(bindparam("issuer_like"))) if issuer else true()
        keys.append(and_(cited.number_key == bindparam("number_key"), may_be))
    if title:
        keys.append(cited.title_key == bindparam("title_key"))
    return (select(*Citation.__table__.c, documents.region_code, documents.published)
            .join(Document.__table__, documents.id == cited.document_id)
            .where(cited.document_id != bindparam("doc"), or_(*keys),
                   or_(cited.cited_id.is_(None), cited.cited_id != bindparam("doc"))))


def _could_mean(c, citing_region: str | None, row: Document, issuer: str | None) -> bool:
    if c.title_key and c.title_key == row.title_key:
        return True
    if not (c.number_key and c.number_key == row.doc_number_key and same_issuer(c.issuer, issuer)):
        return False
    return bool(c.issuer or c.title_key) or _related(row.region_code, citing_region)   # a bare 〔2021〕12号


def resolve(s: Session, citing: Document | _Citing, ref: Reference,
            read: dict | None = None) -> tuple[int | None, str | None]:
    """(the archived document `ref` names, how it was found) or (None, None). `read`: candidates
    already read by an earlier call for another citing document (the same query), kept there."""
    read = {} if read is None else read
    if ref.key:
        found = _pick(_number_candidates(s, ref, citing, read), citing, ref, by_number=True)
        if found is not None:
            return found, "doc_number"
    if ref.title_key:
        candidates = [c for c in _candidates(s, ("title", ref.title_key), citing, read)
                      if not (ref.key and c.number_key and c.number_key != ref.key)]   # another 文号: another document
        found = _pick(candidates, citing, ref, by_number=False)
        if found is not None:
            return found, "title"
    return None, None


def _number_candidates(s: Session, ref: Reference, citing, read: dict) -> list[_Candidate]:
    """The documents `_pick` chooses among for ref's 文号, read by indexed keys only: its issuer's
    (and those without one); for a bare 〔2021〕12号, those of its title, else of the citing line."""
    number = (ref.key, ref.issuer)
    if ref.issuer:
        return _candidates(s, ("number", *number), citing, read)
    line = ("number in line", *number, tuple(_line(citing.region_code)))
    if ref.title_key:
        titled = _candidates(s, ("number and title", *number, ref.title_key), citing, read)
        if titled:
            return titled
        # no title matched: _pick narrows to the citing document's own line when it has any there
        return _candidates(s, line, citing, read) or _candidates(s, ("number", *number), citing, read)
    return _candidates(s, line, citing, read)


def _line(code: str | None) -> list[str]:
    """The region codes `_related` accepts for a citing document of `code`."""
    if not code or len(code) != 6:
        return []
    return sorted({code, code[:4] + "00", code[:2] + "0000"})


CANDIDATES_READ = 500   # documents one reference is chosen among (copies of one plan are many)


def _candidates(s: Session, query: tuple, citing, read: dict) -> list[_Candidate]:
    """The first CANDIDATES_READ documents other than `citing` that `query` finds (see _condition).
    One more is read, so that the list is the same whichever citing document it is kept for."""
    if query not in read:
        rows = s.execute(select(Document.id, Document.doc_number, Document.title_key, Document.doc_number_key,
                                Document.region_code, Document.cluster_id, Document.published)
                         .where(_condition(query)).limit(CANDIDATES_READ + 1)).all()
        read[query] = [_Candidate(r.id, (parse_doc_number(r.doc_number) or _NO_NUMBER).issuer, r.title_key,
                                  r.doc_number_key, r.region_code, r.cluster_id, r.published) for r in rows]
    return [c for c in read[query] if c.id != citing.id][:CANDIDATES_READ]


def _condition(query: tuple):
    """SQL for a candidates query: ("title", title_key), ("number", key, issuer),
    ("number and title", key, issuer, title_key) or ("number in line", key, issuer, region codes)."""
    kind, *values = query
    if kind == "title":
        return Document.title_key == values[0]
    same_number = and_(Document.doc_number_key == values[0], issuer_may_be(Document.doc_number_issuer, values[1]))
    if kind == "number":
        return same_number
    if kind == "number and title":
        return and_(same_number, Document.title_key == values[2])
    return and_(same_number, Document.region_code.in_(values[2]))


class _NoNumber:
    issuer = None


_NO_NUMBER = _NoNumber()


def _pick(candidates: list[_Candidate], citing: Document, ref: Reference, by_number: bool) -> int | None:
    """The one candidate the reference means, or None when it cannot be told."""
    if by_number:
        candidates = [c for c in candidates if same_issuer(ref.issuer, c.issuer)]
        if ref.title_key:
            titled = [c for c in candidates if c.title_key == ref.title_key]
            candidates = titled or candidates
        elif not ref.issuer:   # a bare 〔2021〕12号: only a document of the citing one's own line
            candidates = [c for c in candidates if _related(c.region_code, citing.region_code)]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].id
    # a plan of the citing document's own line before copies of one text elsewhere, then the earlier ones
    for narrow in (lambda c: _related(c.region_code, citing.region_code),
                   lambda c: not (c.published and citing.published) or c.published <= citing.published):
        candidates = [c for c in candidates if narrow(c)] or candidates
        if len(candidates) == 1:
            return candidates[0].id
        if len({c.cluster_id for c in candidates}) == 1 and candidates[0].cluster_id is not None:
            return _canonical(candidates)
    return None


def _canonical(candidates: list[_Candidate]) -> int:
    """Copies of one text: the earliest (the cluster's canonical is the earliest government copy)."""
    return min(candidates, key=lambda c: (c.published is None, c.published or 0, c.id)).id


def _related(code: str | None, citing_code: str | None) -> bool:
    """code is citing_code's own region or one above it (its city, its province)."""
    if not code or not citing_code or len(code) != 6 or len(citing_code) != 6:
        return False
    return code in {citing_code, citing_code[:4] + "00", citing_code[:2] + "0000"}


def rebuild_citations(sessions, progress=None, batch: int = 200) -> int:
    """Every document's citations recomputed (an archive made before the graph, or new rules);
    returns how many references were kept. One pass: every cited document is already there."""
    last, total = 0, 0
    while True:
        with sessions() as s, s.begin():
            rows = s.scalars(select(Document).where(Document.id > last).order_by(Document.id).limit(batch)).all()
            for row in rows:
                document_keys(row)
            s.flush()
            for row in rows:
                total += refresh_citations(s, row)
        if not rows:
            return total
        last = rows[-1].id
        if progress:
            progress(len(rows))
