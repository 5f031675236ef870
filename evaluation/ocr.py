"""Scoring recognised text against the farm's truth: character-bigram F1.

Whitespace is dropped and NFKC applied first (full-width and half-width forms, line breaks and
tabs are not errors); what counts is which neighbouring character pairs were read, each as
often as the truth has it.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def bigrams(text: str) -> Counter:
    t = normalise(text)
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def bigram_f1(recognised: str, truth: str) -> float:
    got, want = bigrams(recognised), bigrams(truth)
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)
