"""Static shape inference for the registered ops (TensorFlow's C++ shape functions).

Each function takes the op's converted inputs (Tensors, or lists of Tensors for list
arguments) and its attr values, and returns one ``TensorShape`` per output. Errors are
``ValueError`` (the builder adds the node and input shapes to the message).

:func:`constant_value` is TensorFlow's ``tensor_util.constant_value``: the value of a
tensor computable at graph-building time (Consts, shapes of fully known tensors, and a
few cheap ops over those). Shape functions use it as TF's ``InferenceContext`` does for
``Reshape``, ``Fill``, ``BroadcastTo``... so later ``tf.shape`` calls fold to Consts
exactly where TensorFlow folds them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.ops import registry as _registry  # noqa: F401  (ops must exist before shape_fn)
from graphdef.ops.op_def import shape_fn


_TENSOR_SHAPE: Any = None


def _TS(dims: Any):
    global _TENSOR_SHAPE
    if _TENSOR_SHAPE is None:
        from graphdef.framework import TensorShape
        _TENSOR_SHAPE = TensorShape
    return _TENSOR_SHAPE(dims)


def dims_of(t: Any) -> list | None:
    """A tensor's static shape as a list (None entries unknown), or None if rank unknown."""
    s = t.shape
    if s.rank is None:
        return None
    return s.as_list()


# ---------------------------------------------------------------------------------------
# constant folding for shape inference

_MAX_FOLD = 1 << 16


def constant_value(t: Any) -> np.ndarray | None:
    """The value of ``t`` if it is known while building the graph, else None."""
    op = t.op
    typ = op.type
    try:
        if typ == "Const":
            from graphdef.tensors import to_ndarray
            v = op.get_attr("value")
            return to_ndarray(v) if not isinstance(v, np.ndarray) else v
        if typ == "Shape":
            d = dims_of(op.inputs[0])
            if d is None or None in d:
                return None
            return np.array(d, dtype=t.dtype.as_numpy_dtype)
        if typ == "Size":
            d = dims_of(op.inputs[0])
            if d is None or None in d:
                return None
            return np.array(int(np.prod(d, dtype=np.int64)), dtype=t.dtype.as_numpy_dtype)
        if typ == "Rank":
            d = dims_of(op.inputs[0])
            return None if d is None else np.array(len(d), dtype=np.int32)
        if typ in ("Identity", "StopGradient"):
            return constant_value(op.inputs[0])
        if typ == "Cast":
            v = constant_value(op.inputs[0])
            return None if v is None else v.astype(t.dtype.as_numpy_dtype)
        if typ == "Pack":
            vals = [constant_value(x) for x in op.inputs]
            if any(v is None for v in vals):
                return None
            return np.stack(vals, axis=op.get_attr("axis"))
        if typ == "ConcatV2":
            vals = [constant_value(x) for x in op.inputs]
            if any(v is None for v in vals):
                return None
            return np.concatenate(vals[:-1], axis=int(vals[-1]))
        if typ == "BroadcastArgs":
            a, b = constant_value(op.inputs[0]), constant_value(op.inputs[1])
            if a is None or b is None:
                return None
            return np.array(np.broadcast_shapes(tuple(a.tolist()), tuple(b.tolist())),
                            dtype=t.dtype.as_numpy_dtype)
        if typ == "Fill":
            d, v = constant_value(op.inputs[0]), constant_value(op.inputs[1])
            if d is None or v is None or np.prod(d) > _MAX_FOLD:
                return None
            return np.full(d.tolist(), v)
    except Exception:  # folding is best effort, as in TensorFlow
        return None
    return None


def constant_value_as_shape(t: Any) -> list | None:
    """TensorFlow's ``constant_value_as_shape``: a 1-D int tensor read as a (partial)
    shape; -1 (or unknown) entries are None; None if even the rank is unknown."""
    op = t.op
    if op.type == "Shape":
        return dims_of(op.inputs[0])
    if op.type == "Pack":
        out = []
        for x in op.inputs:
            v = constant_value(x)
            out.append(None if v is None or int(v) < 0 else int(v))
        return out
    if op.type == "ConcatV2":
        out = []
        for x in op.inputs[:-1]:
            part = constant_value_as_shape(x)
            if part is None:
                return None
            out.extend(part)
        return out
    v = constant_value(t)
    if v is not None:
        if v.ndim == 0:
            return None
        return [None if int(x) < 0 else int(x) for x in v.reshape(-1)]
    d = dims_of(t)
    if d is not None and len(d) == 1 and d[0] is not None:
        return [None] * d[0]
    return None


