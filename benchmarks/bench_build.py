"""Graph building: ops/s of the seed's lazy-loading loop and of an MLP builder."""
from __future__ import annotations

import time
from typing import Any, Callable

from benchmarks.harness import Context, Figure, Skip, Stats, benchmark
from benchmarks.tf_reference import QUOTED, tensorflow_v1


def _api() -> Any:
    import graphdef as tf
    for name in ("Graph", "Variable", "add", "matmul", "placeholder"):
        if not hasattr(tf, name):
            raise Skip(f"builder API graphdef.{name} missing")
    return tf


def _lazy_loop(tf: Any, n: int) -> Callable[[], int]:
    def build() -> int:
        g = tf.Graph()
        with g.as_default():
            x = tf.Variable(10, name="x")
            y = tf.Variable(20, name="y")
            for _ in range(n):
                tf.add(x, y)  # the seed's `sess.run(tf.add(x, y))` loop, minus the run
        return n
    return build


def _ops_per_s(build: Callable[[], int], repeats: int) -> Stats:
    rates = []
    build()  # warm-up (imports, caches)
    for _ in range(repeats):
        t = time.perf_counter()
        n = build()
        rates.append(n / (time.perf_counter() - t))
    return Stats.of(rates)


@benchmark("build")
def lazy_loading_loop(ctx: Context) -> list[Figure]:
    tf = _api()
    n = 2_000 if ctx.quick else 20_000
    gd = _ops_per_s(_lazy_loop(tf, n), ctx.repeats)
    tf1 = tensorflow_v1()
    if tf1 is not None:
        ref, label = _ops_per_s(_lazy_loop(tf1, n), ctx.repeats), "TensorFlow compat.v1 (measured)"
    else:
        q = QUOTED["lazy_loop_ops_per_s"]
        ref, label = Stats(q, q, q, 1), "TF compat.v1 (quoted, issue 4)"
    return [Figure(f"lazy-loading loop, {n:,} `tf.add(x, y)` ops", "ops/s", gd, True, ref, label,
                   goal="≥ 140,000 ops/s", goal_check=lambda f: f.value.median >= 140_000)]


def _mlp(tf: Any, layers: int, width: int) -> Callable[[], int]:
    import numpy as np
    w0 = np.zeros((width, width), np.float32)
    b0 = np.zeros((width,), np.float32)

    def build() -> int:
        g = tf.Graph()
        with g.as_default():
            h = tf.placeholder(tf.float32, [None, width], name="x")
            for i in range(layers):
                with tf.name_scope(f"dense_{i}"):
                    w = tf.Variable(w0, name="kernel")
                    b = tf.Variable(b0, name="bias")
                    h = tf.nn.relu(tf.matmul(h, w) + b)
            if hasattr(tf, "global_variables_initializer"):
                tf.global_variables_initializer()
            return len(g.get_operations())
    return build


@benchmark("build")
def mlp_builder(ctx: Context) -> list[Figure]:
    tf = _api()
    if not hasattr(tf, "nn") or not hasattr(tf, "name_scope"):
        raise Skip("graphdef.nn / name_scope missing")
    layers = 20 if ctx.quick else 200
    gd = _ops_per_s(_mlp(tf, layers, 64), ctx.repeats)
    tf1 = tensorflow_v1()
    ref, label = (None, "no quoted TF figure")
    if tf1 is not None:
        ref, label = _ops_per_s(_mlp(tf1, layers, 64), ctx.repeats), "TensorFlow compat.v1 (measured)"
    nodes = _mlp(tf, layers, 64)()
    return [Figure(f"MLP builder, {layers} dense layers (64 wide) = {nodes:,} ops", "ops/s", gd, True,
                   ref, label)]
