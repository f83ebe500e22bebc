"""Graph building core: TF's naming, scopes, control dependencies, devices, lookups."""
from __future__ import annotations

import threading

import pytest

import graphdef as tf
from graphdef.framework import Graph, TensorShape


@pytest.fixture()
def g():
    graph = Graph()
    with graph.as_default():
        yield graph


def names(graph):
    return [n.name for n in graph.as_graph_def().node]


# (explicit names given to successive constants, expected node names)
NAMING_CASES = [
    (["node", "node", "node_2", "node", "NODE", "Node_5", "node"],
     ["node", "node_1", "node_2", "node_3", "NODE_4", "Node_5", "node_6"]),
    (["conv_3", "conv", "conv", "conv", "conv", "conv"],
     ["conv_3", "conv", "conv_1", "conv_2", "conv_4", "conv_5"]),
    (["foo", "foo_1", "foo"], ["foo", "foo_1", "foo_2"]),
    (["foo_1", "foo", "foo"], ["foo_1", "foo", "foo_2"]),
    (["foo", "foo", "foo_1"], ["foo", "foo_1", "foo_1_1"]),
    (["layer1", "layer1"], ["layer1", "layer1_1"]),
    ([None, None, "Const"], ["Const", "Const_1", "Const_2"]),
    (["grp/leaf", "grp/leaf"], ["grp/leaf", "grp/leaf_1"]),
]


@pytest.mark.parametrize("given,expected", NAMING_CASES, ids=[",".join(map(str, c[0])) for c in NAMING_CASES])
def test_unique_names(g, given, expected):
    for n in given:
        tf.constant(1.0, name=n) if n else tf.constant(1.0)
    assert names(g) == expected


def test_unique_name_mark_as_used(g):
    tf.constant(1.0, name="node")
    assert g.unique_name("node") == "node_1"
    assert g.unique_name("fresh", mark_as_used=False) == "fresh"
    assert g.unique_name("fresh", mark_as_used=False) == "fresh"
    assert tf.constant(0, name="fresh").op.name == "fresh"


@pytest.mark.parametrize("bad", ["bad name!", "_under", "/abs", "a:b"])
def test_invalid_op_name(g, bad):
    with pytest.raises(ValueError, match="not a valid"):
        tf.constant(0, name=bad)


def test_name_scopes(g):
    with tf.name_scope("block") as block:
        a = tf.constant(1.0, name="a")
        with tf.name_scope("sub") as sub:
            b = tf.constant(2.0, name="b")
        with tf.name_scope(sub):
            b2 = tf.constant(3.0, name="b")
        with tf.name_scope(None):
            top = tf.constant(4.0, name="top")
        with tf.name_scope(""):
            top2 = tf.constant(4.0, name="top")
        with tf.name_scope("sub") as sub2:
            pass
    with tf.name_scope("block") as block2:
        pass
    with tf.name_scope("outer/"):
        f = tf.constant(1.0, name="f")
    with tf.name_scope("outer") as outer:
        f2 = tf.constant(1.0, name="f")
    tf.constant(0.0, name="blk")
    with tf.name_scope("blk") as blk:
        pass
    with tf.name_scope("layer") as layer:
        lay = tf.constant(0.0, name=layer)
    assert [block, sub, sub2, block2, outer, blk, layer] == [
        "block/", "block/sub/", "block/sub_1/", "block_1/", "outer/", "blk_1/", "layer/"]
    assert [t.op.name for t in (a, b, b2, top, top2, f, f2, lay)] == [
        "block/a", "block/sub/b", "block/sub/b_1", "top", "top_1", "outer/f", "outer/f_1", "layer"]


def test_name_scope_default_and_values():
    g2 = Graph()
    with g2.as_default():
        x = tf.constant(1.0)
    with tf.Graph().as_default() as g3:
        with tf.name_scope(None, "default_scope", [x]) as s:
            assert tf.get_default_graph() is g2
            assert s == "default_scope/"
        assert tf.get_default_graph() is g3
        with pytest.raises(ValueError):
            with tf.name_scope(None, None, [x]):
                pass


