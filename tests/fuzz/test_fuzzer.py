"""The coverage-guided fuzzer, time-boxed for CI: every target under atheris (or, without it, the
mutational loop), 30 s of wall time in all; no crash, no hang, no input over the memory limit."""
from __future__ import annotations

import os

from fuzz.run import atheris_available, run_all
from fuzz.targets import TARGETS

SECONDS = float(os.environ.get("GOVPLANS_FUZZ_SECONDS", "30"))


def test_fuzzing_every_target_finds_nothing(tmp_path):
    results = run_all(SECONDS, workdir=tmp_path)
    summary = {r["target"]: (r["engine"], r["runs"], r["crashes"], r["hangs"], r["ooms"]) for r in results}
    print("fuzz:", summary)
    assert set(summary) == set(TARGETS)
    for r in results:
        assert r["runs"] > 0, r
        assert (r["crashes"], r["hangs"], r["ooms"]) == (0, 0, 0), (r["target"], r["artifacts"], r.get("log_tail"))
    assert all(r["engine"] == ("atheris" if atheris_available() else "loop") for r in results)
