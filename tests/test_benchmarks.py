"""The benchmark suite runs (smallest pieces of --quick) and reports sane figures.

No timing assertions here: speed goals live in the suite's table, not in tests.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import harness, run  # noqa: E402


def test_stats_and_ratio():
    s = harness.Stats.of([3.0, 1.0, 2.0])
    assert (s.median, s.min, s.max, s.n) == (2.0, 1.0, 3.0, 3)
    rate = s.scaled(lambda t: 6.0 / t)  # seconds -> rate flips min and max
    assert (rate.median, rate.min, rate.max) == (3.0, 2.0, 6.0)
    f = harness.Figure("w", "MB/s", harness.Stats.of([10.0]), True, harness.Stats.of([2.0]),
                       goal_check=lambda f: f.ratio <= 0.2)
    assert f.ratio == pytest.approx(0.2) and f.met
    t = harness.Figure("w", "s", harness.Stats.of([1.0]), False, harness.Stats.of([4.0]))
    assert t.ratio == pytest.approx(0.25) and t.met is None


def test_every_benchmark_is_registered_once():
    names = [fn.__name__ for _, fn in harness.REGISTRY]
    assert len(names) == len(set(names))
    assert {"pbtxt_read", "pbtxt_write", "pb_read_write", "lazy_loading_loop", "mlp_builder",
            "session_run_overhead", "shared_models", "show", "diff", "dedupe"} <= set(names)


@pytest.mark.parametrize("only", ["pbtxt_read", "pbtxt_write", "session_run_overhead"])
def test_quick_pieces_run(only: str):
    rows, _ = run.run(quick=True, only=only, log=lambda s: None)
    assert rows
    for _, f in rows:
        assert not (isinstance(f, str) and ": failed:" in f), f
        if isinstance(f, harness.Figure):
            assert f.value is not None and f.value.median > 0
            assert f.value.min <= f.value.median <= f.value.max
    assert "| " in harness.table(rows)


def test_main_writes_json(tmp_path: Path, capsys):
    out = tmp_path / "bench.json"
    assert run.main(["--quick", "--only", "pb_read_write", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["quick"] is True and doc["machine"]["cpus"]
    fig = doc["figures"][0]
    assert fig["unit"] == "MB/s" and fig["graphdef"]["median"] > 0 and fig["reference"]["median"] > 0
    assert "| read/write |" in capsys.readouterr().out
