"""The JSON API described as OpenAPI 3.1, written by hand (served at /api/openapi.json).

Every route under /api, ending in .json, .atom, .csv or .jsonl, and POST /saved and the raw captures
must appear here (tests/ui/test_api.py checks the app's url_map against `paths`), with their error
responses; tests/ui/test_schemathesis.py fuzzes the whole document against a small archive.
"""
from __future__ import annotations

from copy import deepcopy

from archive.operations.blocking import CLASSES
from archive.regions import known_codes
from search_ui.params import EMAIL


def _param(name: str, description: str, schema: dict, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_NSTR = {"type": ["string", "null"]}
_NINT = {"type": ["integer", "null"]}
_DATE = {"type": ["string", "null"], "description": "YYYY-MM-DD"}
_URL = {"type": ["string", "null"]}

_PLAIN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"   # no control characters (NUL …): refused with 400
_TEXT = {"type": "string", "maxLength": 100, "pattern": _PLAIN}
_YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}
_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
ID = _param("doc_id", "Document id", _ID, "path")
COPIES_PAGE = _param("copies_page", "Page of the `copies` list (1 by default; past the last page: the last)",
                     {"type": "integer", "minimum": 1, "maximum": 100_000})
_QUERY = {"type": "string", "maxLength": 500, "pattern": _PLAIN}
FILTERS = [
    _param("region", "GB/T 2260 code, 6 digits, of a region the archive knows (current or retired); "
                     "430000 = a whole province, 431100 = a whole city", {"$ref": "#/components/schemas/RegionCode"}),
    _param("year", "The year the plan is for", _YEAR),
    _param("year_from", "First year of a range", _YEAR),
    _param("year_to", "Last year of a range (not before year_from: that is refused with 400)", _YEAR),
    _param("theme", "Theme from the taxonomy, e.g. 政务公开", _TEXT),
    _param("doc_type", "文种, e.g. 方案, 通知", _TEXT),
]
SEARCH_PARAMS = [
    _param("q", "Query: words (all must match), \"phrases\", OR, -word, title:word, year:2020-2024, "
                "region:431181, theme:…, type:…; a query the syntax cannot read gives no hits and says why in "
                "`error`", _QUERY),
    *FILTERS,
    _param("agency", "发布机构", _TEXT),
    _param("site", "Site id", _TEXT),
    _param("status", "active, changed or withdrawn", {"type": "string", "enum": ["active", "changed", "withdrawn"]}),
    _param("sort", "relevance (default with q) or date (default without)", {"type": "string", "enum": ["relevance", "date"]}),
    _param("page", "Page number, 1 to 500", {"type": "integer", "minimum": 1, "maximum": 500}),
]
MORE = _param("more", "A facet to list in full (its values beyond the 20 most frequent)",
              {"type": "string", "enum": ["year", "theme", "doc_type", "agency", "site", "status"]})
PAGE_PARAMS = [_param("q", "Title contains", _QUERY), *FILTERS,
               _param("page", "Page number", {"type": "integer", "minimum": 1, "maximum": 500})]
BLOCK_CLASS = {"type": "string", "enum": [c.name for c in CLASSES]}
COVERAGE_PARAMS = [
    _param("region", "A province, prefecture or county code (a retired code means its successor); default the country",
           {"type": "string", "pattern": "^[0-9]{6}$"}),
    _param("portals", "1: list the scope's portals (a county's always are)", {"type": "string", "enum": ["0", "1"]}),
]
STATUS_PARAMS = [
    _param("q", "Site name or id contains (case-insensitive)", _TEXT),
    _param("flagged", "1: only the sites flagged broken", {"type": "string", "enum": ["0", "1"]}),
    _param("page", "Page of the sites not flagged (1 by default; past the last: the last)",
           {"type": "integer", "minimum": 1, "maximum": 100_000}),
]

FACET = {"type": "object", "required": ["name", "title", "values"], "properties": {
    "name": _STR, "title": _STR,
    "omitted": {"type": "integer", "description": "values left out of the list (the least frequent)"},
    "more_url": {**_URL, "description": "this search with the facet listed in full (?more=NAME); null: nothing left out"},
    "expanded": {"type": "boolean", "description": "listed in full because of ?more=NAME"},
    "values": {"type": "array", "items": {"type": "object", "required": ["label", "count"], "properties": {
        "value": _NSTR, "label": _STR, "count": _INT, "selected": {"type": "boolean"}, "url": _URL}}}}}
