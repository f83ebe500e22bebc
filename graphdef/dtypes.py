"""DType objects (as ``tf.DType``) ⇄ the ``DataType`` enum ⇄ numpy dtypes.

The one place that knows how TensorFlow's type enum maps to numpy, used by the
builder, the tensor codec, the interpreter and the CLI reports.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from graphdef._proto import types_pb2

try:  # bfloat16 and float8 have no numpy type of their own; ml_dtypes (optional) supplies them.
    import ml_dtypes as _ml
except ImportError:  # pragma: no cover - depends on the environment
    _ml = None

_REF_OFFSET = 100

# enum value -> (name, numpy dtype or None)
_NP: dict[int, Any] = {
    types_pb2.DT_FLOAT: np.float32,
    types_pb2.DT_DOUBLE: np.float64,
    types_pb2.DT_INT32: np.int32,
    types_pb2.DT_UINT8: np.uint8,
    types_pb2.DT_INT16: np.int16,
    types_pb2.DT_INT8: np.int8,
    types_pb2.DT_STRING: np.object_,
    types_pb2.DT_COMPLEX64: np.complex64,
    types_pb2.DT_INT64: np.int64,
    types_pb2.DT_BOOL: np.bool_,
    types_pb2.DT_QINT8: np.int8,
    types_pb2.DT_QUINT8: np.uint8,
    types_pb2.DT_QINT32: np.int32,
    types_pb2.DT_QINT16: np.int16,
    types_pb2.DT_QUINT16: np.uint16,
    types_pb2.DT_UINT16: np.uint16,
    types_pb2.DT_COMPLEX128: np.complex128,
    types_pb2.DT_HALF: np.float16,
    types_pb2.DT_RESOURCE: np.object_,
    types_pb2.DT_VARIANT: np.object_,
    types_pb2.DT_UINT32: np.uint32,
    types_pb2.DT_UINT64: np.uint64,
}
if _ml is not None:
    _NP[types_pb2.DT_BFLOAT16] = _ml.bfloat16
    _NP[types_pb2.DT_FLOAT8_E5M2] = _ml.float8_e5m2
    _NP[types_pb2.DT_FLOAT8_E4M3FN] = _ml.float8_e4m3fn

# TF's short names (DType.name): "float32", "int32", "string", ...
_NAMES: dict[int, str] = {
    types_pb2.DT_INVALID: "invalid",
    types_pb2.DT_FLOAT: "float32", types_pb2.DT_DOUBLE: "float64",
    types_pb2.DT_INT32: "int32", types_pb2.DT_UINT8: "uint8", types_pb2.DT_INT16: "int16",
    types_pb2.DT_INT8: "int8", types_pb2.DT_STRING: "string", types_pb2.DT_COMPLEX64: "complex64",
    types_pb2.DT_INT64: "int64", types_pb2.DT_BOOL: "bool", types_pb2.DT_QINT8: "qint8",
    types_pb2.DT_QUINT8: "quint8", types_pb2.DT_QINT32: "qint32", types_pb2.DT_BFLOAT16: "bfloat16",
    types_pb2.DT_QINT16: "qint16", types_pb2.DT_QUINT16: "quint16", types_pb2.DT_UINT16: "uint16",
    types_pb2.DT_COMPLEX128: "complex128", types_pb2.DT_HALF: "float16",
    types_pb2.DT_RESOURCE: "resource", types_pb2.DT_VARIANT: "variant",
    types_pb2.DT_UINT32: "uint32", types_pb2.DT_UINT64: "uint64",
    types_pb2.DT_FLOAT8_E5M2: "float8_e5m2", types_pb2.DT_FLOAT8_E4M3FN: "float8_e4m3fn",
    types_pb2.DT_FLOAT8_E4M3FNUZ: "float8_e4m3fnuz", types_pb2.DT_FLOAT8_E4M3B11FNUZ: "float8_e4m3b11fnuz",
    types_pb2.DT_FLOAT8_E5M2FNUZ: "float8_e5m2fnuz", types_pb2.DT_INT4: "int4",
    types_pb2.DT_UINT4: "uint4", types_pb2.DT_INT2: "int2", types_pb2.DT_UINT2: "uint2",
    types_pb2.DT_FLOAT4_E2M1FN: "float4_e2m1fn",
}

_FLOATING = {types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE, types_pb2.DT_HALF, types_pb2.DT_BFLOAT16,
             types_pb2.DT_FLOAT8_E5M2, types_pb2.DT_FLOAT8_E4M3FN, types_pb2.DT_FLOAT8_E4M3FNUZ,
             types_pb2.DT_FLOAT8_E4M3B11FNUZ, types_pb2.DT_FLOAT8_E5M2FNUZ, types_pb2.DT_FLOAT4_E2M1FN}
_COMPLEX = {types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128}
_INTEGER = {types_pb2.DT_INT8, types_pb2.DT_INT16, types_pb2.DT_INT32, types_pb2.DT_INT64,
            types_pb2.DT_UINT8, types_pb2.DT_UINT16, types_pb2.DT_UINT32, types_pb2.DT_UINT64,
            types_pb2.DT_INT4, types_pb2.DT_UINT4, types_pb2.DT_INT2, types_pb2.DT_UINT2}
_UNSIGNED = {types_pb2.DT_UINT8, types_pb2.DT_UINT16, types_pb2.DT_UINT32, types_pb2.DT_UINT64,
             types_pb2.DT_UINT4, types_pb2.DT_UINT2, types_pb2.DT_QUINT8, types_pb2.DT_QUINT16}
_QUANTIZED = {types_pb2.DT_QINT8, types_pb2.DT_QUINT8, types_pb2.DT_QINT16,
              types_pb2.DT_QUINT16, types_pb2.DT_QINT32}


class DType:
    """A TensorFlow element type (``tf.DType``): wraps one ``DataType`` enum value."""

    __slots__ = ("_type_enum",)

    def __init__(self, type_enum: int) -> None:
        type_enum = int(type_enum)
        base = type_enum - _REF_OFFSET if type_enum > _REF_OFFSET else type_enum
        if base not in _NAMES or base == types_pb2.DT_INVALID and type_enum != 0:
            raise TypeError(f"type_enum {type_enum} is not a valid DataType")
        self._type_enum = type_enum

    # -- identity ---------------------------------------------------------
    @property
    def as_datatype_enum(self) -> int:
        return self._type_enum

    @property
    def is_ref_dtype(self) -> bool:
        return self._type_enum > _REF_OFFSET

    @property
    def base_dtype(self) -> "DType":
        return _BY_ENUM[self._type_enum - _REF_OFFSET] if self.is_ref_dtype else self

    @property
    def _as_ref(self) -> "DType":
        return self if self.is_ref_dtype else _BY_ENUM[self._type_enum + _REF_OFFSET]

    @property
    def real_dtype(self) -> "DType":
        b = self.base_dtype
        if b == complex64:
            return float32
        if b == complex128:
            return float64
        return b

    @property
    def name(self) -> str:
        base = self.base_dtype._type_enum
        return _NAMES[base] + ("_ref" if self.is_ref_dtype else "")

    @property
    def as_numpy_dtype(self) -> Any:
        t = _NP.get(self.base_dtype._type_enum)
        if t is None:
            raise TypeError(f"dtype {self.name} has no numpy equivalent here"
                            " (install ml_dtypes for bfloat16/float8)")
        return t

    # -- classification -----------------------------------------------------
    @property
    def is_floating(self) -> bool:
        return self.base_dtype._type_enum in _FLOATING

    @property
    def is_complex(self) -> bool:
        return self.base_dtype._type_enum in _COMPLEX

    @property
    def is_integer(self) -> bool:
        return self.base_dtype._type_enum in _INTEGER

    @property
    def is_unsigned(self) -> bool:
        return self.base_dtype._type_enum in _UNSIGNED

    @property
    def is_quantized(self) -> bool:
        return self.base_dtype._type_enum in _QUANTIZED

    @property
    def is_bool(self) -> bool:
        return self.base_dtype._type_enum == types_pb2.DT_BOOL

    @property
    def is_numpy_compatible(self) -> bool:
        return self.base_dtype._type_enum in _NP

    @property
    def size(self) -> int:
        b = self.base_dtype._type_enum
        if b in (types_pb2.DT_STRING, types_pb2.DT_RESOURCE, types_pb2.DT_VARIANT):
            return 1
        return np.dtype(self.as_numpy_dtype).itemsize

    @property
    def min(self) -> Any:
        t = np.dtype(self.as_numpy_dtype)
        if self.is_floating:
            return float(np.finfo(t).min)
        if self.is_integer:
            return int(np.iinfo(t).min)
        if self.is_bool:
            return False
        raise TypeError(f"cannot find minimum value of {self.name}")

    @property
    def max(self) -> Any:
        t = np.dtype(self.as_numpy_dtype)
        if self.is_floating:
            return float(np.finfo(t).max)
        if self.is_integer:
            return int(np.iinfo(t).max)
        if self.is_bool:
            return True
        raise TypeError(f"cannot find maximum value of {self.name}")

    def is_compatible_with(self, other: Any) -> bool:
        other = as_dtype(other)
        return self._type_enum in (other.base_dtype._type_enum, other._as_ref._type_enum) \
            if not self.is_ref_dtype else self._type_enum == other._type_enum or \
            self.base_dtype == other

    # -- dunder -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self._type_enum == other._type_enum
        if other is None:
            return False
        try:
            return self._type_enum == as_dtype(other)._type_enum
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._type_enum

    def __int__(self) -> int:
        return self._type_enum

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __reduce__(self):
        return (as_dtype, (self._type_enum,))


_BY_ENUM: dict[int, DType] = {}
for _e in _NAMES:
    if _e == types_pb2.DT_INVALID:
        continue
    _BY_ENUM[_e] = DType(_e)
    _BY_ENUM[_e + _REF_OFFSET] = DType(_e + _REF_OFFSET)

_BY_NAME: dict[str, DType] = {}
for _d in _BY_ENUM.values():
    _BY_NAME[_d.name] = _d
    _BY_NAME[types_pb2.DataType.Name(_d.as_datatype_enum)] = _d  # "DT_FLOAT"
_BY_NAME.update({"half": _BY_ENUM[types_pb2.DT_HALF], "float": _BY_ENUM[types_pb2.DT_FLOAT],
                 "double": _BY_ENUM[types_pb2.DT_DOUBLE]})

float16 = half = _BY_ENUM[types_pb2.DT_HALF]
float32 = _BY_ENUM[types_pb2.DT_FLOAT]
float64 = double = _BY_ENUM[types_pb2.DT_DOUBLE]
bfloat16 = _BY_ENUM[types_pb2.DT_BFLOAT16]
int8 = _BY_ENUM[types_pb2.DT_INT8]
int16 = _BY_ENUM[types_pb2.DT_INT16]
int32 = _BY_ENUM[types_pb2.DT_INT32]
int64 = _BY_ENUM[types_pb2.DT_INT64]
uint8 = _BY_ENUM[types_pb2.DT_UINT8]
uint16 = _BY_ENUM[types_pb2.DT_UINT16]
uint32 = _BY_ENUM[types_pb2.DT_UINT32]
uint64 = _BY_ENUM[types_pb2.DT_UINT64]
bool = _BY_ENUM[types_pb2.DT_BOOL]  # noqa: A001 - TF's public name
string = _BY_ENUM[types_pb2.DT_STRING]
complex64 = _BY_ENUM[types_pb2.DT_COMPLEX64]
complex128 = _BY_ENUM[types_pb2.DT_COMPLEX128]
qint8 = _BY_ENUM[types_pb2.DT_QINT8]
quint8 = _BY_ENUM[types_pb2.DT_QUINT8]
qint16 = _BY_ENUM[types_pb2.DT_QINT16]
quint16 = _BY_ENUM[types_pb2.DT_QUINT16]
qint32 = _BY_ENUM[types_pb2.DT_QINT32]
resource = _BY_ENUM[types_pb2.DT_RESOURCE]
variant = _BY_ENUM[types_pb2.DT_VARIANT]

_NP_TO_ENUM: dict[Any, int] = {
    np.dtype(np.float16): types_pb2.DT_HALF, np.dtype(np.float32): types_pb2.DT_FLOAT,
    np.dtype(np.float64): types_pb2.DT_DOUBLE, np.dtype(np.int8): types_pb2.DT_INT8,
    np.dtype(np.int16): types_pb2.DT_INT16, np.dtype(np.int32): types_pb2.DT_INT32,
    np.dtype(np.int64): types_pb2.DT_INT64, np.dtype(np.uint8): types_pb2.DT_UINT8,
    np.dtype(np.uint16): types_pb2.DT_UINT16, np.dtype(np.uint32): types_pb2.DT_UINT32,
    np.dtype(np.uint64): types_pb2.DT_UINT64, np.dtype(np.bool_): types_pb2.DT_BOOL,
    np.dtype(np.complex64): types_pb2.DT_COMPLEX64, np.dtype(np.complex128): types_pb2.DT_COMPLEX128,
    np.dtype(np.object_): types_pb2.DT_STRING,
}
if _ml is not None:
    _NP_TO_ENUM[np.dtype(_ml.bfloat16)] = types_pb2.DT_BFLOAT16
    _NP_TO_ENUM[np.dtype(_ml.float8_e5m2)] = types_pb2.DT_FLOAT8_E5M2
    _NP_TO_ENUM[np.dtype(_ml.float8_e4m3fn)] = types_pb2.DT_FLOAT8_E4M3FN

_PY_TO_ENUM = {float: types_pb2.DT_FLOAT, int: types_pb2.DT_INT32, complex: types_pb2.DT_COMPLEX128,
               builtins.bool: types_pb2.DT_BOOL, str: types_pb2.DT_STRING, bytes: types_pb2.DT_STRING}


def as_dtype(type_value: Any) -> DType:
    """Convert a DType, enum value, numpy dtype/type, Python type or name to a ``DType``."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, (int, np.integer)) and not isinstance(type_value, builtins.bool):
        d = _BY_ENUM.get(int(type_value))
        if d is None:
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
        return d
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is None:
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
        return d
    if type_value in _PY_TO_ENUM:
        return _BY_ENUM[_PY_TO_ENUM[type_value]]
    try:
        npd = np.dtype(type_value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd.kind in ("U", "S"):
            return string
        e = _NP_TO_ENUM.get(npd)
        if e is not None:
            return _BY_ENUM[e]
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")


def enum_name(type_enum: int) -> str:
    """``DT_FLOAT``-style name of an enum value (for reports); unknown values as numbers."""
    try:
        return types_pb2.DataType.Name(type_enum)
    except ValueError:
        return str(type_enum)


__all__ = ["DType", "as_dtype", "enum_name", "float16", "half", "float32", "float64", "double",
           "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "bool", "string", "complex64", "complex128", "qint8", "quint8", "qint16", "quint16",
           "qint32", "resource", "variant"]
