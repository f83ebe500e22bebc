"""The lazy-loading guard and lazy_property."""
from __future__ import annotations

import warnings

import pytest

import graphdef as tf
from graphdef.framework import Graph, LazyLoadingWarning
from graphdef.framework.lazy import LAZY_LOADING_THRESHOLD


def grow(g, steps, build):
    """Simulate Session.run's hook around a loop that builds with ``build``."""
    caught = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g._session_run_hook()
        for i in range(steps):
            build(i)
            g._session_run_hook()
        caught = [x for x in w if issubclass(x.category, LazyLoadingWarning)]
    return caught


def test_warns_once_naming_the_series():
    g = Graph()
    with g.as_default():
        x = tf.Variable(10, name="x")
        caught = grow(g, 2 * LAZY_LOADING_THRESHOLD, lambda i: tf.identity(x, name="Add"))
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "Add … Add_9" in msg and "before the loop" in msg and "lazy_property" in msg


def test_const_values_do_not_matter():
    g = Graph()
    with g.as_default():
        x = tf.Variable(10.0, name="x")
        caught = grow(g, LAZY_LOADING_THRESHOLD,
                      lambda i: tf.identity(tf.constant(float(i)) if i else x, name="step"))
        assert caught == []      # the first step differs (no Const)
        caught = grow(g, LAZY_LOADING_THRESHOLD, lambda i: tf.constant(float(i), name="c"))
    assert len(caught) == 1 and "c_" in str(caught[0].message)


@pytest.mark.parametrize("build", [
    lambda i: tf.constant(1.0) if i % 2 else tf.no_op(),
    lambda i: tf.constant([1.0] * (i % 2 + 1), dtype=tf.float32 if i % 2 else tf.int32),
])
def test_no_warning_for_different_growth(build):
    g = Graph()
    with g.as_default():
        assert grow(g, 2 * LAZY_LOADING_THRESHOLD, build) == []


def test_no_warning_below_threshold_or_without_growth():
    g = Graph()
    with g.as_default():
        x = tf.Variable(10, name="x")
        assert grow(g, LAZY_LOADING_THRESHOLD - 1, lambda i: tf.identity(x)) == []
        assert grow(g, 50, lambda i: None) == []


def test_lazy_property_builds_once():
    class Model:
        def __init__(self):
            self.calls = 0

        @tf.lazy_property
        def prediction(self):
            self.calls += 1
            return tf.constant(1.0, name="prediction")

    g = Graph()
    with g.as_default():
        m = Model()
        assert m.prediction is m.prediction
        assert m.calls == 1 and len(g.get_operations()) == 1
        assert Model.prediction.__doc__ is None or isinstance(Model.prediction, property)


def test_loop_without_a_run_before_it():
    # sess.run(tf.add(3, 5)) ten times: the first run already holds Add/x, Add/y, Add
    g = Graph()
    with g.as_default(), tf.Session() as sess:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for _ in range(LAZY_LOADING_THRESHOLD):
                assert sess.run(tf.add(3, 5)) == 8
        caught = [x for x in w if issubclass(x.category, LazyLoadingWarning)]
    assert len(caught) == 1 and "Add … Add_9" in str(caught[0].message)
