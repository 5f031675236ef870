"""Per-input limits for in-process fuzzing: a hang is an input that runs past the alarm, a memory
blow-up one whose tracemalloc peak passes the bound."""
from __future__ import annotations

import signal
import tracemalloc
from contextlib import contextmanager

PER_INPUT_SECONDS = 10        # generous: CI machines are shared; libFuzzer's -timeout is 5 s
PEAK_BYTES = 256 * 2**20      # what one input may allocate at its peak


class Hang(Exception):
    """An input ran past its time limit."""


class OverMemory(AssertionError):
    """An input allocated more than its bound."""


@contextmanager
def bounded(what: object, seconds: float = PER_INPUT_SECONDS, peak_bytes: int = PEAK_BYTES):
    """Raise Hang past `seconds` (SIGALRM: main thread only), OverMemory past `peak_bytes`."""
    def alarm(_signum, _frame):
        raise Hang(f"over {seconds} s on {what!r:.200}")

    previous = signal.signal(signal.SIGALRM, alarm)
    tracing = tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
    else:
        tracemalloc.start()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        peak = tracemalloc.get_traced_memory()[1]
        if not tracing:
            tracemalloc.stop()
    if peak > peak_bytes:
        raise OverMemory(f"{peak / 2**20:.0f} MB at peak on {what!r:.200}")
