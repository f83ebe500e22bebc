"""Generated lazy-loading graphs of any size, for tests and benchmarks.

``lazy_loading_graph(n)`` is what the seed's lazy-loading loop leaves behind when
it runs ``n`` times: two variables and their initializer, then per iteration a
fresh copy of the loop body: ``Add_i = x + y``, a constant ``mul_i/y`` and
``mul_i = Add_i * mul_i/y``. All copies are structurally identical, so ``dedupe``
keeps exactly one body (3 nodes) and the 9 variable/initializer nodes.

The graph is assembled as bytes (one serialized NodeDef per node) and parsed
once, which is much faster than adding a million messages one by one.
"""
from __future__ import annotations

from graphdef._proto import graph_pb2, node_def_pb2, types_pb2
from graphdef.io.wire import encode_varint as _varint
from graphdef.tensors import make_shape_proto, make_tensor_proto

PRODUCER = 2474


def _field(b: bytes) -> bytes:
    return b"\x0a" + _varint(len(b)) + b


def _variable(name: str, value: int) -> list[node_def_pb2.NodeDef]:
    t = types_pb2.DT_INT32
    c = node_def_pb2.NodeDef(name=f"{name}/initial_value", op="Const")
    c.attr["dtype"].type = t
    c.attr["value"].tensor.CopyFrom(make_tensor_proto(value, dtype="int32"))
    v = node_def_pb2.NodeDef(name=name, op="VariableV2")
    v.attr["container"].s = b""
    v.attr["dtype"].type = t
    v.attr["shape"].shape.CopyFrom(make_shape_proto([]))
    v.attr["shared_name"].s = b""
    a = node_def_pb2.NodeDef(name=f"{name}/Assign", op="Assign", input=[name, f"{name}/initial_value"])
    a.attr["T"].type = t
    a.attr["_class"].list.s.append(f"loc:@{name}".encode())
    a.attr["use_locking"].b = True
    a.attr["validate_shape"].b = True
    r = node_def_pb2.NodeDef(name=f"{name}/read", op="Identity", input=[name])
    r.attr["T"].type = t
    r.attr["_class"].list.s.append(f"loc:@{name}".encode())
    return [c, v, a, r]


def lazy_loading_graph(iterations: int, scope: str = "") -> graph_pb2.GraphDef:
    """A GraphDef with ``9 + 3 * iterations`` nodes (see the module docstring).

    ``scope`` (e.g. ``"run2/"``) prefixes the loop-body nodes, as if the loop ran
    again inside ``name_scope``: diffing two such graphs shows renames.
    """
    head = graph_pb2.GraphDef()
    for node in _variable("x", 10) + _variable("y", 20):
        head.node.add().CopyFrom(node)
    head.node.add(name="init", op="NoOp", input=["^x/Assign", "^y/Assign"])
    head.versions.producer = PRODUCER
    parts = [head.SerializeToString()]
    t = types_pb2.DT_INT32
    add = node_def_pb2.NodeDef(op="Add", input=["x/read", "y/read"])
    add.attr["T"].type = t
    const = node_def_pb2.NodeDef(op="Const")
    const.attr["dtype"].type = t
    const.attr["value"].tensor.CopyFrom(make_tensor_proto(2, dtype="int32"))
    mul = node_def_pb2.NodeDef(op="Mul")
    mul.attr["T"].type = t
    # serialize the parts after the name once; per node only the name (and inputs) vary
    add_tail = add.SerializeToString()
    const_tail = const.SerializeToString()
    mul_attr = node_def_pb2.NodeDef()
    mul_attr.attr["T"].type = t
    mul_op = node_def_pb2.NodeDef(op="Mul").SerializeToString()
    mul_attr_b = mul_attr.SerializeToString()
    for i in range(iterations):
        sfx = "" if i == 0 else f"_{i}"
        a_name = f"{scope}Add{sfx}".encode()
        m_name = f"{scope}mul{sfx}".encode()
        c_name = m_name + b"/y"
        a = b"\x0a" + _varint(len(a_name)) + a_name + add_tail
        c = b"\x0a" + _varint(len(c_name)) + c_name + const_tail
        m = (b"\x0a" + _varint(len(m_name)) + m_name + mul_op
             + b"\x1a" + _varint(len(a_name)) + a_name
             + b"\x1a" + _varint(len(c_name)) + c_name + mul_attr_b)
        parts.append(_field(a))
        parts.append(_field(c))
        parts.append(_field(m))
    g = graph_pb2.GraphDef()
    g.ParseFromString(b"".join(parts))
    return g


__all__ = ["lazy_loading_graph"]
