"""CPU seconds of every process a benchmark configuration runs, by role, read from /proc.

    with ProcessCpu({farm_pid: "farm", crawl_pid: "crawl"}, database="govplans_bench_…") as cpu:
        ...
    cpu.seconds   # {"crawl process": 4.1, "extractor": 2.0, "store": 3.2, "farm": 1.9, "postgres": 1.1, …}

A thread reads utime + stime of each process every `every` seconds; a process's CPU is its last
reading less its reading when the window opened (0 if it started later), so a process that exits
loses at most one interval. The roots are the benchmark's own children; their descendants are
named by where they sit in the tree (the worker path: Celery worker -> fork server -> crawl
process -> extractor(s), store; `govplans crawl`: crawl process -> extractor(s), store; the writer's
stages are forked in that order, so the store has the highest pid; several extractors count as one). PostgreSQL counts its
background processes and the backends of `database` only (other databases are other people's);
Redis counts its server (shared with whoever else uses it). `machine` is the whole machine's
busy CPU seconds over the window (everyone's), from /proc/stat.
"""
from __future__ import annotations

import os
import threading
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
MACHINE_WRITER = "crawler.distributed.machine_writer"
POSTGRES_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum", "logical replication",
                       "stats collector", "io worker")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def machine_busy_seconds() -> float:
    """Every core's non-idle time since boot (user, nice, system, irq, softirq, steal)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK


class ProcessCpu:
    def __init__(self, roots: dict[int, str], database: str | None = None, every: float = 0.2):
        self.roots = dict(roots)
        self.database = database
        self.every = every
        self._first: dict[int, float] = {}     # pid -> CPU when the window opened (or 0: born later)
        self._last: dict[int, float] = {}
        self._role: dict[int, str] = {}
        self._parent: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="process-cpu", daemon=True)
        self._machine = 0.0
        self.machine = 0.0

    def add_root(self, pid: int, role: str) -> None:
        self.roots[pid] = role

    def start(self) -> "ProcessCpu":
        """Start watching; the window opens now, or at `open_window()`."""
        self.open_window()
        self._thread.start()
        return self

    def open_window(self) -> None:
        """Count from now: what every process used before is left out."""
        self._sample()
        self._first = dict(self._last)
        self._machine = machine_busy_seconds()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._sample()
        self.machine = round(machine_busy_seconds() - self._machine, 2)

    def __enter__(self) -> "ProcessCpu":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        parents, cpu = {}, {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                read = _stat(int(entry.name))
                if read is not None:
                    parents[int(entry.name)], cpu[int(entry.name)] = read
        for pid, seconds in cpu.items():
            if pid not in self._role:
                role = self._classify(pid, parents)
                if role is None:
                    continue
                self._role[pid] = role
                self._parent[pid] = parents[pid]
                self._first[pid] = 0.0
            self._last[pid] = seconds

    def _classify(self, pid: int, parents: dict[int, int]) -> str | None:
        chain, at = [], pid
        while at in parents and at not in self.roots and at > 1:
            chain.append(at)
            at = parents[at]
        for depth in reversed(range(len(chain))):   # the workers' machine writer, of our database
            command = _cmdline(chain[depth])   # (its forked stages share its command line: the topmost is it)
            if MACHINE_WRITER in command and self.database and self.database in command:
                return "machine writer" if depth == 0 else "writer stage"
        if at in self.roots:
            return self._descendant(self.roots[at], len(chain), pid)
        comm = _cmdline(pid)
        if comm.startswith("redis-server"):
            return "redis"
        if comm.startswith("postgres"):
            if self.database and f" {self.database} " in comm:
                return "postgres"
            if any(name in comm for name in POSTGRES_BACKGROUND):
                return "postgres"
        return None

    def _descendant(self, root_role: str, depth: int, pid: int) -> str:
        """The worker path: worker (0) -> fork server (1) -> crawl process (2) -> writer stages (3);
        `govplans crawl`: crawl process (0) -> writer stages (1)."""
        if root_role == "worker":
            names = {0: "celery worker", 1: "fork server", 2: "crawl process"}
            if depth in names:
                return names[depth] if "resource_tracker" not in _cmdline(pid) else "fork server"
            return "writer stage"
        if root_role == "crawl":
            return "crawl process" if depth == 0 else "writer stage"
        return root_role

    @property
    def seconds(self) -> dict[str, float]:
        """CPU seconds in the window by role; the writer's two stages told apart (extractor, store)."""
        totals: dict[str, float] = defaultdict(float)
        stages: dict[int, list[int]] = defaultdict(list)
        for pid, role in self._role.items():
            used = self._last[pid] - self._first[pid]
            if role == "writer stage":
                stages[self._parent[pid]].append(pid)
                continue
            totals[role] += used
        for pids in stages.values():   # the extractors are forked first, the store last
            for n, pid in enumerate(sorted(pids)):
                totals["store" if n == len(pids) - 1 and n else "extractor"] += self._last[pid] - self._first[pid]
        return {role: round(value, 2) for role, value in sorted(totals.items())}