# ---------------------------------------------------------------------------------------
# shape functions

def _unchanged(inputs, attrs):
    return [inputs[0].shape]


for _op in ("Neg", "Abs", "Sign", "Square", "Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p",
            "Floor", "Ceil", "Round", "Reciprocal", "Sigmoid", "Tanh", "Sin", "Cos", "Tan",
            "Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign", "Softmax", "LogSoftmax",
            "Erf", "Inv", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
            "Lgamma", "Digamma", "Rint", "LeakyRelu", "Identity", "ZerosLike", "OnesLike",
            "IsNan", "IsFinite", "IsInf", "ComplexAbs", "Real", "Imag", "Conj", "LogicalNot",
            "Invert", "Cast", "StopGradient", "BiasAdd", "ClipByValue"):
    shape_fn(_op)(_unchanged)


def broadcast_dims(a: list | None, b: list | None) -> list | None:
    """Broadcast two static shapes (TF's BroadcastBinaryOpOutputShapeFn)."""
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y if y is not None and y > 1 else None)
        elif y is None:
            out.append(x if x > 1 else None)
        elif x == y:
            out.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y}")
    return out


def _broadcast(inputs, attrs):
    a, b = inputs[0].shape, inputs[1].shape
    if a is b:
        return [a]
    da = a.as_tuple()
    if da is not None and da == b.as_tuple():
        return [a]
    return [_TS(broadcast_dims(dims_of(inputs[0]), dims_of(inputs[1])))]


for _op in ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "TruncateDiv",
            "TruncateMod", "Pow", "Maximum", "Minimum", "SquaredDifference", "Atan2", "DivNoNan",
            "Xdivy", "Xlogy", "MulNoNan", "Less", "LessEqual", "Greater", "GreaterEqual",
            "LogicalAnd", "LogicalOr", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Complex"):
    shape_fn(_op)(_broadcast)


@shape_fn("Equal", "NotEqual")
def _equal(inputs, attrs):
    try:
        return _broadcast(inputs, attrs)
    except ValueError:
        if attrs.get("incompatible_shape_error", True):
            raise
        return [_TS(None)]


@shape_fn("AddN")
def _add_n(inputs, attrs):
    out = None
    for t in inputs[0]:
        out = t.shape if out is None else out.merge_with(t.shape)
    return [out]


@shape_fn("SelectV2")
def _select_v2(inputs, attrs):
    c, t, e = (dims_of(x) for x in inputs)
    return [_TS(broadcast_dims(c, broadcast_dims(t, e)))]


@shape_fn("Select")
def _select(inputs, attrs):
    c, t, e = inputs
    out = t.shape.merge_with(e.shape)
    cd, od = dims_of(c), dims_of(t)
    if cd is not None and od is not None and len(cd) not in (0, 1, len(od)) and len(od) > 0:
        raise ValueError("Shapes must be equal rank")
    return [out]


def _check_dim(a, b, what="Dimensions"):
    if a is not None and b is not None and a != b:
        raise ValueError(f"{what} must be equal, but are {a} and {b}")


@shape_fn("MatMul")
def _matmul(inputs, attrs):
    a, b = dims_of(inputs[0]), dims_of(inputs[1])
    if a is not None and len(a) != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {len(a)}")
    if b is not None and len(b) != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {len(b)}")
    a = a or [None, None]
    b = b or [None, None]
    if attrs["transpose_a"]:
        a = a[::-1]
    if attrs["transpose_b"]:
        b = b[::-1]
    _check_dim(a[1], b[0])
    return [_TS([a[0], b[1]])]


@shape_fn("BatchMatMulV2")
def _batch_matmul(inputs, attrs):
    a, b = dims_of(inputs[0]), dims_of(inputs[1])
    if a is None or b is None:
        return [_TS(None)]
    if len(a) < 2 or len(b) < 2:
        raise ValueError("Shape must be at least rank 2")
    ra, ca = (a[-1], a[-2]) if attrs["adj_x"] else (a[-2], a[-1])
    rb, cb = (b[-1], b[-2]) if attrs["adj_y"] else (b[-2], b[-1])
    _check_dim(ca, rb)
    batch = broadcast_dims(a[:-2], b[:-2])
    return [_TS(batch + [ra, cb])]


