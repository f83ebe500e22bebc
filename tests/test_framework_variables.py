"""Reference variables, placeholders and group/tuple as TF1 writes them."""
from __future__ import annotations

import numpy as np
import pytest

import graphdef as tf
from graphdef.framework import Graph


@pytest.fixture()
def g():
    graph = Graph()
    with graph.as_default():
        yield graph


def nodes(graph):
    return {n.name: n for n in graph.as_graph_def().node}


def test_variable_nodes(g):
    v = tf.Variable(10, name="x")
    assert [n.name for n in g.as_graph_def().node] == ["x/initial_value", "x", "x/Assign", "x/read"]
    n = nodes(g)
    assert n["x"].op == "VariableV2" and n["x"].attr["container"].s == b""
    assert list(n["x/Assign"].input) == ["x", "x/initial_value"]
    assert list(n["x/Assign"].attr["_class"].list.s) == [b"loc:@x"]
    assert n["x/Assign"].attr["use_locking"].b and n["x/Assign"].attr["validate_shape"].b
    assert list(n["x/read"].attr["_class"].list.s) == [b"loc:@x"]
    assert v.name == "x:0" and v.op.name == "x" and v.dtype == tf.int32._as_ref
    assert v.initializer.name == "x/Assign" and v.initial_value.name == "x/initial_value:0"
    assert v.value().name == "x/read:0"


def test_variable_from_tensor_has_no_initial_value_node(g):
    init = tf.constant([1.0, 2.0], name="init_val")
    tf.Variable(init, name="v")
    assert list(nodes(g)) == ["init_val", "v", "v/Assign", "v/read"]
    assert list(nodes(g)["v/Assign"].input) == ["v", "init_val"]


def test_anonymous_scoped_and_collections(g):
    a = tf.Variable(1.0)
    b = tf.Variable(2.0, trainable=False)
    with tf.name_scope("scoped"):
        s = tf.Variable(np.array([1, 2], dtype=np.float64), name="s")
    assert [a.name, b.name, s.name] == ["Variable:0", "Variable_1:0", "scoped/s:0"]
    assert tf.global_variables() == [a, b, s]
    assert tf.trainable_variables() == [a, s]
    assert s.dtype.base_dtype == tf.float64 and s.shape.as_list() == [2]


@pytest.mark.parametrize("make,op,locking,name", [
    (lambda v: v.assign(5), "Assign", False, "Assign"),
    (lambda v: tf.assign(v, 5), "Assign", True, "Assign"),
    (lambda v: v.assign_add(5), "AssignAdd", False, "AssignAdd"),
    (lambda v: tf.assign_add(v, 5), "AssignAdd", False, "AssignAdd"),
    (lambda v: v.assign_sub(5), "AssignSub", False, "AssignSub"),
    (lambda v: tf.assign_sub(v, 5, name="down"), "AssignSub", False, "down"),
])
def test_assign_family(g, make, op, locking, name):
    v = tf.Variable(1, dtype=tf.int64, name="c")
    t = make(v)
    n = nodes(g)
    assert t.op.name == name and n[name].op == op
    assert list(n[name].input) == ["c", f"{name}/value"]
    assert n[name].attr["use_locking"].b is locking
    assert n[f"{name}/value"].attr["dtype"].type == tf.int64.as_datatype_enum
    assert list(n[name].attr["_class"].list.s) == [b"loc:@c"]


def test_assign_wrong_dtype(g):
    v = tf.Variable(1.0)
    with pytest.raises(TypeError):
        v.assign(tf.constant(1))


def test_read_value_and_initializers(g):
    v = tf.Variable(1.0, name="v")
    w = tf.Variable(2.0, name="w")
    r = v.read_value()
    assert r.name == "read:0" and "_class" not in nodes(g)["read"].attr
    init_v = tf.variables_initializer([w, v], name="init_vw")
    init = tf.global_variables_initializer()
    n = nodes(g)
    assert list(n["init_vw"].input) == ["^v/Assign", "^w/Assign"]
    assert init.name == "init" and list(n["init"].input) == ["^v/Assign", "^w/Assign"]
    assert init_v.type == "NoOp"
    assert tf.variables_initializer([]).type == "NoOp"


def test_is_variable_initialized(g):
    v = tf.Variable(1.0, name="v")
    t = tf.is_variable_initialized(v)
    assert t.op.type == "IsVariableInitialized" and t.dtype == tf.bool
    assert t.op.get_attr("_class") == [b"loc:@v"]


