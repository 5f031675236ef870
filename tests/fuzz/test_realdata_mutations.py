"""Real saved pages (../shared/realdata), cut short and with bytes flipped: decoding and
extraction still return, within the per-input time and memory bounds. Skipped without realdata."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from fuzz import targets
from fuzz.limits import bounded

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
PAGES = sorted(REALDATA.rglob("*.html"))[::25] if REALDATA.is_dir() else []


def mutants(body: bytes, rng: random.Random) -> list[bytes]:
    flipped = bytearray(body)
    for _ in range(max(1, len(body) // 500)):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    cut = rng.randrange(1, len(body))
    return [body[:cut], bytes(flipped)]


@pytest.mark.skipif(not PAGES, reason=f"no real pages under {REALDATA}")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REALDATA)))
def test_a_damaged_real_page_still_extracts(page):
    rng = random.Random(page.name)
    body = page.read_bytes()
    for n, mutant in enumerate(mutants(body, rng)):
        with bounded(f"{page.name} mutant {n}"):
            targets.decoding(bytes([n]) + mutant)
            targets.extraction(bytes([n, 0]) + mutant)
