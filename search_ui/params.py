"""One parameter validator for every route and every format.

Checked for every request before any view (`check_request`): the query string is valid UTF-8,
not longer than MAX_QUERY_STRING bytes (414), and no parameter holds a control character (NUL …).
The typed checks below are what every view uses for its own parameters (search_ui/query.py for
the search state, the status page, a document's copies_page): a value that is present but not
valid is refused, on the page (400, saying why, the rest of the page shown without it) and in
every data format (400, an RFC 9457 problem listing each parameter; search_ui/errors.py).
An empty free-text value (`?q=`, `?theme=`) is the same as none; an empty typed one (`?region=`,
`?year=`, `?status=`) is refused like any other invalid value.
"""
from __future__ import annotations

import re
from typing import Mapping
from urllib.parse import unquote_to_bytes

from flask import has_request_context, request
from werkzeug.exceptions import RequestURITooLarge

from search_ui.errors import BadParameters, wants_problem

MAX_QUERY_STRING = 16 * 1024   # bytes of the query string (a 500-character query is ~4.5 KB encoded)
MAX_TEXT = 100                 # characters of a free-text filter (theme, agency, site …)
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")   # an e-mail address (saved searches)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_request() -> None:
    """Flask before_request: what no route accepts."""
    raw = request.query_string
    if len(raw) > MAX_QUERY_STRING:
        raise RequestURITooLarge(f"请求地址的参数部分有 {len(raw) // 1024} KB，最多 {MAX_QUERY_STRING // 1024} KB。"
                                 "请缩短检索词。")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadParameters({"query": "参数不是有效的 UTF-8 编码（有不完整或错误的 %XX 字节）。"}) from None
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise BadParameters({name[:40]: f"参数 {shown(name)} 含有控制字符（如 NUL），无法处理。"})


def control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def shown(raw: str, limit: int = 40) -> str:
    """A refused value as a message quotes it: at most `limit` characters."""
    return raw if len(raw) <= limit else raw[:limit] + "…"


class Checker:
    """Reads parameters from `args`, collecting one message per refused parameter."""

    def __init__(self, args: Mapping[str, str]):
        self.args = args
        self.problems: dict[str, str] = {}

    def raw(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def empty(self, name: str, label: str) -> bool:
        """True when the parameter is absent or empty; empty is refused for typed parameters
        (no form of ours sends one, and `?region=` says nothing a reader meant)."""
        if self.raw(name):
            return False
        if name in self.args:
            self.problems[name] = f"{label}为空：不用这个条件时请去掉参数 {name}。"
        return True

    def integer(self, name: str, label: str, low: int, high: int) -> int | None:
        raw = self.raw(name)
        if self.empty(name, label):
            return None
        if raw.isascii() and raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high:
            return int(raw)
        self.problems[name] = f"{label}“{shown(raw)}”无效：应为 {low} 到 {high} 的整数。"
        return None

    def choice(self, name: str, label: str, allowed) -> str | None:
        raw = self.raw(name)
        if self.empty(name, label):
            return None
        if raw in allowed:
            return raw
        self.problems[name] = f"{label}“{shown(raw)}”无效：应为 {'、'.join(allowed)} 之一。"
        return None

    def text(self, name: str, label: str, limit: int = MAX_TEXT) -> str | None:
        raw = self.raw(name)
        if not raw:
            return None
        if len(raw) > limit:
            self.problems[name] = f"{label}太长（{len(raw)} 字），最多 {limit} 字。"
            return None
        return raw



def settle(problems: Mapping[str, str]) -> None:
    """A data format (.json, .csv, .jsonl, .atom) refuses a request with refused parameters (400,
    a problem naming each); a page goes on and shows the messages. Outside a request (a library
    caller, the fuzzer) the problems stay on the parsed request."""
    if problems and has_request_context() and wants_problem(request.path):
        raise BadParameters(dict(problems))
