"""The fuzzer without atheris: a time-boxed mutational loop over the seeds, in this process.

`python -m fuzz.loop TARGET SECONDS` prints one JSON line. Each input runs under a per-input
alarm (a hang) and tracemalloc (its peak allocation); a crash, a hang or an input that allocates
more than the memory bound is written to the artifact folder, like libFuzzer does.
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

from fuzz.limits import Hang, OverMemory, bounded
from fuzz.seeds import seeds
from fuzz.targets import TARGETS

INTERESTING = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"<", b">", b"\"", b"'", b"&#", b"<div>", b"</table>",
               b"<meta charset=", b"\xe3\x80\x94", b"\xe3\x80\x95", "年".encode(), "号".encode(), "〔2024〕".encode(),
               b"2024-05-24", b"OR", b"-", b"title:", b"year:", b"\"", b"http://[", b";jsessionid=", b"?sid=", b"%2e%2e/",
               b"\n", b"\r\n", b"\t", b"9" * 20, "〇".encode(), "十".encode()]


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        at = rng.randint(0, len(out))
        if op == 0 and out:                                     # flip a bit
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        elif op == 1:                                           # a random byte
            out[at:at] = bytes([rng.randrange(256)])
        elif op == 2 and out:                                   # delete a run
            del out[at:at + rng.randint(1, 16)]
        elif op == 3:                                           # a token parsers care about
            out[at:at] = rng.choice(INTERESTING)
        elif op == 4 and out:                                   # repeat a chunk (deep nesting, long runs)
            end = min(len(out), at + rng.randint(1, 32))
            out[at:at] = out[at:end] * rng.randint(2, 64)
        elif op == 5:                                           # splice another input
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            out[at:at] = other[start:start + rng.randint(1, 256)]
        elif op == 6 and out:                                   # set a byte to an edge value
            out[rng.randrange(len(out))] = rng.choice((0, 0x7f, 0x80, 0xff))
    return bytes(out[:65536])


def run(name: str, seconds: float, timeout: float = 5.0, memory_mb: int = 256, artifacts: Path | None = None,
        seed: int = 0) -> dict:
    target = TARGETS[name]
    rng = random.Random(seed)
    pool = list(seeds()[name])
    found = {"crash": 0, "hang": 0, "oom": 0}
    runs, peak_max = 0, 0

    for data in pool:       # imports and caches warm up untimed, so the first input is no "hang"
        try:
            target(data)
        except Exception:   # noqa: BLE001 — found again, and counted, below
            pass
    tracemalloc.start()     # once: bounded() resets its peak per input
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            data = pool[runs] if runs < len(seeds()[name]) else mutate(rng.choice(pool), rng, pool)
            kind = None
            try:
                with bounded(data, timeout, memory_mb * 2**20):
                    target(data)
            except Hang:
                kind = "hang"
            except OverMemory:
                kind = "oom"
            except Exception:   # noqa: BLE001 — any exception a target lets out is the finding
                kind = "crash"
            peak_max = max(peak_max, tracemalloc.get_traced_memory()[1])
            runs += 1
            if kind:
                found[kind] += 1
                if artifacts is not None:
                    artifacts.mkdir(parents=True, exist_ok=True)
                    (artifacts / f"{kind}-{name}-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            elif rng.random() < 0.05 and len(pool) < 2000:
                pool.append(data)     # no coverage feedback: keep a few survivors to mutate further
    finally:
        tracemalloc.stop()
    return {"target": name, "engine": "loop", "runs": runs, "crashes": found["crash"], "hangs": found["hang"],
            "ooms": found["oom"], "peak_mb": round(peak_max / 2**20, 1), "seconds": seconds}


if __name__ == "__main__":
    target_name, budget = sys.argv[1], float(sys.argv[2])
    folder = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(run(target_name, budget, artifacts=folder)))
