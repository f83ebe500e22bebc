"""``identity``, ``no_op``, ``group``, ``tuple``, ``with_dependencies`` as TF1 builds them.

``group`` makes one NoOp named ``group_deps`` whose control inputs are the grouped ops
(a two-level tree when they sit on several devices); ``tuple`` gates each tensor behind a
``tuple/group_deps`` NoOp with colocated ``tuple/control_dependency`` Identities.
"""
from __future__ import annotations

import builtins
from typing import Any

from graphdef.framework.constant_op import convert_to_tensor
from graphdef.framework.graph import get_default_graph, get_graph_from_inputs, name_scope
from graphdef.framework.operation import Operation, Tensor


def _flatten(values: Any) -> list:
    out: list = []
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(reversed([v[k] for k in sorted(v)]))
        elif isinstance(v, (list, builtins.tuple)):
            stack.extend(reversed(v))
        else:
            out.append(v)
    return out


def identity(input: Any, name: str | None = None) -> Tensor:  # noqa: A002 - TF's name
    """An ``Identity`` of ``input`` (a variable is read through its snapshot)."""
    if isinstance(input, Tensor):
        g = input._op._graph
        t = input
        with g.name_scope(name or "Identity") as scope:
            return _identity_op(g, t, scope)
    g = get_graph_from_inputs([input])
    with g.as_default(), g.name_scope(name or "Identity") as scope:
        t = convert_to_tensor(input, name="input")
        return _identity_op(g, t, scope)


def _identity_op(g: Any, t: Tensor, scope: str, op_type: str = "Identity") -> Tensor:
    base = t._dtype.base_dtype
    out = t._dtype if op_type == "RefIdentity" else base
    return g.create_op(op_type, [t], {"T": base}, name=scope, output_dtypes=(out,),
                       output_shapes=(t._shape,))._out


def no_op(name: str | None = None) -> Operation:
    """A ``NoOp`` (default name ``NoOp``)."""
    g = get_default_graph()
    with g.name_scope(name or "NoOp") as scope:
        return g.create_op("NoOp", [], name=scope)


def _group_control_deps(dev: str | None, deps: list, name: str | None = None) -> Operation:
    g = get_default_graph()
    with g.control_dependencies(deps):
        if dev is None:
            return no_op(name=name)
        with g.device(dev):
            return no_op(name=name)


def group(*inputs: Any, **kwargs: Any) -> Operation:
    """A NoOp (``group_deps``) that runs after all ``inputs`` (ops or tensors)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError("Unknown keyword arguments: " + ", ".join(kwargs))
    flat = _flatten(list(inputs))
    with name_scope(name, "group_deps", flat) as scope:
        if not flat:
            return no_op(name=scope)
        on_device: dict[Any, list] = {}
        for inp in flat:
            if not hasattr(inp, "device"):
                raise TypeError(f"'inputs' should be zero or more (nested) Tensors. Received"
                                f" '{inp}' with type '{type(inp)}'.")
            on_device.setdefault(inp.device, []).append(inp)
        if len(on_device) == 1:
            (dev, deps), = on_device.items()
            return _group_control_deps(dev, deps, name=scope)
        deps = [_group_control_deps(dev, on_device[dev])
                for dev in sorted(on_device, key=lambda d: "" if d is None else d)]
        with get_default_graph().control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies: Any, output_tensor: Tensor, name: str | None = None) -> Tensor:
    """``output_tensor`` through an Identity that runs after ``dependencies``."""
    deps = list(dependencies)
    with name_scope(name, "control_dependency", deps + [output_tensor]) as scope:
        g = get_default_graph()
        with g.colocate_with(output_tensor), g.control_dependencies(deps):
            t = convert_to_tensor(output_tensor)
            op_type = "RefIdentity" if t._dtype.is_ref_dtype else "Identity"
            with g.name_scope(scope) as s2:
                return _identity_op(g, t, s2, op_type)


def tuple(tensors: Any, name: str | None = None, control_inputs: Any = None) -> list:  # noqa: A001
    """The tensors, each gated to run after all of them (TF's ``tf.tuple``)."""
    tensors = list(tensors)
    with name_scope(name, "tuple", tensors) as scope:
        tensors = [t if (isinstance(t, (Operation, Tensor)) or t is None) else convert_to_tensor(t)
                   for t in tensors]
        gating = [t if isinstance(t, Operation) else t.op for t in tensors if t is not None]
        for c in control_inputs or ():
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                raise TypeError(f"'control_inputs' must only contain Operation or Tensor."
                                f" Received: {type(c)}")
            gating.append(c)
        gating = sorted(set(gating), key=lambda op: op._id)
        if not gating:
            raise ValueError(f"'tensors' must have at least one Tensor, but got {tensors}.")
        gate = group(*gating)
        out: list = []
        g = get_default_graph()
        for t in tensors:
            if isinstance(t, Tensor):
                out.append(with_dependencies([gate], t))
            elif isinstance(t, Operation):
                with g.control_dependencies([gate]):
                    out.append(group(t))
            else:
                out.append(None)
        del scope
        return out


__all__ = ["identity", "no_op", "group", "tuple", "with_dependencies"]
