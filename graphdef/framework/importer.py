"""``import_graph_def``: copy a GraphDef's nodes into the default graph under a prefix.

Follows TF's C++ importer: nodes are added in topological order (lowest GraphDef index
first among ready nodes), names get the ``name`` scope as prefix ("import" by default,
uniquified as ``net_1`` on reuse), ``input_map`` rewires inputs (the replaced nodes are
still imported), and ``return_elements`` picks tensors ("x:0") and ops ("x").

Without an op registry, each imported node's outputs are inferred from well-known op
types and attrs (``dtype``, ``T``, ``out_type``, ...), refined by ``_output_shapes``.
"""
from __future__ import annotations

import heapq
from typing import Any

from graphdef import dtypes
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.graph_pb2 import GraphDef
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef.framework.constant_op import convert_to_tensor
from graphdef.framework.device import canonical_device
from graphdef.framework.graph import Graph, get_default_graph, name_scope
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import TensorShape

_NO_OUTPUTS = {"NoOp", "Assert", "SaveV2", "Save", "ControlTrigger", "AssignVariableOp",
               "AssignAddVariableOp", "AssignSubVariableOp", "WriteSummary", "FlushSummaryWriter",
               "ResourceApplyGradientDescent"}
_BOOL_OUT = {"Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd",
             "LogicalOr", "LogicalNot", "IsVariableInitialized", "IsFinite", "IsNan", "IsInf",
             "VarIsInitializedOp", "InTopK", "InTopKV2", "ApproximateEqual"}
_INT32_OUT = {"Shape": "out_type", "Size": "out_type", "Rank": None, "ShapeN": "out_type",
              "ArgMax": "output_type", "ArgMin": "output_type", "Where": None}
_REF_OUT = {"VariableV2", "Variable", "Assign", "AssignAdd", "AssignSub", "ScatterUpdate",
            "ScatterAdd", "ScatterSub", "RefIdentity", "TemporaryVariable", "CountUpTo"}
_DTYPE_ATTRS = ("dtype", "T", "out_type", "DstT", "output_type", "Tout", "type", "Tidx",
                "out_idx")


def _num_outputs(nd: Any) -> int:
    op, attr = nd.op, nd.attr
    if op in _NO_OUTPUTS:
        return 0
    if op in ("Split", "SplitV"):
        return attr["num_split"].i
    if op == "Unpack":
        return attr["num"].i
    if op in ("Switch", "RefSwitch", "Merge", "RefMerge", "TopKV2", "TopK", "Unique",
              "UniqueWithCounts"):
        return 3 if op == "UniqueWithCounts" else 2
    if op == "ShapeN":
        return attr["N"].i
    if op == "IdentityN":
        return len(attr["T"].list.type)
    if op == "FusedBatchNormV3":
        return 6
    if op in ("FusedBatchNorm", "FusedBatchNormV2"):
        return 5
    return 1


def _output_dtypes(nd: Any, n: int) -> list[dtypes.DType]:
    op, attr = nd.op, nd.attr
    if op in _BOOL_OUT:
        return [dtypes.bool] * n
    if op in _INT32_OUT:
        key = _INT32_OUT[op]
        dt = dtypes.as_dtype(attr[key].type) if key and key in attr else dtypes.int32
        if op == "Where":
            dt = dtypes.int64
        return [dt] * n
    if op == "IdentityN":
        return [dtypes.as_dtype(t) for t in attr["T"].list.type]
    if op in ("Merge", "RefMerge"):
        t = dtypes.as_dtype(attr["T"].type)
        return [t._as_ref if op == "RefMerge" else t, dtypes.int32]
    if op in ("Unique", "TopKV2", "TopK", "UniqueWithCounts"):
        t = dtypes.as_dtype(attr["T"].type)
        idx = dtypes.as_dtype(attr["out_idx"].type) if "out_idx" in attr else dtypes.int32
        return [t] + [idx] * (n - 1)
    dt = dtypes.float32
    for key in _DTYPE_ATTRS:
        if key in attr and attr[key].WhichOneof("value") == "type":
            dt = dtypes.as_dtype(attr[key].type)
            break
    if op in _REF_OUT or op == "RefSwitch":
        dt = dt._as_ref
    return [dt] * n