CHIP = {"type": "object", "required": ["name", "value", "label", "remove_url"], "properties": {
    "name": _STR, "title": _STR, "value": _STR, "label": _STR, "remove_url": _STR,
    "broader": {"type": "array", "items": {"type": "object"}}}}
PAGER = {"type": "object", "properties": {"prev_url": _URL, "next_url": _URL, "numbers": {"type": "array"}}}
REGION = {"type": "object", "properties": {"code": _NSTR, "province": _NSTR, "city": _NSTR, "county": _NSTR}}
CHART = {"type": ["object", "null"], "properties": {"title": _STR, "bars": {"type": "array", "items": {
    "type": "object", "required": ["label", "count"], "properties": {"label": _STR, "count": _INT, "url": _URL}}}}}
DIFF_BLOCK = {"type": "object", "required": ["kind"], "properties": {
    "kind": {"enum": ["equal", "insert", "delete", "change", "skip"]}, "old": _NSTR, "new": _NSTR,
    "count": _INT, "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}}}
SUMMARY = {"type": "object", "required": ["equal", "change", "insert", "delete"],
           "properties": {k: _INT for k in ("equal", "change", "insert", "delete")}}

SCHEMAS = {
    "Segment": {"type": "object", "required": ["kind", "text"], "properties": {
        "kind": {"enum": ["equal", "insert", "delete"]}, "text": _STR}},
    "Hit": {"type": "object", "required": ["id", "doc_url", "title", "title_html", "snippet_html"], "properties": {
        "id": _INT, "doc_url": _STR, "url": _STR, "title": _STR,
        "title_html": {"type": "string", "description": "Escaped title with <mark> around matches (escaped as \\u003c in JSON)"},
        "snippet_html": _STR, "published": _DATE, "year": _NINT, "region": REGION,
        "themes": {"type": "array", "items": _STR}, "doc_type": _NSTR, "site": _NSTR,
        "score": {"type": ["number", "null"]}}},
    "SearchPage": {"type": "object", "required": ["query", "total", "page", "pages", "hits", "facets", "charts"],
                   "properties": {
        "query": _STR, "sort": {"enum": ["relevance", "date"]}, "total": _INT, "page": _INT, "pages": _INT,
        "page_size": _INT, "error": _NSTR, "problems": {"type": "array", "items": _STR},
        "filters": {"type": "object"}, "chips": {"type": "array", "items": CHIP},
        "sorts": {"type": "array"}, "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {"type": "array", "items": FACET}, "pager": PAGER,
        "charts": {"type": "object", "properties": {"years": CHART, "regions": CHART}},
        "json_url": _STR, "html_url": _STR, "feed_url": _STR, "csv_url": _STR, "jsonl_url": _STR,
        "cite_url": _STR, "timeline_url": _STR, "export_max": _INT}},
    "Copy": {"type": "object", "required": ["id", "title", "region", "published", "compare_url"], "properties": {
        "id": _INT, "title": _STR, "region": _STR, "region_code": _NSTR, "published": _DATE, "site": _NSTR,
        "aggregator": {"type": "boolean"}, "canonical": {"type": "boolean"}, "doc_url": _STR, "compare_url": _STR}},
    "Document": {"type": "object", "required": ["id", "url", "title", "region", "versions", "copies", "copies_total"],
                 "properties": {
        "id": _INT, "url": _STR, "site": _NSTR, "site_name": _NSTR, "title": _NSTR, "published": _DATE,
        "written": _DATE, "agency": _NSTR, "doc_number": _NSTR, "index_number": _NSTR,
        "subject": _NSTR, "validity": _NSTR, "region": REGION,
        "year": _NINT, "doc_type": _NSTR, "themes": {"type": "array", "items": _STR},
        "status": {"enum": ["active", "changed", "withdrawn"]}, "first_seen": _STR, "last_seen": _STR,
        "evidence_lost_at": {"type": ["string", "null"],
                             "description": "When `govplans verify --repair` found no intact WARC record of it left"},
        "reextracted_at": _NSTR, "cluster": _NINT, "sources": {"type": "object", "additionalProperties": _STR},
        "outline": {"type": "array", "items": _STR}, "text": _STR,
        "attachments": {"type": "array", "items": {"type": "object", "properties": {
            "url": _STR, "name": _STR, "ext": _STR, "text": _NSTR,
            "recognition": {"type": ["object", "null"], "description": "OCR of a scan: status pending / running / "
                            "done / failed, confidence (0-1), engine, reason, error",
                            "properties": {"status": {"enum": ["pending", "running", "done", "failed"]},
                                           "confidence": {"type": ["number", "null"]}, "engine": _NSTR,
                                           "reason": _STR, "error": _NSTR}}}}},
        "versions": {"type": "array", "items": {"type": "object", "required": ["number", "seen_at", "content_hash"],
                                                "properties": {"number": _INT, "seen_at": _STR, "title": _NSTR,
                                                               "content_hash": _STR, "current": {"type": "boolean"},
                                                               "diff_url": _URL, "capture_url": _URL}}},
        "capture": {"type": ["object", "null"], "properties": {
            "id": _INT, "raw_url": _STR, "fetched_at": _STR,
            "replay": {"type": "object", "description": "The archived copy in replay tools' form: TIMESTAMP/URL "
                                                        "(href under $GOVPLANS_REPLAY_URL, null when none is set)",
                       "properties": {"timestamp": _STR, "url": _STR, "path": _STR, "href": _NSTR}}}},
        "cites": {"type": "array", "description": "What it cites (依据 / 引用), in page order: a 文号 and/or "
                                                  "a 《title》 as printed; doc_id null while no archived document matches",
                  "items": {"$ref": "#/components/schemas/Cited"}},
        "cited_by": {"type": "array", "description": "Archived documents citing it (被引用), newest first",
                     "items": {"$ref": "#/components/schemas/Citing"}},
        "cited_by_total": _INT, "chain_url": _STR, "cite_url": _STR,
        "copies": {"type": "array", "items": {"$ref": "#/components/schemas/Copy"},
                   "description": "One page (copies_page_size, by publication date) of the other documents of "
                                  "this one's template family; copies_page=N in the query string pages on"},
        "copies_total": {"type": "integer", "description": "Other documents in the family, in all"},
        "copies_page": {"type": "integer", "description": "The page of copies given (a page past the end: the last)"},
        "copies_pages": {"type": "integer"}, "copies_page_size": {"type": "integer"},
        "copies_prev_url": _URL, "copies_next_url": _URL}},
    "Cited": {"type": "object", "required": ["doc_number", "title", "doc_id"], "properties": {
        "doc_number": _NSTR, "title": _NSTR, "doc_id": _NINT, "doc_url": _URL,
        "source": {"enum": ["text", "attachment"]}, "resolved_by": {"enum": ["doc_number", "title", None]},
        "archived_title": _NSTR, "region": _NSTR, "region_code": _NSTR}},
    "Citing": {"type": "object", "required": ["doc_number", "title", "doc_id"], "properties": {
        "doc_number": _NSTR, "title": _NSTR, "doc_id": _INT, "doc_url": _STR, "published": _DATE,
        "region": _STR, "region_code": _NSTR}},
    "Chain": {"type": "object", "required": ["doc", "links"], "properties": {
        "doc": {"type": "object"}, "json_url": _STR,
        "links": {"type": "array", "description": "Higher governments' plans it cites (depth < 0), itself (0), "
                                                  "lower governments' plans citing it (depth > 0)",
                  "items": {"type": "object", "required": ["doc_id", "depth"], "properties": {
                      "doc_id": _INT, "title": _NSTR, "doc_number": _NSTR, "region": _STR, "region_code": _NSTR,
                      "level": {"enum": ["province", "city", "county", None]}, "depth": _INT, "doc_url": _STR}}}}},
    "Citation": {"type": "object", "required": ["doc", "permalink", "formats"], "properties": {
        "doc": {"type": "object"}, "permalink": _STR, "capture_url": _URL, "captured": _NSTR, "payload_digest": _NSTR,
        "formats": {"type": "array", "items": {"type": "object", "required": ["name", "text"], "properties": {
            "name": {"enum": ["gbt7714", "bibtex", "ris"]}, "label": _STR, "url": _STR, "text": _STR}}}}},
    "SearchCitations": {"type": "object", "required": ["total", "count", "items"], "properties": {
        "total": _INT, "count": _INT, "limit": _INT, "search_url": _STR,
        "formats": {"type": "array", "items": {"type": "object"}},
        "items": {"type": "array", "items": {"type": "object", "required": ["doc_id", "gbt7714"], "properties": {
            "doc_id": _INT, "gbt7714": _STR}}}}},
    "Timeline": {"type": "object", "required": ["level", "total", "years", "rows"], "properties": {
        "query": _STR, "filters": {"type": "object"}, "level": {"enum": ["province", "county"]},
        "total": _INT, "counted": {"type": "integer", "description": "hits counted (at most 20,000)"},
        "error": _NSTR, "problems": {"type": "array", "items": _STR}, "years": {"type": "array", "items": _INT},
        "rows": {"type": "array", "items": {"type": "object", "required": ["name", "years", "total"], "properties": {
            "code": _NSTR, "name": _STR, "years": {"type": "object", "additionalProperties": _INT}, "total": _INT}}},
        "chart_title": _STR, "scope": _NSTR, "svg": {"type": ["string", "null"], "description": "The picture (SVG)"},
        "csv_url": _STR, "json_url": _STR, "search_url": _STR}},
    "Adoption": {"type": "object", "required": ["cluster", "regions", "adoptions"], "properties": {
        "cluster": _INT, "title": _NSTR, "regions": _INT, "svg": {"type": ["string", "null"]},
        "adoptions": {"type": "array", "items": {"type": "object", "required": ["order", "region", "doc_id"],
                                                  "properties": {
            "order": _INT, "region_code": _NSTR, "region": _STR, "first": _DATE, "doc_id": _INT, "title": _NSTR,
            "copies": _INT, "doc_url": _STR}}},
        "csv_url": _STR, "json_url": _STR}},
    "VersionDiff": {"type": "object", "required": ["doc", "old", "new", "summary", "blocks"], "properties": {
        "doc": {"type": "object"}, "old": {"type": ["object", "null"], "description": "null for version 1"},
        "new": {"type": "object"},
        "title_segments": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Segment"}},
        "summary": SUMMARY, "blocks": {"type": "array", "items": DIFF_BLOCK}, "json_url": _STR}},
    "Comparison": {"type": "object", "required": ["left", "right", "same_family", "summary", "rows"], "properties": {
        "left": {"type": "object"}, "right": {"type": "object"}, "same_family": {"type": "boolean"},
        "title_segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
        "summary": SUMMARY, "rows": {"type": "array", "items": {"type": "object", "required": ["kind"], "properties": {
            "kind": _STR, "left": {"type": ["array", "null"]}, "right": {"type": ["array", "null"]}}}},
        "swap_url": _STR, "json_url": _STR}},
    "Family": {"type": "object", "required": ["id", "title", "regions", "documents", "members"], "properties": {
        "id": _INT, "title": _STR, "regions": _INT, "documents": _INT,
        "canonical": {"type": ["object", "null"], "properties": {"id": _INT, "title": _STR, "doc_url": _STR}},
        "first_published": _DATE, "last_published": _DATE,
        "members": {"type": "array", "items": {"type": "object", "required": ["id", "title", "published"],
                                               "properties": {"id": _INT, "title": _STR, "region": _STR,
                                                              "published": _DATE, "matched": {"type": "boolean"},
                                                              "aggregator": {"type": "boolean"}, "doc_url": _STR}}},
        "timeline": {"type": ["object", "null"]}, "adoption_url": _STR}},
    "TemplatesPage": {"type": "object", "required": ["total", "page", "pages", "families", "facets"], "properties": {
        "query": _STR, "total": _INT, "page": _INT, "pages": _INT, "page_size": _INT,
        "problems": {"type": "array", "items": _STR}, "filters": {"type": "object"},
        "chips": {"type": "array", "items": CHIP}, "facets": {"type": "array", "items": FACET},
        "families": {"type": "array", "items": {"$ref": "#/components/schemas/Family"}}, "pager": PAGER,
        "json_url": _STR, "html_url": _STR}},
    "Status": {"type": "object", "required": ["documents", "totals", "sites", "broken", "page", "pages", "page_size"],
               "properties": {
        "documents": _INT,
        "totals": {"type": "object", "description": "Over every site, whatever the filter or page",
                   "required": ["sites", "broken"], "properties": {
                       "sites": _INT, "broken": _INT, "with_runs": _INT,
                       "with_errors": {"type": "integer", "description": "sites whose last run had errors"},
                       "blocked": {"type": "integer", "description": "sites whose last run they blocked"}}},
        "blocked_by_class": {"type": "array", "items": {"type": "object", "required": ["class", "label", "sites"],
                                                        "properties": {"class": BLOCK_CLASS, "label": _STR, "sites": _INT}}},
        "broken": {"type": "array", "items": _STR, "description": "Ids of every site flagged broken (not filtered)"},
        "query": _STR, "flagged_only": {"type": "boolean"},
        "matched": {"type": "integer", "description": "sites matching q (all sites without q)"},
        "matched_broken": {"type": "integer", "description": "... of which flagged broken"},
        "page": _INT, "pages": _INT, "page_size": {"type": "integer", "description": "sites not flagged, per page"},
        "flagged": {"type": "array", "items": {"$ref": "#/components/schemas/StatusSite"},
                    "description": "The matching flagged sites, all of them, on page 1 only (empty on later pages)"},
        "others": {"type": "array", "items": {"$ref": "#/components/schemas/StatusSite"},
                   "description": "This page of the matching sites not flagged, most documents first"},
        "sites": {"type": "array", "items": {"$ref": "#/components/schemas/StatusSite"},
                  "description": "flagged + others, in page order"},
        "pager": PAGER, "json_url": _STR, "html_url": _STR}},
    "StatusSite": {"type": "object", "required": ["id", "name", "documents", "broken"], "properties": {
        "id": _NSTR, "name": _STR, "base_url": _NSTR, "family": _NSTR, "documents": _INT,
        "last_seen": _NSTR, "newest_document": _DATE, "broken": {"type": "boolean"}, "broken_reason": _NSTR,
        "broken_since": _NSTR,
        "blocked": {"type": ["object", "null"], "description": "How the site blocks us (null: it does not)",
                    "required": ["class", "label"], "properties": {
                        "class": BLOCK_CLASS, "label": _STR, "since": _NSTR, "runs": _NINT, "vendor": _NSTR,
                        "status": _NINT, "error": _NSTR, "url": _NSTR,
                        "signals": {"type": "object", "additionalProperties": _INT}}},
        "run": {"type": ["object", "null"], "properties": {
            "started": _NSTR, "finished": _NSTR, "pages": _INT, "new": _INT, "changed": _INT,
            "unchanged": _INT, "withdrawn": _INT, "errors": {"type": "object", "additionalProperties": _INT},
            "error_total": _INT, "newest_item": _DATE,
            "block_class": {**_NSTR, "description": "set when the site blocked this run: not a run without news"}}}}},
    "CoverageRow": {"type": "object", "required": ["name", "level", "units", "covered", "portals", "registered",
                                                   "discovered", "verified", "blocked", "blocked_total", "documents",
                                                   "years"], "properties": {
        "code": _NSTR, "name": _STR,
        "level": {"enum": ["country", "province", "city", "county", "own", "unplaced"],
                  "description": "own: the government's own portals (省本级 / 市本级); unplaced: portals without a region"},
        "level_name": _STR,
        "units": {"type": "integer", "description": "governments of the 行政区划 table in the region, itself included"},
        "covered": {"type": "integer", "description": "... of which have a verified portal"},
        "portals": {"type": "integer", "description": "registry entries and archived sites in the region"},
        "registered": {"type": "integer", "description": "portals with a base URL"},
        "discovered": {"type": "integer", "description": "portals with start columns beyond the home page"},
        "verified": {"type": "integer", "description": "portals verified by their entry or by a successful crawl"},
        "blocked": {"type": "object", "additionalProperties": _INT, "description": "class -> portals it blocks"},
        "blocked_labels": {"type": "array", "items": {"type": "object"}}, "blocked_total": _INT,
        "last_success": _NSTR, "documents": _INT, "years": {"type": "array", "items": _INT}, "years_label": _STR,
        "url": _URL}},
    "CoveragePortal": {"type": "object", "required": ["id", "name", "registered", "discovered", "verified"],
                       "properties": {
        "id": _STR, "name": _STR, "region": _NSTR, "base_url": _NSTR, "family": _NSTR,
        "registered": {"type": "boolean"}, "discovered": {"type": "boolean"}, "verified": {"type": "boolean"},
        "in_registry": {"type": "boolean"}, "blocked": {"type": ["string", "null"]}, "blocked_label": _NSTR,
        "blocked_since": _NSTR, "last_success": _NSTR, "documents": _INT, "years": {"type": "array", "items": _INT},
        "years_label": _STR, "search_url": _URL}},
    "Coverage": {"type": "object", "required": ["scope", "rows", "portals", "trail"], "properties": {
        "scope": {"$ref": "#/components/schemas/CoverageRow"},
        "trail": {"type": "array", "items": {"type": "object", "properties": {"name": _STR, "url": _STR}}},
        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/CoverageRow"},
                 "description": "One level down: provinces; a province's own portals and prefectures; a "
                                "prefecture's own portals and counties; none for a county"},
        "portals": {"type": "array", "items": {"$ref": "#/components/schemas/CoveragePortal"}},
        "with_portals": {"type": "boolean"}, "classes": {"type": "array", "items": {"type": "object"}},
        "grid": {"type": ["object", "null"], "description": "the picture's tiles (one per province)"},
        "registry_entries": _INT, "html_url": _STR, "json_url": _STR, "csv_url": _STR}},
}


PROBLEM_MEDIA = "application/problem+json"
SCHEMAS["RegionCode"] = {"type": "string", "enum": list(known_codes()),
                         "description": "A GB/T 2260 code the archive knows (archive/data/regions.tsv)"}
SCHEMAS["Problem"] = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details; title and detail in Chinese",
    "properties": {"type": {"type": "string", "const": "about:blank"}, "title": _STR, "status": _INT, "detail": _STR,
                   "instance": _STR,
                   "errors": {"type": "array", "description": "Each refused parameter and why",
                              "items": {"type": "object", "required": ["parameter", "detail"],
                                        "properties": {"parameter": _STR, "detail": _STR}}}}}
