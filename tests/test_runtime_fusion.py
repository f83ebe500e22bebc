"""Plan-time fusion (``_Builder.fuse``): a convolution with a constant filter absorbs the
frozen batch norms, constant BiasAdds and final Relu/Relu6 after it. Fused and unfused
plans (``fold=False``) must give the same values, fusion must stop at any intermediate
that is fetched, fed or used twice, and results handed out must never be overwritten."""
from __future__ import annotations

import re

import numpy as np
import pytest

import graphdef as tf
from graphdef.runtime.graph_view import view_of
from graphdef.runtime.plan import _FOLD_MAX_ELEMENTS, build_plan

RS = np.random.RandomState(7)


def _weight(value: np.ndarray, name: str):
    """A Keras-frozen weight: a Const read through an Identity."""
    return tf.identity(tf.constant(value.astype(np.float32), name=name), name=name + "/read")


def _batch_norm(x, c: int, name: str):
    params = [_weight(v, f"{name}/{p}") for p, v in (
        ("gamma", RS.rand(c) + 0.5), ("beta", RS.randn(c)), ("mean", RS.randn(c) * 0.1), ("var", RS.rand(c) + 0.5))]
    op = x.graph.create_op("FusedBatchNormV3", [x] + params,
                           attrs={"T": tf.float32, "U": tf.float32, "epsilon": 0.001, "data_format": b"NHWC",
                                  "is_training": False},
                           name=name, output_dtypes=[tf.float32] * 6,
                           output_shapes=[x.shape] + [tf.TensorShape([c])] * 4 + [tf.TensorShape(None)])
    return op.outputs[0]


