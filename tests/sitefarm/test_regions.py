"""The 行政区划 table: codes, renames, names and names inside text."""
import pytest

from archive import regions
from archive.extract.document import Region


def test_county_code_fills_province_city_and_county():
    assert regions.lookup("430923") == Region("湖南省", "益阳市", "安化县", "430923")


def test_retired_code_resolves_to_the_renamed_unit():
    qiyang = regions.lookup("431181")
    assert qiyang.county == "祁阳市"
    assert regions.lookup("431121") == qiyang


def test_city_and_province_codes_leave_lower_levels_empty():
    assert regions.lookup("431100") == Region("湖南省", "永州市", None, "431100")
    assert regions.lookup("430000") == Region("湖南省", None, None, "430000")


def test_unknown_code_is_none():
    assert regions.lookup("999999") is None
    assert regions.lookup("") is None


@pytest.mark.parametrize("code, county", [
    ("350128", "平潭县"), ("210421", "抚顺县"), ("360922", "万载县"),
    ("370724", "临朐县"), ("230422", "绥滨县"),
])
def test_named_counties_are_in_the_table(code, county):
    assert regions.lookup(code).county == county


def test_table_is_complete_at_county_level():
    counties = regions.all_counties()
    assert len(counties) > 2800
    assert all(c.county and c.province and len(c.code) == 6 for c in counties)
    provinces = {c.province for c in counties}
    assert len(provinces) == 31


def test_directly_administered_county_level_city_has_no_city():
    assert regions.lookup("429004") == Region("湖北省", None, "仙桃市", "429004")
    assert regions.parent_codes("429004") == ("420000", None)


def test_parent_codes():
    assert regions.parent_codes("431181") == ("430000", "431100")
    assert regions.parent_codes("431100") == ("430000", "431100")
    assert regions.parent_codes("430000") == ("430000", None)
    assert regions.parent_codes("000000") == (None, None)


@pytest.mark.parametrize("name", ["祁阳市", "祁阳县", "祁阳"])
def test_match_name_accepts_full_old_and_short_names(name):
    assert regions.match_name(name).code == "431181"


@pytest.mark.parametrize("name", ["朝阳", "鼓楼区", "抚顺", "吉林", "不存在的地方"])
def test_match_name_refuses_ambiguous_or_unknown_names(name):
    assert regions.match_name(name) is None


def test_match_name_strips_ethnic_autonomy_suffix_for_short_name():
    assert regions.match_name("乐东").county == "乐东黎族自治县"


def test_municipality_short_name_is_the_province():
    assert regions.match_name("北京") == Region("北京市", None, None, "110000")


@pytest.mark.parametrize("text, code", [
    ("祁阳市人民政府办公室", "431181"),
    ("主办：平潭综合实验区管委会", "350128"),
    ("湖南省永州市祁阳市", "431181"),
    ("永州市人民政府关于印发通知", "431100"),
    ("福州市鼓楼区人民政府", "350102"),
])
def test_find_in_text_picks_most_specific_unit(text, code):
    assert regions.find_in_text(text).code == code


def test_find_in_text_falls_back_when_county_name_is_ambiguous():
    assert regions.find_in_text("鼓楼区人民政府") is None
    assert regions.find_in_text("江苏省鼓楼区").province == "江苏省"


def test_find_in_text_without_names_is_none():
    assert regions.find_in_text("关于做好安全生产工作的通知") is None


def test_pinyin_gives_ascii_slug():
    assert regions.pinyin("431181") == "qiyang"
    assert all(regions.pinyin(c.code).isascii() for c in regions.all_counties()[:200])
