"""The PostgreSQL search table: one row per document, title and text also as unit strings.

Title and text are also stored as *unit strings* (`unit_string`): terms.runs (NFKC, lower
case) with each Latin/digit run wrapped in \\x02 markers, each run of other letters kept as
written and each run of punctuation/space collapsed to one space. A query word becomes the
unit string of the word with its outer punctuation stripped, and matches where it occurs in
the title's or the text's unit string (`LIKE '%…%'`, escaped, bound). That is exactly the
substring semantics of tests/index/test_oracle.py: Chinese characters as written, a Latin run
only as a whole token (the markers), punctuation inside a word against any punctuation.
pg_trgm GIN indexes on the unit strings serve words of 3 or more characters, and Latin words
of any length (the markers bound them, so pg_trgm pads them); a 1- or 2-character Chinese word
yields no trigram and PostgreSQL scans the table (bench/search.py measures it).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

from archive.index.api import IndexDoc
from archive.index.terms import runs
from archive.regions import region_codes

TABLE = "search_docs"
_LATIN = "\x02"   # wraps a Latin/digit run: whole-token matching, and pg_trgm pads it


# -- unit strings ------------------------------------------------------------

def unit_string(text: str) -> str:
    """The string LIKE searches: see the module docstring."""
    return "".join(_LATIN + r.text + _LATIN if r.kind == "latin" else " " if r.kind == "sep" else r.text
                   for r in runs(text or ""))


def word_units(word: str) -> str:
    """A query word as a unit string, its leading and trailing punctuation dropped."""
    return unit_string(word).strip(" ")


def like_pattern(units: str) -> str:
    """'%units%' with LIKE's special characters escaped (backslash is the escape character)."""
    return "%" + units.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _clean(value):
    """PostgreSQL text cannot hold NUL."""
    return value.replace("\x00", " ") if isinstance(value, str) else value


# -- the table ---------------------------------------------------------------

COLUMNS = ("doc_id", "url", "title", "text", "title_n", "text_n", "published", "year", "region_code",
           "province_code", "city_code", "county_code", "province", "city", "county", "themes",
           "doc_type", "agency", "site", "status", "cluster_id", "cites")


def search_table(metadata: MetaData, name: str, schema: str | None, suffix: str) -> Table:
    """The table `name` with its indexes (their names end in `suffix`, unique per schema)."""
    t = Table(
        name, metadata,
        Column("doc_id", BigInteger, primary_key=True, autoincrement=False),
        Column("url", Text, nullable=False),
        Column("title", Text, nullable=False),
        Column("text", Text, nullable=False),
        Column("title_n", Text, nullable=False),
        Column("text_n", Text, nullable=False),
        Column("published", Date),
        Column("year", Integer),
        Column("region_code", Text),
        Column("province_code", Text), Column("city_code", Text), Column("county_code", Text),
        Column("province", Text), Column("city", Text), Column("county", Text),
        Column("themes", ARRAY(Text), nullable=False),
        Column("doc_type", Text), Column("agency", Text), Column("site", Text),
        Column("status", Text, nullable=False),
        Column("cluster_id", BigInteger),
        Column("cites", ARRAY(Text), nullable=False, server_default="{}"),   # archive.index.cites terms
        schema=schema,
    )
    Index(f"{TABLE}_title_trgm_{suffix}", t.c.title_n, postgresql_using="gin",
          postgresql_ops={"title_n": "gin_trgm_ops"})
    Index(f"{TABLE}_text_trgm_{suffix}", t.c.text_n, postgresql_using="gin",
          postgresql_ops={"text_n": "gin_trgm_ops"})
    Index(f"{TABLE}_themes_{suffix}", t.c.themes, postgresql_using="gin")
    Index(f"{TABLE}_date_{suffix}", t.c.published.desc().nulls_last(), t.c.doc_id.desc())
    Index(f"{TABLE}_city_{suffix}", t.c.city_code)
    Index(f"{TABLE}_county_{suffix}", t.c.county_code)
    return t


def table_row(doc: IndexDoc) -> dict:
    province, city, county = region_codes(doc.region_code)
    return {
        "doc_id": doc.doc_id, "url": _clean(doc.url or ""), "title": _clean(doc.title or ""),
        "text": _clean(doc.text or ""), "title_n": unit_string(doc.title), "text_n": unit_string(doc.text),
        "published": doc.published, "year": doc.year, "region_code": _clean(doc.region_code),
        "province_code": province, "city_code": city, "county_code": county,
        "province": _clean(doc.province), "city": _clean(doc.city), "county": _clean(doc.county),
        "themes": [_clean(t) for t in doc.themes], "doc_type": _clean(doc.doc_type),
        "agency": _clean(doc.agency), "site": _clean(doc.site), "status": _clean(doc.status or "active"),
        "cluster_id": doc.cluster_id, "cites": [_clean(c) for c in doc.cites],
    }
