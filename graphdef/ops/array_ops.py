"""TF1 array functions (``tf.reshape``, ``tf.concat``, ``tf.zeros``, slicing...), emitting the
nodes TensorFlow 2.x's ``tf.compat.v1`` emits.

Static shapes fold as in TensorFlow: ``tf.shape/size/rank`` of a fully known shape are
Consts, ``tf.zeros`` of a small known shape is a Const (a ``Fill`` above 1000 elements).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.ops.op_def import _fw, _is_tensor, _scope, apply_op, convert
from graphdef.ops.shapes import constant_value

newaxis = None


def _constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const"):
    return _fw().constant(value, dtype=dtype, shape=shape, name=name)


def identity(input: Any, name: str | None = None):  # noqa: A002
    """The framework's ``tf.identity`` (one implementation for the whole package)."""
    from graphdef.framework.control_ops import identity as _identity
    return _identity(input, name=name)


def stop_gradient(input: Any, name: str | None = None):  # noqa: A002
    return apply_op("StopGradient", name, [input])


# -- shapes ----------------------------------------------------------------------------------

def _shape_as_tensor(dims: list, dtype: Any = None, name: str | None = None):
    """TF's ``_tensor_shape_tensor_conversion_function``: a fully known shape as a Const
    (int64 only if a dimension needs it), named ``shape_as_tensor`` by default."""
    if dtype is None:
        dtype = dtypes.int64 if any(d >= 2 ** 31 for d in dims) else dtypes.int32
    return _constant(list(dims), dtype=dtype, name=name or "shape_as_tensor")


def _shape_internal(input: Any, name: str | None = None, optimize: bool = True,  # noqa: A002
                    out_type: Any = None):
    with _scope(name, "Shape", [input]) as scope:
        input = convert(input)
        s = input.shape
        if optimize and s.is_fully_defined():
            if out_type is None:
                return _shape_as_tensor(s.as_list())
            return _constant(s.as_list(), dtype=out_type, name=scope)
        return apply_op("Shape", scope, [input], {"out_type": out_type or dtypes.int32})


def shape(input: Any, name: str | None = None, out_type: Any = dtypes.int32):  # noqa: A002
    """``tf.shape``: a Const named ``Shape`` when the static shape is fully known."""
    return _shape_internal(input, name, optimize=True, out_type=out_type)


def size(input: Any, name: str | None = None, out_type: Any = dtypes.int32):  # noqa: A002
    with _scope(name, "Size", [input]) as scope:
        input = convert(input)
        s = input.shape
        if s.is_fully_defined():
            return _constant(s.num_elements(), dtype=out_type, name=scope)
        if s.rank is not None and any(d == 0 for d in s.as_list()):
            return _constant(0, dtype=out_type, name=scope)
        return apply_op("Size", scope, [input], {"out_type": out_type})


def rank(input: Any, name: str | None = None):  # noqa: A002
    with _scope(name, "Rank", [input]) as scope:
        input = convert(input)
        r = input.shape.rank
        if r is not None:
            return _constant(r, dtype=dtypes.int32, name=scope)
        return apply_op("Rank", scope, [input])


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any):
    return apply_op("BroadcastArgs", None, [shape_x, shape_y])


def broadcast_to(input: Any, shape: Any, name: str | None = None):  # noqa: A002
    return apply_op("BroadcastTo", name, [input, shape])


# -- reshaping -------------------------------------------------------------------------------

def reshape(tensor: Any, shape: Any, name: str | None = None):
    return apply_op("Reshape", name, [tensor, shape])


def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False):
    """``tf.transpose``: without ``perm``, a reversed ``transpose/perm`` Const (rank known)."""
    with _scope(name, "transpose", [a]) as scope:
        if not _is_tensor(a):
            a = convert(a, name="a")
        op_type = "ConjugateTranspose" if conjugate and a.dtype.is_complex else "Transpose"
        if perm is None:
            r = a.shape.rank
            if r is None:
                from graphdef.ops.math_ops import range as range_
                rk = rank(a)
                perm = (rk - 1) - range_(0, rk, 1)
            else:
                perm = np.arange(r - 1, -1, -1, dtype=np.int32)
        return apply_op(op_type, scope, [a, perm])


def expand_dims(input: Any, axis: Any = None, name: str | None = None, dim: Any = None):  # noqa: A002
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return apply_op("ExpandDims", name, [input, axis])


