"""verify's and backup's speed at national size.

    python -m bench.evidence [--docs 10000 30000 100000] [--work DIR] [--record]

For each size, builds evaluation/evidence.py's archive (N documents, each a ~25 KB HTML page in a
gzipped WARC response record with its request record, a capture, a document and a version row, and
the index), then runs the real commands in child processes, one after the other, and reports each
one's wall and CPU seconds and peak memory (ru_maxrss, os.wait4):

    verify          govplans verify --json (every record inflated and digested, rows, index)
    backup full     govplans backup DEST into an empty DEST
    backup again    the same DEST, nothing new (the database copied again, every WARC file skipped)
    backup +1%      after 1% more documents in a new WARC file: only that file's bytes are copied
    restore         govplans restore DEST into an empty data directory (manifest digests, verify of
                    the copy, index rebuilt)

Prints one JSON line per size and a table; --record puts the table in bench/RESULTS.md (its own
section, kept when bench/suite.py rewrites the file).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- bench/evidence.py: begin -->", "<!-- bench/evidence.py: end -->"


def run(*args: str, data: Path | None = None, command: list[str] | None = None) -> dict:
    """`govplans ARGS` (or `command`) in a child process: wall and CPU seconds, peak MB, stdout, stderr."""
    env = dict(os.environ)
    env.pop("GOVPLANS_DATABASE_URL", None)
    command = command or [sys.executable, "-m", "govplans.cli", *args] + (["--data", str(data)] if data else [])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}: {stderr[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024), "stdout": stdout, "stderr": stderr}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(root: Path, docs: int, start: int = 1, index: bool = True) -> float:
    """The synthetic archive built (or grown) in a child process, so this one stays small: a child's
    ru_maxrss counts the parent's pages it was forked with."""
    code = ("import sys; from pathlib import Path; from archive.config import DataDir; "
            "from evaluation.evidence import build_archive; from archive.operations.indexing import rebuild_index; "
            f"data = DataDir(Path({str(root)!r})); build_archive(data, {docs}, start={start}); "
            f"{'rebuild_index(data)' if index else 'None'}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - started


class DataDir:   # the paths of archive.config.DataDir, without importing the archive here
    def __init__(self, root: Path):
        self.root, self.warc_dir = root, root / "warc"


def measure(docs: int, work: Path) -> dict:
    data = DataDir(work / f"archive-{docs}")
    backup, restored = work / f"backup-{docs}", work / f"restored-{docs}"
    for path in (data.root, backup, restored):
        shutil.rmtree(path, ignore_errors=True)
    built = build(data.root, docs)
    warc_bytes = _size(data.warc_dir)
    database_bytes = (data.root / "archive.sqlite").stat().st_size

    startup = run(command=[sys.executable, "-c", "import archive.operations.verify, archive.operations.backup"])
    verify = run("verify", "--json", data=data.root)
    report = json.loads(verify.pop("stdout"))
    assert report["ok"], report["fault_counts"]
    first = run("backup", str(backup), data=data.root)
    again = run("backup", str(backup), data=data.root)
    grow = max(1, docs // 100)
    build(data.root, grow, start=docs + 1, index=False)
    grown = run("backup", str(backup), data=data.root)
    restore = run("restore", str(backup), data=restored)
    check = run("verify", "--json", data=restored)
    assert json.loads(check.pop("stdout"))["ok"]
    for step in (startup, verify, first, again, grown, restore):
        step.pop("stdout", None)
    result = {"docs": docs, "records": report["records"], "warc_mb": round(warc_bytes / 1e6, 1),
              "database_mb": round(database_bytes / 1e6, 1), "build_and_index_s": round(built, 1),
              "verify": verify, "backup_full": first, "backup_again": again, "backup_grown": grown,
              "grown_docs": grow, "restore": restore, "startup": startup}
    for step in ("startup", "verify", "backup_full", "backup_again", "backup_grown", "restore"):
        result[step]["copied"] = _copied(result[step].pop("stderr"))
    result["verify"]["docs_per_s"] = round(docs / result["verify"]["wall_s"])
    result["verify"]["mb_per_s"] = round(warc_bytes / 1e6 / result["verify"]["wall_s"], 1)
    for path in (backup, restored):
        shutil.rmtree(path, ignore_errors=True)
    return result


def _copied(stderr: str) -> int | None:
    """The WARC bytes a backup says it copied ("N copied now")."""
    found = re.search(r"([\d,]+) copied now", stderr)
    return int(found.group(1).replace(",", "")) if found else None


def table(results: list[dict]) -> str:
    sizes = [r["docs"] for r in results]
    lines = ["| figure | " + " | ".join(f"{n:,}" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]

    def row(label, value):
        lines.append(f"| {label} | " + " | ".join(value(r) for r in results) + " |")

    row("WARC records / MB", lambda r: f"{r['records']:,} / {r['warc_mb']:,}")
    row("database MB", lambda r: f"{r['database_mb']:,}")
    row("verify wall s (CPU s)", lambda r: f"{r['verify']['wall_s']} ({r['verify']['cpu_s']})")
    row("verify docs/s, WARC MB/s", lambda r: f"{r['verify']['docs_per_s']:,}, {r['verify']['mb_per_s']}")
    row("verify peak MB", lambda r: str(r["verify"]["peak_mb"]))
    row("backup full wall s (CPU s)", lambda r: f"{r['backup_full']['wall_s']} ({r['backup_full']['cpu_s']})")
    row("backup again, nothing new, wall s (CPU s)",
        lambda r: f"{r['backup_again']['wall_s']} ({r['backup_again']['cpu_s']})")
    row("backup after +1% documents, wall s (CPU s)",
        lambda r: f"{r['backup_grown']['wall_s']} ({r['backup_grown']['cpu_s']})")
    row("WARC MB copied: full / again / +1%", lambda r: " / ".join(
        f"{(r[k]['copied'] or 0) / 1e6:.1f}" for k in ("backup_full", "backup_again", "backup_grown")))
    row("backup peak MB", lambda r: str(max(r[k]["peak_mb"] for k in ("backup_full", "backup_again", "backup_grown"))))
    row("restore wall s (CPU s): digests, verify, index rebuild",
        lambda r: f"{r['restore']['wall_s']} ({r['restore']['cpu_s']})")
    row("of which start-up (importing the archive's modules), wall s (CPU s)",
        lambda r: f"{r['startup']['wall_s']} ({r['startup']['cpu_s']})")
    return "\n".join(lines)


def record(results: list[dict], machine: str) -> None:
    section = "\n".join([
        BEGIN, "", "### Evidence: verify and backup (bench/evidence.py)", "",
        f"Run of {datetime.now(timezone.utc).isoformat(timespec='seconds')}; {machine}. Each command in its own "
        "process, one after the other, on the machine as it was (other work on it: the wall times are "
        "upper bounds, CPU seconds are steadier). A synthetic archive: every document a ~25 KB HTML page "
        "in a gzipped WARC response record with its request record (evaluation/evidence.py).", "",
        table(results), "", END])
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10000, 30000, 100000])
    parser.add_argument("--work", type=Path, default=None, help="where the archives go (default: a temporary dir)")
    parser.add_argument("--record", action="store_true", help="write the table into bench/RESULTS.md")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="govplans-evidence-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for docs in args.docs:
        result = measure(docs, work)
        print(json.dumps(result), flush=True)
        results.append(result)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, load average at the end {load}"
    print(table(results))
    if args.record:
        record(results, machine)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
