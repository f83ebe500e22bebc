"""Measuring and reporting: repeats → median/min/max, figures, the table, subprocesses.

A benchmark is a function ``fn(ctx) -> list[Figure]`` registered with
``@benchmark(group)``. It raises :class:`Skip` with a reason when the part of
graphdef it measures is not there (yet), so the suite always runs to the end.
"""
from __future__ import annotations

import functools
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent


class Skip(Exception):
    """This figure cannot be measured here (API missing, input missing...)."""


@dataclass
class Stats:
    """Median, min and max of repeated measurements, in ``unit``."""

    median: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, values: Iterable[float]) -> "Stats":
        v = sorted(values)
        return cls(statistics.median(v), v[0], v[-1], len(v))

    def scaled(self, f: Callable[[float], float]) -> "Stats":
        """Apply a monotonic conversion (e.g. seconds → MB/s flips min and max)."""
        a, b = f(self.min), f(self.max)
        return Stats(f(self.median), min(a, b), max(a, b), self.n)


@dataclass
class Figure:
    """One row of the table.

    ``ratio`` is graphdef's time ÷ the reference's time for the same work (below 1:
    graphdef is faster), as issue 7 asks; for rates it is reference rate ÷ graphdef rate.
    """

    work: str
    unit: str
    value: Stats | None
    higher_is_better: bool = False
    ref: Stats | None = None
    ref_label: str = ""
    goal: str = ""
    goal_check: Callable[["Figure"], bool] | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.ref is None or not self.value.median or not self.ref.median:
            return None
        if self.higher_is_better:
            return self.ref.median / self.value.median
        return self.value.median / self.ref.median

    @property
    def met(self) -> bool | None:
        if self.goal_check is None or self.value is None:
            return None
        return bool(self.goal_check(self))

    def to_json(self) -> dict[str, Any]:
        def st(s: Stats | None) -> dict[str, float] | None:
            return None if s is None else {"median": s.median, "min": s.min, "max": s.max, "n": s.n}
        return {"work": self.work, "unit": self.unit, "graphdef": st(self.value),
                "reference": st(self.ref), "reference_label": self.ref_label,
                "ratio": self.ratio, "goal": self.goal, "met": self.met, "note": self.note,
                **self.extra}


@dataclass
class Context:
    quick: bool
    workdir: Path
    repeats: int
    log: Callable[[str], None] = print


REGISTRY: list[tuple[str, Callable[[Context], list[Figure]]]] = []


def benchmark(group: str) -> Callable[[Callable[[Context], list[Figure]]], Callable[[Context], list[Figure]]]:
    def deco(fn: Callable[[Context], list[Figure]]) -> Callable[[Context], list[Figure]]:
        REGISTRY.append((group, fn))
        return fn
    return deco


def timeit(fn: Callable[[], Any], repeats: int, number: int = 1, warmup: int = 1) -> Stats:
    """Seconds per call of ``fn``: ``repeats`` timings of ``number`` calls each.

    The garbage collector is paused during each timing (as ``timeit`` does), so a
    collection triggered by earlier work is not charged to the call being measured.
    """
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - t) / number)
        finally:
            gc.enable()
    return Stats.of(out)


def timeit_pair(fn: Callable[[], Any], ref: Callable[[], Any], repeats: int,
                ref_repeats: int | None = None) -> tuple[Stats, Stats]:
    """Seconds per call of ``fn`` and of ``ref``, timed alternately.

    Interleaving (fn, ref, fn, ref, ...) exposes both to the same background load on
    a shared machine, so their ratio is steadier than two separate series.
    """
    ref_repeats = repeats if ref_repeats is None else ref_repeats
    fn()
    a: list[float] = []
    b: list[float] = []
    for i in range(max(repeats, ref_repeats)):
        if i < repeats:
            a.append(timeit(fn, 1, warmup=0).median)
        if i < ref_repeats:
            b.append(timeit(ref, 1, warmup=0).median)
    return Stats.of(a), Stats.of(b)


@functools.cache
def _compile_bytecode() -> None:
    """Write the ``.pyc`` files of the packages, as ``pip install`` does.

    A fresh process imports graphdef from this checkout; where the environment sets
    ``PYTHONDONTWRITEBYTECODE`` (this machine's does) and nothing compiled the checkout, every
    measured process would compile each module from source first (~60 ms of a CLI
    run that users, with an installed package, never pay).
    """
    import compileall
    for pkg in ("graphdef", "cli", "benchmarks"):
        compileall.compile_dir(str(ROOT / pkg), quiet=2)


def child(task: list[str], timeout: float = 300) -> dict[str, Any]:
    """Run ``python -m benchmarks._child TASK...`` and return its JSON report.

    A fresh process per measurement gives an honest peak memory (``ru_maxrss`` of
    that process alone) and includes imports when the task is a whole CLI run.
    """
    _compile_bytecode()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "benchmarks._child", *task], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        if "SKIP:" in last:
            raise Skip(last.split("SKIP:", 1)[1].strip())
        raise RuntimeError(f"child {' '.join(task)} failed: {last}")
    report = json.loads(p.stdout.strip().splitlines()[-1])
    report["process_wall_s"] = wall
    return report


# --- formatting ---------------------------------------------------------------------
def fmt_num(x: float) -> str:
    a = abs(x)
    if a >= 1e4:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def fmt_stats(s: Stats | None, unit: str) -> str:
    if s is None:
        return "—"
    if s.n > 1:
        return f"{fmt_num(s.median)} {unit} ({fmt_num(s.min)}–{fmt_num(s.max)})"
    return f"{fmt_num(s.median)} {unit}"


def table(rows: list[tuple[str, Figure | str]]) -> str:
    """Markdown table; string rows are skipped figures (work, reason)."""
    head = ["group", "work", "graphdef: median (min–max)", "reference", "ratio gd÷ref time",
            "goal", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group, f in rows:
        if isinstance(f, str):
            lines.append(f"| {group} | {f} | skipped | | | | |")
            continue
        ref = fmt_stats(f.ref, f.unit) if f.ref is not None else ""
        if f.ref_label:
            ref = f"{ref} {f.ref_label}".strip()
        ratio = "" if f.ratio is None else f"{f.ratio:.3g}"
        met = {None: "", True: "yes", False: "**no**"}[f.met]
        work = f.work + (f" — {f.note}" if f.note else "")
        lines.append(f"| {group} | {work} | {fmt_stats(f.value, f.unit)} | {ref or '—'} | "
                     f"{ratio} | {f.goal} | {met} |")
    return "\n".join(lines)
