"""Op functions compute what numpy computes when the graph runs (builder + interpreter
end to end), and their static shapes agree with the values' shapes."""
from __future__ import annotations

import numpy as np
import pytest

import graphdef as tf

X = np.array([[0.5, -1.5, 2.0], [3.0, 0.25, -4.0]], np.float32)
K = np.array([[7, -7, 9], [2, 5, -4]], np.int32)

CASES = [
    ("add", lambda x, k: x + 1.0, X + 1.0),
    ("rsub", lambda x, k: 10.0 - x, 10.0 - X),
    ("int_truediv", lambda x, k: k / 2, K / 2),
    ("floordiv", lambda x, k: k // 3, K // 3),
    ("floormod", lambda x, k: k % 3, K % 3),
    ("pow", lambda x, k: tf.pow(tf.abs(x), 0.5), np.abs(X) ** 0.5),
    ("neg", lambda x, k: -x, -X),
    ("matmul", lambda x, k: tf.matmul(x, x, transpose_b=True), X @ X.T),
    ("reduce_sum_all", lambda x, k: tf.reduce_sum(x), X.sum()),
    ("reduce_mean_keep", lambda x, k: tf.reduce_mean(x, 1, keepdims=True), X.mean(1, keepdims=True)),
    ("reduce_max_neg", lambda x, k: tf.reduce_max(k, axis=-1), K.max(-1)),
    ("argmin", lambda x, k: tf.argmin(x, 0), X.argmin(0)),
    ("cast_trunc", lambda x, k: tf.cast(x, tf.int32), X.astype(np.int32)),
    ("reshape", lambda x, k: tf.reshape(x, [3, -1]), X.reshape(3, -1)),
    ("transpose", lambda x, k: tf.transpose(x), X.T),
    ("concat", lambda x, k: tf.concat([x, x], 1), np.concatenate([X, X], 1)),
    ("stack_axis1", lambda x, k: tf.stack([x, x], axis=1), np.stack([X, X], 1)),
    ("slice_neg_size", lambda x, k: tf.slice(x, [0, 1], [2, -1]), X[:, 1:]),
    ("getitem", lambda x, k: x[1, ::-1], X[1, ::-1]),
    ("getitem_newaxis", lambda x, k: x[:, None, 0], X[:, None, 0]),
    ("gather_axis", lambda x, k: tf.gather(x, [2, 0], axis=1), X[:, [2, 0]]),
    ("tile", lambda x, k: tf.tile(x, [2, 1]), np.tile(X, (2, 1))),
    ("where_select", lambda x, k: tf.where(x > 0.0, x, -x), np.abs(X)),
    ("clip", lambda x, k: tf.clip_by_value(x, -1.0, 1.0), np.clip(X, -1.0, 1.0)),
    ("range", lambda x, k: tf.range(10, 0, -3), np.arange(10, 0, -3)),
    ("linspace", lambda x, k: tf.linspace(-2.0, 2.0, 5), np.linspace(-2.0, 2.0, 5)),
    ("zeros_big", lambda x, k: tf.reduce_sum(tf.ones([40, 30])), 1200.0),
    ("softmax_axis0", lambda x, k: tf.nn.softmax(x, axis=0),
     np.exp(X) / np.exp(X).sum(0, keepdims=True)),
    ("l2_normalize", lambda x, k: tf.nn.l2_normalize(x, axis=1),
     X / np.sqrt((X ** 2).sum(1, keepdims=True))),
    ("logical_xor", lambda x, k: tf.logical_xor(x > 0.0, k > 0), (X > 0) ^ (K > 0)),
    ("split_sizes", lambda x, k: tf.split(x, [1, -1], axis=1)[1], X[:, 1:]),
]


@pytest.mark.parametrize("fn,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_values_match_numpy(fn, want):
    with tf.Graph().as_default():
        out = fn(tf.constant(X), tf.constant(K))
        with tf.Session() as sess:
            got = sess.run(out)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    if out.shape.rank is not None:
        assert all(s is None or s == g for s, g in zip(out.shape.as_list(), np.shape(got)))
        assert out.shape.rank == np.ndim(got)
