"""Fuzz every target within one time box: atheris when it is installed, else the mutational loop.

Each target runs in a child process with a per-input timeout (a hang), a memory limit (libFuzzer's
-rss_limit_mb; tracemalloc in the loop) and its seed corpus; what comes back is counted from the
child's output and the artifacts it wrote (crash-*, timeout-*, oom-*).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fuzz import seeds
from fuzz.targets import TARGETS

PER_INPUT_TIMEOUT = 5          # seconds; an input that takes longer is a hang
RSS_LIMIT_MB = 1024            # atheris: the whole process; the loop: tracemalloc peak per input (256 MB)
MAX_LEN = {"decoding": 65536, "extraction": 65536}    # other targets: 4096 bytes (libFuzzer's default)
WEIGHTS = {"extraction": 3, "query": 1.5, "urls": 1.5}   # shares of the time box (others: 1)
STARTUP_SECONDS = 3.0          # a child's imports and instrumentation, before its clock starts
_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_ROOT = Path(__file__).resolve().parent.parent


def atheris_available() -> bool:
    return importlib.util.find_spec("atheris") is not None


def run_target(name: str, seconds: float, workdir: Path, engine: str) -> dict:
    corpus = seeds.write(workdir / "corpus", name)
    artifacts = workdir / "artifacts" / name
    artifacts.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    if engine == "atheris":
        command = [sys.executable, "-m", "fuzz.atheris_driver", name, str(corpus),
                   f"-max_total_time={max(1, int(seconds))}", f"-timeout={PER_INPUT_TIMEOUT}",
                   f"-rss_limit_mb={RSS_LIMIT_MB}", f"-max_len={MAX_LEN.get(name, 4096)}",
                   f"-artifact_prefix={artifacts}/", "-print_final_stats=1"]
    else:
        command = [sys.executable, "-m", "fuzz.loop", name, str(seconds), str(artifacts)]
    done = subprocess.run(command, cwd=_ROOT, env=env, capture_output=True, text=True, errors="replace",
                          timeout=seconds + 120)
    found = sorted(p.name for p in artifacts.iterdir())
    if engine == "atheris":
        runs = sum(int(m.group(1)) for m in _DONE.finditer(done.stderr))
        if not runs:      # stopped early (a crash): the last status line has the count
            counts = re.findall(r"^#(\d+)\s", done.stderr, re.M)
            runs = int(counts[-1]) if counts else 0
        result = {"target": name, "engine": "atheris", "runs": runs,
                  "crashes": sum(f.startswith("crash-") for f in found) + (done.returncode not in (0, 70, 71) and not found),
                  "hangs": sum(f.startswith(("timeout-", "slow-unit-")) for f in found),
                  "ooms": sum(f.startswith("oom-") for f in found)}
    else:
        result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else \
            {"target": name, "engine": "loop", "runs": 0, "crashes": 1, "hangs": 0, "ooms": 0}
    result.update(seconds=round(time.monotonic() - started, 1), seeds=len(seeds.seeds()[name]),
                  artifacts=[str(artifacts / f) for f in found], exit_code=done.returncode)
    if done.returncode != 0:
        result["log_tail"] = done.stderr[-2000:]
    return result


def run_all(seconds: float = 30, names: list[str] | None = None, engine: str | None = None,
            workdir: str | Path | None = None) -> list[dict]:
    """Every target (or `names`), the time box shared equally between them."""
    names = names or list(TARGETS)
    engine = engine or ("atheris" if atheris_available() else "loop")
    deadline = time.monotonic() + seconds
    results = []
    with tempfile.TemporaryDirectory(prefix="govplans-fuzz-") as tmp:
        root = Path(workdir) if workdir else Path(tmp)
        for i, name in enumerate(names):
            # the box is wall time: each child also spends STARTUP_SECONDS importing before it fuzzes;
            # slow targets (a whole extraction per input) get a larger share of what is left
            left = names[i:]
            fuzzing = deadline - time.monotonic() - STARTUP_SECONDS * len(left)
            share = WEIGHTS.get(name, 1) / sum(WEIGHTS.get(n, 1) for n in left)
            results.append(run_target(name, max(1.0, fuzzing * share), root, engine))
    return results


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="the whole time box, shared by the targets")
    parser.add_argument("--engine", choices=("atheris", "loop"), help="default: atheris when installed")
    parser.add_argument("--keep", help="keep corpora and artifacts in this folder")
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=f"default: all of {', '.join(TARGETS)}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {list(TARGETS)}")
    results = run_all(args.seconds, args.targets or None, args.engine, args.keep)
    print(f"{'target':<12} {'engine':<8} {'inputs':>9} {'crashes':>8} {'hangs':>6} {'ooms':>5} {'seconds':>8}")
    for r in results:
        print(f"{r['target']:<12} {r['engine']:<8} {r['runs']:>9} {r['crashes']:>8} {r['hangs']:>6} {r['ooms']:>5} "
              f"{r['seconds']:>8}")
        for path in r["artifacts"]:
            print(f"  finding: {path}")
    print(json.dumps({"fuzz": results}, ensure_ascii=False))
    if any(r["crashes"] or r["hangs"] or r["ooms"] for r in results):
        sys.exit(1)
