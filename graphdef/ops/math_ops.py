"""TF1 math functions (``tf.add``, ``tf.reduce_sum``, ``tf.matmul``...), emitting the nodes
TensorFlow 2.x's ``tf.compat.v1`` emits: same names, scopes, Consts and attrs.

Where TensorFlow's Python wrapper opens its own scope or converts arguments before the
generated op (``truediv`` casting ints, ``clip_by_value``'s Minimum/Maximum pair, the
``Const`` of reduction axes), the function here does the same, in the same order, since
node order and names are part of the contract.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.ops.op_def import OPS, _apply_fast, _fw, _is_tensor, _scope, apply_op, convert

ADD_OP = "Add"  # TF1 wrote Add (the seed's dumps); TF2 writes AddV2: compare treats them equal.


# -- binary arithmetic --------------------------------------------------------------------

_ADD_DEF: Any = None


def add(x: Any, y: Any, name: str | None = None):
    """``tf.add``: one ``Add`` node; Python operands become ``Add/x``/``Add/y`` Consts."""
    # The seed's lazy-loading loop calls this 20,000 times: Tensor/Variable operands go
    # straight to apply_op's fast path (one call and one list fewer per op).
    global _ADD_DEF
    od = _ADD_DEF
    if od is None:
        od = _ADD_DEF = OPS[ADD_OP]
    if od.fast:
        out = _apply_fast(od, name, (x, y), None)
        if out is not None:
            return out
    return apply_op(ADD_OP, name, [x, y])


def subtract(x: Any, y: Any, name: str | None = None):
    return apply_op("Sub", name, [x, y])


def multiply(x: Any, y: Any, name: str | None = None):
    return apply_op("Mul", name, [x, y])


def realdiv(x: Any, y: Any, name: str | None = None):
    return apply_op("RealDiv", name, [x, y])


def floordiv(x: Any, y: Any, name: str | None = None):
    with _scope(name, "floordiv", [x, y]) as scope:
        return apply_op("FloorDiv", scope, [x, y])


def floormod(x: Any, y: Any, name: str | None = None):
    return apply_op("FloorMod", name, [x, y])


mod = floormod


def truncatediv(x: Any, y: Any, name: str | None = None):
    return apply_op("TruncateDiv", name, [x, y])


def truncatemod(x: Any, y: Any, name: str | None = None):
    return apply_op("TruncateMod", name, [x, y])


# int8/16 and uint8/16 divide in float32, 32/64-bit ints in float64 (TF's _TRUEDIV_TABLE).
_TRUEDIV_TABLE = {
    dtypes.uint8: dtypes.float32, dtypes.int8: dtypes.float32, dtypes.uint16: dtypes.float32,
    dtypes.int16: dtypes.float32, dtypes.uint32: dtypes.float64, dtypes.uint64: dtypes.float64,
    dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64, dtypes.bfloat16: None,
    dtypes.float16: None, dtypes.float32: None, dtypes.float64: None, dtypes.complex64: None,
    dtypes.complex128: None,
}


def _truediv(x: Any, y: Any, name: str | None = None):
    with _scope(name, "truediv", [x, y]) as scope:
        x = convert(x, name="x")
        y = convert(y, name="y", preferred_dtype=x.dtype.base_dtype)
        xd, yd = x.dtype.base_dtype, y.dtype.base_dtype
        if xd != yd:
            raise TypeError(f"`x` and `y` must have the same dtype, got {xd!r} != {yd!r}.")
        if xd not in _TRUEDIV_TABLE:
            raise TypeError(f"Invalid dtype {xd!r} in __truediv__")
        dt = _TRUEDIV_TABLE[xd]
        if dt is not None:
            x = cast(x, dt)
            y = cast(y, dt)
        return apply_op("RealDiv", scope, [x, y])


def truediv(x: Any, y: Any, name: str | None = None):
    """``tf.truediv``: integer operands are cast to float (``truediv/Cast``) first."""
    return _truediv(x, y, name)


def divide(x: Any, y: Any, name: str | None = None):
    """``tf.divide``: ``x / y`` (so named ``truediv``) unless a name is given."""
    if name is not None:
        return _truediv(x, y, name)
    if not _is_tensor(x):
        x = convert(x, dtype=y.dtype.base_dtype if _is_tensor(y) else None)
    return x / y


def div(x: Any, y: Any, name: str | None = None):
    """v1 ``tf.div``: Python 2 division (``FloorDiv`` for ints, ``RealDiv`` for floats)."""
    with _scope(name, "div", [x, y]) as scope:
        x = convert(x, name="x")
        y = convert(y, name="y", dtype=x.dtype.base_dtype)
        if x.dtype.is_floating or x.dtype.is_complex:
            return apply_op("RealDiv", scope, [x, y])
        return apply_op("FloorDiv", scope, [x, y])


def div_no_nan(x: Any, y: Any, name: str | None = None):
    with _scope(name, "div_no_nan", [x, y]) as scope:
        x = convert(x, name="x")
        y = convert(y, name="y", dtype=x.dtype.base_dtype)
        return apply_op("DivNoNan", scope, [x, y])


def pow(x: Any, y: Any, name: str | None = None):  # noqa: A001 - TF's name
    with _scope(name, "Pow", [x]) as scope:
        return apply_op("Pow", scope, [x, y])


def maximum(x: Any, y: Any, name: str | None = None):
    return apply_op("Maximum", name, [x, y])


def minimum(x: Any, y: Any, name: str | None = None):
    return apply_op("Minimum", name, [x, y])


def squared_difference(x: Any, y: Any, name: str | None = None):
    return apply_op("SquaredDifference", name, [x, y])


def atan2(y: Any, x: Any, name: str | None = None):
    return apply_op("Atan2", name, [y, x])


def scalar_mul(scalar: Any, x: Any, name: str | None = None):
    """``tf.scalar_mul``: the scalar becomes a top-level Const named ``scalar``."""
    base = x.dtype.base_dtype
    scalar = convert(scalar, dtype=base, name="scalar")
    if scalar.shape.rank != 0:
        raise ValueError(f"`scalar` must be a 0-D tensor, got shape {scalar.shape}.")
    return apply_op("Mul", name, [scalar, x])


def add_n(inputs: Any, name: str | None = None):
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with"
                         " the same dtype and shape.")
    inputs = [convert(v) for v in inputs]
    if len(inputs) == 1:
        from graphdef.ops.array_ops import identity
        return identity(inputs[0], name=name) if name else inputs[0]
    return apply_op("AddN", name, [inputs])


def accumulate_n(inputs: Any, shape: Any = None, tensor_dtype: Any = None, name: str | None = None):
    return add_n(inputs, name=name)


def complex(real: Any, imag: Any, name: str | None = None):  # noqa: A001 - TF's name
    real = convert(real, name="real")
    imag = convert(imag, name="imag")
    with _scope(name, "Complex", [real, imag]) as scope:
        in_t = real.dtype.base_dtype
        if in_t != imag.dtype.base_dtype:
            raise TypeError(f"The `real` and `imag` components have different types: "
                            f"{real.dtype.name} {imag.dtype.name}")
        if in_t == dtypes.float32:
            tout = dtypes.complex64
        elif in_t == dtypes.float64:
            tout = dtypes.complex128
        else:
            raise TypeError(f"The `real` and `imag` components have dtype {in_t.name}, "
                            f"expected float32 or float64")
        return apply_op("Complex", scope, [real, imag], {"Tout": tout})


# -- unary ---------------------------------------------------------------------------------

def _unary(op_type: str):
    def fn(x: Any, name: str | None = None):
        return apply_op(op_type, name, [x])
    fn.__name__ = op_type.lower()
    fn.__doc__ = f"One ``{op_type}`` node."
    return fn


negative = _unary("Neg")


def sign(x: Any, name: str | None = None):
    """``tf.sign``: the argument is converted before (outside) the op's scope, as in TF."""
    x = convert(x)
    return apply_op("Sign", name, [x])


