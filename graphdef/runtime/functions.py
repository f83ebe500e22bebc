"""Functions of a GraphDef's ``library`` (TF2 graphs: ``PartitionedCall``, functional
``If``/``While``): a ``FunctionDef`` becomes a small GraphDef whose arguments are fed
and whose ``ret`` tensors are fetched, compiled once into an ordinary plan.

In a FunctionDef, a node input is an argument name or ``node:output_arg:index``; the
flat output index needs the op's output argument names, which only matter for ops
with several output arguments (``_OUTPUT_ARGS``); every other op has one output
argument (possibly a list), so the index is the flat index.
"""
from __future__ import annotations

from typing import Any

from graphdef._proto import graph_pb2
from graphdef.errors import InvalidGraphError, NotFoundError

_OUTPUT_ARGS: dict[str, tuple[str, ...]] = {
    "Switch": ("output_false", "output_true"), "RefSwitch": ("output_false", "output_true"),
    "Merge": ("output", "value_index"), "RefMerge": ("output", "value_index"),
    "TopKV2": ("values", "indices"), "TopK": ("values", "indices"), "Unique": ("y", "idx"),
    "FusedBatchNorm": ("y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"),
    "FusedBatchNormV2": ("y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"),
    "FusedBatchNormV3": ("y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
                         "reserve_space_3"),
    "BroadcastGradientArgs": ("r0", "r1"),
    "SoftmaxCrossEntropyWithLogits": ("loss", "backprop"),
    "SparseSoftmaxCrossEntropyWithLogits": ("loss", "backprop"),
}


def find_function(library: Any, name: str) -> Any:
    for f in getattr(library, "function", ()):
        if f.signature.name == name:
            return f
    raise NotFoundError(None, None, f"function '{name}' is not in the graph's library")


def _flat(fdef: Any, ops: dict[str, str], ref: str) -> str:
    parts = ref.split(":")
    if len(parts) == 1:
        return ref                                   # a function argument
    node, idx = parts[0], int(parts[-1]) if parts[-1].isdigit() else 0
    if len(parts) == 3:
        names = _OUTPUT_ARGS.get(ops.get(node, ""))
        if names and parts[1] in names:
            idx += names.index(parts[1])
    return f"{node}:{idx}"


def function_graph(fdef: Any) -> tuple[Any, list[str], list[tuple[str, int]]]:
    """(GraphDef, argument node names, fetched tensors) for a FunctionDef."""
    g = graph_pb2.GraphDef()
    args = [a.name for a in fdef.signature.input_arg]
    for a in fdef.signature.input_arg:
        n = g.node.add(name=a.name, op="Placeholder")
        n.attr["dtype"].type = a.type
    ops = {n.name: n.op for n in fdef.node_def}
    for nd in fdef.node_def:
        n = g.node.add()
        n.CopyFrom(nd)
        del n.input[:]
        for s in nd.input:
            n.input.append(s if s.startswith("^") else _flat(fdef, ops, s))
    rets = []
    for a in fdef.signature.output_arg:
        if a.name not in fdef.ret:
            raise InvalidGraphError(f"function '{fdef.signature.name}' has no ret for output '{a.name}'")
        t = _flat(fdef, ops, fdef.ret[a.name])
        node, _, idx = t.partition(":")
        rets.append((node, int(idx or 0)))
    return g, args, rets


class CompiledFunction:
    """A library function compiled on first call; calls run its plan."""

    def __init__(self, library: Any, name: str, state: dict) -> None:
        self.library, self.name, self.state = library, name, state
        self.plan: Any = None
        self.n_out = len(find_function(library, name).signature.output_arg)

    def __call__(self, *args: Any) -> tuple:
        if self.plan is None:
            from graphdef.runtime.graph_view import GraphDefView
            from graphdef.runtime.plan import build_plan
            g, arg_names, rets = function_graph(find_function(self.library, self.name))
            view = GraphDefView(g)
            view.library = self.library
            self.plan = build_plan(view, rets, [], [(a, 0) for a in arg_names], self.state)
        r = self.plan.fn(*args)
        return (r,) if self.n_out == 1 else tuple(r)
