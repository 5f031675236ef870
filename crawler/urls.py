"""One URL per page: session ids that some portals write into every link are dropped."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)
SESSION_PARAMS = {"sid", "jsessionid", "phpsessid", "sessionid", "aspsessionid", "s_id"}


def canonical_url(url: str) -> str:
    """http://h/a.html;jsessionid=AB12 -> http://h/a.html; ins.asp?i=7&s=12&sid=9f -> ins.asp?i=7&s=12."""
    parts = urlsplit(url.strip())
    path = _PATH_SESSION.sub("", parts.path)
    query = parts.query
    if query:
        kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in SESSION_PARAMS]
        query = "&".join(kept)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
