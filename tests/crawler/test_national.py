"""The national registry: every government with its current code, retired codes mapped to their
successors, a user's own list imported by name or code, and `verified` from the archive's runs."""
from __future__ import annotations

import json

import yaml

from archive import divisions
from tests.conftest import run_govplans
from tests.crawler.conftest import write_registry


def test_retired_codes_map_to_their_successors():
    assert divisions.current_code("431121") == "431181"          # 祁阳县 -> 祁阳市 (2021)
    assert divisions.current_code("110103") == "110101"          # 崇文区 -> 东城区 (2010)
    assert divisions.current_code("510211") == "500157"          # 江北区 (四川 1983) -> 500105 -> 两江新区 (2025)
    assert divisions.current_code("999999") is None
    assert "431121" in divisions.retired_codes("431181")


def test_names_resolve_to_units_and_shared_names_need_their_city():
    resolved = {name: (unit.code if unit else None) for name in
                ("祁阳县", "祁阳市人民政府", "湖南省永州市祁阳县", "鼓楼区", "福州市鼓楼区", "重庆市江北区",
                 "浙江省宁波市江北区", "永州市", "西沙区", "不存在县")
                for unit in [divisions.resolve(name=name)]}
    assert resolved == {"祁阳县": "431181", "祁阳市人民政府": "431181", "湖南省永州市祁阳县": "431181",
                        "鼓楼区": None, "福州市鼓楼区": "350102", "重庆市江北区": "500157",
                        "浙江省宁波市江北区": "330205", "永州市": "431100", "西沙区": "460302", "不存在县": None}


def test_sites_list_json_holds_every_county_with_a_current_code(tmp_path):
    result = run_govplans("sites", "list", "--json", data=tmp_path / "none")
    assert result.returncode == 0, result.stderr
    registry = json.loads(result.stdout)
    counties = [unit for unit in registry["units"] if unit["level"] == "county"]
    assert len(counties) >= 2800 and registry["counts"]["county"] == len(counties)
    assert all(divisions.current_code(unit["code"]) == unit["code"] for unit in registry["units"])
    qiyang = next(unit for unit in counties if unit["name"] == "祁阳市")
    assert qiyang["code"] == "431181" and "431121" in qiyang["former_codes"]
    assert [site["id"] for site in qiyang["sites"]] == ["qiyang"]
    assert qiyang["sites"][0]["verified"] is False and qiyang["sites"][0]["url_source"]
    assert not any(unit["code"] == "431121" for unit in registry["units"])
    assert {unit["level"] for unit in registry["units"]} == {"province", "city", "county"}


def test_import_resolves_names_and_retired_codes_and_records_sources(tmp_path):
    listing = tmp_path / "portals.csv"
    listing.write_text("name,code,url,source\n"
                       "祁阳县,,http://www.qiyang.example/,my survey\n"
                       ",431121,http://www.qiyang.example/zwgk/,\n"          # same unit and host: an update
                       "福州市鼓楼区,,https://www.gl.example/,\n"
                       "鼓楼区,,http://ambiguous.example/,\n"
                       "安化县,,ftp://anhua.example/,\n"
                       "不存在县,,http://nowhere.example/,\n", encoding="utf-8")
    target = tmp_path / "imported.yaml"
    result = run_govplans("sites", "import", str(listing), "--into", str(target), "--sites-file",
                          str(write_registry(tmp_path / "empty.yaml", [])))
    assert result.returncode == 0, result.stderr
    assert "2 added, 1 updated, 3 rows skipped" in result.stdout
    assert "line 5" in result.stderr and "line 6" in result.stderr and "line 7" in result.stderr
    entries = {entry["region"]: entry for entry in yaml.safe_load(target.read_text(encoding="utf-8"))}
    assert set(entries) == {"431181", "350102"}
    qiyang = entries["431181"]
    assert qiyang["name"] == "祁阳市人民政府" and qiyang["family"] == "generic" and qiyang["verified"] is False
    assert qiyang["columns"] == ["/zwgk/"] and qiyang["url_source"] == "import:portals.csv"
    assert entries["350102"]["url_source"] == "import:portals.csv"
    # the imported file is a registry like any other
    listed = json.loads(run_govplans("sites", "list", "--json", "--sites-file", str(target),
                                     data=tmp_path / "none").stdout)
    assert {u["code"] for u in listed["units"] if u["portal"]} == {"431181", "350102"}


def test_a_site_is_verified_once_a_crawl_found_documents(family_crawl, tmp_path):
    world, port, data, _ = family_crawl
    entries = [dict(entry, farm=False) for entry in world.registry(port)]
    registry = write_registry(tmp_path / "sites.yaml", entries)
    before = json.loads(run_govplans("sites", "list", "--json", "--sites-file", str(registry),
                                     data=tmp_path / "fresh").stdout)
    after = json.loads(run_govplans("sites", "list", "--json", "--sites-file", str(registry), data=data).stdout)

    def verified(registry_json):
        return {site["id"]: site["verified"] for unit in registry_json["units"] for site in unit["sites"]}

    county_sites = {site.id for site in world.sites if site.region.code}
    assert verified(before) == {site_id: False for site_id in county_sites}
    assert verified(after) == {site_id: True for site_id in county_sites}
    text = run_govplans("sites", "list", "--sites-file", str(registry), data=data).stdout
    assert "unverified" not in text and text.count("verified") == len(entries)
