"""TensorShape / Dimension with TF1 semantics."""
from __future__ import annotations

import pytest

from graphdef.framework import Dimension, TensorShape, as_shape, unknown_shape


@pytest.mark.parametrize("dims,ndims,as_list,full,n", [
    ([], 0, [], True, 1),
    ([2, 3], 2, [2, 3], True, 6),
    ([None, 3], 2, [None, 3], False, None),
    (None, None, None, False, None),
])
def test_views(dims, ndims, as_list, full, n):
    s = TensorShape(dims)
    assert s.ndims == ndims and s.rank == ndims
    assert s.is_fully_defined() is full and s.num_elements() == n
    if as_list is None:
        with pytest.raises(ValueError):
            s.as_list()
    else:
        assert s.as_list() == as_list and len(s) == len(as_list)


def test_dimensions_are_tf1_objects():
    s = TensorShape([None, 3])
    assert isinstance(s[1], Dimension) and s[1].value == 3 and s[1] == 3
    assert s[0].value is None and (s[0] == 3) is None
    assert [d.value for d in s.dims] == [None, 3]
    assert s[1:] == TensorShape([3])
    assert unknown_shape()[0].value is None


@pytest.mark.parametrize("a,b,compatible,merged", [
    ([None, 3], [2, None], True, [2, 3]),
    ([2, 3], [2, 4], False, None),
    (None, [1, 2], True, [1, 2]),
    ([1], [1, 2], False, None),
])
def test_merge_and_compat(a, b, compatible, merged):
    sa, sb = TensorShape(a), TensorShape(b)
    assert sa.is_compatible_with(sb) is compatible
    if compatible:
        assert sa.merge_with(sb).as_list() == merged
    else:
        with pytest.raises(ValueError):
            sa.merge_with(sb)


def test_concatenate_proto_str():
    s = TensorShape([2]).concatenate([None])
    assert s.as_list() == [2, None]
    p = s.as_proto()
    assert [d.size for d in p.dim] == [2, -1]
    assert TensorShape(p) == s
    assert unknown_shape().as_proto().unknown_rank
    assert str(TensorShape([None, 3])) == "(?, 3)"
    assert as_shape([1, 2]) == TensorShape([1, 2]) and TensorShape([1, 2]) == [1, 2]


def test_dimension_arithmetic():
    assert (Dimension(2) + 3).value == 5
    assert (Dimension(None) * 3).value is None
    with pytest.raises(ValueError):
        Dimension(-1)
