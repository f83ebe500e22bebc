"""Write the seed lecture's graphs as complete text-format GraphDefs.

``python samples/make_samples.py`` rewrites interactive.pbtxt, normal_loading.pbtxt
and lazy_loading.pbtxt in this folder. The graphs are what TensorFlow (2.21, in
compat.v1 graph mode) writes for the lecture's snippets; they are built here from
protobuf messages directly so that the samples do not depend on the builder they
are used to test.
"""
from __future__ import annotations

from pathlib import Path

import graphdef
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.tensors import make_tensor_proto, make_shape_proto
from graphdef import dtypes

HERE = Path(__file__).resolve().parent
PRODUCER = 2474  # TF 2.21's GraphDef version, as in shared/conformance/golden


def const(g: GraphDef, name: str, value, dtype) -> None:
    n = g.node.add(name=name, op="Const")
    n.attr["dtype"].type = dtype.as_datatype_enum
    n.attr["value"].tensor.CopyFrom(make_tensor_proto(value, dtype=dtype))


def variable(g: GraphDef, name: str, value: int) -> None:
    t = dtypes.int32.as_datatype_enum
    const(g, f"{name}/initial_value", value, dtypes.int32)
    v = g.node.add(name=name, op="VariableV2")
    v.attr["container"].s = b""
    v.attr["dtype"].type = t
    v.attr["shape"].shape.CopyFrom(make_shape_proto([]))
    v.attr["shared_name"].s = b""
    a = g.node.add(name=f"{name}/Assign", op="Assign", input=[name, f"{name}/initial_value"])
    a.attr["T"].type = t
    a.attr["_class"].list.s.append(f"loc:@{name}".encode())
    a.attr["_has_manual_control_dependencies"].b = True
    a.attr["use_locking"].b = True
    a.attr["validate_shape"].b = True
    r = g.node.add(name=f"{name}/read", op="Identity", input=[name])
    r.attr["T"].type = t
    r.attr["_class"].list.s.append(f"loc:@{name}".encode())


def add(g: GraphDef, name: str) -> None:
    n = g.node.add(name=name, op="Add", input=["x/read", "y/read"])
    n.attr["T"].type = dtypes.int32.as_datatype_enum


def init(g: GraphDef) -> None:
    g.node.add(name="init", op="NoOp", input=["^x/Assign", "^y/Assign"])


def interactive() -> GraphDef:
    # a = tf.constant(5.0); b = tf.constant(6.0); c = a * b
    g = GraphDef()
    const(g, "Const", 5.0, dtypes.float32)
    const(g, "Const_1", 6.0, dtypes.float32)
    m = g.node.add(name="mul", op="Mul", input=["Const", "Const_1"])
    m.attr["T"].type = dtypes.float32.as_datatype_enum
    g.versions.producer = PRODUCER
    return g


def normal_loading() -> GraphDef:
    # x = tf.Variable(10, name='x'); y = tf.Variable(20, name='y'); z = tf.add(x, y)
    # then global_variables_initializer() inside the session
    g = GraphDef()
    variable(g, "x", 10)
    variable(g, "y", 20)
    add(g, "Add")
    init(g)
    g.versions.producer = PRODUCER
    return g


def lazy_loading() -> GraphDef:
    # the same variables, initializer first, then sess.run(tf.add(x, y)) ten times
    g = GraphDef()
    variable(g, "x", 10)
    variable(g, "y", 20)
    init(g)
    for i in range(10):
        add(g, "Add" if i == 0 else f"Add_{i}")
    g.versions.producer = PRODUCER
    return g


if __name__ == "__main__":
    for name, fn in [("interactive", interactive), ("normal_loading", normal_loading),
                     ("lazy_loading", lazy_loading)]:
        graphdef.save(fn(), HERE / f"{name}.pbtxt")
