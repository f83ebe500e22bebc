"""Interpreter: Session.run overhead on the seed's z = x + y, per-call time of each shared model."""
from __future__ import annotations

import time
from typing import Any

from benchmarks.harness import Context, Figure, Skip, Stats, benchmark, timeit
from benchmarks.inputs import models
from benchmarks.tf_reference import QUOTED, tensorflow_v1


def _session_api() -> Any:
    import graphdef as tf
    for name in ("Session", "Graph", "constant", "add"):
        if not hasattr(tf, name):
            raise Skip(f"graphdef.{name} missing (runtime/builder in progress)")
    return tf


def _z_run(tf: Any) -> Any:
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(2, name="x")
        y = tf.constant(3, name="y")
        z = tf.add(x, y)
    sess = tf.Session(graph=g)
    sess.run(z)
    return lambda: sess.run(z)


def _number(fn: Any, target_s: float) -> int:
    """Calls per timing so that one timing lasts about ``target_s``."""
    t = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t, 1e-7)
    return max(1, int(target_s / one))


@benchmark("run")
def session_run_overhead(ctx: Context) -> list[Figure]:
    tf = _session_api()
    run = _z_run(tf)
    number = 2_000 if ctx.quick else 20_000
    gd = timeit(run, ctx.repeats, number=number).scaled(lambda s: s * 1e6)
    tf1 = tensorflow_v1()
    if tf1 is not None:
        ref = timeit(_z_run(tf1), ctx.repeats, number=number).scaled(lambda s: s * 1e6)
        label = "TensorFlow compat.v1 (measured)"
    else:
        q = QUOTED["session_run_z_s"] * 1e6
        ref, label = Stats(q, q, q, 1), "TF (quoted, issue 5)"
    return [Figure("`sess.run(z)`, z = x + y (per call)", "µs", gd, False, ref, label,
                   goal="≤ 10 µs", goal_check=lambda f: f.value.median <= 10)]


@benchmark("run")
def shared_models(ctx: Context) -> list[Figure]:
    import numpy as np

    tf = _session_api()
    from graphdef.io import load

    found = models()
    if not found:
        raise Skip("no shared models found")
    if ctx.quick:
        found = found[:1]
    tf1 = tensorflow_v1()
    figures = []
    for name, pb, inp, out, npz in found:
        g = load(pb)
        x = np.load(npz)["x"]
        try:
            sess = tf.Session(graph=g)
        except Exception as e:  # pragma: no cover - depends on the runtime's progress
            raise Skip(f"Session(graph=GraphDef) failed: {e}") from e
        run = lambda: sess.run(out, feed_dict={inp: x})  # noqa: E731
        run()
        number = _number(run, 0.05 if ctx.quick else 0.2)
        gd = timeit(run, ctx.repeats, number=number).scaled(lambda s: s * 1e6)
        ref, label = None, "no TF figure for this model (TF not importable)"
        if tf1 is not None:
            ref, label = _tf_model(tf1, pb, inp, out, x, ctx.repeats, number), "TensorFlow (measured)"
        figures.append(Figure(f"model `{name}` ({len(g.node)} nodes, batch {x.shape[0]}) per call",
                              "µs", gd, False, ref, label))
    return figures


def _tf_model(tf1: Any, pb: Any, inp: str, out: str, x: Any, repeats: int, number: int) -> Stats:
    gdef = tf1.GraphDef()
    gdef.ParseFromString(pb.read_bytes())
    g = tf1.Graph()
    with g.as_default():
        tf1.import_graph_def(gdef, name="")
    sess = tf1.Session(graph=g)
    return timeit(lambda: sess.run(out, {inp: x}), repeats, number=number).scaled(lambda s: s * 1e6)
