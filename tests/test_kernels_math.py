"""Math kernels against independent references (Python's math module, hand-computed
TF semantics), with dtypes checked: int32 stays int32, bool results are bool."""
from __future__ import annotations

import math

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError
from test_kernels_registry import T, run_op

F = np.array([-2.5, -0.5, 0.0, 0.25, 1.5, 3.0], np.float32)
P = np.array([0.1, 0.5, 0.9], np.float32)     # inside every domain (acos, atanh, ...)
I = np.array([-7, -3, 0, 2, 9], np.int32)


def vec(fn):
    return lambda *xs: np.vectorize(fn)(*xs)


UNARY = [
    ("Neg", F, -F), ("Abs", I, np.array([7, 3, 0, 2, 9], np.int32)),
    ("ComplexAbs", np.array([3 + 4j], np.complex64), np.array([5.0], np.float32)),
    ("Square", I, I * I), ("Sqrt", P, vec(math.sqrt)(P)), ("Exp", F, vec(math.exp)(F)),
    ("Expm1", F, vec(math.expm1)(F)), ("Log", P, vec(math.log)(P)), ("Log1p", P, vec(math.log1p)(P)),
    ("Sin", F, vec(math.sin)(F)), ("Cos", F, vec(math.cos)(F)), ("Tan", P, vec(math.tan)(P)),
    ("Asin", P, vec(math.asin)(P)), ("Acos", P, vec(math.acos)(P)), ("Atan", F, vec(math.atan)(F)),
    ("Sinh", F, vec(math.sinh)(F)), ("Cosh", F, vec(math.cosh)(F)), ("Asinh", F, vec(math.asinh)(F)),
    ("Acosh", P + 1, vec(math.acosh)(P + 1)), ("Atanh", P, vec(math.atanh)(P)),
    ("Tanh", F, vec(math.tanh)(F)),
    ("Floor", F, np.array([-3, -1, 0, 0, 1, 3], np.float32)),
    ("Ceil", F, np.array([-2, -0, 0, 1, 2, 3], np.float32)),
    ("Round", np.array([0.5, 1.5, 2.5, -0.5, 2.6], np.float32), np.array([0, 2, 2, -0, 3], np.float32)),
    ("Rint", np.array([0.5, 1.5, -2.5], np.float32), np.array([0, 2, -2], np.float32)),
    ("IsNan", np.array([np.nan, 1, np.inf], np.float32), np.array([True, False, False])),
    ("IsInf", np.array([np.nan, 1, -np.inf], np.float32), np.array([False, False, True])),
    ("IsFinite", np.array([np.nan, 1, np.inf], np.float32), np.array([False, True, False])),
    ("LogicalNot", np.array([True, False]), np.array([False, True])),
    ("Invert", np.array([0, 5], np.int32), np.array([-1, -6], np.int32)),
    ("Conj", np.array([1 + 2j], np.complex64), np.array([1 - 2j], np.complex64)),
    ("Real", np.array([1 + 2j], np.complex64), np.array([1], np.float32)),
    ("Imag", np.array([1 + 2j], np.complex64), np.array([2], np.float32)),
    ("Sign", I, np.array([-1, -1, 0, 1, 1], np.int32)),
    ("Rsqrt", P, 1 / vec(math.sqrt)(P)), ("Reciprocal", P, 1 / P),
    ("Reciprocal", np.array([1, 2, -1], np.int32), np.array([1, 0, -1], np.int32)),
    ("Inv", P, 1 / P),
    ("Sigmoid", np.array([-100, -2, 0, 3, 100], np.float32),
     vec(lambda v: 1 / (1 + math.exp(-v)))(np.array([-100, -2, 0, 3, 100], np.float64))),
    ("Erf", np.linspace(-4, 4, 33, dtype=np.float32), vec(math.erf)(np.linspace(-4, 4, 33))),
    ("Erf", np.array([1e-8, -3e-4], np.float32), vec(math.erf)(np.array([1e-8, -3e-4]))),
    ("Erfc", np.linspace(-4, 6, 41, dtype=np.float32), vec(math.erfc)(np.linspace(-4, 6, 41))),
    # large arrays take the vectorised approximation (small ones use math.erf exactly)
    ("Erf", np.linspace(-5, 5, 1001, dtype=np.float32), vec(math.erf)(np.linspace(-5, 5, 1001))),
    ("Erfc", np.linspace(-4, 9, 1001, dtype=np.float32), vec(math.erfc)(np.linspace(-4, 9, 1001))),
]


