"""One target under atheris (libFuzzer): `python -m fuzz.atheris_driver TARGET [CORPUS…] [-flags…]`.

Run through `python -m fuzz`, which writes the seeds, sets the time box, the per-input timeout
and the memory limit, and counts what came out. The project's modules are instrumented for
coverage; lxml, charset_normalizer and the standard library run uninstrumented.
"""
from __future__ import annotations

import hashlib
import os
import sys
import traceback

import atheris


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m fuzz.atheris_driver TARGET [CORPUS…] [-libfuzzer_flags…]")
    name = sys.argv[1]
    with atheris.instrument_imports(include=["archive", "crawler", "search_ui", "fuzz"]):
        from fuzz import targets
        from fuzz.seeds import seeds
        for seed in seeds()[name]:          # imports every module the target reaches, inside the block
            targets.TARGETS[name](seed)
    target = targets.TARGETS[name]
    prefix = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("-artifact_prefix=")), "./")

    def one_input(data: bytes) -> None:
        # An exception is written out here and the process ends at once: left to atheris, the
        # interpreter's shutdown can outlive libFuzzer's alarm and die without a reproducer.
        try:
            target(data)
        except Exception:   # noqa: BLE001 — any exception a target lets out is the finding
            path = os.path.join(prefix, "crash-" + hashlib.sha1(data).hexdigest()) if prefix.endswith("/") else \
                prefix + "crash-" + hashlib.sha1(data).hexdigest()
            with open(path, "wb") as handle:
                handle.write(data)
            traceback.print_exc()
            print(f"crash input written to {path}", file=sys.stderr, flush=True)
            os._exit(77)

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
