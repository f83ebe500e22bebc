"""Convolutions and pooling, NHWC, vectorised.

Each output pixel's receptive field is a strided *view* of the padded input
(``as_strided``: no copy), so a convolution is one matrix product over
``(N·OH·OW, KH·KW·C)`` (im2col) and a pool one reduction over the window axes.
Depthwise convolution and the transposed convolution loop over the KH·KW kernel
taps only, never over pixels. NCHW inputs are transposed to NHWC and back.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels import accel
from graphdef.runtime.kernels.nn import relu, relu6
from graphdef.runtime.kernels.registry import kernel


def _hw(values, nchw: bool, default: int = 1) -> tuple[int, int]:
    v = list(values) if values else [default] * 4
    return (int(v[2]), int(v[3])) if nchw else (int(v[1]), int(v[2]))


def _out_and_pad(size: int, k: int, stride: int, dil: int, padding: bytes,
                 explicit: tuple[int, int] = (0, 0)) -> tuple[int, int, int]:
    """(output size, pad before, pad after) for one spatial dim, TF's formulas."""
    ek = (k - 1) * dil + 1
    if padding == b"SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + ek - size, 0)
        return out, total // 2, total - total // 2
    if padding == b"VALID":
        out = -(-(size - ek + 1) // stride)
        return max(out, 0), 0, 0
    if padding == b"EXPLICIT":
        lo, hi = explicit
        return max((size + lo + hi - ek) // stride + 1, 0), lo, hi
    raise InvalidArgumentError(None, None, f"unknown padding {padding!r}")


class _Geometry:
    """Decoded attrs shared by convolutions and pools."""

    def __init__(self, ctx, ksize_attr: str | None = None) -> None:
        self.nchw = ctx.attr("data_format", b"NHWC") == b"NCHW"
        self.strides = _hw(ctx.attr("strides"), self.nchw)
        self.dilations = _hw(ctx.attr("dilations"), self.nchw)
        self.padding = ctx.attr("padding", b"VALID")
        ep = [int(v) for v in ctx.attr("explicit_paddings", [])]
        if ep:
            h, w = (2, 3) if self.nchw else (1, 2)
            self.explicit = ((ep[2 * h], ep[2 * h + 1]), (ep[2 * w], ep[2 * w + 1]))
        else:
            self.explicit = ((0, 0), (0, 0))
        self.ksize = _hw(ctx.attr(ksize_attr), self.nchw) if ksize_attr else None

    def plan(self, h: int, w: int, kh: int, kw: int):
        oh, pt, pb = _out_and_pad(h, kh, self.strides[0], self.dilations[0], self.padding, self.explicit[0])
        ow, pl, pr = _out_and_pad(w, kw, self.strides[1], self.dilations[1], self.padding, self.explicit[1])
        return oh, ow, (pt, pb), (pl, pr)


def _pad(x: np.ndarray, ph, pw, value=0) -> np.ndarray:
    """Pad H and W (np.pad is ~10x slower for this simple case)."""
    if ph == (0, 0) and pw == (0, 0):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + ph[0] + ph[1], w + pw[0] + pw[1], c), value, dtype=x.dtype) if value \
        else np.zeros((n, h + ph[0] + ph[1], w + pw[0] + pw[1], c), dtype=x.dtype)
    out[:, ph[0]:ph[0] + h, pw[0]:pw[0] + w, :] = x
    return out


