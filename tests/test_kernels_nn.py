"""NN kernels: activations, softmax, bias, batch norm, and convolutions/pools against
naive loop references (slow, obviously right) over padding, strides and dilations."""
from __future__ import annotations

import math

import numpy as np
import pytest

from graphdef.runtime.kernels import conv as conv_kernels
from test_kernels_registry import run_op

RS = np.random.RandomState(0)
F = np.array([-3.0, -0.5, 0.0, 0.5, 7.0], np.float32)


@pytest.mark.parametrize("op,attrs,ref", [
    ("Relu", {}, lambda v: max(v, 0.0)),
    ("Relu6", {}, lambda v: min(max(v, 0.0), 6.0)),
    ("Elu", {}, lambda v: v if v > 0 else math.expm1(v)),
    ("Selu", {}, lambda v: 1.0507009873554805 * (v if v > 0 else 1.6732632423543772 * math.expm1(v))),
    ("LeakyRelu", {"alpha": 0.2}, lambda v: v if v > 0 else 0.2 * v),
    ("Softplus", {}, lambda v: math.log1p(math.exp(v))),
    ("Softsign", {}, lambda v: v / (1 + abs(v))),
])
def test_activations(op, attrs, ref):
    got = run_op(op, [F], attrs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [ref(float(v)) for v in F], rtol=1e-6, atol=1e-7)


def test_softmax_family():
    x = RS.randn(3, 5).astype(np.float32) * 10
    e = np.exp(x.astype(np.float64) - x.max(-1, keepdims=True))
    sm = e / e.sum(-1, keepdims=True)
    np.testing.assert_allclose(run_op("Softmax", [x]), sm, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(run_op("LogSoftmax", [x]), np.log(sm), rtol=1e-5, atol=1e-5)


def test_bias_add():
    x = RS.randn(2, 3, 4).astype(np.float32)
    b = RS.randn(4).astype(np.float32)
    for op in ("BiasAdd", "BiasAddV1"):
        np.testing.assert_allclose(run_op(op, [x, b]), x + b)
    y = RS.randn(2, 4, 3, 3).astype(np.float32)
    np.testing.assert_allclose(run_op("BiasAdd", [y, b], {"data_format": "NCHW"}), y + b[:, None, None])


@pytest.mark.parametrize("op", ["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"])
def test_fused_batch_norm(op):
    x = RS.randn(2, 3, 3, 4).astype(np.float32)
    scale, offset = RS.rand(4).astype(np.float32) + 0.5, RS.randn(4).astype(np.float32)
    mean, var = RS.randn(4).astype(np.float32), RS.rand(4).astype(np.float32) + 0.1
    n_out = 6 if op == "FusedBatchNormV3" else 5
    attrs = {"epsilon": 0.001, "is_training": False}
    if op != "FusedBatchNorm":
        attrs["U"] = __import__("test_kernels_registry").T(np.float32)
    outs = run_op(op, [x, scale, offset, mean, var], attrs, n_out=n_out)
    want = (x - mean) / np.sqrt(var + 0.001) * scale + offset
    np.testing.assert_allclose(outs[0], want, rtol=1e-5, atol=1e-5)
    attrs["is_training"] = True
    outs = run_op(op, [x, scale, offset, np.zeros(0, np.float32), np.zeros(0, np.float32)], attrs, n_out=n_out)
    m, v = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(outs[0], (x - m) / np.sqrt(v + 0.001) * scale + offset, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(outs[1], m, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[2], v * 18 / 17, rtol=1e-5)


# ---------------------------------------------------------------------------
# naive references
# ---------------------------------------------------------------------------

def _pads(size, k, s, d, padding, explicit=None):
    ek = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-size // s)
        total = max((out - 1) * s + ek - size, 0)
        return out, total // 2
    if padding == "VALID":
        return (size - ek) // s + 1, 0
    lo, hi = explicit
    return (size + lo + hi - ek) // s + 1, lo


def ref_conv(x, f, s, d, padding, explicit=((0, 0), (0, 0)), depthwise=False):
    n, h, w, c = x.shape
    kh, kw = f.shape[:2]
    oh, pt = _pads(h, kh, s[0], d[0], padding, explicit[0])
    ow, pl = _pads(w, kw, s[1], d[1], padding, explicit[1])
    co = c * f.shape[3] if depthwise else f.shape[3]
    out = np.zeros((n, oh, ow, co), np.float64)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for a in range(kh):
                    for e in range(kw):
                        y, z = i * s[0] + a * d[0] - pt, j * s[1] + e * d[1] - pl
                        if 0 <= y < h and 0 <= z < w:
                            if depthwise:
                                out[b, i, j] += (x[b, y, z][:, None] * f[a, e]).reshape(-1)
                            else:
                                out[b, i, j] += x[b, y, z] @ f[a, e]
    return out


def ref_pool(x, k, s, padding, mode):
    n, h, w, c = x.shape
    oh, pt = _pads(h, k[0], s[0], 1, padding)
    ow, pl = _pads(w, k[1], s[1], 1, padding)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            y0, x0 = i * s[0] - pt, j * s[1] - pl
            win = x[:, max(y0, 0):min(y0 + k[0], h), max(x0, 0):min(x0 + k[1], w), :]
            out[:, i, j] = win.max((1, 2)) if mode == "max" else win.mean((1, 2))
    return out


CONV = [  # (x shape, filter shape, strides, dilations, padding, explicit)
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), (1, 1), "SAME", None),
    ((2, 7, 6, 3), (3, 3, 3, 4), (2, 2), (1, 1), "SAME", None),
    ((1, 8, 9, 2), (3, 2, 2, 5), (2, 3), (1, 1), "VALID", None),
    ((1, 9, 9, 2), (3, 3, 2, 2), (1, 1), (2, 2), "SAME", None),
    ((1, 9, 8, 2), (2, 3, 2, 3), (1, 2), (2, 1), "VALID", None),
    ((1, 5, 5, 3), (3, 3, 3, 2), (1, 1), (1, 1), "EXPLICIT", ((1, 2), (0, 1))),
    ((2, 4, 4, 6), (1, 1, 6, 3), (1, 1), (1, 1), "VALID", None),
    ((2, 7, 8, 5), (3, 3, 5, 4), (2, 2), (1, 1), "SAME", None),        # im2col with C >= 4
    ((1, 9, 9, 4), (3, 2, 4, 3), (1, 2), (2, 1), "VALID", None),
    ((1, 6, 6, 6), (2, 2, 6, 2), (1, 1), (1, 1), "EXPLICIT", ((0, 1), (2, 1))),
]


