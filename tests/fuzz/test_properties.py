"""Property-based tests of the parsers that read scraped or typed input (hypothesis).

Two kinds: the fuzz targets (fuzz/targets.py) on arbitrary bytes — never raise, never hang
(a per-input alarm), bounded memory (tracemalloc peak per input) — and round trips on
generated well-formed input: a 文号 or a date written the way portals write it parses back to
what was written, a query built from the grammar parses to its words, a canonical URL stays put.
About 25 s in all; `python -m fuzz` is the longer, coverage-guided run.
"""
from __future__ import annotations

import time
from datetime import date

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402

from fuzz import targets  # noqa: E402
from fuzz.limits import Hang, bounded  # noqa: E402
from fuzz.seeds import seeds  # noqa: E402
from archive.store.index_feed import iter_index_docs

FUZZ = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Imports and caches first, untimed: loading scipy for the first query is no hang."""
    for name, target in targets.TARGETS.items():
        target(seeds()[name][0])


def _with_seeds(name: str):
    def decorate(test):
        for seed in seeds()[name]:
            test = example(seed)(test)
        return test
    return decorate


# -- the fuzz targets on arbitrary bytes ---------------------------------------------------------

@fuzz(100)
@_with_seeds("decoding")
@given(st.binary(max_size=4096))
def test_decoding_never_raises_and_returns_a_codec_name(data):
    with bounded(data):
        targets.decoding(data)


@fuzz(20)
@_with_seeds("extraction")
@given(st.binary(max_size=8192))
def test_extraction_of_any_bytes_returns_a_document(data):
    with bounded(data):
        targets.extraction(data)


@fuzz(300)
@_with_seeds("docnumber")
@given(st.binary(max_size=512))
def test_doc_number_parser_on_any_text(data):
    with bounded(data):
        targets.docnumber(data)


@fuzz(300)
@_with_seeds("dates")
@given(st.binary(max_size=512))
def test_date_parser_on_any_text(data):
    with bounded(data):
        targets.dates(data)


@fuzz(200)
@_with_seeds("query")
@given(st.binary(max_size=700))
def test_query_parsers_refuse_politely_or_parse(data):
    with bounded(data):
        targets.query(data)


@fuzz(200)
@_with_seeds("urls")
@given(st.binary(max_size=300))
def test_url_handling_never_raises_and_canonical_url_is_idempotent(data):
    with bounded(data):
        targets.urls(data)


# -- structured input: text that looks like what portals print --------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
NOISE = st.lists(st.sampled_from(list("，。：、 \u3000\n（）《》的") + ["关于", "根据", "印发"]), max_size=4).map("".join)
PAGE_PARTS = st.sampled_from([
    "<p>", "</p>", "<div class='TRS_Editor'>", "</div>", "<table><tr><td>", "</td></tr></table>", "<h1>", "</h1>",
    "<title>", "</title>", "<meta name='PubDate' content='2024-05-24'>", "<meta charset='gbk'>", "发布日期：",
    "文号：", "成文日期：", "发布机构：", "索引号：", "祁政办发〔2024〕5号", "2024年5月24日", "二〇二四年五月二十日",
    "一、总体要求", "（一）", "附件：", "<a href='a.pdf'>附件1.pdf</a>", "<a href='http://[::1/x.doc'>附件</a>",
    "<script>alert(1)</script>", "<!--", "-->", "<![CDATA[", "]]>", "&#", "&amp;", "<br>", "\ufeff", "\x00",
])


@fuzz(60)
@given(st.lists(st.one_of(PAGE_PARTS, st.text(max_size=20)), max_size=80),
       st.sampled_from(["utf-8", "gb18030", "big5hkscs", "utf-16-le"]), st.integers(0, 255))
def test_extraction_of_generated_pages(parts, encoding, header):
    body = "<html><body>" + "".join(parts) + "</body></html>"
    data = bytes([header, 0]) + body.encode(encoding, "replace")
    with bounded(body):
        targets.extraction(data)


BRACKETS = [("〔", "〕"), ("[", "]"), ("［", "］"), ("(", ")"), ("（", "）"), ("【", "】")]


@fuzz(200)
@given(st.text(CJK, min_size=1, max_size=6), st.integers(1950, 2099), st.integers(1, 99999),
       st.sampled_from(BRACKETS), NOISE, st.sampled_from(["", " ", "第"]))
def test_doc_number_as_printed_parses_back(issuer, year, number, brackets, before, ordinal):
    from archive.extract.docnumber import parse_doc_number

    opening, closing = brackets
    found = parse_doc_number(f"{before}{issuer}{opening}{year}{closing}{ordinal}{number}号")
    assert found is not None and found.year == year and found.number == number
    assert found.issuer is None or issuer.endswith(found.issuer) or found.issuer.endswith(issuer[-1])


_CN = "〇一二三四五六七八九"


def _cn_year(year: int) -> str:
    return "".join(_CN[int(d)] for d in str(year))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN[tens]) + "十" if tens else "") + (_CN[ones] if ones or not tens else "")


@fuzz(300)
@given(st.dates(date(1949, 1, 1), date(2099, 12, 31)), st.sampled_from(["{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}",
       "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d} 10:08", "发布时间：{y}年{m:02d}月{d:02d}日", "cn"]), NOISE)
def test_a_date_as_printed_parses_back(when, form, before):
    from archive.extract.dates import parse_date

    if form == "cn":
        written = f"{_cn_year(when.year)}年{_cn_small(when.month)}月{_cn_small(when.day)}日"
    else:
        written = form.format(y=when.year, m=when.month, d=when.day)
    assert parse_date(before + written) == when, written


WORDS = st.text(CJK, min_size=1, max_size=5)


@fuzz(200)
@given(st.lists(WORDS, min_size=1, max_size=6), st.lists(WORDS, max_size=3), st.one_of(st.none(), st.integers(2000, 2030)))
def test_a_query_built_from_the_grammar_parses_to_its_words(words, excluded, year):
    from archive.index.syntax import parse_query

    text = " ".join(words + [f"-{w}" for w in excluded] + ([f"year:{year}"] if year else []))
    parsed = parse_query(text)
    assert [w.text for w in parsed.words] == words
    assert [w.text for w in parsed.excluded] == excluded
    assert parsed.filters == ((("year", str(year)),) if year else ())


HOSTS = st.sampled_from(["www.qiyang.gov.cn", "xxgk.hunan.gov.cn", "127.0.0.1:8800", "h"])
SEGMENT = st.text(st.sampled_from(list("abcxyz019_-.%~") + ["政", "务"]), min_size=1, max_size=8)


@fuzz(300)
@given(st.sampled_from(["http", "https"]), HOSTS, st.lists(SEGMENT, max_size=4),
       st.lists(st.tuples(st.sampled_from(["i", "s", "page", "sid", "JSESSIONID", "id"]), SEGMENT), max_size=4),
       st.sampled_from(["", ";jsessionid=0A9F", ";SID=1"]), st.sampled_from(["", "#top", "#"]))
def test_canonical_url_drops_sessions_and_keeps_the_rest(scheme, host, path, params, session, fragment):
    from crawler.urls import SESSION_PARAMS, canonical_url

    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}/{'/'.join(path)}{session}" + (f"?{query}" if query else "") + fragment
    out = canonical_url(url)
    assert canonical_url(out) == out
    assert "jsessionid" not in out.lower() and ";sid=" not in out.lower() and "#" not in out
    kept = [f"{k}={v}" for k, v in params if k.lower() not in SESSION_PARAMS]
    assert out == f"{scheme}://{host}/{'/'.join(path)}" + (f"?{'&'.join(kept)}" if kept else "")


@fuzz(150)
@given(st.text(max_size=300))
def test_index_search_takes_any_text(hostile_index, text):
    """The search box, straight to the index: results or a message, never an exception."""
    from archive import index

    with bounded(text):
        results = index.search(hostile_index, text, page_size=5)
    assert results.error is None or isinstance(results.error, str)


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """Three documents, one with markup in it, indexed."""
    from archive import index
    from archive.config import DataDir
    from archive.extract.document import ExtractedDocument, Region
    from archive.store import Archive

    data = DataDir(tmp_path_factory.mktemp("fuzz-index")).ensure()
    archive = Archive(data.database_url)
    region = Region("湖南省", "永州市", "祁阳市", "431121")
    for n, title in enumerate(["祁阳市2024年政务公开日活动方案", "关于<script>alert(1)</script>的通知", "OR AND NOT \"引号"], 1):
        archive.ingest(ExtractedDocument(url=f"http://h.test/{n}.html", title=title, text=title * 3, region=region,
                                         year=2024, published=date(2024, 5, n), themes=("政务公开",)))
    index.rebuild(data.index_dir, iter_index_docs(archive))
    archive.close()
    yield data.index_dir
    index.close_searchers()


def test_the_time_limit_catches_a_hang():
    """The harness itself: an input that loops is reported, not waited for."""
    with pytest.raises(Hang):
        with bounded("loop", seconds=0.2):
            end = time.monotonic() + 5
            while time.monotonic() < end:
                pass


def test_the_memory_bound_catches_a_blow_up():
    from fuzz.limits import OverMemory

    with pytest.raises(OverMemory):
        with bounded("blow-up", peak_bytes=2**20):
            blob = [bytes(1024) for _ in range(4096)]
            del blob
