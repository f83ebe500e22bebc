"""What a fed value must look like (the tensor's dtype and static shape) and the
conversion TF applies to it; the one place feed errors are raised."""
from __future__ import annotations

from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.errors import FeedTypeError, InvalidFeedError
from graphdef.runtime.graph_view import _shape_str
from graphdef.tensors import shape_to_list

_PLACEHOLDERS = frozenset({"Placeholder", "PlaceholderV2", "_Arg"})


class FeedSpec:
    """What a fed value must look like: the tensor's dtype and static shape (when known)."""

    __slots__ = ("name", "node", "dtype", "shape")

    def __init__(self, name: str, node: Any, dtype: Any, shape: list[int] | None) -> None:
        self.name, self.node, self.dtype, self.shape = name, node, dtype, shape

    def convert(self, value: Any) -> Any:
        dt = self.dtype
        a = value if type(value) is np.ndarray else np.asarray(value)
        if dt is not None and a.dtype != dt:
            if dt.kind == "O":
                if a.dtype.kind not in "OSU":
                    raise FeedTypeError(self.node, None, f"cannot feed a {a.dtype} value to string tensor '{self.name}'")
                a = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(a) \
                    if a.size else a.astype(object)
            elif a.dtype.kind in "OSU" or not np.can_cast(a.dtype, dt, "same_kind"):
                raise FeedTypeError(self.node, None, f"cannot feed a value of dtype {a.dtype} to tensor "
                                    f"'{self.name}' of dtype {np.dtype(dt).name}")
            else:
                a = a.astype(dt)
        sh = self.shape
        if sh is not None:
            ash = a.shape
            if len(ash) != len(sh) or any(d >= 0 and d != e for d, e in zip(sh, ash)):
                raise InvalidFeedError(self.node, None, f"Cannot feed value of shape {tuple(ash)} for Tensor "
                                       f"'{self.name}', which has shape {_shape_str(sh)}")
        return a


def output_dtype(node: Any, index: int) -> Any:
    """The numpy dtype of a node's output when its attrs say it plainly, else None."""
    a = node.attr
    if node.op == "_Arg":
        key = "T"
    elif node.op in _PLACEHOLDERS or node.op in ("PlaceholderWithDefault", "Const", "VariableV2"):
        key = "dtype"
    elif node.op == "Cast":
        key = "DstT"
    elif node.op in ("Shape", "Size"):
        key = "out_type"
    elif node.op in ("Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
                     "LogicalAnd", "LogicalOr", "LogicalNot", "IsVariableInitialized"):
        return np.dtype(bool)
    else:
        key = "T"
    if key not in a or a[key].WhichOneof("value") != "type":
        return None
    try:
        np_type = dtypes.as_dtype(a[key].type).base_dtype.as_numpy_dtype
    except Exception:  # noqa: BLE001 - an exotic type: accept any value
        return None
    return np.dtype(np_type)


def static_shape(node: Any) -> list[int] | None:
    a = node.attr
    if node.op in _PLACEHOLDERS or node.op == "PlaceholderWithDefault":
        return shape_to_list(a["shape"].shape) if "shape" in a else None
    return None


def feed_spec(node: Any, index: int, name: str) -> FeedSpec:
    return FeedSpec(name, node, output_dtype(node, index), static_shape(node))
