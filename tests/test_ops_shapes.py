"""Static shape inference of the op functions, and TensorFlow's errors for bad use
(TypeError for mixed dtypes, ValueError for incompatible shapes)."""
from __future__ import annotations

import numpy as np
import pytest

import graphdef as tf
from graphdef.ops.shapes import broadcast_dims, constant_value


def _in_graph(fn):
    with tf.Graph().as_default():
        x = tf.constant(np.zeros((2, 3, 4), np.float32), name="x")
        m = tf.constant(np.zeros((2, 3), np.float32), name="m")
        ph = tf.placeholder(tf.float32, [None, 3], name="ph")
        unk = tf.placeholder(tf.float32, None, name="unk")
        return fn(x, m, ph, unk)


SHAPES = [
    ("add_broadcast", lambda x, m, ph, u: x + tf.constant([1.0, 2.0, 3.0, 4.0]), [2, 3, 4]),
    ("add_broadcast_unknown", lambda x, m, ph, u: ph + m, [2, 3]),
    ("add_unknown_rank", lambda x, m, ph, u: u + m, None),
    ("compare_bool", lambda x, m, ph, u: m > 0.0, [2, 3]),
    ("matmul", lambda x, m, ph, u: tf.matmul(m, m, transpose_b=True), [2, 2]),
    ("matmul_unknown", lambda x, m, ph, u: tf.matmul(ph, m, transpose_b=True), [None, 2]),
    ("batch_matmul", lambda x, m, ph, u: tf.matmul(x, x, transpose_b=True), [2, 3, 3]),
    ("reduce_all", lambda x, m, ph, u: tf.reduce_sum(x), []),
    ("reduce_axis_keep", lambda x, m, ph, u: tf.reduce_max(x, [0, 2], keepdims=True), [1, 3, 1]),
    ("reduce_neg", lambda x, m, ph, u: tf.reduce_mean(x, -1), [2, 3]),
    ("reduce_unknown_rank", lambda x, m, ph, u: tf.reduce_sum(u, 0), None),
    ("argmax", lambda x, m, ph, u: tf.argmax(x, 1), [2, 4]),
    ("reshape_minus1", lambda x, m, ph, u: tf.reshape(x, [4, -1]), [4, 6]),
    ("reshape_dynamic", lambda x, m, ph, u: tf.reshape(ph, [-1, 1]), [None, 1]),
    ("reshape_scalar", lambda x, m, ph, u: tf.reshape(tf.constant([4.0]), []), []),
    ("transpose_default", lambda x, m, ph, u: tf.transpose(x), [4, 3, 2]),
    ("transpose_perm", lambda x, m, ph, u: tf.transpose(x, [1, 0, 2]), [3, 2, 4]),
    ("concat", lambda x, m, ph, u: tf.concat([m, m], 1), [2, 6]),
    ("concat_unknown", lambda x, m, ph, u: tf.concat([ph, m], 0), [None, 3]),
    ("stack", lambda x, m, ph, u: tf.stack([m, m], axis=1), [2, 2, 3]),
    ("unstack", lambda x, m, ph, u: tf.unstack(x, axis=2)[0], [2, 3]),
    ("split", lambda x, m, ph, u: tf.split(x, 2, axis=2)[1], [2, 3, 2]),
    ("split_sizes", lambda x, m, ph, u: tf.split(x, [1, -1], axis=2)[1], [2, 3, 3]),
    ("squeeze", lambda x, m, ph, u: tf.squeeze(tf.reshape(m, [1, 2, 1, 3])), [2, 3]),
    ("expand_dims", lambda x, m, ph, u: tf.expand_dims(m, -1), [2, 3, 1]),
    ("tile", lambda x, m, ph, u: tf.tile(m, [2, 3]), [4, 9]),
    ("slice_minus1", lambda x, m, ph, u: tf.slice(x, [0, 1, 1], [2, 2, -1]), [2, 2, 3]),
    ("getitem_int", lambda x, m, ph, u: x[1], [3, 4]),
    ("getitem_step", lambda x, m, ph, u: x[:, :, ::2], [2, 3, 2]),
    ("getitem_reverse", lambda x, m, ph, u: x[::-1], [2, 3, 4]),
    ("getitem_ellipsis", lambda x, m, ph, u: x[..., -1], [2, 3]),
    ("getitem_newaxis", lambda x, m, ph, u: x[:, tf.newaxis, 0], [2, 1, 4]),
    ("getitem_neg_range", lambda x, m, ph, u: x[1, -2:, :], [2, 4]),
    ("getitem_dynamic", lambda x, m, ph, u: ph[1:], [None, 3]),
    ("gather", lambda x, m, ph, u: tf.gather(x, [1, 0, 1], axis=2), [2, 3, 3]),
    ("gather_scalar", lambda x, m, ph, u: tf.gather(m, 1), [3]),
    ("where_coords", lambda x, m, ph, u: tf.where(m > 0), [None, 2]),
    ("select_v2", lambda x, m, ph, u: tf.where_v2(m > 0, m, 0.0), [2, 3]),
    ("fill", lambda x, m, ph, u: tf.fill([2, 5], 1), [2, 5]),
    ("zeros_dynamic", lambda x, m, ph, u: tf.zeros(tf.shape(ph)), [None, 3]),
    ("ones_like_dynamic", lambda x, m, ph, u: tf.ones_like(ph), [None, 3]),
    ("range", lambda x, m, ph, u: tf.range(2, 11, 3), [3]),
    ("reshape_dimension", lambda x, m, ph, u: tf.reshape(x, [x.shape[0], -1]), [2, 12]),
    ("fill_tensorshape", lambda x, m, ph, u: tf.fill(m.shape, 1.0), [2, 3]),
    ("reshape_packed", lambda x, m, ph, u: tf.reshape(ph, [tf.shape(ph)[0], 3, 1]), [None, 3, 1]),
    ("zeros_packed", lambda x, m, ph, u: tf.zeros([tf.shape(ph)[0], 4]), [None, 4]),
    ("range_float", lambda x, m, ph, u: tf.range(1.0, 2.0, 0.25), [4]),
    ("shape_dynamic", lambda x, m, ph, u: tf.shape(ph), [2]),
    ("linspace", lambda x, m, ph, u: tf.linspace(0.0, 1.0, 5), [None]),
    ("softmax_axis0", lambda x, m, ph, u: tf.nn.softmax(m, axis=0), [2, 3]),
    ("l2_normalize", lambda x, m, ph, u: tf.nn.l2_normalize(ph, axis=-1), [None, 3]),
    ("conv2d_same", lambda x, m, ph, u: tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), tf.zeros([3, 3, 3, 8]),
                                                  strides=2, padding="SAME"), [1, 3, 3, 8]),
    ("max_pool_valid", lambda x, m, ph, u: tf.nn.max_pool(tf.zeros([1, 5, 5, 3]), 2, 2, "VALID"),
     [1, 2, 2, 3]),
]


