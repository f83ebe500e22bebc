"""Activations, softmax, bias and batch normalization."""
from __future__ import annotations

import numpy as np

from graphdef.runtime.kernels.registry import kernel

try:   # the clip ufunc itself: np.clip's Python wrappers cost ~7 µs a call (35 calls a MobileNet run)
    from numpy._core.umath import clip as _clip
except ImportError:  # numpy 1.x
    _clip = np.clip

_INF = {np.dtype(t): np.dtype(t).type(np.inf) for t in (np.float16, np.float32, np.float64)}


def relu(x, out=None):
    # clip is ~3x faster than np.maximum on float arrays (numpy 2)
    hi = _INF.get(x.dtype)
    if hi is None:
        return np.maximum(x, x.dtype.type(0), out=out)
    return _clip(x, x.dtype.type(0), hi, out=out)


def relu6(x, out=None):
    return _clip(x, x.dtype.type(0), x.dtype.type(6), out=out)


kernel("Relu")(relu)
kernel("Relu6")(relu6)


@kernel("Elu")
def elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, x.dtype.type(0))))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@kernel("Selu")
def selu(x):
    t = x.dtype.type
    return t(_SELU_SCALE) * np.where(x > 0, x, t(_SELU_ALPHA) * np.expm1(np.minimum(x, t(0))))


@kernel("LeakyRelu", factory=True)
def leaky_relu(ctx):
    alpha = float(ctx.attr("alpha", 0.2))

    def run(x):
        return np.where(x > 0, x, x * x.dtype.type(alpha))
    return run


@kernel("Softplus")
def softplus(x):
    return np.logaddexp(x.dtype.type(0), x)


@kernel("Softsign")
def softsign(x):
    return x / (np.abs(x) + x.dtype.type(1))


def _softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    e /= np.sum(e, axis=-1, keepdims=True)
    return e


kernel("Softmax")(_softmax)


@kernel("LogSoftmax")
def log_softmax(x):
    s = x - np.max(x, axis=-1, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))


@kernel("BiasAdd", "BiasAddV1", factory=True)
def bias_add(ctx):
    if ctx.attr("data_format", b"NHWC") == b"NCHW":
        def run(x, b):
            return x + b.reshape((-1,) + (1,) * (x.ndim - 2))
        return run
    return np.add


@kernel("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", factory=True,
        num_outputs=lambda ctx: 6 if ctx.node.op == "FusedBatchNormV3" else 5)
def fused_batch_norm(ctx):
    eps = float(ctx.attr("epsilon", 1e-4))
    training = bool(ctx.attr("is_training", True))
    nchw = ctx.attr("data_format", b"NHWC") in (b"NCHW", b"NCDHW")
    v3 = ctx.node.op == "FusedBatchNormV3"
    factor = float(ctx.attr("exponential_avg_factor", 1.0))

    if not training and all(ctx.const(i) is not None for i in (1, 2, 3, 4)):
        # Inference with constant statistics (every frozen model): y = x·a + b, a and b
        # computed once here.
        scale, offset, mean, var = (ctx.const(i) for i in (1, 2, 3, 4))
        a = (scale / np.sqrt(var + np.float32(eps))).astype(np.float32)
        b = (offset - mean * a).astype(np.float32)
        extra = (np.zeros(0, np.float32),) if v3 else ()

        def run_frozen(x, *_):
            xt = np.moveaxis(x, 1, -1) if nchw else x
            y = np.multiply(xt, a.astype(x.dtype, copy=False))
            y += b.astype(x.dtype, copy=False)
            if nchw:
                y = np.moveaxis(y, -1, 1)
            return (y, mean, var, mean, var) + extra
        if not nchw:  # lets the plan fold a, b into the convolution before it
            run_frozen.frozen_affine = (a, b, (mean, var, mean, var) + extra)
        return run_frozen

    def run(x, scale, offset, mean, var):
        xt = np.moveaxis(x, 1, -1) if nchw else x
        if training:
            axes = tuple(range(xt.ndim - 1))
            m = xt.mean(axis=axes, dtype=np.float32)
            v = xt.var(axis=axes, dtype=np.float32)
            n = xt.size // xt.shape[-1]
            v_out = v * (n / max(n - 1, 1))  # the running variance uses Bessel's correction
            if factor != 1.0 and mean.size:
                m_out = (1 - factor) * mean + factor * m
                v_out = (1 - factor) * var + factor * v_out
            else:
                m_out = m
        else:
            m, v, m_out, v_out = mean, var, mean, var
        inv = (scale / np.sqrt(v + np.float32(eps))).astype(np.float32)
        y = (xt * inv + (offset - m * inv)).astype(x.dtype, copy=False)
        if nchw:
            y = np.moveaxis(y, -1, 1)
        outs = (y, m_out, v_out, m, v)
        return outs + (np.zeros(0, np.float32),) if v3 else outs
    return run
