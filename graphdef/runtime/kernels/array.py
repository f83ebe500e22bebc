"""Sources, identities, shapes and the array-manipulation ops (reshape, concat,
slicing, gather, pad, ...). Most are thin over numpy; StridedSlice translates TF's
five bit masks into one numpy index tuple."""
from __future__ import annotations

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel


def _ints(v) -> list[int]:
    return [int(i) for i in np.asarray(v).reshape(-1)]


# --------------------------------------------------------------------------
# sources and identities
# --------------------------------------------------------------------------

@kernel("Const", "HostConst", factory=True)
def const(ctx):
    # The plan binds Const values directly; this only serves a Const run by hand.
    v = ctx.attr("value")
    return lambda: v


@kernel("Placeholder", "PlaceholderV2", "_Arg", factory=True, stateful=True)
def placeholder(ctx):
    # Reached only when the plan did not see a feed (the plan reports it first).
    def run():
        raise InvalidArgumentError(ctx.node, None, f"You must feed a value for placeholder tensor '{ctx.name}'")
    return run


def _identity(x):
    return x


kernel("Identity", "StopGradient", "PreventGradient", "Snapshot", "PlaceholderWithDefault")(_identity)


@kernel("CheckNumerics", factory=True)
def check_numerics(ctx):
    msg = ctx.attr("message", b"").decode(errors="replace")

    def run(x):
        if x.dtype.kind in "fc" and not np.isfinite(x).all():
            what = "NaN" if np.isnan(x).any() else "Inf"
            raise InvalidArgumentError(None, None, f"{msg} : Tensor had {what} values")
        return x
    return run


@kernel("EnsureShape", factory=True)
def ensure_shape(ctx):
    want = ctx.attr("shape")

    def run(x):
        if want is not None and (len(want) != x.ndim or any(d >= 0 and d != e for d, e in zip(want, x.shape))):
            raise InvalidArgumentError(None, None, f"Shape of tensor {list(x.shape)} is not compatible "
                                       f"with expected shape {want}")
        return x
    return run


@kernel("IdentityN", num_outputs=lambda ctx: len(ctx.attr("T", [])))
def identity_n(*xs):
    return xs


@kernel("NoOp", num_outputs=0)
def no_op():
    return None


@kernel("_Retval", num_outputs=0, stateful=True)
def retval(x):
    """A function body's result slot (instantiated function graphs): run it as a target."""
    return None


# --------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------

@kernel("Shape", factory=True)
def shape(ctx):
    out = ctx.np_dtype("out_type", np.int32)
    return lambda x: np.array(np.shape(x), dtype=out)


@kernel("ShapeN", factory=True, num_outputs=lambda ctx: int(ctx.attr("N", 1)))
def shape_n(ctx):
    out = ctx.np_dtype("out_type", np.int32)
    return lambda *xs: tuple(np.array(np.shape(x), dtype=out) for x in xs)


@kernel("Size", factory=True)
def size(ctx):
    out = ctx.np_dtype("out_type", np.int32)
    return lambda x: np.array(np.size(x), dtype=out)


@kernel("Rank")
def rank(x):
    return np.array(np.ndim(x), dtype=np.int32)


def _reshape(x, dims):
    try:
        return x.reshape(dims) if type(x) is np.ndarray else np.reshape(x, dims)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"Input to reshape is a tensor with {np.size(x)} values, "
                                   f"but the requested shape is {list(dims)}") from e


@kernel("Reshape", factory=True)
def reshape(ctx):
    c = ctx.const(1)
    if c is not None:
        dims = tuple(_ints(c))
        return lambda x, shape: _reshape(x, dims)
    return lambda x, shape: _reshape(x, tuple(_ints(shape)))


@kernel("Squeeze", factory=True)
def squeeze(ctx):
    dims = tuple(ctx.attr("squeeze_dims", []) or ctx.attr("axis", []))

    def run(x):
        if not dims:
            return np.squeeze(x)
        ax = tuple(d % x.ndim for d in dims)
        for a in ax:
            if x.shape[a] != 1:
                raise InvalidArgumentError(None, None, f"Can not squeeze dim[{a}], expected a dimension "
                                           f"of 1, got {x.shape[a]}")
        return np.squeeze(x, axis=ax)
    return run


