"""Every shared frozen model runs from its .pb and its .pbtxt, fed ``x`` from its .npz,
and matches TensorFlow's ``y`` within the models README's tolerance."""
from __future__ import annotations

import numpy as np
import pytest

import graphdef
from graphdef.runtime import Session, run_graph
from graphdef.runtime.graph_view import view_of
from graphdef.runtime.plan import build_plan

from conftest import MODELS_DIR, model_names

CASES = [(m, ext) for m in model_names() for ext in ("pb", "pbtxt")]


def _io(model: str) -> tuple[str, str, np.ndarray, np.ndarray]:
    inp, out = (MODELS_DIR / f"{model}.io").read_text().split()
    z = np.load(MODELS_DIR / f"{model}.npz")
    return inp, out, z["x"], z["y"]


@pytest.mark.parametrize("model,ext", CASES, ids=[f"{m}.{e}" for m, e in CASES])
def test_model_matches_tensorflow(model, ext):
    inp, out, x, y = _io(model)
    g = graphdef.load(MODELS_DIR / f"{model}.{ext}")
    got, = run_graph(g, [out], {inp: x})
    assert got.dtype == y.dtype and got.shape == y.shape
    assert np.allclose(got, y, rtol=1e-4, atol=1e-5), float(np.abs(got - y).max())


@pytest.mark.parametrize("model", model_names())
def test_model_without_constant_folding(model):
    """Folding is an optimisation only: the plain plan gives the same numbers."""
    inp, out, x, y = _io(model)
    g = graphdef.load(MODELS_DIR / f"{model}.pb")
    name, idx = out.split(":")
    iname, iidx = inp.split(":")
    plan = build_plan(view_of(g), [(name, int(idx))], [], [(iname, int(iidx))], fold=False)
    assert np.allclose(plan.fn(x), y, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("model", model_names())
def test_model_other_batch_sizes_and_repeat_runs(model):
    inp, out, x, y = _io(model)
    with Session(graphdef.load(MODELS_DIR / f"{model}.pb")) as s:
        first = s.run(out, {inp: x[:1]})
        assert np.allclose(first, y[:1], rtol=1e-4, atol=1e-5)
        for _ in range(3):  # the cached plan gives the same answer every time
            assert np.allclose(s.run(out, {inp: x}), y, rtol=1e-4, atol=1e-5)