def squeeze(input: Any, axis: Any = None, name: str | None = None, squeeze_dims: Any = None):  # noqa: A002
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'.")
    axis = squeeze_dims if axis is None else axis
    if np.isscalar(axis):
        axis = [axis]
    return apply_op("Squeeze", name, [input], {"squeeze_dims": list(axis or [])})


def tile(input: Any, multiples: Any, name: str | None = None):  # noqa: A002
    return apply_op("Tile", name, [input, multiples])


def reverse(tensor: Any, axis: Any, name: str | None = None):
    return apply_op("ReverseV2", name, [tensor, axis])


reverse_v2 = reverse


# -- concat / stack / split ------------------------------------------------------------------

def concat(values: Any, axis: Any, name: str = "concat"):
    """``ConcatV2``; a single tensor becomes an ``Identity`` (after a throwaway
    ``concat_dim`` Const), as in TensorFlow."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with _fw().name_scope(name) as scope:
            dim = convert(axis, name="concat_dim", dtype=dtypes.int32)
            if dim.shape.rank not in (None, 0):
                raise ValueError(f"Shape {dim.shape} must have rank 0")
            del scope
            return identity(values[0], name=name)
    return apply_op("ConcatV2", name, [list(values), axis])


def stack(values: Any, axis: int = 0, name: str = "stack"):
    """``Pack``; a list of Python numbers (axis 0) becomes one Const named ``stack``."""
    if axis == 0:
        try:
            return convert(values, name=name)
        except (TypeError, ValueError, NotImplementedError):
            pass
    first = convert(values[0], name=name)
    r = first.shape.rank
    if r is not None:
        expanded = r + 1
        if axis < -expanded or axis >= expanded:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-expanded}, {expanded})")
    return apply_op("Pack", name, [list(values)], {"axis": axis})


def parallel_stack(values: Any, name: str = "parallel_stack"):
    return stack(values, 0, name)


def unstack(value: Any, num: int | None = None, axis: int = 0, name: str = "unstack"):
    if num is None:
        value = convert(value)
        d = value.shape
        if d.rank is not None:
            if axis < -d.rank or axis >= d.rank:
                raise ValueError(f"Argument `axis` = {axis} not in range [{-d.rank}, {d.rank})")
            num = d.as_list()[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {d}")
    return apply_op("Unpack", name, [value], {"num": num, "axis": axis})


def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: int | None = None,
          name: str = "split"):
    """``Split`` for a count, ``SplitV`` for sizes (the sizes Const is made outside the
    op's scope, as TensorFlow does)."""
    if isinstance(num_or_size_splits, (numbers.Integral,)) and not isinstance(
            num_or_size_splits, bool):
        return apply_op("Split", name, [axis, value], {"num_split": int(num_or_size_splits)})
    fw = _fw()
    if isinstance(num_or_size_splits, fw.Dimension):
        return apply_op("Split", name, [axis, value], {"num_split": int(num_or_size_splits)})
    size_splits = convert(num_or_size_splits)
    if size_splits.shape.rank == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {num_or_size_splits}")
    if num is None:
        d = size_splits.shape
        if d.rank:
            num = d.as_list()[0]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    return apply_op("SplitV", name, [value, size_splits, axis], {"num_split": num})


# -- slicing / gathering ---------------------------------------------------------------------

def slice(input_: Any, begin: Any, size: Any, name: str | None = None):  # noqa: A001
    return apply_op("Slice", name, [input_, begin, size])


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, var: Any = None, name: str | None = None):
    if strides is None:
        strides = ones_like(begin)
    return apply_op("StridedSlice", name, [input_, begin, end, strides],
                    {"begin_mask": begin_mask, "end_mask": end_mask,
                     "ellipsis_mask": ellipsis_mask, "new_axis_mask": new_axis_mask,
                     "shrink_axis_mask": shrink_axis_mask})


def _check_index(idx: Any) -> None:
    if isinstance(idx, (numbers.Integral, np.integer)) and not isinstance(idx, bool):
        return
    if _is_tensor(idx):
        if idx.dtype.base_dtype in (dtypes.int16, dtypes.int32, dtypes.int64):
            return
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                        f"and scalar tf.int32/tf.int64 tensors are valid indices, got {idx!r}")
    raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                    f"scalar tf.int32/tf.int64 tensors are valid indices, got {idx!r}")