@kernel("ExpandDims")
def expand_dims(x, axis):
    a = int(np.asarray(axis).reshape(-1)[0])
    nd = np.ndim(x)
    if a < 0:
        a += nd + 1
    if not 0 <= a <= nd:
        raise InvalidArgumentError(None, None, f"Tried to expand dim index {a} for tensor with {nd} dimensions.")
    shape = np.shape(x)
    return np.reshape(x, shape[:a] + (1,) + shape[a:])


@kernel("Transpose", "ConjugateTranspose", factory=True)
def transpose(ctx):
    c = ctx.const(1)
    conj = ctx.node.op == "ConjugateTranspose"
    if c is not None:
        perm = tuple(_ints(c))

        def run_fixed(x, p):
            r = np.transpose(x, perm)
            return np.conj(r) if conj else r
        return run_fixed

    def run(x, p):
        r = np.transpose(x, _ints(p))
        return np.conj(r) if conj else r
    return run


# --------------------------------------------------------------------------
# creation
# --------------------------------------------------------------------------

@kernel("Fill")
def fill(dims, value):
    return np.full(_ints(dims), value, dtype=value.dtype)


@kernel("ZerosLike")
def zeros_like(x):
    return np.zeros_like(x)


@kernel("OnesLike")
def ones_like(x):
    return np.ones_like(x)


@kernel("Range", factory=True)
def range_(ctx):
    out = ctx.np_dtype("Tidx", np.int32)

    def run(start, limit, delta):
        if delta == 0:
            raise InvalidArgumentError(None, None, "Requires delta != 0")
        return np.arange(start, limit, delta).astype(out, copy=False)
    return run


@kernel("LinSpace")
def lin_space(start, stop, num):
    return np.linspace(start, stop, int(num)).astype(np.asarray(start).dtype)


@kernel("Cast", factory=True)
def cast(ctx):
    dst = ctx.np_dtype("DstT")

    def run(x):
        return np.asarray(x).astype(dst)
    return run


@kernel("BroadcastTo")
def broadcast_to(x, shape):
    return np.broadcast_to(x, _ints(shape))


@kernel("BroadcastArgs")
def broadcast_args(s0, s1):
    return np.array(np.broadcast_shapes(tuple(_ints(s0)), tuple(_ints(s1))), dtype=s0.dtype)


# --------------------------------------------------------------------------
# joining and splitting
# --------------------------------------------------------------------------

@kernel("ConcatV2")
def concat_v2(*args):
    *xs, axis = args
    return np.concatenate(xs, axis=int(axis))


@kernel("Concat")
def concat(axis, *xs):
    return np.concatenate(xs, axis=int(axis))


@kernel("Pack", factory=True)
def pack(ctx):
    axis = int(ctx.attr("axis", 0))

    def run(*xs):
        if axis == 0 and all(np.ndim(v) == 0 for v in xs):   # shape arithmetic: scalars to a vector
            return np.array(xs, dtype=np.result_type(*xs))
        return np.stack(xs, axis=axis)
    return run


@kernel("Unpack", factory=True, num_outputs=lambda ctx: int(ctx.attr("num")))
def unpack(ctx):
    axis = int(ctx.attr("axis", 0))
    return lambda x: tuple(np.moveaxis(x, axis, 0))