def test_control_dependencies_rules(g):
    p = tf.constant(1, name="p")
    q = tf.constant(2, name="q")
    r = tf.constant(3, name="r")
    zz = tf.no_op(name="zz_first")
    aa = tf.no_op(name="aa_second")
    with tf.control_dependencies([zz, aa]):
        s1 = tf.identity(p, name="s1")
        with tf.control_dependencies([r]):
            s2 = tf.identity(r, name="s2")          # r is a data input: no ^r
            s3 = tf.identity(q, name="s3")
            s4 = tf.identity(s3, name="s4")         # dominated by s3: no controls
        with tf.control_dependencies(None):
            free = tf.identity(q, name="free")
        with g.control_dependencies([s1.op, s1, zz]):
            dup = tf.identity(r, name="dup")
        five = tf.constant(5, name="five")
    nodes = {n.name: list(n.input) for n in g.as_graph_def().node}
    assert nodes["s1"] == ["p", "^aa_second", "^zz_first"]      # sorted in the GraphDef
    assert [c.name for c in s1.op.control_inputs] == ["zz_first", "aa_second"]
    assert nodes["s2"] == ["r", "^aa_second", "^zz_first"]
    assert nodes["s3"] == ["q", "^aa_second", "^r", "^zz_first"]
    assert nodes["s4"] == ["s3"]
    assert nodes["free"] == ["q"]
    assert nodes["dup"] == ["r", "^aa_second", "^s1", "^zz_first"]
    assert nodes["five"] == ["^aa_second", "^zz_first"]


@pytest.mark.parametrize("outer,inner,expected", [
    ("/cpu:0", None, "/device:CPU:0"),
    (None, "/cpu:0", "/device:CPU:0"),
    ("/job:localhost", "/cpu:0", "/job:localhost/device:CPU:0"),
    ("/gpu:1", "/device:CPU:0", "/device:CPU:0"),
    ("/job:w/task:1", "/job:ps", "/job:ps/task:1"),
])
def test_devices(g, outer, inner, expected):
    with tf.device(outer):
        with tf.device(inner) if inner else tf.device(outer):
            t = tf.constant(1.0)
    assert t.op.device == expected
    assert g.as_graph_def().node[0].device == expected


def test_device_none_clears(g):
    with tf.device("/cpu:0"):
        with tf.device(None):
            t = tf.constant(1.0)
        u = tf.constant(1.0)
    assert (t.device, u.device) == ("", "/device:CPU:0")


def test_device_function(g):
    with tf.device(lambda op: "/cpu:0" if op.type == "Const" else ""):
        t = tf.constant(1.0)
        u = tf.identity(t)
    assert (t.device, u.device) == ("/cpu:0", "")   # TF keeps a function's answer as is
    with tf.device(lambda op: tf.DeviceSpec(device_type="GPU", device_index=1)):
        v = tf.constant(1.0)
    assert v.device == "/device:GPU:1"


def test_lookups(g):
    with tf.name_scope("enc"):
        x = tf.placeholder(tf.float32, [2], name="inp")
    assert g.get_operation_by_name("enc/inp") is x.op
    assert g.get_tensor_by_name("enc/inp:0") is x
    assert g.as_graph_element("enc/inp:0") is x
    assert g.as_graph_element(x.op) is x.op
    assert g.get_operations() == [x.op]
    with pytest.raises(KeyError):
        g.get_operation_by_name("nope")
    with pytest.raises(KeyError):
        g.get_tensor_by_name("enc/inp:3")
    with pytest.raises(ValueError):
        g.get_tensor_by_name("enc/inp")
    with pytest.raises(ValueError):
        g.get_operation_by_name("enc/inp:0")
    with pytest.raises(TypeError):
        g.as_graph_element(3)
    other = Graph()
    with pytest.raises(ValueError):
        other.as_graph_element(x)


def test_finalize_and_collections(g):
    t = tf.constant(1.0, name="x")
    tf.add_to_collection("c", t)
    g.add_to_collections(["c", "d"], t)
    assert g.get_collection("c") == [t, t]
    assert g.get_collection("c", scope="y") == []
    assert g.get_collection("missing") == []
    ref = g.get_collection_ref("e")
    ref.append(1)
    assert g.get_collection("e") == [1]
    v0 = g.version
    g.finalize()
    assert g.finalized
    with pytest.raises(RuntimeError, match="finalized"):
        tf.constant(2.0)
    with pytest.raises(RuntimeError):
        g.add_to_collection("c", t)
    assert g.version == v0


def test_version_grows(g):
    v0 = g.version
    a = tf.constant(1.0)
    v1 = g.version
    b = tf.constant(2.0)
    with tf.control_dependencies([a]):
        pass
    assert v0 < v1 < g.version
    assert b.op.graph is g


def test_default_graph_stack():
    outer = tf.get_default_graph()
    g1 = Graph()
    with g1.as_default() as ctx:
        assert ctx is g1 and tf.get_default_graph() is g1
        with pytest.raises(AssertionError):
            tf.reset_default_graph()
        seen = []
        th = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
        th.start()
        th.join()
        assert seen[0] is not g1          # the stack is per thread
    assert tf.get_default_graph() is outer
    tf.reset_default_graph()
    assert tf.get_default_graph() is not outer


