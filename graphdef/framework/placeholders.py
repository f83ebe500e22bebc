"""``placeholder`` and ``placeholder_with_default``: graph inputs that are fed at run time."""
from __future__ import annotations

from typing import Any

from graphdef import dtypes
from graphdef.framework.constant_op import convert_to_tensor
from graphdef.framework.graph import get_default_graph
from graphdef.framework.operation import Tensor
from graphdef.framework.tensor_shape import TensorShape


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Tensor:
    """A ``Placeholder`` (``shape=None`` means unknown rank: ``shape { unknown_rank: true }``)."""
    dt = dtypes.as_dtype(dtype)
    shp = TensorShape(shape)
    g = get_default_graph()
    with g.name_scope(name or "Placeholder") as scope:
        op = g.create_op("Placeholder", [], {"dtype": dt, "shape": shp}, name=scope,
                         output_dtypes=(dt,), output_shapes=(shp,))
    return op._out


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """A ``PlaceholderWithDefault``: ``input`` unless fed; ``shape`` may be less specific."""
    g = get_default_graph()
    shp = TensorShape(shape)
    with g.name_scope(name or "PlaceholderWithDefault") as scope:
        t = convert_to_tensor(input, name="input")
        if not shp.is_compatible_with(t.shape):
            raise ValueError(f"Shape {t.shape} of the default is not compatible with {shp}"
                             f" for '{scope[:-1]}' (op: 'PlaceholderWithDefault').")
        dt = t.dtype.base_dtype
        op = g.create_op("PlaceholderWithDefault", [t], {"dtype": dt, "shape": shp}, name=scope,
                         output_dtypes=(dt,), output_shapes=(shp,))
    return op._out


__all__ = ["placeholder", "placeholder_with_default"]
