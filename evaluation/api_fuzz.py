"""The OpenAPI document fuzzed with schemathesis (every check) against `govplans serve` on 127.0.0.1:
what the test suite runs on its small archive (tests/ui/test_schemathesis.py) and bench/api_fuzz.py
runs longer on any data directory.

The schemathesis hooks below say what the document cannot: year_to is not before year_from, and a
saved search's q must parse (archive/index/syntax.py). JSON Schema has no way to state either, so
a request generated as valid that breaks one is made valid before it is sent (the years swapped,
the q left out); requests generated as invalid are sent as they are. tests/ui/test_refusals.py
checks the server refuses both.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "fuzz-admin-token"   # POST /saved is fuzzed as the operator would use it
STATUS = re.compile(r'HTTP/[\d.]+" (\d{3}) ')


@dataclass
class FuzzRun:
    returncode: int
    output: str
    statuses: Counter = field(default_factory=Counter)   # HTTP status -> requests, from the server's log
    server_errors: int = 0                               # tracebacks in the server's log

    @property
    def accepted(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 400)

    @property
    def refused(self) -> int:
        return sum(n for status, n in self.statuses.items() if 400 <= status < 500)

    @property
    def generated(self) -> int | None:
        found = re.search(r"(\d+) generated", self.output)
        return int(found.group(1)) if found else None

    def figures(self) -> str:
        by_status = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (f"{self.generated} cases generated; {sum(self.statuses.values())} requests: {self.accepted} accepted, "
                f"{self.refused} refused ({by_status}); {self.server_errors} server tracebacks; "
                f"schemathesis exit {self.returncode}")


def run_fuzz(data: Path, seconds: int = 60, examples: int = 10, seed: int = 1) -> FuzzRun:
    """Serve `data`, run `schemathesis run --checks all` for at most `seconds`, stop the server."""
    from govplans.ports import free_port, wait_for_port

    port = free_port()
    env = {**os.environ, "GOVPLANS_ADMIN_TOKEN": ADMIN_TOKEN, "SCHEMATHESIS_HOOKS": "evaluation.api_fuzz",
           "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "server.log"
        with open(log, "w") as out:
            server = subprocess.Popen([sys.executable, "-m", "govplans.cli", "serve", "--port", str(port),
                                       "--data", str(data)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        try:
            wait_for_port(port, timeout=60)
            done = subprocess.run([str(Path(sys.executable).with_name("schemathesis")), "run",
                                   f"http://127.0.0.1:{port}/api/openapi.json", "--checks", "all",
                                   "--max-examples", str(examples), "--max-time", str(seconds), "--seed", str(seed),
                                   "--header", f"X-Govplans-Token: {ADMIN_TOKEN}", "--generation-database", "none",
                                   "--no-color"], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=seconds + 600)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        text = log.read_text(errors="replace")
    statuses = Counter(int(m.group(1)) for m in STATUS.finditer(text))
    return FuzzRun(done.returncode, done.stdout + done.stderr, statuses, text.count("Traceback"))


# -- schemathesis hooks (SCHEMATHESIS_HOOKS=evaluation.api_fuzz) ------------------------------------

def ordered_years(values: dict) -> bool:
    try:
        first, last = int(values.get("year_from")), int(values.get("year_to"))
    except (TypeError, ValueError):
        return True
    return first <= last


def runnable(q) -> bool:
    from archive.index.syntax import QuerySyntaxError, parse_query

    if not isinstance(q, str) or not q.strip():
        return True
    try:
        parse_query(q.strip())
    except QuerySyntaxError:
        return False
    return True


def before_call(ctx, case, **kwargs) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for values in (case.query, case.body):
        if isinstance(values, dict) and not ordered_years(values):
            values["year_from"], values["year_to"] = values["year_to"], values["year_from"]
    if isinstance(case.body, dict) and not runnable(case.body.get("q")):
        del case.body["q"]


if os.environ.get("SCHEMATHESIS_HOOKS") == __name__:   # loaded by schemathesis, not by a test or a benchmark
    import schemathesis

    schemathesis.hook(before_call)
