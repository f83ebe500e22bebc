"""``Variable.initialized_value`` (a v1 ``cond``) and TF's initializer guard.

TF builds ``initialized_value()`` as ``cond(is_variable_initialized(v), v.read_value,
lambda: v.initial_value)`` with v1 control flow: ``cond/Switch`` on the predicate,
``switch_t``/``switch_f``/``pred_id`` Identities, a ``CondContext`` per branch that
routes outside tensors through ``Switch``/``RefSwitch`` nodes, and a final ``Merge``.

When a variable's initial value reads other variables, TF's
``_try_guard_against_uninitialized_dependencies`` copies the initial value's subgraph,
replacing each variable by its ``initialized_value()``; the copies are named
``<op>_<var>`` (``cond/read/Switch_derived``, ``mul_derived``). Both are ported here so
the graphs match TF node for node.
"""
from __future__ import annotations

from typing import Any, Callable

from graphdef import dtypes
from graphdef.framework.constant_op import convert_to_tensor
from graphdef.framework.graph import GraphKeys, get_default_graph, name_scope
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import TensorShape


# ---------------------------------------------------------------------------
# v1 cond
# ---------------------------------------------------------------------------

def _switch_op(data: Tensor, pred: Tensor, name: str) -> list[Tensor]:
    """A ``Switch`` (``RefSwitch`` for a ref ``data``), colocated with ``data``."""
    g = data.graph
    op_type = "RefSwitch" if data.dtype.is_ref_dtype else "Switch"
    with g.colocate_with(data.op, ignore_existing=True), g.name_scope(name) as scope:
        op = g.create_op(op_type, [data, pred], {"T": data.dtype.base_dtype}, name=scope,
                         output_dtypes=(data.dtype, data.dtype),
                         output_shapes=(data.shape, data.shape))
    return op._outputs