def _conv_attrs(s, d, padding, explicit):
    a = {"strides": [1, s[0], s[1], 1], "dilations": [1, d[0], d[1], 1], "padding": padding}
    if explicit:
        a["explicit_paddings"] = [0, 0, *explicit[0], *explicit[1], 0, 0]
    return a


@pytest.mark.parametrize("xs,fs,s,d,padding,explicit", CONV, ids=[f"{c[4]}-s{c[2]}-d{c[3]}" for c in CONV])
def test_conv2d(xs, fs, s, d, padding, explicit):
    x, f = RS.randn(*xs).astype(np.float32), RS.randn(*fs).astype(np.float32)
    got = run_op("Conv2D", [x, f], _conv_attrs(s, d, padding, explicit))
    np.testing.assert_allclose(got, ref_conv(x, f, s, d, padding, explicit or ((0, 0), (0, 0))), rtol=1e-4, atol=1e-4)
    # NCHW gives the same numbers, transposed
    a = _conv_attrs(s, d, padding, explicit)
    a.update(strides=[1, 1, s[0], s[1]], dilations=[1, 1, d[0], d[1]], data_format="NCHW")
    if explicit:
        a["explicit_paddings"] = [0, 0, 0, 0, *explicit[0], *explicit[1]]
    got2 = run_op("Conv2D", [x.transpose(0, 3, 1, 2).copy(), f], a)
    np.testing.assert_allclose(got2, got.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("xs,m,s,d,padding", [
    ((2, 7, 6, 3), 1, (1, 1), (1, 1), "SAME"), ((2, 7, 6, 3), 2, (2, 2), (1, 1), "SAME"),
    ((1, 9, 8, 4), 1, (2, 1), (1, 2), "VALID"), ((1, 6, 6, 2), 3, (1, 2), (1, 1), "VALID"),
    # strided columns (the window einsum), few and many channels, dilated
    ((2, 9, 8, 5), 1, (2, 2), (1, 1), "SAME"), ((1, 9, 11, 4), 1, (1, 2), (2, 2), "VALID"),
    ((2, 8, 8, 100), 1, (2, 2), (1, 1), "SAME"), ((1, 3, 3, 4), 1, (2, 3), (1, 1), "VALID"),
    # SAME, strided and not, dilated, few and many output pixels
    ((2, 12, 11, 8), 1, (1, 1), (1, 1), "SAME"), ((2, 13, 12, 8), 1, (2, 2), (1, 1), "SAME"),
    ((1, 12, 12, 6), 1, (1, 1), (2, 2), "SAME"), ((1, 4, 20, 3), 1, (1, 2), (1, 1), "SAME"),
])
@pytest.mark.parametrize("split", [False, True])
def test_depthwise_conv2d(xs, m, s, d, padding, split, monkeypatch, kernel_loops):
    # split: the kernel's interior/border computation without a padded copy, which it
    # otherwise uses only for strided layers of 400 output pixels per image or more
    if split:
        monkeypatch.setattr(conv_kernels, "_SPLIT_MIN_PIXELS", 0)
    x = RS.randn(*xs).astype(np.float32)
    f = RS.randn(3, 3, xs[3], m).astype(np.float32)
    got = run_op("DepthwiseConv2dNative", [x, f], _conv_attrs(s, d, padding, None))
    np.testing.assert_allclose(got, ref_conv(x, f, s, d, padding, depthwise=True), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("hw,s,d,padding,explicit", [
    ((7, 6), (2, 2), (1, 1), "SAME", None), ((8, 8), (2, 2), (1, 1), "SAME", None),
    ((9, 7), (2, 3), (1, 1), "VALID", None), ((5, 5), (1, 1), (1, 1), "SAME", None),
    ((9, 9), (1, 2), (2, 1), "SAME", None), ((6, 7), (2, 1), (1, 1), "EXPLICIT", ((1, 2), (2, 0)))])
def test_conv2d_backprop_input_is_the_transpose_of_conv2d(hw, s, d, padding, explicit):
    """<conv(x, f), dy> == <x, conv_transpose(dy, f)> for all x, dy (the adjoint identity)."""
    x = RS.randn(2, *hw, 3).astype(np.float64)
    f = RS.randn(3, 3, 3, 4).astype(np.float64)
    y = ref_conv(x, f, s, d, padding, explicit or ((0, 0), (0, 0)))
    dy = RS.randn(*y.shape)
    dx = run_op("Conv2DBackpropInput", [np.array([2, *hw, 3], np.int32), f, dy],
                _conv_attrs(s, d, padding, explicit))
    assert dx.shape == x.shape
    np.testing.assert_allclose((y * dy).sum(), (x * dx).sum(), rtol=1e-9)


@pytest.mark.parametrize("op,k,s,padding", [
    ("MaxPool", (2, 2), (2, 2), "VALID"), ("MaxPool", (3, 3), (2, 2), "SAME"), ("MaxPool", (3, 2), (1, 2), "SAME"),
    ("AvgPool", (2, 2), (2, 2), "VALID"), ("AvgPool", (3, 3), (2, 2), "SAME"), ("AvgPool", (3, 3), (1, 1), "SAME"),
])
def test_pools(op, k, s, padding):
    x = RS.randn(2, 7, 6, 3).astype(np.float32)
    got = run_op(op, [x], {"ksize": [1, *k, 1], "strides": [1, *s, 1], "padding": padding})
    np.testing.assert_allclose(got, ref_pool(x, k, s, padding, "max" if op == "MaxPool" else "avg"), rtol=1e-5, atol=1e-6)
    assert got.dtype == np.float32
    if op == "MaxPool":   # integers pool too, padding never wins
        xi = (x * 10).astype(np.int32) - 100
        goti = run_op(op, [xi], {"ksize": [1, *k, 1], "strides": [1, *s, 1], "padding": padding})
        assert goti.dtype == np.int32
        np.testing.assert_array_equal(goti, ref_pool(xi, k, s, padding, "max"))
    nchw = run_op(op, [x.transpose(0, 3, 1, 2).copy()], {"ksize": [1, 1, *k], "strides": [1, 1, *s],
                                                          "padding": padding, "data_format": "NCHW"})
    np.testing.assert_allclose(nchw, got.transpose(0, 3, 1, 2), rtol=1e-6)


COVERED = {"Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus", "Softsign", "Softmax", "LogSoftmax",
           "BiasAdd", "BiasAddV1", "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "Conv2D",
           "DepthwiseConv2dNative", "Conv2DBackpropInput", "MaxPool", "AvgPool"}


@pytest.mark.parametrize("channels", [4, 300])          # tiled bias rows / plain broadcast
@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("act", [None, "Relu", "Relu6"])
def test_fused_convolution_epilogue_works_in_place(channels, contiguous, act, kernel_loops):
    bias = RS.randn(channels).astype(np.float32) * 4
    base = RS.randn(2, 3, 10, channels).astype(np.float32) * 4
    o = base.copy() if contiguous else base.copy()[:, :, ::2]
    want = o + bias
    if act:
        want = np.clip(want, 0, 6 if act == "Relu6" else np.inf)
    conv_kernels._epilogue(bias, act)(o)
    np.testing.assert_allclose(o, want, rtol=1e-6)


class _Attrs:
    """The attrs a kernel factory reads (``KernelContext.attr``), from keywords."""

    def __init__(self, **attrs):
        self.attrs = attrs

    def attr(self, name, default=None):
        return self.attrs.get(name, default)


@pytest.mark.parametrize("act", [None, "Relu", "Relu6"])
def test_fused_depthwise_keeps_nan_and_infinities(act, kernel_loops):
    """The compiled loop clips as np.clip does: NaN stays NaN, ±inf is clipped."""
    x = np.zeros((1, 3, 3, 2), np.float32)
    x[0, 1, 1] = [np.nan, np.inf]
    f = np.zeros((3, 3, 2, 1), np.float32)
    f[1, 1] = 1
    geometry = conv_kernels._Geometry(_Attrs(strides=[1] * 4, dilations=[1] * 4, padding=b"SAME"))
    got = conv_kernels._depthwise(geometry, f, np.ones(2, np.float32), act)(x, f)
    hi = {None: np.inf, "Relu": np.inf, "Relu6": 6.0}[act]
    assert np.isnan(got[0, 1, 1, 0]) and got[0, 1, 1, 1] == hi


def test_compiled_loops_switch_off_by_environment():
    import subprocess
    import sys
    code = "from graphdef.runtime.kernels import accel; print(accel.ENABLED, accel.loops())"
    env = dict(__import__("os").environ, GRAPHDEF_JIT="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "None"]


def test_kernels_ask_for_compiled_loops_only_after_warm_calls(monkeypatch):
    """A one-shot run never loads numba: the first ``WARM_CALLS`` calls of a kernel run
    numpy without asking for the compiled loops; later calls ask (kernel and epilogue)."""
    from graphdef.runtime.kernels import accel
    asked = []
    monkeypatch.setattr(accel, "loops", lambda: asked.append(1))
    monkeypatch.setattr(accel, "WARM_CALLS", 2)
    x = RS.randn(1, 5, 5, 3).astype(np.float32)
    f = RS.randn(3, 3, 3, 1).astype(np.float32)
    geometry = conv_kernels._Geometry(_Attrs(strides=[1] * 4, dilations=[1] * 4, padding=b"SAME"))
    k = conv_kernels._depthwise(geometry, f, np.ones(3, np.float32), "Relu6")
    first = [k(x, f) for _ in range(2)]
    assert asked == []
    third = k(x, f)
    assert len(asked) == 2
    np.testing.assert_array_equal(first[0], third)


def test_depthwise_with_a_fed_filter_of_another_depth_each_call(kernel_loops):
    """The kernel's per-dtype bias cache must not outlive a change of depth."""
    geometry = conv_kernels._Geometry(_Attrs(strides=[1] * 4, dilations=[1] * 4, padding=b"SAME"))
    k = conv_kernels._depthwise(geometry, None, None, None)
    for depth in (3, 7, 2):
        x = RS.randn(1, 4, 5, depth).astype(np.float32)
        f = RS.randn(3, 3, depth, 1).astype(np.float32)
        np.testing.assert_allclose(k(x, f), ref_conv(x, f, (1, 1), (1, 1), "SAME", depthwise=True),
                                   rtol=1e-5, atol=1e-5)


def test_compiled_loops_that_fail_to_load_mean_numpy(monkeypatch):
    """numba raises RuntimeError at import where it finds no cache directory it may
    write: the kernels must then run numpy, not fail."""
    import builtins
    import sys
    from graphdef.runtime.kernels import accel
    real_import = builtins.__import__

    def failing(name, globals=None, locals=None, fromlist=(), level=0):
        if fromlist and "jit" in fromlist and name == "graphdef.runtime.kernels":
            raise RuntimeError("cannot cache function: no locator available")
        return real_import(name, globals, locals, fromlist, level)
    monkeypatch.setattr(builtins, "__import__", failing)
    monkeypatch.delitem(sys.modules, "graphdef.runtime.kernels.jit", raising=False)
    monkeypatch.setattr(accel, "_loaded", False)
    monkeypatch.setattr(accel, "ENABLED", True)
    assert accel.loops() is None


@pytest.mark.parametrize("rows,cout", [(9, 1280), (18, 960), (36, 576), (72, 64), (5, 3), (1, 7)])
@pytest.mark.parametrize("k", [1, 3, 4, 9])           # K % 4: the unrolled loop and its tail
@pytest.mark.parametrize("act", [None, "Relu6"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_1x1_convolution(rows, cout, k, act, dtype, kernel_loops):
    """1×1 convolutions with few pixels run in the compiled small-product loop (with
    the bias and activation); the result is numpy's."""
    x = RS.randn(1, rows, 1, k).astype(dtype)
    f = RS.randn(1, 1, k, cout).astype(dtype)
    bias = RS.randn(cout).astype(dtype)
    geometry = conv_kernels._Geometry(_Attrs(strides=[1] * 4, dilations=[1] * 4, padding=b"SAME"))
    want = x.reshape(rows, k) @ f.reshape(k, cout) + bias
    if act:
        want = np.clip(want, 0, 6)
    for _ in range(2):   # the second call reuses the kernel's cached 2-D filter
        got = conv_kernels._conv2d(geometry, f, bias, act)(x, f)
        assert got.shape == (1, rows, 1, cout) and got.dtype == dtype
        np.testing.assert_allclose(got.reshape(rows, cout), want, rtol=1e-5, atol=1e-5)
    plain = conv_kernels._conv2d(geometry, None, None, None)(x, f)   # unfused, fed filter
    np.testing.assert_allclose(plain.reshape(rows, cout), x.reshape(rows, k) @ f.reshape(k, cout),
                               rtol=1e-5, atol=1e-5)


def test_small_1x1_convolution_keeps_nan_and_infinities(kernel_loops):
    x = np.zeros((1, 2, 2, 4), np.float32)
    x[0, 0, 0, 0], x[0, 0, 1, 0] = np.nan, np.inf
    f = np.zeros((1, 1, 4, 2), np.float32)
    f[0, 0, 0] = 1
    geometry = conv_kernels._Geometry(_Attrs(strides=[1] * 4, dilations=[1] * 4, padding=b"VALID"))
    got = conv_kernels._conv2d(geometry, f, np.zeros(2, np.float32), "Relu6")(x, f)
    assert np.isnan(got[0, 0, 0, 0]) and got[0, 0, 1, 0] == 6 and got[0, 1, 1, 0] == 0


def test_small_1x1_rule():
    assert conv_kernels._small_rows(18, 960) and conv_kernels._small_rows(72, 96)
    assert not conv_kernels._small_rows(18, 1280) and not conv_kernels._small_rows(144, 24)
