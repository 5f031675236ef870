"""The platform families (gkmlpt, 开普云, 博达 VSB, EmpireCMS, JS-rendered lists) appear only in a
world that names them, and each serves its documented shapes."""
from __future__ import annotations

import json

from sitefarm.families import NAMED_FAMILIES, PORTAL_FAMILIES
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient


def test_seeded_worlds_draw_no_new_family():
    for seed in (0, 1, 2):
        assert {site.family for site in World(sites=60, seed=seed).sites} <= set(PORTAL_FAMILIES)


def test_each_platform_serves_its_shapes():
    from sitefarm.server import start_in_thread

    world = World(sites=len(NAMED_FAMILIES), seed=0, families=NAMED_FAMILIES, docs_per_site=(25, 40))
    server, port = start_in_thread(world, port=0)
    client = FarmClient(port)
    try:
        sites = {site.family: site for site in world.sites}
        gk = sites["gkmlpt"]
        base = world.base_url(gk, port)
        status, _, body = client.get(base + "/gkmlpt/index")
        assert status == 200 and b"window._CONFIG" in body and b"SID: '" in body and b"/gkmlpt/content/" not in body
        from sitefarm.families.gkmlpt import category, sid
        column = gk.columns[0]
        api = f"{base}/gkmlpt/api/all/{category(column)}?sid={sid(gk)}"
        first = json.loads(client.get(api + "&page=1")[2])
        assert json.loads(client.get(api + "&page=0")[2]) == first          # pages 0 and 1 are the same
        assert first["classify"]["post_count"] == len(world.listed(gk, column))
        assert json.loads(client.get(api.replace(sid(gk), "1") + "&page=1")[2])["articles"] == []
        article = first["articles"][0]
        assert client.get(article["url"])[0] == 200 and "/gkmlpt/content/" in article["url"]

        js = sites["jslist"]
        status, _, body = client.get(world.base_url(js, port) + js.columns[0].path)
        assert status == 200 and b"fetch(" in body and b"<li>" not in body    # the HTML holds no item

        vsb = sites["vsb"]
        status, _, body = client.get(world.base_url(vsb, port) + "/")
        assert body.startswith(b"<!--Announced by Visual SiteBuilder 9-->")
        assert b"<ucapcontent>" in client.get(world.base_url(sites["kaipu"], port)
                                              + world.doc_path(world.listed(sites["kaipu"], sites["kaipu"].columns[0])[0]))[2]
        assert b"Powered by EmpireCMS" in client.get(world.base_url(sites["empire"], port) + "/")[2]
    finally:
        server.shutdown()
