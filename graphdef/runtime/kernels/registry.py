"""The kernel registry: op type → how to build the callable that computes it.

A kernel is registered once with ``@kernel("Add", "AddV2")`` (a duplicate
registration is an error, so two modules can never silently fight over an op).
Plain kernels are called with the node's input values; ``factory=True`` kernels
receive a :class:`KernelContext` when the plan is built, decode the node's attrs
once, and return the callable the hot loop uses — so attr decoding never happens
per call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from graphdef import dtypes
from graphdef.errors import InvalidArgumentError
from graphdef.tensors import shape_to_list, to_ndarray


class _Dead:
    """The value of a tensor on an untaken branch of a v1 ``cond`` (TF's dead tensor)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEAD"


DEAD = _Dead()


@dataclass(frozen=True)
class KernelDef:
    """How one op type runs.

    Attributes:
        ops: the op types served.
        fn: the kernel (plain) or the factory (``factory=True``).
        factory: ``fn(ctx)`` returns the callable instead of being it.
        num_outputs: an int, or ``fn(ctx) -> int`` for ops such as Split.
        ref_inputs: input positions that take a variable reference (Assign's ``ref``)
            rather than its value, so the plan does not read the variable.
        takes_dead: the kernel sees dead inputs itself (Merge) instead of being skipped.
        ref_output: the outputs are variable references (VariableV2, RefSwitch).
        stateful: reads or writes session state or routes control, so the plan never
            evaluates it ahead of time (constant folding).
    """

    ops: tuple[str, ...]
    fn: Callable[..., Any]
    factory: bool = False
    num_outputs: int | Callable[["KernelContext"], int] = 1
    ref_inputs: tuple[int, ...] = ()
    takes_dead: bool = False
    ref_output: bool = False
    stateful: bool = False


REGISTRY: dict[str, KernelDef] = {}


def kernel(*ops: str, factory: bool = False, num_outputs: Any = 1, ref_inputs: tuple[int, ...] = (),
           takes_dead: bool = False, ref_output: bool = False,
           stateful: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the kernel of ``ops``."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        kd = KernelDef(tuple(ops), fn, factory, num_outputs, tuple(ref_inputs), takes_dead, ref_output,
                       stateful or takes_dead or ref_output or bool(ref_inputs))
        for op in ops:
            if op in REGISTRY:
                raise RuntimeError(f"kernel for op {op!r} registered twice "
                                   f"({REGISTRY[op].fn.__module__} and {fn.__module__})")
            REGISTRY[op] = kd
        return fn
    return deco


def lookup(op: str) -> KernelDef | None:
    return REGISTRY.get(op)


def registered_ops() -> list[str]:
    return sorted(REGISTRY)


# --------------------------------------------------------------------------
# attrs
# --------------------------------------------------------------------------

def _list_value(lv: Any) -> list[Any]:
    for f in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
        vals = getattr(lv, f)
        if len(vals):
            if f == "shape":
                return [shape_to_list(s) for s in vals]
            if f == "tensor":
                return [to_ndarray(t) for t in vals]
            return list(vals)
    return []


def decode_attr(av: Any) -> Any:
    """An AttrValue as a Python value (ints, floats, bytes, type enums, shapes as lists)."""
    which = av.WhichOneof("value")
    if which is None:
        return None
    if which == "list":
        return _list_value(av.list)
    if which == "shape":
        return shape_to_list(av.shape)
    if which == "tensor":
        return to_ndarray(av.tensor)
    return getattr(av, which)  # "func" stays a NameAttrList (its .name is the function)


@dataclass
class KernelContext:
    """What a kernel factory may know about its node when the plan is built.

    Attributes:
        node: the NodeDef.
        state: the session's variable store (dict), shared by the state kernels.
        consts: for each data input, its value when it is a Const that is not fed, else None.
        library: the graph's function library, for PartitionedCall/If/While.
    """

    node: Any
    state: dict[str, Any] = field(default_factory=dict)
    consts: list[Any] = field(default_factory=list)
    library: Any = None   # the graph's FunctionDefLibrary (function-calling ops)

    @property
    def name(self) -> str:
        return self.node.name

    def has_attr(self, name: str) -> bool:
        return name in self.node.attr

    def attr(self, name: str, default: Any = None) -> Any:
        a = self.node.attr
        if name not in a:
            return default
        v = decode_attr(a[name])
        return default if v is None else v

    def np_dtype(self, name: str, default: Any = None) -> Any:
        """The numpy dtype of a type attr (``T``, ``DstT``, ``out_type`` ...)."""
        a = self.node.attr
        if name not in a:
            if default is None:
                raise InvalidArgumentError(self.node, None, f"missing attr '{name}'")
            return np.dtype(default)
        return np.dtype(dtypes.as_dtype(a[name].type).base_dtype.as_numpy_dtype)

    def const(self, i: int) -> Any:
        return self.consts[i] if i < len(self.consts) else None

    def fail(self, message: str) -> InvalidArgumentError:
        return InvalidArgumentError(self.node, None, message)
