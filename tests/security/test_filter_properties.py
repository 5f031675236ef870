"""The two places scraped text is not plainly escaped, for any input (hypothesis): `marks` lets
through nothing but bare <mark> tags, `safe_href` nothing a browser would read as other than http(s)."""
from __future__ import annotations

import re

import lxml.html
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from search_ui.filters import marks, safe_href  # noqa: E402
from evaluation.hostile import HOSTILE_URLS, PAYLOADS, _scheme_of  # noqa: E402

MARKUP = st.lists(st.one_of(st.sampled_from(["<mark>", "</mark>", "<MARK >", "<mark class=x>", "</mark", "<", ">",
                                             "&lt;", "&amp;lt;", "&#60;", "\"", "'", *PAYLOADS]),
                            st.text(max_size=8)), max_size=30).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, database=None)


@SETTINGS
@given(MARKUP)
def test_marks_leaves_only_bare_mark_elements(fragment):
    out = str(marks(fragment))
    root = lxml.html.fragment_fromstring(f"<div>{out}</div>")
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        assert element.tag == "mark" and not element.attrib, (fragment, out)
    assert out.count("<mark>") == out.count("</mark>")


URL_PARTS = st.lists(st.one_of(st.sampled_from(["http:", "https:", "javascript:", "JaVaScRiPt:", "data:", "//", "\t",
                                                "\n", "\x00", "\x01", " ", "\u3000", "java", "script:", "alert(1)",
                                                *HOSTILE_URLS]), st.text(max_size=6)), max_size=8).map("".join)


@SETTINGS
@given(URL_PARTS)
def test_safe_href_only_returns_what_a_browser_reads_as_http(url):
    link = safe_href(url)
    if link is not None:
        assert re.match(r"^https?:", _scheme_of(link), re.I), (url, link)