ERRORS = {400: "A parameter was refused (`errors` says which and why)",
          404: "No such document, version or feed", 413: "The request body is too large",
          414: "The query string is too long (over 16 KB)", 429: "Too many saves from this address; see Retry-After",
          403: "No valid token", 415: "The body is not a form", 503: "The index is missing or broken"}


def _problems(*codes: int, media: str = PROBLEM_MEDIA) -> dict:
    """Error responses: a problem (data routes) or our HTML page (routes a browser posts to)."""
    schema = {"$ref": "#/components/schemas/Problem"} if media == PROBLEM_MEDIA else {"type": "string"}
    return {str(code): {"description": ERRORS[code], "content": {media: {"schema": schema}}} for code in codes}


def _json(schema: str, description: str, *errors: int) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
            **_problems(*errors)}


def _file(media: str, description: str, *errors: int) -> dict:
    return {"200": {"description": description, "content": {media: {"schema": {"type": "string"}}}},
            **_problems(*errors)}


_FORM_FIELDS = {
    "token": {"type": "string", "pattern": _PLAIN, "description": "The search page's form token (or the admin token)"},
    "name": {"type": "string", "maxLength": 200, "pattern": _PLAIN,
             "description": "A name for the saved search (default: the query)"},
    "q": _QUERY,
    **{p["name"]: p["schema"] for p in FILTERS},
    "agency": _TEXT, "site": _TEXT, "status": {"type": "string", "enum": ["active", "changed", "withdrawn"]},
    "email": {"type": "string", "pattern": "^" + EMAIL.pattern + "$", "description": "Digest by e-mail (admin token only)"},
    "webhook": {"type": "string", "pattern": "^https?://[^\\x00-\\x1f\\x7f]*$",
                "description": "Digest by webhook (admin token only)"},
    "owner": {"type": "string", "maxLength": 200, "pattern": _PLAIN},
}
SAVE = {
    "summary": "Save a search and get its feed of new, changed and withdrawn documents",
    "description": "The form of the search page posts here. Needs the page's form token (field `token`, with a "
                   "same-origin Origin when a browser sends one) or the admin token (field `token` or header "
                   "X-Govplans-Token); e-mail and webhook only with the admin token. A query that could never run "
                   "(too long, a control character, unbalanced quotes …) is refused. Answers an HTML page.",
    "operationId": "saveSearch", "security": [{}, {"adminToken": []}],
    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": _FORM_FIELDS, "additionalProperties": False}}}},
    "responses": {"201": {"description": "Saved: the page links the feed", "headers": {
                      "Location": {"description": "The saved search's feed", "schema": _STR}},
                      "content": {"text/html": {"schema": _STR}}},
                  **_problems(400, 403, 413, 415, 429, media="text/html")},
}
CITE_FORMAT = _param("format", "gbt7714 (GB/T 7714-2015), bibtex or ris",
                     {"type": "string", "enum": ["gbt7714", "bibtex", "ris"]})