def _conv(x, op: str, cin: int, cout: int, k: int, stride: int, padding: str):
    strides = [1, stride, stride, 1]
    if op == "Conv2D":
        return tf.nn.conv2d(x, _weight(RS.randn(k, k, cin, cout), "w"), strides=strides, padding=padding, name="conv")
    w = _weight(RS.randn(k, k, cin, cout // cin), "w")
    return x.graph.create_op("DepthwiseConv2dNative", [x, w],
                             attrs={"T": tf.float32, "strides": strides, "padding": padding.encode(),
                                    "data_format": b"NHWC"},
                             name="conv", output_dtypes=[tf.float32], output_shapes=[tf.TensorShape(None)]).outputs[0]


def _model(op: str, chain: str, act: str | None, k: int = 3, stride: int = 1, padding: str = "SAME",
           cin: int = 4, cout: int = 8):
    if op == "DepthwiseConv2dNative" and cin == 4:
        cin = cout   # channel multiplier 1, as in MobileNet (test_depthwise_multiplier covers 2)
    """x → conv → the ``chain`` ("bn", "bias", "bn+bias", "bias+bn", "") → ``act``."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, cin], name="x")
        h = _conv(x, op, cin, cout, k, stride, padding)
        for i, step in enumerate(s for s in chain.split("+") if s):
            if step == "bn":
                h = _batch_norm(h, cout, f"bn{i}")
            else:
                h = tf.nn.bias_add(h, _weight(RS.randn(cout), f"b{i}"), name=f"bias{i}")
        if act == "Relu":
            h = tf.nn.relu(h, name="act")
        elif act == "Relu6":
            h = tf.nn.relu6(h, name="act")
    return g, h


def _plans(g, fetches, feeds=("x",)):
    gd = g.as_graph_def()
    f = [(t.op.name, t.value_index) if hasattr(t, "op") else (t, 0) for t in fetches]
    feeds = [(n, 0) for n in feeds]
    return build_plan(view_of(gd), f, [], feeds), build_plan(view_of(gd), f, [], feeds, fold=False)


def _x(g=None) -> np.ndarray:
    """A batch for the graph's placeholder ``x`` (values around the activations' kinks)."""
    cin = 4 if g is None else g.get_operation_by_name("x").outputs[0].shape.as_list()[-1]
    return RS.rand(2, 9, 9, cin).astype(np.float32) * 4 - 2


@pytest.mark.parametrize("op", ["Conv2D", "DepthwiseConv2dNative"])
@pytest.mark.parametrize("chain", ["bn", "bias", "bn+bias", "bias+bn", "bn+bn", ""])
@pytest.mark.parametrize("act", [None, "Relu", "Relu6"])
@pytest.mark.parametrize("k,stride,padding", [(3, 1, "SAME"), (3, 2, "SAME"), (3, 1, "VALID"),
                                              (3, 2, "VALID"), (1, 1, "SAME")])
def test_fused_chain_equals_unfused(op, chain, act, k, stride, padding, kernel_loops):
    g, out = _model(op, chain, act, k, stride, padding)
    fused, plain = _plans(g, [out])
    x = _x(g)
    np.testing.assert_allclose(fused.fn(x), plain.fn(x), rtol=1e-5, atol=1e-5)
    absorbed = [n for n in fused.nodes if re.fullmatch(r"(bn|bias)\d+|act", n)]
    assert fused.fused == absorbed
    assert plain.fused == []


def _padded_depthwise(size: int, pads, stride: int, padding: str, fetch_pad: bool = False):
    """x → Pad(pads) → depthwise 3×3 → batch norm → Relu6 (MobileNetV2's stride-2 layers)."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, size, size, 4], name="x")
        p = g.create_op("Pad", [x, tf.constant(np.array(pads, np.int32), name="paddings")],
                        attrs={"T": tf.float32, "Tpaddings": tf.int32}, name="pad",
                        output_dtypes=[tf.float32], output_shapes=[tf.TensorShape(None)]).outputs[0]
        h = _conv(p, "DepthwiseConv2dNative", 4, 4, 3, stride, padding)
        out = tf.nn.relu6(_batch_norm(h, 4, "bn"), name="act")
    return g, out


@pytest.mark.parametrize("size", [9, 16, 48])   # 48 at stride 2: the kernel's interior/border split
@pytest.mark.parametrize("pads", [[[0, 0], [0, 1], [0, 1], [0, 0]], [[0, 0], [1, 1], [1, 1], [0, 0]],
                                  [[0, 0], [2, 0], [0, 3], [0, 0]]])
@pytest.mark.parametrize("stride,padding", [(2, "VALID"), (1, "VALID"), (1, "SAME"), (2, "SAME")])
def test_pad_before_depthwise_is_fused(size, pads, stride, padding, kernel_loops):
    g, out = _padded_depthwise(size, pads, stride, padding)
    fused, plain = _plans(g, [out])
    x = RS.rand(2, size, size, 4).astype(np.float32) * 4 - 2
    np.testing.assert_allclose(fused.fn(x), plain.fn(x), rtol=1e-5, atol=1e-5)
    assert fused.fused == ["pad", "bn", "act"]


def test_pad_that_is_fetched_or_not_spatial_is_not_fused():
    g, out = _padded_depthwise(16, [[0, 0], [0, 1], [0, 1], [0, 0]], 2, "VALID")
    fused, plain = _plans(g, ["pad", out])
    x = RS.rand(2, 16, 16, 4).astype(np.float32)
    for a, b in zip(fused.fn(x), plain.fn(x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert fused.fused == ["bn", "act"]
    g2, out2 = _padded_depthwise(16, [[1, 0], [0, 1], [0, 1], [0, 0]], 1, "VALID")   # pads the batch too
    fused, plain = _plans(g2, [out2])
    np.testing.assert_allclose(fused.fn(x), plain.fn(x), rtol=1e-5, atol=1e-5)
    assert fused.fn(x).shape[0] == 3 and fused.fused == ["bn", "act"]


@pytest.mark.parametrize("op", ["Conv2D", "DepthwiseConv2dNative"])
@pytest.mark.parametrize("fetch,absorbed", [("conv", []), ("bn0", ["bn0"]), ("bias1", ["bn0", "bias1"])])
def test_fusion_stops_at_a_fetched_intermediate(op, fetch, absorbed):
    # the fetched node's value is what the fused kernel returns; nothing after it is absorbed
    g, out = _model(op, "bn+bias", "Relu6")
    fused, plain = _plans(g, [fetch, out])
    x = _x(g)
    got, want = fused.fn(x), plain.fn(x)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert not np.shares_memory(got[0], got[1])   # the activation did not run in place on it
    assert fused.fused == absorbed


@pytest.mark.parametrize("op", ["Conv2D", "DepthwiseConv2dNative"])
def test_fusion_stops_at_an_intermediate_with_a_second_consumer(op):
    g, out = _model(op, "bn", None)
    with g.as_default():
        conv = g.get_operation_by_name("conv").outputs[0]
        r = tf.nn.relu6(out, name="act")
        total = tf.add(r, conv, name="total")   # the conv output is used twice
    fused, plain = _plans(g, [total])
    x = _x(g)
    np.testing.assert_allclose(fused.fn(x), plain.fn(x), rtol=1e-5, atol=1e-5)
    assert fused.fused == []


def test_fed_intermediate_and_non_constant_filter_are_not_fused():
    g, out = _model("Conv2D", "bn", "Relu")
    fused, plain = _plans(g, [out], feeds=("x", "bn0"))
    bn_value = RS.rand(2, 9, 9, 8).astype(np.float32) - 0.5
    np.testing.assert_allclose(fused.fn(_x(g), bn_value), np.maximum(bn_value, 0))
    g2 = tf.Graph()
    with g2.as_default():
        x = tf.placeholder(tf.float32, [None, 9, 9, 4], name="x")
        w = tf.placeholder(tf.float32, [3, 3, 4, 8], name="w")
        h = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", name="conv"), name="act")
    fused, plain = _plans(g2, [h], feeds=("x", "w"))
    wv = RS.randn(3, 3, 4, 8).astype(np.float32)
    xv = _x()
    np.testing.assert_allclose(fused.fn(xv, wv), plain.fn(xv, wv), rtol=1e-5, atol=1e-5)
    assert fused.fused == []


def test_results_of_earlier_runs_are_never_overwritten():
    g, out = _model("DepthwiseConv2dNative", "bn+bias", "Relu6")
    with g.as_default():
        sess = tf.Session(graph=g)
    x1, x2 = _x(g), _x(g)
    r1 = sess.run(out, {"x:0": x1})
    keep = r1.copy()
    r2 = sess.run(out, {"x:0": x2})
    np.testing.assert_array_equal(r1, keep)
    assert not np.shares_memory(r1, r2)


def test_identity_of_a_large_weight_is_an_alias_folded_at_any_size():
    n = _FOLD_MAX_ELEMENTS // 256 + 1   # 256 x n weights: over the folding size bound
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 256], name="x")
        w = _weight(RS.randn(256, n), "w")
        y = tf.matmul(x, w, name="y")
    fused, plain = _plans(g, [y])
    assert fused.source.count("try:") == 1          # only the MatMul runs per call
    xv = RS.rand(2, 256).astype(np.float32)
    np.testing.assert_allclose(fused.fn(xv), plain.fn(xv), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_multiplier(stride):
    g, out = _model("DepthwiseConv2dNative", "bn+bias", "Relu6", stride=stride, cin=2, cout=6)
    fused, plain = _plans(g, [out])
    x = _x(g)
    np.testing.assert_allclose(fused.fn(x), plain.fn(x), rtol=1e-5, atol=1e-5)
    assert fused.fused == ["bn0", "bias1", "act"]
