"""Running a plan's batch in parts, one part per core.

Why: a model's kernels are mostly bound by memory on a small machine (MobileNetV2
streams 14 MB of weights per call that do not stay in cache), and splitting each
kernel across two threads lost on our 2-core VM: a Python hand-off costs ~120 µs per
kernel and the halves slowed each other (README, Performance). Splitting the *batch*
runs the whole plan on the first images in this thread and on the rest in a worker:
the threads meet once per call, and each part pays the per-call cost of streaming the
weights on its own core, in parallel (two streams from memory got 19-20 GB/s together
against 9-11 for one), instead of one core paying it for every image: on MobileNetV2,
batch 2, 7.0-8.0 ms split against 10-11 ms whole in this VM's usual state.

When: only for a plan whose every node keeps the images of a batch apart (a whitelist:
elementwise ops, convolutions and pools, matrix products by a constant, reductions and
reshapes that leave axis 0 alone; :func:`check`), when every feed has the same leading
dimension (at least 2), and when an unsplit call takes at least :data:`MIN_SECONDS`.
Before the first split call a probe (:meth:`BatchSplit.probe`) runs a checked copy of
the plan on the whole batch and on each part, one after another: every tensor that
depends on the feeds must lead with the batch size (:func:`probe_check`) and the
parts' results put together must equal the whole one — this catches what the op
whitelist cannot see (a constant that broadcasts along the batch axis, a negative
axis that turns out to be 0). Then each call runs whole or split, whichever was faster
lately (:class:`_Choice`). Results equal the unsplit ones up to float rounding (a
matrix product of fewer rows may sum in another order).

Knobs: ``GRAPHDEF_BATCH_THREADS`` in the environment or :data:`THREADS` (1 or 0: never
split; unset/None: the usable CPUs, at most :data:`MAX_AUTO_THREADS`). ``Session``
splits only with its default threading (no ``intra_op_parallelism_threads`` in its
config) and while BLAS runs one thread per call.
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from graphdef.runtime.threads import get_blas_threads

ENV = "GRAPHDEF_BATCH_THREADS"
THREADS: int | None = None          # None: from ENV, else the usable CPUs (capped)
MAX_AUTO_THREADS = 4
MIN_SECONDS = 1e-3                  # split only calls at least this long unsplit
PROBE_AT = 4                        # decide on this call for a given feed shape: the first
#                                     calls build the plan and load the compiled kernel loops
WINDOW = 5                          # timings kept per way (whole, split) and feed shape
FIRST_TIMINGS = 3                   # timings of each way before the medians decide (the
#                                     middle of three is not moved by one slow call)
EXPLORE = 32                        # every EXPLORE-th call runs the way not in favour
_MAX_KEYS = 64

# --------------------------------------------------------------------------
# which plans keep the images of a batch apart
# --------------------------------------------------------------------------

# Any mix of batch and non-batch inputs (numpy broadcasting; the probe checks that a
# non-batch input does not broadcast along axis 0).
ELEMENTWISE = frozenset("""
    Identity IdentityN Snapshot StopGradient PreventGradient EnsureShape CheckNumerics Cast
    Abs Neg Square Sqrt Rsqrt Reciprocal Inv Exp Expm1 Log Log1p Sign Floor Ceil Round Rint
    Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Erf Erfc Lgamma Digamma
    Sigmoid Tanh Relu Relu6 Elu Selu LeakyRelu Softplus Softsign IsNan IsInf IsFinite
    Add AddV2 AddN Sub Mul MulNoNan RealDiv Div DivNoNan FloorDiv FloorMod TruncateDiv TruncateMod
    Mod Pow Maximum Minimum SquaredDifference Atan2 Xdivy Xlogy ClipByValue
    Equal NotEqual Less LessEqual Greater GreaterEqual LogicalAnd LogicalOr LogicalNot
    BitwiseAnd BitwiseOr BitwiseXor Invert Select SelectV2 ZerosLike OnesLike
    Real Imag Conj ComplexAbs Complex
