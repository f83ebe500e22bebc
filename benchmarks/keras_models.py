"""Keras-like models built with graphdef's own builder, for issue 5's per-call goals.

Issue 5 quotes TensorFlow's per-call time for three model shapes (a small Keras MLP,
a small CNN, a MobileNetV2 at 96×96); the shared models are different graphs, so the
suite builds these itself, with weights from a seeded RNG (the figures only need the
right shapes and op mix, not trained values). Each is written as a frozen Keras graph
looks: weights are ``Const`` read through ``Identity``, batch norm is an inference
``FusedBatchNormV3`` (what freezing a Keras ``BatchNormalization`` leaves), activations
are separate ``Relu``/``Relu6`` nodes. The builder has no depthwise-convolution or
fused-batch-norm wrapper, so those two node types are made with ``Graph.create_op``.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class Model(NamedTuple):
    graph: Any          # graphdef Graph
    inp: Any            # input placeholder Tensor
    out: Any            # output Tensor
    x: np.ndarray       # a fed batch
    nodes: int


class _Builder:
    """Keras-layer-shaped helpers over graphdef's builder, weights from one seeded RNG."""

    def __init__(self, tf: Any, seed: int = 0) -> None:
        self.tf = tf
        self.rs = np.random.RandomState(seed)

    def weight(self, name: str, value: np.ndarray) -> Any:
        tf = self.tf
        c = tf.constant(value.astype(np.float32), name=name)
        return tf.identity(c, name=name + "/read")

    def dense(self, x: Any, name: str, n_in: int, n_out: int, act: str | None = "relu") -> Any:
        tf = self.tf
        w = self.weight(name + "/kernel", self.rs.randn(n_in, n_out) * np.sqrt(2.0 / n_in))
        b = self.weight(name + "/bias", self.rs.randn(n_out) * 0.01)
        h = tf.nn.bias_add(tf.matmul(x, w, name=name + "/MatMul"), b, name=name + "/BiasAdd")
        if act == "relu":
            h = tf.nn.relu(h, name=name + "/Relu")
        elif act == "softmax":
            h = tf.nn.softmax(h, name=name + "/Softmax")
        return h

    def conv(self, x: Any, name: str, cin: int, cout: int, k: int = 1, s: int = 1,
             padding: str = "SAME", bias: bool = False) -> Any:
        tf = self.tf
        w = self.weight(name + "/kernel", self.rs.randn(k, k, cin, cout) * np.sqrt(2.0 / (k * k * cin)))
        h = tf.nn.conv2d(x, w, strides=[1, s, s, 1], padding=padding, name=name + "/Conv2D")
        if bias:
            h = tf.nn.bias_add(h, self.weight(name + "/bias", self.rs.randn(cout) * 0.01),
                               name=name + "/BiasAdd")
        return h

    def depthwise(self, x: Any, name: str, c: int, s: int = 1) -> Any:
        tf = self.tf
        w = self.weight(name + "/depthwise_kernel", self.rs.randn(3, 3, c, 1) * 0.3)
        padding = b"SAME"
        if s == 2:  # Keras pads explicitly before a stride-2 depthwise (ZeroPadding2D)
            x = self.pad(x, name + "_pad")
            padding = b"VALID"
        g = x.graph
        op = g.create_op("DepthwiseConv2dNative", [x, w],
                         attrs={"T": tf.float32, "strides": [1, s, s, 1], "padding": padding,
                                "dilations": [1, 1, 1, 1], "data_format": b"NHWC",
                                "explicit_paddings": _empty_list(tf)},
                         name=name + "/depthwise", output_dtypes=[tf.float32],
                         output_shapes=[_conv_shape(x, c, s)])
        return op.outputs[0]

    def pad(self, x: Any, name: str) -> Any:
        """Keras's ``ZeroPadding2D(correct_pad)`` for an even size: one row/column after."""
        tf = self.tf
        paddings = tf.constant(np.array([[0, 0], [0, 1], [0, 1], [0, 0]], np.int32), name=name + "/Pad/paddings")
        op = x.graph.create_op("Pad", [x, paddings], attrs={"T": tf.float32, "Tpaddings": tf.int32},
                               name=name + "/Pad", output_dtypes=[tf.float32],
                               output_shapes=[tf.TensorShape([d if d is None or i in (0, 3) else d + 1
                                                              for i, d in enumerate(x.shape.as_list())])])
        return op.outputs[0]

    def batch_norm(self, x: Any, name: str, c: int) -> Any:
        tf = self.tf
        rs = self.rs
        params = [self.weight(f"{name}/{p}", v) for p, v in (
            ("gamma", rs.rand(c) + 0.5), ("beta", rs.randn(c) * 0.1),
            ("moving_mean", rs.randn(c) * 0.1), ("moving_variance", rs.rand(c) + 0.5))]
        op = x.graph.create_op("FusedBatchNormV3", [x] + params,
                               attrs={"T": tf.float32, "U": tf.float32, "epsilon": 0.001,
                                      "exponential_avg_factor": 1.0, "data_format": b"NHWC",
                                      "is_training": False},
                               name=name + "/FusedBatchNormV3",
                               output_dtypes=[tf.float32] * 6,
                               output_shapes=[x.shape] + [tf.TensorShape([c])] * 4
                               + [tf.TensorShape(None)])
        return op.outputs[0]