def test_mixing_graphs_raises():
    g1, g2 = Graph(), Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(1.0)
        with pytest.raises(ValueError):
            g2.create_op("AddV2", [a, b], {"T": tf.float32}, output_dtypes=[tf.float32])
        with pytest.raises(ValueError):
            tf.group(a, b)


def test_operation_and_tensor_attributes(g):
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    free = tf.placeholder(tf.float32, name="free")
    y = tf.identity(x, name="y")
    assert (y.name, y.op.name, y.op.type, y.value_index) == ("y:0", "y", "Identity", 0)
    assert [t.name for t in y.op.inputs] == ["x:0"] and y.op.outputs == [y]
    assert y.op.get_attr("T") == tf.float32
    assert x.op.get_attr("shape").dim[1].size == 3
    with pytest.raises(ValueError):
        y.op.get_attr("nope")
    assert y.shape.as_list() == [None, 3] and free.shape.ndims is None
    assert x.consumers() == [y.op]
    assert y.op.node_def.name == "y" and y.op.node_def.input == ["x"]
    assert y.graph is g and y.op.graph is g
    with pytest.raises(TypeError):
        bool(y)


def test_create_op_scope_name_and_duplicates(g):
    with tf.name_scope("layer") as scope:
        pass
    op = g.create_op("NoOp", [], name=scope)
    assert op.name == "layer"
    with pytest.raises(ValueError, match="Duplicate"):
        g.create_op("NoOp", [], name="layer/")


def test_as_graph_def_versions_and_shapes(g):
    tf.constant([1.0, 2.0], name="c")
    gd = g.as_graph_def()
    assert gd.versions.producer == 2474
    shaped = g.as_graph_def(add_shapes=True)
    assert shaped.node[0].attr["_output_shapes"].list.shape[0].dim[0].size == 2
    assert g.as_graph_def(from_version=1).node == []


def test_node_def_cache_invalidated(g):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    assert list(b.op.node_def.input) == []
    b.op._add_control_input(a.op)
    assert list(b.op.node_def.input) == ["^a"]
    assert list(g.as_graph_def().node[1].input) == ["^a"]


def test_colocate_with(g):
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    with tf.device("/gpu:0"):
        with g.colocate_with(a.op):
            b = tf.identity(a, name="b")
    assert b.op.get_attr("_class") == [b"loc:@a"]
    assert b.device == "/device:CPU:0"


def test_shape_type_errors(g):
    t = tf.placeholder(tf.float32, [2, 3])
    t.set_shape([2, None])
    with pytest.raises(ValueError):
        t.set_shape([3, 3])
    assert t.shape == TensorShape([2, 3])


def test_symbolic_tensor_is_not_an_array(g):
    import numpy as np
    t = tf.constant([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="symbolic"):
        np.asarray(t)


def test_cond_internals_are_not_fetchable(g):
    v = tf.Variable([1.0], name="v")
    out = v.initialized_value()
    assert g.is_fetchable(out) and g.is_fetchable(v.op)
    assert not g.is_fetchable(g.get_operation_by_name("cond/switch_t"))
    assert not g.is_fetchable(g.get_operation_by_name("cond/read"))
    assert [n.name for n in g.as_graph_def().node][-3:] == ["cond/read/Switch", "cond/Switch_1",
                                                            "cond/Merge"]


def test_shared_attr_dicts_are_copied_on_write(g):
    a = tf.no_op(name="a")
    b = tf.no_op(name="b")
    x = tf.identity(tf.constant(1.0), name="x")
    y = tf.identity(tf.constant(2.0), name="y")
    assert a.op._attrs is b.op._attrs if hasattr(a, "op") else a._attrs is b._attrs
    assert x.op._attrs is y.op._attrs          # same memoised attrs: one shared dict
    with tf.control_dependencies([a]):
        pass
    x.op._set_attr("foo", 3)
    assert "_has_manual_control_dependencies" not in b.node_def.attr
    assert "foo" not in y.op.node_def.attr and x.op.get_attr("foo") == 3
    x.op._clear_attr("foo")
    assert "foo" not in x.op.node_def.attr


@pytest.mark.parametrize("make,text", [
    (lambda: tf.constant(5.0) * tf.constant(6.0), 'Tensor("mul:0", shape=(), dtype=float32)'),
    (lambda: tf.placeholder(tf.int32, name="p"), 'Tensor("p:0", dtype=int32)'),
    (lambda: tf.placeholder(tf.float32, [None, 3], name="q"),
     'Tensor("q:0", shape=(?, 3), dtype=float32)'),
])
def test_print_tensor_as_tf1(g, make, text):
    t = make()
    assert str(t) == text
    assert repr(t).startswith(f"<tf.Tensor '{t.name}'")
