"""Hit sets of search() equal brute-force substring matching over the same generated documents.

The brute force here is written independently of archive/index/terms.py: normalise (NFKC,
lower case), cut into units (a Latin/digit run, one other letter, or a run of punctuation),
and a word matches when its units occur consecutively in the title's or the text's units.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

import pytest

from archive.index import SearchFilters, close_searchers, rebuild, search
from evaluation.corpus import generate

N_DOCS = 3000
_UNITS = re.compile(r"[a-z0-9]+|[^\W_]|[\W_]+")


def units(text: str) -> str:
    parts = ["\x01" if not p[0].isalnum() or p[0] == "_" else p
             for p in _UNITS.findall(unicodedata.normalize("NFKC", text).lower())]
    return "\x00" + "\x00".join(parts) + "\x00"


def word_units(word: str) -> str:
    inner = units(word).strip("\x00").strip("\x01").strip("\x00")
    return "\x00" + inner + "\x00"


class Doc:
    def __init__(self, doc):
        self.doc, self.title, self.text = doc, units(doc.title), units(doc.text)

    def has(self, word):
        w = word_units(word)
        return w in self.title or w in self.text

    def in_title(self, word):
        return word_units(word) in self.title


def _extra_docs(start):
    base = generate(1, seed=1)[0]
    texts = [("PDFs 与 ＰＤＦ 附件", "下载ＰＤＦ版本，或 pdfs 合集；A级景区；5G基站"),
             ("宣传 月", "宣传，月度工作；宣传月。"),
             ("中华人民共和国政府信息公开条例全文", "依据《中华人民共和国政府信息公开条例》第十条。"),
             ("空", ""),
             ("12345热线 2024年", "热线12345；2024 年；2024年度"),
             # repeated characters: a bigram that overlaps itself
             ("哈哈哈哈", "哈哈，哈。哈哈哈"),
             ("哈", "嘿哈哈嘿"),
             # a word at the very start and the very end of a text; a text of one character
             ("月度通报", "月度宣传工作小结宣传"),
             ("月", "月"),
             ("传", "。传。宣传。"),
             # other letters than Chinese and Latin are characters too
             ("Привет café", "привет мир, café crème"),
             # words that cross punctuation; Latin next to Chinese
             ("A级景区名单", "a级景区：宣传—月度；5g基站、4g基站"),
             # a word only in the title
             ("只在标题里的独有词", "正文没有它"),
             # a character where a phrase has a separator: not the phrase
             ("公开和宣传", "信息公开中宣传；开展12345热线和宣传"),
             ("abc def", "abc def；信息公开 宣传")]
    return [replace(base, doc_id=start + i, title=t, text=x) for i, (t, x) in enumerate(texts)]


@pytest.fixture(scope="module")
def corpus(new_index):
    """The generated documents in an index of each backend (tests/index/conftest.py)."""
    docs = generate(N_DOCS, seed=7)
    docs += _extra_docs(N_DOCS + 1)
    index_dir = new_index()
    assert rebuild(index_dir, docs) == len(docs)
    yield index_dir, [Doc(d) for d in docs]
    close_searchers()


def year_in(lo, hi):
    return lambda d: d.doc.year is not None and lo <= d.doc.year <= hi


# (query, filters, brute-force predicate)
SINGLE = ["宣传月", "宣传", "月", "公开", "政务公开", "主题日活动", "日活动", "中华人民共和国政府信息公开条例",
          "信息公开条例", "传月", "月宣", "务公开宣", "12345热线", "热线", "pdf", "PDF", "pdfs", "ＰＤＦ",
          "a级", "5g", "2024年", "年", "开放日", "活动月", "月度工作", "县", "宣传周", "公开宣传传",
          "一个月", "政务新媒体", "q3", "登记表.docx", "为期一个月。", "条例》第十条", "不存在的词", "景区",
          "宣传，月", "2024",
          # added with the bigram-only index: one character is "a bigram starting with it or it
          # alone at the end of a run"; repeated, boundary and non-Chinese characters
          "哈", "哈哈", "哈哈哈", "哈哈哈哈", "哈哈哈哈哈", "嘿哈", "哈嘿", "传", "月度", "度通", "报", "宣传。",
          "привет", "ив", "и", "é", "café", "cafe", "crème", "级景", "a级景区", "级", "基站", "g基",
          "5g基站", "—月", "月度；5g", "独有词", "有", "宣传—月度", "宣传-月度", "区：宣"]
QUERIES = [(w, None, (lambda w: lambda d: d.has(w))(w)) for w in SINGLE] + [
    ('"公开 宣传"', None, lambda d: d.has("公开 宣传")),
    ('"信息公开，宣传"', None, lambda d: d.has("信息公开 宣传")),
    ('"12345热线 宣传"', None, lambda d: d.has("12345热线 宣传")),
    ("“主题日活动”", None, lambda d: d.has("主题日活动")),
    ("政务公开 宣传月", None, lambda d: d.has("政务公开") and d.has("宣传月")),
    ("主题日 开放日 2024年", None, lambda d: d.has("主题日") and d.has("开放日") and d.has("2024年")),
    ("月 pdf", None, lambda d: d.has("月") and d.has("pdf")),
    ("宣传月 OR 主题日", None, lambda d: d.has("宣传月") or d.has("主题日")),
    ("宣传周 OR 开放日 OR 12345热线", None, lambda d: d.has("宣传周") or d.has("开放日") or d.has("12345热线")),
    ("营商环境 宣传周 OR 开放日", None, lambda d: d.has("营商环境") and (d.has("宣传周") or d.has("开放日"))),
    ("宣传月 -主题日", None, lambda d: d.has("宣传月") and not d.has("主题日")),
    ("-宣传", None, lambda d: not d.has("宣传")),
    ("公开 -pdf -热线", None, lambda d: d.has("公开") and not d.has("pdf") and not d.has("热线")),
    ("title:实施方案", None, lambda d: d.in_title("实施方案")),
    ("title:宣传月 公开", None, lambda d: d.in_title("宣传月") and d.has("公开")),
    ("title:方案 OR title:通知", None, lambda d: d.in_title("方案") or d.in_title("通知")),
    ("宣传 -title:宣传", None, lambda d: d.has("宣传") and not d.in_title("宣传")),
    ('title:"宣传 月"', None, lambda d: d.in_title("宣传 月")),
    ("宣传月 year:2024", None, lambda d: d.has("宣传月") and d.doc.year == 2024),
    ("公开 year:2020-2022", None, lambda d: d.has("公开") and year_in(2020, 2022)(d)),
    ("宣传 region:431100", None, lambda d: d.has("宣传") and (d.doc.region_code or "")[:4] == "4311"),
    ("宣传 region:430000", None, lambda d: d.has("宣传") and (d.doc.region_code or "")[:2] == "43"),
    ("主题日 region:431121", None, lambda d: d.has("主题日") and d.doc.region_code == "431121"),
    ("主题日 theme:宣传月", None, lambda d: d.has("主题日") and "宣传月" in d.doc.themes),
    ("type:方案 宣传", None, lambda d: d.doc.doc_type == "方案" and d.has("宣传")),
    ("status:withdrawn 月", None, lambda d: d.doc.status == "withdrawn" and d.has("月")),
    ("宣传月", SearchFilters(region="420000", year_from=2018, year_to=2021),
     lambda d: d.has("宣传月") and d.doc.region_code[:2] == "42" and year_in(2018, 2021)(d)),
    ("政务公开", SearchFilters(theme="主题日", doc_type="通知"),
     lambda d: d.has("政务公开") and "主题日" in d.doc.themes and d.doc.doc_type == "通知"),
    ("", SearchFilters(region="431100", status="changed"),
     lambda d: (d.doc.region_code or "")[:4] == "4311" and d.doc.status == "changed"),
    ("", SearchFilters(year=2016), lambda d: d.doc.year == 2016),
    ("开放日", SearchFilters(site="site2", agency="祁阳市司法局"),
     lambda d: d.has("开放日") and d.doc.site == "site2" and d.doc.agency == "祁阳市司法局"),
    ("", None, lambda d: True),
    ("title:哈哈哈", None, lambda d: d.in_title("哈哈哈")),
    ("title:月", None, lambda d: d.in_title("月")),
    ("title:独有词 OR 哈哈", None, lambda d: d.in_title("独有词") or d.has("哈哈")),
    ("哈 -哈哈", None, lambda d: d.has("哈") and not d.has("哈哈")),
    ("月 -title:月", None, lambda d: d.has("月") and not d.in_title("月")),
    ('"哈，哈"', None, lambda d: d.has("哈 哈")),
    ('"宣传 月"', None, lambda d: d.has("宣传 月")),
    ('"信息公开 宣传"', None, lambda d: d.has("信息公开 宣传")),
    ('"公开 和"', None, lambda d: d.has("公开 和")),
    ("传 月 度", None, lambda d: d.has("传") and d.has("月") and d.has("度")),
    ("区 OR и", None, lambda d: d.has("区") or d.has("и")),
    ("哈哈", SearchFilters(year=2024), lambda d: d.has("哈哈") and d.doc.year == 2024),
]


def all_ids(index_dir, q, filters):
    first = search(index_dir, q, filters or SearchFilters(), page_size=200)
    assert first.error is None, (q, first.error)
    ids = {h.doc_id for h in first.hits}
    pages = (first.total + 199) // 200
    for page in range(2, pages + 1):
        ids |= {h.doc_id for h in search(index_dir, q, filters or SearchFilters(), page=page,
                                            page_size=200, facets=False).hits}
    assert len(ids) == first.total
    return ids


def test_there_are_enough_oracle_queries():
    assert len(QUERIES) >= 50


@pytest.mark.parametrize("q,filters,expected", QUERIES, ids=[f"{i:02d}:{q}" for i, (q, _, _) in enumerate(QUERIES)])
def test_hits_equal_brute_force_substring_matching(corpus, q, filters, expected):
    index_dir, docs = corpus
    want = {d.doc.doc_id for d in docs if expected(d)}
    got = all_ids(index_dir, q, filters)
    assert got == want, (q, sorted(got - want)[:5], sorted(want - got)[:5])


def test_word_jieba_would_split_is_not_an_and_of_its_pieces(corpus):
    """The issue: 宣传月 became 宣传 AND 月; here it matches only where written."""
    index_dir, docs = corpus
    loose = {d.doc.doc_id for d in docs if d.has("宣传") and d.has("月")}
    exact = all_ids(index_dir, "宣传月", None)
    assert exact < loose
