"""Scoring extraction against labelled real pages (gold.jsonl): the figures the tests gate on.

The floors live in floors.json beside a SHA-256 of the corpus they were measured on
(`corpus_digest`); `checked_floors` refuses a corpus that hashes otherwise, so a changed
../shared/realdata shows as such instead of as a pass or a fail that means nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

FIELDS = ("title", "published", "written", "agency", "doc_number", "index_number")


def norm(s: object) -> str:
    """The gold comparison form: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s)))


@dataclass(frozen=True)
class GoldPage:
    path: Path
    url: str
    label: dict

    @property
    def body(self) -> bytes:
        return self.path.read_bytes()


def load_gold(realdata: Path) -> Iterator[GoldPage]:
    return load_gold_file(realdata / "gold.jsonl", realdata)


def load_gold_file(gold: Path, root: Path) -> Iterator[GoldPage]:
    """Labels of gold (JSON lines), each page's file relative to root."""
    for line in Path(gold).read_text(encoding="utf-8").splitlines():
        if line.strip():
            label = json.loads(line)
            yield GoldPage(Path(root) / label["file"], label.get("url") or "", label)


@dataclass
class Scores:
    """Field accuracy over pages whose gold value is set; false positives where it is null."""
    right: Counter = field(default_factory=Counter)
    labelled: Counter = field(default_factory=Counter)
    false_positive: Counter = field(default_factory=Counter)
    unlabelled: Counter = field(default_factory=Counter)
    found_with: int = 0
    total_with: int = 0
    found_without: int = 0
    total_without: int = 0
    misses: list = field(default_factory=list)

    def add(self, label: dict, fields: dict, text: str) -> None:
        for name in FIELDS:
            gold, got = label.get(name), fields.get(name)
            if gold is None:
                self.unlabelled[name] += 1
                self.false_positive[name] += got not in (None, "")
                continue
            self.labelled[name] += 1
            if got is not None and norm(got) == norm(gold):
                self.right[name] += 1
            else:
                self.misses.append((label["file"], name, gold, got))
        body = norm(text)
        for snippet in label.get("body_with", []):
            self.total_with += 1
            if norm(snippet) in body:
                self.found_with += 1
            else:
                self.misses.append((label["file"], "body_with", snippet, None))
        for snippet in label.get("body_without", []):
            self.total_without += 1
            if norm(snippet) in body:
                self.found_without += 1
                self.misses.append((label["file"], "body_without", snippet, "leaked"))

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.labelled[name] if self.labelled[name] else 0.0

    @property
    def body_recall(self) -> float:
        return self.found_with / self.total_with if self.total_with else 0.0

    @property
    def chrome_leak(self) -> float:
        return self.found_without / self.total_without if self.total_without else 0.0


def score(pages: list[GoldPage], run: Callable[[GoldPage], tuple[dict, str]]) -> Scores:
    """run(page) -> (fields as strings/None, body text)."""
    scores = Scores()
    for page in pages:
        fields, text = run(page)
        scores.add(page.label, fields, text)
    return scores


def bigram_f1(got: str, gold: str) -> float:
    """Char-bigram F1: bags of adjacent character pairs, whitespace removed."""
    a, b = _bigrams(got), _bigrams(gold)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def _bigrams(s: str) -> Counter:
    s = norm(s)
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


# the floors and the corpus they were measured on -------------------------------------------
FLOORS = Path(__file__).with_name("floors.json")
# beside gold.jsonl and the pages it labels: the full-text and 政策 benchmarks the gate reads
BENCH_FILES = ("bench/immortal/original/*.html", "bench/immortal/cleaned/*.txt", "bench/magic/base.json",
               "bench/magic/htmls/*.html", "bench/govcn-zhengce/records.sql")


class CorpusChanged(Exception):
    """The real pages are not the ones the floors were measured on."""


def corpus_files(realdata: Path) -> list[str]:
    """The files the floors are measured on, relative to realdata: gold.jsonl, the pages it labels
    and the benchmarks of BENCH_FILES."""
    realdata = Path(realdata)
    names = set()
    if (realdata / "gold.jsonl").exists():
        names |= {"gold.jsonl", *(page.label["file"] for page in load_gold(realdata))}
    for pattern in BENCH_FILES:
        names |= {path.relative_to(realdata).as_posix() for path in realdata.glob(pattern)}
    return sorted(names)


def corpus_digest(realdata: Path) -> tuple[str, int]:
    """(SHA-256 over every corpus file's name and bytes, how many files); a labelled page that is
    missing counts as a file, hashed as missing."""
    digest = hashlib.sha256()
    names = corpus_files(realdata)
    for name in names:
        path = Path(realdata) / name
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        digest.update(f"{name}\t{content}\n".encode("utf-8"))
    return digest.hexdigest(), len(names)


