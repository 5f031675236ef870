"""A long alternation of words searched only where one of its words can be.

Python's re tries every alternative at every position: a pattern of a hundred CJK words with
optional parts costs ~0.4 µs a character, most of a millisecond on a block of text that holds none
of them. Every match of such a pattern holds one of a few plain strings (a word, or the longest
plain run of a word with optional parts). An alternation of those plain strings alone is searched
in C from a set of first characters, some twenty times faster: only text that holds one of them
is searched with the pattern itself.
"""
from __future__ import annotations

import re

try:
    from re import _constants as sre, _parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse


class Prefiltered:
    """pattern.search, answered None at once when the text holds none of the strings every match holds."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        needles = required_strings(pattern)
        # a text holding a needle holds every needle inside it: the shortest ones are enough
        needles = needles and [n for n in needles if not any(other != n and other in n for other in needles)]
        self.needles = re.compile("|".join(map(re.escape, needles))) if needles else None

    def search(self, text: str):
        if self.needles is not None and not self.needles.search(text):
            return None
        return self.pattern.search(text)


def required_strings(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings of which every match of pattern holds at least one, or None when that cannot be
    told (case-insensitive patterns, an alternative with no plain character it must match)."""
    if pattern.flags & re.IGNORECASE:
        return None
    found = _needles(sre_parse.parse(pattern.pattern, pattern.flags))
    return tuple(sorted(found)) if found else None


def _needles(items) -> frozenset[str] | None:
    """For a parsed sequence: its longest run of literal characters, else the strings of a group
    it must match; None when there is neither."""
    longest, run = "", ""
    groups = []
    for op, av in items:
        if op == sre.LITERAL:
            run += chr(av)
            longest = max(longest, run, key=len)
            continue
        run = ""
        inner = None
        if op == sre.BRANCH:
            alternatives = [_needles(branch) for branch in av[1]]
            if all(alternatives):
                inner = frozenset().union(*alternatives)
        elif op == sre.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None
            inner = _needles(av[3])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            inner = _needles(av[2])
        if inner:
            groups.append(inner)
    if longest:
        return frozenset((longest,))
    return min(groups, key=len) if groups else None