@pytest.mark.parametrize("op,x,want", UNARY, ids=[f"{c[0]}-{i}" for i, c in enumerate(UNARY)])
def test_unary(op, x, want):
    got = run_op(op, [x])
    want = np.asarray(want)
    assert got.shape == want.shape
    if want.dtype.kind in "biu":
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    else:
        assert got.dtype == (x.dtype if op not in ("ComplexAbs", "Real", "Imag") else np.float32)
        # erf/erfc: relative to the value where it is tiny (erfc's tail)
        np.testing.assert_allclose(got, want.astype(got.dtype), rtol=2e-6, atol=1e-7)


A = np.array([[7, -7], [-9, 9]], np.int32)
B = np.array([[2, 2], [4, -4]], np.int32)
FA = np.array([[7.0, -7.0], [-9.0, 9.5]], np.float32)
FB = np.array([[2.0, 2.0], [4.0, -4.0]], np.float32)

BINARY = [
    ("Add", A, B, A + B), ("AddV2", A, B, A + B), ("Sub", A, B, A - B), ("Mul", A, B, A * B),
    ("Maximum", A, B, np.maximum(A, B)), ("Minimum", A, B, np.minimum(A, B)),
    ("Equal", A, B, A == B), ("NotEqual", A, B, A != B), ("Less", A, B, A < B),
    ("LessEqual", A, B, A <= B), ("Greater", A, B, A > B), ("GreaterEqual", A, B, A >= B),
    ("LogicalAnd", A > 0, B > 0, (A > 0) & (B > 0)), ("LogicalOr", A > 0, B > 0, (A > 0) | (B > 0)),
    ("BitwiseAnd", A, B, A & B), ("BitwiseOr", A, B, A | B), ("BitwiseXor", A, B, A ^ B),
    ("Atan2", FA, FB, np.arctan2(FA, FB)),
    ("Pow", A, np.abs(B), np.array([[49, 49], [6561, 6561]], np.int32)),
    ("Pow", np.abs(FB), np.float32(0.5) + np.zeros_like(FB), np.sqrt(np.abs(FB))),
    ("SquaredDifference", FA, FB, (FA - FB) ** 2),
    # TF integer division semantics: RealDiv/Div/TruncateDiv truncate, FloorDiv floors
    ("RealDiv", A, B, np.array([[3, -3], [-2, -2]], np.int32)),
    ("RealDiv", FA, FB, FA / FB),
    ("Div", A, B, np.array([[3, -3], [-2, -2]], np.int32)),
    ("TruncateDiv", A, B, np.array([[3, -3], [-2, -2]], np.int32)),
    ("TruncateDiv", FA, FB, np.trunc(FA / FB)),
    ("FloorDiv", A, B, np.array([[3, -4], [-3, -3]], np.int32)),
    ("FloorDiv", FA, FB, np.floor(FA / FB)),
    ("FloorMod", A, B, np.array([[1, 1], [3, -3]], np.int32)),
    ("Mod", A, B, np.array([[1, 1], [3, -3]], np.int32)),
    ("TruncateMod", A, B, np.array([[1, -1], [-1, 1]], np.int32)),
    ("FloorMod", FA, FB, np.array([[1, 1], [3, -2.5]], np.float32)),
    ("DivNoNan", FA, np.array([[2, 0], [0, 4]], np.float32), np.array([[3.5, 0], [0, 2.375]], np.float32)),
]


@pytest.mark.parametrize("op,a,b,want", BINARY, ids=[f"{c[0]}-{i}" for i, c in enumerate(BINARY)])
def test_binary(op, a, b, want):
    got = run_op(op, [a, b])
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("op", ["RealDiv", "FloorDiv", "FloorMod", "TruncateDiv", "TruncateMod", "Div"])
def test_integer_division_by_zero_names_node(op):
    with pytest.raises(InvalidArgumentError, match=r"node 'op'.*Integer division by zero"):
        run_op(op, [np.array([1, 2], np.int32), np.array([1, 0], np.int32)])


def test_broadcasting_keeps_int32():
    got = run_op("AddV2", [np.array([[1], [2]], np.int32), np.array([10, 20, 30], np.int32)])
    assert got.dtype == np.int32 and got.shape == (2, 3)


def test_other_elementwise():
    np.testing.assert_array_equal(run_op("ClipByValue", [F, np.float32(-1), np.float32(2)]), np.clip(F, -1, 2))
    got = run_op("AddN", [A, B, A], {"N": 3})
    assert got.dtype == np.int32 and (got == A + B + A).all()
    c = np.array([True, False])
    x, y = np.array([[1, 2], [3, 4]], np.int32), np.array([[5, 6], [7, 8]], np.int32)
    np.testing.assert_array_equal(run_op("Select", [c, x, y]), [[1, 2], [7, 8]])
    np.testing.assert_array_equal(run_op("SelectV2", [c, x, y]), [[1, 6], [3, 8]])


