"""tf.compat.v1 spellings and random seeds."""
from __future__ import annotations

import pytest

import graphdef
from graphdef.framework import Graph


def test_compat_v1_is_graphdef():
    tf = graphdef.compat.v1
    assert tf is graphdef
    tf.disable_v2_behavior()
    tf.disable_eager_execution()
    assert tf.executing_eagerly() is False
    assert graphdef.compat.as_bytes("é") == "é".encode() and graphdef.compat.as_str(b"x") == "x"
    with pytest.raises(AttributeError):
        graphdef.compat.v3  # noqa: B018


@pytest.mark.parametrize("graph_seed,op_seed,n_ops,expected", [
    (None, None, 0, (None, None)),
    (None, 7, 0, (87654321, 7)),
    (3, None, 2, (3, 2)),
    (3, 5, 2, (3, 5)),
    (0, 0, 0, (0, 2**31 - 1)),
    (2**31 + 1, None, 0, (2, 0)),
])
def test_get_seed(graph_seed, op_seed, n_ops, expected):
    with Graph().as_default():
        graphdef.set_random_seed(graph_seed)
        for _ in range(n_ops):
            graphdef.no_op()
        assert graphdef.get_seed(op_seed) == expected
