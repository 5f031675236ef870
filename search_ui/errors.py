"""One error vocabulary: every 4xx and 5xx is our page in Chinese for a reader, and an RFC 9457
problem (application/problem+json) for a program: the .json, .csv, .jsonl and .atom routes and
everything under /api/.

A refused parameter is a `BadParameters` (400) carrying one message per parameter; the server's
own refusals (a request too large, a header too long; search_ui/serving.py) come through here too.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, SecurityError, default_exceptions

PROBLEM_JSON = "application/problem+json"
DATA_SUFFIXES = (".json", ".csv", ".jsonl", ".atom")

# status -> (title, what the reader can do): the page's heading and text, the problem's title and detail
MESSAGES = {
    400: ("请求有误", "请求中有无法处理的内容。请检查地址或表单后重试。"),
    403: ("无权操作", "这个操作需要授权（表单令牌或管理员令牌）。"),
    404: ("找不到页面", "没有这个页面或文件。可以回到首页重新检索。"),
    405: ("不支持的请求方法", "这个地址不接受这种请求方法。"),
    413: ("提交的内容太大", "请求正文超过了允许的大小。"),
    415: ("不支持的内容类型", "请求正文的类型不对。"),
    414: ("地址太长", "请求地址（含检索词和参数）超过了允许的长度，请缩短检索词。"),
    429: ("请求太频繁", "请稍后再试。"),
    431: ("请求头太大", "请求头超过了允许的大小。"),
    500: ("出错了", "服务器处理请求时出错，已记录。请稍后再试。"),
    503: ("暂时不可用", "服务暂时不可用，请稍后再试。"),
}


class BadParameters(BadRequest):
    """Parameters refused: `problems` maps each parameter's name to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("；".join(problems.values()))
        self.problems = problems


def wants_problem(path: str) -> bool:
    return path.startswith("/api/") or path.endswith(DATA_SUFFIXES)


def title_and_detail(status: int, detail: str | None = None) -> tuple[str, str]:
    title, default = MESSAGES.get(status, (MESSAGES[500 if status >= 500 else 400][0], ""))
    return title, detail or default


def error_response(status: int, detail: str | None = None, problems: dict[str, str] | None = None,
                   headers: dict | None = None) -> Response:
    """Our answer for an error status, as a page or a problem, by the request's path."""
    title, detail = title_and_detail(status, detail)
    if wants_problem(request.path):
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                "instance": request.path}
        if problems:
            body["errors"] = [{"parameter": name, "detail": message} for name, message in problems.items()]
        response = current_app.response_class(current_app.json.dumps(body) + "\n", status=status,
                                              mimetype=PROBLEM_JSON)
    else:
        response = current_app.response_class(_page(title, detail, list((problems or {}).values())),
                                              status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _page(title: str, detail: str, problems: list[str]) -> str:
    """error.html; a bare page when the request cannot build links (a Host refused before routing)."""
    from markupsafe import escape

    if not _can_build_links():
        return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)} · 政府方案档案'
                f'</title></head><body><h1>{escape(title)}</h1><p>{escape(detail)}</p></body></html>')
    return render_template("error.html", title=title, message=detail, problems=problems)


def _can_build_links() -> bool:
    from flask.globals import request_ctx

    return request_ctx.url_adapter is not None


def _detail(error: HTTPException) -> str | None:
    """A message we wrote (BadParameters, abort(400, "…")); Werkzeug's English defaults are not shown."""
    if isinstance(error, BadParameters):
        return str(error.description)
    if isinstance(error, SecurityError):
        return "这个主机名（Host 头）不是本站的地址。请用本站的地址访问。"
    default = type(error).description
    given = error.description
    return given if given and given != default and not given.isascii() else None


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status < 400:
        return error
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
    problems = error.problems if isinstance(error, BadParameters) else None
    return error_response(status, _detail(error), problems, headers)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("unhandled error on %s", request.path, exc_info=error)
    return error_response(500)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)


def rendered(app: Flask, status: int, path: str = "/") -> tuple[str, bytes]:
    """(content type, body) of our answer for `status` at `path`, outside any request: the
    server's own refusals (search_ui/serving.py) are written with it."""
    if not path.startswith("/"):
        path = "/"
    exception = default_exceptions.get(status, InternalServerError)
    with app.test_request_context(path):
        response = handle_http_error(exception())
        return response.headers["Content-Type"], response.get_data()