def _output_shapes(nd: Any, n: int) -> list[TensorShape]:
    attr = nd.attr
    if "_output_shapes" in attr and len(attr["_output_shapes"].list.shape) == n:
        return [TensorShape(s) for s in attr["_output_shapes"].list.shape]
    if n == 1:
        if nd.op in ("Placeholder", "PlaceholderWithDefault", "VariableV2") and "shape" in attr:
            return [TensorShape(attr["shape"].shape)]
        if nd.op == "Const" and "value" in attr:
            return [TensorShape([d.size for d in attr["value"].tensor.tensor_shape.dim])]
    return [TensorShape(None)] * n


def _parse_input(s: str) -> tuple[str, int]:
    if s.startswith("^"):
        return s[1:], -1
    name, _, idx = s.partition(":")
    return name, int(idx) if idx else 0


def import_graph_def(graph_def: GraphDef, input_map: dict | None = None,
                     return_elements: list[str] | None = None, name: str | None = None,
                     op_dict: Any = None, producer_op_list: Any = None) -> list | None:
    """Import ``graph_def`` into the default graph; returns the ``return_elements``."""
    if not isinstance(graph_def, GraphDef):
        try:
            graph_def = GraphDef.FromString(graph_def.SerializeToString())
        except AttributeError:
            raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def)}") from None
    input_map = dict(input_map or {})
    for k in input_map:
        if not isinstance(k, str):
            raise TypeError(f"input_map keys must be strings, got {k!r}")
    if return_elements is not None and not all(isinstance(x, str) for x in return_elements):
        raise TypeError("return_elements must be a list of strings.")
    g: Graph = get_default_graph()
    with name_scope(name, "import", list(input_map.values())) as scope:
        prefix = scope[:-1] if scope else ""
        if not all(isinstance(v, (Tensor, Operation)) for v in input_map.values()):
            if name == "":
                raise ValueError("tf.import_graph_def() requires a non-empty `name` if"
                                 " `input_map` contains non-Tensor values. Try calling"
                                 " tf.convert_to_tensor() on `input_map` values before calling"
                                 " tf.import_graph_def().")
            with name_scope("_inputs"):
                input_map = {k: v if isinstance(v, (Tensor, Operation)) else convert_to_tensor(v)
                             for k, v in input_map.items()}
        mapped: dict[tuple[str, int], Any] = {}
        for k, v in input_map.items():
            mapped[_parse_input(k)] = v
        nodes = list(graph_def.node)
        by_name = {nd.name: i for i, nd in enumerate(nodes)}
        used_keys: set[tuple[str, int]] = set()
        parsed = [[_parse_input(s) for s in nd.input] for nd in nodes]
        for i, ins in enumerate(parsed):
            for src, _idx in ins:
                if src not in by_name:
                    raise ValueError(f"Node '{nodes[i].name}': Unknown input node '{src}'")
        missing = [k for k in input_map if _parse_input(k)[0] not in by_name]
        if missing:
            raise ValueError("Attempted to map inputs that were not found in graph_def:"
                             f" [{', '.join(missing)}]")
        order = _topological(nodes, parsed, by_name)
        new_name: dict[str, str] = {}
        created: dict[str, Operation] = {}
        g._check_not_finalized()
        taken: set[str] = set()
        for i in order:
            nd = nodes[i]
            full = _uniquify(g, f"{prefix}/{nd.name}" if prefix else nd.name, taken)
            taken.add(full)
            new_name[nd.name] = full
        for i in order:
            nd = nodes[i]
            full = new_name[nd.name]
            inputs: list[Tensor] = []
            controls: list[Operation] = []
            for src, idx in parsed[i]:
                key = (src, idx)
                if key in mapped:
                    used_keys.add(key)
                    m = mapped[key]
                    if idx == -1:
                        controls.append(m if isinstance(m, Operation) else m.op)
                    else:
                        inputs.append(m)
                    continue
                op = created[src]
                if idx == -1:
                    controls.append(op)
                else:
                    while idx >= len(op._outputs):
                        op._add_output(dtypes.float32)
                    inputs.append(op._outputs[idx])
            n = _num_outputs(nd)
            attrs = {k: v for k, v in nd.attr.items()}
            if "_class" in attrs and full != nd.name:
                # Colocation groups follow the renamed nodes (TF's AddPrefixToNodeDef).
                cls = AttrValue()
                cls.CopyFrom(attrs["_class"])
                for j, v in enumerate(cls.list.s):
                    if v.startswith(b"loc:@"):
                        ref = v[5:].decode()
                        cls.list.s[j] = b"loc:@" + new_name.get(
                            ref, f"{prefix}/{ref}" if prefix else ref).encode()
                attrs["_class"] = cls
            op = Operation(g, nd.op, full, inputs, controls, attrs, _output_dtypes(nd, n),
                           _output_shapes(nd, n))
            if not _colocated_elsewhere(nd):
                # TF: the node's own device, under the active device blocks.
                op._device = canonical_device(nd.device) if nd.device else ""
                if g._device_stack:
                    g._apply_device_functions(op)
            if nd.HasField("experimental_type") or nd.HasField("experimental_debug_info"):
                extra = NodeDef()
                if nd.HasField("experimental_type"):
                    extra.experimental_type.CopyFrom(nd.experimental_type)
                if nd.HasField("experimental_debug_info"):
                    extra.experimental_debug_info.CopyFrom(nd.experimental_debug_info)
                op._extra = extra.SerializeToString(deterministic=True)
            g._add_op(op)
            key = full.lower()
            if key not in g._names_in_use:
                g._names_in_use[key] = 1
            created[nd.name] = op
        # Colocated ops take the device of the op they are colocated with (TF's _ProcessNewOps).
        for nd in nodes:
            if _colocated_elsewhere(nd):
                op = created[nd.name]
                for s in op._attrs["_class"].list.s:
                    other = g._nodes_by_name.get(s.decode()[5:])
                    if s.startswith(b"loc:@") and other is not None and other._device:
                        op._device = other._device
                        break
    if return_elements is None:
        return None
    out: list = []
    for el in return_elements:
        src, idx = _parse_input(el)
        if src not in created:
            raise ValueError(f"Requested return_element '{el}' not found in graph_def.")
        op = created[src]
        if ":" in el:
            if idx >= len(op._outputs):
                raise ValueError(f"Requested return_element '{el}' not found in graph_def.")
            out.append(op._outputs[idx])
        else:
            out.append(op)
    return out