square = _unary("Square")
sqrt = _unary("Sqrt")
rsqrt = _unary("Rsqrt")
exp = _unary("Exp")
expm1 = _unary("Expm1")
log = _unary("Log")
log1p = _unary("Log1p")
floor = _unary("Floor")
ceil = _unary("Ceil")
reciprocal = _unary("Reciprocal")
sin = _unary("Sin")
cos = _unary("Cos")
tan = _unary("Tan")
asin = _unary("Asin")
acos = _unary("Acos")
atan = _unary("Atan")
sinh = _unary("Sinh")
cosh = _unary("Cosh")
erf = _unary("Erf")
lgamma = _unary("Lgamma")
digamma = _unary("Digamma")
rint = _unary("Rint")
is_nan = _unary("IsNan")
is_inf = _unary("IsInf")
is_finite = _unary("IsFinite")
logical_not = _unary("LogicalNot")


def round(x: Any, name: str | None = None):  # noqa: A001 - TF's name
    """``tf.round``: banker's rounding (``Round``); integers pass through."""
    x = convert(x, name="x")
    if x.dtype.is_integer:
        return x
    return apply_op("Round", name, [x])


def abs(x: Any, name: str | None = None):  # noqa: A001 - TF's name
    with _scope(name, "Abs", [x]) as scope:
        x = convert(x, name="x")
        if x.dtype.is_complex:
            return apply_op("ComplexAbs", scope, [x], {"Tout": x.dtype.real_dtype})
        return apply_op("Abs", scope, [x])


