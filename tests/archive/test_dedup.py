"""Dedup: exact and near copies share a cluster; canonical copy; template families; incremental = rebuild."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from archive.dedup.text import jaccard, sentences
from archive.extract.document import ExtractedDocument, Region
from archive.models import Cluster, Document, LshBucket
from archive.store import Archive
from archive.store.clusters import refresh_cluster
from archive.read import templates
from archive.read.documents import get_document
from evaluation.dedup import farm_truth, pair_score, to_extracted

MODEL = [
    "为深入贯彻落实上级有关文件精神，推进政务公开，结合我县实际，制定本方案。",
    "一、总体要求",
    "坚持以人民为中心的发展思想，围绕增进群众对政府工作的理解和支持，统筹推进政务公开日活动各项工作。",
    "二、主要任务",
    "（一）开放部分办公场所供群众参观。由xx镇负责，明确时间节点和责任人，确保按期完成。",
    "（二）举办面对面恳谈会。由各相关部门负责，建立工作台账逐项销号，切实增强群众获得感。",
    "（三）展示重点项目建设成果。由牵头单位负责，结合实际制定具体措施，做到有计划、有检查、有总结。",
    "三、工作要求",
    "（一）加强组织领导。各单位要高度重视，主要负责人亲自抓，明确专人负责，确保各项工作落到实处。",
    "（二）注重宣传引导。要充分利用政府网站、政务新媒体和基层公开栏，及时发布工作动态，营造良好氛围。",
    "XX县人民政府办公室",
    "2024年5月1日",
]
OTHER = "本办法适用于全县范围内的政府采购活动。采购人应当依法编制采购预算，严格执行采购计划，不得化整为零规避公开招标。" * 2

SITES = [
    {"id": "qiyang", "name": "祁阳市人民政府", "region": "431121", "family": "trs", "base_url": "http://q.test"},
    {"id": "dongan", "name": "东安县人民政府", "region": "431122", "family": "trs", "base_url": "http://d.test"},
    {"id": "wenku", "name": "某文库", "region": None, "family": "aggregator", "base_url": "http://w.test"},
]
REGIONS = {"qiyang": Region("湖南省", "永州市", "祁阳市", "431121"),
           "dongan": Region("湖南省", "永州市", "东安县", "431122"), "wenku": Region()}


def _copy(county: str, town: str, published: date, edits: dict[int, str] | None = None) -> str:
    lines = [line.replace("xx镇", town).replace("XX县", county).replace("我县", "我市" if county.endswith("市") else "我县")
             .replace("2024年5月1日", f"{published.year}年{published.month}月{published.day}日") for line in MODEL]
    for n, line in (edits or {}).items():
        lines[n] = line
    return "\n".join(lines)


def _doc(site: str, n: int, text: str, published: date, doc_type: str = "方案") -> ExtractedDocument:
    return ExtractedDocument(url=f"http://{site}.test/{n}.html", title=f"政务公开日活动方案{n}", published=published,
                             region=REGIONS[site], doc_type=doc_type, text=text)


@pytest.fixture
def sites(archive):
    for entry in SITES:
        archive.upsert_site(entry)
    return archive


def _cluster(archive: Archive, url: str) -> int:
    with archive.session() as s:
        return s.scalar(select(Document.cluster_id).where(Document.url == url))


def test_every_document_gets_a_cluster_and_unrelated_ones_differ(sites):
    a = sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)), site_id="qiyang")
    b = sites.ingest(_doc("dongan", 2, OTHER, date(2024, 6, 1), "办法"), site_id="dongan")
    first, second = get_document(sites, a.document_id), get_document(sites, b.document_id)
    assert first.cluster_id is not None and second.cluster_id is not None
    assert first.cluster_id != second.cluster_id
    assert templates.cluster(sites, first.cluster_id).canonical_document_id == first.id


def test_a_documents_bands_are_stored_in_band_order(sites):
    """Each band's key under its number (PostgreSQL writes them by one statement, SQLite row by row)."""
    from archive.dedup import minhash
    from archive.dedup.keys import DEFAULT, document_keys
    from archive.extract.composed import dedup_text

    stored = sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)),
                          site_id="qiyang")
    row = get_document(sites, stored.document_id)
    keys = document_keys(dedup_text(row.text), row.region_code, row.county, row.city, DEFAULT.min_chars)
    expected = list(enumerate(minhash.band_keys(minhash.signature(keys), DEFAULT.lsh_threshold)))
    with sites.reading() as s:
        assert s.execute(select(LshBucket.band, LshBucket.key).where(LshBucket.document_id == row.id)
                         .order_by(LshBucket.band)).all() == expected


def test_county_adaptation_joins_the_model_cluster(sites):
    a = sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)), site_id="qiyang")
    b = sites.ingest(_doc("dongan", 2, _copy("东安县", "芦洪市镇", date(2024, 7, 9)), date(2024, 7, 9)),
                     site_id="dongan")
    assert get_document(sites, a.document_id).cluster_id == get_document(sites, b.document_id).cluster_id
    cluster = templates.cluster(sites, get_document(sites, a.document_id).cluster_id)
    assert (cluster.size, cluster.canonical_document_id) == (2, a.document_id)


