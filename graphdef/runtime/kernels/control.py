"""TF1 control flow (``tf.cond`` v1): Switch routes its input to one output and
marks the other *dead*; every op with a dead input is skipped and its outputs are
dead too (the plan does that); Merge forwards whichever input is alive."""
from __future__ import annotations

import numpy as np

from graphdef.runtime.kernels.registry import DEAD, kernel


def _switch(data, pred):
    p = np.asarray(pred)
    if p.ndim:
        raise ValueError(f"The second input must be a scalar, but it has shape {list(p.shape)}")
    return (DEAD, data) if bool(p) else (data, DEAD)


kernel("Switch", num_outputs=2, stateful=True)(_switch)
kernel("RefSwitch", num_outputs=2, ref_inputs=(0,), ref_output=True, stateful=True)(_switch)


@kernel("Merge", "RefMerge", num_outputs=2, takes_dead=True, stateful=True)
def merge(*xs):
    for i, x in enumerate(xs):
        if x is not DEAD:
            return x, np.array(i, dtype=np.int32)
    return DEAD


def _forward(x):
    return x


# While-loop plumbing: the values pass through; the frame executor (frames.py) moves
# them between frames and iterations.
kernel("Enter", "Exit", "NextIteration", "LoopCond", stateful=True)(_forward)
kernel("RefEnter", "RefExit", "RefNextIteration", ref_inputs=(0,), ref_output=True, stateful=True)(_forward)
kernel("ControlTrigger", num_outputs=0, stateful=True)(lambda: None)