@pytest.mark.parametrize("rows", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k,n", [(40, 30), (2048, 300)])
def test_matmul_with_a_constant_weight(rows, transpose_b, dtype, k, n):
    # 2-3 rows take the matrix-vector path; fed and constant weights agree
    rs = np.random.RandomState(rows)
    a = rs.rand(rows, k).astype(dtype)
    w = rs.rand(k, n).astype(dtype)
    wb = w.T.copy() if transpose_b else w
    got = run_op("MatMul", [a, wb], {"transpose_b": transpose_b}, const_inputs=True)
    fed = run_op("MatMul", [a, wb], {"transpose_b": transpose_b})
    assert got.dtype == dtype and got.shape == (rows, n)
    np.testing.assert_allclose(got, a @ w, rtol=1e-5)
    np.testing.assert_allclose(fed, a @ w, rtol=1e-5)


def test_matmul_family():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(run_op("MatMul", [a, b]), a @ b)
    np.testing.assert_allclose(run_op("MatMul", [a.T.copy(), b.T.copy()], {"transpose_a": True, "transpose_b": True}), a @ b)
    ai = a.astype(np.int32)
    assert run_op("MatMul", [ai, b.astype(np.int32)]).dtype == np.int32
    x = np.random.RandomState(0).rand(2, 3, 4).astype(np.float32)
    y = np.random.RandomState(1).rand(2, 5, 4).astype(np.float32)
    for op in ("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"):
        attrs = {"adj_y": True}
        if op == "BatchMatMulV3":
            attrs.update(Ta=T(np.float32), Tb=T(np.float32), Tout=T(np.float32))
        np.testing.assert_allclose(run_op(op, [x, y], attrs), x @ y.transpose(0, 2, 1), rtol=1e-6)
    np.testing.assert_allclose(run_op("Einsum", [x, y], {"equation": "bij,bkj->bik", "N": 2}),
                               np.einsum("bij,bkj->bik", x, y), rtol=1e-6)


def test_scans():
    x = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    ax = np.int32(1)
    np.testing.assert_array_equal(run_op("Cumsum", [x, ax]), [[1, 3, 6], [4, 9, 15]])
    np.testing.assert_array_equal(run_op("Cumsum", [x, ax], {"exclusive": True}), [[0, 1, 3], [0, 4, 9]])
    np.testing.assert_array_equal(run_op("Cumsum", [x, ax], {"reverse": True}), [[6, 5, 3], [15, 11, 6]])
    np.testing.assert_array_equal(run_op("Cumsum", [x, ax], {"reverse": True, "exclusive": True}),
                                  [[5, 3, 0], [11, 6, 0]])
    np.testing.assert_array_equal(run_op("Cumprod", [x, np.int32(0)], {"exclusive": True}), [[1, 1, 1], [1, 2, 3]])
    assert run_op("Cumsum", [x, ax]).dtype == np.int32


X = np.array([[1, 2, 3], [4, 5, 7]], np.int32)
REDUCTIONS = [
    ("Sum", X, [1], False, np.array([6, 16], np.int32)),
    ("Sum", X, [0, 1], True, np.array([[22]], np.int32)),
    ("Sum", X, [-1], False, np.array([6, 16], np.int32)),
    ("Sum", X, np.zeros(0, np.int32), False, X),
    ("Prod", X, [1], False, np.array([6, 140], np.int32)),
    ("Mean", X, [1], False, np.array([2, 5], np.int32)),          # int mean truncates (16/3)
    ("Mean", -X, [1], False, np.array([-2, -5], np.int32)),
    ("Mean", X.astype(np.float32), [0], False, np.array([2.5, 3.5, 5], np.float32)),
    ("Max", X, [0], False, np.array([4, 5, 7], np.int32)),
    ("Min", X, [1], True, np.array([[1], [4]], np.int32)),
    ("Any", X > 4, [1], False, np.array([False, True])),
    ("All", X > 0, [0, 1], False, np.array(True)),
]


@pytest.mark.parametrize("op,x,axis,keep,want", REDUCTIONS, ids=[f"{c[0]}-{i}" for i, c in enumerate(REDUCTIONS)])
def test_reductions(op, x, axis, keep, want):
    for const in (False, True):
        got = run_op(op, [x, np.asarray(axis, np.int32)], {"keep_dims": keep, "Tidx": T(np.int32)},
                     const_inputs=const) if not const else _run_const_axis(op, x, axis, keep)
        assert np.asarray(got).dtype == want.dtype
        np.testing.assert_allclose(got, want)


def _run_const_axis(op, x, axis, keep):
    # axis as a Const (decoded once by the kernel), x still fed
    from graphdef.runtime import Session
    from test_kernels_registry import op_graph
    g, feeds = op_graph(op, [x, np.asarray(axis, np.int32)], {"keep_dims": keep})
    n = g.node[1]
    n.op = "Const"
    from graphdef.tensors import make_tensor_proto
    n.attr["value"].tensor.CopyFrom(make_tensor_proto(np.asarray(axis, np.int32)))
    del feeds["in1:0"]
    with Session(graph=g) as s:
        return s.run("op:0", feeds)


def test_half_precision_reductions_accumulate_in_float32():
    x = np.full(4096, 30.0, np.float16)       # the sum (122880) overflows float16
    got = run_op("Mean", [x, np.array([0], np.int32)])
    assert got.dtype == np.float16 and got == 30.0
    got = run_op("Sum", [x[:1000], np.array([0], np.int32)])
    assert got.dtype == np.float16 and got == 30000.0


def test_reduction_bad_axis_names_node():
    with pytest.raises(InvalidArgumentError, match="node 'op'.*Invalid reduction dimension 2"):
        run_op("Sum", [X, np.array([2], np.int32)])


def test_arg_max_min():
    x = np.array([[1, 9, 3], [8, 2, 8]], np.float32)
    got = run_op("ArgMax", [x, np.int32(1)])
    assert got.dtype == np.int64 and got.tolist() == [1, 0]
    got = run_op("ArgMin", [x, np.int32(0)], {"output_type": T(np.int32)})
    assert got.dtype == np.int32 and got.tolist() == [0, 1, 0]


COVERED = {c[0] for c in UNARY} | {c[0] for c in BINARY} | {c[0] for c in REDUCTIONS} | {
    "ClipByValue", "AddN", "Select", "SelectV2", "MatMul", "BatchMatMul", "BatchMatMulV2",
    "BatchMatMulV3", "Einsum", "Cumsum", "Cumprod", "ArgMax", "ArgMin"}


def test_special_functions():
    x = np.array([0.5, 1.0, 2.5, 7.0, -1.5], np.float32)
    np.testing.assert_allclose(run_op("Lgamma", [x]), [math.lgamma(v) for v in x.astype(float)], rtol=1e-6)
    assert run_op("Lgamma", [np.array([0.0], np.float32)])[0] == np.inf
    # ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(n+1) = ψ(n) + 1/n, ψ(-1.5) = ψ(2.5) + π·cot(... ) reflection
    g = 0.5772156649015329
    want = [-g - 2 * math.log(2), -g, -g - 2 * math.log(2) + 2 + 2 / 3, -g + sum(1 / k for k in range(1, 7)),
            -g - 2 * math.log(2) + 2 + 2 / 3 + 1 / 1.5 + 1 / 0.5 - 2 * 0 + (-1 / (-1.5)) + (-1 / (-0.5))]
    got = run_op("Digamma", [x])
    np.testing.assert_allclose(got[:4], want[:4], rtol=1e-5)
    # reflection check against the recurrence ψ(x) = ψ(x+1) - 1/x
    np.testing.assert_allclose(got[4], run_op("Digamma", [np.float32(-0.5)]) + 1 / 1.5, rtol=1e-5)
    assert np.isnan(run_op("Digamma", [np.array([-2.0], np.float32)])[0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # both np.where branches are evaluated
def test_no_nan_products():
    x = np.array([0.0, 2.0, 3.0], np.float32)
    y = np.array([0.0, 0.0, 4.0], np.float32)
    assert run_op("MulNoNan", [np.array([np.inf, 2, 3], np.float32), y]).tolist() == [0, 0, 12]
    assert run_op("Xdivy", [x, y]).tolist()[0] == 0 and run_op("Xdivy", [x, y])[2] == 0.75
    np.testing.assert_allclose(run_op("Xlogy", [x, y]), [0, -np.inf, 3 * math.log(4)])
    c = run_op("Complex", [x, y], {"Tout": T(np.complex64)})
    assert c.dtype == np.complex64 and c[2] == 3 + 4j


COVERED |= {"Lgamma", "Digamma", "MulNoNan", "Xdivy", "Xlogy", "Complex"}
