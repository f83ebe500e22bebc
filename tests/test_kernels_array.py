"""Array kernels: identities, shapes, creation, joining/splitting, slicing (StridedSlice's
masks checked against numpy indexing), gather, padding, top-k."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError
from test_kernels_registry import T, op_graph, run_op

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
I32 = np.int32


@pytest.mark.parametrize("op", ["Identity", "StopGradient", "PreventGradient", "Snapshot",
                                "PlaceholderWithDefault", "CheckNumerics", "EnsureShape"])
def test_identities(op):
    attrs = {"shape": [2, 3, 4]} if op == "EnsureShape" else {}
    if op == "EnsureShape":
        g, feeds = op_graph(op, [X])
        g.node[1].attr["shape"].shape.dim.add(size=2)
        g.node[1].attr["shape"].shape.dim.add(size=3)
        g.node[1].attr["shape"].shape.dim.add(size=-1)
        from graphdef.runtime import Session
        with Session(graph=g) as s:
            np.testing.assert_array_equal(s.run("op:0", feeds), X)
            with pytest.raises(InvalidArgumentError, match="not compatible"):
                s.run("op:0", {"in0:0": X[:1]})
        return
    np.testing.assert_array_equal(run_op(op, [X], attrs), X)


def test_check_numerics_fails_on_nan():
    with pytest.raises(InvalidArgumentError, match="node 'op'.*bad.*NaN"):
        run_op("CheckNumerics", [np.array([1, np.nan], np.float32)], {"message": "bad"})


def test_identity_n_and_noop():
    a, b = run_op("IdentityN", [X, np.int32(3)], {"T": [T(np.float32), T(np.int32)]}, n_out=2)
    np.testing.assert_array_equal(a, X)
    assert b == 3
    g, _ = op_graph("NoOp", [])
    from graphdef.runtime import Session
    with Session(graph=g) as s:
        assert s.run("op") is None


def test_const_and_host_const():
    from graphdef.runtime import Session
    for op in ("Const", "HostConst"):
        g, _ = op_graph("NoOp", [X], const_inputs=True)
        g.node[0].op = op
        with Session(graph=g) as s:
            got = s.run("in0:0")
            np.testing.assert_array_equal(got, X)
            got[0, 0, 0] = 99   # a fetched Const is the caller's copy
            assert s.run("in0:0")[0, 0, 0] == 0


def test_placeholder_v2_must_be_fed():
    from graphdef.runtime import Session
    g, _ = op_graph("Identity", [X])
    g.node[0].op = "PlaceholderV2"
    with Session(graph=g) as s:
        np.testing.assert_array_equal(s.run("op:0", {"in0:0": X}), X)
        with pytest.raises(InvalidArgumentError, match="must feed a value for placeholder tensor 'in0'"):
            s.run("op:0")


def test_function_body_args_and_retvals():
    from graphdef.runtime import Session
    from test_kernels_state import gd, node
    g = gd(node("a", "_Arg", T="type: DT_FLOAT", index="i: 0") + node("n", "Neg", "a", T="type: DT_FLOAT")
           + node("r", "_Retval", "n", T="type: DT_FLOAT", index="i: 0"))
    with Session(g) as s:
        assert s.run("n:0", {"a:0": 2.0}) == -2.0 and s.run("r", {"a:0": 2.0}) is None
        with pytest.raises(InvalidArgumentError, match="must feed a value for placeholder tensor 'a'"):
            s.run("n:0")


def test_shapes():
    assert run_op("Shape", [X]).tolist() == [2, 3, 4] and run_op("Shape", [X]).dtype == I32
    assert run_op("Shape", [X], {"out_type": T(np.int64)}).dtype == np.int64
    a, b = run_op("ShapeN", [X, X[0]], {"N": 2}, n_out=2)
    assert a.tolist() == [2, 3, 4] and b.tolist() == [3, 4]
    assert run_op("Size", [X]) == 24 and run_op("Size", [X]).dtype == I32
    assert run_op("Rank", [X]) == 3


def test_reshape_squeeze_expand_transpose():
    assert run_op("Reshape", [X, np.array([4, -1], I32)]).shape == (4, 6)
    assert run_op("Reshape", [X[:1, :1, :1], np.zeros(0, I32)]).shape == ()
    with pytest.raises(InvalidArgumentError, match="node 'op'.*24 values"):
        run_op("Reshape", [X, np.array([5, -1], I32)])
    y = X.reshape(2, 1, 12, 1)
    assert run_op("Squeeze", [y]).shape == (2, 12)
    assert run_op("Squeeze", [y], {"squeeze_dims": [-1]}).shape == (2, 1, 12)
    with pytest.raises(InvalidArgumentError, match="Can not squeeze dim"):
        run_op("Squeeze", [y], {"squeeze_dims": [0]})
    assert run_op("ExpandDims", [X, I32(-1)]).shape == (2, 3, 4, 1)
    assert run_op("ExpandDims", [X, I32(0)]).shape == (1, 2, 3, 4)
    np.testing.assert_array_equal(run_op("Transpose", [X, np.array([2, 0, 1], I32)]), X.transpose(2, 0, 1))
    c = np.array([[1 + 1j, 2]], np.complex64)
    np.testing.assert_array_equal(run_op("ConjugateTranspose", [c, np.array([1, 0], I32)]), np.conj(c.T))


def test_creation():
    got = run_op("Fill", [np.array([2, 3], I32), I32(7)])
    assert got.dtype == I32 and got.shape == (2, 3) and (got == 7).all()
    assert (run_op("ZerosLike", [X]) == 0).all() and run_op("ZerosLike", [X]).dtype == np.float32
    assert (run_op("OnesLike", [X.astype(I32)]) == 1).all()
    r = run_op("Range", [I32(3), I32(-4), I32(-3)], {"Tidx": T(I32)})
    assert r.tolist() == [3, 0, -3] and r.dtype == I32
    r = run_op("Range", [np.float32(0), np.float32(1), np.float32(0.25)], {"Tidx": T(np.float32)})
    assert r.tolist() == [0, 0.25, 0.5, 0.75] and r.dtype == np.float32
    with pytest.raises(InvalidArgumentError, match="delta != 0"):
        run_op("Range", [I32(0), I32(1), I32(0)], {"Tidx": T(I32)})
    np.testing.assert_allclose(run_op("LinSpace", [np.float32(0), np.float32(1), I32(5)]), np.linspace(0, 1, 5))


@pytest.mark.parametrize("src,dst,values,want", [
    (np.float32, np.int32, [1.7, -1.7, 2.5], [1, -1, 2]),       # truncation toward zero
    (np.int32, np.bool_, [0, 3, -1], [False, True, True]),
    (np.bool_, np.float32, [True, False], [1.0, 0.0]),
    (np.float32, np.uint8, [3.9, 200.2], [3, 200]),
    (np.float64, np.float16, [0.5, 1.25], [0.5, 1.25]),
])
def test_cast(src, dst, values, want):
    got = run_op("Cast", [np.array(values, src)], {"SrcT": T(src), "DstT": T(dst)})
    assert got.dtype == np.dtype(dst) and got.tolist() == want


def test_broadcast():
    got = run_op("BroadcastTo", [np.array([1, 2, 3], I32), np.array([2, 3], I32)])
    assert got.tolist() == [[1, 2, 3], [1, 2, 3]]
    got = run_op("BroadcastArgs", [np.array([2, 1], I32), np.array([3], I32)])
    assert got.tolist() == [2, 3] and got.dtype == I32


def test_join_and_split():
    a, b = X[:, :1], X[:, 1:]
    np.testing.assert_array_equal(run_op("ConcatV2", [a, b, I32(1)], {"N": 2}), X)
    np.testing.assert_array_equal(run_op("Concat", [I32(-2), a, b], {"N": 2}), X)
    np.testing.assert_array_equal(run_op("Pack", [X[0], X[1]], {"N": 2, "axis": 1}), np.stack([X[0], X[1]], 1))
    parts = run_op("Unpack", [X], {"num": 3, "axis": 1}, n_out=3)
    for i in range(3):
        np.testing.assert_array_equal(parts[i], X[:, i])
    parts = run_op("Split", [I32(2), X], {"num_split": 2}, n_out=2)
    np.testing.assert_array_equal(parts[1], X[:, :, 2:])
    with pytest.raises(InvalidArgumentError, match="evenly divide"):
        run_op("Split", [I32(1), X], {"num_split": 2}, n_out=2)
    parts = run_op("SplitV", [X, np.array([1, -1], I32), I32(-1)], {"num_split": 2}, n_out=2)
    assert parts[0].shape == (2, 3, 1) and parts[1].shape == (2, 3, 3)
    np.testing.assert_array_equal(run_op("Tile", [X[0], np.array([2, 1], I32)]), np.tile(X[0], (2, 1)))
    np.testing.assert_array_equal(run_op("ReverseV2", [X, np.array([0, -1], I32)]), X[::-1, :, ::-1])


def test_slice():
    np.testing.assert_array_equal(run_op("Slice", [X, np.array([1, 0, 1], I32), np.array([-1, 2, 2], I32)]),
                                  X[1:, 0:2, 1:3])


# (begin, end, strides, masks, numpy index)
STRIDED = [
    ([1], [2], [1], {}, np.s_[1:2]),
    ([1], [0], [1], {"shrink_axis_mask": 1}, np.s_[1]),
    ([0, 1], [0, 0], [1, 1], {"begin_mask": 1, "end_mask": 3, "shrink_axis_mask": 0}, np.s_[:, 1:]),
    ([0, -1], [0, 0], [1, 1], {"ellipsis_mask": 1, "shrink_axis_mask": 2}, np.s_[..., -1]),
    ([0], [0], [-1], {"begin_mask": 1, "end_mask": 1}, np.s_[::-1]),
    ([0, 0, 0], [0, 0, 0], [1, 1, 2], {"begin_mask": 7, "end_mask": 7}, np.s_[:, :, ::2]),
    ([0, 0], [0, 0], [1, 1], {"new_axis_mask": 1, "begin_mask": 2, "end_mask": 2}, np.s_[np.newaxis, :]),
    ([0, 1, 1], [0, 3, 3], [1, 1, 1], {"shrink_axis_mask": 1}, np.s_[0, 1:3, 1:3]),
    ([-2, 0], [-1, 0], [1, 1], {"end_mask": 2, "begin_mask": 2}, np.s_[-2:-1, :]),
    ([5], [9], [1], {}, np.s_[5:9]),  # clamped: empty
]


@pytest.mark.parametrize("begin,end,strides,masks,index", STRIDED, ids=[str(c[4]) for c in STRIDED])
def test_strided_slice(begin, end, strides, masks, index):
    args = [X, np.array(begin, I32), np.array(end, I32), np.array(strides, I32)]
    attrs = {"Index": T(I32), **masks}
    np.testing.assert_array_equal(run_op("StridedSlice", args, attrs), X[index])
    # with constant begin/end/strides the index is decoded once, at plan time
    g, feeds = op_graph("StridedSlice", args, attrs)
    from graphdef.runtime import Session
    from graphdef.tensors import make_tensor_proto
    for i in (1, 2, 3):
        g.node[i].op = "Const"
        g.node[i].attr["value"].tensor.CopyFrom(make_tensor_proto(args[i]))
        del feeds[f"in{i}:0"]
    with Session(graph=g) as s:
        np.testing.assert_array_equal(s.run("op:0", feeds), X[index])


def test_strided_slice_shrink_out_of_range():
    with pytest.raises(InvalidArgumentError, match="node 'op'.*out of bounds"):
        run_op("StridedSlice", [X, np.array([5], I32), np.array([6], I32), np.array([1], I32)],
               {"shrink_axis_mask": 1})


def test_gather():
    idx = np.array([[2, 0], [1, 1]], I32)
    np.testing.assert_array_equal(run_op("GatherV2", [X, idx, I32(1)]), np.take(X, idx, axis=1))
    np.testing.assert_array_equal(run_op("GatherV2", [X, I32(1), I32(-1)]), X[..., 1])
    with pytest.raises(InvalidArgumentError, match=r"indices contains 3 which is not in \[0, 3\)"):
        run_op("GatherV2", [X, np.array([3], I32), I32(1)])
    p = np.arange(12).reshape(2, 6)
    got = run_op("GatherV2", [p, np.array([[0, 5], [1, 2]], I32), I32(1)], {"batch_dims": 1})
    assert got.tolist() == [[0, 5], [7, 8]]
    np.testing.assert_array_equal(run_op("Gather", [X, np.array([1, 0], I32)]), X[[1, 0]])
    np.testing.assert_array_equal(run_op("GatherNd", [X, np.array([[0, 1], [1, 2]], I32)]), X[[0, 1], [1, 2]])


def test_where_and_one_hot():
    got = run_op("Where", [np.array([[True, False], [False, True]])])
    assert got.dtype == np.int64 and got.tolist() == [[0, 0], [1, 1]]
    got = run_op("OneHot", [np.array([0, 2, -1], np.int64), I32(3), np.float32(5), np.float32(-1)], {"axis": -1})
    assert got.tolist() == [[5, -1, -1], [-1, -1, 5], [-1, -1, -1]] and got.dtype == np.float32
    got = run_op("OneHot", [np.array([1, 0], I32), I32(2), I32(1), I32(0)], {"axis": 0})
    assert got.tolist() == [[0, 1], [1, 0]]


def test_padding():
    x = np.array([[1, 2], [3, 4]], I32)
    p = np.array([[1, 0], [0, 2]], I32)
    np.testing.assert_array_equal(run_op("Pad", [x, p]), np.pad(x, [[1, 0], [0, 2]]))
    np.testing.assert_array_equal(run_op("PadV2", [x, p, I32(9)]), np.pad(x, [[1, 0], [0, 2]], constant_values=9))
    np.testing.assert_array_equal(run_op("MirrorPad", [x, np.array([[1, 1], [1, 1]], I32)], {"mode": "REFLECT"}),
                                  np.pad(x, 1, mode="reflect"))
    np.testing.assert_array_equal(run_op("MirrorPad", [x, np.array([[1, 1], [1, 1]], I32)], {"mode": "SYMMETRIC"}),
                                  np.pad(x, 1, mode="symmetric"))
    y = np.arange(24).reshape(2, 3, 4)
    for mode, pads in (("REFLECT", [[1, 0], [2, 1], [0, 3]]), ("SYMMETRIC", [[2, 2], [0, 3], [4, 1]])):
        np.testing.assert_array_equal(run_op("MirrorPad", [y, np.array(pads, I32)], {"mode": mode}),
                                      np.pad(y, pads, mode=mode.lower()))
    with pytest.raises(InvalidArgumentError, match="paddings must be less than or equal"):
        run_op("MirrorPad", [x, np.array([[2, 0], [0, 0]], I32)], {"mode": "REFLECT"})


def test_top_k_and_unique():
    x = np.array([[1, 5, 3, 5], [0, -1, 2, 2]], np.float32)
    v, i = run_op("TopKV2", [x, I32(2)], {"sorted": True}, n_out=2)
    assert v.tolist() == [[5, 5], [2, 2]] and i.tolist() == [[1, 3], [2, 3]] and i.dtype == I32
    v, i = run_op("TopK", [x], {"k": 1}, n_out=2)
    assert v.tolist() == [[5], [2]]
    u, idx = run_op("Unique", [np.array([3, 1, 3, 2, 1], I32)], {"out_idx": T(I32)}, n_out=2)
    assert u.tolist() == [3, 1, 2] and idx.tolist() == [0, 1, 0, 2, 1]


COVERED = {"Identity", "StopGradient", "PreventGradient", "Snapshot", "PlaceholderWithDefault",
           "CheckNumerics", "EnsureShape", "IdentityN", "NoOp", "Const", "HostConst", "Placeholder",
           "PlaceholderV2", "_Arg", "_Retval", "Shape", "ShapeN", "Size", "Rank", "Reshape", "Squeeze", "ExpandDims",
           "Transpose", "ConjugateTranspose", "Fill", "ZerosLike", "OnesLike", "Range", "LinSpace",
           "Cast", "BroadcastTo", "BroadcastArgs", "ConcatV2", "Concat", "Pack", "Unpack", "Split",
           "SplitV", "Tile", "ReverseV2", "Slice", "StridedSlice", "GatherV2", "Gather", "GatherNd",
           "Where", "OneHot", "Pad", "PadV2", "MirrorPad", "TopKV2", "TopK", "Unique"}
