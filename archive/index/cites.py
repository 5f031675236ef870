"""The `cites:` filter's terms: a document's index entry lists the 文号 it cites as
'2021:12|湘政办发' (year:number|issuer, the issuer empty for a bare 〔2021〕12号), and
`cites:湘政办发〔2021〕12号` becomes the same term. Both engines match by `matches`: the same
year and number, and, when the query names an issuer, an issuer one of the two ends the other
(省政府办公厅湘政办发 and 湘政办发); a query without one matches any issuer."""
from __future__ import annotations

import unicodedata

from archive.extract.docnumber import number_key, parse_doc_number


def term(key: str, issuer: str | None) -> str:
    return f"{key}|{unicodedata.normalize('NFKC', issuer or '').replace('|', '')}"


def query_term(value: str) -> str | None:
    """The term of a `cites:` value, None when it is no 文号 with a year."""
    key = number_key(parse_doc_number(value))
    return term(key, parse_doc_number(value).issuer) if key else None


def matches(cited: str, query: str) -> bool:
    key, _, issuer = cited.partition("|")
    want_key, _, want_issuer = query.partition("|")
    if key != want_key:
        return False
    return not want_issuer or bool(issuer) and (issuer.endswith(want_issuer) or want_issuer.endswith(issuer))