def test_a_copy_of_another_type_stays_apart_and_an_untyped_copy_joins(sites):
    """Candidates are checked by their stored keys first and their type after: the type still decides."""
    model = sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)),
                         site_id="qiyang").document_id
    notice = sites.ingest(_doc("dongan", 2, _copy("东安县", "芦洪市镇", date(2024, 7, 9)), date(2024, 7, 9), "通知"),
                          site_id="dongan").document_id
    assert _cluster(sites, "http://dongan.test/2.html") != _cluster(sites, "http://qiyang.test/1.html")
    plan = sites.ingest(_doc("dongan", 3, _copy("东安县", "井头圩镇", date(2024, 8, 1)), date(2024, 8, 1)),
                        site_id="dongan").document_id
    assert get_document(sites, plan).cluster_id == get_document(sites, model).cluster_id
    assert templates.cluster(sites, get_document(sites, notice).cluster_id).size == 1
    # an untyped copy is compared with every type: it joins both, and so merges them
    untyped = sites.ingest(_doc("qiyang", 4, _copy("祁阳市", "黎家坪镇", date(2024, 9, 1)), date(2024, 9, 1), None),
                           site_id="qiyang").document_id
    assert {get_document(sites, d).cluster_id for d in (model, notice, plan, untyped)} == \
        {get_document(sites, model).cluster_id}


def test_same_boilerplate_with_different_tasks_is_not_a_copy(sites):
    sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)), site_id="qiyang")
    rewritten = {4: "（一）发布年度民生实事进展。由各街道负责，结合实际制定具体措施，确保按期完成。",
                 5: "（二）开展政策解读进社区活动。由牵头单位负责，明确时间节点和责任人，做到有计划、有检查、有总结。",
                 6: "（三）组织政务服务体验活动。由各乡镇负责，建立工作台账逐项销号，切实增强群众获得感。",
                 2: "坚持以人民为中心的发展思想，围绕搭建政府与群众良性互动的平台，统筹推进政务公开日活动各项工作。"}
    sites.ingest(_doc("dongan", 2, _copy("东安县", "芦洪市镇", date(2024, 7, 9), rewritten), date(2024, 7, 9)),
                 site_id="dongan")
    assert _cluster(sites, "http://qiyang.test/1.html") != _cluster(sites, "http://dongan.test/2.html")


def test_an_aggregator_copy_is_never_canonical_even_when_earlier(sites):
    text = _copy("祁阳市", "白水镇", date(2024, 5, 1))
    copy = sites.ingest(_doc("wenku", 1, text, date(2024, 4, 1)), site_id="wenku")
    cluster = templates.cluster(sites, get_document(sites, copy.document_id).cluster_id)
    assert cluster.canonical_document_id is None  # no government copy yet
    original = sites.ingest(_doc("qiyang", 2, text, date(2024, 5, 1)), site_id="qiyang")
    cluster = templates.cluster(sites, get_document(sites, original.document_id).cluster_id)
    assert cluster.size == 2
    assert cluster.canonical_document_id == original.document_id
    family = templates.template_family(sites, cluster.id)
    assert [a.document_id for a in family] == [original.document_id]
    assert len(templates.template_family(sites, cluster.id, include_aggregators=True)) == 2


def test_a_later_document_bridging_two_clusters_merges_them(sites):
    model = _copy("祁阳市", "白水镇", date(2024, 5, 1))
    lines = model.split("\n")
    left = "\n".join(lines[:4] + ["（一）开放部分办公场所供群众参观。由白水镇负责，另行安排。",
                                   "（二）举办面对面恳谈会。由各相关部门负责，另行安排。"] + lines[6:])
    right = "\n".join(lines[:8] + ["（一）加强组织领导。各单位另行安排。", "（二）注重宣传引导。各单位另行安排。"] + lines[10:])
    threshold = sites.dedup_settings.match_threshold
    assert jaccard(sentences(left, ["祁阳市"]), sentences(right, ["祁阳市"])) < threshold  # too far apart alone
    assert jaccard(sentences(left, ["祁阳市"]), sentences(model, ["祁阳市"])) >= threshold
    sites.ingest(_doc("qiyang", 1, left, date(2024, 5, 1)), site_id="qiyang")
    sites.ingest(_doc("qiyang", 2, right, date(2024, 5, 2)), site_id="qiyang")
    assert _cluster(sites, "http://qiyang.test/1.html") != _cluster(sites, "http://qiyang.test/2.html")
    sites.ingest(_doc("qiyang", 3, model, date(2024, 5, 3)), site_id="qiyang")
    merged = {_cluster(sites, f"http://qiyang.test/{n}.html") for n in (1, 2, 3)}
    assert len(merged) == 1
    cluster = templates.cluster(sites, merged.pop())
    assert cluster.size == 3
    assert get_document(sites, cluster.canonical_document_id).url == "http://qiyang.test/1.html"


