"""Running one command over several files: worker processes, a progress bar on a
terminal, and per-file failures that do not stop the others.

A command describes the work on one file as a picklable function returning a
:class:`FileResult` (text for stdout and stderr, an exit status); this module runs
those functions in parallel and prints the results in input order. A file that
fails is reported on stderr as one line and the rest go on; the batch exits with
the worst status: 2 if any file failed, else 1 if any reported differences.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import click

from graphdef_cli.common import EXIT_BAD, error_message


@dataclass
class FileResult:
    """What one file produced: text for stdout/stderr and an exit status."""

    path: str
    out: str = ""
    err: str = ""
    status: int = 0


def run_one(fn: Callable[..., FileResult], path: str, kwargs: dict[str, Any]) -> FileResult:
    """Call ``fn(path, **kwargs)``; any graphdef/OS error becomes a failed result whose
    stderr is the one-line error (never a traceback)."""
    try:
        return fn(path, **kwargs)
    except Exception as e:  # noqa: BLE001 - every failure is reported, the batch goes on
        msg = error_message(e)
        if msg is None:
            msg = f"{path}: internal error: {type(e).__name__}: {e}"
        return FileResult(path, err=f"graphdef: error: {msg}\n", status=EXIT_BAD)


def stderr_is_tty() -> bool:
    """Whether to draw a progress bar (a function so tests can pretend)."""
    return sys.stderr.isatty()


def jobs_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                        help="Worker processes for several files (default: CPU count).")(fn)


def run_batch(fn: Callable[..., FileResult], paths: Sequence[str], kwargs: dict[str, Any],
              jobs: int | None = None, label: str = "graphs") -> list[FileResult]:
    """Run ``fn`` on every path (in worker processes when there are several and more
    than one job), showing a progress bar when stderr is a terminal."""
    paths = list(paths)
    jobs = jobs or min(len(paths), os.cpu_count() or 1)
    show_bar = stderr_is_tty() and len(paths) > 1
    results: list[FileResult | None] = [None] * len(paths)
    bar = click.progressbar(length=len(paths), label=label, file=sys.stderr) if show_bar else None
    if bar is not None and hasattr(bar, "_is_atty"):
        # we decided above; click checks the stream again and would print only the label
        bar._is_atty = True
    try:
        if bar is not None:
            bar.__enter__()
        if jobs <= 1 or len(paths) <= 1:
            for k, p in enumerate(paths):
                results[k] = run_one(fn, p, kwargs)
                if bar is not None:
                    bar.update(1)
        else:
            # imported here: multiprocessing costs every single-file run ~10-20 ms to import
            from concurrent.futures import ProcessPoolExecutor, as_completed
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(run_one, fn, p, kwargs): k for k, p in enumerate(paths)}
                for f in as_completed(futures):
                    k = futures[f]
                    try:
                        results[k] = f.result()
                    except Exception as e:  # a worker died (killed, out of memory)
                        results[k] = FileResult(paths[k], err=f"graphdef: error: {paths[k]}: "
                                                f"worker failed: {e}\n", status=EXIT_BAD)
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return [r for r in results if r is not None]


def emit(results: Sequence[FileResult], color: bool | None = None) -> int:
    """Print results in order; return the batch's exit status."""
    status = 0
    for r in results:
        if r.out:
            click.echo(r.out, nl=not r.out.endswith("\n"), color=color)
        if r.err:
            click.echo(r.err, nl=not r.err.endswith("\n"), err=True)
        status = max(status, r.status)
    return status
