"""Elementwise math, comparisons, logic, matrix products, scans and reductions.

Results keep TensorFlow's dtypes: numpy ufuncs on same-dtype inputs already do,
and the few places where numpy would promote (integer ``Mean``, ``Sum`` of
int32, true division of integers) are spelled out.
"""
from __future__ import annotations

import math

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel

# --------------------------------------------------------------------------
# unary
# --------------------------------------------------------------------------
kernel("Neg")(np.negative)
kernel("Abs", "ComplexAbs")(np.abs)
kernel("Square")(np.square)
kernel("Sqrt")(np.sqrt)
kernel("Exp")(np.exp)
kernel("Expm1")(np.expm1)
kernel("Log")(np.log)
kernel("Log1p")(np.log1p)
kernel("Sin")(np.sin)
kernel("Cos")(np.cos)
kernel("Tan")(np.tan)
kernel("Asin")(np.arcsin)
kernel("Acos")(np.arccos)
kernel("Atan")(np.arctan)
kernel("Sinh")(np.sinh)
kernel("Cosh")(np.cosh)
kernel("Asinh")(np.arcsinh)
kernel("Acosh")(np.arccosh)
kernel("Atanh")(np.arctanh)
kernel("Tanh")(np.tanh)
kernel("Floor")(np.floor)
kernel("Ceil")(np.ceil)
kernel("Round", "Rint")(np.rint)  # TF rounds half to even, as rint does
kernel("IsNan")(np.isnan)
kernel("IsInf")(np.isinf)
kernel("IsFinite")(np.isfinite)
kernel("LogicalNot")(np.logical_not)
kernel("Invert")(np.invert)
kernel("Conj")(np.conj)
kernel("Real")(np.real)
kernel("Imag")(np.imag)


@kernel("Sign")
def sign(x):
    return np.sign(x)


@kernel("Rsqrt")
def rsqrt(x):
    return np.reciprocal(np.sqrt(x))


@kernel("Reciprocal", "Inv")
def reciprocal(x):
    if x.dtype.kind in "iu":
        return _trunc_div(np.ones_like(x), x)
    return np.reciprocal(x)


@kernel("Sigmoid")
def sigmoid(x):
    # tanh form: no overflow for large |x| (exp(-x) would overflow and warn).
    h = np.tanh(x * x.dtype.type(0.5))
    h += 1
    h *= x.dtype.type(0.5)
    return h


