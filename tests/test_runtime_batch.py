"""Running a batch in parts on several threads (``graphdef/runtime/batch.py``): which
plans qualify, the probe that guards the rest, the per-call choice, and that results
and errors are those of the unsplit run."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import graphdef
import graphdef as tf
from graphdef.errors import InvalidArgumentError
from graphdef.runtime import Session, batch

from conftest import MODELS_DIR, model_names
from test_kernels_state import const, gd, node

F = {"T": "type: DT_FLOAT"}


@pytest.fixture
def eager_split(monkeypatch):
    """Split from the first eligible call, at any size, into two parts."""
    monkeypatch.setattr(batch, "THREADS", 2)
    monkeypatch.setattr(batch, "MIN_SECONDS", 0.0)
    monkeypatch.setattr(batch, "PROBE_AT", 1)


def _plan(sess):
    entries = list(sess._single.values()) + list(sess._multi.values())
    assert len(entries) == 1
    return entries[0].plan


def _choice(sess):
    plan = _plan(sess)
    assert plan.split is not None, plan.split_reason
    (ch,) = plan.split.state.values()
    return ch


def _run_many(sess, fetch, feed, times=6):
    return [sess.run(fetch, feed) for _ in range(times)]


# --------------------------------------------------------------------------
# which plans qualify (builder graphs)
# --------------------------------------------------------------------------

def _x(shape=(None, 4, 4, 3)):
    return tf.placeholder(tf.float32, list(shape), name="x")


def _conv_net():
    x = _x()
    w = tf.constant(np.random.RandomState(0).rand(3, 3, 3, 8).astype(np.float32))
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), tf.constant(np.ones(8, np.float32))))
    h = tf.reduce_mean(h, [1, 2])
    return x, tf.nn.softmax(tf.matmul(h, tf.constant(np.ones((8, 5), np.float32))))


def _mixers():
    """Graphs whose result for one image depends on the others (or may)."""
    def sum_axis0():
        x = _x((None, 3))
        return x, x - tf.reduce_sum(x, 0)

    def shape_of_batch():
        x = _x((None, 3))
        return x, tf.cast(tf.shape(x)[0], tf.float32) * x

    def matmul_transpose_a():
        x = _x((None, 3))
        return x, tf.matmul(x, tf.constant(np.ones((4, 3), np.float32)), transpose_a=True)

    def matmul_two_batches():
        x = _x((None, 3))
        return x, tf.matmul(x, tf.transpose(x))

    def transpose_batch():
        x = _x((None, 3))
        return x, tf.transpose(x)

    def reshape_fixed():
        x = _x((None, 3))
        return x, tf.reshape(x, [3, -1])

    def stack_axis0():
        x = _x((None, 3))
        return x, tf.stack([x, x])

    def variable():
        x = _x((None, 3))
        v = tf.Variable(np.ones(3, np.float32), name="v")
        return x, x * v

    return [sum_axis0, shape_of_batch, matmul_transpose_a, matmul_two_batches, transpose_batch,
            reshape_fixed, stack_axis0, variable]


def test_conv_net_qualifies_and_runs_split(eager_split):
    g = tf.Graph()
    with g.as_default():
        x, y = _conv_net()
    xv = np.random.RandomState(1).rand(4, 4, 4, 3).astype(np.float32)
    with Session(graph=g) as whole_sess:
        want = whole_sess.run(y, {x: xv[:2]}), whole_sess.run(y, {x: xv})
    with Session(graph=g) as s:
        got = _run_many(s, y, {x: xv})
        ch = _choice(s)
        assert ch.eligible is True
        assert len(ch.times[True]) >= 1             # some calls did run split
        for r in got:
            np.testing.assert_allclose(r, want[1], rtol=1e-5, atol=1e-6)
        # another batch size is a new probe; results still right
        np.testing.assert_allclose(s.run(y, {x: xv[:2]}), want[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", _mixers(), ids=lambda f: f.__name__)
def test_plans_that_mix_images_never_split(make, eager_split):
    g = tf.Graph()
    with g.as_default():
        x, y = make()
        init = tf.global_variables_initializer()
    xv = np.arange(12, dtype=np.float32).reshape(4, 3)
    with Session(graph=g) as s:
        s.run(init)
        want = s.run(y, {x: xv})
    with Session(graph=g) as s:
        s.run(init)
        for r in _run_many(s, y, {x: xv}):
            np.testing.assert_array_equal(r, want)
        (plan,) = [e.plan for e in s._single.values() if e.feed_keys]   # the run fed with x
        # either the op rules reject the plan, or the probe does
        assert plan.split is None or all(c.eligible is False for c in plan.split.state.values()), plan.source


def test_reason_names_the_node():
    g = tf.Graph()
    with g.as_default():
        x = _x((None, 3))
        y = tf.reduce_sum(x, 0, name="over_batch")
    with Session(graph=g) as s:
        s.run(y, {x: np.ones((2, 3), np.float32)})
        assert _plan(s).split is None
        assert "over_batch" in _plan(s).split_reason and "axis 0" in _plan(s).split_reason


# --------------------------------------------------------------------------
# the op rules (GraphDefs, for ops the builder does not emit)
# --------------------------------------------------------------------------

def _xg(extra: str, out: str = "y") -> tuple:
    g = gd(node("x", "Placeholder", dtype="type: DT_FLOAT") + extra)
    return g, f"{out}:0"


RULES = [
    # (id, graph nodes, splittable)
    ("pad_hw", const("p", np.array([[0, 0], [1, 1]], np.int32), "DT_INT32")
     + node("y", "Pad", "x", "p", **F, Tpaddings="type: DT_INT32"), True),
    ("pad_batch", const("p", np.array([[1, 0], [0, 0]], np.int32), "DT_INT32")
     + node("y", "Pad", "x", "p", **F, Tpaddings="type: DT_INT32"), False),
    ("cumsum_axis1", const("a", 1, "DT_INT32") + node("y", "Cumsum", "x", "a", **F, Tidx="type: DT_INT32"), True),
    ("cumsum_axis0", const("a", 0, "DT_INT32") + node("y", "Cumsum", "x", "a", **F, Tidx="type: DT_INT32"), False),
    ("bn_training", const("s", [1.0, 1.0, 1.0]) + const("o", [0.0, 0.0, 0.0])
     + node("r", "Reshape", "x", "shp", **F, Tshape="type: DT_INT32")
     + const("shp", np.array([-1, 1, 1, 3], np.int32), "DT_INT32")
     + node("y", "FusedBatchNormV3", "r", "s", "o", "o", "s", **F, U="type: DT_FLOAT", is_training="b: true"),
     False),
    ("bn_frozen", const("s", [1.0, 1.0, 1.0]) + const("o", [0.0, 0.0, 0.0])
     + node("r", "Reshape", "x", "shp", **F, Tshape="type: DT_INT32")
     + const("shp", np.array([-1, 1, 1, 3], np.int32), "DT_INT32")
     + node("y", "FusedBatchNormV3", "r", "s", "o", "o", "s", **F, U="type: DT_FLOAT", is_training="b: false"),
     True),
    ("gather_rows", const("emb", np.arange(30, dtype=np.float32).reshape(10, 3))
     + node("i", "Cast", "x", SrcT="type: DT_FLOAT", DstT="type: DT_INT32")
     + const("ax", 0, "DT_INT32")
     + node("y", "GatherV2", "emb", "i", "ax", Tparams="type: DT_FLOAT", Tindices="type: DT_INT32",
            Taxis="type: DT_INT32"), True),
    ("expand_dims_last", const("a", -1, "DT_INT32") + node("y", "ExpandDims", "x", "a", **F, Tdim="type: DT_INT32"),
     True),
    # -3 of a rank-2 tensor is axis 0: the op rules cannot know the rank, the probe sees it
    ("expand_dims_before_batch", const("a", -3, "DT_INT32")
     + node("y", "ExpandDims", "x", "a", **F, Tdim="type: DT_INT32"), False),
    ("unknown_op", node("y", "Where", "x", **F), False),
]


@pytest.mark.parametrize("extra,splittable", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_op_rules(extra, splittable, eager_split):
    g, out = _xg(extra)
    xv = np.random.RandomState(0).rand(4, 3).astype(np.float32) * 5
    with Session(g) as s:
        want = s.run(out, {"x:0": xv})
    with Session(g) as s:
        for r in _run_many(s, out, {"x:0": xv}):
            np.testing.assert_allclose(r, want, rtol=1e-6)
        plan = _plan(s)
        ran_split = plan.split is not None and any(c.eligible for c in plan.split.state.values())
        assert ran_split == splittable, plan.split_reason


def test_negative_axis_that_is_axis_0_is_caught_by_the_probe(eager_split):
    """Softmax over the last axis of a rank-1 batch mixes the images without changing
    any shape: the op rules allow Softmax, the checked probe sees the rank."""
    g, out = _xg(node("y", "Softmax", "x", **F))
    xv = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    with Session(g) as s:
        for r in _run_many(s, out, {"x:0": xv}):
            np.testing.assert_allclose(r, np.exp(xv) / np.exp(xv).sum(), rtol=1e-6)
        assert _choice(s).eligible is False


def test_constant_broadcast_along_the_batch_is_caught_by_the_probe(eager_split):
    g, out = _xg(const("c", np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)) + node("y", "Mul", "x", "c", **F))
    xv = np.ones((4, 3), np.float32)
    with Session(g) as s:
        for r in _run_many(s, out, {"x:0": xv}):
            np.testing.assert_array_equal(r, [[1] * 3, [2] * 3, [3] * 3, [4] * 3])
        assert _choice(s).eligible is False


# --------------------------------------------------------------------------
# when a call splits
# --------------------------------------------------------------------------

def _square_graph():
    return _xg(node("y", "Square", "x", **F))


def test_feeds_without_a_shared_batch_run_whole(eager_split):
    g = gd(node("x", "Placeholder", dtype="type: DT_FLOAT") + node("z", "Placeholder", dtype="type: DT_FLOAT")
           + node("y", "Mul", "x", "z", **F))
    with Session(g) as s:
        for _ in range(6):
            s.run("y:0", {"x:0": np.ones((4, 3), np.float32), "z:0": np.ones(3, np.float32)})
        assert _plan(s).split is not None and not _plan(s).split.state   # never considered
        for _ in range(6):
            s.run("y:0", {"x:0": np.ones((1, 3), np.float32), "z:0": np.ones((1, 3), np.float32)})
        assert not _plan(s).split.state                                 # batch of one


def test_short_calls_run_whole(eager_split, monkeypatch):
    monkeypatch.setattr(batch, "MIN_SECONDS", 10.0)
    g, out = _square_graph()
    with Session(g) as s:
        _run_many(s, out, {"x:0": np.ones((4, 3), np.float32)})
        ch = _choice(s)
        assert ch.eligible is False and not ch.times[True]


@pytest.mark.parametrize("how", ["THREADS", "env", "env-garbage", "config"])
def test_one_thread_or_a_configured_session_never_splits(how, eager_split, monkeypatch):
    config = None
    if how == "THREADS":
        monkeypatch.setattr(batch, "THREADS", 1)
    elif how.startswith("env"):
        monkeypatch.setattr(batch, "THREADS", None)
        monkeypatch.setenv(batch.ENV, "1" if how == "env" else "many")
    else:
        config = {"intra_op_parallelism_threads": 1}
    g, out = _square_graph()
    with Session(g, config=config) as s:
        _run_many(s, out, {"x:0": np.ones((4, 3), np.float32)})
        assert not _plan(s).split.state


def test_threads_from_the_environment(monkeypatch):
    monkeypatch.setattr(batch, "THREADS", None)
    monkeypatch.setenv(batch.ENV, "3")
    assert batch.threads() == 3
    monkeypatch.setenv(batch.ENV, "0")
    assert batch.threads() == 1
    monkeypatch.delenv(batch.ENV)
    assert 1 <= batch.threads() <= batch.MAX_AUTO_THREADS


def test_multiple_fetches_split_and_keep_their_structure(eager_split):
    g = tf.Graph()
    with g.as_default():
        x, y = _conv_net()
        z = tf.nn.relu(x)
    xv = np.random.RandomState(2).rand(3, 4, 4, 3).astype(np.float32)
    with Session(graph=g) as s:
        want = s.run({"y": y, "z": [z]}, {x: xv})
    with Session(graph=g) as s:
        for r in _run_many(s, {"y": y, "z": [z]}, {x: xv}):
            np.testing.assert_allclose(r["y"], want["y"], rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(r["z"][0], want["z"][0])
        assert _choice(s).times[True]


def test_a_failing_part_raises_the_nodes_error(eager_split):
    g, out = _xg(const("emb", np.arange(12, dtype=np.float32).reshape(4, 3))
                 + node("i", "Cast", "x", SrcT="type: DT_FLOAT", DstT="type: DT_INT32")
                 + const("ax", 0, "DT_INT32")
                 + node("y", "GatherV2", "emb", "i", "ax", Tparams="type: DT_FLOAT", Tindices="type: DT_INT32",
                        Taxis="type: DT_INT32"))
    good = np.array([0, 1, 2, 3], np.float32)
    with Session(g) as s:
        _run_many(s, out, {"x:0": good})
        assert _choice(s).eligible is True
        _choice(s).times[False][:] = [1.0] * 5       # make the split way the favourite
        bad = np.array([0, 1, 2, 99], np.float32)     # out of range in the second part
        split_before = _plan(s).split.calls[True]
        with pytest.raises(InvalidArgumentError) as e:
            s.run(out, {"x:0": bad})
        assert _plan(s).split.calls[True] == split_before + 1   # this call did run split
    with Session(g) as s:                                    # the unsplit run's error, word for word
        with pytest.raises(InvalidArgumentError) as whole:
            s.run(out, {"x:0": bad})
    assert str(e.value) == str(whole.value) and e.value.node_def.name == "y"


# --------------------------------------------------------------------------
# the per-call choice
# --------------------------------------------------------------------------

def test_choice_prefers_the_faster_way_and_keeps_trying_the_other():
    ch = batch._Choice()
    for _ in range(batch.WINDOW):
        ch.record(False, 1.0)
        ch.record(True, 2.0)
    picks = [ch.pick() for _ in range(4 * batch.EXPLORE)]
    assert picks.count(True) == 4                   # one try of splitting per EXPLORE calls
    for _ in range(batch.WINDOW):
        ch.record(True, 0.5)                        # splitting got faster
    assert ch.pick() is True


def test_choice_measures_both_ways_first():
    """Both ways are timed FIRST_TIMINGS times, in turn, before the medians decide; one
    slow call among them does not decide."""
    ch = batch._Choice()
    ch.record(False, 1.0)                           # the probe call's timing
    seen = []
    for i in range(2 * batch.FIRST_TIMINGS - 1):
        way = ch.pick()
        seen.append(way)
        ch.record(way, 5.0 if (way and i == 0) else (0.5 if way else 1.0))   # split: one slow first call
    assert seen == [True, False] * (batch.FIRST_TIMINGS - 1) + [True]
    assert ch.pick() is True                        # median of split (0.5) beats whole (1.0)


def test_bounds_cover_the_batch():
    assert batch._bounds(5, 2) == [(0, 3), (3, 5)]
    assert batch._bounds(4, 4) == [(0, 1), (1, 2), (2, 3), (3, 4)]


# --------------------------------------------------------------------------
# real models, and a forked child
# --------------------------------------------------------------------------

@pytest.mark.parametrize("model", model_names())
def test_shared_models_split_or_not_give_tensorflows_result(model, eager_split):
    inp, out = (MODELS_DIR / f"{model}.io").read_text().split()
    z = np.load(MODELS_DIR / f"{model}.npz")
    with Session(graphdef.load(MODELS_DIR / f"{model}.pb")) as s:
        for r in _run_many(s, out, {inp: z["x"]}):
            assert np.allclose(r, z["y"], rtol=1e-4, atol=1e-5)
        plan = _plan(s)
        if model in ("resnet_block", "text_cnn"):      # these two keep their images apart
            assert _choice(s).eligible is True and _choice(s).times[True]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_split_runs_in_a_forked_child(eager_split):
    g, out = _square_graph()
    xv = np.arange(8, dtype=np.float32).reshape(4, 2)
    with Session(g) as s:
        _run_many(s, out, {"x:0": xv})        # the parent's pool exists now
        assert _choice(s).times[True]
        pid = os.fork()
        if pid == 0:                           # child: a fresh pool, or this would hang
            signal.alarm(30)
            code = 1
            try:
                r = _run_many(s, out, {"x:0": xv * 2})
                code = 0 if np.array_equal(r[-1], (xv * 2) ** 2) else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