def test_placeholders(g):
    x = tf.placeholder(tf.float32, shape=[None, 2], name="x")
    n = tf.placeholder(tf.int32)
    k = tf.placeholder_with_default(tf.constant([1.0, 1.0]), shape=[2], name="k")
    gd = nodes(g)
    assert gd["Placeholder"].attr["shape"].shape.unknown_rank
    assert [d.size for d in gd["x"].attr["shape"].shape.dim] == [-1, 2]
    assert list(gd["k"].input) == ["Const"] and gd["k"].op == "PlaceholderWithDefault"
    assert n.shape.ndims is None and x.shape.as_list() == [None, 2] and k.shape.as_list() == [2]


def test_group_tuple_identity(g):
    a = tf.Variable(1, name="a")
    inc = tf.assign_add(a, 1)
    both = tf.group(inc, a.initializer)
    empty = tf.group()
    snap = tf.identity(a, name="snap")
    ta, = tf.tuple([snap])
    n = nodes(g)
    assert both.name == "group_deps" and list(n["group_deps"].input) == ["^AssignAdd", "^a/Assign"]
    assert empty.name == "group_deps_1" and empty.type == "NoOp"
    assert list(n["snap"].input) == ["a/read"]
    assert ta.name == "tuple/control_dependency:0"
    assert list(n["tuple/control_dependency"].input) == ["snap", "^tuple/group_deps"]
    assert list(n["tuple/control_dependency"].attr["_class"].list.s) == [b"loc:@snap"]


def test_initialized_value_guard(g):
    base = tf.Variable([2.0, 4.0], name="base")
    derived = tf.Variable(tf.identity(base.initialized_value()), name="derived")
    names = [n.name for n in g.as_graph_def().node]
    assert "cond/read/Switch_derived" in names and "Identity_derived" in names
    assert list(nodes(g)["derived/Assign"].input) == ["derived", "Identity_derived"]
    assert derived.initializer.type == "Assign"


def test_callable_initial_value_is_colocated(g):
    v = tf.Variable(lambda: 3.0, name="v")
    n = nodes(g)
    assert list(n) == ["v/Initializer/initial_value", "v", "v/Assign", "v/read"]
    for name in ("v/Initializer/initial_value", "v", "v/Assign", "v/read"):
        assert list(n[name].attr["_class"].list.s) == [b"loc:@v"], name
    assert v.initial_value.op.name == "v/Initializer/initial_value"


def test_validate_shape_false(g):
    x = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[None])
    v = tf.Variable(x, validate_shape=False, name="v")
    n = nodes(g)
    assert n["v"].attr["shape"].shape.unknown_rank
    assert not n["v/Assign"].attr["validate_shape"].b
    assert v.shape.ndims is None
    with pytest.raises(ValueError, match="shape"):
        tf.Variable(x, name="w")


def test_variables_ignore_control_dependencies(g):
    gate = tf.no_op(name="gate")
    with tf.name_scope("s"), tf.control_dependencies([gate]):
        v = tf.Variable(1.0, name="v")
        after = tf.identity(v, name="after")
    n = nodes(g)
    for name in ("s/v/initial_value", "s/v", "s/v/Assign", "s/v/read"):
        assert list(n[name].input) == list(n[name].input[:2]) and \
            not any(i.startswith("^") for i in n[name].input), name
    assert list(n["s/after"].input) == ["s/v/read", "^gate"]
    assert v.name == "s/v:0"


def test_cond_graph_structure(g):
    x = tf.placeholder(tf.float32, [], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    a, b = tf.cond(p, lambda: (tf.identity(x), tf.constant(1)),
                   lambda: (tf.identity(x), tf.constant(2)))
    single = tf.cond(p, lambda: [x], lambda: [x])
    n = nodes(g)
    assert list(n["cond/Switch"].input) == ["p", "p"]
    assert list(n["cond/Identity"].input) == ["cond/Identity/Switch:1"]
    assert list(n["cond/Identity/Switch"].input) == ["x", "cond/pred_id"]
    assert list(n["cond/Const"].input) == ["^cond/switch_t"]
    assert list(n["cond/Merge_1"].input) == ["cond/Const_1", "cond/Const"]
    assert a.name == "cond/Merge:0" and b.dtype == tf.int32
    assert single.name == "cond_1/Merge:0"
    assert len(g.get_collection(tf.GraphKeys.COND_CONTEXT)) == 4
    with pytest.raises(TypeError):
        tf.cond(True, lambda: x, lambda: x)