def _split_at(x, axis: int, bounds: list[int]) -> tuple:
    pre = (slice(None),) * axis
    return tuple(x[pre + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


@kernel("Split", factory=True, num_outputs=lambda ctx: int(ctx.attr("num_split")))
def split(ctx):
    n = int(ctx.attr("num_split"))

    def run(axis, x):
        a = int(axis)
        if a < 0:
            a += x.ndim
        size = x.shape[a]
        if size % n:
            raise InvalidArgumentError(None, None, f"Number of ways to split should evenly divide the split "
                                       f"dimension, but got split_dim {a} (size = {size}) and num_split {n}")
        step = size // n
        return _split_at(x, a, list(range(0, size + 1, step)) if step else [0] * (n + 1))
    return run


@kernel("SplitV", factory=True, num_outputs=lambda ctx: int(ctx.attr("num_split")))
def split_v(ctx):
    def run(x, sizes, axis):
        a = int(axis)
        if a < 0:
            a += x.ndim
        sz = _ints(sizes)
        if -1 in sz:
            sz[sz.index(-1)] = x.shape[a] - (sum(sz) + 1)
        if sum(sz) != x.shape[a] or min(sz, default=0) < 0:
            raise InvalidArgumentError(None, None, f"split sizes {sz} do not add up to dimension {x.shape[a]}")
        return _split_at(x, a, [0] + np.cumsum(sz).tolist())
    return run


@kernel("Tile", factory=True)
def tile(ctx):
    c = ctx.const(1)
    if c is not None:
        reps = tuple(_ints(c))
        return lambda x, multiples: np.tile(x, reps)
    return lambda x, multiples: np.tile(x, _ints(multiples))


@kernel("ReverseV2")
def reverse_v2(x, axis):
    ax = _ints(axis)
    return np.flip(x, axis=tuple(ax)) if ax else x


# --------------------------------------------------------------------------
# slicing and gathering
# --------------------------------------------------------------------------

@kernel("Slice")
def slice_(x, begin, size):
    b, s = _ints(begin), _ints(size)
    idx = tuple(slice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
    return x[idx]


@kernel("StridedSlice", factory=True)
def strided_slice(ctx):
    masks = {m: int(ctx.attr(m, 0)) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                            "new_axis_mask", "shrink_axis_mask")}
    bm, em, elm, nm, sm = (masks[k] for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                             "new_axis_mask", "shrink_axis_mask"))

    def index(begin, end, strides, shape):
        idx = []
        b, e, s = _ints(begin), _ints(end), _ints(strides)
        # dims of x consumed so far (to bounds-check shrink indices)
        for i in range(len(b)):
            bit = 1 << i
            if elm & bit:
                idx.append(Ellipsis)
            elif nm & bit:
                idx.append(np.newaxis)
            elif sm & bit:
                idx.append(b[i])
            else:
                if s[i] == 0:
                    raise InvalidArgumentError(None, None, "strides[%d] must be non-zero" % i)
                idx.append(slice(None if bm & bit else b[i], None if em & bit else e[i], s[i]))
        return tuple(idx)

    cache: dict = {}
    if all(ctx.const(i) is not None for i in (1, 2, 3)):
        fixed = index(ctx.const(1), ctx.const(2), ctx.const(3), None)

        def run_fixed(x, begin, end, strides):
            try:
                return x[fixed]
            except IndexError as err:
                raise InvalidArgumentError(None, None, f"slice index out of bounds: {err}") from err
        return run_fixed

    def run(x, begin, end, strides):
        key = (begin.tobytes(), end.tobytes(), strides.tobytes())
        idx = cache.get(key)
        if idx is None:
            idx = index(begin, end, strides, np.shape(x))
            if len(cache) < 64:
                cache[key] = idx
        try:
            r = np.asarray(x)[idx]
        except IndexError as err:
            raise InvalidArgumentError(None, None, f"slice index out of bounds: {err}") from err
        return r
    return run


@kernel("GatherV2", factory=True)
def gather_v2(ctx):
    batch_dims = int(ctx.attr("batch_dims", 0))

    def run(params, indices, axis):
        a = int(axis)
        if a < 0:
            a += params.ndim
        if indices.size and (indices.min() < 0 or indices.max() >= params.shape[a]):
            bad = indices[(indices < 0) | (indices >= params.shape[a])].reshape(-1)[0]
            raise InvalidArgumentError(None, None, f"indices contains {int(bad)} which is not in "
                                       f"[0, {params.shape[a]})")
        if batch_dims == 0:
            return np.take(params, indices, axis=a)
        bd = batch_dims % indices.ndim if batch_dims < 0 else batch_dims
        # Batch gather: loop over the (few) batch entries, not over elements.
        lead = params.shape[:bd]
        p = params.reshape((-1,) + params.shape[bd:])
        ind = indices.reshape((-1,) + indices.shape[bd:])
        out = np.stack([np.take(p[i], ind[i], axis=a - bd) for i in range(p.shape[0])])
        return out.reshape(lead + out.shape[1:])
    return run


@kernel("Gather")
def gather(params, indices):
    return np.take(params, indices, axis=0)


@kernel("GatherNd")
def gather_nd(params, indices):
    idx = tuple(np.moveaxis(indices, -1, 0))
    return params[idx]


@kernel("Where")
def where(x):
    return np.argwhere(x).astype(np.int64)


@kernel("OneHot", factory=True)
def one_hot(ctx):
    axis = int(ctx.attr("axis", -1))

    def run(indices, depth, on, off):
        eq = indices[..., None] == np.arange(int(depth), dtype=indices.dtype)
        r = np.where(eq, on, off).astype(np.asarray(on).dtype, copy=False)
        if axis != -1 and axis != r.ndim - 1:
            r = np.moveaxis(r, -1, axis)
        return r
    return run


# --------------------------------------------------------------------------
# padding
# --------------------------------------------------------------------------

def _const_pad(x, paddings, value=None):
    """Constant padding: allocate and copy (np.pad's generality costs ~10x here)."""
    x = np.asarray(x)
    p = np.asarray(paddings).reshape(-1, 2).tolist()
    if len(p) != x.ndim or min((v for row in p for v in row), default=0) < 0:
        raise InvalidArgumentError(None, None, f"paddings {p} do not fit an input of rank {x.ndim}")
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, p))
    out = np.zeros(shape, x.dtype) if value is None or value == 0 else np.full(shape, value, x.dtype)
    out[tuple(slice(a, a + d) for d, (a, _) in zip(x.shape, p))] = x
    return out


