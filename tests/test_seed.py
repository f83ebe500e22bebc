"""The seed lecture's three snippets run unchanged with ``import graphdef as tf`` and give
the graphs in ``samples/`` (judged by the conformance set's compare.py rules)."""
from __future__ import annotations

import importlib.util
import os
import warnings

import pytest

import graphdef
from graphdef._proto.graph_pb2 import GraphDef
from conftest import CONFORMANCE, SAMPLES

INTERACTIVE = """
a = tf.constant(5.0)
b = tf.constant(6.0)
c = a * b
sess = tf.InteractiveSession()
result = c.eval()
sess.close()
"""

NORMAL_LOADING = """
x = tf.Variable(10, name='x')
y = tf.Variable(20, name='y')
z = tf.add(x, y)  # create the node before executing the graph

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(LOGDIR, sess.graph)
    for _ in range(10):
        result = sess.run(z)
    writer.close()
"""

LAZY_LOADING = """
x = tf.Variable(10, name='x')
y = tf.Variable(20, name='y')

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(LOGDIR, sess.graph)
    for _ in range(10):
        result = sess.run(tf.add(x, y))  # someone decides to be clever to save one line of code
    writer.close()
"""

SNIPPETS = {"interactive": (INTERACTIVE, 30.0), "normal_loading": (NORMAL_LOADING, 30),
            "lazy_loading": (LAZY_LOADING, 30)}


def _compare():
    spec = importlib.util.spec_from_file_location("gd_seed_compare", CONFORMANCE / "compare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_snippet(code: str, logdir: str) -> dict:
    graphdef.reset_default_graph()
    scope = {"tf": graphdef, "LOGDIR": logdir}
    exec(compile(code, "<seed>", "exec"), scope)
    return scope


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_graph(tmp_path, name):
    code, want = SNIPPETS[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scope = run_snippet(code, str(tmp_path))
    assert scope["result"] == want
    ours = graphdef.get_default_graph().as_graph_def()
    gold = graphdef.load(SAMPLES / f"{name}.pbtxt")
    cmp = _compare()
    assert [n.name for n in ours.node] == [n.name for n in gold.node]
    for n, m in zip(gold.node, ours.node):
        assert not cmp.node_diff(n, m), (n.name, cmp.node_diff(n, m))
    # the issue asks tf.add to emit Add, as the seed's TF1 dumps show
    assert all(n.op != "AddV2" for n in ours.node)
    lazy = [w for w in caught if issubclass(w.category, graphdef.LazyLoadingWarning)]
    if name == "lazy_loading":
        assert len(lazy) == 1 and "Add … Add_9" in str(lazy[0].message)
    else:
        assert lazy == []
    if name != "interactive":
        (event_file,) = os.listdir(tmp_path)
        loader = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader")
        events = list(loader.EventFileLoader(str(tmp_path / event_file)).Load())
        graphs = [GraphDef.FromString(e.graph_def) for e in events
                  if e.WhichOneof("what") == "graph_def"]
        assert len(graphs) == 1
        # written when the FileWriter was created: before the lazy loop's Add nodes
        written = [n.name for n in graphs[0].node]
        assert written == [n.name for n in gold.node if not n.name.startswith("Add")] \
            if name == "lazy_loading" else [n.name for n in gold.node]
