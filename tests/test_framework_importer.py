"""import_graph_def: prefixes, input_map, return_elements, order, errors."""
from __future__ import annotations

import pytest

import graphdef as tf
from graphdef.framework import Graph


def source():
    src = Graph()
    with src.as_default():
        a = tf.placeholder(tf.float32, shape=[3], name="a")
        b = tf.constant([1.0, 2.0, 3.0], name="b")
        c = tf.identity(a, name="c")
        with tf.control_dependencies([b]):
            tf.identity(c, name="d")
    del b
    return src.as_graph_def()


def test_import_with_prefix_map_and_returns():
    gd = source()
    g = Graph()
    with g.as_default():
        feed = tf.constant([0.5, 0.5, 0.5], name="feed")
        d, c_op = tf.import_graph_def(gd, input_map={"a:0": feed}, return_elements=["d:0", "c"],
                                      name="net")
        tf.import_graph_def(gd, name="net")
        tf.import_graph_def(gd)
    assert d.name == "net/d:0" and c_op.name == "net/c" and isinstance(c_op, tf.Operation)
    nodes = {n.name: n for n in g.as_graph_def().node}
    assert list(nodes["net/c"].input) == ["feed"]
    assert list(nodes["net/d"].input) == ["net/c", "^net/b"]
    assert "net/a" in nodes and "net_1/a" in nodes and "import/a" in nodes
    assert nodes["net/b"].attr["value"] == gd.node[1].attr["value"]
    assert g.get_tensor_by_name("net_1/c:0").dtype == tf.float32
    assert g.get_tensor_by_name("net_1/a:0").shape.as_list() == [3]
    # imported names count as used
    with g.as_default():
        assert tf.constant(1.0, name="net/b").op.name == "net/b_1"


def test_import_orders_topologically():
    gd = source()
    rev = type(gd)()
    rev.node.extend(reversed(gd.node))
    g = Graph()
    with g.as_default():
        tf.import_graph_def(rev, name="")
    assert [n.name for n in g.as_graph_def().node] == ["b", "a", "c", "d"]


@pytest.mark.parametrize("kwargs,err", [
    ({"input_map": {"zz:0": 1.0}}, ValueError),
    ({"return_elements": ["nope:0"]}, ValueError),
])
def test_import_errors(kwargs, err):
    g = Graph()
    with g.as_default(), pytest.raises(err):
        tf.import_graph_def(source(), **kwargs)


def test_import_renames_colocation_and_keeps_devices():
    src = Graph()
    with src.as_default():
        with tf.device("/cpu:0"):
            v = tf.Variable(1.0, name="v")
        del v
    g = Graph()
    with g.as_default():
        with tf.device("/job:w"):
            tf.import_graph_def(src.as_graph_def(), name="net")
    nodes = {n.name: n for n in g.as_graph_def().node}
    assert list(nodes["net/v/Assign"].attr["_class"].list.s) == [b"loc:@net/v"]
    assert nodes["net/v"].device == "/job:w/device:CPU:0"
    assert nodes["net/v/read"].device == "/job:w/device:CPU:0"   # colocated with net/v
    with g.as_default():
        with pytest.raises(ValueError, match="non-empty"):
            tf.import_graph_def(src.as_graph_def(), input_map={"v/initial_value:0": 2.0}, name="")
        tf.import_graph_def(src.as_graph_def(), input_map={"v/initial_value:0": 2.0}, name="two")
    assert "two/_inputs/Const" in [n.name for n in g.as_graph_def().node]


from conftest import golden_files, ids, sample_files  # noqa: E402

ROUNDTRIP = [p for p in golden_files() + sample_files() if p.suffix == ".pbtxt"]


@pytest.mark.parametrize("path", ROUNDTRIP, ids=ids(ROUNDTRIP))
def test_import_roundtrip(path):
    """Importing a TF graph with no prefix gives back every NodeDef unchanged (including
    experimental_type); order is topological, so only v1 cond graphs may reorder."""
    gd = graphdef_load(path)
    g = Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
    out = g.as_graph_def()
    assert {n.name: n for n in out.node} == {n.name: n for n in gd.node}
    if not any(n.op in ("Switch", "RefSwitch") for n in gd.node):
        assert [n.name for n in out.node] == [n.name for n in gd.node]


def graphdef_load(path):
    import graphdef
    return graphdef.load(path)