def _colocated_elsewhere(nd: Any) -> bool:
    if "_class" not in nd.attr:
        return False
    own = b"loc:@" + nd.name.encode()
    return any(s.startswith(b"loc:@") and s != own for s in nd.attr["_class"].list.s)


def _uniquify(g: Graph, name: str, taken: set[str]) -> str:
    if name not in g._nodes_by_name and name not in taken:
        return name
    i = 1
    while f"{name}_{i}" in g._nodes_by_name or f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def _topological(nodes: list, parsed: list, by_name: dict[str, int]) -> list[int]:
    """Kahn's algorithm taking the lowest GraphDef index among ready nodes (as TF's
    GraphConstructor does); raises ValueError on a cycle."""
    pending = [0] * len(nodes)
    consumers: list[list[int]] = [[] for _ in nodes]
    for i, ins in enumerate(parsed):
        for src, _idx in ins:
            j = by_name[src]
            pending[i] += 1
            consumers[j].append(i)
    ready = [i for i, p in enumerate(pending) if p == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for c in consumers[i]:
            pending[c] -= 1
            if pending[c] == 0:
                heapq.heappush(ready, c)
    if len(order) != len(nodes):
        stuck = [nodes[i].name for i in range(len(nodes)) if pending[i] > 0][:5]
        raise ValueError(f"GraphDef cannot be imported: it has a cycle (among {stuck})")
    return order


__all__ = ["import_graph_def"]