def _slice_helper(tensor: Any, slice_spec: Any, var: Any = None):
    """``tensor[slice_spec]`` as TensorFlow builds it: one ``StridedSlice`` with masks; a
    tensor index ``i`` adds ``i + 1`` (an ``add`` node) and packs begin/end/strides."""
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    index = 0
    new_axis_mask = shrink_axis_mask = 0
    begin_mask = end_mask = ellipsis_mask = 0
    import builtins
    for s in slice_spec:
        if isinstance(s, builtins.slice):
            dtype = None
            for t in (s.start, s.stop, s.step):
                if t is None or not _is_tensor(t):
                    continue
                if t.dtype == dtypes.int64:
                    dtype = dtypes.int64
                elif t.dtype == dtypes.int32 and dtype != dtypes.int64:
                    dtype = dtypes.int32
                elif t.dtype == dtypes.int16 and dtype is None:
                    dtype = dtypes.int16
            if s.start is not None:
                _check_index(s.start)
                begin.append(s.start)
            else:
                begin.append(_constant(0, dtype=dtype) if dtype is not None else 0)
                begin_mask |= 1 << index
            if s.stop is not None:
                _check_index(s.stop)
                end.append(s.stop)
            else:
                end.append(_constant(0, dtype=dtype) if dtype is not None else 0)
                end_mask |= 1 << index
            if s.step is not None:
                _check_index(s.step)
                strides.append(s.step)
            else:
                strides.append(_constant(1, dtype=dtype) if dtype is not None else 1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            shrink_axis_mask |= 1 << index
        index += 1
    with _scope(None, "strided_slice", [tensor] + begin + end + strides) as name:
        if begin:
            packed_begin, packed_end, packed_strides = stack(begin), stack(end), stack(strides)
            if (packed_begin.dtype == dtypes.int64 or packed_end.dtype == dtypes.int64
                    or packed_strides.dtype == dtypes.int64):
                from graphdef.ops.math_ops import cast
                if packed_begin.dtype != dtypes.int64:
                    packed_begin = cast(packed_begin, dtypes.int64)
                if packed_end.dtype != dtypes.int64:
                    packed_end = cast(packed_end, dtypes.int64)
                if packed_strides.dtype != dtypes.int64:
                    packed_strides = cast(packed_strides, dtypes.int64)
        else:
            var = None
            empty = _constant([], dtype=dtypes.int32)
            packed_begin = packed_end = packed_strides = empty
        return strided_slice(tensor, packed_begin, packed_end, packed_strides,
                             begin_mask=begin_mask, end_mask=end_mask,
                             shrink_axis_mask=shrink_axis_mask, new_axis_mask=new_axis_mask,
                             ellipsis_mask=ellipsis_mask, var=var, name=name)


def gather(params: Any, indices: Any, validate_indices: Any = None, name: str | None = None,
           axis: Any = None, batch_dims: int = 0):
    """``GatherV2`` (``GatherV2/indices``, ``GatherV2/axis`` Consts for Python values)."""
    if axis is None:
        axis = batch_dims
    return apply_op("GatherV2", name, [params, indices, axis], {"batch_dims": batch_dims})


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None,
            axis: Any = None, dtype: Any = None, name: str | None = None):
    with _scope(name, "one_hot", [indices, depth, on_value, off_value, axis, dtype]) as scope:
        dt = dtypes.as_dtype(dtype) if dtype is not None else (
            on_value.dtype if _is_tensor(on_value) else (
                off_value.dtype if _is_tensor(off_value) else dtypes.float32))
        on_value = convert(1 if on_value is None else on_value, dtype=dt, name="on_value")
        off_value = convert(0 if off_value is None else off_value, dtype=dt, name="off_value")
        return apply_op("OneHot", scope, [indices, depth, on_value, off_value],
                        {"axis": -1 if axis is None else axis})


# -- where / select --------------------------------------------------------------------------

def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None):
    """v1 ``tf.where``: ``Where`` (coordinates) with one argument, ``Select`` with three."""
    if x is None and y is None:
        with _scope(name, "Where", [condition]) as scope:
            condition = convert(condition, preferred_dtype=dtypes.bool, name="condition")
            return apply_op("Where", scope, [condition])
    if x is not None and y is not None:
        return apply_op("Select", name, [condition, x, y])
    raise ValueError("x and y must both be non-None or both be None.")


