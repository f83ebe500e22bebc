"""``tf.nn``: activations, softmax, bias_add, l2_normalize, conv2d and pooling (TF1 names).

Softmax on an axis other than the last transposes that axis to the end and back with a
permutation computed in the graph (``Rank``, ``range``, ``concat``, ``transpose``), as
TensorFlow's ``_wrap_2d_function`` does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.ops import math_ops
from graphdef.ops.array_ops import concat, rank, transpose
from graphdef.ops.math_ops import sigmoid, tanh  # noqa: F401 - tf.nn.sigmoid / tf.nn.tanh
from graphdef.ops.op_def import _scope, apply_op, convert


def relu(features: Any, name: str | None = None):
    return apply_op("Relu", name, [features])


def relu6(features: Any, name: str | None = None):
    with _scope(name, "Relu6", [features]) as scope:
        features = convert(features, name="features")
        return apply_op("Relu6", scope, [features])


def elu(features: Any, name: str | None = None):
    return apply_op("Elu", name, [features])


def selu(features: Any, name: str | None = None):
    return apply_op("Selu", name, [features])


def softplus(features: Any, name: str | None = None):
    return apply_op("Softplus", name, [features])


def softsign(features: Any, name: str | None = None):
    return apply_op("Softsign", name, [features])


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None):
    with _scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert(features, name="features")
        if features.dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return apply_op("LeakyRelu", scope, [features], {"alpha": alpha})


def _swap_axis(x: Any, dim_index: int, last_index: Any, name: str | None = None):
    return transpose(x, concat([math_ops.range(dim_index), [last_index],
                                math_ops.range(dim_index + 1, last_index), [dim_index]], 0),
                     name=name)


def _wrap_2d_function(inputs: Any, op_type: str, dim: int = -1, name: str | None = None):
    inputs = convert(inputs)
    shape = inputs.shape
    ndims = shape.rank
    if dim == -1 or (ndims is not None and dim == ndims - 1):
        return apply_op(op_type, name, [inputs])
    if ndims is not None and not -ndims <= dim < ndims:
        from graphdef.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, f"`dim` must be in the range [{-ndims}, {ndims})"
                                   f" where {ndims} is the number of dimensions in the input. "
                                   f"Received: dim={dim}")
    rank_t = rank(inputs)
    if dim < 0:
        dim += rank_t
    input_rank = rank(inputs)
    dim_axis = dim % ndims
    inputs = _swap_axis(inputs, dim_axis, math_ops.subtract(input_rank, 1))
    output = apply_op(op_type, None, [inputs])
    output = _swap_axis(output, dim_axis, math_ops.subtract(input_rank, 1), name=name)
    output.set_shape(shape)
    return output


def softmax(logits: Any, axis: int | None = None, name: str | None = None, dim: int | None = None):
    axis = dim if axis is None else axis
    if axis is None:
        axis = -1
    return _wrap_2d_function(logits, "Softmax", axis, name)


def log_softmax(logits: Any, axis: int | None = None, name: str | None = None,
                dim: int | None = None):
    axis = dim if axis is None else axis
    if axis is None:
        axis = -1
    return _wrap_2d_function(logits, "LogSoftmax", axis, name)


def bias_add(value: Any, bias: Any, data_format: str | None = None, name: str | None = None):
    with _scope(name, "BiasAdd", [value, bias]) as scope:
        if data_format is not None:
            if data_format.startswith("NC"):
                data_format = "NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                data_format = "NHWC"
            else:
                raise ValueError("`data_format` must be of the form `N...C` or `NC...`. "
                                 f"Received: data_format={data_format}")
        value = convert(value, name="input")
        bias = convert(bias, dtype=value.dtype, name="bias")
        attrs = {} if data_format is None else {"data_format": data_format}
        return apply_op("BiasAdd", scope, [value, bias], attrs)


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None,
                 dim: Any = None):
    """``x * rsqrt(max(sum(x**2, axis, keepdims), epsilon))`` in scope ``l2_normalize``."""
    axis = dim if axis is None else axis
    with _scope(name, "l2_normalize", [x]) as scope:
        x = convert(x, name="x")
        if x.dtype.is_complex:
            square_real = math_ops.square(math_ops.real(x))
            square_imag = math_ops.square(math_ops.imag(x))
            square_sum = math_ops.real(
                math_ops.reduce_sum(square_real + square_imag, axis, keepdims=True))
            x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
            norm_real = math_ops.multiply(math_ops.real(x), x_inv_norm)
            norm_imag = math_ops.multiply(math_ops.imag(x), x_inv_norm)
            return math_ops.complex(norm_real, norm_imag, name=scope)
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def _get_sequence(value: Any, n: int, channel_index: int, name: str) -> list[int]:
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: "
                         f"{name}={value} of length {len(value)}")
    if channel_index == 1:
        return [1, 1] + value
    return [1] + value + [1]


def _padding(padding: Any):
    if isinstance(padding, (list, tuple)):
        flat = [int(v) for pair in padding for v in pair]
        return "EXPLICIT", flat
    if padding not in ("SAME", "VALID", "EXPLICIT"):
        raise ValueError(f"`padding` must be one of SAME, VALID or EXPLICIT, got {padding!r}")
    return padding, []


def conv2d(input: Any, filter: Any = None, strides: Any = None, padding: Any = None,  # noqa: A002
           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC", dilations: Any = None,
           name: str | None = None, filters: Any = None):
    filter = filters if filter is None else filter
    padding, explicit = _padding(padding)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    strides = _get_sequence(strides, 2, channel_index, "strides")
    dilations = _get_sequence(dilations or [1, 1, 1, 1], 2, channel_index, "dilations")
    return apply_op("Conv2D", name, [input, filter],
                    {"strides": strides, "padding": padding, "use_cudnn_on_gpu": use_cudnn_on_gpu,
                     "explicit_paddings": explicit, "data_format": data_format,
                     "dilations": dilations})


def _pool_attrs(ksize: Any, strides: Any, padding: Any, data_format: str | None) -> dict:
    """MaxPool/AvgPool attrs as TF1's nn_ops writes them (4-element ksize and strides)."""
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    return {"ksize": _get_sequence(ksize, 2, channel_index, "ksize"),
            "strides": _get_sequence(strides, 2, channel_index, "strides"),
            "padding": padding, "data_format": data_format}


def max_pool(value: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",
             name: str | None = None, input: Any = None):  # noqa: A002
    value = input if value is None else value
    with _scope(name, "MaxPool", [value]) as scope:
        attrs = _pool_attrs(ksize, strides, padding, data_format)
        if any(v == 0 for v in attrs["ksize"]):
            raise ValueError(f"`ksize` cannot be zero. Received: ksize={attrs['ksize']}")
        return apply_op("MaxPool", scope, [value], attrs)


def avg_pool(value: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",
             name: str | None = None, input: Any = None):  # noqa: A002
    value = input if value is None else value
    with _scope(name, "AvgPool", [value]) as scope:
        attrs = _pool_attrs(ksize, strides, padding, data_format)
        value = convert(value, name="input")
        return apply_op("AvgPool", scope, [value], attrs)


__all__ = ["relu", "relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "sigmoid",
           "tanh", "softmax", "log_softmax", "bias_add", "l2_normalize", "conv2d", "max_pool",
           "avg_pool"]
