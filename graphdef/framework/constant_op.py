"""``constant`` and ``convert_to_tensor``: Python/numpy values become ``Const`` nodes.

``convert_to_tensor`` consults a small registry (``register_tensor_conversion_function``)
so that variables convert to their snapshot and the ops package can add list packing,
as TF's ``tensor_conversion_registry`` does.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from graphdef import dtypes
from graphdef.framework.attrs import attr_value
from graphdef.framework.graph import get_default_graph
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import TensorShape
from graphdef.tensors import make_tensor_proto

# (priority, base types, function(value, dtype, name, as_ref) -> Tensor | NotImplemented)
_CONVERSIONS: list[tuple[int, tuple[type, ...], Callable[..., Any]]] = []
# exact type -> function, for types whose first matching registration is known (fast path)
_EXACT: dict[type, Callable[..., Any]] = {}


def register_tensor_conversion_function(base_type: Any, conversion_func: Callable[..., Any],
                                        priority: int = 100) -> None:
    """Register ``conversion_func(value, dtype=None, name=None, as_ref=False)`` for values
    of ``base_type``; lower priority runs first; it may return ``NotImplemented``."""
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    _CONVERSIONS.append((priority, types, conversion_func))
    _CONVERSIONS.sort(key=lambda e: e[0])
    _EXACT.clear()


def _shape_of_proto(proto: Any) -> TensorShape:
    return TensorShape([d.size for d in proto.tensor_shape.dim])


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
             verify_shape: bool = False) -> Tensor:
    """A ``Const`` node holding ``value`` (v1 semantics: ``shape`` may pad a short list with
    its last element). Encoding as TF's ``make_tensor_proto``."""
    if isinstance(value, (Tensor, Operation)):
        raise TypeError(f"tf.constant does not accept a Tensor ({value.name}); use tf.identity"
                        " or pass a Python/numpy value.")
    g = get_default_graph()
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
    if shape is not None and not isinstance(shape, (list, tuple)):
        shape = TensorShape(shape).as_list() if isinstance(shape, TensorShape) else \
            list(np.asarray(shape).reshape(-1))
    proto = make_tensor_proto(value, dtype=dtype, shape=shape, verify_shape=verify_shape,
                              allow_broadcast=False)
    dt = dtypes.as_dtype(proto.dtype)
    op = g.create_op("Const", [], {"value": attr_value(proto), "dtype": attr_value(dt)},
                     name=name, output_dtypes=(dt,), output_shapes=(_shape_of_proto(proto),))
    return op._out


def convert_to_tensor(value: Any, dtype: Any = None, name: str | None = None,
                      preferred_dtype: Any = None, as_ref: bool = False,
                      dtype_hint: Any = None) -> Tensor:
    """``value`` as a Tensor: tensors pass through (dtype checked), registered types convert,
    anything else becomes a ``Const`` named ``name`` (default "Const") in the current scope."""
    if type(value) is Tensor:
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value._dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name}"
                             f" for Tensor with dtype {value._dtype.name}: {value!r}")
        return value
    fn = _EXACT.get(type(value))
    if fn is not None and dtype is None and not as_ref:
        return fn(value, dtype=None, name=name, as_ref=False)
    if preferred_dtype is None:
        preferred_dtype = dtype_hint
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    elif preferred_dtype is not None:
        try:
            t = _convert(value, dtypes.as_dtype(preferred_dtype), name, as_ref, soft=True)
        except (TypeError, ValueError):
            t = None
        if t is not None:
            return t
    return _convert(value, dtype, name, as_ref, soft=False)


def _convert(value: Any, dtype: Any, name: str | None, as_ref: bool, soft: bool) -> Any:
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value._dtype):
            if soft:
                return None
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with"
                             f" dtype {value._dtype.name}: {value!r}")
        return value
    for _prio, types, fn in _CONVERSIONS:
        if isinstance(value, types):
            ret = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if ret is NotImplemented:
                continue
            if getattr(fn, "_exact_ok", False) and type(value) in types:
                _EXACT[type(value)] = fn
            if not isinstance(ret, Tensor):
                raise RuntimeError(f"Conversion function {fn!r} for type {types} returned"
                                   f" non-Tensor: {ret!r}")
            if dtype is not None and not dtype.is_compatible_with(ret._dtype):
                if soft:
                    return None
                raise RuntimeError(f"Conversion function {fn!r} for type {types} returned"
                                   f" incompatible dtype: requested = {dtype.name}, actual ="
                                   f" {ret._dtype.name}")
            return ret
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype!r}, name={name!r}, as_ref={as_ref})")
    return constant(value, dtype=dtype, name=name or "Const")


def convert_n_to_tensor(values: Any, dtype: Any = None, name: str | None = None,
                        preferred_dtype: Any = None) -> list[Tensor]:
    return [convert_to_tensor(v, dtype, None if name is None else f"{name}_{i}", preferred_dtype)
            for i, v in enumerate(values)]


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_graph_element") and hasattr(x, "dtype")


__all__ = ["constant", "convert_to_tensor", "convert_n_to_tensor",
           "register_tensor_conversion_function", "is_tensor"]
