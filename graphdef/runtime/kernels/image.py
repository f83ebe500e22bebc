"""Resizing and space/batch/depth rearrangements (what Keras UpSampling, dilated
convolutions and pixel shuffles become), NHWC, with TensorFlow's coordinate rules."""
from __future__ import annotations

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel


def _source_coords(out_size: int, in_size: int, align: bool, half: bool) -> np.ndarray:
    """Where each output row/column samples the input (TF's scalers)."""
    if align and out_size > 1:
        scale = (in_size - 1) / (out_size - 1)
    else:
        scale = in_size / out_size
    i = np.arange(out_size, dtype=np.float64)
    return (i + 0.5) * scale - 0.5 if half else i * scale, scale


def _nearest_index(out_size: int, in_size: int, align: bool, half: bool) -> np.ndarray:
    scale = (in_size - 1) / (out_size - 1) if align and out_size > 1 else in_size / out_size
    i = np.arange(out_size, dtype=np.float64)
    # TF rounds with roundf (half away from zero): floor(v + 0.5) for these non-negative v
    if half:
        src = np.floor((i + 0.5) * scale) if not align else np.floor((i + 0.5) * scale + 0.5)
    else:
        src = np.floor(i * scale + 0.5) if align else np.floor(i * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _size(size) -> tuple[int, int]:
    s = [int(v) for v in np.asarray(size).reshape(-1)]
    if len(s) != 2 or min(s) <= 0:
        raise InvalidArgumentError(None, None, f"size must be 2 positive values, got {s}")
    return s[0], s[1]


@kernel("ResizeNearestNeighbor", factory=True)
def resize_nearest(ctx):
    align, half = bool(ctx.attr("align_corners", False)), bool(ctx.attr("half_pixel_centers", False))

    def run(images, size):
        oh, ow = _size(size)
        _, h, w, _ = images.shape
        return images[:, _nearest_index(oh, h, align, half)][:, :, _nearest_index(ow, w, align, half)]
    return run


def _lerp_weights(out_size: int, in_size: int, align: bool, half: bool):
    src, _ = _source_coords(out_size, in_size, align, half)
    fl = np.floor(src)
    lo = np.maximum(fl, 0).astype(np.int64)
    hi = np.minimum(np.ceil(src), in_size - 1).astype(np.int64)
    return lo, hi, (src - fl)


@kernel("ResizeBilinear", factory=True)
def resize_bilinear(ctx):
    align, half = bool(ctx.attr("align_corners", False)), bool(ctx.attr("half_pixel_centers", False))

    def run(images, size):
        oh, ow = _size(size)
        _, h, w, _ = images.shape
        x = images.astype(np.float32)
        y0, y1, fy = _lerp_weights(oh, h, align, half)
        x0, x1, fx = _lerp_weights(ow, w, align, half)
        fy = fy.astype(np.float32)[None, :, None, None]
        fx = fx.astype(np.float32)[None, None, :, None]
        top, bottom = x[:, y0], x[:, y1]
        t = top[:, :, x0] + (top[:, :, x1] - top[:, :, x0]) * fx
        b = bottom[:, :, x0] + (bottom[:, :, x1] - bottom[:, :, x0]) * fx
        return t + (b - t) * fy
    return run


@kernel("SpaceToBatchND")
def space_to_batch_nd(x, block_shape, paddings):
    bs = [int(v) for v in np.asarray(block_shape).reshape(-1)]
    pads = np.asarray(paddings).reshape(-1, 2).tolist()
    m = len(bs)
    full = [[0, 0]] + pads + [[0, 0]] * (x.ndim - 1 - m)
    xp = np.pad(x, full)
    b = xp.shape[0]
    spatial = xp.shape[1:1 + m]
    if any(s % k for s, k in zip(spatial, bs)):
        raise InvalidArgumentError(None, None, f"padded spatial shape {list(spatial)} is not divisible by block {bs}")
    rest = xp.shape[1 + m:]
    shape = [b]
    for s, k in zip(spatial, bs):
        shape += [s // k, k]
    y = xp.reshape(shape + list(rest))
    # (b, s1, k1, s2, k2, ..., rest) -> (k1, k2, ..., b, s1, s2, ..., rest)
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + list(range(1 + 2 * m, y.ndim))
    y = y.transpose(perm)
    return y.reshape([b * int(np.prod(bs))] + [s // k for s, k in zip(spatial, bs)] + list(rest))


@kernel("BatchToSpaceND")
def batch_to_space_nd(x, block_shape, crops):
    bs = [int(v) for v in np.asarray(block_shape).reshape(-1)]
    cr = np.asarray(crops).reshape(-1, 2).tolist()
    m = len(bs)
    prod = int(np.prod(bs))
    if x.shape[0] % prod:
        raise InvalidArgumentError(None, None, f"batch {x.shape[0]} is not divisible by block size {prod}")
    b = x.shape[0] // prod
    spatial = x.shape[1:1 + m]
    rest = x.shape[1 + m:]
    y = x.reshape(bs + [b] + list(spatial) + list(rest))
    # (k1, ..., km, b, s1, ..., sm, rest) -> (b, s1, k1, ..., sm, km, rest)
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, y.ndim))
    y = y.transpose(perm).reshape([b] + [s * k for s, k in zip(spatial, bs)] + list(rest))
    idx = (slice(None),) + tuple(slice(lo, y.shape[1 + i] - hi) for i, (lo, hi) in enumerate(cr))
    return y[idx]


@kernel("DepthToSpace", factory=True)
def depth_to_space(ctx):
    k = int(ctx.attr("block_size"))

    def run(x):
        n, h, w, c = x.shape
        if c % (k * k):
            raise InvalidArgumentError(None, None, f"depth {c} is not divisible by block_size² {k * k}")
        y = x.reshape(n, h, w, k, k, c // (k * k)).transpose(0, 1, 3, 2, 4, 5)
        return y.reshape(n, h * k, w * k, c // (k * k))
    return run


@kernel("SpaceToDepth", factory=True)
def space_to_depth(ctx):
    k = int(ctx.attr("block_size"))

    def run(x):
        n, h, w, c = x.shape
        if h % k or w % k:
            raise InvalidArgumentError(None, None, f"height {h} and width {w} must be divisible by block_size {k}")
        y = x.reshape(n, h // k, k, w // k, k, c).transpose(0, 1, 3, 2, 4, 5)
        return y.reshape(n, h // k, w // k, k * k * c)
    return run