def _axes(value: np.ndarray | None, rank: int | None):
    if value is None:
        return None
    axes = [int(v) for v in np.reshape(value, -1)]
    if rank is not None:
        for ax in axes:
            if ax < -rank or ax >= rank:
                raise ValueError(f"Invalid reduction dimension {ax} for input with {rank} "
                                 f"dimensions.")
        axes = [ax % rank for ax in axes]
    return axes


@shape_fn("Sum", "Mean", "Max", "Min", "Prod", "Any", "All")
def _reduce(inputs, attrs):
    x, idx = inputs
    d = dims_of(x)
    keep = attrs["keep_dims"]
    axes = _axes(constant_value(idx), None if d is None else len(d))
    if axes is None:
        if d is not None and keep:
            return [_TS([None] * len(d))]
        return [_TS(None)]
    if d is None:
        return [_TS(None)]
    s = set(axes)
    if keep:
        return [_TS([1 if i in s else v for i, v in enumerate(d)])]
    return [_TS([v for i, v in enumerate(d) if i not in s])]


@shape_fn("ArgMax", "ArgMin")
def _argmax(inputs, attrs):
    x, dim = inputs
    d = dims_of(x)
    v = constant_value(dim)
    if d is None:
        return [_TS(None)]
    if v is None:
        return [_TS([None] * (len(d) - 1))] if d else [_TS(None)]
    ax = int(v)
    if ax < -len(d) or ax >= len(d):
        raise ValueError(f"Expected dimension in the range [{-len(d)}, {len(d)}), but got {ax}")
    ax %= len(d)
    return [_TS(d[:ax] + d[ax + 1:])]


@shape_fn("Reshape")
def _reshape(inputs, attrs):
    x, shape = inputs
    target = constant_value_as_shape(shape)
    sd = dims_of(shape)
    if sd is not None and len(sd) > 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(sd)}")
    if target is None:
        return [_TS(None)]
    d = dims_of(x)
    raw = constant_value(shape)
    if raw is not None:
        raw = [int(v) for v in raw.reshape(-1)]
        if sum(1 for v in raw if v == -1) > 1:
            raise ValueError("Cannot infer multiple unknown dimensions in shape")
    n_in = None if d is None or None in d else int(np.prod(d, dtype=np.int64))
    known = [v for v in target if v is not None]
    unknown = [i for i, v in enumerate(target) if v is None]
    prod_known = int(np.prod(known, dtype=np.int64)) if known else 1
    if n_in is not None:
        if len(unknown) == 1 and raw is not None and raw[unknown[0]] == -1:
            if prod_known == 0 or n_in % prod_known:
                raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape "
                                 f"{raw} ({prod_known} elements)")
            target = list(target)
            target[unknown[0]] = n_in // prod_known
        elif not unknown and prod_known != n_in:
            raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape "
                             f"{target} ({prod_known} elements)")
    return [_TS(target)]


@shape_fn("Transpose")
def _transpose(inputs, attrs):
    x, perm = inputs
    d = dims_of(x)
    p = constant_value(perm)
    if p is None:
        pd = dims_of(perm)
        if d is not None:
            return [_TS([None] * len(d))]
        if pd is not None and pd[0] is not None:
            return [_TS([None] * pd[0])]
        return [_TS(None)]
    p = [int(v) for v in p.reshape(-1)]
    if d is None:
        return [_TS([None] * len(p))]
    if len(p) != len(d):
        raise ValueError(f"Dimension must be {len(d)} but is {len(p)}")
    return [_TS([d[i] for i in p])]


