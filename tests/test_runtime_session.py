"""Session semantics (tf.compat.v1): lifecycle and default sessions, fetch structures,
feeds (any tensor, by object or name, checked), variables per session, builder graphs."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import graphdef as tf
from graphdef.errors import FeedTypeError, InvalidArgumentError, InvalidFeedError, InvalidFetchError
from graphdef.runtime import InteractiveSession, Session, get_default_session, run_graph
from test_kernels_state import const, gd, node

GRAPH = gd(node("x", "Placeholder", dtype="type: DT_FLOAT", shape="shape { dim { size: -1 } dim { size: 2 } }")
           + const("c", 3.0)
           + node("y", "Mul", "x", "c", T="type: DT_FLOAT")
           + node("n", "Placeholder", dtype="type: DT_INT32")
           + node("n2", "AddV2", "n", "n", T="type: DT_INT32")
           + node("tick", "NoOp"))


def test_context_manager_default_session_and_close():
    assert get_default_session() is None
    with Session(GRAPH) as s:
        assert get_default_session() is s
        with Session(GRAPH) as inner:
            assert get_default_session() is inner
        assert get_default_session() is s
    assert get_default_session() is None
    with pytest.raises(RuntimeError, match="closed Session"):
        s.run("c:0")


def test_as_default_does_not_close():
    s = Session(GRAPH)
    with s.as_default():
        assert get_default_session() is s
    assert get_default_session() is None
    assert s.run("c:0") == 3.0
    s.close()


def test_interactive_session_installs_itself():
    s = InteractiveSession(GRAPH)
    try:
        assert get_default_session() is s
    finally:
        s.close()
    assert get_default_session() is None


Pair = collections.namedtuple("Pair", "first second")


def test_fetch_structures():
    with Session(GRAPH) as s:
        feed = {"x:0": [[1.0, 2.0]]}
        r = s.run({"list": ["y:0", "c:0"], "tuple": ("c:0",), "nested": {"p": Pair("c:0", ["tick"])},
                   "op": "tick"}, feed)
        assert r["op"] is None and r["tuple"] == (3.0,)
        np.testing.assert_array_equal(r["list"][0], [[3.0, 6.0]])
        assert isinstance(r["nested"]["p"], Pair) and r["nested"]["p"].second == [None]
        assert s.run([]) == [] and s.run(["c:0"]) == [3.0]
        assert s.run(["c:0", "c:0"]) == [3.0, 3.0]
        od = s.run(collections.OrderedDict([("b", "c:0"), ("a", "tick")]))
        assert isinstance(od, collections.OrderedDict) and list(od) == ["b", "a"]


def test_scalar_results_are_numpy_scalars_and_results_are_copies():
    with Session(GRAPH) as s:
        v = s.run("c:0")
        assert type(v) is np.float32
        a = s.run("y:0", {"x:0": np.ones((1, 2), np.float32)})
        a[0, 0] = 100
        assert s.run("y:0", {"x:0": np.ones((1, 2), np.float32)})[0, 0] == 3


def test_feeds_replace_any_tensor_and_convert():
    with Session(GRAPH) as s:
        got = s.run("y:0", {"x:0": np.array([[1, 2]], np.float64)})       # float64 → float32
        assert got.dtype == np.float32 and got.tolist() == [[3, 6]]
        assert s.run("y:0", {"x:0": [[1, 1]], "c:0": 10.0}).tolist() == [[10, 10]]   # a Const fed
        assert s.run("n2:0", {"n:0": [[1, 2, 3]]}).dtype == np.int32
        assert s.run("n2:0", {"n:0": 4}) == 8


def test_feed_checks():
    with Session(GRAPH) as s:
        with pytest.raises(InvalidFeedError, match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0', "
                                                   r"which has shape \[\?,2\]") as e:
            s.run("y:0", {"x:0": [1.0, 2.0, 3.0]})
        assert isinstance(e.value, ValueError)
        with pytest.raises(FeedTypeError, match="dtype float64 to tensor 'n:0' of dtype int32") as e:
            s.run("n2:0", {"n:0": [1.5]})
        assert isinstance(e.value, TypeError)
        with pytest.raises(InvalidFeedError, match="'nope:0' refers to a Tensor which does not exist"):
            s.run("y:0", {"nope:0": 1.0})
        with pytest.raises(InvalidArgumentError, match="must feed a value for placeholder tensor 'x'"):
            s.run("y:0")
        with pytest.raises(InvalidFetchError, match="'nope:0' refers to a Tensor which does not exist"):
            s.run("nope:0")
        with pytest.raises(TypeError, match="invalid type"):
            s.run(3.5)


def test_run_graph_accepts_node_names():
    got = run_graph(GRAPH, ["y", "c:0"], {"x": [[2.0, 2.0]]})
    assert got[0].tolist() == [[6, 6]] and got[1] == 3


# ---------------------------------------------------------------------------
# builder graphs
# ---------------------------------------------------------------------------

@pytest.fixture
def graph():
    g = tf.Graph()
    with g.as_default():
        yield g


def test_builder_graph_variables_and_separate_sessions(graph):
    v = tf.Variable(1, name="counter")
    inc = tf.assign_add(v, 5)
    init = tf.global_variables_initializer()
    s1, s2 = Session(graph=graph), Session(graph=graph)
    s1.run(init)
    s2.run(init)
    assert s1.run(inc) == 6 and s1.run(inc) == 11
    assert s2.run(v) == 1
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value counter"):
        Session(graph=graph).run(v)


def test_builder_tensor_eval_and_op_run_use_default_session(graph):
    a = tf.constant([1, 2], name="a")
    noop = tf.no_op(name="tick")
    with Session(graph=graph):
        assert a.eval().tolist() == [1, 2]
        assert noop.run() is None


def test_builder_fetch_objects_and_feeds(graph):
    x = tf.placeholder(tf.float32, shape=[None, 2], name="x")
    c = tf.constant(2.0, name="c")
    with Session(graph=graph) as s:
        r = s.run([c, c.op, "c:0", "c"], {x: [[1.0, 1.0]]})
        assert r == [2.0, None, 2.0, None]
        with pytest.raises(InvalidFeedError):
            s.run(c, {x: [1.0]})


def test_fetch_from_another_graph_is_a_value_error(graph):
    other = tf.Graph()
    with other.as_default():
        t = tf.constant(1.0, name="elsewhere")
    with Session(graph=graph) as s:
        with pytest.raises(ValueError, match="not an element of this graph"):
            s.run(t)


def test_graph_growth_invalidates_cached_plans(graph):
    a = tf.constant(1, name="a")
    with Session(graph=graph) as s:
        assert s.run(a) == 1
        b = tf.constant(2, name="b")   # the graph grew: a new node is visible at once
        assert s.run([a, b]) == [1, 2]


def test_session_calls_the_graph_run_hook(graph, monkeypatch):
    calls = []
    monkeypatch.setattr(graph, "_session_run_hook", lambda: calls.append(1), raising=False)
    a = tf.constant(1, name="a")
    with Session(graph=graph) as s:
        s.run(a)
        s.run(a)
    assert len(calls) == 2


def test_session_with_default_graph():
    tf.reset_default_graph()
    a = tf.constant(4, name="a")
    with Session() as s:
        assert s.graph is tf.get_default_graph()
        assert s.run(a) == 4


def test_time_run_reports_per_call_microseconds():
    from graphdef.runtime.timing import time_run
    with Session(GRAPH) as s:
        t = time_run(s, "c:0", number=10, repeat=2)
    assert set(t) == {"wall_us", "cpu_us"} and t["wall_us"] > 0


def test_make_callable():
    with Session(GRAPH) as s:
        f = s.make_callable("y:0", ["x:0"])
        assert f([[1.0, 1.0]]).tolist() == [[3, 3]]
        assert s.make_callable(["c:0", "tick"])() == [3.0, None]
