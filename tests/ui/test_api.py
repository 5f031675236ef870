"""The JSON API: every .json and /api route documented in OpenAPI 3.1, responses match it."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.ui.test_documents import doc_id


def openapi_path(rule: str) -> str:
    """/doc/<id:doc_id>.json -> /doc/{doc_id}.json"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


@pytest.fixture()
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_json_and_api_route_is_documented(app, spec):
    routes = {openapi_path(r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api") or r.rule.endswith(".json")}
    assert routes >= {"/search.json", "/doc/{doc_id}.json", "/templates.json", "/status.json", "/api/openapi.json"}
    assert routes - set(spec["paths"]) == set()
    for path in routes:   # and every path parameter is declared
        declared = {p["name"] for p in spec["paths"][path]["get"]["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_every_html_page_has_a_json_twin(app):
    rules = {r.rule for r in app.url_map.iter_rules()}
    pages = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods   # a form's POST target is no page
             and not re.search(r"\.\w+$|^/static|^/capture|^/api|^/$", r.rule)}
    assert {p for p in pages if f"{p}.json" not in rules} == set()


def _validator(spec, name: str) -> Draft202012Validator:
    """Validates against one component; its refs (#/components/schemas/...) resolve in the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


@pytest.mark.parametrize("url, schema", [
    ("/search.json?q=方案&year=2024", "SearchPage"), ("/search.json?page=abc", "Problem"),
    ("/templates.json", "TemplatesPage"), ("/templates.json?region=430000", "TemplatesPage"),
    ("/status.json", "Status"), ("/coverage.json", "Coverage"), ("/coverage.json?region=431121", "Coverage"),
    ("/coverage.json?region=430000&portals=1", "Coverage"),
])
def test_responses_match_their_schemas(client, spec, url, schema):
    data = client.get(url).get_json()
    errors = list(_validator(spec, schema).iter_errors(data))
    assert not errors, [e.message for e in errors][:3]


def test_document_diff_and_compare_match_their_schemas(client, spec):
    edited = doc_id(client, "祁阳市2023年政务公开工作要点")
    first = doc_id(client, "祁阳市2024年政务公开日活动方案")
    for url, schema in ((f"/doc/{first}.json", "Document"), (f"/doc/{edited}.json", "Document"),
                        (f"/doc/{edited}/versions/2.json", "VersionDiff"),
                        (f"/doc/{first}/compare/{edited}.json", "Comparison")):
        errors = list(_validator(spec, schema).iter_errors(client.get(url).get_json()))
        assert not errors, (url, [e.message for e in errors][:3])


def test_a_schema_violation_would_be_caught(spec):
    assert list(_validator(spec, "Status").iter_errors({"documents": "seven", "sites": [], "broken": []}))


def test_the_site_has_its_own_icon(client):
    """Every page asked for /favicon.ico and got a 404."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00" and len(icon.data) < 8192   # an ICO file, small
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/search").get_data(as_text=True)