@shape_fn("ConcatV2")
def _concat(inputs, attrs):
    values, axis = inputs
    a = constant_value(axis)
    ds = [dims_of(v) for v in values]
    rank = next((len(d) for d in ds if d is not None), None)
    if rank is None:
        return [_TS(None)]
    for d in ds:
        if d is not None and len(d) != rank:
            raise ValueError(f"Shape must be rank {rank} but is rank {len(d)}")
    if a is None:
        return [_TS([None] * rank)]
    ax = int(a)
    if ax < -rank or ax >= rank:
        raise ValueError(f"ConcatOp : Expected concatenating dimensions in the range "
                         f"[{-rank}, {rank}), but got {ax}")
    ax %= rank
    out: list = [None] * rank
    total: int | None = 0
    for d in ds:
        if d is None:
            total = None
            continue
        for i, v in enumerate(d):
            if i == ax:
                continue
            if out[i] is None:
                out[i] = v
            elif v is not None and v != out[i]:
                raise ValueError(f"Dimension {i} in both shapes must be equal, but are "
                                 f"{out[i]} and {v}")
        if total is not None:
            total = None if d[ax] is None else total + d[ax]
    out[ax] = total
    return [_TS(out)]


@shape_fn("Pack")
def _pack(inputs, attrs):
    values = inputs[0]
    out = None
    for v in values:
        s = v.shape
        out = s if out is None else out.merge_with(s)
    d = None if out is None or out.rank is None else out.as_list()
    if d is None:
        return [_TS(None)]
    axis = attrs["axis"]
    r = len(d) + 1
    if axis < -r or axis >= r:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    axis %= r
    return [_TS(d[:axis] + [len(values)] + d[axis:])]


@shape_fn("Unpack")
def _unpack(inputs, attrs):
    d = dims_of(inputs[0])
    n = attrs["num"]
    if d is None:
        return [_TS(None)] * n
    axis = attrs["axis"] % len(d)
    return [_TS(d[:axis] + d[axis + 1:])] * n


@shape_fn("Split")
def _split(inputs, attrs):
    dim, x = inputs
    n = attrs["num_split"]
    d = dims_of(x)
    a = constant_value(dim)
    if d is None:
        return [_TS(None)] * n
    if a is None:
        return [_TS([None] * len(d))] * n
    ax = int(a) % len(d)
    size = d[ax]
    if size is not None and size % n:
        raise ValueError(f"Dimension size must be evenly divisible by {n} but is {size}")
    out = list(d)
    out[ax] = None if size is None else size // n
    return [_TS(out)] * n


@shape_fn("SplitV")
def _split_v(inputs, attrs):
    x, sizes, dim = inputs
    n = attrs["num_split"]
    d = dims_of(x)
    a = constant_value(dim)
    sv = constant_value(sizes)
    if d is None or a is None:
        return [_TS(None if d is None else [None] * len(d))] * n
    ax = int(a) % len(d)
    if sv is None:
        out = list(d)
        out[ax] = None
        return [_TS(out)] * n
    sv = [int(v) for v in sv.reshape(-1)]
    if -1 in sv and d[ax] is not None:
        sv[sv.index(-1)] = d[ax] - sum(v for v in sv if v != -1)
    elif d[ax] is not None and sum(sv) != d[ax]:
        raise ValueError(f"Determined shape must either match input shape along split_dim "
                         f"exactly if fully specified, or be less than the size of the input "
                         f"along split_dim if not fully specified.  Got: {sum(sv)}")
    outs = []
    for v in sv:
        o = list(d)
        o[ax] = None if v < 0 else v
        outs.append(_TS(o))
    return outs


@shape_fn("Squeeze")
def _squeeze(inputs, attrs):
    d = dims_of(inputs[0])
    axes = list(attrs["squeeze_dims"])
    if d is None:
        return [_TS(None)]
    r = len(d)
    for a in axes:
        if a < -r or a >= r:
            raise ValueError(f"Tried to squeeze dim index {a} for tensor with {r} dimensions.")
    axes = {a % r for a in axes}
    out = []
    for i, v in enumerate(d):
        if axes:
            if i in axes:
                if v is not None and v != 1:
                    raise ValueError(f"Can not squeeze dim[{i}], expected a dimension of 1, "
                                     f"got {v}")
                continue
            out.append(v)
        else:
            if v == 1:
                continue
            if v is None:
                return [_TS(None)]
            out.append(v)
    return [_TS(out)]


@shape_fn("ExpandDims")
def _expand_dims(inputs, attrs):
    x, dim = inputs
    d = dims_of(x)
    a = constant_value(dim)
    if d is None or a is None:
        return [_TS(None)]
    a = int(np.reshape(a, -1)[0])
    r = len(d) + 1
    if a < -r or a >= r:
        raise ValueError(f"Tried to expand dim index {a} for tensor with {len(d)} dimensions.")
    a %= r
    return [_TS(d[:a] + [1] + d[a:])]


