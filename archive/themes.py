"""Themes from a YAML taxonomy (themes.yaml: theme -> keywords), for facets and feeds."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY = Path(__file__).with_name("themes.yaml")
# A keyword in the title is enough; in the text it must recur, and be among the page's main
# themes, or a passing mention in a long plan would count.
MIN_TEXT_HITS = 3
SHARE_OF_TOP = 0.3


@lru_cache(maxsize=None)
def load_taxonomy(path: Path = TAXONOMY) -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(theme): tuple(str(k) for k in (keywords or ())) for theme, keywords in data.items()}


def themes_for(title: str | None, text: str | None, taxonomy: dict | None = None) -> tuple[str, ...]:
    """Themes in taxonomy order: a keyword in the title, or keyword hits that recur in the text."""
    title, text = title or "", text or ""
    taxonomy = taxonomy or load_taxonomy()
    present = set(text)
    hits = {theme: sum([text.count(k) for k, letters in lettered if letters <= present])
            for theme, lettered in _with_letters(taxonomy).items()}
    top = max(hits.values(), default=0)
    return tuple(theme for theme, keywords in taxonomy.items()
                 if any(k in title for k in keywords)
                 or (hits[theme] >= MIN_TEXT_HITS and hits[theme] >= SHARE_OF_TOP * top))


def _with_letters(taxonomy: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """Each theme's keywords with their characters: a keyword with a character the text lacks is not
    counted (most keywords are in no given page, and a count reads the whole text)."""
    if taxonomy is load_taxonomy():
        return _default_letters()
    return {theme: tuple((k, frozenset(k)) for k in keywords) for theme, keywords in taxonomy.items()}


@lru_cache(maxsize=None)
def _default_letters() -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    return {theme: tuple((k, frozenset(k)) for k in keywords) for theme, keywords in load_taxonomy().items()}
