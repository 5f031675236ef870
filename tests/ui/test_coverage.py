"""The coverage ledger: /coverage (+ .json, .csv) and `govplans coverage`, per province, prefecture
and county, from the registry's entries and the archive's sites, runs, verdicts and documents."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from archive.config import DataDir
from archive.models import Document
from archive.operations.health import update_site_health
from archive.store import Archive
from archive.store import runs as crawl_runs
from archive.store.health import record_check
from tests.ui.conftest import html_of

T0 = datetime(2025, 6, 1, 3, 0)
HOSTILE = "<script>alert(1)</script>"
REGISTRY = [
    {"id": "hunan", "name": "湖南省人民政府", "region": "430000", "family": "generic",
     "base_url": "http://www.hunan.gov.cn.test", "columns": ["/"]},
    {"id": "yongzhou", "name": "永州市人民政府", "region": "431100", "family": "trs",
     "base_url": "http://www.yzcity.gov.cn.test", "columns": ["/zwgk/"]},
    {"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": "trs",        # the retired code
     "base_url": "http://www.qiyang.gov.cn.test", "columns": ["/zwgk/zcwj/"], "verified": False},
    {"id": "jiangyong", "name": f"江永县人民政府{HOSTILE}", "region": "431125", "family": "trs",
     "base_url": "http://www.jiangyong.gov.cn.test", "columns": ["/"], "verified": True},
    {"id": "daoxian", "name": "道县人民政府", "region": "431124", "family": "generic", "columns": []},   # no URL yet
    {"id": "lingling", "name": "零陵区人民政府", "region": "431102", "family": "generic",
     "base_url": "http://www.lingling.gov.cn.test", "columns": ["/"], "discovered": "2025-05-01"},
    {"id": "jinxian", "name": "进贤县人民政府", "region": "360124", "family": "hanweb",
     "base_url": "http://www.jinxian.gov.cn.test", "columns": ["/col/col1/"]},
]
# in the archive only: a portal crawled from a --sites-file, and a 文库 site without a region
ARCHIVE_ONLY = [
    {"id": "furong", "name": "芙蓉区人民政府", "region": "430102", "family": "trs",
     "base_url": "http://www.furong.gov.cn.test", "columns": ["/zwgk/"]},
    {"id": "wenku", "name": "范文文库", "family": "aggregator", "base_url": "http://www.wenku.test", "columns": ["/"]},
]


def run(archive, site_id: str, day: int, pages: int = 5, listed: int = 10, block: str | None = None) -> None:
    run_id = crawl_runs.start_run(archive, site_id)
    crawl_runs.finish_run(archive, run_id, pages=pages, new=pages, block_class=block,
                          block_detail={"signals": {block: 2}} if block else None)
    record_check(archive, run_id, site_id, listed, pages, {})
    crawl_runs.save_progress(archive, run_id, finished=T0 + timedelta(days=day))
    update_site_health(archive, site_id, now=T0 + timedelta(days=day))


def documents(archive, site_id: str, base: str, years: list[int]) -> None:
    with archive.session() as s:
        s.execute(insert(Document), [{"url": f"{base}/{n}.html", "site_id": site_id, "published": date(y, 3, 1),
                                      "content_hash": f"{site_id}{n}", "first_seen": T0, "last_seen": T0,
                                      "updated_at": T0} for n, y in enumerate(years)])


def build_ledger_world(root) -> DataDir:
    data = DataDir(root).ensure()
    archive = Archive(data.database_url)
    for entry in REGISTRY + ARCHIVE_ONLY:
        if entry.get("base_url") and entry["id"] not in ("yongzhou", "jiangyong"):
            archive.upsert_site(entry)
    run(archive, "hunan", 1)
    documents(archive, "hunan", "http://www.hunan.gov.cn.test", [2019, 2020])
    run(archive, "qiyang", 1)                                       # succeeded, then challenged
    run(archive, "qiyang", 2, pages=0, listed=0, block="challenge")
    documents(archive, "qiyang", "http://www.qiyang.gov.cn.test", [2016, 2017, 2021])
    run(archive, "lingling", 1, pages=0, listed=0)                   # found nothing: no success
    run(archive, "jinxian", 3, pages=0, listed=0, block="waf")
    run(archive, "furong", 4, pages=1, listed=3)
    documents(archive, "furong", "http://www.furong.gov.cn.test", [2024])
    run(archive, "wenku", 1, pages=2)
    documents(archive, "wenku", "http://www.wenku.test", [2023, 2023])
    archive.close()
    return data


@pytest.fixture(scope="module")
def ledger_data(tmp_path_factory) -> DataDir:
    return build_ledger_world(tmp_path_factory.mktemp("ledger"))


@pytest.fixture()
def ledger_client(ledger_data):
    from search_ui import create_app

    app = create_app({"DATA_DIR": str(ledger_data.root), "TESTING": True, "REGISTRY": lambda: REGISTRY})
    yield app.test_client()
    app.extensions["govplans"].archive.close()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


def test_the_country_counts_every_portal_once_under_its_province(ledger_client):
    data = ledger_client.get("/coverage.json").get_json()
    country = data["scope"]
    assert (country["portals"], country["registered"], country["documents"]) == (9, 8, 8)
    assert country["units"] > 3000 and data["registry_entries"] == len(REGISTRY)
    hunan = by_name(data["rows"])["湖南省"]
    assert {k: hunan[k] for k in ("portals", "registered", "discovered", "verified", "covered", "blocked",
                                  "documents", "years")} == {
        "portals": 7, "registered": 6, "discovered": 4, "verified": 4, "covered": 4, "blocked": {"challenge": 1},
        "documents": 6, "years": [2016, 2017, 2019, 2020, 2021, 2024]}
    assert hunan["last_success"] == "2025-06-05 03:00"          # 芙蓉区's run; 祁阳's challenged run is no success
    assert hunan["years_label"] == "2016–2017, 2019–2021, 2024" and hunan["units"] == 137
    jiangxi = by_name(data["rows"])["江西省"]
    assert (jiangxi["portals"], jiangxi["verified"], jiangxi["blocked"], jiangxi["last_success"]) == (1, 0, {"waf": 1}, None)
    unplaced = by_name(data["rows"])["（未标地区）"]
    assert (unplaced["portals"], unplaced["documents"]) == (1, 2)


def test_a_province_shows_its_own_portals_and_its_prefectures(ledger_client):
    data = ledger_client.get("/coverage.json?region=430000").get_json()
    rows = by_name(data["rows"])
    assert data["rows"][0]["name"] == "湖南省本级" and data["rows"][0]["portals"] == 1
    assert (rows["永州市"]["portals"], rows["永州市"]["units"], rows["长沙市"]["covered"]) == (5, 12, 1)
    assert sum(row["portals"] for row in data["rows"]) == data["scope"]["portals"] == 7
    assert [t["name"] for t in data["trail"]] == ["全国"] and data["portals"] == []


def test_a_prefecture_shows_its_counties_and_a_county_its_portals_a_retired_code_its_successor(ledger_client):
    data = ledger_client.get("/coverage.json?region=431100").get_json()
    rows = by_name(data["rows"])
    assert data["rows"][0]["name"] == "永州市本级" and rows["祁阳市"]["code"] == "431181"
    assert rows["零陵区"]["verified"] == 0 and rows["零陵区"]["discovered"] == 1     # a run without pages verifies nothing
    assert rows["道县"]["registered"] == 0 and rows["道县"]["portals"] == 1
    county = ledger_client.get("/coverage.json?region=431121").get_json()
    assert county["scope"]["code"] == "431181" and [t["name"] for t in county["trail"]] == ["全国", "湖南省", "永州市"]
    [qiyang] = county["portals"]
    assert (qiyang["id"], qiyang["verified"], qiyang["blocked"], qiyang["last_success"], qiyang["documents"]) == \
        ("qiyang", True, "challenge", "2025-06-02 03:00", 3)
    assert qiyang["blocked_label"] == "JS 验证（Cookie 挑战）" and qiyang["search_url"] == "/search?site=qiyang"
    listed = ledger_client.get("/coverage.json?region=430000&portals=1").get_json()["portals"]
    assert {p["id"] for p in listed} == {"hunan", "yongzhou", "qiyang", "jiangyong", "daoxian", "lingling", "furong"}


@pytest.mark.parametrize("region", ["999999", "990000"])
def test_a_code_that_names_no_government_is_a_404(ledger_client, region):
    assert ledger_client.get(f"/coverage?region={region}").status_code == 404
    assert ledger_client.get(f"/coverage.json?region={region}").status_code == 404


@pytest.mark.parametrize("query", ["region=abc", "region=12", "region=", "portals=yes"])
def test_a_parameter_that_is_not_valid_is_refused_as_everywhere(ledger_client, query):
    assert ledger_client.get(f"/coverage?{query}").status_code == 400
    problem = ledger_client.get(f"/coverage.json?{query}")
    assert problem.status_code == 400 and problem.content_type.startswith("application/problem+json")


def test_the_page_shows_the_table_the_picture_and_escapes_names(ledger_client):
    page = ledger_client.get("/coverage")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and HOSTILE not in text and "<b>" not in text
    tree = html_of(page)
    hunan = tree.xpath("//table[@class='coverage-table']//tr[@data-code='430000']")[0]
    cells = [td.text_content().strip() for td in hunan.xpath("./td")]
    assert cells[:6] == ["137", "4", "7", "6", "4", "4"] and "JS 验证（Cookie 挑战） 1" in cells[6]
    tile = tree.xpath("//figure[@id='coverage-grid']//*[local-name()='g'][@data-code='430000']")[0]
    assert tile.xpath(".//*[local-name()='a']/@href") == ["/coverage?region=430000"]
    assert "share-1" in tile.xpath(".//*[local-name()='rect']/@class")[0]
    assert tile.xpath(".//*[local-name()='path'][@class='tile-blocked']")     # a portal there blocks us
    assert len(tree.xpath("//figure[@id='coverage-grid']//*[local-name()='g'][@class='province']")) == 34
    county = html_of(ledger_client.get("/coverage?region=431125"))
    assert HOSTILE in county.xpath("string(//table[@class='portal-table']/tbody//th)")   # shown as text
    assert "<script>alert" not in ledger_client.get("/coverage?region=431125").get_data(as_text=True)


def test_csv_has_every_region_at_every_level_and_adds_up(ledger_client):
    response = ledger_client.get("/coverage.csv?region=430000")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    levels = {row["level"] for row in rows}
    assert levels == {"province", "own", "city", "county"}
    province = next(row for row in rows if row["level"] == "province")
    children = [row for row in rows if row["level"] == "city"
                or (row["level"] == "own" and row["code"] == "430000")]
    assert sum(int(row["portals"]) for row in children) == int(province["portals"]) == 7
    qiyang = next(row for row in rows if row["code"] == "431181")
    assert (qiyang["province"], qiyang["prefecture"], qiyang["blocked_challenge"], qiyang["years"]) == \
        ("湖南省", "永州市", "1", "2016 2017 2021")
    assert len([row for row in rows if row["level"] == "county"]) == 122


def test_the_cli_prints_what_the_page_shows(ledger_data, tmp_path):
    import yaml

    from govplans.cli import main
    from search_ui import create_app

    crawlable = [entry for entry in REGISTRY if entry.get("base_url")]   # what today's registry files accept
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(yaml.safe_dump(crawlable, allow_unicode=True), encoding="utf-8")
    args = ["coverage", "--sites-file", str(sites_file), "--data", str(ledger_data.root)]
    out = CliRunner().invoke(main, args + ["--region", "431100", "--format", "json"])
    assert out.exit_code == 0, out.output
    app = create_app({"DATA_DIR": str(ledger_data.root), "TESTING": True, "REGISTRY": crawlable})
    try:
        page = app.test_client().get("/coverage.json?region=431100").get_json()
    finally:
        app.extensions["govplans"].archive.close()
    printed = json.loads(out.output)
    assert [r["portals"] for r in printed["rows"]] == [r["portals"] for r in page["rows"]]
    assert printed["scope"] == {k: v for k, v in page["scope"].items() if k not in ("url", "level_name")}
    table = CliRunner().invoke(main, args + ["--region", "431121"])
    assert "qiyang" in table.output and "BLOCKED challenge" in table.output
    assert CliRunner().invoke(main, args + ["--region", "999999"]).exit_code != 0
    as_csv = CliRunner().invoke(main, args + ["--format", "csv"])
    assert as_csv.output.splitlines()[0].startswith("level,code,name,province,prefecture")


# -- at national scale: a constant number of queries ------------------------------------------------

@pytest.fixture(scope="module")
def national(tmp_path_factory):
    from evaluation.national import build_national

    return {n: build_national(tmp_path_factory.mktemp(f"national{n}"), n) for n in (20, 600)}


@pytest.mark.parametrize("url", ["/coverage", "/coverage.json", "/coverage?region=430000", "/coverage.csv",
                                 "/coverage?region=430000&portals=1"])
def test_queries_per_request_do_not_grow_with_the_portals(national, url):
    from search_ui import create_app
    from tests.ui.test_status import statements

    counts = []
    for n, (data, registry) in national.items():
        app = create_app({"DATA_DIR": str(data.root), "TESTING": True, "REGISTRY": registry})
        try:
            counts.append(statements(app, app.test_client(), url))
        finally:
            app.extensions["govplans"].archive.close()
    assert counts[0] == counts[1] <= 4, counts


def test_the_national_ledger_counts_by_the_builders_rules(national):
    from archive.read.coverage import ledger
    from evaluation.national import blocked_class, crawled

    data, registry = national[600]
    archive = Archive(data.database_url)
    try:
        found = ledger(archive, registry).scope
    finally:
        archive.close()
    with_url = [i for i, e in enumerate(registry) if e.get("base_url")]
    done = [i for i in with_url if crawled(i, registry[i])]
    blocked = [i for i in done if blocked_class(i)]
    assert (found.portals, found.registered) == (len(registry), len(with_url))
    assert found.verified == found.covered == len(done)       # the blocked ones succeeded on their first run
    assert found.blocked_total == len(blocked) > 0 and found.documents == 3 * len(done)


def test_the_served_registry_is_parsed_again_only_when_its_file_changes(tmp_path):
    import os

    import yaml

    from govplans.options import registry_loader

    sites_file = tmp_path / "sites.yaml"
    crawlable = [entry for entry in REGISTRY if entry.get("base_url")]
    sites_file.write_text(yaml.safe_dump(crawlable[:2], allow_unicode=True), encoding="utf-8")
    load = registry_loader(str(sites_file))
    first = load()
    assert [e["id"] for e in first] == ["hunan", "yongzhou"] and load() is first        # not parsed again
    sites_file.write_text(yaml.safe_dump(crawlable[:3], allow_unicode=True), encoding="utf-8")
    os.utime(sites_file, ns=(1, 10**18))
    assert [e["id"] for e in load()] == ["hunan", "yongzhou", "qiyang"]