@shape_fn("Tile")
def _tile(inputs, attrs):
    x, m = inputs
    d = dims_of(x)
    mv = constant_value(m)
    if mv is None:
        md = dims_of(m)
        n = len(d) if d is not None else (md[0] if md else None)
        return [_TS(None if n is None else [None] * n)]
    mv = [int(v) for v in mv.reshape(-1)]
    if d is None:
        return [_TS([None] * len(mv))]
    if len(mv) != len(d):
        raise ValueError(f"Shape must be rank {len(d)} but is rank {len(mv)}")
    return [_TS([None if v is None else v * k for v, k in zip(d, mv)])]


@shape_fn("Slice")
def _slice(inputs, attrs):
    x, begin, size = inputs
    d = dims_of(x)
    b, s = constant_value(begin), constant_value(size)
    n = d and len(d)
    if s is None:
        sd = dims_of(size)
        n = len(d) if d is not None else (sd[0] if sd else None)
        return [_TS(None if n is None else [None] * n)]
    s = [int(v) for v in s.reshape(-1)]
    out = []
    for i, v in enumerate(s):
        if v >= 0:
            out.append(v)
        elif b is not None and d is not None and d[i] is not None:
            out.append(d[i] - int(b.reshape(-1)[i]))
        else:
            out.append(None)
    return [_TS(out)]


@shape_fn("StridedSlice")
def _strided_slice(inputs, attrs):
    x, begin, end, strides = inputs
    d = dims_of(x)
    b, e, s = constant_value(begin), constant_value(end), constant_value(strides)
    n_spec = dims_of(begin)
    if d is None or n_spec is None or n_spec[0] is None:
        return [_TS(None)]
    n = n_spec[0]
    bm, em = attrs["begin_mask"], attrs["end_mask"]
    elm, nam, sam = attrs["ellipsis_mask"], attrs["new_axis_mask"], attrs["shrink_axis_mask"]
    # Expand the sparse spec to one entry per input dimension (TF's BuildDenseSpec).
    dense = []  # (spec index or None, kind) per output-producing position
    n_real = sum(1 for i in range(n) if not (nam >> i) & 1 and not (elm >> i) & 1)
    has_ellipsis = elm != 0
    i_in = 0
    for i in range(n):
        if (elm >> i) & 1:
            for _ in range(len(d) - n_real):
                dense.append(("full", i_in))
                i_in += 1
        elif (nam >> i) & 1:
            dense.append(("new", None))
        else:
            dense.append((i, i_in))
            i_in += 1
    if not has_ellipsis:
        while i_in < len(d):
            dense.append(("full", i_in))
            i_in += 1
    if i_in != len(d):
        raise ValueError(f"Index out of range using input dim {len(d)}")
    out = []
    for spec, dim in dense:
        if spec == "new":
            out.append(1)
            continue
        size = d[dim]
        if spec == "full":
            out.append(size)
            continue
        i = spec
        shrink = (sam >> i) & 1
        bv = None if b is None else int(b.reshape(-1)[i])
        ev = None if e is None else int(e.reshape(-1)[i])
        sv = None if s is None else int(s.reshape(-1)[i])
        if sv == 0:
            raise ValueError("strides[%d] must be non-zero" % i)
        if shrink:
            if size is not None and bv is not None and not -size <= bv < size:
                raise ValueError(f"slice index {bv} of dimension {dim} out of bounds.")
            continue
        if size is None or sv is None:
            out.append(None)
            continue
        if (bm >> i) & 1:
            bv = None
        elif bv is None:
            out.append(None)
            continue
        if (em >> i) & 1:
            ev = None
        elif ev is None:
            out.append(None)
            continue
        out.append(len(range(size)[slice(bv, ev, sv)]))
    return [_TS(out)]


@shape_fn("GatherV2")
def _gather(inputs, attrs):
    params, indices, axis = inputs
    p, i = dims_of(params), dims_of(indices)
    a = constant_value(axis)
    if p is None or i is None or a is None:
        return [_TS(None)]
    a = int(a)
    if a < -len(p) or a >= len(p):
        raise ValueError(f"Shape must be at least rank {a + 1} but is rank {len(p)}")
    a %= len(p)
    bd = attrs["batch_dims"]
    return [_TS(p[:a] + i[bd:] + p[a + 1:])]


