"""The lazy-loading guard and ``lazy_property`` (the seed lecture's lesson).

Lazy loading is building an op inside the loop that runs it (``sess.run(tf.add(x, y))``
ten times adds ``Add`` … ``Add_9``): the graph grows on every step. ``Session.run`` calls
``Graph._session_run_hook``; when the ops added since the previous run have the same
structure run after run, we warn once, naming the series and the fix.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

#: Consecutive structurally identical growths before the warning (the seed's loop runs 10 times).
LAZY_LOADING_THRESHOLD = 10


class LazyLoadingWarning(UserWarning):
    """The graph keeps growing with identical nodes between ``Session.run`` calls."""


class _LazyState:
    __slots__ = ("seen", "signature", "series", "warned")

    def __init__(self) -> None:
        self.seen = 0
        self.signature: Any = None
        self.series: list[str] = []
        self.warned = False


def _batch_signature(ops: list) -> tuple:
    """Structure of a batch of new ops: types, attrs (not Const values), and inputs with
    in-batch producers replaced by their position (so ``Add_3/y`` and ``Add_4/y`` look
    the same whatever value they hold)."""
    index = {op: i for i, op in enumerate(ops)}
    sig = []
    for op in ops:
        ins = tuple((("#", index[t._op], t._value_index) if t._op in index else t.name)
                    for t in op._inputs)
        ctrl = tuple(sorted((("#", index[c]) if c in index else ("", c._name))
                            for c in op._control_inputs))
        # Structure, not data: a Const's value may differ from step to step.
        attrs = tuple(sorted((k, v.SerializeToString(deterministic=True))
                             for k, v in op._attrs.items()
                             if k != "_class" and not (k == "value" and op._type == "Const")))
        sig.append((op._type, ins, ctrl, attrs, op._device))
    return tuple(sig)


def check_growth(graph: Any) -> None:
    """Compare the ops added since the last run with the previous growth; warn once."""
    state = graph._lazy_state
    if state is None:
        state = graph._lazy_state = _LazyState()
        state.seen = len(graph._ops)
        return
    start = state.seen
    new = graph._ops[start:]
    state.seen = len(graph._ops)
    if state.warned or not new:
        return
    sig = _batch_signature(new)
    if sig == state.signature:
        state.series.append(new[-1].name)
    else:
        first_growth = state.signature is None
        state.signature = sig
        state.series = [new[-1].name]
        if first_growth and start >= len(new):
            # The first run may already have included the loop's first copy (a loop with
            # no run before it): look one block back.
            before = graph._ops[start - len(new):start]
            if _batch_signature(before) == sig:
                state.series.insert(0, before[-1].name)
        return
    if len(state.series) >= LAZY_LOADING_THRESHOLD:
        state.warned = True
        first, last = state.series[0], state.series[-1]
        warnings.warn(
            f"Lazy loading: the graph grew by the same {len(new)} node(s) on each of the last"
            f" {len(state.series)} Session.run calls ({first} … {last}, op"
            f" {new[-1].type}). An op created inside the loop that runs it is added to the"
            " graph again on every step. Build it once before the loop and run that tensor"
            " (or create it in a @graphdef.lazy_property).",
            LazyLoadingWarning, stacklevel=4)


def lazy_property(function: Callable[[Any], Any]) -> property:
    """A property computed on first access and then cached on the instance: the seed's
    "use a Python property so the op is created once", for model classes whose
    ``prediction``/``optimize`` build ops."""
    attribute = "_cache_" + function.__name__

    @property  # type: ignore[misc]
    @functools.wraps(function)
    def decorator(self: Any) -> Any:
        try:
            return getattr(self, attribute)
        except AttributeError:
            value = function(self)
            setattr(self, attribute, value)
            return value

    return decorator


__all__ = ["LazyLoadingWarning", "lazy_property"]
