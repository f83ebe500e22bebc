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
