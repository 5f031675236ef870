"""Defended portals (sitefarm/defences.py): added beside the world's sites without changing them,
served over the wire as real defences are (status, cookies, reset), passable by the cookie their
script sets, and named in the registry and the truth."""
from __future__ import annotations

import http.client
import socket

import pytest
from click.testing import CliRunner

from sitefarm.defences import DEFENCES, RUISHU_COOKIE, token
from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.sitefarm.conftest import FarmClient


@pytest.fixture(scope="module")
def defended():
    world = World(sites=3, seed=0, docs_per_site=(10, 12), defended=DEFENCES, aggregators=1)
    server, port = start_in_thread(world, port=0)
    yield world, FarmClient(port), port
    server.shutdown()


def site(world, defence: str):
    return next(s for s in world.sites if s.defence == defence)


def test_defended_sites_leave_the_world_as_it_was():
    plain = World(sites=3, seed=0, docs_per_site=(10, 12), aggregators=1)
    world = World(sites=3, seed=0, docs_per_site=(10, 12), aggregators=1, defended=DEFENCES)
    assert world.sites[:len(plain.sites)] == plain.sites
    assert list(plain.truth(80)) == [r for r in world.truth(80) if "defence" not in r]
    assert world.defences() == {s.id: s.defence for s in world.sites[len(plain.sites):]}
    assert len(set(s.id for s in world.sites)) == len(world.sites)
    with pytest.raises(ValueError, match="unknown defences"):
        World(sites=1, defended=("captcha",))


def test_the_registry_points_refused_at_a_closed_port_and_dns_at_a_name_that_never_resolves(defended):
    world, _, port = defended
    registry = {entry["id"]: entry for entry in world.registry(port)}
    assert registry[site(world, "refused").id]["base_url"].endswith(".gov.cn.test:1")
    assert ".invalid:" in registry[site(world, "dns").id]["base_url"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", 1), timeout=2).close()
    assert all(r["defence"] == site(world, r["defence"]).defence for r in world.truth(port) if "defence" in r)


def test_challenges_over_the_wire_and_the_cookie_their_script_sets(defended):
    world, client, port = defended
    rs = site(world, "challenge_412")
    status, headers, body = client.get(f"http://{rs.host}:{port}{rs.columns[0].path}")
    assert status == 412 and headers["Set-Cookie"].startswith(f"{RUISHU_COOKIE}S=") and b"$_ts" in body
    script = token(rs, "challenge")
    status, _, body = client.get(f"http://{rs.host}:{port}/{script[:4]}/{script[4:8]}.js")
    assert status == 200 and f"{RUISHU_COOKIE}T=".encode() in body
    status, _, _ = client.get(f"http://{rs.host}:{port}{rs.columns[0].path}",
                              headers={"Cookie": f"{RUISHU_COOKIE}T={script[::-1]}"})
    assert status == 200
    jsl = site(world, "challenge_521")
    status, headers, body = client.get(f"http://{jsl.host}:{port}/")
    assert status == 521 and headers["Set-Cookie"].startswith("__jsluid_s=") and b"location.href" in body
    status, _, _ = client.get(f"http://{jsl.host}:{port}/", headers={"Cookie": f"__jsl_clearance_s={token(jsl, 'challenge')[:24]}"})
    assert status == 200


def test_waf_pages_resets_and_stubs_over_the_wire(defended):
    world, client, port = defended
    for defence, status in (("waf_safedog", 403), ("waf_aliyun", 405), ("waf_wzws", 493)):
        assert client.get(f"http://{site(world, defence).host}:{port}/")[0] == status
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        client.get(f"http://{site(world, 'reset').host}:{port}/")
    stub = site(world, "stub")
    status, _, body = client.get(f"http://{stub.host}:{port}{stub.columns[0].path}index.html")
    assert status == 200 and len(body) == 300
    assert client.get(f"http://{stub.host}:{port}/")[0] == 200 and len(client.get(f"http://{stub.host}:{port}/")[2]) > 1000


def test_farm_cli_takes_defences():
    from sitefarm.cli import farm

    result = CliRunner().invoke(farm, ["sites", "--sites", "1", "--defended", "stub,js_list"])
    assert result.exit_code == 0 and result.output.count("- id:") == 3
    assert CliRunner().invoke(farm, ["sites", "--defended", "all"]).output.count("- id:") == 10 + len(DEFENCES)
    assert CliRunner().invoke(farm, ["sites", "--defended", "captcha"]).exit_code != 0