def test_changed_document_leaves_a_cluster_it_no_longer_resembles(sites):
    text = _copy("祁阳市", "白水镇", date(2024, 5, 1))
    sites.ingest(_doc("qiyang", 1, text, date(2024, 5, 1)), site_id="qiyang")
    sites.ingest(_doc("dongan", 2, _copy("东安县", "芦洪市镇", date(2024, 6, 1)), date(2024, 6, 1)), site_id="dongan")
    assert _cluster(sites, "http://qiyang.test/1.html") == _cluster(sites, "http://dongan.test/2.html")
    before = _cluster(sites, "http://dongan.test/2.html")
    sites.ingest(_doc("dongan", 2, OTHER, date(2024, 6, 1)), site_id="dongan")
    assert _cluster(sites, "http://qiyang.test/1.html") == before
    assert _cluster(sites, "http://dongan.test/2.html") != before
    assert templates.cluster(sites, before).size == 1


def test_copy_differences_names_filled_placeholders_and_rewritten_paragraphs(sites):
    model = sites.ingest(_doc("wenku", 1, "\n".join(MODEL), date(2024, 4, 1)), site_id="wenku")
    edited = _copy("东安县", "芦洪市镇", date(2024, 7, 9), {5: "（二）举办新闻发布会。由县政府新闻办负责。"})
    county = sites.ingest(_doc("dongan", 2, edited, date(2024, 7, 9)), site_id="dongan")
    diff = templates.copy_differences_of(sites, model.document_id, county.document_id)
    fills = {(f.a, f.b): f.kind for f in diff.fills}
    assert fills[("xx镇", "芦洪市镇")] == "placeholder"
    assert fills[("XX县", "东安县")] == "placeholder"
    assert [(op.op, op.a, op.b) for op in diff.changed] == [
        ("delete", MODEL[5], None), ("insert", None, "（二）举办新闻发布会。由县政府新闻办负责。")]
    assert 0 < diff.similarity < 1


def test_template_family_lists_adoptions_oldest_first(sites):
    late = sites.ingest(_doc("dongan", 2, _copy("东安县", "芦洪市镇", date(2024, 7, 9)), date(2024, 7, 9)),
                        site_id="dongan")
    early = sites.ingest(_doc("qiyang", 1, _copy("祁阳市", "白水镇", date(2024, 5, 1)), date(2024, 5, 1)),
                         site_id="qiyang")
    family = templates.template_family(sites, get_document(sites, late.document_id).cluster_id)
    assert [(a.document_id, a.county, a.site_id, a.published) for a in family] == [
        (early.document_id, "祁阳市", "qiyang", date(2024, 5, 1)), (late.document_id, "东安县", "dongan", date(2024, 7, 9))]
    assert [a.canonical for a in family] == [True, False]


def _farm_archive(url: str, sites: int) -> tuple[Archive, list[dict]]:
    archive = Archive(url)
    registry, records = farm_truth(sites)
    for entry in registry:
        archive.upsert_site(entry)
    for record in records:
        archive.ingest(to_extracted(record), site_id=record["site"], seen_at=datetime(2025, 6, 30))
    return archive, records


def _clusters_by_url(archive: Archive) -> dict[str, int]:
    with archive.session() as s:
        return dict(s.execute(select(Document.url, Document.cluster_id)).all())


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    archive, records = _farm_archive(f"sqlite:///{tmp_path_factory.mktemp('farm') / 'a.sqlite'}", sites=20)
    yield archive, records
    archive.close()


def test_farm_lineages_are_found_as_documents_arrive(farm):
    archive, records = farm
    score = pair_score(_clusters_by_url(archive), {r["url"]: r["lineage"] for r in records})
    assert score.true_pairs > 100
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def test_cluster_rows_kept_at_ingest_are_what_their_members_give(farm):
    """Ingest updates a cluster's size, first_seen and canonical copy from the clusters' rows, not by
    reading its members: on the farm's lineages they are what reading the members gives."""
    archive, _ = farm
    with archive.session() as s:
        kept = {c.id: (c.size, c.first_seen, c.canonical_document_id) for c in s.scalars(select(Cluster))}
        for cluster_id in kept:
            refresh_cluster(s, cluster_id, datetime(2025, 7, 1))
        counted = {c.id: (c.size, c.first_seen, c.canonical_document_id) for c in s.scalars(select(Cluster))}
    assert max(size for size, _, _ in kept.values()) > 5
    assert kept == counted


def test_rebuild_gives_the_same_clusters_as_incremental_assignment(farm):
    archive, _ = farm
    before = _clusters_by_url(archive)
    with archive.session() as s:
        buckets = s.scalar(select(LshBucket.document_id).limit(1))
    assert buckets is not None
    archive.rebuild_clusters()
    after = _clusters_by_url(archive)
    partition = lambda assignment: {frozenset(u for u, c in assignment.items() if c == cid)
                                    for cid in set(assignment.values())}
    assert partition(before) == partition(after)
