"""Kernel loops compiled with numba, for the ops numpy cannot express in one fast pass.

Optional (``pip install "graphdef[fast]"``); load it through :func:`accel.loops`,
which falls back to the numpy kernels when numba is missing or ``GRAPHDEF_JIT=0``.

Why: a depthwise convolution is, per output pixel, KH·KW multiply-adds over the
channels. numpy does it as one ``einsum`` pass per layer (``conv.py``), which reads
and writes the output once per filter tap and needs a padded copy of the input; the
loop here keeps an output row's sums in cache, reads the unpadded input in place
and applies bias and activation before it stores — 2-5x faster on MobileNetV2's
layers (README, Performance). ``cache=True`` keeps the machine code on disk (next to
this file, else numba's user cache), so only the first process on a machine pays
the compile (seconds); later processes load it in a fraction of a second.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _clip(v, lo, hi):  # pragma: no cover - compiled
    """``v`` clipped to [lo, hi]; NaN stays NaN, as with ``np.clip``."""
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@njit(cache=True, nogil=True, fastmath={"contract"})
def depthwise_nhwc(x, f, bias, out, sh, sw, dh, dw, pt, pl, lo, hi):  # pragma: no cover - compiled
    """``out[n, y, x, c] = clip(bias[c] + Σ_ij x[n, y·sh - pt + i·dh, x·sw - pl + j·dw, c]
    · f[i, j, c], lo, hi)``: a depthwise convolution (channel multiplier 1) with zero
    padding ``pt``/``pl`` above/left, fused with its bias and Relu/Relu6 (``lo``,
    ``hi``; ±inf for none). NaN passes the clip unchanged, as ``np.clip`` lets it.

    One output row at a time: its sums (OW×C, in L1) start at the bias, each filter
    tap adds its input row over the output columns whose tap lies inside the input
    (so padding is skipped, never copied or tested per pixel), then the row is
    clipped and stored. ``contract`` lets LLVM fuse each multiply-add (nothing else
    of fast-math: NaN and inf pass through)."""
    n, h, w, c = x.shape
    kh, kw = f.shape[0], f.shape[1]
    oh, ow = out.shape[1], out.shape[2]
    acc = np.empty((ow, c), out.dtype)
    for b in range(n):
        for oy in range(oh):
            for ox in range(ow):
                for ch in range(c):
                    acc[ox, ch] = bias[ch]
            for i in range(kh):
                iy = oy * sh - pt + i * dh
                if iy < 0 or iy >= h:
                    continue
                for j in range(kw):
                    off = j * dw - pl
                    ox0 = 0          # first output column whose tap is inside the input
                    while ox0 < ow and ox0 * sw + off < 0:
                        ox0 += 1
                    ox1 = ow         # one past the last
                    while ox1 > ox0 and (ox1 - 1) * sw + off >= w:
                        ox1 -= 1
                    fr = f[i, j]
                    for ox in range(ox0, ox1):
                        # 1-D rows: the channel loop compiles to a few fused vector
                        # multiply-adds (1.7x faster at 32 channels than 4-D indexing)
                        ar = acc[ox]
                        xr = x[b, iy, ox * sw + off]
                        for ch in range(c):
                            ar[ch] += xr[ch] * fr[ch]
            for ox in range(ow):
                for ch in range(c):
                    out[b, oy, ox, ch] = _clip(acc[ox, ch], lo, hi)


@njit(cache=True, nogil=True, fastmath={"contract"})
def depthwise_rows(x, ft, bias, out, dh, dw, pt, pl, lo, hi):  # pragma: no cover - compiled
    """:func:`depthwise_nhwc` for stride 1, over whole rows: ``ft[i, j]`` is the filter
    tap tiled along an output row (OW·C), so each tap adds one contiguous run of the
    input row, ``x[b, iy, ox0 + off : ox1 + off, :]`` flattened, times the same run of
    ``ft[i, j]`` to the row's sums — one long vector loop per tap instead of one short
    loop per pixel and tap (1.7x faster at 48×48×32, 1.15x at 24×24×144, the same on
    the small late layers)."""
    n, h, w, c = x.shape
    kh, kw = ft.shape[0], ft.shape[1]
    oh, ow = out.shape[1], out.shape[2]
    acc = np.empty(ow * c, out.dtype)
    for b in range(n):
        for oy in range(oh):
            for ox in range(ow):
                for ch in range(c):
                    acc[ox * c + ch] = bias[ch]
            for i in range(kh):
                iy = oy - pt + i * dh
                if iy < 0 or iy >= h:
                    continue
                xr = x[b, iy].reshape(-1)
                for j in range(kw):
                    off = j * dw - pl
                    ox0 = max(0, -off)
                    ox1 = min(ow, w - off)
                    if ox0 >= ox1:
                        continue
                    a = acc[ox0 * c:ox1 * c]          # slices from 0: no index checks,
                    xs = xr[(ox0 + off) * c:(ox1 + off) * c]   # so the loop vectorizes
                    fs = ft[i, j, ox0 * c:ox1 * c]
                    for k in range(a.size):
                        a[k] += xs[k] * fs[k]
            o = out[b, oy].reshape(-1)
            for k in range(ow * c):
                o[k] = _clip(acc[k], lo, hi)


@njit(cache=True, nogil=True)
def bias_act(o, bias, lo, hi):  # pragma: no cover - compiled
    """In place, ``o[p, c] = clip(o[p, c] + bias[c], lo, hi)``: a convolution's bias
    and Relu/Relu6 in one pass over its output (numpy needs two, add then clip)."""
    m, c = o.shape
    for p in range(m):
        for ch in range(c):
            o[p, ch] = _clip(o[p, ch] + bias[ch], lo, hi)


@njit(cache=True, nogil=True, fastmath={"contract"})
def matmul_bias_act(a, w, bias, out, lo, hi):  # pragma: no cover - compiled
    """``out = clip(a @ w + bias, lo, hi)`` for a product with few rows (``a``: M×K,
    ``w``: K×N, both C-contiguous): a 1×1 convolution on a small image.

    Why not BLAS: for M below ~72 OpenBLAS spends most of the call packing ``w``,
    reading it at 3-4 GB/s when it is not in cache (it never is, inside a model whose
    weights outgrow the cache). Here the M×N sums stay in L1/L2 and ``w`` is read once,
    row after row, as one sequential stream, four rows at a time so that each sum is
    loaded and stored once per four multiply-adds: 1.2-3.5x faster than sgemm plus
    the bias/activation pass for cold weights (README, Performance; the caller decides
    where, :func:`conv._small_rows`). ``contract`` lets LLVM fuse multiply-adds (as
    BLAS does); nothing else of fast-math, so NaN and inf pass through."""
    m, kk = a.shape
    n = w.shape[1]
    acc = np.empty((m, n), out.dtype)
    for r in range(m):
        for j in range(n):
            acc[r, j] = bias[j]
    k = 0
    while k + 4 <= kk:
        w0 = w[k]
        w1 = w[k + 1]
        w2 = w[k + 2]
        w3 = w[k + 3]
        for r in range(m):
            a0 = a[r, k]
            a1 = a[r, k + 1]
            a2 = a[r, k + 2]
            a3 = a[r, k + 3]
            ar = acc[r]
            for j in range(n):
                ar[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j]
        k += 4
    while k < kk:
        w0 = w[k]
        for r in range(m):
            a0 = a[r, k]
            ar = acc[r]
            for j in range(n):
                ar[j] += a0 * w0[j]
        k += 1
    for r in range(m):
        for j in range(n):
            out[r, j] = _clip(acc[r, j], lo, hi)
