"""One module per CMS family; each offers COLUMNS, doc_path(doc) and handle(world, site, request),
and may offer truth_overrides(doc) for fields its pages never show and REDESIGN = True when it
has a second template that sites move to (see sitefarm/timeline.py)."""
from sitefarm.families import aggregator, hanweb, legacy, trs, xxgk

FAMILIES = {"trs": trs, "xxgk": xxgk, "legacy": legacy, "hanweb": hanweb, "aggregator": aggregator}
# Families a county portal may be drawn from (aggregators are not county portals).
PORTAL_FAMILIES = ("trs", "xxgk", "legacy", "hanweb")
