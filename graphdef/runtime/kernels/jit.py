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


@njit(cache=True, nogil=True)
def depthwise_nhwc(x, f, bias, out, sh, sw, dh, dw, pt, pl, lo, hi):  # pragma: no cover - compiled
    """``out[n, y, x, c] = clip(bias[c] + Σ_ij x[n, y·sh - pt + i·dh, x·sw - pl + j·dw, c]
    · f[i, j, c], lo, hi)``: a depthwise convolution (channel multiplier 1) with zero
    padding ``pt``/``pl`` above/left, fused with its bias and Relu/Relu6 (``lo``,
    ``hi``; ±inf for none). NaN passes the clip unchanged, as ``np.clip`` lets it.

    One output row at a time: its sums (OW×C, in L1) start at the bias, each filter
    tap adds its input row over the output columns whose tap lies inside the input
    (so padding is skipped, never copied or tested per pixel), then the row is
    clipped and stored."""
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
                    for ox in range(ox0, ox1):
                        ix = ox * sw + off
                        for ch in range(c):
                            acc[ox, ch] += x[b, iy, ix, ch] * f[i, j, ch]
            for ox in range(ow):
                for ch in range(c):
                    v = acc[ox, ch]
                    if v < lo:
                        v = lo
                    elif v > hi:
                        v = hi
                    out[b, oy, ox, ch] = v


@njit(cache=True, nogil=True)
def bias_act(o, bias, lo, hi):  # pragma: no cover - compiled
    """In place, ``o[p, c] = clip(o[p, c] + bias[c], lo, hi)``: a convolution's bias
    and Relu/Relu6 in one pass over its output (numpy needs two, add then clip)."""
    m, c = o.shape
    for p in range(m):
        for ch in range(c):
            v = o[p, ch] + bias[ch]
            if v < lo:
                v = lo
            elif v > hi:
                v = hi
            o[p, ch] = v
