"""Ops that TF1 training graphs contain: gradient helpers, losses, segment sums,
random initializers and asserts — so loaded training graphs run too."""
from __future__ import annotations

import zlib

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel


@kernel("BroadcastGradientArgs", num_outputs=2)
def broadcast_gradient_args(s0, s1):
    """The axes each input was broadcast along (to sum its gradient over)."""
    a, b = [int(v) for v in s0], [int(v) for v in s1]
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    ra, rb = [], []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise InvalidArgumentError(None, None, f"Incompatible shapes: {list(s0)} vs. {list(s1)}")
        if x == 1 and y == 1:
            ra.append(i)
            rb.append(i)
        elif x == 1:
            ra.append(i)
        elif y == 1:
            rb.append(i)
    return np.array(ra, dtype=s0.dtype), np.array(rb, dtype=s0.dtype)


@kernel("BiasAddGrad", factory=True)
def bias_add_grad(ctx):
    nchw = ctx.attr("data_format", b"NHWC") == b"NCHW"

    def run(g):
        axes = tuple(i for i in range(g.ndim) if i != (1 if nchw and g.ndim > 2 else g.ndim - 1))
        return np.add.reduce(g, axis=axes, dtype=g.dtype)
    return run


@kernel("ReluGrad")
def relu_grad(g, x):
    return np.where(x > 0, g, np.zeros_like(g))


@kernel("Relu6Grad")
def relu6_grad(g, x):
    return np.where((x > 0) & (x < 6), g, np.zeros_like(g))


@kernel("TanhGrad")
def tanh_grad(y, g):
    return g * (1 - y * y)


@kernel("SigmoidGrad")
def sigmoid_grad(y, g):
    return g * y * (1 - y)


@kernel("RsqrtGrad")
def rsqrt_grad(y, g):
    return g * y * y * y * y.dtype.type(-0.5)


@kernel("SqrtGrad")
def sqrt_grad(y, g):
    return g * y.dtype.type(0.5) / y


@kernel("L2Loss")
def l2_loss(x):
    return np.asarray(np.sum(x * x, dtype=x.dtype) / x.dtype.type(2))


def _log_softmax(x):
    s = x - np.max(x, axis=-1, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))


@kernel("SoftmaxCrossEntropyWithLogits", num_outputs=2)
def softmax_xent(logits, labels):
    ls = _log_softmax(logits)
    loss = -np.sum(labels * ls, axis=-1)
    return loss.astype(logits.dtype), (np.exp(ls) - labels).astype(logits.dtype)


@kernel("SparseSoftmaxCrossEntropyWithLogits", num_outputs=2)
def sparse_softmax_xent(logits, labels):
    n = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise InvalidArgumentError(None, None, f"Received a label value outside the valid range of [0, {n})")
    ls = _log_softmax(logits)
    loss = -np.take_along_axis(ls, labels[..., None].astype(np.int64), axis=-1)[..., 0]
    grad = np.exp(ls)
    np.put_along_axis(grad, labels[..., None].astype(np.int64),
                      np.take_along_axis(grad, labels[..., None].astype(np.int64), axis=-1) - 1, axis=-1)
    return loss.astype(logits.dtype), grad.astype(logits.dtype)


@kernel("InvertPermutation")
def invert_permutation(p):
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return out


@kernel("ConcatOffset", factory=True, num_outputs=lambda ctx: int(ctx.attr("N", 2)))
def concat_offset(ctx):
    def run(axis, *shapes):
        a = int(axis) % len(shapes[0])
        offs, acc = [], 0
        for s in shapes:
            o = np.zeros_like(s)
            o[a] = acc
            acc += int(s[a])
            offs.append(o)
        return tuple(offs)
    return run


@kernel("DynamicStitch", "ParallelDynamicStitch", factory=True)
def dynamic_stitch(ctx):
    n = int(ctx.attr("N", 1))

    def run(*args):
        idx, data = args[:n], args[n:]
        size = max((int(i.max()) + 1 for i in idx if i.size), default=0)
        inner = data[0].shape[idx[0].ndim:]
        out = np.zeros((size,) + inner, dtype=data[0].dtype)
        for i, d in zip(idx, data):
            out[i.reshape(-1)] = d.reshape((-1,) + inner)
        return out
    return run


def _segment(ufunc, fill):
    def run(data, ids, num):
        k = int(num)
        out = np.full((k,) + data.shape[ids.ndim:], fill(data.dtype), dtype=data.dtype)
        flat = ids.reshape(-1)
        ok = (flat >= 0) & (flat < k)   # out-of-range ids are dropped, as TF
        ufunc.at(out, flat[ok], data.reshape((-1,) + data.shape[ids.ndim:])[ok])
        return out
    return run


kernel("UnsortedSegmentSum")(_segment(np.add, lambda dt: 0))
kernel("UnsortedSegmentMax")(_segment(np.maximum, lambda dt: np.finfo(dt).min if dt.kind == "f" else np.iinfo(dt).min))
kernel("UnsortedSegmentMin")(_segment(np.minimum, lambda dt: np.finfo(dt).max if dt.kind == "f" else np.iinfo(dt).max))


@kernel("Assert", factory=True, num_outputs=0, stateful=True)
def assert_(ctx):
    def run(cond, *data):
        if not bool(np.all(cond)):
            shown = ", ".join(str(np.asarray(d).tolist() if np.size(d) <= 10 else np.asarray(d).reshape(-1)[:10].tolist())
                              for d in data)
            raise InvalidArgumentError(None, None, f"assertion failed: [{shown}]")
    return run


def _rng(ctx):
    """A generator per node and session. TF's Philox streams cannot be reproduced, so
    values are not TF's; they are repeatable: from the op's seeds when set, else from
    the node's name (so one graph gives the same values in every session)."""
    seed, seed2 = int(ctx.attr("seed", 0)), int(ctx.attr("seed2", 0))
    return np.random.default_rng([seed, seed2] if seed or seed2 else [zlib.crc32(ctx.name.encode())])


@kernel("RandomUniform", factory=True, stateful=True)
def random_uniform(ctx):
    rng, dt = _rng(ctx), ctx.np_dtype("dtype", np.float32)
    return lambda shape: rng.random([int(v) for v in shape]).astype(dt)


@kernel("RandomStandardNormal", factory=True, stateful=True)
def random_standard_normal(ctx):
    rng, dt = _rng(ctx), ctx.np_dtype("dtype", np.float32)
    return lambda shape: rng.standard_normal([int(v) for v in shape]).astype(dt)


@kernel("TruncatedNormal", factory=True, stateful=True)
def truncated_normal(ctx):
    rng, dt = _rng(ctx), ctx.np_dtype("dtype", np.float32)

    def run(shape):
        v = rng.standard_normal([int(s) for s in shape])
        bad = np.abs(v) > 2
        while bad.any():   # redraw beyond two standard deviations, as TF
            v[bad] = rng.standard_normal(int(bad.sum()))
            bad = np.abs(v) > 2
        return v.astype(dt)
    return run


@kernel("RandomUniformInt", factory=True, stateful=True)
def random_uniform_int(ctx):
    rng = _rng(ctx)
    return lambda shape, lo, hi: rng.integers(int(lo), int(hi), [int(v) for v in shape]).astype(np.asarray(lo).dtype)