def sigmoid(x: Any, name: str | None = None):
    with _scope(name, "Sigmoid", [x]) as scope:
        x = convert(x, name="x")
        return apply_op("Sigmoid", scope, [x])


def tanh(x: Any, name: str | None = None):
    with _scope(name, "Tanh", [x]) as scope:
        x = convert(x, name="x")
        return apply_op("Tanh", scope, [x])


def real(input: Any, name: str | None = None):  # noqa: A002
    with _scope(name, "Real", [input]) as scope:
        input = convert(input, name="input")
        if input.dtype.is_complex:
            return apply_op("Real", scope, [input], {"Tout": input.dtype.real_dtype})
        return input


def imag(input: Any, name: str | None = None):  # noqa: A002
    with _scope(name, "Imag", [input]) as scope:
        input = convert(input, name="input")
        if input.dtype.is_complex:
            return apply_op("Imag", scope, [input], {"Tout": input.dtype.real_dtype})
        from graphdef.ops.array_ops import zeros_like
        return zeros_like(input)


def conj(x: Any, name: str | None = None):
    if _is_tensor(x):
        if x.dtype.is_floating or x.dtype.is_integer:
            return x
        if x.dtype.is_complex:
            return apply_op("Conj", name, [x])
    with _scope(name, "Conj", [x]) as scope:
        x = convert(x, name="x")
        if x.dtype.is_complex:
            return apply_op("Conj", scope, [x])
        return x


# -- comparisons and logic -----------------------------------------------------------------

def equal(x: Any, y: Any, name: str | None = None):
    return apply_op("Equal", name, [x, y])


def not_equal(x: Any, y: Any, name: str | None = None):
    return apply_op("NotEqual", name, [x, y])


def less(x: Any, y: Any, name: str | None = None):
    return apply_op("Less", name, [x, y])


def less_equal(x: Any, y: Any, name: str | None = None):
    return apply_op("LessEqual", name, [x, y])


def greater(x: Any, y: Any, name: str | None = None):
    return apply_op("Greater", name, [x, y])


def greater_equal(x: Any, y: Any, name: str | None = None):
    return apply_op("GreaterEqual", name, [x, y])


def logical_and(x: Any, y: Any, name: str | None = None):
    return apply_op("LogicalAnd", name, [x, y])


def logical_or(x: Any, y: Any, name: str | None = None):
    return apply_op("LogicalOr", name, [x, y])


def logical_xor(x: Any, y: Any, name: str = "LogicalXor"):
    """``(x | y) & ~(x & y)``: three helper nodes in the *current* scope, then the result."""
    return apply_op("LogicalAnd", name, [
        apply_op("LogicalOr", None, [x, y]),
        apply_op("LogicalNot", None, [apply_op("LogicalAnd", None, [x, y])])])


# -- cast ------------------------------------------------------------------------------------

def cast(x: Any, dtype: Any, name: str | None = None):
    """``tf.cast``: no node when ``x`` already has ``dtype``; else ``Cast`` (Truncate=false)."""
    base = dtypes.as_dtype(dtype).base_dtype
    if _is_tensor(x) and x.dtype.base_dtype == base:
        return x
    with _scope(name, "Cast", [x]) as scope:
        x = convert(x, name="x")
        if x.dtype.base_dtype != base:
            x = apply_op("Cast", scope, [x], {"DstT": base})
        return x


def saturate_cast(value: Any, dtype: Any, name: str | None = None):
    with _scope(name, "saturate_cast", [value]) as scope:
        value = convert(value, name="value")
        dtype = dtypes.as_dtype(dtype).base_dtype
        if value.dtype.min < dtype.min:
            value = maximum(value, convert(dtype.min, dtype=value.dtype, name="min"))
        if value.dtype.max > dtype.max:
            value = minimum(value, convert(dtype.max, dtype=value.dtype, name="max"))
        return cast(value, dtype, name=scope)


