"""TensorProto ⇄ ndarray with TF's encoding rules (make_tensor_proto / MakeNdarray)."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef import dtypes
from graphdef.tensors import (canonical_bytes, make_tensor_proto, tensor_equal, to_ndarray,
                              make_shape_proto, shape_to_list)

CASES = [
    # value, kwargs, field TF uses, decoded
    (1.5, {}, "float_val", np.float32(1.5)),
    ([1, 2, 3], {}, "tensor_content", np.array([1, 2, 3], np.int32)),
    ([1.0, 2.0], {}, "tensor_content", np.array([1, 2], np.float32)),
    (1.5, {"shape": [2, 2]}, "float_val", np.full((2, 2), 1.5, np.float32)),
    ([7, 8], {"shape": [2, 3]}, "int_val", np.array([[7, 8, 8], [8, 8, 8]], np.int32)),
    (["a", b"b"], {}, "string_val", np.array([b"a", b"b"], object)),
    ([True, False], {}, "bool_val", np.array([True, False])),
    ([1, 2], {"dtype": "uint16"}, "int_val", np.array([1, 2], np.uint16)),
    ([1 + 2j, 3j], {"dtype": "complex64"}, "scomplex_val", np.array([1 + 2j, 3j], np.complex64)),
    ([0.5], {"dtype": "float16"}, "half_val", np.array([0.5], np.float16)),
    (np.arange(4, dtype=np.float16), {}, "tensor_content", np.arange(4, dtype=np.float16)),
    (2**40, {}, "int64_val", np.int64(2**40)),
    ([], {"dtype": "float32", "shape": [0, 3]}, None, np.zeros((0, 3), np.float32)),
]


@pytest.mark.parametrize("value,kwargs,field,expect", CASES, ids=[str(i) for i in range(len(CASES))])
def test_encode_decode(value, kwargs, field, expect):
    p = make_tensor_proto(value, **kwargs)
    if field:
        assert len(getattr(p, field)) > 0
    out = to_ndarray(p)
    assert out.dtype == np.asarray(expect).dtype
    assert out.shape == np.asarray(expect).shape
    assert np.array_equal(out, expect)


def test_decode_missing_values_means_zeros():
    p = make_tensor_proto(0.0, dtype="float32", shape=[2, 3])
    del p.float_val[:]
    assert np.array_equal(to_ndarray(p), np.zeros((2, 3), np.float32))


def test_too_many_values():
    with pytest.raises(ValueError):
        make_tensor_proto([1, 2, 3], shape=[2])


def test_equal_values_in_different_encodings():
    a = make_tensor_proto([2.0, 2.0, 2.0])          # tensor_content
    b = make_tensor_proto(2.0, shape=[3])            # one float_val splat
    assert a != b
    assert tensor_equal(a, b)
    assert canonical_bytes(a) == canonical_bytes(b)
    assert not tensor_equal(a, make_tensor_proto([2.0, 2.0, 3.0]))


def test_shape_helpers():
    assert shape_to_list(make_shape_proto([None, 3])) == [-1, 3]
    assert shape_to_list(make_shape_proto(None)) is None


def test_dtypes():
    assert dtypes.as_dtype("float32") is dtypes.float32
    assert dtypes.as_dtype(np.int64) is dtypes.int64
    assert dtypes.float32._as_ref.name == "float32_ref"
    assert dtypes.float32._as_ref.base_dtype is dtypes.float32
    assert dtypes.as_dtype(1) == dtypes.float32
    assert dtypes.float32.as_numpy_dtype is np.float32
    assert dtypes.int32.as_datatype_enum == 3
    assert dtypes.string.name == "string" and dtypes.bool.is_bool
    for name in ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
                 "uint8", "uint16", "bool", "string", "complex64", "complex128"]:
        assert dtypes.as_dtype(name).name == name
    with pytest.raises(TypeError):
        dtypes.as_dtype("float33")