def switch(data: Any, pred: Any, name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(output_false, output_true)`` of a ``Switch`` node."""
    with name_scope(name, "Switch", [data, pred]) as scope:
        data = convert_to_tensor(data, name="data", as_ref=True)
        pred = convert_to_tensor(pred, name="pred")
        g = data.graph
        op = g.create_op("Switch", [data, pred], {"T": data.dtype.base_dtype}, name=scope,
                         output_dtypes=(data.dtype, data.dtype),
                         output_shapes=(data.shape, data.shape))
    return op._out, op._outs[1]


def merge(inputs: list[Tensor], name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(output, value_index)`` of a ``Merge`` of ``inputs``."""
    with name_scope(name, "Merge", inputs) as scope:
        inputs = [convert_to_tensor(t, as_ref=True) for t in inputs]
        g = inputs[0].graph
        shape = inputs[0].shape
        for t in inputs[1:]:
            shape = shape.most_specific_compatible_shape(t.shape)
        ref = all(t.dtype.is_ref_dtype for t in inputs)
        base = inputs[0].dtype.base_dtype
        op = g.create_op("RefMerge" if ref else "Merge", inputs, {"N": len(inputs), "T": base},
                         name=scope, output_dtypes=(base._as_ref if ref else base, dtypes.int32),
                         output_shapes=(shape, TensorShape(())))
    return op._out, op._outs[1]


class CondContext:
    """The v1 control-flow context of one branch of a ``cond``."""

    def __init__(self, pred: Tensor, pivot: Tensor, branch: int) -> None:
        self._pred = pred
        self._pivot = pivot
        self._branch = branch
        self._values: set[str] = {pred.name, pivot.name}
        self._external_values: dict[str, Tensor] = {pred.name: pred}
        self._outer_context = None
        self._graph = pred.graph
        pivot.op._control_flow_context = self

    def Enter(self) -> None:  # noqa: N802 - TF's names
        g = self._graph
        self._outer_context = g._control_flow_context
        self._saved = g._control_flow_context
        g._control_flow_context = self

    def Exit(self) -> None:  # noqa: N802
        self._graph._control_flow_context = self._saved

    def AddValue(self, val: Tensor) -> Tensor:  # noqa: N802
        if val.name in self._values:
            result = self._external_values.get(val.name)
            return val if result is None else result
        result = val
        self._values.add(val.name)
        if self._outer_context is not None:
            result = self._outer_context.AddValue(val)
            self._values.add(result.name)
            self._external_values[result.name] = result
        with self._graph.control_dependencies(None):
            result = _switch_op(result, self._pred, "Switch")[self._branch]
        result.op._control_flow_context = self
        self._graph.prevent_fetching(result.op)
        self._values.add(result.name)
        self._external_values[val.name] = result
        return result

    def add_op(self, op: Operation) -> None:
        """TF's ``_AddOpInternal``: route outside inputs through switches; input-less ops
        get the pivot as a control input."""
        if not op._inputs:
            if not any(c._control_flow_context is not None for c in op._control_inputs):
                op._add_control_input(self._pivot.op)
        else:
            for index, x in enumerate(list(op._inputs)):
                real = self.AddValue(x)
                if real is not x:
                    op._update_input(index, real)
        op._control_flow_context = self
        self._values.update(t.name for t in op._outputs)
        self._graph.prevent_fetching(op)

    def BuildCondBranch(self, fn: Callable[[], Any]) -> Any:  # noqa: N802
        """Run ``fn`` in this context: (its result, the flat list of branch outputs)."""
        original = fn()
        if original is None:
            return None, None
        return original, [self._build_tensor(v) for v in _flatten(original)]

    def _build_tensor(self, v: Any) -> Tensor:
        if isinstance(v, Operation):
            from graphdef.framework.control_ops import with_dependencies
            return with_dependencies([v], self._pivot)
        return self._process_output(convert_to_tensor(v))

    def _process_output(self, val: Tensor) -> Tensor:
        real = val
        if val.name not in self._values:
            self._values.add(val.name)
            if self._outer_context is not None:
                real = self._outer_context.AddValue(val)
                self._values.add(real.name)
                self._external_values[real.name] = real
            real = _switch_op(real, self._pred, "Switch")[self._branch]
            self._external_values[val.name] = real
        else:
            ext = self._external_values.get(val.name)
            if ext is not None:
                real = ext
        return real


def _flatten(x: Any) -> list:
    if isinstance(x, dict):
        return [y for k in sorted(x) for y in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [y for e in x for y in _flatten(e)]
    return [x]


def _pack_as(structure: Any, flat: list) -> Any:
    it = iter(flat)

    def pack(s: Any) -> Any:
        if isinstance(s, dict):
            packed = {k: pack(s[k]) for k in sorted(s)}
            return type(s)((k, packed[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [pack(e) for e in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(it)
    return pack(structure)


def _unpack_if_singleton(x: Any) -> Any:
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


def cond(pred: Any, true_fn: Callable[[], Any] | None = None,
         false_fn: Callable[[], Any] | None = None, strict: bool = False,
         name: str | None = None, fn1: Any = None, fn2: Any = None) -> Any:
    """v1 ``tf.cond``: ``cond/Switch`` on ``pred``, ``switch_t``/``switch_f``/``pred_id``
    pivots, one ``CondContext`` per branch, a ``Merge`` per output. Branches return a
    tensor, an op or a (nested) list/tuple/dict of them; a singleton list is unpacked
    unless ``strict``."""
    from graphdef.framework.control_ops import identity
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    with name_scope(name, "cond", [pred]):
        if isinstance(pred, bool):
            raise TypeError("pred must not be a Python bool")
        p_2, p_1 = switch(pred, pred)
        pivot_1 = identity(p_1, name="switch_t")
        pivot_2 = identity(p_2, name="switch_f")
        pred = identity(pred, name="pred_id")
        g = pred.graph
        for t in (p_1, p_2, pivot_1, pivot_2, pred):
            g.prevent_fetching(t.op)  # only one branch runs: TF refuses to fetch these
        built = []
        for pivot, branch, fn in ((pivot_1, 1, true_fn), (pivot_2, 0, false_fn)):
            ctx = CondContext(pred, pivot, branch)
            ctx.Enter()
            try:
                orig, res = ctx.BuildCondBranch(fn)
                if orig is None:
                    raise ValueError(f"'{'true_fn' if branch else 'false_fn'}' must have a"
                                     " return value.")
            finally:
                ctx.Exit()
            built.append((ctx, orig, res))
        (ctx_t, orig_t, res_t), (ctx_f, orig_f, res_f) = built
        if not strict:
            orig_t, orig_f = _unpack_if_singleton(orig_t), _unpack_if_singleton(orig_f)
        if len(res_t) != len(res_f):
            raise ValueError("true_fn and false_fn must return the same structure:"
                             f" {len(res_t)} vs {len(res_f)} outputs.")
        for x, y in zip(res_t, res_f):
            if x.dtype.base_dtype != y.dtype.base_dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type:"
                                 f" {x.dtype.name}, {y.dtype.name}")
        merges = [merge([f, t])[0] for f, t in zip(res_f, res_t)]
        if ctx_t._outer_context is None:
            g.add_to_collection(GraphKeys.COND_CONTEXT, ctx_t)
            g.add_to_collection(GraphKeys.COND_CONTEXT, ctx_f)
        out = _pack_as(orig_t, merges)
        return _unpack_if_singleton(out) if not strict else out


# ---------------------------------------------------------------------------
# initialized_value and the initializer guard
# ---------------------------------------------------------------------------

def initialized_value(var: Any) -> Tensor:
    """``cond(is_variable_initialized(var), var.read_value, lambda: var.initial_value)``
    built as TF's ``init_scope`` does: no control dependencies, the current name scope."""
    from graphdef.framework.graph import init_scope
    from graphdef.framework.variables import is_variable_initialized
    with var.graph.as_default(), init_scope():
        return cond(is_variable_initialized(var), var.read_value, lambda: var.initial_value)


def _has_cycle(op: Operation, state: dict[str, bool]) -> bool:
    """True if the subgraph feeding ``op`` has a cycle (DFS with an in-progress mark)."""
    stack = [(op, iter(op._inputs))]
    state[op._name] = True
    while stack:
        cur, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            state[cur._name] = False
            stack.pop()
            continue
        p = nxt._op
        s = state.get(p._name)
        if s is True:
            return True
        if s is None:
            state[p._name] = True
            stack.append((p, iter(p._inputs)))
    return False


def guard_uninitialized(name: str, initial_value: Tensor) -> Tensor:
    """TF's ``_try_guard_against_uninitialized_dependencies``: ``name`` is the variable's
    scope string ("derived/"), so the copies get exact names like ``mul_derived``."""
    if not isinstance(initial_value, Tensor):
        raise TypeError(f"initial_value needs to be a Tensor: {initial_value}")
    if _has_cycle(initial_value.op, {}):
        return initial_value
    return _safe_from_tensor(name, initial_value, {})


def _safe_from_tensor(name: str, tensor: Tensor, cache: dict[str, Operation]) -> Tensor:
    op = tensor.op
    new = cache.get(op._name)
    if new is None:
        new = cache[op._name] = _safe_from_op(name, op, cache)
    return new._outputs[tensor.value_index]


def _find_initialized_value(variable_op: Operation) -> Tensor | None:
    names = (variable_op._name, variable_op._name + ":0")
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for var in variable_op.graph.get_collection(key):
            if getattr(var, "name", None) in names and hasattr(var, "initialized_value"):
                return var.initialized_value()
    return None


def _safe_from_op(name: str, op: Operation, cache: dict[str, Operation]) -> Operation:
    op_type = op._type
    if op_type in ("IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "If"):
        return op
    if op_type in ("Variable", "VariableV2", "VarHandleOp"):
        init = _find_initialized_value(op)
        return op if init is None else init.op
    modified = False
    new_inputs = []
    for t in op._inputs:
        nt = _safe_from_tensor(name, t, cache)
        new_inputs.append(nt)
        modified = modified or nt is not t
    if not modified:
        return op
    new_type = "Switch" if op_type == "RefSwitch" else op_type
    new_name = (op._name + "_" + name).replace(":", "_")
    out_dtypes = [t.dtype.base_dtype if new_type == "Switch" else t.dtype for t in op._outputs]
    g = op.graph
    return g.create_op(new_type, new_inputs, dict(op._attrs), name=new_name,
                       output_dtypes=out_dtypes, output_shapes=[t.shape for t in op._outputs])


__all__ = ["cond", "switch", "merge"]
