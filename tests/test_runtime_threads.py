"""The opt-in BLAS thread control: set, read back, restore; results unchanged."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.runtime.threads import blas_threads, get_blas_threads, set_blas_threads


def test_blas_threads_context_restores():
    before = get_blas_threads()
    if before is None:
        pytest.skip("numpy's BLAS is not a known OpenBLAS build")
    a = np.random.RandomState(0).rand(64, 64)
    want = a @ a
    with blas_threads(1) as ok:
        assert ok and get_blas_threads() == 1
        np.testing.assert_allclose(a @ a, want)
    assert get_blas_threads() == before
    assert set_blas_threads(before)


def test_session_runs_blas_plans_with_configured_threads():
    from graphdef.runtime import Session
    from graphdef.runtime.kernels import REGISTRY, KernelDef
    from test_kernels_state import gd, node
    before = get_blas_threads()
    if before is None:
        pytest.skip("numpy's BLAS is not a known OpenBLAS build")
    seen = []
    REGISTRY["TestSeeThreads"] = KernelDef(("TestSeeThreads",), lambda x: seen.append(get_blas_threads()) or x)
    try:
        g = gd(node("a", "Placeholder", dtype="type: DT_FLOAT")
               + node("m", "MatMul", "a", "a", T="type: DT_FLOAT")
               + node("t", "TestSeeThreads", "m"))
        x = np.ones((2, 2), np.float32)
        set_blas_threads(2)
        with Session(g) as s:
            assert s.run("t:0", {"a:0": x}).tolist() == [[2, 2], [2, 2]]
        with Session(g, config={"intra_op_parallelism_threads": 2}) as s:
            s.run("t:0", {"a:0": x})
        assert seen == [1, 2]
        assert get_blas_threads() == 2          # restored after each run
    finally:
        del REGISTRY["TestSeeThreads"]
        set_blas_threads(before)
