"""Training-graph kernels: gradient helpers checked against finite differences or
closed forms, losses, segment ops, asserts, seeded random initializers, GD updates."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError
from graphdef.runtime import Session
from test_kernels_registry import run_op
from test_kernels_state import const, gd, node

RS = np.random.RandomState(0)
I32 = np.int32


def test_broadcast_gradient_args():
    ra, rb = run_op("BroadcastGradientArgs", [np.array([2, 1, 3], I32), np.array([3], I32)], n_out=2)
    assert ra.tolist() == [1] and rb.tolist() == [0, 1]
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes"):
        run_op("BroadcastGradientArgs", [np.array([2], I32), np.array([3], I32)], n_out=2)


def test_elementwise_grads():
    x = np.array([-1.0, 0.5, 3.0, 7.0], np.float32)
    g = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    assert run_op("ReluGrad", [g, x]).tolist() == [0, 2, 3, 4]
    assert run_op("Relu6Grad", [g, x]).tolist() == [0, 2, 3, 0]
    y = np.tanh(x)
    np.testing.assert_allclose(run_op("TanhGrad", [y, g]), g * (1 - y ** 2), rtol=1e-6)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(run_op("SigmoidGrad", [s, g]), g * s * (1 - s), rtol=1e-6)
    p = np.array([0.5, 2.0], np.float32)
    eps = 1e-3
    fd = ((p + eps) ** -0.5 - (p - eps) ** -0.5) / (2 * eps)
    np.testing.assert_allclose(run_op("RsqrtGrad", [p ** -0.5, np.ones(2, np.float32)]), fd, rtol=1e-3)
    fd = (np.sqrt(p + eps) - np.sqrt(p - eps)) / (2 * eps)
    np.testing.assert_allclose(run_op("SqrtGrad", [np.sqrt(p), np.ones(2, np.float32)]), fd, rtol=1e-3)


def test_bias_add_grad_and_l2_loss():
    g = RS.randn(2, 3, 4).astype(np.float32)
    np.testing.assert_allclose(run_op("BiasAddGrad", [g]), g.sum((0, 1)), rtol=1e-5)
    np.testing.assert_allclose(run_op("BiasAddGrad", [g], {"data_format": "NCHW"}), g.sum((0, 2)), rtol=1e-5)
    np.testing.assert_allclose(run_op("L2Loss", [g]), (g ** 2).sum() / 2, rtol=1e-5)


def test_cross_entropy():
    logits = RS.randn(3, 4).astype(np.float32)
    labels = np.eye(4, dtype=np.float32)[[1, 0, 3]]
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    loss, grad = run_op("SoftmaxCrossEntropyWithLogits", [logits, labels], n_out=2)
    np.testing.assert_allclose(loss, -np.log(p[[0, 1, 2], [1, 0, 3]]), rtol=1e-5)
    np.testing.assert_allclose(grad, p - labels, rtol=1e-5, atol=1e-6)
    loss2, grad2 = run_op("SparseSoftmaxCrossEntropyWithLogits", [logits, np.array([1, 0, 3], I32)],
                          {"Tlabels": __import__("test_kernels_registry").T(I32)}, n_out=2)
    np.testing.assert_allclose(loss2, loss, rtol=1e-6)
    np.testing.assert_allclose(grad2, grad, rtol=1e-5, atol=1e-6)
    with pytest.raises(InvalidArgumentError, match="valid range"):
        run_op("SparseSoftmaxCrossEntropyWithLogits", [logits, np.array([1, 0, 4], I32)], n_out=2)


def test_index_ops():
    assert run_op("InvertPermutation", [np.array([2, 0, 1], I32)]).tolist() == [1, 2, 0]
    offs = run_op("ConcatOffset", [I32(1), np.array([2, 3], I32), np.array([2, 5], I32)], {"N": 2}, n_out=2)
    assert [o.tolist() for o in offs] == [[0, 0], [0, 3]]
    for op in ("DynamicStitch", "ParallelDynamicStitch"):
        got = run_op(op, [np.array([0, 2], I32), np.array([1], I32),
                          np.array([[1, 1], [3, 3]], I32), np.array([[2, 2]], I32)], {"N": 2})
        assert got.tolist() == [[1, 1], [2, 2], [3, 3]]
    data = np.array([1, 2, 3, 4], np.float32)
    ids = np.array([0, 2, 0, -1], I32)
    assert run_op("UnsortedSegmentSum", [data, ids, I32(3)]).tolist() == [4, 0, 2]
    assert run_op("UnsortedSegmentMax", [data, ids, I32(3)])[0] == 3
    assert run_op("UnsortedSegmentMin", [data, ids, I32(3)])[0] == 1


def test_assert():
    g = gd(node("c", "Placeholder", dtype="type: DT_BOOL") + const("d", [1.0, 2.0])
           + node("a", "Assert", "c", "d", T="list { type: DT_FLOAT }")
           + node("out", "Identity", "d", "^a", T="type: DT_FLOAT"))
    with Session(g) as s:
        assert s.run("out:0", {"c:0": True}).tolist() == [1, 2]
        with pytest.raises(InvalidArgumentError, match=r"node 'a' \(Assert\): assertion failed: \[\[1.0, 2.0\]\]"):
            s.run("out:0", {"c:0": False})


@pytest.mark.parametrize("op", ["RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt"])
def test_random_ops_are_seeded_and_fresh_per_run(op):
    shape = const("shape", [1000], "DT_INT32")
    extra = ""
    ins = ["shape"]
    if op == "RandomUniformInt":
        extra = const("lo", 0, "DT_INT32") + const("hi", 10, "DT_INT32")
        ins += ["lo", "hi"]
    g = gd(shape + extra + node("r", op, *ins, dtype="type: DT_FLOAT", seed="i: 7", seed2="i: 3",
                               T="type: DT_INT32", Tout="type: DT_INT32"))
    with Session(g) as s:
        a, b = s.run("r:0"), s.run("r:0")
    with Session(g) as s2:
        a2 = s2.run("r:0")
    assert a.shape == (1000,) and not np.array_equal(a, b) and np.array_equal(a, a2)
    if op == "RandomUniform":
        assert a.dtype == np.float32 and 0 <= a.min() and a.max() < 1
    elif op == "TruncatedNormal":
        assert np.abs(a).max() <= 2
    elif op == "RandomUniformInt":
        assert 0 <= a.min() and a.max() < 10


def test_apply_gradient_descent():
    g = gd(const("init", [1.0, 2.0]) + const("lr", 0.5) + const("delta", [2.0, 2.0])
           + node("v", "VariableV2", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
           + node("v/Assign", "Assign", "v", "init", T="type: DT_FLOAT")
           + node("step", "ApplyGradientDescent", "v", "lr", "delta", T="type: DT_FLOAT")
           + node("h", "VarHandleOp", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
           + node("h/assign", "AssignVariableOp", "h", "init", dtype="type: DT_FLOAT")
           + node("rstep", "ResourceApplyGradientDescent", "h", "lr", "delta", T="type: DT_FLOAT")
           + node("read", "ReadVariableOp", "h", "^rstep", dtype="type: DT_FLOAT"))
    with Session(g) as s:
        s.run("v/Assign")
        assert s.run("step:0").tolist() == [0, 1]
        assert s.run("step:0").tolist() == [-1, 0]
        s.run("h/assign")
        assert s.run("read:0").tolist() == [0, 1]


COVERED = {"BroadcastGradientArgs", "ReluGrad", "Relu6Grad", "TanhGrad", "SigmoidGrad", "RsqrtGrad", "SqrtGrad",
           "BiasAddGrad", "L2Loss", "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits",
           "InvertPermutation", "ConcatOffset", "DynamicStitch", "ParallelDynamicStitch", "UnsortedSegmentSum",
           "UnsortedSegmentMax", "UnsortedSegmentMin", "Assert", "RandomUniform", "RandomStandardNormal",
           "TruncatedNormal", "RandomUniformInt", "ApplyGradientDescent", "ResourceApplyGradientDescent"}
