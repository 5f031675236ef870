"""Scoring what crawl runs called new, changed and withdrawn against the farm's truth, day by day
(bench/changes.py runs the days; tests/watch/test_changes.py a small form)."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

KINDS = ("new", "changed", "withdrawn")


def expected_events(truth: Iterable[dict], day: int) -> set[tuple[str, str]]:
    """{(kind, url)} the farm's day brought (day 0: every document is new)."""
    out = set()
    for doc in truth:
        if doc.get("defence"):
            continue
        if doc["added_day"] == day:
            out.add(("new", doc["url"]))
        if day and doc["changed_day"] == day:
            out.add(("changed", doc["url"]))
        if day and doc["withdrawn_day"] == day:
            out.add(("withdrawn", doc["url"]))
    return out


def score(expected: set[tuple], reported: set[tuple]) -> dict[str, dict[str, int]]:
    """kind -> {truth, reported, missed, false} over (day, kind, url) triples."""
    table = {}
    for kind in KINDS:
        want = {e for e in expected if e[1] == kind}
        got = {e for e in reported if e[1] == kind}
        table[kind] = {"truth": len(want), "reported": len(got), "missed": len(want - got), "false": len(got - want)}
    return table


def version_mismatches(truth: Iterable[dict], versions: dict[str, int]) -> list[tuple[str, int, int]]:
    """(url, truth version, archive versions) where the archive's version count is not the truth's."""
    return [(doc["url"], doc["version"], versions[doc["url"]]) for doc in truth
            if doc["url"] in versions and versions[doc["url"]] != doc["version"]]


def markdown(table: dict[str, dict[str, int]]) -> str:
    lines = ["| event | truth | reported | missed | false |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {v['truth']} | {v['reported']} | {v['missed']} | {v['false']} |" for k, v in table.items()]
    return "\n".join(lines)


def count_kinds(events: Iterable[tuple]) -> Counter:
    return Counter(e[1] for e in events)
