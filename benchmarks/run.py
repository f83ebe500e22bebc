"""graphdef's speed suite: one command, one table.

    python -m benchmarks [--quick] [--json OUT] [--only SUBSTRING]
    python benchmarks/run.py [--quick] [--json OUT]

Every figure is the median of several repeats with min and max. Inputs are
generated into a temporary folder (the shared corpus and models are used when
present). TensorFlow is measured side by side when importable; otherwise the
TensorFlow figures quoted in the issues are shown as fixed references. A figure
whose API is missing is listed as skipped with the reason. ``--quick`` (used by CI
so the suite never rots) runs small sizes in well under a minute.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# importing the bench_* modules registers their benchmarks, in this order
from benchmarks import bench_build, bench_io, bench_models, bench_runtime, bench_tools  # noqa: E402
from benchmarks.harness import REGISTRY, Context, Figure, Skip, table  # noqa: E402

BENCH_MODULES = (bench_build, bench_io, bench_runtime, bench_models, bench_tools)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpus": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}
    for mod in ("numpy", "google.protobuf"):
        try:
            m = __import__(mod, fromlist=["__version__"])
            info[mod.split(".")[-1]] = m.__version__
        except Exception:  # pragma: no cover
            pass
    try:
        from google.protobuf.internal import api_implementation
        info["protobuf_backend"] = api_implementation.Type()
    except Exception:  # pragma: no cover
        pass
    return info


def run(quick: bool = False, only: str = "", log=print) -> tuple[list[tuple[str, Figure | str]], float]:
    """Run every registered benchmark; returns (rows, seconds)."""
    rows: list[tuple[str, Figure | str]] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphdef-bench-") as tmp:
        ctx = Context(quick=quick, workdir=Path(tmp), repeats=3 if quick else 5, log=log)
        for group, fn in REGISTRY:
            if only and only not in fn.__name__ and only not in group:
                continue
            t = time.perf_counter()
            try:
                figures = fn(ctx)
            except Skip as e:
                rows.append((group, f"{fn.__name__}: {e}"))
                log(f"  skipped {fn.__name__}: {e}")
                continue
            except Exception as e:  # one broken figure must not hide the others
                rows.append((group, f"{fn.__name__}: failed: {type(e).__name__}: {e}"))
                log(f"  FAILED {fn.__name__}: {type(e).__name__}: {e}")
                continue
            rows.extend((group, f) for f in figures)
            log(f"  {fn.__name__}: {len(figures)} figure(s) in {time.perf_counter() - t:.1f} s")
    return rows, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI)")
    ap.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    ap.add_argument("--only", default="", help="run benchmarks whose name or group contains this")
    args = ap.parse_args(argv)
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    rows, seconds = run(args.quick, args.only, log=lambda s: print(s, file=sys.stderr, flush=True))
    print(table(rows))
    print(f"\n{'quick' if args.quick else 'full'} run: {seconds:.0f} s")
    if args.json:
        doc = {"machine": info, "quick": args.quick, "seconds": seconds,
               "figures": [dict(group=g, **f.to_json()) if isinstance(f, Figure)
                           else {"group": g, "skipped": f} for g, f in rows]}
        Path(args.json).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    failed = [f for _, f in rows if isinstance(f, str) and ": failed:" in f]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
