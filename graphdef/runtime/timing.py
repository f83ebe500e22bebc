"""Per-call cost of ``Session.run``, for the benchmarks (``benchmarks/``) and for people
checking a model: the best of several repeats, in wall and process-CPU time (CPU time
is the steadier figure on a shared machine)."""
from __future__ import annotations

import time
from typing import Any, Mapping


def time_run(session: Any, fetches: Any, feed_dict: Mapping[Any, Any] | None = None, *,
             number: int = 100, repeat: int = 5, warmup: int = 3) -> dict[str, float]:
    """Time ``session.run(fetches, feed_dict)``.

    The first calls build and cache the plan (``warmup``); then ``repeat`` rounds of
    ``number`` calls each are timed and the best round is reported.

    Returns:
        ``{"wall_us": ..., "cpu_us": ...}``: microseconds per call, best round.
    """
    run = session.run
    for _ in range(warmup):
        run(fetches, feed_dict)
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(number):
            run(fetches, feed_dict)
        best_wall = min(best_wall, (time.perf_counter() - w0) / number)
        best_cpu = min(best_cpu, (time.process_time() - c0) / number)
    return {"wall_us": best_wall * 1e6, "cpu_us": best_cpu * 1e6}