def _erfc64(x: np.ndarray) -> np.ndarray:
    """erfc in float64 with relative error < 1.2e-7 everywhere (Numerical Recipes'
    Chebyshev fit); numpy has no erf and scipy is not a dependency."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277)))))))))
    r = t * np.exp(poly)
    return np.where(x >= 0, r, 2.0 - r)


def _erf64(x: np.ndarray) -> np.ndarray:
    # Near 0, 1 - erfc loses relative precision: use the Taylor series there.
    x2 = x * x
    series = x * (1.1283791670955126 + x2 * (-0.3761263890318375 + x2 * (
        0.1128379167095513 + x2 * (-0.02686617064513125 + x2 * (
            0.005223977625442188 + x2 * -0.0008548327023450852)))))
    return np.where(np.abs(x) < 0.5, series, 1.0 - _erfc64(x))


_SMALL = 256   # below this many elements, Python's exact math.erf beats ~30 numpy calls


@kernel("Erf")
def erf(x):
    if x.size <= _SMALL:
        return np.array([math.erf(v) for v in x.ravel().tolist()], dtype=x.dtype).reshape(x.shape)
    return _erf64(x.astype(np.float64)).astype(x.dtype)


@kernel("Erfc")
def erfc(x):
    if x.size <= _SMALL:
        return np.array([math.erfc(v) for v in x.ravel().tolist()], dtype=x.dtype).reshape(x.shape)
    return _erfc64(x.astype(np.float64)).astype(x.dtype)


# --------------------------------------------------------------------------
# binary
# --------------------------------------------------------------------------
kernel("Add", "AddV2")(np.add)
kernel("Sub")(np.subtract)
kernel("Mul")(np.multiply)
kernel("Maximum")(np.maximum)
kernel("Minimum")(np.minimum)
kernel("Equal")(np.equal)
kernel("NotEqual")(np.not_equal)
kernel("Less")(np.less)
kernel("LessEqual")(np.less_equal)
kernel("Greater")(np.greater)
kernel("GreaterEqual")(np.greater_equal)
kernel("LogicalAnd")(np.logical_and)
kernel("LogicalOr")(np.logical_or)
kernel("BitwiseAnd")(np.bitwise_and)
kernel("BitwiseOr")(np.bitwise_or)
kernel("BitwiseXor")(np.bitwise_xor)
kernel("Atan2")(np.arctan2)


@kernel("Pow")
def pow_(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise ValueError("Integers to negative integer powers are not allowed")
    return np.power(x, y)


@kernel("SquaredDifference")
def squared_difference(x, y):
    d = np.subtract(x, y)
    return np.multiply(d, np.conj(d)) if d.dtype.kind == "c" else np.multiply(d, d)


def _check_int_div(y):
    if not np.all(y):
        raise InvalidArgumentError(None, None, "Integer division by zero")


def _trunc_div(x, y):
    _check_int_div(y)
    q = np.floor_divide(x, y)
    # floor → truncation toward zero where the signs differ and there is a remainder
    fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    return np.where(fix, q + 1, q).astype(q.dtype, copy=False)


@kernel("RealDiv", "Div")
def real_div(x, y):
    if x.dtype.kind in "iu":
        return _trunc_div(x, y)  # C++ integer division, as TF's kernels
    return np.true_divide(x, y)


@kernel("DivNoNan")
def div_no_nan(x, y):
    safe = np.where(y == 0, np.ones_like(y), y)
    return np.where(y == 0, np.zeros_like(x), np.true_divide(x, safe).astype(x.dtype, copy=False))


@kernel("FloorDiv")
def floor_div(x, y):
    if x.dtype.kind in "iu":
        _check_int_div(y)
        return np.floor_divide(x, y)
    return np.floor(np.true_divide(x, y))


@kernel("TruncateDiv")
def truncate_div(x, y):
    if x.dtype.kind in "iu":
        return _trunc_div(x, y)
    return np.trunc(np.true_divide(x, y))


@kernel("FloorMod", "Mod")
def floor_mod(x, y):
    if x.dtype.kind in "iu":
        _check_int_div(y)
    return np.mod(x, y)


@kernel("TruncateMod")
def truncate_mod(x, y):
    if x.dtype.kind in "iu":
        _check_int_div(y)
    return np.fmod(x, y)


@kernel("ClipByValue")
def clip_by_value(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)


@kernel("AddN")
def add_n(*xs):
    r = xs[0]
    for x in xs[1:]:
        r = r + x
    return r


# --------------------------------------------------------------------------
# selection
# --------------------------------------------------------------------------

@kernel("Select")
def select(c, x, y):
    # v1 Select: a vector condition picks whole rows of higher-rank x/y.
    if c.ndim == 1 and np.ndim(x) > 1:
        c = c.reshape(c.shape + (1,) * (np.ndim(x) - 1))
    return np.where(c, x, y)


@kernel("SelectV2")
def select_v2(c, x, y):
    return np.where(c, x, y)


# --------------------------------------------------------------------------
# matrix products
# --------------------------------------------------------------------------

@kernel("MatMul", factory=True)
def matmul(ctx):
    ta, tb = ctx.attr("transpose_a", False), ctx.attr("transpose_b", False)
    w = ctx.const(1)
    if not ta and isinstance(w, np.ndarray) and w.ndim == 2 and w.dtype.kind == "f":
        return _const_weight_matmul(w, tb)
    if not ta and not tb:
        return np.matmul

    def run(a, b):
        return np.matmul(a.T if ta else a, b.T if tb else b)
    return run


def _const_weight_matmul(w: np.ndarray, tb: bool):
    """``a @ w`` (``a @ w.T`` when ``tb``) for a constant weight ``w``.

    OpenBLAS's sgemm is pathologically slow for 2-3 rows (a classifier's batch of 2:
    1280x1000 weights took 2.5x as long as two matrix-vector products), so those
    run as one matrix-vector product per row over the weight laid out (N, K), made
    once on first use. (Blocks of weight rows, so that the second row would read them
    from cache, measured no faster inside MobileNetV2.)
    """
    wt_box: list[np.ndarray] = []

    def run(a, b):
        m = a.shape[0] if a.ndim == 2 else 0
        if 2 <= m <= 3 and b is w and a.dtype == w.dtype:
            if not wt_box:
                wt_box.append(w if tb else np.ascontiguousarray(w.T))
            wt = wt_box[0]
            out = np.empty((m, wt.shape[0]), w.dtype)
            for i in range(m):
                np.matmul(wt, a[i], out=out[i])
            return out
        return np.matmul(a, b.T if tb else b)
    return run


def _adj(x):
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


@kernel("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", factory=True)
def batch_matmul(ctx):
    ax, ay = ctx.attr("adj_x", False), ctx.attr("adj_y", False)
    out = ctx.np_dtype("Tout") if ctx.has_attr("Tout") else None

    def run(x, y):
        r = np.matmul(_adj(x) if ax else x, _adj(y) if ay else y)
        return r if out is None else r.astype(out, copy=False)
    return run


@kernel("Einsum", factory=True)
def einsum(ctx):
    eq = ctx.attr("equation").decode()

    def run(*xs):
        return np.einsum(eq, *xs)
    return run


# --------------------------------------------------------------------------
# scans
# --------------------------------------------------------------------------

def _scan(ufunc_acc, identity):
    def factory(ctx):
        exclusive, reverse = ctx.attr("exclusive", False), ctx.attr("reverse", False)

        def run(x, axis):
            ax = int(axis)
            if ax < 0:
                ax += x.ndim
            v = np.flip(x, ax) if reverse else x
            r = ufunc_acc(v, axis=ax, dtype=x.dtype)
            if exclusive:
                pad = np.full_like(np.take(r, [0], axis=ax), identity)
                r = np.concatenate([pad, np.delete(r, -1, axis=ax)], axis=ax)
            return np.flip(r, ax) if reverse else r
        return run
    return factory


kernel("Cumsum", factory=True)(_scan(np.cumsum, 0))
kernel("Cumprod", factory=True)(_scan(np.cumprod, 1))


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------

def _axes(x, axis):
    a = np.asarray(axis).reshape(-1)
    nd = np.ndim(x)
    for v in a:
        if not -nd <= v < max(nd, 1):
            raise InvalidArgumentError(None, None, f"Invalid reduction dimension {int(v)} for input with {nd} dimensions")
    return tuple(int(v) % nd if nd else 0 for v in a)


def _reduction(fn):
    def factory(ctx):
        keep = bool(ctx.attr("keep_dims", False))
        const_axis = ctx.const(1)
        by_rank: dict[int, tuple[int, ...]] = {}

        def run(x, axis):
            if np.ndim(x) == 0:
                _axes(x, axis)
                return x
            if const_axis is not None:  # the usual case: axes decoded once per input rank
                ax = by_rank.get(x.ndim)
                if ax is None:
                    ax = by_rank[x.ndim] = _axes(x, const_axis)
            else:
                ax = _axes(x, axis)
            return fn(x, ax, keep)
        return run
    return factory


def _acc_dtype(dt):
    # half precision accumulates in float32 (as TF's reductions), then rounds once
    return np.float32 if dt.kind == "f" and dt.itemsize < 4 else dt


def _sum(x, ax, keep):
    acc = _acc_dtype(x.dtype)
    r = np.add.reduce(x, axis=ax, keepdims=keep, dtype=acc)
    return r if acc is x.dtype else r.astype(x.dtype)


def _prod(x, ax, keep):
    return np.multiply.reduce(x, axis=ax, keepdims=keep, dtype=x.dtype)


def _mean(x, ax, keep):
    n = 1
    for a in ax:
        n *= x.shape[a]
    if x.dtype.kind in "iu":
        s = np.add.reduce(x, axis=ax, keepdims=keep, dtype=np.int64)
        if n == 0:
            raise InvalidArgumentError(None, None, "mean of an empty integer tensor")
        q = np.abs(s) // n * np.sign(s)  # C++ integer division truncates
        return q.astype(x.dtype)
    if x.dtype.kind not in "fc":
        return np.mean(x, axis=ax, keepdims=keep, dtype=x.dtype)
    acc = _acc_dtype(x.dtype)
    s = np.add.reduce(x, axis=ax, keepdims=keep, dtype=acc)
    s = s / np.dtype(acc).type(n) if n else s * np.dtype(acc).type(np.nan)
    return s if acc is x.dtype else s.astype(x.dtype)


def _max(x, ax, keep):
    return np.maximum.reduce(x, axis=ax, keepdims=keep)


def _min(x, ax, keep):
    return np.minimum.reduce(x, axis=ax, keepdims=keep)


def _any(x, ax, keep):
    return np.logical_or.reduce(x, axis=ax, keepdims=keep)


def _all(x, ax, keep):
    return np.logical_and.reduce(x, axis=ax, keepdims=keep)


kernel("Sum", factory=True)(_reduction(_sum))
kernel("Prod", factory=True)(_reduction(_prod))
kernel("Mean", factory=True)(_reduction(_mean))
kernel("Max", factory=True)(_reduction(_max))
kernel("Min", factory=True)(_reduction(_min))
kernel("Any", factory=True)(_reduction(_any))
kernel("All", factory=True)(_reduction(_all))


def _arg(fn):
    def factory(ctx):
        out = ctx.np_dtype("output_type", np.int64)

        def run(x, axis):
            return fn(x, axis=int(axis)).astype(out)
        return run
    return factory


kernel("ArgMax", factory=True)(_arg(np.argmax))
kernel("ArgMin", factory=True)(_arg(np.argmin))


# --------------------------------------------------------------------------
# special functions and "no NaN" products (numpy has no lgamma/digamma)
# --------------------------------------------------------------------------

def _lgamma1(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole: TF gives +inf
        return math.inf


_lgamma_vec = np.vectorize(_lgamma1, otypes=[np.float64])


@kernel("Lgamma")
def lgamma(x):
    return _lgamma_vec(x.astype(np.float64)).astype(x.dtype)


def _digamma64(x: np.ndarray) -> np.ndarray:
    """ψ(x): reflection below 1/2, recurrence up to 6, then the asymptotic series."""
    x = np.asarray(x, np.float64)
    reflect = x < 0.5
    xr = np.where(reflect, 1.0 - x, x)
    acc = np.zeros_like(xr)
    for _ in range(6):
        small = xr < 6.0
        acc = np.where(small, acc - 1.0 / np.where(small, xr, 1.0), acc)
        xr = np.where(small, xr + 1.0, xr)
    inv = 1.0 / xr
    inv2 = inv * inv
    series = np.log(xr) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 * (1 / 132)))))
    r = acc + series
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(reflect, r - np.pi / np.tan(np.pi * x), r)
    return np.where((x <= 0) & (x == np.floor(x)), np.nan, r)


@kernel("Digamma")
def digamma(x):
    return _digamma64(x).astype(x.dtype)


@kernel("MulNoNan")
def mul_no_nan(x, y):
    return np.where(y == 0, np.zeros_like(x), np.multiply(x, y))


@kernel("Xdivy")
def xdivy(x, y):
    safe = np.where(x == 0, np.ones_like(y), y)
    return np.where(x == 0, np.zeros_like(x), np.true_divide(x, safe).astype(x.dtype, copy=False))


@kernel("Xlogy")
def xlogy(x, y):
    safe = np.where(x == 0, np.ones_like(y), y)
    return np.where(x == 0, np.zeros_like(x), (x * np.log(safe)).astype(x.dtype, copy=False))


@kernel("Complex", factory=True)
def complex_(ctx):
    out = ctx.np_dtype("Tout", np.complex64)
    return lambda re, im: (re + 1j * im).astype(out)
