"""Function calls and TF2 functional control flow: PartitionedCall, If, While."""
from __future__ import annotations

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel


def _fn(ctx, attr: str):
    from graphdef.runtime.functions import CompiledFunction
    f = ctx.attr(attr)
    if ctx.library is None:
        raise InvalidArgumentError(ctx.node, None, "the graph has no function library")
    return CompiledFunction(ctx.library, getattr(f, "name", f), ctx.state)


def _n_tout(ctx) -> int:
    return len(ctx.attr("Tout", []))


def _truth(c) -> bool:
    c = np.asarray(c)
    return bool(c) if c.ndim == 0 else c.size > 0


@kernel("PartitionedCall", "StatefulPartitionedCall", factory=True, num_outputs=_n_tout, stateful=True)
def partitioned_call(ctx):
    f = _fn(ctx, "f")
    n = _n_tout(ctx)

    def run(*args):
        r = f(*args)
        return r[0] if n == 1 else r
    return run


@kernel("If", "StatelessIf", factory=True, num_outputs=_n_tout, stateful=True)
def if_(ctx):
    then_f, else_f = _fn(ctx, "then_branch"), _fn(ctx, "else_branch")
    n = _n_tout(ctx)

    def run(cond, *args):
        r = (then_f if _truth(cond) else else_f)(*args)
        return r[0] if n == 1 else r
    return run


@kernel("While", "StatelessWhile", factory=True, num_outputs=lambda ctx: len(ctx.attr("T", [])), stateful=True)
def while_(ctx):
    cond_f, body_f = _fn(ctx, "cond"), _fn(ctx, "body")
    n = len(ctx.attr("T", []))

    def run(*args):
        vals = tuple(args)
        while _truth(cond_f(*vals)[0]):
            vals = body_f(*vals)
        return vals[0] if n == 1 else vals
    return run


def function_kernel(library, name: str):
    """A KernelDef for a node whose op type is a library function's name (a direct call)."""
    from graphdef.runtime.functions import CompiledFunction, find_function
    from graphdef.runtime.kernels.registry import KernelDef
    if library is None or not any(f.signature.name == name for f in library.function):
        return None
    n_out = len(find_function(library, name).signature.output_arg)

    def factory(ctx):
        f = CompiledFunction(library, name, ctx.state)

        def run(*args):
            r = f(*args)
            return None if n_out == 0 else (r[0] if n_out == 1 else r)
        return run
    return KernelDef((name,), factory, factory=True, num_outputs=n_out, stateful=True)