@shape_fn("Where")
def _where(inputs, attrs):
    d = dims_of(inputs[0])
    return [_TS([None, None if d is None else len(d)])]


@shape_fn("Fill")
def _fill(inputs, attrs):
    dims, value = inputs
    vd = dims_of(value)
    if vd is not None and len(vd) != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {len(vd)}")
    return [_TS(constant_value_as_shape(dims))]


@shape_fn("Range")
def _range(inputs, attrs):
    vals = [constant_value(t) for t in inputs]
    if any(v is None for v in vals):
        return [_TS([None])]
    start, limit, delta = (v.item() for v in vals)
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if isinstance(start, int) and isinstance(limit, int) and isinstance(delta, int):
        n = len(range(start, limit, delta))
    else:
        n = max(0, int(np.ceil((limit - start) / delta)))
    return [_TS([n])]


@shape_fn("Shape")
def _shape(inputs, attrs):
    d = dims_of(inputs[0])
    return [_TS([None if d is None else len(d)])]


@shape_fn("Size", "Rank")
def _scalar(inputs, attrs):
    return [_TS([])]


@shape_fn("BroadcastArgs")
def _broadcast_args(inputs, attrs):
    a, b = dims_of(inputs[0]), dims_of(inputs[1])
    if a is None or b is None or a[0] is None or b[0] is None:
        return [_TS([None])]
    return [_TS([max(a[0], b[0])])]


@shape_fn("BroadcastTo")
def _broadcast_to(inputs, attrs):
    return [_TS(constant_value_as_shape(inputs[1]))]


@shape_fn("ReverseV2")
def _reverse(inputs, attrs):
    return [inputs[0].shape]


@shape_fn("Conv2D")
def _conv2d(inputs, attrs):
    x, f = dims_of(inputs[0]), dims_of(inputs[1])
    if x is None or f is None:
        return [_TS(None if x is None else [x[0], None, None, None])]
    nchw = attrs["data_format"] in (b"NCHW", "NCHW")
    n, h, w, c = (x[0], x[2], x[3], x[1]) if nchw else x
    kh, kw, kc, oc = f
    _check_dim(c, kc)
    st = attrs["strides"]
    sh, sw = (st[2], st[3]) if nchw else (st[1], st[2])
    dil = attrs["dilations"]
    dh, dw = (dil[2], dil[3]) if nchw else (dil[1], dil[2])
    oh = _pool_dim(h, (kh - 1) * dh + 1 if kh is not None else None, sh, attrs["padding"])
    ow = _pool_dim(w, (kw - 1) * dw + 1 if kw is not None else None, sw, attrs["padding"])
    return [_TS([n, oc, oh, ow] if nchw else [n, oh, ow, oc])]


def _pool_dim(size, k, s, padding):
    if size is None or k is None:
        return None
    p = padding.decode() if isinstance(padding, bytes) else padding
    if p == "SAME":
        return -(-size // s)
    return (size - k) // s + 1 if size >= k else 0


@shape_fn("MaxPool", "AvgPool")
def _pool(inputs, attrs):
    x = dims_of(inputs[0])
    if x is None:
        return [_TS([None] * 4)]
    nchw = attrs["data_format"] in (b"NCHW", "NCHW")
    k, s = attrs["ksize"], attrs["strides"]
    if nchw:
        n, c, h, w = x
        return [_TS([n, c, _pool_dim(h, k[2], s[2], attrs["padding"]),
                     _pool_dim(w, k[3], s[3], attrs["padding"])])]
    n, h, w, c = x
    return [_TS([n, _pool_dim(h, k[1], s[1], attrs["padding"]),
                 _pool_dim(w, k[2], s[2], attrs["padding"]), c])]


@shape_fn("OneHot")
def _one_hot(inputs, attrs):
    d = dims_of(inputs[0])
    depth = constant_value(inputs[1])
    if d is None:
        return [_TS(None)]
    dep = None if depth is None else int(depth)
    ax = attrs["axis"]
    ax = len(d) if ax == -1 else ax
    return [_TS(d[:ax] + [dep] + d[ax:])]


@shape_fn("LinSpace")
def _linspace(inputs, attrs):
    n = constant_value(inputs[2])
    return [_TS([None if n is None else int(n)])]


_ = dtypes
