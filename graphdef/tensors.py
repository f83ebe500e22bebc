"""TensorProto ⇄ numpy ndarray, with TensorFlow's encoding rules.

``to_ndarray`` decodes exactly as TF's ``tensor_util.MakeNdarray``: ``tensor_content``
if present, else the typed ``*_val`` field; no values means zeros; fewer values than
the shape holds repeat the last one. ``make_tensor_proto`` encodes exactly as TF's
``make_tensor_proto``: arrays of more than one element of the "content" types go in
``tensor_content``, everything else (scalars, splats, bool, uint16, strings,
complex) in the ``*_val`` fields. The builder, interpreter, diff and dedupe share it.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from graphdef import dtypes
from graphdef._proto import tensor_pb2, tensor_shape_pb2, types_pb2

TensorProto = tensor_pb2.TensorProto
TensorShapeProto = tensor_shape_pb2.TensorShapeProto

# dtypes TF stores as raw bytes when the array has more than one element.
_CONTENT_TYPES = frozenset({
    types_pb2.DT_HALF, types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE, types_pb2.DT_INT32,
    types_pb2.DT_UINT8, types_pb2.DT_INT16, types_pb2.DT_INT8, types_pb2.DT_INT64,
    types_pb2.DT_QINT8, types_pb2.DT_QUINT8, types_pb2.DT_QINT16, types_pb2.DT_QUINT16,
    types_pb2.DT_QINT32, types_pb2.DT_UINT32, types_pb2.DT_UINT64, types_pb2.DT_BFLOAT16,
})

# enum -> name of the repeated field holding its values
_VAL_FIELD = {
    types_pb2.DT_FLOAT: "float_val", types_pb2.DT_DOUBLE: "double_val",
    types_pb2.DT_INT32: "int_val", types_pb2.DT_INT16: "int_val", types_pb2.DT_INT8: "int_val",
    types_pb2.DT_UINT8: "int_val", types_pb2.DT_UINT16: "int_val", types_pb2.DT_QINT8: "int_val",
    types_pb2.DT_QUINT8: "int_val", types_pb2.DT_QINT16: "int_val", types_pb2.DT_QUINT16: "int_val",
    types_pb2.DT_QINT32: "int_val", types_pb2.DT_INT64: "int64_val", types_pb2.DT_BOOL: "bool_val",
    types_pb2.DT_STRING: "string_val", types_pb2.DT_COMPLEX64: "scomplex_val",
    types_pb2.DT_COMPLEX128: "dcomplex_val", types_pb2.DT_HALF: "half_val",
    types_pb2.DT_BFLOAT16: "half_val", types_pb2.DT_UINT32: "uint32_val",
    types_pb2.DT_UINT64: "uint64_val", types_pb2.DT_RESOURCE: "resource_handle_val",
    types_pb2.DT_VARIANT: "variant_val",
}


# --------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------

def shape_to_list(shape: TensorShapeProto) -> list[int] | None:
    """Dims of a TensorShapeProto (-1 for unknown), or None for unknown rank."""
    if shape.unknown_rank:
        return None
    return [d.size for d in shape.dim]


def make_shape_proto(dims: Sequence[int | None] | None) -> TensorShapeProto:
    """TensorShapeProto for a list of dims (None/-1 unknown), or None for unknown rank."""
    p = TensorShapeProto()
    if dims is None:
        p.unknown_rank = True
        return p
    for d in dims:
        p.dim.add().size = -1 if d is None else int(d)
    return p


# --------------------------------------------------------------------------
# decode
# --------------------------------------------------------------------------

def _bf16_to_float32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def to_ndarray(tensor: TensorProto) -> np.ndarray:
    """Decode a TensorProto into a new numpy array (TF's ``MakeNdarray``).

    Strings decode to an object array of ``bytes``. bfloat16 decodes to
    ``ml_dtypes.bfloat16`` where installed, else to float32.
    """
    shape = [d.size for d in tensor.tensor_shape.dim]
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    dt = tensor.dtype
    if dt > 100:
        dt -= 100
    dtype = dtypes.as_dtype(dt)
    if dt == types_pb2.DT_BFLOAT16 and dtypes._ml is None:
        if tensor.tensor_content:
            bits = np.frombuffer(tensor.tensor_content, dtype=np.uint16)
        else:
            bits = np.asarray(tensor.half_val, dtype=np.uint16)
        vals = _bf16_to_float32(bits)
        return _fill(vals, n, np.float32).reshape(shape)
    if dt in (types_pb2.DT_RESOURCE, types_pb2.DT_VARIANT):
        vals = np.empty(0, dtype=object)
        src = tensor.resource_handle_val if dt == types_pb2.DT_RESOURCE else tensor.variant_val
        if len(src):
            vals = np.empty(len(src), dtype=object)
            for i, v in enumerate(src):
                vals[i] = v
        return _fill(vals, n, object).reshape(shape)
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    if tensor.tensor_content:
        if dt == types_pb2.DT_STRING:
            raise ValueError("string tensors cannot use tensor_content")
        arr = np.frombuffer(tensor.tensor_content, dtype=np_dtype.newbyteorder("<"))
        if arr.size != n:
            raise ValueError(f"tensor_content holds {arr.size} values, shape {shape} needs {n}")
        return arr.astype(np_dtype).reshape(shape)  # astype copies: a writable, native array
    field = _VAL_FIELD.get(dt)
    if field is None:
        raise TypeError(f"cannot decode tensors of type {dtypes.enum_name(dt)}")
    raw = getattr(tensor, field)
    if dt == types_pb2.DT_STRING:
        vals = np.empty(len(raw), dtype=object)
        vals[:] = list(raw)
        if n and not len(raw):
            vals = np.array([b""], dtype=object)
            return np.full(n, b"", dtype=object).reshape(shape)
    elif dt in (types_pb2.DT_HALF, types_pb2.DT_BFLOAT16):
        vals = np.asarray(raw, dtype=np.uint16).view(np_dtype)
    elif dt in (types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128):
        part = np.float32 if dt == types_pb2.DT_COMPLEX64 else np.float64
        flat = np.asarray(raw, dtype=part)
        vals = (flat[0::2] + 1j * flat[1::2]).astype(np_dtype)
    else:
        vals = np.asarray(raw, dtype=np_dtype)
    return _fill(vals, n, np_dtype).reshape(shape)


def _fill(vals: np.ndarray, n: int, np_dtype: Any) -> np.ndarray:
    if vals.size == n:
        return vals.copy() if vals.base is not None else vals
    if vals.size == 0:
        return np.zeros(n, dtype=np_dtype)
    if vals.size > n:
        raise ValueError(f"tensor holds {vals.size} values but its shape has {n} elements")
    out = np.empty(n, dtype=vals.dtype)
    out[: vals.size] = vals
    out[vals.size:] = vals[-1]
    return out


# --------------------------------------------------------------------------
# encode
# --------------------------------------------------------------------------

def _infer_numpy(values: Any) -> np.ndarray:
    """numpy array for Python values with TF's default dtypes (float32, int32/int64)."""
    if isinstance(values, np.ndarray):
        return values
    if isinstance(values, (np.generic,)):
        return np.asarray(values)
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in "iu":
        if arr.size and (arr.min() < -2**31 or arr.max() >= 2**31):
            return arr.astype(np.int64)
        return arr.astype(np.int32)
    if kind == "c":
        return arr.astype(np.complex128)
    if kind in "USO":
        return _strings_array(values)
    return arr


def _as_bytes(x: Any) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, np.bytes_):
        return bytes(x)
    if isinstance(x, np.str_):
        return str(x).encode("utf-8")
    raise TypeError(f"Failed to convert elements of {x!r} to Tensor. Expected bytes or str")


