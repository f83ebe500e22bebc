"""TF1 control flow (``tf.cond`` v1): Switch routes its input to one output and
marks the other *dead*; every op with a dead input is skipped and its outputs are
dead too (the plan does that); Merge forwards whichever input is alive."""
from __future__ import annotations

import numpy as np

from graphdef.runtime.kernels.registry import DEAD, kernel


def _switch(data, pred):
    return (DEAD, data) if bool(np.asarray(pred)) else (data, DEAD)


kernel("Switch", num_outputs=2, stateful=True)(_switch)
kernel("RefSwitch", num_outputs=2, ref_inputs=(0,), ref_output=True, stateful=True)(_switch)


@kernel("Merge", "RefMerge", num_outputs=2, takes_dead=True, stateful=True)
def merge(*xs):
    for i, x in enumerate(xs):
        if x is not DEAD:
            return x, np.array(i, dtype=np.int32)
    return DEAD
