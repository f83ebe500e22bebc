"""Opt-in control of the BLAS thread count numpy's matrix products use.

Convolutions and MatMul run in the BLAS numpy ships with (OpenBLAS). On a small,
busy machine its worker threads cost more than they give for the small products a
model makes (they spin while other processes hold the cores: a MobileNet-size plan
measured 4x slower with 2 threads than with 1), so ``Session.run`` runs plans that
use BLAS with ``SESSION_BLAS_THREADS`` threads (1) — or the ``intra_op_parallelism_threads``
of the session's config — and restores the previous count afterwards. Set
``SESSION_BLAS_THREADS = None`` to leave BLAS alone. Nothing runs at import.
"""
from __future__ import annotations

import contextlib
import ctypes
import glob
import os
from typing import Any, Iterator

import numpy as np

_NAMES = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")
_GET = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads")
_lib: Any = None
_get_fn: Any = None
_set_fn: Any = None

SESSION_BLAS_THREADS: int | None = 1


def _library() -> Any:
    global _lib
    if _lib is None:
        libs_dir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
        cands = glob.glob(os.path.join(libs_dir, "*openblas*.so*")) + glob.glob(
            os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
        _lib = False
        for path in cands:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if any(hasattr(lib, n) for n in _NAMES):
                _lib = lib
                break
    return _lib


def get_blas_threads() -> int | None:
    """The BLAS thread count, or None when numpy's BLAS is not a known OpenBLAS."""
    lib = _library()
    for n in _GET if lib else ():
        if hasattr(lib, n):
            return int(getattr(lib, n)())
    return None


def set_blas_threads(n: int) -> bool:
    """Set the BLAS thread count for the whole process; False if it cannot be set."""
    lib = _library()
    for name in _NAMES if lib else ():
        if hasattr(lib, name):
            getattr(lib, name)(ctypes.c_int(int(n)))
            return True
    return False


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[bool]:
    """Run the block with ``n`` BLAS threads, then restore the previous count."""
    before = get_blas_threads()
    ok = set_blas_threads(n)
    try:
        yield ok
    finally:
        if ok and before is not None:
            set_blas_threads(before)


def _fns() -> tuple[Any, Any]:
    global _get_fn, _set_fn
    if _get_fn is None:
        lib = _library()
        g = next((getattr(lib, n) for n in _GET if lib and hasattr(lib, n)), False)
        st = next((getattr(lib, n) for n in _NAMES if lib and hasattr(lib, n)), False)
        _get_fn, _set_fn = (g, st) if g and st else (False, False)
    return _get_fn, _set_fn


def call_with_blas_threads(n: int | None, fn: Any, *args: Any) -> Any:
    """``fn(*args)`` with ``n`` BLAS threads, restoring the count after (a no-op wrapper
    when ``n`` is None or the BLAS is unknown)."""
    get, set_ = _fns() if n is not None else (False, False)
    if not get:
        return fn(*args)
    before = get()
    if before == n:
        return fn(*args)
    set_(n)
    try:
        return fn(*args)
    finally:
        set_(before)
