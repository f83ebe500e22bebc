"""show / diff / dedupe on generated lazy-loading graphs: seconds and peak memory.

Each measurement runs in a fresh process (``benchmarks/_child.py``) so the peak
memory is that of the command alone, reading included.
"""
from __future__ import annotations

import subprocess

from benchmarks.harness import Context, Figure, Skip, Stats, benchmark, child, timeit
from benchmarks.inputs import lazy_graph_file
from benchmarks.tf_reference import QUOTED


LIMIT_S = 90  # one command on the 1M-node graph; the goal is 10 s


def _sizes(ctx: Context) -> list[tuple[int, str, int]]:
    """(nodes, file format, repeats): 1M nodes as .pb (as .pbtxt it is ~180 MB)."""
    if ctx.quick:
        return [(20_000, "pbtxt", 1)]
    return [(20_000, "pbtxt", 3), (100_000, "pbtxt", 2), (1_000_000, "pb", 1)]


def _goal(nodes: int) -> tuple[str, object]:
    if nodes >= 1_000_000:
        return "< 10 s and < 2 GB", lambda f: f.value.median < 10 and f.extra["peak_mb"] < 2048
    return "", None


def _figures(ctx: Context, task: str, label: str) -> list[Figure]:
    figures = []
    for nodes, fmt, repeats in _sizes(ctx):
        a = lazy_graph_file(ctx.workdir, nodes, fmt)
        args = [str(a)]
        if task == "diff":  # the loop re-run under a scope: every body node is a rename
            args.append(str(lazy_graph_file(ctx.workdir, nodes, fmt, scope="run2/")))
        try:
            reports = [child([task, *args], timeout=LIMIT_S) for _ in range(repeats)]
        except subprocess.TimeoutExpired:
            figures.append(Figure(
                f"{label}, {nodes:,}-node lazy-loading graph (.{fmt}, reading included)", "s",
                Stats(LIMIT_S, LIMIT_S, LIMIT_S, 1), False, goal=_goal(nodes)[0],
                goal_check=lambda f: False, note=f"stopped after {LIMIT_S} s (figure is a lower bound)",
                extra={"peak_mb": None}))
            continue
        peak = max(r["peak_mb"] for r in reports)
        goal, check = _goal(nodes)
        figures.append(Figure(
            f"{label}, {nodes:,}-node lazy-loading graph (.{fmt}, reading included)", "s",
            Stats.of(r["seconds"] for r in reports), False, goal=goal, goal_check=check,
            note=f"peak memory {peak:,.0f} MB", extra={"peak_mb": peak}))
    return figures


@benchmark("tools")
def show(ctx: Context) -> list[Figure]:
    return _figures(ctx, "summarize", "show (`graphdef.summarize`)")


@benchmark("tools")
def diff(ctx: Context) -> list[Figure]:
    return _figures(ctx, "diff", "diff vs the same loop under `run2/` (`graphdef.diff`)")


@benchmark("tools")
def dedupe(ctx: Context) -> list[Figure]:
    return _figures(ctx, "dedupe", "dedupe (`graphdef.dedupe`)")


@benchmark("tools")
def dedupe_in_process(ctx: Context) -> list[Figure]:
    import graphdef
    if not hasattr(graphdef, "dedupe"):
        raise Skip("graphdef.dedupe missing")
    from graphdef.io import load
    g = load(lazy_graph_file(ctx.workdir, 20_000, "pb"))
    gd = timeit(lambda: graphdef.dedupe(g), ctx.repeats)
    return [Figure("dedupe() in-process, 20,000-node lazy-loading graph (already loaded)", "s", gd,
                   goal="≤ 0.3 s", goal_check=lambda f: f.value.median <= 0.3)]


@benchmark("tools")
def dedupe_cli(ctx: Context) -> list[Figure]:
    src = lazy_graph_file(ctx.workdir, 20_000, "pbtxt")
    out = ctx.workdir / "deduped.pbtxt"
    reports = [child(["cli", "dedupe", str(src), "-o", str(out)]) for _ in range(ctx.repeats)]
    q = QUOTED["grappler_cse_cli_s"]
    return [Figure("`graphdef dedupe` whole CLI run (process start to exit), 20,000-node .pbtxt", "s",
                   Stats.of(r["process_wall_s"] for r in reports), False, Stats(q, q, q, 1),
                   "Grappler CSE, fastest config (quoted, issue 6)",
                   goal="≤ 0.5 (well under half)", goal_check=lambda f: f.ratio is not None and f.ratio < 0.5,
                   note=f"peak memory {max(r['peak_mb'] for r in reports):,.0f} MB")]