""".split())

# Only the first input may carry the batch; the rest (filters, biases, statistics,
# sizes) must not.
FIRST_ONLY = frozenset("""
    Conv2D DepthwiseConv2dNative MaxPool AvgPool BiasAdd BiasAddV1 FusedBatchNorm
    FusedBatchNormV2 FusedBatchNormV3 MatMul Softmax LogSoftmax ResizeBilinear
    ResizeNearestNeighbor DepthToSpace SpaceToDepth TopK TopKV2
""".split())

# Batched matrix products: every operand may carry the batch.
BATCHED = frozenset({"BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"})

# Ops with a constant axis input that must not be 0: op -> input position of the axes.
AXIS_INPUT = {"Mean": 1, "Sum": 1, "Max": 1, "Min": 1, "Prod": 1, "Any": 1, "All": 1, "ArgMax": 1,
              "ArgMin": 1, "Cumsum": 1, "Cumprod": 1, "ReverseV2": 1, "Split": 0, "SplitV": 2,
              "Concat": 0, "ConcatV2": -1}

# Ops with an int attr naming an axis that must not be 0 (a negative one that turns out
# to be 0 changes the leading dimension, which the probe sees).
AXIS_ATTR = {"Pack": "axis", "Unpack": "axis"}


def _attr(node: Any, name: str) -> Any:
    return node.attr[name] if name in node.attr else None


def _reason(node: Any, consts: Sequence[Any], batch: Sequence[bool]) -> str | None:
    """Why node (some of whose inputs carry the batch) mixes the images, or None."""
    op = node.op
    if op in ELEMENTWISE:
        return None
    if op in FIRST_ONLY:
        if any(batch[1:]):
            return "an input other than the first carries the batch"
        if op == "MatMul":
            a = _attr(node, "transpose_a")
            if a is not None and a.b:
                return "transpose_a"
        if op.startswith("FusedBatchNorm"):
            a = _attr(node, "is_training")
            if a is None or a.b:     # TF's default is training: statistics of the batch
                return "batch statistics (is_training)"
        return None
    if op in BATCHED:
        return None
    if op in ("Gather", "GatherV2"):
        # an embedding lookup: constant params, the batch in the indices; gathering
        # along params' axis 0 puts the indices' axes (the batch first) in front
        if batch[0] or any(batch[2:]):
            return "params or axis carry the batch"
        if op == "GatherV2":
            a, bd = consts[2] if len(consts) > 2 else None, _attr(node, "batch_dims")
            if a is None or int(np.asarray(a).reshape(-1)[0]) != 0 or (bd is not None and bd.i):
                return "gathers along an axis other than 0"
        return None
    if op == "OneHot":
        a = _attr(node, "axis")
        if any(batch[1:]):
            return "depth or values carry the batch"
        return None if a is None or a.i == -1 or a.i > 0 else "one-hot axis 0"
    pos = AXIS_INPUT.get(op)
    if pos is not None:
        if pos == -1:
            pos = len(consts) - 1
        if not 0 <= pos < len(consts) or consts[pos] is None:
            return "axis not constant"
        if batch[pos]:
            return "axis carries the batch"
        axes = np.asarray(consts[pos]).reshape(-1)
        if axes.size == 0 and op in ("Mean", "Sum", "Max", "Min", "Prod", "Any", "All"):
            return None            # reducing over no axes: an identity
        return "reduces or splits along axis 0" if (axes == 0).any() else None
    if op in AXIS_ATTR:
        a = _attr(node, AXIS_ATTR[op])
        return None if a is not None and a.i != 0 else "axis 0"
    if op in ("Pad", "PadV2", "MirrorPad"):
        p = consts[1] if len(consts) > 1 else None
        if p is None or any(batch[1:]):
            return "paddings not constant"
        p = np.asarray(p)
        return None if p.ndim == 2 and p.shape[0] >= 1 and not p[0].any() else "pads axis 0"
    if op == "Transpose":
        p = consts[1] if len(consts) > 1 else None
        return None if p is not None and np.asarray(p).size and int(np.asarray(p).reshape(-1)[0]) == 0 \
            else "moves axis 0"
    if op == "ExpandDims":
        a = consts[1] if len(consts) > 1 else None
        return None if a is not None and np.asarray(a).size == 1 and int(np.asarray(a).reshape(-1)[0]) != 0 \
            else "inserts before axis 0"
    if op == "Squeeze":
        a = _attr(node, "squeeze_dims") or _attr(node, "axis")
        dims = list(a.list.i) if a is not None else []
        return None if all(d != 0 for d in dims) else "squeezes axis 0"
    if op == "Reshape":
        s = consts[1] if len(consts) > 1 else None
        if s is None:
            return "shape not constant"
        s = np.asarray(s).reshape(-1)
        return None if s.size and int(s[0]) == -1 and int((s == -1).sum()) == 1 else "shape fixes axis 0"
    if op == "Tile":
        m = consts[1] if len(consts) > 1 else None
        return None if m is not None and np.asarray(m).size and int(np.asarray(m).reshape(-1)[0]) == 1 \
            else "tiles axis 0"
    return f"op {op} is not known to keep the batch apart"


def batch_outputs(node: Any, n_out: int) -> list[int]:
    """Which outputs of a node with a batch input carry the batch (a batch norm's
    mean and variance outputs do not)."""
    if node.op.startswith("FusedBatchNorm"):
        return [0]
    return list(range(n_out))


# Ops whose output has the input's shape, so that a negative axis that turns out to be
# axis 0 would mix the images without changing any shape: their negative axes are
# checked against the rank seen in the probe (softmax works on axis -1).
_SHAPE_KEEPING_AXES = {"Cumsum": 1, "Cumprod": 1, "ReverseV2": 1}


def negative_axes(node: Any, consts: Sequence[Any]) -> tuple[int, ...]:
    """The negative axes of ``node`` that :func:`probe_check` must see resolve to a
    non-zero axis (other axis ops change the shape when they touch axis 0, which the
    probe sees anyway)."""
    if node.op in ("Softmax", "LogSoftmax", "TopK", "TopKV2"):
        return (-1,)     # their last axis must not be the batch
    if node.op in BATCHED:
        return (-2,)     # rank 2 would make the batch a matrix axis
    pos = _SHAPE_KEEPING_AXES.get(node.op)
    if pos is None or pos >= len(consts) or consts[pos] is None:
        return ()
    return tuple(int(a) for a in np.asarray(consts[pos]).reshape(-1) if a < 0)


class ProbeMismatch(Exception):
    """A tensor of the probed plan does not keep the batch on its axis 0."""


class _Expected(threading.local):
    size = -1


_expected = _Expected()


def probe_check(node: Any, negative: tuple[int, ...], *values: Any) -> None:
    """Called by the checked copy of a plan after each node with a batch input: every
    batch output has the expected leading dimension, and no negative axis of the
    node is axis 0 at the rank seen."""
    n = _expected.size
    for v in values:
        if type(v) is not np.ndarray or v.ndim == 0 or v.shape[0] != n \
                or any(a + v.ndim == 0 for a in negative):
            raise ProbeMismatch(node.name)


def check(steps: Iterable[tuple[Any, Sequence[Any], Sequence[bool], bool]],
          fetch_batch: Sequence[bool]) -> str | None:
    """Whether a plan can run its batch in parts: None if so, else why not (naming the node).

    Args:
        steps: per node run, in order: the NodeDef, its data inputs' constant values (None
            where not constant), which of those inputs carry the batch (derive from a feed),
            and whether its kernel is stateful.
        fetch_batch: per fetch, whether it carries the batch.
    """
    for node, consts, batch, stateful in steps:
        if stateful:
            return f"{node.name}: stateful op {node.op}"
        if not any(batch):
            continue               # computed from constants: the same in every part
        why = _reason(node, consts, batch)
        if why is not None:
            return f"{node.name}: {why}"
    if not all(fetch_batch):
        return "a fetch does not carry the batch"
    return None


# --------------------------------------------------------------------------
# running the parts
# --------------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


_cpus: int | None = None


def threads() -> int:
    """How many parts a batch may be split into (1: never split): :data:`THREADS`,
    else ``GRAPHDEF_BATCH_THREADS``, else the CPUs this process may run on (at most
    :data:`MAX_AUTO_THREADS`). A value that is not a number counts as 1."""
    global _cpus
    n: Any = THREADS
    if n is None:
        n = os.environ.get(ENV, "").strip()
        if not n:
            if _cpus is None:
                try:
                    _cpus = len(os.sched_getaffinity(0))
                except AttributeError:   # not Linux
                    _cpus = os.cpu_count() or 1
            n = min(_cpus, MAX_AUTO_THREADS)
    try:
        return max(int(n), 1)
    except ValueError:
        return 1


def _workers(n: int) -> ThreadPoolExecutor:
    """The pool of at least ``n`` worker threads (made on first use)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="graphdef-batch")
            _pool_size = n
        return _pool


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: start a new pool there."""
    global _pool, _pool_size, _pool_lock, _cpus
    _pool, _pool_size, _pool_lock, _cpus = None, 0, threading.Lock(), None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _bounds(n: int, parts: int) -> list[tuple[int, int]]:
    step, extra = divmod(n, parts)
    out, a = [], 0
    for i in range(parts):
        b = a + step + (1 if i < extra else 0)
        out.append((a, b))
        a = b
    return out


def _blas_threads() -> int:
    n = get_blas_threads()
    return 1 if n is None else n


def _batch_size(feeds: Sequence[Any]) -> int | None:
    n = None
    for f in feeds:
        if type(f) is not np.ndarray or f.ndim == 0:
            return None
        if n is None:
            n = f.shape[0]
        elif f.shape[0] != n:
            return None
    return n if n is not None and n >= 2 else None


class _Choice:
    """Which way one feed shape runs: still warming up, whole for good (the probe
    failed or the call is short), or split-eligible — then the recent timings of both
    ways decide, call by call (see :class:`BatchSplit`)."""

    __slots__ = ("calls", "eligible", "times", "count", "again")

    def __init__(self) -> None:
        self.calls = 0
        self.eligible: bool | None = None          # None: not decided yet
        self.times: tuple[list[float], list[float]] = ([], [])   # whole, split
        self.count = 0
        self.again: bool | None = None             # the way to try once more, next call

    def record(self, split: bool, dt: float) -> None:
        t = self.times[split]
        other = self.times[not split]
        if min(len(t), len(other)) >= FIRST_TIMINGS and _median(t) > _median(other) and dt < _median(other):
            # The way not in favour just beat the favourite: try it again at once, so a
            # change in the machine's speed shows in its timings within a few calls.
            self.again = split
        t.append(dt)
        if len(t) > WINDOW:
            del t[0]

    def pick(self) -> bool:
        """Split this call? First each way, in turn, until both have
        :data:`FIRST_TIMINGS` timings; then the way with the lower median of its last
        :data:`WINDOW` timings; every :data:`EXPLORE`-th call tries the other way, and
        keeps trying it while it beats the favourite (:meth:`record`)."""
        self.count += 1
        whole, split = self.times
        if len(whole) < FIRST_TIMINGS or len(split) < FIRST_TIMINGS:   # first both ways, in turn
            return len(split) < len(whole)
        if self.again is not None:
            way, self.again = self.again, None
            return way
        best = _median(split) < _median(whole)
        return (not best) if self.count % EXPLORE == 0 else best


def _median(v: list[float]) -> float:
    s = sorted(v)
    return s[len(s) // 2]


class BatchSplit:
    """A plan function (``fn(*feeds)``) that may run a batch in parts on several threads.

    Per feed shape: the first :data:`PROBE_AT` - 1 calls run whole; the next one runs the
    checked copy of the plan (``checked``, which calls :func:`probe_check` after every
    batch node), timed, and, if it took at least :data:`MIN_SECONDS`, the parts are
    probed (one after the other, they must give its result). From then on each call
    runs whole or split, whichever was faster lately (:class:`_Choice`): on a shared
    machine neither way wins at all times — on MobileNetV2 splitting mostly ran 7-8 ms
    against 10-11 ms whole, but in some phases the whole run was the faster.

    ``single``: ``fn`` returns one value (else a tuple of values); ``blas``: it runs
    matrix products in BLAS, so it is split only while BLAS runs one thread per call
    (two BLAS pools on two cores would each wait for the other)."""

    clock: Callable[[], float] = staticmethod(time.perf_counter)

    def __init__(self, fn: Callable[..., Any], single: bool, blas: bool,
                 checked: Callable[..., Any]) -> None:
        self.fn = fn
        self.checked = checked   # fn with probe_check after every batch node
        self.single = single
        self.blas = blas
        self.state: dict[Any, _Choice] = {}
        self.calls = [0, 0]   # calls decided by timings: run whole, run split (for reports)

    def __call__(self, *feeds: Any) -> Any:
        n = _batch_size(feeds)
        parts = threads() if n is not None else 1
        if parts < 2:
            return self.fn(*feeds)
        key = tuple([(f.shape, f.dtype.num) for f in feeds])
        ch = self.state.get(key)
        if ch is None:
            if len(self.state) >= _MAX_KEYS:
                self.state.clear()
            ch = self.state[key] = _Choice()
        if ch.eligible is False or (self.blas and _blas_threads() > 1):
            return self.fn(*feeds)
        clock = self.clock
        if ch.eligible is None:
            ch.calls += 1
            if ch.calls < PROBE_AT:
                return self.fn(*feeds)
            # This call runs the checked copy of the plan (its result is the call's), and
            # its time decides whether the batch is worth splitting at all.
            t0 = clock()
            _expected.size = n
            try:
                r = self.checked(*feeds)
            except ProbeMismatch:
                ch.eligible = False
                return self.fn(*feeds)
            finally:
                _expected.size = -1
            dt = clock() - t0
            bounds = _bounds(n, min(parts, n))
            ch.eligible = dt >= MIN_SECONDS and self.probe(feeds, r, bounds)
            if ch.eligible:
                self.parallel(feeds, bounds)   # start the worker threads untimed
                ch.record(False, dt)
            return r
        split = ch.pick()
        self.calls[split] += 1
        t0 = clock()
        r = self.parallel(feeds, _bounds(n, min(parts, n))) if split else self.fn(*feeds)
        ch.record(split, clock() - t0)
        return r

    def _split_results(self, results: list[Any]) -> Any:
        if self.single:
            return np.concatenate(results, axis=0)
        return tuple(np.concatenate(col, axis=0) for col in zip(*results))

    def probe(self, feeds: Sequence[Any], whole: Any, bounds: list[tuple[int, int]]) -> bool:
        """Whether the parts ``bounds`` of the batch can run apart, given ``whole``, the
        result of the checked plan on the whole batch: the checked plan
        (:func:`probe_check`) must see the batch on axis 0 of every batch tensor in each
        part too, and the parts' results put together must equal ``whole``. Runs the
        plan once per part."""
        try:
            results = []
            for a, b in bounds:
                _expected.size = b - a
                results.append(self.checked(*[f[a:b] for f in feeds]))
        except Exception:   # noqa: BLE001 - a mismatch, or a part the plan cannot run: run whole
            return False
        finally:
            _expected.size = -1
        wholes = (whole,) if self.single else tuple(whole)
        cols = [(r,) for r in results] if self.single else [tuple(r) for r in results]
        for i, w in enumerate(wholes):
            if type(w) is not np.ndarray or w.ndim == 0 or w.shape[0] != bounds[-1][1]:
                return False
            got = [c[i] for c in cols]
            if any(type(g) is not np.ndarray or g.ndim == 0 or g.shape[0] != b - a or g.dtype != w.dtype
                   for g, (a, b) in zip(got, bounds)):
                return False
            if not _close(np.concatenate(got, axis=0), w):
                return False
        return True

    def parallel(self, feeds: Sequence[Any], bounds: list[tuple[int, int]]) -> Any:
        """The parts at once: the first in this thread, the others in the pool."""
        pool = _workers(len(bounds) - 1)
        futures: list[Future] = [pool.submit(self.fn, *[f[a:b] for f in feeds]) for a, b in bounds[1:]]
        a, b = bounds[0]
        try:
            first = self.fn(*[f[a:b] for f in feeds])
        finally:
            wait(futures)    # every part has ended before this call returns or raises
        rest = [fu.result() for fu in futures]   # raises a failed part's error
        return self._split_results([first] + rest)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        scale = float(np.nanmax(np.abs(b))) if b.size else 0.0
        if not np.isfinite(scale):
            scale = 1.0
        return bool(np.allclose(a, b, rtol=1e-3, atol=1e-4 * max(scale, 1e-30), equal_nan=True))
    return bool(np.array_equal(a, b))
