"""One URL per page: session ids that some portals write into every link are dropped."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)
# what urlsplit and browsers drop around a URL: C0 controls, space, and any Unicode whitespace
_EDGES = re.compile(r"^[\s\x00-\x20]+|[\s\x00-\x20]+$")
SESSION_PARAMS = {"sid", "jsessionid", "phpsessid", "sessionid", "aspsessionid", "s_id"}


def canonical_url(url: str) -> str:
    """http://h/a.html;jsessionid=AB12 -> http://h/a.html; ins.asp?i=7&s=12&sid=9f -> ins.asp?i=7&s=12.

    Idempotent, and never raises: a URL urlsplit refuses (http://[::1 …) comes back stripped."""
    current = _EDGES.sub("", url)
    for _ in range(len(current) + 1):     # dropping one part can expose another (a?\x00 -> a? -> a)
        following = _canonical(current)
        if following == current:
            break
        current = following
    return current


def _canonical(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _PATH_SESSION.sub("", parts.path)
    if not parts.netloc and path.startswith("//"):
        path = "/" + path.lstrip("/")      # else urlunsplit's "//x" reads back as host x
    query = parts.query
    if query:
        kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in SESSION_PARAMS]
        query = "&".join(kept)
    return _EDGES.sub("", urlunsplit((parts.scheme, parts.netloc, path, query, "")))   # "a ?sid=1" -> "a"