def _strings_array(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    flat = arr.reshape(-1)
    out = np.empty(flat.size, dtype=object)
    for i, v in enumerate(flat):
        out[i] = _as_bytes(v)
    return out.reshape(arr.shape)


def make_tensor_proto(values: Any, dtype: Any = None, shape: Sequence[int] | None = None,
                      verify_shape: bool = False, allow_broadcast: bool = False) -> TensorProto:
    """Encode values as TF's ``tensor_util.make_tensor_proto`` does (see module doc)."""
    if isinstance(values, TensorProto):
        return values
    want = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
    if want is not None and want == dtypes.string:
        nparray = _strings_array(values)
    elif want is not None:
        src = values if isinstance(values, np.ndarray) else np.asarray(values)
        if src.dtype.kind in "USO" and want != dtypes.string:
            raise TypeError(f"Expected {want.name}, but got {values!r} of type 'str'.")
        np_t = np.dtype(want.as_numpy_dtype)
        if src.dtype.kind == "f" and np_t.kind in "iub" and src.size and \
                not np.all(np.isfinite(src) & (src == np.trunc(src))):
            raise TypeError(f"Expected {want.name}, but got {values!r} of type 'float'.")
        if np_t.kind in "iu" and src.dtype.kind in "iu" and src.size:
            info = np.iinfo(np_t)
            if src.min() < info.min or src.max() > info.max:
                raise TypeError(f"Value out of range for {want.name}: {values!r}")
        nparray = src.astype(np_t)
    else:
        nparray = _infer_numpy(values)
        want = dtypes.as_dtype(nparray.dtype)
    enum = want.as_datatype_enum

    if shape is None:
        shape = list(nparray.shape)
        is_same_size = True
        shape_size = nparray.size
    else:
        shape = [int(d) for d in shape]
        shape_size = int(np.prod(shape, dtype=np.int64))
        is_same_size = shape_size == nparray.size
        if allow_broadcast:
            if nparray.shape not in ((1,), ()) and nparray.size != shape_size:
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {nparray.shape}.")
        else:
            if verify_shape and nparray.shape != tuple(shape):
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {nparray.shape}.")
            if nparray.size > shape_size:
                raise ValueError(f"Too many elements provided. Takes at most {shape_size},"
                                 f" but got {nparray.size}.")

    proto = TensorProto(dtype=enum, tensor_shape=make_shape_proto(shape))
    if is_same_size and enum in _CONTENT_TYPES and shape_size > 1:
        proto.tensor_content = np.ascontiguousarray(nparray).astype(
            nparray.dtype.newbyteorder("<"), copy=False).tobytes()
        return proto
    flat = nparray.reshape(-1)
    field = _VAL_FIELD[enum]
    if enum == types_pb2.DT_STRING:
        proto.string_val.extend(_as_bytes(v) for v in flat)
    elif enum in (types_pb2.DT_HALF, types_pb2.DT_BFLOAT16):
        proto.half_val.extend(flat.view(np.uint16).tolist())
    elif enum in (types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128):
        inter = np.empty(flat.size * 2, dtype=flat.real.dtype)
        inter[0::2] = flat.real
        inter[1::2] = flat.imag
        getattr(proto, field).extend(inter.tolist())
    else:
        getattr(proto, field).extend(flat.tolist())
    return proto


def tensor_equal(a: TensorProto, b: TensorProto) -> bool:
    """True when two TensorProtos hold the same dtype, shape and values, whatever their
    encoding (``tensor_content`` vs ``*_val`` vs one broadcast value). NaNs equal NaNs."""
    if a.dtype != b.dtype or shape_to_list(a.tensor_shape) != shape_to_list(b.tensor_shape):
        return False
    if a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True):
        return True
    try:
        x, y = to_ndarray(a), to_ndarray(b)
    except (TypeError, ValueError):
        return False
    if x.dtype == object or y.dtype == object:
        return x.shape == y.shape and all(p == q for p, q in zip(x.reshape(-1), y.reshape(-1)))
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")


def canonical_bytes(tensor: TensorProto) -> bytes:
    """A byte string equal for equal tensors whatever their encoding (hash key for diff/dedupe)."""
    try:
        arr = to_ndarray(tensor)
    except (TypeError, ValueError):
        return tensor.SerializeToString(deterministic=True)
    head = f"{tensor.dtype}:{shape_to_list(tensor.tensor_shape)}:".encode()
    if arr.dtype == object:
        return head + b"\0".join(repr(v).encode() for v in arr.reshape(-1))
    return head + np.ascontiguousarray(arr).tobytes()


def iter_shape(dims: Iterable[int]) -> tuple[int, ...]:
    return tuple(int(d) for d in dims)


__all__ = ["to_ndarray", "make_tensor_proto", "tensor_equal", "canonical_bytes",
           "shape_to_list", "make_shape_proto"]
