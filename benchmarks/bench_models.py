"""Interpreter: issue 5's per-call goals on generated Keras-like models.

The MLP, the small CNN and the MobileNetV2 are built with graphdef's own builder
(``benchmarks/keras_models.py``) and run with ``Session.run``; each row carries the
TensorFlow figure quoted in issue 5 for that model shape and the issue's goal.
"""
from __future__ import annotations

from typing import Any

from benchmarks.bench_runtime import _number, _session_api
from benchmarks.harness import Context, Figure, Stats, benchmark, timeit
from benchmarks.tf_reference import QUOTED

# (builder, batch, quoted TF seconds key, goal in µs, goal label, description)
_MODELS = (
    ("keras_mlp", 1, "keras_mlp_s", 240.0, "≤ 240 µs (TF)", "Keras MLP 784→128→64→10, batch 1"),
    ("small_cnn", 1, "small_cnn_s", 550.0, "≤ 550 µs (TF)",
     "small CNN 28×28×1 (conv32-pool-conv64-pool-dense128-dense10), batch 1"),
    ("mobilenet_v2", 2, "mobilenetv2_s", 8600.0, "≤ 8.6 ms (2× TF)",
     "MobileNetV2 96×96×3, width 1.0, 17 blocks, batch 2"),
)


@benchmark("run")
def keras_models(ctx: Context) -> list[Figure]:
    tf = _session_api()
    from benchmarks import keras_models as km

    from graphdef.runtime.kernels import accel
    loops = "compiled loops on (numba)" if accel.loops() is not None else \
        "numpy kernels only (numba missing or GRAPHDEF_JIT=0)"
    figures = []
    for builder, batch, key, goal_us, goal, what in _MODELS:
        m = getattr(km, builder)(tf, batch)
        sess = tf.Session(graph=m.graph)
        feed = {m.inp: m.x}

        def run(sess: Any = sess, out: Any = m.out, feed: dict = feed) -> Any:
            return sess.run(out, feed)
        # Build and cache the plan, warm the caches, load the compiled loops (3rd call),
        # and let the runtime probe its batch split (4th call) and time both ways (the
        # next 5): the calls to time are the steady ones, and the calibration below must
        # not time the probe.
        for _ in range(12):
            run()
        number = _number(run, 0.05 if ctx.quick else 0.25)
        gd = timeit(run, ctx.repeats if ctx.quick else 2 * ctx.repeats, number=number).scaled(lambda s: s * 1e6)
        q = QUOTED[key] * 1e6
        figures.append(Figure(f"{what} ({m.nodes} nodes) per call", "µs", gd, False,
                              Stats(q, q, q, 1), "TF (quoted, issue 5)", goal=goal,
                              goal_check=lambda f, g=goal_us: f.value.median <= g,
                              note=loops + _split_note(sess)))
    return figures


def _split_note(sess: Any) -> str:
    """How the batch ran (``graphdef/runtime/batch.py``): in parts on several threads on
    what share of the timed calls."""
    plans = [e.plan for e in list(sess._single.values()) + list(sess._multi.values())]
    splits = [p.split for p in plans if p.split is not None]
    whole, split = (sum(s.calls[i] for s in splits) for i in (0, 1))
    if not whole + split:
        return ""
    from graphdef.runtime import batch
    return f"; batch split in {batch.threads()} parts on {100 * split / (whole + split):.0f}% of calls"
