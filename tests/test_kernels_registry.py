"""The kernel registry: explicit, duplicate-free, and every registered op has a test case.

``run_op`` (used by every ``test_kernels_*`` file) runs one node on numpy inputs
through a real Session: inputs are fed Placeholders, so the kernel runs at call
time (not folded) and dtype/attr handling is exercised as for a loaded graph.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from graphdef import dtypes
from graphdef._proto import attr_value_pb2, graph_pb2
from graphdef.runtime import Session
from graphdef.runtime.kernels import REGISTRY, kernel, registered_ops
from graphdef.tensors import make_tensor_proto

KERNEL_TEST_MODULES = ["test_kernels_math", "test_kernels_array", "test_kernels_nn", "test_kernels_grad", "test_runtime_frames", "test_runtime_functions", "test_kernels_image",
                       "test_kernels_state"]


class T:
    """Marks a type attr value (``T=T(np.float32)``)."""

    def __init__(self, np_type: Any) -> None:
        self.enum = dtypes.as_dtype(np.dtype(np_type)).as_datatype_enum


def attr(v: Any) -> attr_value_pb2.AttrValue:
    a = attr_value_pb2.AttrValue()
    if isinstance(v, T):
        a.type = v.enum
    elif isinstance(v, bool):
        a.b = v
    elif isinstance(v, int):
        a.i = v
    elif isinstance(v, float):
        a.f = v
    elif isinstance(v, str):
        a.s = v.encode()
    elif isinstance(v, bytes):
        a.s = v
    elif isinstance(v, np.ndarray):
        a.tensor.CopyFrom(make_tensor_proto(v))
    elif isinstance(v, list):
        a.list.SetInParent()
        for x in v:
            if isinstance(x, T):
                a.list.type.append(x.enum)
            elif isinstance(x, int):
                a.list.i.append(x)
            elif isinstance(x, float):
                a.list.f.append(x)
            else:
                a.list.s.append(x if isinstance(x, bytes) else str(x).encode())
    else:
        raise TypeError(v)
    return a


def op_graph(op: str, inputs: list[Any], attrs: dict[str, Any] | None = None, n_out: int = 1,
             const_inputs: bool = False) -> tuple[graph_pb2.GraphDef, dict[str, Any]]:
    g = graph_pb2.GraphDef()
    feeds = {}
    names = []
    for i, v in enumerate(inputs):
        a = np.asarray(v)
        n = g.node.add(name=f"in{i}")
        dt = T(a.dtype if a.dtype.kind not in "SUO" else object)
        if const_inputs:
            n.op = "Const"
            n.attr["dtype"].CopyFrom(attr(dt))
            n.attr["value"].tensor.CopyFrom(make_tensor_proto(a))
        else:
            n.op = "Placeholder"
            n.attr["dtype"].CopyFrom(attr(dt))
            feeds[f"in{i}:0"] = a
        names.append(n.name)
    node = g.node.add(name="op", op=op)
    node.input.extend(names)
    attrs = dict(attrs or {})
    if "T" not in attrs and inputs:
        attrs["T"] = T(np.asarray(inputs[0]).dtype)
    for k, v in attrs.items():
        node.attr[k].CopyFrom(attr(v))
    return g, feeds


def run_op(op: str, inputs: list[Any], attrs: dict[str, Any] | None = None, n_out: int = 1,
           const_inputs: bool = False) -> Any:
    """Run one ``op`` node on ``inputs``; returns its output (a list when ``n_out > 1``)."""
    g, feeds = op_graph(op, inputs, attrs, n_out, const_inputs)
    with Session(graph=g) as s:
        if n_out == 1:
            return s.run("op:0", feeds)
        return s.run([f"op:{i}" for i in range(n_out)], feeds)


def covered_ops() -> set[str]:
    ops: set[str] = set()
    for m in KERNEL_TEST_MODULES:
        ops |= set(importlib.import_module(m).COVERED)
    return ops


def test_every_registered_kernel_has_a_test_case():
    missing = sorted(set(registered_ops()) - covered_ops())
    assert not missing, f"kernels without a test case: {missing}"


def test_covered_ops_are_registered():
    assert not covered_ops() - set(registered_ops())


def test_duplicate_registration_is_an_error():
    with pytest.raises(RuntimeError, match="registered twice"):
        kernel("Add")(lambda x, y: x)
    assert REGISTRY["Add"].fn is np.add


def test_registry_is_filled_by_family_modules():
    mods = {kd.fn.__module__ for kd in REGISTRY.values() if hasattr(kd.fn, "__module__")}
    assert any(m.endswith("kernels.conv") for m in mods)
    assert "Conv2D" in REGISTRY and "VariableV2" in REGISTRY and "Merge" in REGISTRY