def _strided(a: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A read-only strided view of ``a`` (as ``as_strided``, which costs ~8 µs a call in
    Python; the ndarray constructor over a contiguous array's buffer ~2 µs)."""
    if not a.flags.c_contiguous:
        return as_strided(a, shape, strides, writeable=False)
    v = np.ndarray(shape, a.dtype, a, 0, strides)
    v.flags.writeable = False
    return v


def _windows(xp: np.ndarray, oh: int, ow: int, kh: int, kw: int, strides, dil) -> np.ndarray:
    """View (N, OH, OW, KH, KW, C) of the padded input; no copy."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    return _strided(xp, (n, oh, ow, kh, kw, c),
                    (sn, sh * strides[0], sw * strides[1], sh * dil[0], sw * dil[1], sc))


def _nhwc(fn, nchw: bool):
    if not nchw:
        return fn

    def run(x, *rest):
        return np.transpose(fn(np.transpose(x, (0, 2, 3, 1)), *rest), (0, 3, 1, 2))
    return run


# --------------------------------------------------------------------------
# convolution + bias + activation
# --------------------------------------------------------------------------

_ACTIVATIONS = {"Relu": relu, "Relu6": relu6}
# The activations as clip bounds, for the compiled loops (``jit.py``), and their dtypes.
_CLIP_BOUNDS = {None: (-np.inf, np.inf), "Relu": (0.0, np.inf), "Relu6": (0.0, 6.0)}
_JIT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_TILE_BIAS_BELOW = 256   # channels; above, the plain broadcast's inner loop is long enough


def _loop_epilogue(bias: np.ndarray | None, act: str | None, dt: np.dtype, size: int) -> tuple:
    """``(bias, lo, hi)`` as the compiled loops take them, in dtype ``dt``: the bias as
    a contiguous array (zeros of ``size`` where there is none), the activation as clip
    bounds. Each kernel makes it once per dtype."""
    lo, hi = _CLIP_BOUNDS[act]
    b = np.zeros(size, dt) if bias is None else np.ascontiguousarray(bias, dt)
    return b, dt.type(lo), dt.type(hi)


def _epilogue(bias: np.ndarray | None, act: str | None):
    """What a fused convolution does to its fresh output, in place: add the bias, apply
    the activation (one node call instead of two or three, no new arrays)."""
    act_fn = _ACTIVATIONS[act] if act else None
    if bias is None and act_fn is None:
        return None
    rows: dict[int, np.ndarray] = {}   # the bias tiled along an output row, per row width
    typed: dict[np.dtype, tuple] = {}   # (bias, lo, hi) in the output's dtype, for the compiled loop
    calls = [0]

    def epi(o: np.ndarray) -> None:
        calls[0] += 1
        if bias is not None and o.dtype in _JIT_DTYPES and o.flags.c_contiguous \
                and o.ndim >= 2 and o.shape[-1] == bias.size:
            loops = accel.loops_for(calls[0] - 1)
            if loops is not None:
                t = typed.get(o.dtype)
                if t is None:
                    t = typed[o.dtype] = _loop_epilogue(bias, act, o.dtype, bias.size)
                loops.bias_act(o.reshape(-1, bias.size), *t)
                return
        if bias is not None and bias.size < _TILE_BIAS_BELOW and o.ndim >= 2 and o.flags.c_contiguous:
            # Broadcasting a C-vector over (…, C) runs numpy's inner loop over C elements
            # only: for MobileNet's 16-96-channel layers adding one bias row of W·C
            # elements to each output row took half the time.
            w = o.shape[-2]
            b = rows.get(w)
            if b is None:
                b = np.tile(bias, w)
                if len(rows) < 4:
                    rows[w] = b
            o2 = o.reshape(-1, b.size)   # a view: o is contiguous
            np.add(o2, b, out=o2)
        elif bias is not None:
            np.add(o, bias, out=o)
        if act_fn is not None:
            act_fn(o, out=o)
    return epi


# A 1×1 convolution runs in the compiled small-product loop (``jit.matmul_bias_act``)
# when it has at most this many output pixels (rows) and its rows × output channels
# sums fit in ~81 KB; measured against OpenBLAS with cold weights over ten MobileNet
# shapes, this is where the loop wins (1.1-3.9x; M = 9-18 at 3×3 pixels, 36-72 at 6×6
# for the narrower layers).
_SMALL_ROWS = 72
_SMALL_SUMS = 20736


def _small_rows(rows: int, cout: int) -> bool:
    return rows <= _SMALL_ROWS and rows * cout <= _SMALL_SUMS


def _conv2d(g: _Geometry, fixed: np.ndarray | None, bias: np.ndarray | None, act: str | None):
    """The NHWC Conv2D kernel; with ``fixed`` (a constant filter with batch norms folded
    in), ``bias`` and ``act``, the fused Conv2D → BiasAdd/FusedBatchNorm → Relu/Relu6
    chain the plan builds (``fuse``)."""
    epi = _epilogue(bias, act)
    calls = [0]
    small: dict[np.dtype, tuple] = {}   # (2-D filter, bias, lo, hi) in a dtype, for the loop

    def run(x, f):
        if fixed is not None:
            f = fixed
        calls[0] += 1
        if f.shape[0] == f.shape[1] == 1 and x.ndim == 4 and x.dtype == f.dtype and x.dtype in _JIT_DTYPES \
                and _small_rows(x.shape[0] * x.shape[1] * x.shape[2], f.shape[3]) and x.shape[3] == f.shape[2] \
                and g.strides == (1, 1) and g.padding != b"EXPLICIT":
            loops = accel.loops_for(calls[0] - 1)
            if loops is not None:
                return _conv1x1_small(loops, x, f, fixed is not None, bias, act, small)
        y = _conv2d_nhwc(g, x, f)
        if epi is not None:
            epi(y)
        return y
    return run


def _conv1x1_small(loops, x: np.ndarray, f: np.ndarray, constant: bool, bias: np.ndarray | None,
                   act: str | None, cache: dict) -> np.ndarray:
    """A 1×1, stride-1 convolution with few pixels, its bias and Relu/Relu6, by the
    compiled loop (SAME and VALID need no padding at 1×1). A constant filter's 2-D
    form and the typed bias are made once."""
    n, h, w, c = x.shape
    cout = f.shape[3]
    dt = x.dtype
    t = cache.get(dt) if constant else None
    if t is None:
        t = (np.ascontiguousarray(f.reshape(c, cout)),) + _loop_epilogue(bias, act, dt, cout)
        if constant:
            cache[dt] = t
    out = np.empty((n, h, w, cout), dt)
    loops.matmul_bias_act(np.ascontiguousarray(x).reshape(-1, c), t[0], t[1], out.reshape(-1, cout), t[2], t[3])
    return out


def _conv2d_nhwc(g: _Geometry, x: np.ndarray, f: np.ndarray) -> np.ndarray:
    kh, kw, cin, cout = f.shape
    n, h, w, c = x.shape
    if c != cin:
        if c % cin:
            raise InvalidArgumentError(None, None, f"input depth {c} does not match filter depth {cin}")
        groups, per = c // cin, cout // (c // cin)
        return np.concatenate([_conv2d_nhwc(g, x[..., i * cin:(i + 1) * cin], f[..., i * per:(i + 1) * per])
                               for i in range(groups)], axis=-1)
    oh, ow, ph, pw = g.plan(h, w, kh, kw)
    if kh == kw == 1 and g.strides == (1, 1) and ph == pw == (0, 0):
        return (x.reshape(-1, c) @ f.reshape(c, cout)).reshape(n, oh, ow, cout)
    xp = _pad(x, ph, pw)
    if c <= 3:
        # Few channels: window rows would be copied 1-3 elements at a time; build the
        # transposed column matrix instead (long contiguous runs) and let BLAS transpose.
        sn, sh, sw, sc = xp.strides
        (s0, s1), (d0, d1) = g.strides, g.dilations
        cols_t = _strided(xp, (kh, kw, c, n, oh, ow),
                          (sh * d0, sw * d1, sc, sn, sh * s0, sw * s1)).reshape(kh * kw * c, n * oh * ow)
        return (cols_t.T @ f.reshape(kh * kw * c, cout)).reshape(n, oh, ow, cout)
    cols = _windows(xp, oh, ow, kh, kw, g.strides, g.dilations).reshape(n * oh * ow, kh * kw * c)
    return (cols @ f.reshape(kh * kw * c, cout)).reshape(n, oh, ow, cout)


@kernel("Conv2D", factory=True)
def conv2d(ctx):
    g = _Geometry(ctx)
    run = _conv2d(g, None, None, None)
    if g.nchw:
        return _nhwc(run, True)
    run.fuse = lambda f, bias, act: _conv2d(g, f, bias, act)
    return run


def _depthwise(g: _Geometry, fixed: np.ndarray | None, bias: np.ndarray | None, act: str | None,
               pre: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))):
    """The NHWC DepthwiseConv2dNative kernel (fused as :func:`_conv2d` is); ``pre`` is the
    (H, W) zero padding of a ``Pad`` the plan fused into it (Keras's ``ZeroPadding2D``).
    Runs the compiled loop (``jit.py``) where it can, else numpy."""
    epi = _epilogue(bias, act)
    tiled: dict[int, tuple[np.ndarray, int, np.ndarray]] = {}
    biases: dict[np.dtype, tuple] = {}   # (bias, lo, hi) per dtype, for the compiled loops
    calls = [0]

    def run(x, f):
        if fixed is not None:
            f = fixed
        calls[0] += 1
        loops = accel.loops_for(calls[0] - 1)
        y = None if loops is None else _depthwise_jit(loops, g, x, f, bias, act, pre, biases, tiled)
        if y is not None:
            return y
        y = _depthwise_nhwc(g, x, f, tiled, pre)
        if epi is not None:
            epi(y)
        return y
    return run


def _depthwise_jit(loops, g: _Geometry, x: np.ndarray, f: np.ndarray, bias: np.ndarray | None, act: str | None,
                   pre: tuple[tuple[int, int], tuple[int, int]], biases: dict, tiled: dict) -> np.ndarray | None:
    """The depthwise convolution with its bias and activation by the compiled ``loops``,
    or None where they do not apply (channel multiplier > 1, not float32/float64,
    mismatched depths: the numpy path handles and reports those)."""
    dt = x.dtype
    if f.shape[3] != 1 or dt != f.dtype or dt not in _JIT_DTYPES \
            or x.ndim != 4 or x.shape[3] != f.shape[2]:
        return None
    kh, kw, c, _ = f.shape
    n, h, w, _ = x.shape
    (a0, a1), (b0, b1) = pre
    oh, ow, ph, pw = g.plan(h + a0 + a1, w + b0 + b1, kh, kw)
    t = biases.get(dt)
    if t is None or t[0].size != c:   # (a fed filter may change the depth between calls)
        if bias is not None and bias.size != c:
            return None
        t = biases[dt] = _loop_epilogue(bias, act, dt, c)
    b, lo, hi = t
    out = np.empty((n, oh, ow, c), dt)
    (sh, sw), (dh, dw) = g.strides, g.dilations
    if sh == sw == 1:   # whole rows at once, the filter tiled along them
        loops.depthwise_rows(np.ascontiguousarray(x), _tiled(tiled, f, ow, dt), b, out,
                             dh, dw, ph[0] + a0, pw[0] + b0, lo, hi)
        return out
    loops.depthwise_nhwc(np.ascontiguousarray(x), np.ascontiguousarray(f[:, :, :, 0]), b, out,
                         sh, sw, dh, dw, ph[0] + a0, pw[0] + b0, lo, hi)
    return out


def _tiled(cache: dict, f: np.ndarray, ow: int, dt) -> np.ndarray:
    """The (KH, KW, OW·C) depthwise filter, tiled OW times along each output row."""
    hit = cache.get(id(f))
    if hit is None or hit[0] is not f or hit[1] != ow or hit[2].dtype != dt:
        hit = (f, ow, np.tile(f[:, :, :, 0], (1, 1, ow)).astype(dt))
        if len(cache) < 8:
            cache[id(f)] = hit
    return hit[2]


# A strided depthwise convolution with at least this many output pixels per image reads
# its input in place (interior) instead of from a padded copy: MobileNetV2's 48→24 layer
# went from 0.79 to 0.62 ms; on smaller layers, and on stride-1 rows, the split cost more
# than the copy it saves.
_SPLIT_MIN_PIXELS = 400


def _inner(size: int, out: int, k: int, stride: int, dil: int, pad: int) -> tuple[int, int]:
    """The output positions [lo, hi) whose windows lie inside the unpadded input."""
    lo = -(-pad // stride)
    hi = min(out, (size - 1 + pad - (k - 1) * dil) // stride + 1)
    return lo, max(lo, hi)


def _depthwise_nhwc(g: _Geometry, x: np.ndarray, f: np.ndarray, tiled: dict,
                    pre: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))) -> np.ndarray:
    kh, kw, c, m = f.shape
    n, h, w, _ = x.shape
    (a0, a1), (b0, b1) = pre
    oh, ow, ph, pw = g.plan(h + a0 + a1, w + b0 + b1, kh, kw)
    ph, pw = (ph[0] + a0, ph[1] + a1), (pw[0] + b0, pw[1] + b1)
    dt = np.result_type(x, f)
    if x.dtype != dt:
        x = x.astype(dt)
    (sh, sw), (dh, dw) = g.strides, g.dilations
    if m == 1 and sw > 1 and oh * ow >= _SPLIT_MIN_PIXELS and (ph != (0, 0) or pw != (0, 0)):
        r0, r1 = _inner(h, oh, kh, sh, dh, ph[0])
        c0, c1 = _inner(w, ow, kw, sw, dw, pw[0])
        if r0 < r1 and c0 < c1:
            # No padded copy of the input: the interior outputs' windows are views of the
            # input itself; only the thin border bands read small zero-padded copies.
            out = np.empty((n, oh, ow, c), dt)
            f2 = f[:, :, :, 0].astype(dt, copy=False)
            for (ra, rb), (ca, cb) in (((r0, r1), (c0, c1)), ((0, r0), (0, ow)), ((r1, oh), (0, ow)),
                                       ((r0, r1), (0, c0)), ((r0, r1), (c1, ow))):
                if ra < rb and ca < cb:
                    ya, yb = ra * sh - ph[0], (rb - 1) * sh - ph[0] + (kh - 1) * dh + 1
                    xa, xb = ca * sw - pw[0], (cb - 1) * sw - pw[0] + (kw - 1) * dw + 1
                    src = x[:, max(ya, 0):yb, max(xa, 0):xb]
                    if ya < 0 or xa < 0 or yb > h or xb > w:
                        src = _pad(src, (max(-ya, 0), max(yb - h, 0)), (max(-xa, 0), max(xb - w, 0)))
                    win = _windows(src, rb - ra, cb - ca, kh, kw, g.strides, g.dilations)
                    np.einsum("nhwijc,ijc->nhwc", win, f2, out=out[:, ra:rb, ca:cb])
            return out
    return _depthwise_taps(_pad(x, ph, pw), f, oh, ow, g, tiled)


def _depthwise_taps(xp: np.ndarray, f: np.ndarray, oh: int, ow: int, g: _Geometry, tiled: dict) -> np.ndarray:
    """Depthwise convolution of the padded input ``xp`` (VALID from here)."""
    kh, kw, c, m = f.shape
    n = xp.shape[0]
    (sh, sw), (dh, dw) = g.strides, g.dilations
    dt = xp.dtype
    if m == 1 and sw == 1:
        # Rows of (W·C) are contiguous: multiply each tap's row slice by the filter
        # tiled OW times, so numpy's inner loop runs over OW·C elements, not C.
        # One einsum over a (N, OH, KH, KW, OW·C) view of the padded rows: a single
        # pass with no temporaries (the per-tap multiply-then-add made 2·KH·KW passes
        # over the output and was 1.5-3x slower on MobileNet's layers).
        rows = xp.reshape(n, xp.shape[1], xp.shape[2] * c)
        rn, rh, rk = rows.strides
        win = _strided(rows, (n, oh, kh, kw, ow * c), (rn, rh * sh, rh * dh, rk * c * dw, rk))
        return np.einsum("nhijk,ijk->nhk", win, _tiled(tiled, f, ow, dt)).reshape(n, oh, ow, c)
    if m == 1:
        # strided: the same single-pass einsum over the (N, OH, OW, KH, KW, C) windows
        win = _windows(xp, oh, ow, kh, kw, g.strides, g.dilations)
        return np.einsum("nhwijc,ijc->nhwc", win, f[:, :, :, 0].astype(dt, copy=False))
    acc = np.zeros((n, oh, ow, c, m), dtype=dt)
    for i in range(kh):
        for j in range(kw):
            tap = xp[:, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw, :]
            acc += tap[..., None] * f[i, j]
    return acc.reshape(n, oh, ow, c * m)


@kernel("DepthwiseConv2dNative", factory=True)
def depthwise_conv2d(ctx):
    g = _Geometry(ctx)
    run = _depthwise(g, None, None, None)
    if g.nchw:
        return _nhwc(run, True)
    run.fuse = lambda f, bias, act, pre=((0, 0), (0, 0)): _depthwise(g, f, bias, act, pre)
    run.takes_pad = True
    return run


@kernel("Conv2DBackpropInput", factory=True)
def conv2d_backprop_input(ctx):
    """The transposed convolution: spread each output gradient back over its window."""
    g = _Geometry(ctx)

    def run(input_sizes, f, dy):
        sizes = [int(v) for v in np.asarray(input_sizes).reshape(-1)]
        if g.nchw:
            dy = np.transpose(dy, (0, 2, 3, 1))
        if len(sizes) == 4:
            n, h, w = (sizes[0], sizes[2], sizes[3]) if g.nchw else sizes[:3]
        else:
            n, (h, w) = dy.shape[0], sizes
        kh, kw, cin, cout = f.shape
        oh, ow, ph, pw = g.plan(h, w, kh, kw)
        if dy.shape[1:3] != (oh, ow):
            raise InvalidArgumentError(None, None, f"out_backprop spatial shape {dy.shape[1:3]} does not "
                                       f"match the computed output {(oh, ow)}")
        cols = (dy.reshape(-1, cout) @ f.reshape(kh * kw * cin, cout).T).reshape(n, oh, ow, kh, kw, cin)
        hp, wp = h + ph[0] + ph[1], w + pw[0] + pw[1]
        dxp = np.zeros((n, hp, wp, cin), dtype=cols.dtype)
        sh, sw = g.strides
        dh, dw = g.dilations
        for i in range(kh):
            for j in range(kw):
                dxp[:, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw, :] \
                    += cols[:, :, :, i, j, :]
        dx = dxp[:, ph[0]: ph[0] + h, pw[0]: pw[0] + w, :]
        return np.transpose(dx, (0, 3, 1, 2)) if g.nchw else np.ascontiguousarray(dx)
    return run


def _valid_counts(size: int, out: int, k: int, stride: int, pad: int) -> np.ndarray:
    """How many real (unpadded) input positions each output's window covers, per dim."""
    start = np.arange(out) * stride - pad
    return (np.minimum(start + k, size) - np.maximum(start, 0)).astype(np.float64)


def _pool(reduce_max: bool):
    def factory(ctx):
        g = _Geometry(ctx, "ksize")

        def run(x, *ksize_strides):
            kh, kw = g.ksize
            n, h, w, c = x.shape
            oh, ow, ph, pw = g.plan(h, w, kh, kw)
            sh, sw = g.strides
            if reduce_max:
                fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
                xp = _pad(x, ph, pw, fill)
            else:
                xp = _pad(x, ph, pw)
            # loop over the window's taps (not pixels): one strided slice per tap
            out = None
            for i in range(kh):
                for j in range(kw):
                    tap = xp[:, i: i + sh * (oh - 1) + 1: sh, j: j + sw * (ow - 1) + 1: sw, :]
                    if out is None:
                        out = tap.copy()
                    elif reduce_max:
                        np.maximum(out, tap, out=out)
                    else:
                        out += tap
            if reduce_max:
                return out
            if ph == pw == (0, 0):
                out /= x.dtype.type(kh * kw)
                return out
            # SAME: divide by the number of real (unpadded) elements under each window
            cnt = np.outer(_valid_counts(h, oh, kh, sh, ph[0]), _valid_counts(w, ow, kw, sw, pw[0]))
            out /= cnt.astype(x.dtype)[None, :, :, None]
            return out
        return _nhwc(run, g.nchw)
    return factory


kernel("MaxPool", factory=True)(_pool(True))
kernel("AvgPool", factory=True)(_pool(False))