def _conv_shape(x: Any, c: int, s: int) -> Any:
    """Static output shape of a 3×3 depthwise conv: SAME at stride 1, VALID after a pad at 2."""
    n, h, w, _ = x.shape.as_list()
    if s == 2:
        h, w = (None if h is None else (h - 3) // 2 + 1), (None if w is None else (w - 3) // 2 + 1)
    return x.shape.__class__([n, h, w, c])


def _empty_list(tf: Any) -> Any:
    from graphdef._proto import attr_value_pb2
    v = attr_value_pb2.AttrValue()
    v.list.SetInParent()
    return v


def keras_mlp(tf: Any, batch: int = 1) -> Model:
    """Dense 784→128 (relu) →64 (relu) →10 (softmax), as ``keras.Sequential`` freezes."""
    g = tf.Graph()
    with g.as_default():
        b = _Builder(tf, 0)
        x = tf.placeholder(tf.float32, [None, 784], name="input")
        h = b.dense(x, "dense", 784, 128)
        h = b.dense(h, "dense_1", 128, 64)
        out = b.dense(h, "dense_2", 64, 10, act="softmax")
    xv = np.random.RandomState(1).rand(batch, 784).astype(np.float32)
    return Model(g, x, out, xv, len(g.get_operations()))


def small_cnn(tf: Any, batch: int = 1) -> Model:
    """28×28×1: conv 32 3×3 relu → maxpool 2 → conv 64 3×3 relu → maxpool 2 → flatten →
    dense 128 relu → dense 10 softmax (the Keras MNIST convnet shape, VALID convs)."""
    g = tf.Graph()
    with g.as_default():
        b = _Builder(tf, 0)
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="input")
        h = tf.nn.relu(b.conv(x, "conv2d", 1, 32, 3, padding="VALID", bias=True), name="conv2d/Relu")
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", name="max_pooling2d/MaxPool")
        h = tf.nn.relu(b.conv(h, "conv2d_1", 32, 64, 3, padding="VALID", bias=True), name="conv2d_1/Relu")
        h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", name="max_pooling2d_1/MaxPool")
        h = tf.reshape(h, [-1, 5 * 5 * 64], name="flatten/Reshape")
        h = b.dense(h, "dense", 5 * 5 * 64, 128)
        out = b.dense(h, "dense_1", 128, 10, act="softmax")
    xv = np.random.RandomState(1).rand(batch, 28, 28, 1).astype(np.float32)
    return Model(g, x, out, xv, len(g.get_operations()))


# MobileNetV2's inverted-residual config: (expansion t, channels c, repeats n, first stride s)
MOBILENETV2_CFG = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                   (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def mobilenet_v2(tf: Any, batch: int = 2, size: int = 96) -> Model:
    """MobileNetV2, width 1.0, the standard 17 inverted-residual blocks, 1000 classes,
    as ``keras.applications.MobileNetV2`` freezes (``Conv1`` → 17 blocks → ``Conv_1`` →
    global average pool (``Mean``) → dense → softmax)."""
    g = tf.Graph()
    with g.as_default():
        b = _Builder(tf, 0)
        x = tf.placeholder(tf.float32, [None, size, size, 3], name="input_1")
        h = b.conv(x, "Conv1", 3, 32, 3, 2)
        h = tf.nn.relu6(b.batch_norm(h, "bn_Conv1", 32), name="Conv1_relu/Relu6")
        cin, blk = 32, 0
        for t, c, n, s in MOBILENETV2_CFG:
            for i in range(n):
                p = f"block_{blk}" if blk else "expanded_conv"
                inp, e = h, cin * t
                if t != 1:
                    h = b.conv(h, p + "_expand", cin, e)
                    h = tf.nn.relu6(b.batch_norm(h, p + "_expand_BN", e), name=p + "_expand_relu/Relu6")
                h = b.depthwise(h, p + "_depthwise", e, s if i == 0 else 1)
                h = tf.nn.relu6(b.batch_norm(h, p + "_depthwise_BN", e), name=p + "_depthwise_relu/Relu6")
                h = b.batch_norm(b.conv(h, p + "_project", e, c), p + "_project_BN", c)
                if i > 0 and cin == c:
                    h = tf.add(inp, h, name=p + "_add/add")
                cin, blk = c, blk + 1
        h = tf.nn.relu6(b.batch_norm(b.conv(h, "Conv_1", cin, 1280), "Conv_1_bn", 1280),
                        name="out_relu/Relu6")
        h = tf.reduce_mean(h, [1, 2], name="global_average_pooling2d/Mean")
        out = b.dense(h, "predictions", 1280, 1000, act="softmax")
    xv = np.random.RandomState(1).rand(batch, size, size, 3).astype(np.float32)
    return Model(g, x, out, xv, len(g.get_operations()))
