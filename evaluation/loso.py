"""Leave-one-site-out scoring: figures for portals the extractor was not fitted on.

Every figure on gold.jsonl is measured site by site: the extraction's tunable thresholds
(TUNABLES, e.g. how link-dense a block must be to count as navigation) are fitted on the
other sites' pages, then the held-out site is scored with what was fitted, and the held-out
scores are summed over sites. The full-gold benchmarks (immortal, magic) are split in two by
file name: the thresholds are fitted on one half and the other, held-back half is scored.

    python -m evaluation.loso [REALDATA] [--gold FILE --root DIR]   (bench/extraction.py --loso prints it too)
"""
from __future__ import annotations

import contextlib
import importlib
import itertools
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .extraction import FIELDS, GoldPage, Scores, bigram_f1, load_bench, load_gold_file

# module attribute -> the values tried; an attribute the code does not have is left out, so
# the same evaluator measures an older checkout (the "before" figures) as it is.
TUNABLES: dict[str, tuple] = {
    "archive.extract.navigation.NAV_LINK_SHARE": (0.5, 0.7, 0.9),
    "archive.extract.body.NAV_BODY_SHARE": (0.2, 0.3, 0.5),
    "archive.extract.anchor.LEAD_MIN": (20, 30, 40),
    "archive.extract.readable.ARTICLE_SPREAD": (1.5, 2.0, 3.0),
}
REPORTED = ("body_recall", "chrome_leak", "title", "published", "agency", "doc_number", "index_number")


def site_of(page: GoldPage) -> str:
    """The page's site: its label's "site", else its URL's host less www., else its folder."""
    if page.label.get("site"):
        return page.label["site"]
    host = urlsplit(page.url).hostname if page.url else None
    if host:
        return host.removeprefix("www.")
    parts = Path(page.label["file"]).parts
    return "/".join(parts[:-1][-2:]) or parts[0]


def settings() -> list[dict[str, object]]:
    """Every combination of the tunables this checkout has (one empty setting when none)."""
    present = {name: values for name, values in TUNABLES.items() if _has(name)}
    names = list(present)
    return [dict(zip(names, combo)) for combo in itertools.product(*present.values())] or [{}]


def _has(name: str) -> bool:
    module, attr = name.rsplit(".", 1)
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False


@contextlib.contextmanager
def applied(setting: dict[str, object]):
    saved = {}
    for name, value in setting.items():
        module, attr = name.rsplit(".", 1)
        mod = importlib.import_module(module)
        saved[name] = (mod, attr, getattr(mod, attr))
        setattr(mod, attr, value)
    try:
        yield
    finally:
        for mod, attr, value in saved.values():
            setattr(mod, attr, value)


def run_ours(page: GoldPage) -> tuple[dict, str]:
    from archive.extract import RawPage, extract_document

    doc = extract_document(RawPage(page.url, page.body)).to_dict()
    return doc, doc["text"]


def _outputs(pages: list[GoldPage], every: list[dict], run: Callable) -> list[list[tuple[dict, str]]]:
    """outputs[s][p]: page p extracted under setting s."""
    outputs = []
    for setting in every:
        with applied(setting):
            outputs.append([run(page) for page in pages])
    return outputs


def _scores(pages: Iterable[GoldPage], results: Iterable[tuple[dict, str]]) -> Scores:
    scores = Scores()
    for page, (fields, text) in zip(pages, results):
        scores.add(page.label, fields, text)
    return scores


def _objective(scores: Scores) -> float:
    fields = [scores.accuracy(name) for name in FIELDS if scores.labelled[name]]
    return scores.body_recall - 2 * scores.chrome_leak + (statistics.mean(fields) if fields else 0.0)


def figures(scores: Scores) -> dict[str, float | None]:
    out: dict[str, float | None] = {"body_recall": round(scores.body_recall, 3),
                                    "chrome_leak": round(scores.chrome_leak, 3)}
    for name in REPORTED[2:]:
        out[name] = round(scores.accuracy(name), 3) if scores.labelled[name] else None
    return out


def leave_one_site_out(pages: list[GoldPage], run: Callable = run_ours) -> dict:
    """{"figures": held-out scores summed over sites, "sites": n, "chosen": site -> setting}."""
    every = settings()
    outputs = _outputs(pages, every, run)
    by_site: dict[str, list[int]] = defaultdict(list)
    for n, page in enumerate(pages):
        by_site[site_of(page)].append(n)
    held = Scores()
    chosen = {}
    for site, members in sorted(by_site.items()):
        others = [n for n in range(len(pages)) if n not in set(members)]
        best = max(range(len(every)), key=lambda s: (_objective(_scores(
            [pages[n] for n in others], [outputs[s][n] for n in others])), -s))
        chosen[site] = every[best]
        for n in members:
            held.add(pages[n].label, *outputs[best][n])
    result = figures(held)
    result["pages"] = len(pages)
    return {"figures": result, "sites": len(by_site), "chosen": chosen, "misses": held.misses}


def held_back_bigram(sets: dict[str, list[GoldPage]], run: Callable = run_ours) -> dict[str, dict]:
    """set -> {fitted on, held-back pages, held-back mean char-bigram F1 with the fitted setting}."""
    every = settings()
    report = {}
    for name, pages in sets.items():
        pages = sorted(pages, key=lambda p: p.label["file"])
        fit, held = pages[0::2], pages[1::2]
        f1 = [[bigram_f1(text or "", page.label["text"]) for page, (_, text) in zip(pages, out)]
              for out in _outputs(pages, every, run)]
        best = max(range(len(every)), key=lambda s: (statistics.mean(f1[s][0::2]), -s))
        report[name] = {"fit_pages": len(fit), "held_pages": len(held),
                        "held_bigram_f1": round(statistics.mean(f1[best][1::2]), 3),
                        "setting": every[best]}
    return report


def report(realdata: Path, gold: Path | None = None, root: Path | None = None) -> dict:
    realdata = Path(realdata)
    pages = list(load_gold_file(gold or realdata / "gold.jsonl", root or realdata))
    out = {"loso": leave_one_site_out(pages)}
    if gold is None:
        out["bigram"] = held_back_bigram(load_bench(realdata / "bench"))
    return out


def table(result: dict) -> str:
    loso = result["loso"]
    figures_ = loso["figures"]
    lines = [f"leave-one-site-out over {loso['sites']} sites, {figures_['pages']} pages"]
    lines += [f"  {name:14} {_cell(figures_.get(name))}" for name in REPORTED]
    for name, item in result.get("bigram", {}).items():
        lines.append(f"  {name + ' bigram F1':14} {_cell(item['held_bigram_f1'])}  "
                     f"(held-back half: {item['held_pages']} pages, fitted on {item['fit_pages']})")
    return "\n".join(lines)


def _cell(value) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("realdata", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "realdata")
    parser.add_argument("--gold", type=Path, help="another gold.jsonl (its files relative to --root)")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--misses", action="store_true", help="also list what the held-out sites missed")
    args = parser.parse_args()
    result = report(args.realdata, args.gold, args.root or (args.gold.parent if args.gold else None))
    print(table(result))
    if args.misses:
        for miss in result["loso"]["misses"]:
            print("  ", *miss)
