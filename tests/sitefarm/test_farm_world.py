"""The world's truth and registry: deterministic, lazy, and consistent with itself."""
import json
import re
from collections import defaultdict

import yaml
from click.testing import CliRunner

from sitefarm import world as world_module
from sitefarm.cli import farm as farm_cli
from sitefarm.world import World


def test_same_seed_gives_same_truth():
    assert list(World(sites=3, seed=7).truth(8800)) == list(World(sites=3, seed=7).truth(8800))


def test_other_seed_gives_other_sites():
    assert [s.host for s in World(sites=5, seed=1).sites] != [s.host for s in World(sites=5, seed=2).sites]


def test_seed_zero_starts_with_qiyang():
    site = World(sites=1).sites[0]
    assert site.host == "www.qiyang.gov.cn.test"
    assert site.region.county == "祁阳市" and site.region.city == "永州市"
    assert site.family == "trs"


def test_truth_urls_carry_the_port():
    record = next(World(sites=1).truth(8123))
    assert record["url"].startswith("http://www.qiyang.gov.cn.test:8123/")


def test_truth_records_are_complete():
    for record in World(sites=3).truth(8800):
        assert record["title"] and record["text"] and record["agency"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["published"])
        assert record["written"] <= record["published"]
        assert record["status"] in ("active", "changed", "withdrawn")
        assert record["region"]["code"] and len(record["region"]["code"]) == 6
        assert record["doc_type"] and record["themes"]
        if record["doc_number"]:
            assert re.fullmatch(r".+〔\d{4}〕\d+号", record["doc_number"])


def test_year_in_title_wins_over_publish_date():
    seen = 0
    for record in World(sites=5).truth(8800):
        match = re.search(r"(\d{4})年", record["title"])
        if match:
            assert record["year"] == int(match.group(1))
            seen += 1
        else:
            assert record["year"] == int(record["published"][:4])
    assert seen


def test_plans_outline_and_signature_are_in_text():
    record = next(r for r in World(sites=2).truth(8800) if r["doc_type"] == "方案")
    lines = record["text"].split("\n")
    assert any(re.match(r"^[一二三四五]、", line) for line in lines)
    assert any(line.startswith("（一）") for line in lines)
    assert lines[-2] == record["agency"]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", lines[-1])


def shingles(text, k=8):
    return {text[i:i + k] for i in range(len(text) - k)}


def test_lineage_members_are_near_copies_across_counties():
    members = defaultdict(list)
    for record in World(sites=10).truth(8800):
        if record["lineage"]:
            members[record["lineage"]].append(record)
    shared = [group for group in members.values() if len({r["site"] for r in group}) >= 2]
    assert shared
    for group in shared:
        a, b = next((a, b) for a in group for b in group if a["site"] != b["site"])
        sa, sb = shingles(a["text"]), shingles(b["text"])
        assert a["text"] != b["text"]
        assert len(sa & sb) / len(sa | sb) > 0.3


def test_unrelated_documents_are_not_near_copies():
    records = [r for r in World(sites=2).truth(8800) if not r["lineage"]]
    a = records[0]
    b = next(r for r in records if r["themes"] != a["themes"] and r["doc_type"] == a["doc_type"])
    sa, sb = shingles(a["text"]), shingles(b["text"])
    assert len(sa & sb) / len(sa | sb) < 0.3


def test_thousand_sites_build_without_generating_documents():
    world_module._documents.cache_clear()
    big = World(sites=1000)
    assert len(big.sites) == 1000
    assert len({s.host for s in big.sites}) == 1000
    assert world_module._documents.cache_info().currsize == 0
    assert big.documents(big.sites[999])


def test_registry_entries_have_exactly_the_agreed_keys():
    world = World(sites=3)
    entries = yaml.safe_load(world.registry_yaml(8800))
    assert entries == world.registry(8800)
    for entry, site in zip(entries, world.sites):
        assert set(entry) == {"id", "name", "region", "family", "base_url", "columns", "farm"}
        assert entry["base_url"] == f"http://{site.host}:8800"
        assert isinstance(entry["region"], str) and len(entry["region"]) == 6
        assert entry["farm"] is True and entry["columns"]


def test_cli_sites_and_truth():
    runner = CliRunner()
    result = runner.invoke(farm_cli, ["sites", "--sites", "2", "--port", "9000"])
    assert result.exit_code == 0
    assert [e["id"] for e in yaml.safe_load(result.output)] == [s.id for s in World(sites=2).sites]
    result = runner.invoke(farm_cli, ["truth", "--sites", "2", "--port", "9000"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    # `farm truth` defaults match `farm serve`: attachments on, faults low
    assert records == list(World(sites=2, attachments=True, faults="low").truth(9000))
    result = runner.invoke(farm_cli, ["truth", "--sites", "2", "--port", "9000", "--no-attachments", "--faults", "off"])
    assert [json.loads(line) for line in result.output.splitlines()] == list(World(sites=2).truth(9000))
