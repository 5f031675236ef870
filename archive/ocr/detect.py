"""Is a text layer real text, and does a file need recognition? Pure and cheap enough for the crawl.

A PDF whose fonts lost their ToUnicode map gives pypdf one of three kinds of rubbish:
private-use code points (PUA), Latin-1 mojibake (the font's byte codes read as characters),
or glyph soup: real CJK characters in an order no Chinese text has (a shuffled map). The first
two are counted directly; the soup is told by how few neighbouring pairs of CJK characters occur
inside a word of jieba's dictionary (0.61 or more on 54 real government pages of
../shared/realdata, 0.16-0.26 in the farm's shuffled-map PDFs).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "tif", "tiff", "bmp", "gif", "webp")
IMAGE_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"II*\x00", "tif"),
               (b"MM\x00*", "tif"), (b"BM", "bmp"), (b"GIF8", "gif"), (b"RIFF", "webp"))

MIN_JUDGED = 20             # fewer meaningful characters than this: too little to call it rubbish
MAX_PUA = 0.05
MAX_REPLACEMENT = 0.05
MAX_MOJIBAKE = 0.2          # Latin-1 supplement letters among the letters
MIN_COMMON = 0.85           # CJK characters among the dictionary's common ones
MIN_KNOWN_PAIRS = 0.4       # neighbouring CJK pairs inside a dictionary word: real pages 0.61-0.9, soup <= 0.26
SAMPLE = 4000               # characters looked at: enough to judge, bounded cost

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAIR_BITS = 1 << 24


@dataclass(frozen=True)
class Quality:
    chars: int                 # non-blank characters looked at
    cjk: int
    pua: float
    replacement: float
    mojibake: float
    common: float              # share of CJK characters that are common (1.0 with no CJK)
    known_pairs: float         # share of CJK pairs inside a dictionary word (1.0 with < 10 pairs)

    @property
    def garbled(self) -> str | None:
        """Why this is not text, or None."""
        if self.chars < MIN_JUDGED:
            return None
        if self.pua > MAX_PUA:
            return "private-use characters"
        if self.replacement > MAX_REPLACEMENT:
            return "undecodable characters"
        if self.mojibake > MAX_MOJIBAKE:
            return "mojibake"
        if self.cjk >= MIN_JUDGED and self.common < MIN_COMMON:
            return "rare characters"
        if self.cjk >= MIN_JUDGED and self.known_pairs < MIN_KNOWN_PAIRS:
            return "glyph soup"
        return None


def quality(text: str) -> Quality:
    sample = "".join((text or "")[:SAMPLE * 2].split())[:SAMPLE]
    n = len(sample) or 1
    pua = sum(1 for ch in sample if 0xE000 <= ord(ch) <= 0xF8FF or ord(ch) >= 0xF0000)
    replacement = sample.count("\ufffd")
    letters = [ch for ch in sample if ch.isalpha()]
    latin1 = sum(1 for ch in letters if 0xC0 <= ord(ch) <= 0xFF)
    runs = _CJK.findall(sample)
    cjk = len(runs)
    common_set, pairs = _dictionary()
    common = sum(1 for ch in runs if ch in common_set) / cjk if cjk else 1.0
    total = known = 0
    for a, b in zip(sample, sample[1:]):
        if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff":
            total += 1
            known += _has_pair(pairs, a, b)
    return Quality(chars=len(sample), cjk=cjk, pua=pua / n, replacement=replacement / n,
                   mojibake=latin1 / len(letters) if letters else 0.0, common=common,
                   known_pairs=known / total if total >= 10 else 1.0)


def garbled(text: str) -> str | None:
    """Why the text is not text (PUA, mojibake, glyph soup …), or None when it reads as text."""
    return quality(text).garbled


def image_kind(body: bytes) -> str | None:
    """jpg, png, tif, bmp, gif or webp when the bytes are that image, else None."""
    head = bytes(body[:16])
    for magic, kind in IMAGE_MAGIC:
        if head.startswith(magic) and (kind != "webp" or head[8:12] == b"WEBP"):
            return kind
    return None


def needs_ocr(body: bytes, ext: str | None, text: str, errors: tuple[str, ...] | list[str] = ()) -> str | None:
    """Why a fetched file's text must come from recognition, or None: an image, a PDF with no text
    layer (on some or all pages), a text layer that is not text. `text`/`errors` are what
    archive.extract.attachment_text read from it."""
    if image_kind(body):
        return "image"
    if (ext or "").lower() in IMAGE_EXTENSIONS and not text.strip():
        return "image"
    if not bytes(body[:1024]).count(b"%PDF-"):
        return None
    if any("no text layer" in e for e in errors):
        return "pdf: no text layer"
    why = garbled(text)
    if why:
        return f"pdf: {why}"
    return None


def _has_pair(bits: bytearray, a: str, b: str) -> int:
    h = _pair_hash(a, b)
    return (bits[h >> 3] >> (h & 7)) & 1


def _pair_hash(a: str, b: str) -> int:
    return ((ord(a) * 2654435761) ^ (ord(b) * 40503)) % _PAIR_BITS


@lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset, bytearray]:
    """Common characters (the most frequent ones of jieba's dictionary, 99.5% of its weight) and a
    bit set of the CJK pairs inside its words (2 MB; a false hit now and then does not matter).
    Built once per machine (a few seconds) and kept in the user's cache directory."""
    from importlib.util import find_spec

    path = os.path.join(os.path.dirname(find_spec("jieba").origin), "dict.txt")   # without importing jieba
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govplans" / \
        f"cjk-pairs-{os.path.getsize(path)}-{int(os.path.getmtime(path))}.bin"
    try:
        data = cache.read_bytes()
        if len(data) > _PAIR_BITS // 8:
            return frozenset(data[_PAIR_BITS // 8:].decode("utf-8")), bytearray(data[:_PAIR_BITS // 8])
    except OSError:
        pass
    common, bits = _build(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(bytes(bits) + "".join(sorted(common)).encode("utf-8"))
        os.replace(partial, cache)
    except OSError:       # a read-only home: build again next time
        pass
    return common, bits


def _build(path: str) -> tuple[frozenset, bytearray]:
    weight: dict[str, int] = {}
    bits = bytearray(_PAIR_BITS // 8)
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word, freq, _ = line.split(" ", 2)
            freq = int(freq)
            for ch in word:
                weight[ch] = weight.get(ch, 0) + freq
            if freq >= 3:
                for a, b in zip(word, word[1:]):
                    h = _pair_hash(a, b)
                    bits[h >> 3] |= 1 << (h & 7)
    ranked = sorted(weight.items(), key=lambda kv: -kv[1])
    total, running, common = sum(weight.values()), 0, set()
    for ch, w in ranked:
        if running > total * 0.995:
            break
        common.add(ch)
        running += w
    return frozenset(common), bits
