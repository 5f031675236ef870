"""Dedup against ground truth: the site farm plants template lineages (copies of one model plan)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from archive.extract.document import ExtractedDocument, Region


@dataclass(frozen=True)
class PairScore:
    precision: float   # of document pairs sharing a cluster, the share that share a lineage
    recall: float      # of document pairs sharing a lineage, the share that share a cluster
    true_pairs: int
    found_pairs: int
    wrong_pairs: int


def farm_truth(sites: int, seed: int = 0, port: int = 8800) -> tuple[list[dict], list[dict]]:
    """(registry entries, truth records) of a simulated world; sitefarm is imported only here."""
    from sitefarm.world import World

    world = World(sites=sites, seed=seed)
    return world.registry(port), list(world.truth(port=port))


def to_extracted(record: dict) -> ExtractedDocument:
    """A truth record as extraction would have produced it (no crawl needed)."""
    region = record["region"]
    return ExtractedDocument(
        url=record["url"], title=record["title"], published=date.fromisoformat(record["published"]),
        agency=record["agency"], region=Region(region["province"], region["city"], region["county"], region["code"]),
        year=record["year"], doc_type=record["doc_type"], themes=tuple(record["themes"]), text=record["text"])


def pair_score(cluster_of: dict[str, int | None], lineage_of: dict[str, str | None]) -> PairScore:
    """Pairwise precision/recall of clusters (by URL) against lineages (None: in no lineage)."""
    truth = _pairs(lineage_of)
    found = _pairs(cluster_of)
    right = len(truth & found)
    return PairScore(precision=right / len(found) if found else 1.0, recall=right / len(truth) if truth else 1.0,
                     true_pairs=len(truth), found_pairs=len(found), wrong_pairs=len(found - truth))


def _pairs(group_of: dict[str, object]) -> set[tuple[str, str]]:
    groups: dict[object, list[str]] = defaultdict(list)
    for url, group in group_of.items():
        if group is not None:
            groups[group].append(url)
    return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}