def _cast_fn(default_name: str, dtype: Any):
    def fn(x: Any, name: str = default_name):
        return cast(x, dtype, name=name)
    return fn


to_float = _cast_fn("ToFloat", dtypes.float32)
to_double = _cast_fn("ToDouble", dtypes.float64)
to_int32 = _cast_fn("ToInt32", dtypes.int32)
to_int64 = _cast_fn("ToInt64", dtypes.int64)
to_bfloat16 = _cast_fn("ToBFloat16", dtypes.bfloat16)
to_complex64 = _cast_fn("ToComplex64", dtypes.complex64)
to_complex128 = _cast_fn("ToComplex128", dtypes.complex128)


# -- matmul ----------------------------------------------------------------------------------

def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type: Any = None, grad_a: bool = False,
           grad_b: bool = False, name: str | None = None):
    """``MatMul`` for rank-2 operands, ``BatchMatMulV2`` (adj_x/adj_y) when either may have
    batch dimensions."""
    with _scope(name, "MatMul", [a, b]) as scope:
        if transpose_a and adjoint_a:
            raise ValueError("Only one of `transpose_a` and `adjoint_a` can be True.")
        if transpose_b and adjoint_b:
            raise ValueError("Only one of `transpose_b` and `adjoint_b` can be True.")
        a = convert(a, name="a")
        b = convert(b, name="b", preferred_dtype=a.dtype.base_dtype)
        ra, rb = a.shape.rank, b.shape.rank
        if ra is None or ra > 2 or rb is None or rb > 2:
            if transpose_a:
                a = conj(a)
                adjoint_a = True
            if transpose_b:
                b = conj(b)
                adjoint_b = True
            return apply_op("BatchMatMulV2", scope, [a, b],
                            {"adj_x": adjoint_a, "adj_y": adjoint_b, "grad_x": grad_a,
                             "grad_y": grad_b})
        if adjoint_a:
            a = conj(a)
            transpose_a = True
        if adjoint_b:
            b = conj(b)
            transpose_b = True
        return apply_op("MatMul", scope, [a, b],
                        {"transpose_a": transpose_a, "transpose_b": transpose_b,
                         "grad_a": grad_a, "grad_b": grad_b})


# -- reductions ------------------------------------------------------------------------------

def _reduction_dims(x: Any, axis: Any):
    """TF's ``_ReductionDims``: ``axis`` as given, else a ``Const`` holding ``range(rank)``
    (named ``Const`` in the caller's scope), else ``range(0, rank(x))``."""
    if axis is not None:
        return axis
    rank = x.shape.rank if _is_tensor(x) else None
    if rank:
        from graphdef.framework import constant
        return constant(np.arange(rank, dtype=np.int32))
    from graphdef.ops.array_ops import rank as rank_fn
    return range(0, rank_fn(x))


def _lookup(new: Any, new_name: str, old: Any, old_name: str) -> Any:
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'.")
    return new if new is not None else old


def _reducer(op_type: str):
    def fn(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
           reduction_indices: Any = None, keep_dims: Any = None):
        axis = _lookup(axis, "axis", reduction_indices, "reduction_indices")
        keepdims = _lookup(keepdims, "keepdims", keep_dims, "keep_dims")
        keepdims = False if keepdims is None else bool(keepdims)
        dims = _reduction_dims(input_tensor, axis)
        return apply_op(op_type, name, [input_tensor, dims], {"keep_dims": keepdims})
    fn.__name__ = "reduce_" + op_type.lower()
    fn.__doc__ = (f"``tf.reduce_{op_type.lower()}`` (v1 arguments): one ``{op_type}`` node; "
                  "an omitted axis becomes a ``Const`` of all dimensions.")
    return fn


reduce_sum = _reducer("Sum")
reduce_mean = _reducer("Mean")
reduce_max = _reducer("Max")
reduce_min = _reducer("Min")
reduce_prod = _reducer("Prod")
reduce_any = _reducer("Any")
reduce_all = _reducer("All")


def _arg_reducer(op_type: str):
    def fn(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,  # noqa: A002
           output_type: Any = dtypes.int64):
        axis = _lookup(axis, "axis", dimension, "dimension")
        if axis is None:
            axis = 0
        return apply_op(op_type, name, [input, axis], {"output_type": output_type})
    fn.__name__ = op_type.lower()
    return fn


argmax = _arg_reducer("ArgMax")
argmin = _arg_reducer("ArgMin")


