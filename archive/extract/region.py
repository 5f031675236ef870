"""Which jurisdiction a page belongs to: site registry code, SiteIDCode, 主办 footer, agency."""
from __future__ import annotations

import re

from .document import Region, SiteHint
from .metadata import Found

_SPONSOR = re.compile(r"(?:主办单位|主办|版权所有|Copyright)\s*[:：©]?\s*([^\t|｜]{2,40})", re.I)


def pick_region(site: SiteHint | None, meta: dict[str, list[Found]], lines: list[str],
                agency: str | None) -> tuple[Region, str | None]:
    """(region, where it came from); an empty Region when nothing names one."""
    try:  # imported late: regions.py is another module's data and may be missing in a checkout
        from archive import regions
    except ImportError:
        return Region(), None
    if site and site.region_code:
        found = regions.lookup(site.region_code)
        if found:
            return found, "site:region_code"
    for item in meta.get("site_code", []):
        digits = re.sub(r"\D", "", item.value)
        if len(digits) >= 6 and (found := regions.lookup(digits[:6])):
            return found, item.source
    if site and site.name and (found := regions.find_in_text(site.name)):
        return found, "site:name"
    for line in reversed(lines[-40:]):  # footers sit at the end
        match = _SPONSOR.search(line)
        if match and (found := regions.find_in_text(match.group(1))):
            return found, "line:主办"
    if agency and (found := regions.find_in_text(agency)):
        return found, "agency"
    return Region(), None