@pytest.mark.parametrize("fn,want", [c[1:] for c in SHAPES], ids=[c[0] for c in SHAPES])
def test_static_shape(fn, want):
    t = _in_graph(fn)
    got = None if t.shape.rank is None else t.shape.as_list()
    assert got == want


@pytest.mark.parametrize("fn,want", [
    (lambda x, m, ph, u: m + ph, [2, 3]),
    (lambda x, m, ph, u: tf.matmul(m, tf.ones([3, 2], tf.int32)), None),
], ids=["ok", "dtype"])
def test_result_dtype_or_error(fn, want):
    if want is None:
        with pytest.raises(TypeError):
            _in_graph(fn)
    else:
        assert _in_graph(fn).shape.as_list() == want


ERRORS = [
    ("mixed_dtypes_op", lambda x, m, ph, u: tf.add(m, tf.constant(1)), TypeError,
     "does not match type float32"),
    ("mixed_dtypes_operator", lambda x, m, ph, u: tf.constant([1, 2]) + tf.constant([1.0, 2.0]),
     TypeError, "Input 'y' of 'Add' Op has type float32 that does not match type int32"),
    ("float_into_int", lambda x, m, ph, u: tf.constant([1, 2]) + 1.5, TypeError, "Expected int32"),
    ("broadcast_mismatch", lambda x, m, ph, u: m + tf.constant([1.0, 2.0]), ValueError,
     r"Dimensions must be equal, but are 3 and 2 for '\{\{node add\}\}"),
    ("matmul_inner_dim", lambda x, m, ph, u: tf.matmul(m, m), ValueError,
     "Dimensions must be equal, but are 3 and 2"),
    ("reshape_count", lambda x, m, ph, u: tf.reshape(m, [4, 2]), ValueError,
     "Cannot reshape a tensor with 6 elements"),
    ("concat_rank", lambda x, m, ph, u: tf.concat([m, x], 0), ValueError, "must be rank 2"),
    ("reduce_axis_range", lambda x, m, ph, u: tf.reduce_sum(m, 2), ValueError,
     "Invalid reduction dimension 2"),
    ("index_out_of_range", lambda x, m, ph, u: m[5], ValueError, "out of bounds"),
    ("bad_index_type", lambda x, m, ph, u: m[1.5], TypeError, "valid indices"),
    ("sqrt_of_int", lambda x, m, ph, u: tf.sqrt(tf.constant([4])), TypeError,
     "not in list of allowed values"),
    ("squeeze_non_one", lambda x, m, ph, u: tf.squeeze(m, axis=[0]), ValueError,
     "Can not squeeze dim"),
    ("split_uneven", lambda x, m, ph, u: tf.split(m, 2, axis=1), ValueError, "evenly divisible"),
    ("unstack_unknown", lambda x, m, ph, u: tf.unstack(ph), ValueError, "Cannot infer"),
    ("truediv_bool", lambda x, m, ph, u: tf.constant([True]) / tf.constant([True]), TypeError,
     "Invalid dtype"),
    ("bool_arithmetic", lambda x, m, ph, u: tf.constant([True]) + tf.constant([False]),
     TypeError, "DataType bool not in list of allowed values"),
    ("maximum_of_complex", lambda x, m, ph, u: tf.maximum(tf.constant([1j]), tf.constant([2j])),
     TypeError, "not in list of allowed values"),
    ("unknown_dimension", lambda x, m, ph, u: tf.reshape(ph, [ph.shape[0], 3]), ValueError,
     "unknown Dimension"),
    ("partial_shape", lambda x, m, ph, u: tf.fill(ph.shape, 1.0), ValueError, "partially known"),
    ("clip_broadcasts", lambda x, m, ph, u: tf.clip_by_value(tf.constant(1.0), m, 2.0),
     ValueError, "incompatible"),
]


@pytest.mark.parametrize("fn,exc,match", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        _in_graph(fn)


def test_string_add_is_allowed():
    with tf.Graph().as_default():
        s = tf.add(tf.constant("a"), "b")
    assert s.dtype == tf.string and s.op.type == "Add"


def test_mixing_graphs_is_value_error():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.add(a, b)


@pytest.mark.parametrize("a,b,want", [
    ([2, 3], [3], [2, 3]), ([1], [4, 1], [4, 1]), ([None, 3], [1, 3], [None, 3]),
    ([None], [5], [5]), ([], [2, 2], [2, 2]), (None, [2], None),
])
def test_broadcast_dims(a, b, want):
    assert broadcast_dims(a, b) == want


def test_constant_value_folds_shape_ops():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        s = tf.shape(tf.placeholder(tf.float32, [2, 3]))  # fully known: a Const
        packed = tf.stack([tf.constant(2), tf.constant(5)], axis=0)
        assert constant_value(s).tolist() == [2, 3]
        assert constant_value(packed).tolist() == [2, 5]
        assert constant_value(x).shape == (2, 3)
        assert constant_value(tf.placeholder(tf.int32, [2])) is None
