"""Process settings that keep searches fast while other work runs: one thread per single query, and
builds at a lower CPU priority than the searches.

Measured on 2 shared cores (NOTES.md, BENCHMARKS.md): with the default two threads, a search slowed
from 26 ms to ~370 ms while a build ran; with one thread it took ~50 ms. A second thread only helps a
single query on an idle machine, and then by little."""

from __future__ import annotations

import os
import sys

QUERY_THREADS = 1
BUILD_NICE = 10  # niceness a build adds to itself: searches win the CPU, an idle machine still runs it at full speed
_configured: dict[str, int] = {}


def configure_for_queries(threads: int = QUERY_THREADS) -> None:
    """Settings for a process that answers queries one at a time (the search CLI, the app, the HTTP API):
    `threads` FAISS and torch threads, now and when torch loads later (indexer.embed asks
    `query_threads()`); ONNX Runtime query sessions always run on one thread.

    Call it once at start-up, before the first query. A build in the same process would get the same
    threads: the app builds in a child process (indexer/background.py)."""
    import faiss

    _configured["threads"] = threads
    faiss.omp_set_num_threads(threads)
    if "torch" in sys.modules:  # do not import torch only for this: the ONNX query path does not need it
        sys.modules["torch"].set_num_threads(threads)


def query_threads() -> int | None:
    """The threads configure_for_queries asked for in this process (None: not called)."""
    return _configured.get("threads")


def query_threads_now() -> dict[str, int]:
    """The thread counts in force now (for tests and diagnostics): faiss, and torch when it is loaded."""
    import faiss

    out = {"faiss": faiss.omp_get_max_threads()}
    if "torch" in sys.modules:
        out["torch"] = sys.modules["torch"].get_num_threads()
    return out


def lower_priority(increment: int = BUILD_NICE) -> int:
    """Add `increment` to this process's niceness (a build); returns the niceness now. Never raises:
    a priority that cannot be changed leaves the build as it was."""
    try:
        return os.nice(increment)
    except OSError:
        return os.getpriority(os.PRIO_PROCESS, 0)
