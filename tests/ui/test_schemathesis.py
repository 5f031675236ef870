"""The OpenAPI document is complete and exact: schemathesis with every check (schema-valid requests
accepted, invalid ones refused, statuses, content types and bodies as documented …) finds nothing
against `govplans serve` on the small archive. bench/api_fuzz.py runs it longer."""
from __future__ import annotations

from evaluation.api_fuzz import run_fuzz
from tests.ui.conftest import build_world


def test_schemathesis_with_all_checks_finds_nothing(tmp_path):
    data = build_world(tmp_path / "data")   # its own archive: POST /saved adds saved searches
    run = run_fuzz(data.root, seconds=60, examples=10)
    print(run.figures())
    assert run.returncode == 0, run.output[-6000:]
    assert "No issues found" in run.output
    assert run.server_errors == 0
    assert run.accepted > 100 and run.refused > 100   # both sides of the document were exercised
