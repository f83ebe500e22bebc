"""TensorFlow conformance: every program of the public conformance set, run under
graphdef with ``run_program.py``, must give TensorFlow's graph (node for node) and
TensorFlow's results, judged by the set's own ``compare.py`` rules."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import CONFORMANCE, ROOT

PROGRAMS = sorted((CONFORMANCE / "programs").glob("t*.py"))
NAMES = [p.stem for p in PROGRAMS]

# Programs not yet conformant: (graph, results) pairs marked xfail(strict) so a fix is noticed.
KNOWN_GRAPH_DIFF: set[str] = set()
KNOWN_RESULT_DIFF: set[str] = set()


def _compare_module():
    spec = importlib.util.spec_from_file_location("gd_conformance_compare", CONFORMANCE / "compare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def conformance_run(tmp_path_factory):
    """Run every program once (in parallel subprocesses); return (outdir, logs)."""
    out = tmp_path_factory.mktemp("conformance")
    env = dict(os.environ, PYTHONWARNINGS="ignore")

    def run(prog: Path):
        r = subprocess.run([sys.executable, str(CONFORMANCE / "run_program.py"), "graphdef",
                            str(prog), str(out)], cwd=ROOT, capture_output=True, text=True,
                           env=env, timeout=300)
        return prog.stem, r.returncode, r.stdout + r.stderr

    with ThreadPoolExecutor(max_workers=2) as ex:
        logs = {name: (rc, text) for name, rc, text in ex.map(run, PROGRAMS)}
    return out, logs, _compare_module()


def _mark(name: str, known: set[str]):
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="known gap")) \
        if name in known else name


@pytest.mark.parametrize("name", [_mark(n, KNOWN_GRAPH_DIFF) for n in NAMES])
def test_graph_identical(conformance_run, name):
    out, logs, cmp = conformance_run
    rc, log = logs[name]
    ours_path = out / f"{name}.pbtxt"
    assert ours_path.exists(), f"program failed (rc={rc}):\n{log[-3000:]}"
    gold = cmp.load(str(CONFORMANCE / "golden" / f"{name}.pbtxt"))
    ours = cmp.load(str(ours_path))
    probs = []
    if len(gold.node) != len(ours.node):
        probs.append(f"{len(ours.node)} nodes, want {len(gold.node)}")
    for n, m in zip(gold.node, ours.node):
        d = cmp.node_diff(n, m)
        if d:
            probs.append(f"{n.name}: " + "; ".join(d))
    assert not probs, "\n".join(probs[:20])


@pytest.mark.parametrize("name", [_mark(n, KNOWN_RESULT_DIFF) for n in NAMES])
def test_results_equal(conformance_run, name):
    out, logs, cmp = conformance_run
    rc, log = logs[name]
    ours_path = out / f"{name}.json"
    assert ours_path.exists(), f"program failed (rc={rc}):\n{log[-3000:]}"
    gold = json.loads((CONFORMANCE / "golden" / f"{name}.json").read_text())
    ours = json.loads(ours_path.read_text())
    assert cmp.values_equal(gold, ours), f"ours: {json.dumps(ours)[:2000]}\ngold: {json.dumps(gold)[:2000]}"
