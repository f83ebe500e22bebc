"""Whether the compiled kernel loops (``jit.py``, numba) are used.

numba is an optional dependency: without it — or with ``GRAPHDEF_JIT=0`` in the
environment, or :data:`ENABLED` set False — every kernel runs its numpy code, which
gives the same results up to float rounding.

Loading the loops costs a process ~0.75 s (numba's import, LLVM's start, reading the
cached machine code), far more than a model's first run saves, so a kernel switches
to them only on its call number :data:`WARM_CALLS` + 1 (:func:`loops_for`): a one-shot
``graphdef run`` never loads numba, a ``Session.run`` loop pays the load once, in its
third call, and runs the fast loops from then on.
"""
from __future__ import annotations

import os
from types import ModuleType

ENV = "GRAPHDEF_JIT"
# Set False to force the numpy kernels (asked on every kernel call; tests compare the two).
ENABLED = os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")

# Calls a kernel makes with numpy before it asks for the compiled loops.
WARM_CALLS = 2

_loaded: ModuleType | None | bool = False


def loops() -> ModuleType | None:
    """The ``jit`` module, or None when the compiled loops are off or unavailable."""
    global _loaded
    if not ENABLED:
        return None
    if _loaded is False:
        try:
            from graphdef.runtime.kernels import jit
        except Exception:   # numba missing (ImportError) or unusable here: e.g. no writable
            _loaded = None  # cache directory for cache=True (RuntimeError at decoration)
        else:
            _loaded = jit
    return _loaded  # type: ignore[return-value]


def loops_for(calls: int) -> ModuleType | None:
    """:func:`loops` for a kernel that has run ``calls`` times before (None while it is
    still within its first :data:`WARM_CALLS` calls)."""
    return loops() if calls >= WARM_CALLS else None
