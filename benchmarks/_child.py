"""One measured task in a fresh process; prints a JSON report as its last line.

``python -m benchmarks._child TASK ARGS...`` with TASK one of ``summarize PATH``,
``diff A B``, ``dedupe PATH``, ``cli ARGS...``. ``seconds`` covers reading the
input(s) and the work (not the interpreter start and imports, which
``process_wall_s`` measured by the parent includes); ``peak_mb`` is this process's
peak resident memory (``VmHWM``, else ``ru_maxrss``), ``children_peak_mb`` the
largest peak of the worker processes it waited for (``graphdef diff`` forks one;
its pages shared with this process at the fork count in both), 0 if none.
"""
from __future__ import annotations

import json
import resource
import sys
import time


def _api(name: str):  # noqa: ANN202
    import graphdef
    fn = getattr(graphdef, name, None)
    if fn is None:
        sys.exit(f"SKIP: graphdef.{name} missing (tools helper in progress)")
    return fn


def _peak_mb() -> float:
    """Peak resident memory of this process in MB.

    ``VmHWM`` first: ``ru_maxrss`` survives ``exec`` on Linux, so a child started from
    a parent holding a big graph would report the parent's size.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def main(argv: list[str]) -> None:
    task, args = argv[0], argv[1:]
    import graphdef  # imports outside the timed part
    from graphdef.io import load
    if task == "cli":
        from graphdef_cli.main import cli
        t = time.perf_counter()
        try:
            cli.main(args, standalone_mode=False)
        except SystemExit as e:
            if e.code not in (0, 1, None):
                raise
        except Exception as e:  # click.UsageError: the command is not there yet
            sys.exit(f"SKIP: graphdef {' '.join(args[:1])}: {e}")
    else:
        fn = _api({"summarize": "summarize", "diff": "diff", "dedupe": "dedupe"}[task])
        t = time.perf_counter()
        graphs = [load(p) for p in args]
        fn(*graphs)
    seconds = time.perf_counter() - t
    peak_mb = _peak_mb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    kids_mb = kids / (1024 * 1024 if sys.platform == "darwin" else 1024)
    del graphdef
    sys.stdout.flush()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "children_peak_mb": kids_mb}))


if __name__ == "__main__":
    main(sys.argv[1:])
