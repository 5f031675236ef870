"""Security headers on every response: pages, feeds, downloads, captures, static files, errors
(404, 405, 500), HEAD and OPTIONS."""
from __future__ import annotations

from evaluation.hostile import check_security_headers, crawl_urls, traversal_urls


def test_every_response_carries_the_security_headers(app, client):
    urls = crawl_urls(app) + traversal_urls()[:60] + ["/static/style.css", "/nope", "/doc/0", "/doc/abc"]
    problems = []
    for url in urls:
        for method in ("get", "head"):
            response = getattr(client, method)(url)
            problems += check_security_headers(f"{method.upper()} {url}", response)
            response.close()
    assert problems == []


def test_error_responses_carry_them_too(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/__boom")
    def boom():
        raise RuntimeError("a bug")

    responses = {"500": client.get("/__boom"), "405": client.post("/search"), "405 delete": client.delete("/doc/1"),
                 "options": client.options("/search"), "put": client.put("/saved"), "patch": client.patch("/status")}
    assert responses["500"].status_code == 500 and "a bug" not in responses["500"].get_data(as_text=True)
    for name, response in responses.items():
        assert check_security_headers(name, response) == [], name


def test_json_is_not_readable_cross_origin_except_the_api_description(app, client):
    for url in crawl_urls(app):
        response = client.get(url)
        allowed = response.headers.get("Access-Control-Allow-Origin")
        response.close()
        assert allowed is None or url == "/api/openapi.json", url
