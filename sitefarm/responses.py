"""Requests and responses as plain values, so families are pure functions of (world, request)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Request:
    method: str
    path: str                      # without the query
    query: str = ""
    body: bytes = b""
    headers: dict = field(default_factory=dict)  # lower-cased names

    @property
    def params(self) -> dict[str, str]:
        """Query and form parameters, last value wins."""
        pairs = parse_qs(self.query, keep_blank_values=True)
        if self.body and self.method == "POST":
            pairs.update(parse_qs(self.body.decode("latin-1"), keep_blank_values=True))
        return {k: v[-1] for k, v in pairs.items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    action: str | None = None      # what the server does besides answering: reset, slow, stall, truncated, huge
    action_arg: float = 0.0        # its seconds, or the huge body's length


def html(text: str, status: int = 200, encoding: str = "utf-8") -> Response:
    return Response(status, text.encode(encoding), f"text/html; charset={encoding}")


def not_found() -> Response:
    return html("<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
                "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>", 404)


ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /search/\n"


def robots() -> Response:
    return Response(200, ROBOTS.encode(), "text/plain; charset=utf-8")
