"""show / diff / dedupe on generated lazy-loading graphs: seconds and peak memory.

Each measurement runs in a fresh process (``benchmarks/_child.py``) so the peak
memory is that of the command alone, reading included. The rows with issue 6's
goal time the commands as a user runs them (``graphdef show GRAPH``, ``graphdef
diff A B``, ``graphdef dedupe GRAPH -o OUT``, from reading the files to writing
the output; not the interpreter start). The API rows (``graphdef.summarize`` etc.
on a loaded message, loading included) are extra figures, without a goal, and
not run at 1,000,000 nodes (there the message alone takes ~0.5 GB).
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
    return [(20_000, "pbtxt", 3), (100_000, "pbtxt", 2), (1_000_000, "pb", 3)]


def _goal(nodes: int) -> tuple[str, object]:
    if nodes >= 1_000_000:
        return "< 10 s and < 2 GB", lambda f: f.value.median < 10 and f.extra["peak_mb"] < 2048
    return "", None


def _peak(report: dict) -> float:
    """Peak memory of the run: the process plus its largest worker (``diff`` indexes
    its two inputs in a forked worker and this process at once), a bound on the sum."""
    return report["peak_mb"] + report.get("children_peak_mb", 0.0)


#: per task: the CLI command line (after the input paths) and the row label
_CLI = {
    "show": ([], "`graphdef show`"),
    "diff": ([], "`graphdef diff` vs the same loop under `run2/`"),
    "dedupe": (["-o", "{out}"], "`graphdef dedupe -o`"),
}
_API = {"show": ("summarize", "`graphdef.summarize`"),
        "diff": ("diff", "`graphdef.diff` vs the same loop under `run2/`"),
        "dedupe": ("dedupe", "`graphdef.dedupe`")}


def _measure(args: list[str], repeats: int, label: str, nodes: int, fmt: str,
             goal: bool) -> Figure:
    work = f"{label}, {nodes:,}-node lazy-loading graph (.{fmt}, reading included)"
    g, check = _goal(nodes) if goal else ("", None)
    try:
        reports = [child(args, timeout=LIMIT_S) for _ in range(repeats)]
    except subprocess.TimeoutExpired:
        return Figure(work, "s", Stats(LIMIT_S, LIMIT_S, LIMIT_S, 1), False, goal=g,
                      goal_check=(lambda f: False) if check else None,
                      note=f"stopped after {LIMIT_S} s (figure is a lower bound)",
                      extra={"peak_mb": None})
    peak = max(_peak(r) for r in reports)
    worker = max(r.get("children_peak_mb", 0.0) for r in reports)
    note = f"peak memory {peak:,.0f} MB" + (f" (of which {worker:,.0f} MB the forked worker)"
                                            if worker else "")
    return Figure(work, "s", Stats.of(r["seconds"] for r in reports), False, goal=g,
                  goal_check=check, note=note, extra={"peak_mb": peak})


def _figures(ctx: Context, task: str) -> list[Figure]:
    figures = []
    for nodes, fmt, repeats in _sizes(ctx):
        paths = [str(lazy_graph_file(ctx.workdir, nodes, fmt))]
        if task == "diff":  # the loop re-run under a scope: every body node is a rename
            paths.append(str(lazy_graph_file(ctx.workdir, nodes, fmt, scope="run2/")))
        extra, label = _CLI[task]
        out = str(ctx.workdir / f"deduped_{nodes}.{fmt}")
        figures.append(_measure(["cli", task, *paths, *[a.format(out=out) for a in extra]],
                                repeats, label, nodes, fmt, goal=True))
        if nodes < 1_000_000:
            api, label = _API[task]
            figures.append(_measure([api, *paths], repeats, label, nodes, fmt, goal=False))
    return figures


@benchmark("tools")
def show(ctx: Context) -> list[Figure]:
    return _figures(ctx, "show")


@benchmark("tools")
def diff(ctx: Context) -> list[Figure]:
    return _figures(ctx, "diff")


@benchmark("tools")
def dedupe(ctx: Context) -> list[Figure]:
    return _figures(ctx, "dedupe")


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