def where_v2(condition: Any, x: Any = None, y: Any = None, name: str | None = None):
    """``tf.where_v2``: ``SelectV2`` (broadcasting), or ``Where`` with one argument."""
    if x is None and y is None:
        with _scope(name, "Where", [condition]) as scope:
            condition = convert(condition, preferred_dtype=dtypes.bool, name="condition")
            return apply_op("Where", scope, [condition])
    if x is not None and y is not None:
        return apply_op("SelectV2", name, [condition, x, y])
    raise ValueError("x and y must both be non-None or both be None.")


# -- fill / zeros / ones ---------------------------------------------------------------------

def fill(dims: Any, value: Any, name: str | None = None):
    return apply_op("Fill", name, [dims, value])


def _static_dims(shape: Any) -> list | None:
    """A shape argument as a list of ints, if it holds no tensors."""
    fw = _fw()
    if _is_tensor(shape):
        return None
    if isinstance(shape, fw.TensorShape):
        return shape.as_list() if shape.is_fully_defined() else None
    if isinstance(shape, (list, tuple)):
        out = []
        for d in shape:
            if _is_tensor(d):
                return None
            if isinstance(d, fw.Dimension):
                d = d.value
            if d is None:
                return None
            out.append(int(d))
        return out
    if isinstance(shape, (numbers.Integral, np.integer)):
        return [int(shape)]
    if isinstance(shape, np.ndarray):
        return [int(v) for v in shape.reshape(-1)]
    return None


def _filled(value_fn, default_name: str, shape: Any, dtype: Any, name: str | None):
    dtype = dtypes.as_dtype(dtype).base_dtype
    with _scope(name, default_name, [shape]) as scope:
        if dtype == dtypes.bool:
            v = value_fn(False, True)
        elif dtype == dtypes.string:
            v = value_fn("", "1")
        else:
            v = value_fn(0, 1)
        if not _is_tensor(shape):
            dims = _static_dims(shape)
            if dims is not None:
                if int(np.prod(dims, dtype=np.int64)) < 1000:
                    return _constant(v, shape=dims, dtype=dtype, name=scope)
                shape = _shape_as_tensor(dims)
            else:
                shape = convert(shape, dtype=dtypes.int32)
        if shape.shape.rank in (0, None):
            shape = reshape(shape, [-1])  # ensure it's a vector
        return fill(shape, _constant(v, dtype=dtype), name=scope)


def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None):
    """``tf.zeros``: a Const ``zeros`` below 1000 elements, else ``Fill`` with
    ``shape_as_tensor`` and ``Const``."""
    return _filled(lambda zero, one: zero, "zeros", shape, dtype, name)


def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None):
    return _filled(lambda zero, one: one, "ones", shape, dtype, name)


def zeros_like(tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True):
    """A Const when the static shape is known, else ``ZerosLike`` (or Shape+Fill for a new
    dtype)."""
    with _scope(name, "zeros_like", [tensor]) as scope:
        tensor = convert(tensor, name="tensor")
        if optimize and tensor.shape.is_fully_defined() and tensor.dtype != dtypes.variant:
            return zeros(tensor.shape.as_list(), dtype=dtype or tensor.dtype, name=scope)
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
            return zeros(_shape_internal(tensor, optimize=optimize), dtype=dtype, name=scope)
        return apply_op("ZerosLike", scope, [tensor])


def ones_like(tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True):
    """Always a ``Fill`` over the (possibly folded) shape, as TensorFlow does."""
    with _scope(name, "ones_like", [tensor]) as scope:
        tensor = convert(tensor, name="tensor")
        ones_shape = _shape_internal(tensor, optimize=optimize)
        if dtype is None:
            dtype = tensor.dtype
        ret = ones(ones_shape, dtype=dtype, name=scope)
        ret.set_shape(tensor.shape)
        return ret


def _convert_to_int_tensor(tensor: Any, name: str, dtype: Any = dtypes.int32):
    tensor = convert(tensor, name=name, preferred_dtype=dtype)
    if tensor.dtype.is_integer:
        return apply_op("Cast", None, [tensor], {"DstT": dtype})
    raise TypeError(f"{name} must be an integer tensor; dtype={tensor.dtype.name}")


_ = constant_value
