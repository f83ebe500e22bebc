"""TensorFlow, measured side by side when it is importable, else quoted figures.

TensorFlow is never a dependency: when ``import tensorflow`` fails the suite uses
the figures measured with TensorFlow on this kind of 2-core machine and quoted in
the issues (builder: issue 4, interpreter: issue 5, CLI: issue 6) as fixed
references, labelled "quoted".
"""
from __future__ import annotations

from typing import Any

# seconds per unit of work, as quoted in the issues
QUOTED = {
    "lazy_loop_ops_per_s": 6_900.0,       # issue 4: tf.compat.v1 building the 20k-node lazy loop
    "session_run_z_s": 47e-6,             # issue 5: sess.run(z) for z = x + y
    "keras_mlp_s": 240e-6,                # issue 5: small Keras MLP per call
    "small_cnn_s": 550e-6,                # issue 5: small CNN per call
    "mobilenetv2_s": 4.3e-3,              # issue 5: 1,000-node MobileNetV2 96x96 batch 2
    "grappler_cse_cli_s": 0.9,            # issue 6: Grappler CSE on the 20k lazy graph, best config
}


def tensorflow_v1() -> Any | None:
    """``tf.compat.v1`` in graph mode, or None when TensorFlow is not installed."""
    try:
        import tensorflow as tf  # type: ignore[import-not-found]
    except Exception:
        return None
    tf.compat.v1.disable_eager_execution()
    return tf.compat.v1
