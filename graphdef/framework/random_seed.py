"""Graph-level and op-level random seeds (``tf.compat.v1.set_random_seed`` / ``get_seed``).

Random op functions call ``get_seed(seed)`` for their ``seed``/``seed2`` attrs, which is
how TF makes a graph seed give reproducible, yet per-op different, random streams.
"""
from __future__ import annotations

from graphdef.framework.graph import get_default_graph

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def _truncate_seed(seed: int) -> int:
    return seed % _MAXINT32  # TF truncates seeds to fit in an int32


def set_random_seed(seed: int | None) -> None:
    """Set the default graph's seed (``None`` clears it)."""
    get_default_graph().seed = seed


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """``(seed, seed2)`` for an op, as TF's ``random_seed.get_seed``: the graph seed with
    the op seed (or the graph's last op id), ``(DEFAULT_GRAPH_SEED, op_seed)`` with only an
    op seed, ``(None, None)`` with neither; never ``(0, 0)``."""
    g = get_default_graph()
    global_seed = g.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(g._ops)  # TF: graph._last_id
        seeds: tuple = (_truncate_seed(global_seed), _truncate_seed(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate_seed(op_seed))
    else:
        seeds = (None, None)
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


__all__ = ["set_random_seed", "get_seed"]