@kernel("Pad")
def pad(x, paddings):
    return _const_pad(x, paddings)


@kernel("PadV2")
def pad_v2(x, paddings, value):
    return _const_pad(x, paddings, value)


@kernel("MirrorPad", factory=True)
def mirror_pad(ctx):
    symmetric = ctx.attr("mode", b"REFLECT") == b"SYMMETRIC"
    edge = 0 if symmetric else 1   # REFLECT leaves out the border element, SYMMETRIC repeats it

    def run(x, paddings):
        p = np.asarray(paddings).reshape(-1, 2).tolist()
        if len(p) != x.ndim:
            raise InvalidArgumentError(None, None, f"paddings {p} do not fit an input of rank {x.ndim}")
        idx = []
        for n, (a, b) in zip(x.shape, p):
            if a > n - edge or b > n - edge or a < 0 or b < 0:
                raise InvalidArgumentError(None, None, f"paddings must be less than{'' if symmetric else ' or equal to'} "
                                           f"the dimension size: {a}, {b} greater than {n - edge}")
            idx.append(np.concatenate([np.arange(a - 1 + edge, edge - 1, -1), np.arange(n),
                                       np.arange(n - 1 - edge, n - 1 - edge - b, -1)]))
        return x[np.ix_(*idx)] if x.ndim else x   # one gather instead of np.pad's Python loops
    return run


@kernel("TopKV2", "TopK", factory=True, num_outputs=2)
def top_k(ctx):
    k_attr = ctx.attr("k")

    def run(x, k=None):
        kk = int(k) if k is not None else int(k_attr)
        if kk > x.shape[-1]:
            raise InvalidArgumentError(None, None, f"input must have at least k={kk} columns, had {x.shape[-1]}")
        key = x.astype(np.int64) if x.dtype.kind == "u" else x
        # stable sort of the negated values: ties keep the lower index first, as TF.
        idx = np.argsort(-key, axis=-1, kind="stable")[..., :kk]
        return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)
    return run


@kernel("Unique", factory=True, num_outputs=2)
def unique(ctx):
    out = ctx.np_dtype("out_idx", np.int32)

    def run(x):
        vals, first, inv = np.unique(x, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # TF keeps first-occurrence order
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return vals[order], rank[inv.reshape(-1)].astype(out)
    return run
