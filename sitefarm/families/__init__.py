"""One module per CMS family; each offers COLUMNS, doc_path(doc) and handle(world, site, request),
and may offer truth_overrides(doc) for fields its pages never show and REDESIGN = True when it
has a second template that sites move to (see sitefarm/timeline.py)."""
from sitefarm.families import aggregator, county, empire, gkmlpt, hanweb, jslist, kaipu, legacy, trs, vsb, xxgk

FAMILIES = {"trs": trs, "xxgk": xxgk, "legacy": legacy, "hanweb": hanweb, "aggregator": aggregator,
            "gkmlpt": gkmlpt, "kaipu": kaipu, "vsb": vsb, "empire": empire, "jslist": jslist,
            "county": county}
# Families a county portal may be drawn from (aggregators are not county portals).
PORTAL_FAMILIES = ("trs", "xxgk", "legacy", "hanweb")
# Portal families a world has only when asked for by name (World(families=(...))), so the worlds
# the tests and benchmarks build from seeds stay as they were.
NAMED_FAMILIES = ("gkmlpt", "kaipu", "vsb", "empire", "jslist", "county")
