"""TF1 op functions by family (math, array, nn), emitting nodes as TensorFlow does.

Importing this package installs the Python operators on ``Tensor`` and registers the
auto-packing of lists that hold tensors (``tf.reshape(x, [n, -1])``) with the
framework's ``convert_to_tensor``.
"""
from __future__ import annotations

import types as _types

from graphdef import dtypes

from graphdef.ops import shapes as _shapes  # noqa: F401  (attaches shape functions)
from graphdef.ops import array_ops, math_ops, nn, overrides
from graphdef.ops.array_ops import (broadcast_dynamic_shape, broadcast_to, concat, expand_dims,
                                    fill, gather, newaxis, one_hot, ones, ones_like,
                                    parallel_stack, rank, reshape, reverse, reverse_v2, shape,
                                    size, slice, split, squeeze, stack, stop_gradient,
                                    strided_slice, tile, transpose, unstack, where, where_v2,
                                    zeros, zeros_like)
from graphdef.ops.math_ops import (abs, accumulate_n, acos, add, add_n, argmax, argmin, asin,
                                   atan, atan2, cast, ceil, clip_by_value, complex, conj, cos,
                                   cosh, count_nonzero, digamma, div, div_no_nan, divide, equal,
                                   erf, exp, expm1, floor, floordiv, floormod, greater,
                                   greater_equal, imag, is_finite, is_inf, is_nan, less,
                                   less_equal, lgamma, lin_space, linspace, log, log1p,
                                   logical_and, logical_not, logical_or, logical_xor, matmul,
                                   maximum, minimum, mod, multiply, negative, not_equal, pow,
                                   range, real, realdiv, reciprocal, reduce_all, reduce_any,
                                   reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum,
                                   rint, round, rsqrt, saturate_cast, scalar_mul, sigmoid, sign,
                                   sin, sinh, sqrt, square, squared_difference, subtract, tan,
                                   tanh, to_bfloat16, to_complex64, to_complex128, to_double,
                                   to_float, to_int32, to_int64, truediv, truncatediv,
                                   truncatemod)
from graphdef.ops.op_def import apply_op, convert


def _register_autopacking() -> None:
    import graphdef.framework as fw
    from graphdef.ops.op_def import _autopack, _contains_tensor

    def autopack(value, dtype=None, name=None, as_ref=False):
        if not _contains_tensor(value):
            return NotImplemented
        return _autopack(value, dtype, name or "packed")

    fw.register_tensor_conversion_function((list, tuple), autopack, priority=99)

    def shape_to_tensor(s, dtype=None, name=None, as_ref=False):
        # TF's _tensor_shape_tensor_conversion_function: int32 unless a dim needs int64.
        if not s.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {s} to a Tensor.")
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype not in (dtypes.int32,
                                                                             dtypes.int64):
            raise TypeError(f"Cannot convert TensorShape {s} to {dtypes.as_dtype(dtype).name}"
                            " (supported: int32, int64).")
        return array_ops._shape_as_tensor(s.as_list(), dtype, name)

    def dimension_to_tensor(d, dtype=None, name=None, as_ref=False):
        if d.value is None:
            raise ValueError(f"Cannot convert an unknown Dimension to a Tensor: {d}")
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype not in (dtypes.int32,
                                                                             dtypes.int64):
            raise TypeError(f"Cannot convert Dimension {d} to {dtypes.as_dtype(dtype).name}"
                            " (supported: int32, int64).")
        return fw.constant(d.value, dtype=dtype or dtypes.int32, name=name or "Const")

    fw.register_tensor_conversion_function(fw.TensorShape, shape_to_tensor, priority=100)
    fw.register_tensor_conversion_function(fw.Dimension, dimension_to_tensor, priority=100)


_register_autopacking()
overrides.install()

# ``tf.math``: the math functions under their TF2-style names.
_MATH_NAMES = [
    "abs", "accumulate_n", "acos", "add", "add_n", "argmax", "argmin", "asin", "atan", "atan2",
    "ceil", "conj", "cos", "cosh", "count_nonzero", "digamma", "divide", "divide_no_nan",
    "equal", "erf", "exp", "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal",
    "imag", "is_finite", "is_inf", "is_nan", "less", "less_equal", "lgamma", "log", "log1p",
    "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod",
    "multiply", "negative", "not_equal", "pow", "real", "realdiv", "reciprocal", "reduce_all",
    "reduce_any", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum",
    "rint", "round", "rsqrt", "scalar_mul", "sigmoid", "sign", "sin", "sinh", "sqrt", "square",
    "squared_difference", "subtract", "tan", "tanh", "truediv", "truncatediv", "truncatemod",
]
math = _types.SimpleNamespace(**{k: getattr(math_ops, k) for k in _MATH_NAMES
                                 if hasattr(math_ops, k)})
math.divide_no_nan = math_ops.div_no_nan
math.softplus = nn.softplus
math.l2_normalize = nn.l2_normalize

__all__: list[str] = [
    "nn", "math", "newaxis",
    # math
    "abs", "accumulate_n", "acos", "add", "add_n", "argmax", "argmin", "asin", "atan", "atan2",
    "cast", "ceil", "clip_by_value", "complex", "conj", "cos", "cosh", "count_nonzero",
    "digamma", "div", "div_no_nan", "divide", "equal", "erf", "exp", "expm1", "floor",
    "floordiv", "floormod", "greater", "greater_equal", "imag", "is_finite", "is_inf",
    "is_nan", "less", "less_equal", "lgamma", "lin_space", "linspace", "log", "log1p",
    "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "maximum", "minimum",
    "mod", "multiply", "negative", "not_equal", "pow", "range", "real", "realdiv",
    "reciprocal", "reduce_all", "reduce_any", "reduce_max", "reduce_mean", "reduce_min",
    "reduce_prod", "reduce_sum", "rint", "round", "rsqrt", "saturate_cast", "scalar_mul",
    "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "squared_difference", "subtract",
    "tan", "tanh", "to_bfloat16", "to_complex64", "to_complex128", "to_double", "to_float",
    "to_int32", "to_int64", "truediv", "truncatediv", "truncatemod",
    # array
    "broadcast_dynamic_shape", "broadcast_to", "concat", "expand_dims", "fill", "gather",
    "one_hot", "ones", "ones_like", "parallel_stack", "rank", "reshape", "reverse",
    "reverse_v2", "shape", "size", "slice", "split", "squeeze", "stack", "stop_gradient",
    "strided_slice", "tile", "transpose", "unstack", "where", "where_v2", "zeros",
    "zeros_like",
]
_ = (apply_op, convert, array_ops)
