"""The PostgreSQL engine behind archive.index.api: one table (table.py), LIKE on unit strings, pg_trgm.

Chosen by archive.index.backends for a ``postgresql+psycopg://…`` location. A ``schema=NAME``
query parameter in the URL puts the table in that schema (created when missing); otherwise
the connection's default schema.

Ranking for sort="relevance": per query word, TITLE_BOOST if it is in the title plus
tf / (tf + 1.2) for its (non-overlapping) occurrences in the text; ties by date, then doc_id.
Unlike the Whoosh engine (whoosh/matching.py) there is no idf factor, so among several words a
rare one weighs no more than a common one: the hit set is the same, the order of relevance may
differ. sort="date" is the same order as Whoosh: published (unknown last), then doc_id, newest
first. Facets are counted in the same statement and ordered as archive.index.facets says.

Writing: index_documents upserts; rebuild fills a new table beside the live one (COPY, then
the indexes) and swaps it in one short transaction, so readers see the old or the new table.
"""
from __future__ import annotations

import threading
import uuid
from typing import Callable, Iterable

from sqlalchemy import (
    BigInteger, Float, MetaData, Text, and_, case, cast, create_engine, false, func, literal, null, or_,
    select, text, true, union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.schema import CreateSchema, CreateTable

from archive.index.api import FacetList, FacetValue, Hit, IndexDoc, SearchFilters, SearchResults
from archive.index.facets import FACETS, counted_level, in_order
from archive.index.highlight import mark, snippet, word_pattern
from archive.index.postgres.table import COLUMNS, TABLE, like_pattern, search_table, table_row, word_units
from archive.index.request import checked_facet_limit, checked_request, narrowest_region, page_window
from archive.index.syntax import ParsedQuery, QuerySyntaxError, Word
from archive.regions import code_level

TITLE_BOOST = 20.0
_K1 = 1.2
_BATCH = 1000


# -- engines -----------------------------------------------------------------

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def split_url(location: str | URL) -> tuple[URL, str | None]:
    """(database URL, schema) of a location URL with an optional ``schema=`` parameter."""
    url = make_url(str(location)) if not isinstance(location, URL) else location
    schema = url.query.get("schema")
    if isinstance(schema, tuple):
        schema = schema[-1]
    return url.difference_update_query(["schema"]), schema or None


def engine_for(url: URL) -> Engine:
    key = url.render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
        return engine


def close_engines() -> None:
    """Close the pooled connections (tests, shutdown); the next call reconnects."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
        _indexes.clear()
    for engine in engines:
        engine.dispose()


def _missing_table(error: ProgrammingError) -> bool:
    return getattr(error.orig, "sqlstate", None) in ("42P01", "3F000")   # undefined table / schema


# -- the index ---------------------------------------------------------------

def index_at(location: str) -> "PgIndex":
    """The PgIndex of a location URL, made once per process."""
    with _engines_lock:
        found = _indexes.get(location)
    if found is None:
        found = PgIndex(location)
        with _engines_lock:
            found = _indexes.setdefault(location, found)
    return found


_indexes: dict[str, "PgIndex"] = {}


class PgIndex:
    """One search table in one schema of one PostgreSQL database."""

    def __init__(self, location: str | URL):
        url, self.schema = split_url(location)
        self.engine = engine_for(url)
        self.table = search_table(MetaData(), TABLE, self.schema, "live")
        self._lock_key = f"govplans.search:{self.schema or ''}"
        self._columns_checked = False

    # writing

    def _lock(self, conn: Connection) -> None:
        """One writer at a time per table (like Whoosh's write lock); released at commit."""
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(literal(self._lock_key)))))

    def _prepare(self, conn: Connection) -> None:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        if self.schema:
            conn.execute(CreateSchema(self.schema, if_not_exists=True))

    def _ensure(self, conn: Connection) -> None:
        self._prepare(conn)
        exists = conn.execute(select(func.to_regclass(self._qualified(TABLE)))).scalar()
        if exists is None:
            search_table(MetaData(), TABLE, self.schema, uuid.uuid4().hex[:8]).create(conn)
        elif not self._columns_checked:   # a table made before the cites: filter
            self._columns_checked = True
            conn.execute(text(f"ALTER TABLE {self._qualified(TABLE)} "
                              "ADD COLUMN IF NOT EXISTS cites text[] NOT NULL DEFAULT '{}'"))

    def _qualified(self, name: str) -> str:
        prep = self.engine.dialect.identifier_preparer
        return (prep.quote_schema(self.schema) + "." if self.schema else "") + prep.quote(name)

    def index_documents(self, docs: Iterable[IndexDoc]) -> int:
        latest = {doc.doc_id: doc for doc in docs}
        if not latest:
            return 0
        stmt = pg_insert(self.table)
        stmt = stmt.on_conflict_do_update(index_elements=[self.table.c.doc_id],
                                          set_={c: stmt.excluded[c] for c in COLUMNS if c != "doc_id"})
        rows = [table_row(d) for d in latest.values()]
        with self.engine.begin() as conn:
            self._lock(conn)
            self._ensure(conn)
            for start in range(0, len(rows), _BATCH):
                conn.execute(stmt, rows[start:start + _BATCH])
        return len(latest)

    def delete_documents(self, doc_ids: Iterable[int]) -> int:
        ids = sorted({int(i) for i in doc_ids})
        if not ids:
            return 0
        try:
            with self.engine.begin() as conn:
                self._lock(conn)
                result = conn.execute(self.table.delete().where(self.table.c.doc_id.in_(ids)))
                return result.rowcount
        except ProgrammingError as e:
            if _missing_table(e):
                return 0
            raise

    def rebuild(self, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
                procs: int = 1) -> int:
        """Load a new table with COPY, index it, then put it in place of the live one, all in one
        transaction: readers see the old table until the commit, a failure leaves it as it was.
        `procs` is accepted for the common signature; PostgreSQL builds the indexes itself."""
        suffix = uuid.uuid4().hex[:8]
        building = search_table(MetaData(), f"{TABLE}_build_{suffix}", self.schema, suffix)
        seen: set[int] = set()
        with self.engine.begin() as conn:
            self._lock(conn)
            self._prepare(conn)
            conn.execute(CreateTable(building))
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {self._qualified(building.name)} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for doc in docs:
                    if doc.doc_id in seen:
                        continue
                    seen.add(doc.doc_id)
                    row = table_row(doc)
                    copy.write_row([row[c] for c in COLUMNS])
                    if progress and len(seen) % _BATCH == 0:
                        progress(len(seen))
            for idx in building.indexes:   # after loading: much faster than row by row
                idx.create(conn)
            conn.execute(text(f"DROP TABLE IF EXISTS {self._qualified(TABLE)}"))
            conn.execute(text(f"ALTER TABLE {self._qualified(building.name)} RENAME TO {TABLE}"))
        with self.engine.connect() as conn:
            conn.execute(text(f"ANALYZE {self._qualified(TABLE)}"))
            conn.commit()
        if progress:
            progress(len(seen))
        return len(seen)

    # reading

    def doc_count(self) -> int:
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(self.table)).scalar_one()
        except ProgrammingError as e:
            if _missing_table(e):
                return 0
            raise

    def doc_ids(self) -> set[int]:
        try:
            with self.engine.connect() as conn:
                return set(conn.execute(select(self.table.c.doc_id)).scalars())
        except ProgrammingError as e:
            if _missing_table(e):
                return set()
            raise

    def search(self, query: str = "", filters: SearchFilters = SearchFilters(), sort: str = "relevance",
               page: int = 1, page_size: int = 20, facets: bool = True,
               facet_limit: int | None = None) -> SearchResults:
        """Never raises on what a reader typed: a bad query comes back with `error` set."""
        page, page_size = page_window(page, page_size)
        facet_limit = checked_facet_limit(facet_limit)
        empty = SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size)
        try:
            parsed, constraints = checked_request(query, filters, sort)
            where = and_(self._query_condition(parsed), *(self._predicate(n, v) for n, v in constraints))
        except (QuerySyntaxError, TypeError, ValueError) as e:
            empty.error = str(e)
            return empty
        try:
            with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                rows = conn.execute(self._summary(parsed, where, sort, page, page_size, facets,
                                                  narrowest_region(constraints))).all()
                page_rows = [r for r in rows if r.kind == "hit"]
                docs = {}
                if page_rows:
                    t = self.table
                    docs = {r.doc_id: r for r in conn.execute(
                        select(t.c.doc_id, t.c.url, t.c.title, t.c.text, t.c.published, t.c.year,
                               t.c.region_code, t.c.province, t.c.city, t.c.county, t.c.themes,
                               t.c.doc_type, t.c.site)
                        .where(t.c.doc_id.in_([int(r.key) for r in page_rows])))}
        except ProgrammingError as e:
            if _missing_table(e):
                return empty
            raise

        title_pattern = word_pattern(w.text for w in parsed.words)
        body_pattern = word_pattern(w.text for w in parsed.words if not w.title_only)
        hits = [_hit(docs[int(r.key)], r.score, title_pattern, body_pattern)
                for r in sorted(page_rows, key=lambda r: r.n) if int(r.key) in docs]
        total = next((r.n for r in rows if r.kind == "total"), 0)
        return SearchResults(query=query, total=total, hits=hits,
                             facets=_facets(rows, facet_limit) if facets else {}, page=page, page_size=page_size)

    def _word_condition(self, word: Word, field: str | None = None):
        t = self.table
        pattern = like_pattern(word_units(word.text))
        title = t.c.title_n.like(pattern, escape="\\")
        if field == "title" or word.title_only:
            return title
        body = t.c.text_n.like(pattern, escape="\\")
        return body if field == "text" else or_(title, body)

    def _query_condition(self, parsed: ParsedQuery):
        conditions = [or_(*(self._word_condition(w) for w in group)) for group in parsed.required]
        conditions += [~self._word_condition(w) for w in parsed.excluded]
        return and_(true(), *conditions)

    def _score(self, parsed: ParsedQuery):
        """TITLE_BOOST per word in the title, plus tf / (tf + K1) of its occurrences in the text."""
        t = self.table
        terms = []
        for word in parsed.words:
            terms.append(case((self._word_condition(word, "title"), TITLE_BOOST), else_=0.0))
            if word.title_only:
                continue
            units = word_units(word.text)
            tf = cast(func.char_length(t.c.text_n) - func.char_length(func.replace(t.c.text_n, units, "")),
                      Float) / len(units)
            terms.append(tf / (tf + _K1))
        return sum(terms[1:], terms[0]) if terms else literal(0.0, Float)

    def _predicate(self, name: str, value: str):
        t = self.table
        if name == "year":
            low, dash, high = value.partition("-")   # "2024", "2020-2024", "2020-", "-2024"
            conds = [t.c.year.is_not(None)]
            if low:
                conds.append(t.c.year >= int(low))
            if (high if dash else low):
                conds.append(t.c.year <= int(high if dash else low))
            return and_(*conds)
        if name == "region":
            return t.c[code_level(value) + "_code"] == value
        if name == "theme":
            return t.c.themes.contains([value])
        if name in ("doc_type", "agency", "site", "status"):
            return t.c[name] == value
        if name == "cites":
            return self._cites(value)
        return false()

    def _cites(self, query: str):
        """archive.index.cites.matches in SQL: the same year:number, and an issuer one of the two ends."""
        key, _, issuer = query.partition("|")
        cited = func.unnest(self.table.c.cites).table_valued("v").render_derived("ct", with_types=False)
        their_key, their_issuer = func.split_part(cited.c.v, "|", 1), func.split_part(cited.c.v, "|", 2)
        cond = their_key == key
        if issuer:
            cond = and_(cond, their_issuer != "",
                        or_(func.right(their_issuer, len(issuer)) == issuer,
                            func.right(literal(issuer), func.length(their_issuer)) == their_issuer))
        return select(literal(1)).select_from(cited).where(cond).exists()

    def _summary(self, parsed, where, sort, page, page_size, facets, region_filter):
        """One statement: the page's (doc_id, score, rank), the total and the facet counts,
        all over one evaluation of the query (a CTE referenced several times is materialised)."""
        t = self.table
        score = self._score(parsed) if sort == "relevance" and parsed.words else literal(0.0, Float)
        hits = select(t.c.doc_id, t.c.published, t.c.year, t.c.province_code, t.c.city_code, t.c.county_code,
                      t.c.province, t.c.city, t.c.county, t.c.themes, t.c.doc_type, t.c.agency, t.c.site,
                      t.c.status, score.label("score")).where(where).cte("hits")
        order = [hits.c.published.desc().nulls_last(), hits.c.doc_id.desc()]
        if sort == "relevance":
            order.insert(0, hits.c.score.desc())
        ranked = (select(hits.c.doc_id, hits.c.score, func.row_number().over(order_by=order).label("rank"))
                  .order_by(*order).limit(page_size).offset((page - 1) * page_size).subquery("page"))

        def row(kind, key, label, n, score_=None):
            return select(literal(kind, Text).label("kind"), cast(key, Text).label("key"),
                          cast(label, Text).label("label"), cast(n, BigInteger).label("n"),
                          cast(score_, Float).label("score"))

        parts = [row("hit", ranked.c.doc_id, null(), ranked.c.rank, ranked.c.score),
                 row("total", null(), null(), func.count()).select_from(hits)]
        if facets:
            level = counted_level(region_filter)
            code, name = hits.c[level + "_code"], hits.c[level]
            parts.append(row("region", code, func.max(name), func.count())
                         .where(code.is_not(None)).group_by(code))
            parts.append(row("year", hits.c.year, null(), func.count())
                         .where(hits.c.year.is_not(None)).group_by(hits.c.year))
            theme = func.unnest(hits.c.themes).table_valued("theme").render_derived("th", with_types=False)
            parts.append(row("theme", theme.c.theme, null(), func.count())
                         .select_from(hits.join(theme, true())).group_by(theme.c.theme))
            for col in ("doc_type", "agency", "site", "status"):
                parts.append(row(col, hits.c[col], null(), func.count())
                             .where(hits.c[col].is_not(None)).group_by(hits.c[col]))
        return union_all(*parts)


def _facets(rows, limit: int | None) -> dict[str, FacetList]:
    counted: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for r in rows:
        if r.kind in counted:
            counted[r.kind].append(FacetValue(r.key, r.label or r.key, int(r.n)))
    return {name: in_order(name, values, limit) for name, values in counted.items()}


def _hit(row, score, title_pattern, body_pattern) -> Hit:
    return Hit(doc_id=row.doc_id, url=row.url, title=row.title,
               title_html=mark(row.title, title_pattern), snippet_html=snippet(row.text, body_pattern),
               published=row.published, year=row.year, region_code=row.region_code, province=row.province,
               city=row.city, county=row.county, themes=tuple(row.themes or ()), doc_type=row.doc_type,
               site=row.site, score=float(score or 0.0))
