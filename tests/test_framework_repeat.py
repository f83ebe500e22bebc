"""The builder's repeat memo (``Graph._op_memo``, used by ``ops.op_def._apply_fast``).

A repeated ``tf.add(x, y)`` skips conversion, type checks and shape inference; the graph
it builds must be exactly the one built without the memo, whatever changed in between
(scopes, control dependencies, devices, colocation, static shapes, a cond).
"""
from __future__ import annotations

from typing import Callable

import pytest

import graphdef as tf


class _NoMemo(dict):
    """An ``_op_memo`` that never remembers: every call takes the full path."""

    def __setitem__(self, key: str, value: tuple) -> None:
        pass


def _lazy_loop(x, y, p):
    for _ in range(5):
        tf.add(x, y)


def _scopes(x, y, p):
    tf.add(x, y)
    with tf.name_scope("layer"):
        tf.add(x, y)
        tf.add(x, y)
    with tf.name_scope("layer"):
        tf.add(x, y, name="sum")
    tf.add(x, y, name="sum")
    tf.add(x, y, name="sum")


def _control_deps(x, y, p):
    a = tf.add(x, y)
    with tf.control_dependencies([a]):
        tf.add(x, y)
        with tf.control_dependencies(None):
            tf.add(x, y)
    tf.add(x, y)


def _devices(x, y, p):
    tf.add(x, y)
    with tf.device("/cpu:0"):
        tf.add(x, y)
    tf.add(x, y)


def _set_shape(x, y, p):
    tf.multiply(p, p)
    p.set_shape([3])
    tf.multiply(p, p)
    tf.multiply(p, p)


def _mixed_ops(x, y, p):
    for _ in range(3):
        tf.add(x, y)
        tf.multiply(x, y)
        tf.add(y, x)
        tf.subtract(x, y)


def _cond(x, y, p):
    tf.add(x, y)
    tf.cond(tf.less(x, y), lambda: tf.add(x, y), lambda: tf.add(x, y))
    tf.add(x, y)


def _colocate(x, y, p):
    a = tf.add(x, y)
    with tf.colocate_with(a.op):
        tf.add(x, y)
    tf.add(x, y)


PROGRAMS: dict[str, Callable] = {f.__name__.strip("_"): f for f in (
    _lazy_loop, _scopes, _control_deps, _devices, _set_shape, _mixed_ops, _cond, _colocate)}


def _build(program: Callable, memo: bool) -> tf.GraphDef:
    g = tf.Graph()
    if not memo:
        g._op_memo = _NoMemo()
    with g.as_default():
        x = tf.Variable(10, name="x")
        y = tf.Variable(20, name="y")
        p = tf.placeholder(tf.float32, [None], name="p")
        program(x, y, p)
    return g.as_graph_def()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_repeat_builds_the_same_graph(name: str) -> None:
    program = PROGRAMS[name]
    assert _build(program, memo=True) == _build(program, memo=False)


def test_repeat_follows_a_refined_shape() -> None:
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None], name="p")
        assert tf.add(p, p).shape.as_list() == [None]
        p.set_shape([4])
        assert tf.add(p, p).shape.as_list() == [4]


def test_repeat_on_a_finalized_graph_raises() -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.Variable(1, name="x")
        tf.add(x, x)
        g.finalize()
        with pytest.raises(RuntimeError, match="finalized"):
            tf.add(x, x)


def test_repeat_memo_is_per_graph() -> None:
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
        tf.add(a, a)
    with g2.as_default():
        b = tf.constant(1.0)
        tf.add(b, b)
    with g1.as_default():
        t = tf.add(a, a)
    assert t.graph is g1 and t.op.name == "Add_1"
    assert [op.name for op in g2.get_operations()] == ["Const", "Add"]


def test_repeat_skips_shape_inference(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo is really taken: five identical adds infer the shape once."""
    from graphdef.ops import math_ops
    from graphdef.ops.op_def import OPS
    od = OPS[math_ops.ADD_OP]
    calls = []
    fn = od.shape_fn
    monkeypatch.setattr(od, "shape_fn", lambda i, a: calls.append(1) or fn(i, a))
    with tf.Graph().as_default() as g:
        x = tf.Variable(10, name="x")
        y = tf.Variable(20, name="y")
        for _ in range(5):
            tf.add(x, y)
    assert len(calls) == 1
    assert [op.name for op in g.get_operations()][-5:] == ["Add", "Add_1", "Add_2", "Add_3", "Add_4"]
