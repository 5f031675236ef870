"""The search box language parses into AND-of-OR words, exclusions and filters."""
import pytest

from archive.index.syntax import ParsedQuery, QuerySyntaxError, Word, parse_query


def test_or_binds_tighter_than_and():
    assert parse_query("政务公开 宣传月 OR 主题日 -征求意见") == ParsedQuery(
        required=((Word("政务公开"),), (Word("宣传月"), Word("主题日"))),
        excluded=(Word("征求意见"),))


def test_fields_filters_and_phrases():
    parsed = parse_query('title:"实施 方案" year:2020-2024 region:431121 theme:政务公开 type:方案')
    assert parsed.required == ((Word("实施 方案", title_only=True),),)
    assert parsed.filters == (("year", "2020-2024"), ("region", "431121"), ("theme", "政务公开"),
                              ("doc_type", "方案"))


def test_fullwidth_colon_and_chinese_quotes():
    assert parse_query("title：“宣传月”").required == ((Word("宣传月", title_only=True),),)


def test_bare_punctuation_is_ignored_and_unknown_fields_are_words():
    assert parse_query("宣传月 ， foo:bar").required == ((Word("宣传月"),), (Word("foo:bar"),))


def test_empty_query_is_empty():
    assert parse_query("  ").is_empty


@pytest.mark.parametrize("q", ['"宣传', "OR", "a OR", "title:", "year:24", "-", "，，，", "a\x07"])
def test_malformed(q):
    with pytest.raises(QuerySyntaxError):
        parse_query(q)
