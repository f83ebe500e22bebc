"""Python operators on ``Tensor`` (``+ - * / // % ** @``, comparisons, ``& | ^ ~``,
``abs``, unary ``-``, indexing), installed as TensorFlow's ``math_ops`` does with
``Tensor._override_operator``.

Binary operators open a scope named after the operator (``add``, ``mul``, ``truediv``...);
a Python operand on the right becomes ``add/y`` via the op, a reflected one (``1.0 + a``)
``add/x``, converted to the tensor's dtype first.
"""
from __future__ import annotations

from typing import Any

from graphdef import dtypes
from graphdef.ops import array_ops, math_ops
from graphdef.ops.op_def import _fw, apply_op, convert


def _add(x: Any, y: Any, name: str | None = None):
    return apply_op(math_ops.ADD_OP, name, [x, y])


def _mul(x: Any, y: Any, name: str | None = None):
    return apply_op("Mul", name, [x, y])


def _sub(x: Any, y: Any, name: str | None = None):
    return apply_op("Sub", name, [x, y])


def _floormod(x: Any, y: Any, name: str | None = None):
    return apply_op("FloorMod", name, [x, y])


def _and(x: Any, y: Any, name: str | None = None):
    if x.dtype == dtypes.bool:
        return apply_op("LogicalAnd", name, [x, y])
    return apply_op("BitwiseAnd", name, [x, y])


def _or(x: Any, y: Any, name: str | None = None):
    if x.dtype == dtypes.bool:
        return apply_op("LogicalOr", name, [x, y])
    return apply_op("BitwiseOr", name, [x, y])


def _xor(x: Any, y: Any, name: str | None = None):
    if x.dtype == dtypes.bool:
        return math_ops.logical_xor(x, y, name)
    return apply_op("BitwiseXor", name, [x, y])


def _invert(x: Any, name: str | None = None):
    if x.dtype == dtypes.bool:
        return apply_op("LogicalNot", name, [x])
    return apply_op("Invert", name, [x])


def _binary(func, op_name: str, own_scope: bool = True):
    """Forward and reflected wrappers. ``own_scope``: ``func`` opens ``name_scope(name)``
    before creating any node, so passing the operator's name gives the same names as
    TensorFlow's wrapper scope without opening it twice (the building hot path)."""
    def binary_op_wrapper(x, y):
        if own_scope:
            return func(x, y, name=op_name)
        fw = _fw()
        with fw.name_scope(None, op_name, [x, y]) as name:
            return func(x, y, name=name)

    def r_binary_op_wrapper(y, x):
        fw = _fw()
        with fw.name_scope(None, op_name, [x, y]) as name:
            x = convert(x, dtype=y.dtype.base_dtype, name="x")
            return func(x, y, name=name)

    return binary_op_wrapper, r_binary_op_wrapper


_BINARY = [
    ("add", _add), ("sub", _sub), ("mul", _mul), ("truediv", math_ops._truediv),
    ("floordiv", math_ops.floordiv), ("mod", _floormod), ("pow", math_ops.pow),
    ("matmul", math_ops.matmul), ("and", _and), ("or", _or), ("xor", _xor),
]


def _getitem(tensor: Any, slice_spec: Any):
    return array_ops._slice_helper(tensor, slice_spec)


def install(cls: Any = None) -> None:
    """Install the operators on the framework's ``Tensor`` (idempotent)."""
    if cls is None:
        cls = _fw().Tensor
    override = getattr(cls, "_override_operator", None)

    def put(op: str, fn: Any) -> None:
        if override is not None:
            override(op, fn)
        else:
            setattr(cls, op, fn)

    for op_name, func in _BINARY:
        fwd, rev = _binary(func, op_name, own_scope=op_name != "xor")
        put(f"__{op_name}__", fwd)
        put(f"__r{op_name}__", rev)
    put("__div__", _binary(math_ops._truediv, "div")[0])
    put("__neg__", lambda x: apply_op("Neg", None, [x]))
    put("__abs__", lambda x: math_ops.abs(x))
    put("__invert__", lambda x: _invert(x))
    put("__lt__", lambda x, y: apply_op("Less", None, [x, y]))
    put("__le__", lambda x, y: apply_op("LessEqual", None, [x, y]))
    put("__gt__", lambda x, y: apply_op("Greater", None, [x, y]))
    put("__ge__", lambda x, y: apply_op("GreaterEqual", None, [x, y]))
    put("__getitem__", _getitem)
