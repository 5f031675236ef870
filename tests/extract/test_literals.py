"""A pattern searched only where one of the plain strings its every match holds occurs: it finds
what the pattern alone finds."""
import json
import re

import pytest

from archive.extract import decode
from archive.extract.body import _CHROME_WORDS
from archive.extract.dom import parse, render_lines
from archive.extract.literals import Prefiltered, required_strings
from tests.conftest import REALDATA


def test_required_strings_are_the_words_and_the_plain_runs_of_words_with_optional_parts():
    assert required_strings(re.compile(r"扫一扫|【?\s*打印|索\s*引\s*号|(?:发布|成文)日期\s*[:：]")) == \
        ("打印", "扫一扫", "日期", "索")
    assert required_strings(re.compile(r"(?:发布|成文)\s*\d")) == ("发布", "成文")


def test_no_required_strings_when_an_alternative_has_no_plain_character():
    assert required_strings(re.compile(r"打印|\d{4}")) is None
    assert required_strings(re.compile(r"share|print", re.I)) is None
    assert Prefiltered(re.compile(r"打印|\d{4}")).search("2024") is not None


@pytest.mark.parametrize("text", ["", "分享", "【 打印】", "索 引 号：001", "信息索引号001", "发文机关 ：县政府",
                                  "为进一步做好政务公开工作", "关于印发《相关链接》的通知", "索取号", "发布机构"])
def test_prefiltered_search_finds_what_the_pattern_finds(text):
    assert bool(_CHROME_WORDS.search(text)) == bool(_CHROME_WORDS.pattern.search(text))


def test_prefiltered_search_finds_what_the_pattern_finds_on_every_real_page_line():
    gold = REALDATA / "gold.jsonl"
    if not gold.exists():
        pytest.skip(f"real pages not found at {REALDATA}")
    for line in gold.read_text(encoding="utf-8").splitlines():
        page = decode((REALDATA / json.loads(line)["file"]).read_bytes(), {})[0]
        for text in render_lines(parse(page)):
            assert bool(_CHROME_WORDS.search(text)) == bool(_CHROME_WORDS.pattern.search(text)), text
