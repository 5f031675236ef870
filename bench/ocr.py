"""OCR on the farm's scans: character-bigram F1 per noise kind against the truth, pages per minute
with N worker processes (as `govplans ocr` runs them), and the workers' peak memory.

One file of each (noise, format) the farm serves (World(scans=True)), read by a pool of spawned
workers (archive.operations.ocr.recognise_bytes). Prints a JSON line and a table.

    python -m bench.ocr [--sites 6] [--workers 2] [--per-kind 1]
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from archive.operations.ocr import recognise_bytes
from evaluation.ocr import bigram_f1
from sitefarm import attachments
from sitefarm.world import World


def samples(sites: int, per_kind: int) -> list[tuple[str, str, bytes, str]]:
    """(noise kind, format, bytes, truth text) of the farm's scans, per_kind of each kind."""
    world = World(sites=sites, scans=True)
    taken: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for site in world.sites:
        for doc in world.documents(site):
            for f in world.attachments(doc):
                if not f.noise:
                    continue
                kind = "image_body" if f.role == "body" else f.noise
                if taken[(kind, f.ext)] >= per_kind:
                    continue
                taken[(kind, f.ext)] += 1
                out.append((kind, f.ext, attachments.render(world, doc, f), attachments.scan_text(world, doc, f)))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-kind", type=int, default=1)
    args = parser.parse_args(argv)
    files = samples(args.sites, args.per_kind)
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(recognise_bytes, [files[0][2]] * args.workers, [1] * args.workers, [60] * args.workers))
        started = time.monotonic()     # models loaded in every worker: the steady state is timed
        results = list(pool.map(recognise_bytes, [f[2] for f in files], [100] * len(files), [600] * len(files)))
        seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    by_kind: dict[str, list[float]] = defaultdict(list)
    for (kind, ext, _, truth), result in zip(files, results):
        by_kind[kind].append(bigram_f1(result["text"], truth))
    pages = sum(r["recognised_pages"] for r in results)
    figures = {"files": len(files), "pages": pages, "workers": args.workers, "seconds": round(seconds, 1),
               "pages_per_minute": round(60 * pages / seconds, 2), "worker_peak_mb": round(peak_mb),
               "f1": {k: round(min(v), 4) for k, v in sorted(by_kind.items())},
               "f1_mean": round(sum(sum(v) for v in by_kind.values()) / sum(len(v) for v in by_kind.values()), 4),
               "engine": results[0]["engine"] if results else None}
    print(json.dumps(figures, ensure_ascii=False))
    print(f"{'noise kind':<12} {'files':>5} {'min F1':>7}")
    for kind, values in sorted(by_kind.items()):
        print(f"{kind:<12} {len(values):>5} {min(values):>7.4f}")
    print(f"{pages} pages in {seconds:.1f} s on {args.workers} workers: {figures['pages_per_minute']} pages/min; "
          f"worker peak {figures['worker_peak_mb']} MB")


if __name__ == "__main__":
    main()