def load_floors(path: Path = FLOORS) -> dict:
    """floors.json: {"corpus_sha256", "files", "floors": {...}}."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def checked_floors(realdata: Path, path: Path = FLOORS) -> dict:
    """The floors, if realdata is the corpus they were measured on; else CorpusChanged saying what to do."""
    pinned = load_floors(path)
    digest, files = corpus_digest(realdata)
    if digest != pinned["corpus_sha256"]:
        raise CorpusChanged(
            f"{realdata} is not the corpus the floors in {path} were measured on: its {files} files "
            f"hash to {digest}, the floors' {pinned['files']} files to {pinned['corpus_sha256']}. Measure again "
            f"(govplans eval-extract, python bench/extraction.py), set the floors a little under the new figures "
            f"and pin the new hash (python -m evaluation.extraction {realdata}).")
    return pinned["floors"]


# side by side: ours, trafilatura defaults, readability-lxml (when installed) ----------------
def run_ours(page: GoldPage) -> tuple[dict, str]:
    from archive.extract import RawPage, extract_document

    doc = extract_document(RawPage(page.url, page.body)).to_dict()
    return doc, doc["text"]


def run_trafilatura(page: GoldPage) -> tuple[dict, str]:
    """trafilatura defaults, given the text we decoded (it mis-decodes UTF-16 pages on its own)."""
    import trafilatura

    from archive.extract import decode

    html, _ = decode(page.body, {})
    text = trafilatura.extract(html, url=page.url or None) or ""
    meta = trafilatura.extract_metadata(html, default_url=page.url or None)
    return {"title": meta.title if meta else None, "published": meta.date if meta else None}, text


def run_readability(page: GoldPage) -> tuple[dict, str]:
    """readability-lxml's summary as text and its short title (it finds no other field)."""
    from lxml import html as lxml_html
    from readability import Document

    from archive.extract import decode
    from archive.extract.dom import render_lines

    text, _ = decode(page.body, {})
    document = Document(text)
    summary = lxml_html.fromstring(document.summary(html_partial=True) or "<div></div>")
    return {"title": document.short_title() or None}, "\n".join(render_lines(summary))


def extractors() -> dict[str, Callable[[GoldPage], tuple[dict, str]]]:
    """The extractors to compare: ours, trafilatura's default and readability-lxml (a dependency)."""
    return {"ours": run_ours, "trafilatura": run_trafilatura, "readability": run_readability}


def compare(pages: list[GoldPage]) -> dict[str, dict]:
    """extractor -> {body_recall, chrome_leak, field accuracies, false positives}; a failing
    extractor on one page counts as empty there."""
    report = {}
    for name, runner in extractors().items():
        def safe(page, runner=runner):
            try:
                return runner(page)
            except Exception:
                return {}, ""
        scores = score(pages, safe)
        report[name] = {"pages": len(pages), "body_recall": round(scores.body_recall, 4),
                        "chrome_leak": round(scores.chrome_leak, 4),
                        **{name_: round(scores.accuracy(name_), 4) for name_ in FIELDS},
                        "false_positives": dict(scores.false_positive)}
    return report


# full-text benchmarks: pages with their whole gold text, scored by char-bigram F1 -----------
def load_bench(bench: Path) -> dict[str, list[GoldPage]]:
    """Set name -> pages whose label["text"] is the gold main text: immortal/ (original/<id>.html,
    cleaned/<id>.txt) and magic/ (htmls/<sha>.html, base.json sha -> {url, content})."""
    sets: dict[str, list[GoldPage]] = {}
    immortal = Path(bench) / "immortal"
    for html in sorted((immortal / "original").glob("*.html")):
        gold = immortal / "cleaned" / f"{html.stem}.txt"
        if gold.exists():
            text = gold.read_text(encoding="utf-8", errors="replace")
            sets.setdefault("immortal", []).append(GoldPage(html, "", {"file": html.name, "text": text}))
    magic = Path(bench) / "magic"
    if (magic / "base.json").exists():
        for sha, item in json.loads((magic / "base.json").read_text(encoding="utf-8")).items():
            html = magic / "htmls" / f"{sha}.html"
            if html.exists():
                sets.setdefault("magic", []).append(
                    GoldPage(html, item.get("url") or "", {"file": html.name, "text": item.get("content") or ""}))
    return sets


def compare_bigram(sets: dict[str, list[GoldPage]]) -> dict[str, dict]:
    """extractor -> {<set>_bigram_f1: mean over the set's pages, <set>_pages}; a failing
    extractor on one page scores 0 there."""
    report: dict[str, dict] = {}
    for name, runner in extractors().items():
        report[name] = {}
        for set_name, pages in sets.items():
            f1s = []
            for page in pages:
                try:
                    text = runner(page)[1]
                except Exception:
                    text = ""
                f1s.append(bigram_f1(text or "", page.label["text"]))
            report[name][f"{set_name}_bigram_f1"] = round(sum(f1s) / len(f1s), 4) if f1s else None
            report[name][f"{set_name}_pages"] = len(pages)
    return report


def comparison_table(report: dict[str, dict]) -> str:
    names = list(report)
    metrics = ["body_recall", "chrome_leak", *FIELDS]
    metrics += [k for k in report[names[0]] if k.endswith("_bigram_f1")] if names else []
    lines = [f"{'metric':20}" + "".join(f"{n:>13}" for n in names), "-" * (20 + 13 * len(names))]
    for metric in metrics:
        lines.append(f"{metric:20}" + "".join(_cell(report[n].get(metric)) for n in names))
    if names:
        lines.append(f"{'pages':20}" + "".join(f"{report[n]['pages']:>13}" for n in names))
        for key in (k for k in report[names[0]] if k.endswith("_bigram_f1")):
            pages = key.replace("_bigram_f1", "_pages")
            lines.append(f"{pages:20}" + "".join(f"{report[n][pages]:>13}" for n in names))
    return "\n".join(lines)


def _cell(value) -> str:
    return f"{'-':>13}" if value is None else f"{value:>13.3f}"


if __name__ == "__main__":   # python -m evaluation.extraction REALDATA: the hash to pin in floors.json
    import sys

    sha256, count = corpus_digest(Path(sys.argv[1]))
    print(json.dumps({"corpus_sha256": sha256, "files": count}))
