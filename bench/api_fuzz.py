"""The OpenAPI document fuzzed longer than the test suite does: schemathesis with every check against
`govplans serve` over a data directory (the demo's, by default), for a time budget.

    python -m bench.api_fuzz [--data ./data] [--seconds 600] [--examples 100] [--seed 1]

Prints the cases generated, the requests the server accepted and refused by status (from its own
access log), the server's tracebacks and schemathesis's verdict, then one JSON line. Exits 1 when
schemathesis found a failure (its report is printed). POST /saved adds saved searches to the data
directory: point it at a copy when that matters.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evaluation.api_fuzz import run_fuzz


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not (args.data / "archive.sqlite").exists():
        parser.error(f"no archive in {args.data} (run `make demo` first, or give --data)")
    run = run_fuzz(args.data.resolve(), seconds=args.seconds, examples=args.examples, seed=args.seed)
    print(run.figures())
    if run.returncode:
        print(run.output[-20000:])
    print(json.dumps({"generated": run.generated, "accepted": run.accepted, "refused": run.refused,
                      "statuses": {str(k): v for k, v in sorted(run.statuses.items())},
                      "server_tracebacks": run.server_errors, "schemathesis_exit": run.returncode}))
    return 1 if run.returncode or run.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
