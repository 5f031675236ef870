"""The farm's truth as a corpus of N documents: the data the benchmarks load, dedup and search.

lengths="real" (what bench/suite.py uses) gives the farm real body lengths and its attached files
(sitefarm/lengths.py): a few per cent of the documents are plans held in an attachment, 10k to 600k
characters; lengths="farm" is the template world (~570 characters a document, no files)."""
from __future__ import annotations

from archive import regions
from sitefarm.world import World


def sites_for(docs: int, seed: int = 0) -> int:
    """How many farm sites hold at least `docs` documents (World(sites=k) is a prefix of a larger world)."""
    total = 0
    for n, site in enumerate(World(sites=len(regions.all_counties()), seed=seed).sites, 1):
        total += site.base_docs
        if total >= docs:
            return n
    raise ValueError(f"the farm holds fewer than {docs} documents")


def farm_world(docs: int, seed: int = 0, lengths: str = "farm") -> World:
    if lengths == "farm":
        return World(sites=sites_for(docs, seed), seed=seed)
    return World(sites=sites_for(docs, seed), seed=seed, lengths=lengths, attachments=True)


def truth_records(docs: int, seed: int = 0, lengths: str = "farm") -> tuple[list[dict], list[dict]]:
    """(registry, the first `docs` truth records) of the smallest farm holding that many."""
    world = farm_world(docs, seed, lengths)
    records = []
    for record in world.truth(port=8800):
        records.append(record)
        if len(records) == docs:
            break
    return world.registry(8800), records