FEED_KEY = _param("feed_key", "The feed's random key (from POST /saved)",
                  {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"}, "path")

PATHS = {
    "/search.json": {"get": {"summary": "Search, as the search page shows it", "operationId": "search",
                             "parameters": SEARCH_PARAMS + [MORE],
                             "responses": _json("SearchPage", "Hits, facets, charts and links", 400, 414, 503)}},
    "/search.atom": {"get": {"summary": "Atom feed of a search, newest first", "operationId": "searchFeed",
                             "parameters": SEARCH_PARAMS[:-2],
                             "responses": _file("application/atom+xml", "An Atom 1.0 feed", 400, 414)}},
    "/search.csv": {"get": {"summary": "The result set as CSV (streamed, capped at EXPORT_MAX_ROWS)",
                            "operationId": "searchCsv", "parameters": SEARCH_PARAMS[:-1],
                            "responses": _file("text/csv", "UTF-8 with BOM; a last row starting with # notes a cap",
                                               400, 414)}},
    "/search.jsonl": {"get": {"summary": "The result set as JSON lines (streamed, capped)", "operationId": "searchJsonl",
                              "parameters": SEARCH_PARAMS[:-1],
                              "responses": _file("application/x-ndjson",
                                                 "One document per line; a last {\"note\", \"truncated\"} line notes a cap",
                                                 400, 414)}},
    "/doc/{doc_id}.json": {"get": {"summary": "One document with provenance, versions, capture and copies",
                                   "operationId": "document", "parameters": [ID, COPIES_PAGE],
                                   "responses": _json("Document", "The document", 400, 404)}},
    "/doc/{doc_id}/versions/{number}.json": {"get": {
        "summary": "Version `number` and what it changed against the one before (version 1: its whole text, "
                   "`old` null)", "operationId": "versionDiff",
        "parameters": [ID, _param("number", "Version number, 1 or more", _ID, "path")],
        "responses": _json("VersionDiff", "Paragraph-level diff", 404)}},
    "/doc/{doc_id}/compare/{other_id}.json": {"get": {
        "summary": "Two documents side by side", "operationId": "compare",
        "parameters": [ID, _param("other_id", "The other document's id", _ID, "path")],
        "responses": _json("Comparison", "Rows of left and right paragraphs", 404)}},
    "/doc/{doc_id}/chain.json": {"get": {
        "summary": "The province → city → county line of plans citing one another through this document",
        "operationId": "chain", "parameters": [ID], "responses": _json("Chain", "The line, highest level first", 404)}},
    "/doc/{doc_id}/cite": {"get": {
        "summary": "The document cited as GB/T 7714-2015, BibTeX or RIS, with the archive's permalink, capture "
                   "time and payload hash (without format: an HTML page with all three)",
        "operationId": "cite", "parameters": [ID, CITE_FORMAT],
        "responses": {"200": {"description": "The citation", "content": {
            m: {"schema": _STR} for m in ("text/plain", "application/x-bibtex", "application/x-research-info-systems",
                                          "text/html")}},
                      **_problems(400, 404, media="text/html")}}},
    "/doc/{doc_id}/cite.json": {"get": {
        "summary": "The document's citation in the three formats, with permalink, capture time and payload hash",
        "operationId": "citeJson", "parameters": [ID, CITE_FORMAT],
        "responses": _json("Citation", "The citations", 400, 404)}},
    "/search/cite": {"get": {
        "summary": "The first 500 documents of a search, in its order, as one reference list (without format: a page)",
        "operationId": "citeSearch", "parameters": SEARCH_PARAMS[:-1] + [CITE_FORMAT],
        "responses": {"200": {"description": "The citations", "content": {
            m: {"schema": _STR} for m in ("text/plain", "application/x-bibtex", "application/x-research-info-systems",
                                          "text/html")}},
                      **_problems(400, 414, media="text/html")}}},
    "/search/cite.json": {"get": {
        "summary": "The first 500 documents of a search as GB/T 7714-2015 lines, and the links of the three files",
        "operationId": "citeSearchJson", "parameters": SEARCH_PARAMS[:-1] + [CITE_FORMAT],
        "responses": _json("SearchCitations", "The reference list", 400, 414)}},
    "/timeline.json": {"get": {"summary": "A search's documents per year per province (per county within a "
                                          "province or city), with the picture", "operationId": "timeline",
                               "parameters": SEARCH_PARAMS[:-2],
                               "responses": _json("Timeline", "Counts per region and year", 400, 414)}},
    "/timeline.csv": {"get": {"summary": "The time line as CSV: one row per region, one column per year",
                              "operationId": "timelineCsv", "parameters": SEARCH_PARAMS[:-2],
                              "responses": _file("text/csv", "UTF-8 with BOM", 400, 414)}},
    "/templates/{cluster_id}/adoption.json": {"get": {
        "summary": "The order in which regions adopted a template family", "operationId": "adoption",
        "parameters": [_param("cluster_id", "Template family (cluster) id", _ID, "path")],
        "responses": _json("Adoption", "Regions in the order of their first copy", 404)}},
    "/templates/{cluster_id}/adoption.csv": {"get": {
        "summary": "The adoption order as CSV", "operationId": "adoptionCsv",
        "parameters": [_param("cluster_id", "Template family (cluster) id", _ID, "path")],
        "responses": _file("text/csv", "UTF-8 with BOM", 404)}},
    "/templates.json": {"get": {"summary": "Template families ranked by adopting regions", "operationId": "templates",
                                "parameters": PAGE_PARAMS,
                                "responses": _json("TemplatesPage", "Families with their adoption", 400, 414)}},
    "/status.json": {"get": {"summary": "Per site: documents, last crawl run, errors by kind, broken flag",
                             "description": "The sites flagged broken come first and all of them on page 1; the "
                                            "others follow, 100 a page, most documents first. Follow `page` from 1 "
                                            "to `pages` to see every site once. `totals` count every site.",
                             "operationId": "status", "parameters": STATUS_PARAMS,
                             "responses": _json("Status", "Crawl status", 400, 414)}},
    "/saved": {"post": SAVE},
    "/saved/{feed_key}.atom": {"get": {
        "summary": "A saved search's feed: documents new, changed or withdrawn since it was saved, newest first",
        "operationId": "savedFeed", "parameters": [FEED_KEY],
        "responses": _file("application/atom+xml", "An Atom 1.0 feed, one entry per event", 404)}},
    "/capture/{capture_id}/raw": {"get": {
        "summary": "An archived HTML page, byte for byte as served, in a CSP sandbox (for the document page's frame)",
        "operationId": "captureRaw", "parameters": [_param("capture_id", "Capture id", _ID, "path")],
        "responses": {"200": {"description": "The page's bytes with the charset it was decoded with",
                              "content": {"text/html": {"schema": _STR}}},
                      **_problems(404, media="text/html")}}},
    "/coverage.json": {"get": {"summary": "The coverage ledger: per region, portals registered, discovered, verified, "
                                          "blocked by class, last successful crawl, documents, years",
                               "operationId": "coverage", "parameters": COVERAGE_PARAMS,
                               "responses": _json("Coverage", "The ledger of the country or of a region",
                                                  400, 404, 414)}},
    "/coverage.csv": {"get": {"summary": "Every region under the scope at every level, one line each",
                              "operationId": "coverageCsv", "parameters": COVERAGE_PARAMS[:1],
                              "responses": _file("text/csv", "UTF-8 with BOM", 400, 404, 414)}},
    "/api/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "parameters": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}


def document(server_url: str = "/") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "govplans", "version": "1",
                 "description": "Plans and notices published by Chinese government portals: every HTML page of the "
                                "archive has a JSON twin. In JSON strings <, > and & are \\u escapes."},
        "servers": [{"url": server_url}],
        "paths": deepcopy(PATHS),
        "components": {"schemas": deepcopy(SCHEMAS), "securitySchemes": {"adminToken": {
            "type": "apiKey", "in": "header", "name": "X-Govplans-Token",
            "description": "The operator's admin token ($GOVPLANS_ADMIN_TOKEN)"}}},
    }