def count_nonzero(input_tensor: Any, axis: Any = None, keepdims: Any = None, dtype: Any = dtypes.int64,
                  name: str | None = None):
    with _scope(name, "count_nonzero", [input_tensor]):
        input_tensor = convert(input_tensor, name="input_tensor")
        from graphdef.ops.array_ops import zeros
        zero = zeros([], dtype=input_tensor.dtype)
        return cast(reduce_sum(cast(not_equal(input_tensor, zero), dtypes.int64), axis=axis,
                               keepdims=keepdims), dtype=dtype)


# -- range / linspace / clip ------------------------------------------------------------------

_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float16, dtypes.bfloat16, dtypes.float32,
                 dtypes.float64]


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,  # noqa: A001
          name: str = "range"):
    """``tf.range``: ``range/start|limit|delta`` Consts, casts to the widest dtype, ``Range``."""
    if limit is None:
        start, limit = 0, start
    with _scope(name, "Range", [start, limit, delta]) as scope:
        if not _is_tensor(start):
            start = convert(start, dtype=dtype, name="start")
        if not _is_tensor(limit):
            limit = convert(limit, dtype=dtype, name="limit")
        if not _is_tensor(delta):
            delta = convert(delta, dtype=dtype, name="delta")
        if dtype is None:
            for arg in (start, limit, delta):
                if arg.dtype.base_dtype not in _RANGE_DTYPES:
                    raise TypeError(f"Unsupported dtype {arg.dtype.name} in tf.range")
            inferred = max((arg.dtype.base_dtype for arg in (start, limit, delta)),
                           key=_RANGE_DTYPES.index)
        else:
            inferred = dtypes.as_dtype(dtype).base_dtype
        start = cast(start, inferred)
        limit = cast(limit, inferred)
        delta = cast(delta, inferred)
        return apply_op("Range", scope, [start, limit, delta])


def linspace(start: Any, stop: Any, num: Any, name: str | None = None, axis: int = 0):
    """TF 2's ``linspace_nd`` (also ``tf.compat.v1.linspace``): the ~75-node expansion."""
    from graphdef.ops import array_ops as A
    fw = _fw()
    with _scope(name, "linspace", [start, stop]):
        start = convert(start, name="start")
        stop = convert(stop, name="stop", dtype=start.dtype)
        num_int = A._convert_to_int_tensor(num, name="num")
        num = cast(num_int, dtype=start.dtype)

        broadcast_shape = A.broadcast_dynamic_shape(A.shape(start), A.shape(stop))
        start = A.broadcast_to(start, broadcast_shape)
        stop = A.broadcast_to(stop, broadcast_shape)

        expanded_start = A.expand_dims(start, axis=axis)
        expanded_stop = A.expand_dims(stop, axis=axis)

        shape = A.shape(expanded_start)
        ndims = A.shape(shape)[0]

        axis = A.where_v2(axis >= 0, axis, ndims + axis)

        num_fill = apply_op("Maximum", None, [num_int - 2, 0])
        n_steps = apply_op("Maximum", None, [num_int - 1, 1])
        delta = (expanded_stop - expanded_start) / cast(n_steps, expanded_stop.dtype)
        expanded_start = cast(expanded_start, delta.dtype)
        expanded_stop = cast(expanded_stop, delta.dtype)

        range_end = A.where_v2(num_int >= 0, n_steps, -1)
        desired_range = cast(range(1, range_end, dtype=dtypes.int64), delta.dtype)
        mask = apply_op("Equal", None, [axis, range(ndims)])
        desired_range_shape = A.where_v2(mask, num_fill, 1)
        desired_range = A.reshape(desired_range, desired_range_shape)

        res = expanded_start + delta * desired_range

        all_tensors = (expanded_start, res, expanded_stop)
        concatenated = A.concat(all_tensors, axis=axis)
        begin = A.zeros_like(shape)
        end = A.concat((shape[0:axis], A.reshape(num_int, [1]), shape[axis + 1:]), axis=0)
        del fw, num
        return A.slice(concatenated, begin, end)


lin_space = linspace


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None):
    """``Minimum`` with the max in ``clip_by_value/Minimum``, then ``Maximum`` named
    ``clip_by_value``; a shape that would broadcast is a ValueError, as in TF."""
    with _scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert(t, name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.assert_is_compatible_with(t_min.shape)
        t_max = apply_op("Maximum", scope, [t_min, clip_value_min])
        values.shape.assert_is_compatible_with(t_max.shape)
        return t_max
