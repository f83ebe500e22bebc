"""What is in a GraphDef: the data behind ``graphdef show``.

``summarize(g)`` is TensorFlow's ``summarize_graph`` and more: node count, op
histogram, inputs (placeholders with dtype and shape), likely outputs, variables,
parameter count, control edges, devices, versions, library functions, and the
**bloat report**: nodes ``dedupe`` would merge, grouped into series of duplicate
subgraphs (the seed's ``Add``, ``Add_1`` … ``Add_9`` is one series of 10 copies of
which 9 are removable). ``scope_tree`` counts nodes per name scope and
``node_info`` describes one node with its inputs and consumers.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef.errors import InvalidGraphError
from graphdef.tensors import shape_to_list
from graphdef.tools.canonical import (GraphIndex, _read_varint, can_merge_op, format_input,
                                      index_of, is_graph_source, paused_gc)
from graphdef.tools.dedupe import merge_classes
from graphdef.tools.diff import describe_attr

PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
VARIABLE_OPS = frozenset({"Variable", "VariableV2", "VarHandleOp", "TemporaryVariable"})
#: Nodes nothing consumes that are still not "outputs": constants, initializers, no-ops.
NOT_OUTPUT_OPS = frozenset({"Const", "NoOp", "Assign", "AssignAdd", "AssignSub",
                            "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
                            "Placeholder", "PlaceholderV2", "VariableV2", "Variable",
                            "VarHandleOp", "SaveV2", "RestoreV2", "Save", "Restore",
                            "MergeV2Checkpoints"})
INIT_OPS = frozenset({"Assign", "AssignVariableOp"})


def _dtype_name(enum: int) -> str:
    try:
        return dtypes.as_dtype(enum).name
    except Exception:
        return str(enum)


def _attr_dtype(node: Any, key: str = "dtype") -> str | None:
    return _dtype_name(node.attr[key].type) if key in node.attr else None


def _attr_shape(node: Any, key: str = "shape") -> list[int] | None:
    if key not in node.attr or not node.attr[key].HasField("shape"):
        return None
    return shape_to_list(node.attr[key].shape)


def _elements(shape: list[int] | None) -> int | None:
    if shape is None or any(d < 0 for d in shape):
        return None
    n = 1
    for d in shape:
        n *= d
    return n


def _const_parameters(idx: GraphIndex, positions: list[int]) -> int:
    """Elements of the values of the Consts at ``positions``: each distinct serialized
    tail (attrs) is decoded once, however many Consts share it (repeated constants
    are the common case in bloated graphs)."""
    if not idx.tails:
        return sum(_const_value_elements(idx.node(i)) for i in positions)
    tails = list(map(idx.tails.__getitem__, positions))
    first = dict(zip(reversed(tails), reversed(positions)))
    return sum(_const_value_elements(idx.node(first[t])) * count
               for t, count in Counter(tails).items())


def _const_value_elements(node: Any) -> int:
    if "value" in node.attr:
        return _elements(shape_to_list(node.attr["value"].tensor.tensor_shape)) or 0
    return 0


def bloat_report(idx: GraphIndex, survivor: list[int]) -> list[dict[str, Any]]:
    """Series of duplicate subgraphs from ``dedupe``'s merge map.

    Each removed node belongs to the removed copy of the subgraph whose top node
    consumes it (directly or through other removed nodes; a node feeding two copies
    counts in the later one); copies are grouped by the survivor of their top node.
    Each entry: ``series`` (the surviving top node's name), ``count`` (copies
    including the survivor), ``removable`` (nodes dedupe removes) and
    ``subgraph_nodes`` (nodes per copy, the largest).
    """
    n = len(survivor)
    top = [-1] * n
    size: dict[int, int] = {}
    data_all = idx.data
    surv = np.array(survivor, dtype=np.int64)
    if idx.topological:
        removed = np.flatnonzero(surv != np.arange(n))[::-1]
    else:
        order = np.array(idx.topo_order(), dtype=np.int64)
        removed = order[surv[order] != order][::-1]
    for r in removed.tolist():     # removed nodes, consumers before their producers
        t = top[r]
        if t < 0:
            t = top[r] = r
        size[t] = size.get(t, 0) + 1
        for src, _ in data_all[r]:
            if src >= 0 and top[src] < 0 and survivor[src] != src:
                top[src] = t
    series: dict[int, dict[str, Any]] = {}
    for t, count in size.items():
        key = survivor[t]
        e = series.get(key)
        if e is None:
            e = series[key] = {"series": idx.names[key], "count": 1, "removable": 0,
                               "subgraph_nodes": 0}
        e["count"] += 1
        e["removable"] += count
        if count > e["subgraph_nodes"]:
            e["subgraph_nodes"] = count
    return sorted(series.values(), key=lambda e: (-e["removable"], e["series"]))


_SERIES_SUFFIX = re.compile(r"_\d+(?=/|$)")


def stateful_series(idx: GraphIndex) -> list[dict[str, Any]]:
    """Series of identical nodes that dedupe must keep: variables, placeholders,
    random ops... created again and again (``v``, ``v_1`` … ``v_9``: a variable made
    inside a loop). Same op and attrs, names equal once ``_N`` suffixes are dropped
    from every scope level; ``removable`` is 0 and ``stateful`` is true."""
    groups: dict[tuple, list[int]] = {}
    mergeable: dict[str, bool] = {}
    for i, op in enumerate(idx.ops):
        ok = mergeable.get(op)
        if ok is None:
            ok = mergeable[op] = can_merge_op(op)
        if ok:
            continue
        key = (op, idx.tails[i], _SERIES_SUFFIX.sub("", idx.names[i]))
        groups.setdefault(key, []).append(i)
    out = [{"series": idx.names[m[0]], "count": len(m), "removable": 0, "subgraph_nodes": 1,
            "stateful": True} for m in groups.values() if len(m) > 1]
    return sorted(out, key=lambda e: (-e["count"], e["series"]))


def summarize(graph_def: Any, bloat: bool = True) -> dict[str, Any]:
    """A JSON-ready summary of a GraphDef (schema in README: ``show --json``).

    Keys: ``nodes``, ``ops`` (op → count), ``inputs`` / ``variables`` (``name``,
    ``dtype``, ``shape``: dims with -1 unknown, ``null`` unknown rank),
    ``outputs``, ``parameters`` (elements of variables and of constants that are
    not variable initial values; also split as ``parameters_variables`` and
    ``parameters_const``), ``control_edges``, ``devices`` (device → nodes),
    ``versions``, ``functions``, ``bloat`` (see :func:`bloat_report`),
    ``removable`` (nodes dedupe would remove), ``dangling_inputs``,
    ``duplicate_names``.

    ``graph_def`` may also be a path or serialized bytes (any format ``load``
    reads): a binary graph is then summarized without building its message,
    as ``graphdef show`` does (about half the time and memory on huge graphs).
    """
    with paused_gc():
        if is_graph_source(graph_def):  # a path or bytes: indexed without the message
            idx = index_of(graph_def, allow_duplicates=True)
        else:
            idx = GraphIndex(graph_def, serialize=bloat, allow_duplicates=True,
                             keep_serial=False)
        return summarize_index(idx, bloat)


def summarize_index(idx: GraphIndex, bloat: bool = True) -> dict[str, Any]:
    """:func:`summarize` on an index (e.g. ``GraphIndex.from_wire`` of a .pb file).
    Whole-graph counts are numpy passes over the edge arrays; Python loops only
    visit the nodes that are listed (placeholders, variables, outputs)."""
    graph_def = idx.graph_def
    n = len(idx)
    ops_l, names = idx.ops, idx.names
    ops = Counter(ops_l)
    consumer, src, _ = idx.flat_inputs()
    c_consumer, c_src, _ = idx.flat_inputs(control=True)
    control_edges = len(c_src)
    consumed = np.zeros(n, dtype=bool)
    consumed[src[src >= 0]] = True
    consumed[c_src[c_src >= 0]] = True
    is_const = idx.op_mask({"Const"})
    # a Const only ever read by Assign is a variable's initial value, not a parameter
    reads_const = src >= 0
    reads_const[reads_const] = is_const[src[reads_const]]
    by_init = idx.op_mask(INIT_OPS)[consumer]
    const_used = np.zeros(n, dtype=bool)
    const_used[src[reads_const & ~by_init]] = True
    init_only = np.zeros(n, dtype=bool)
    init_only[src[reads_const & by_init]] = True
    init_only &= ~const_used
    del consumer, src, c_consumer, c_src, reads_const, by_init, const_used
    inputs, variables = [], []
    params_var = params_const = 0
    devices: Counter[str] = Counter()
    params_const = _const_parameters(idx, np.flatnonzero(is_const & ~init_only).tolist())
    for i in np.flatnonzero(idx.op_mask(PLACEHOLDER_OPS | VARIABLE_OPS)).tolist():
        op = ops_l[i]
        node = idx.node(i)
        if op in PLACEHOLDER_OPS:
            inputs.append({"name": names[i], "op": op, "dtype": _attr_dtype(node),
                           "shape": _attr_shape(node)})
        else:
            shape = _attr_shape(node)
            variables.append({"name": names[i], "op": op, "dtype": _attr_dtype(node),
                              "shape": shape})
            params_var += _elements(shape) or 0
    if idx.tails or idx._raw:  # the device field, when set, starts the serialized tail
        for t, count in Counter(idx.tails).items():
            if t[:1] == b"\x22":
                length, start = _read_varint(t, 1)
                devices[t[start:start + length].decode("utf-8", "replace")] += count
    else:
        for node in graph_def.node:
            if node.device:
                devices[node.device] += 1
    outputs = [names[i] for i in
               np.flatnonzero(~consumed & ~idx.op_mask(NOT_OUTPUT_OPS)).tolist()
               if names[i] != "init" and not names[i].endswith("/init")]
    v = graph_def.versions
    result: dict[str, Any] = {
        "nodes": n,
        "ops": dict(sorted(ops.items())),
        "inputs": inputs,
        "outputs": outputs,
        "variables": variables,
        "parameters": params_var + params_const,
        "parameters_variables": params_var,
        "parameters_const": params_const,
        "control_edges": control_edges,
        "devices": dict(sorted(devices.items())),
        "versions": {"producer": v.producer, "min_consumer": v.min_consumer,
                     "bad_consumers": list(v.bad_consumers)},
        "functions": sorted(f.signature.name for f in graph_def.library.function),
        "dangling_inputs": sorted(idx.missing),
        "duplicate_names": sorted(set(idx.duplicates)),
    }
    if bloat and not idx.duplicates:
        survivor = merge_classes(idx)
        result["bloat"] = bloat_report(idx, survivor) + stateful_series(idx)
        result["removable"] = int((np.array(survivor) != np.arange(n)).sum())
    else:
        result["bloat"] = []
        result["removable"] = 0
    return result


def scope_tree(graph_def: Any, depth: int | None = None) -> dict[str, Any]:
    """Nodes per name scope: ``{"name", "nodes", "children": [...]}`` from the root
    (``name`` ""), down to ``depth`` levels (None: all). A scope's count includes
    the node named like the scope itself (``x`` for ``x/read``). Only scopes with
    something under them are listed, children sorted by name."""
    counts: Counter[str] = Counter()
    for node in graph_def.node:
        parts = node.name.split("/")
        limit = len(parts) if depth is None else min(len(parts), depth)
        for k in range(1, limit + 1):
            counts["/".join(parts[:k])] += 1
    # a prefix is a scope when some longer name extends it
    scopes = {""}
    for name in counts:
        head, sep, _ = name.rpartition("/")
        if sep:
            scopes.add(head)
    children: dict[str, list[str]] = {}
    for name in counts:
        if name in scopes:
            head = name.rpartition("/")[0]
            children.setdefault(head, []).append(name)

    def build(name: str) -> dict[str, Any]:
        kids = sorted(children.get(name, ()))
        total = counts[name] if name else sum(1 for _ in graph_def.node)
        return {"name": name, "nodes": total, "children": [build(k) for k in kids]}

    return build("")


def format_tree(tree: dict[str, Any]) -> str:
    """Indented text form of :func:`scope_tree` (counts on the left)."""
    width = len(str(tree["nodes"]))
    lines = [f"{tree['nodes']:>{width}}  (root)"]

    def walk(t: dict[str, Any], prefix: str) -> None:
        kids = t["children"]
        for k, child in enumerate(kids):
            last = k == len(kids) - 1
            label = child["name"].rpartition("/")[2] + "/"
            lines.append(f"{child['nodes']:>{width}}  {prefix}{'└── ' if last else '├── '}{label}")
            walk(child, prefix + ("    " if last else "│   "))

    walk(tree, "")
    return "\n".join(lines)


def node_info(graph_def: Any, name: str) -> dict[str, Any]:
    """One node: op, device, inputs (with their ops), control inputs, consumers
    (with the input they use) and attrs as text.

    Raises:
        InvalidGraphError: no node has that name.
    """
    with paused_gc():
        idx = GraphIndex(graph_def, allow_duplicates=True)
    i = idx.index.get(name)
    if i is None:
        raise InvalidGraphError("no such node in the graph", node=name)
    node = idx.node(i)
    consumers = []
    for c in range(len(idx)):
        for s, p in idx.data[c]:
            if s == i:
                consumers.append({"node": idx.names[c], "input": format_input(name, p)})
        if i in idx.ctrl[c]:
            consumers.append({"node": idx.names[c], "input": "^" + name})
    return {
        "name": name, "op": node.op, "device": node.device,
        "inputs": [{"input": format_input(idx.name_of(s), p),
                    "op": idx.ops[s] if s >= 0 else None} for s, p in idx.data[i]],
        "control_inputs": [idx.name_of(s) for s in idx.ctrl[i]],
        "consumers": consumers,
        "attrs": {k: describe_attr(node.attr[k]) for k in sorted(node.attr)},
    }


def format_node(info: dict[str, Any]) -> str:
    lines = [f"node {info['name']} ({info['op']})"]
    if info["device"]:
        lines.append(f"  device: {info['device']}")
    for k, v in info["attrs"].items():
        lines.append(f"  attr {k}: {v}")
    lines.append(f"  inputs ({len(info['inputs'])}):")
    for x in info["inputs"]:
        lines.append(f"    {x['input']}" + (f" ({x['op']})" if x["op"] else " (missing)"))
    if info["control_inputs"]:
        lines.append(f"  control inputs ({len(info['control_inputs'])}):")
        lines.extend(f"    ^{c}" for c in info["control_inputs"])
    lines.append(f"  consumers ({len(info['consumers'])}):")
    lines.extend(f"    {c['node']} <- {c['input']}" for c in info["consumers"])
    return "\n".join(lines)


def _shape_text(shape: list[int] | None) -> str:
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d < 0 else str(d) for d in shape) + "]"


def format_summary(s: dict[str, Any], label: str = "") -> str:
    """The text ``graphdef show`` prints for a :func:`summarize` result."""
    lines = []
    if label:
        lines.append(f"== {label}")
    lines.append(f"nodes: {s['nodes']}   control edges: {s['control_edges']}   "
                 f"parameters: {s['parameters']:,}")
    v = s["versions"]
    lines.append(f"versions: producer {v['producer']}, min_consumer {v['min_consumer']}")
    lines.append(f"inputs ({len(s['inputs'])}):")
    lines.extend(f"  {x['name']}: {x['dtype']} {_shape_text(x['shape'])}" for x in s["inputs"])
    outs = s["outputs"]
    shown = outs[:20]
    lines.append(f"likely outputs ({len(outs)}): " + ", ".join(shown)
                 + (", ..." if len(outs) > len(shown) else ""))
    if s["variables"]:
        lines.append(f"variables ({len(s['variables'])}):")
        lines.extend(f"  {x['name']}: {x['dtype']} {_shape_text(x['shape'])}"
                     for x in s["variables"][:50])
        if len(s["variables"]) > 50:
            lines.append(f"  ... {len(s['variables']) - 50} more")
    lines.append(f"ops ({len(s['ops'])} types):")
    for op, c in sorted(s["ops"].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {c:>8}  {op}")
    if s["devices"]:
        lines.append("devices:")
        lines.extend(f"  {c:>8}  {d}" for d, c in s["devices"].items())
    if s["functions"]:
        lines.append(f"library functions ({len(s['functions'])}): " + ", ".join(s["functions"]))
    if s["dangling_inputs"]:
        lines.append(f"inputs naming no node ({len(s['dangling_inputs'])}): "
                     + ", ".join(s["dangling_inputs"][:20]))
    if s["duplicate_names"]:
        lines.append("duplicate node names: " + ", ".join(s["duplicate_names"][:20]))
    if s["bloat"]:
        lines.append(f"bloat: dedupe would remove {s['removable']} of {s['nodes']} nodes")
        for e in s["bloat"][:30]:
            per = f", {e['subgraph_nodes']} nodes each" if e["subgraph_nodes"] > 1 else ""
            why = " (stateful: dedupe keeps them)" if e.get("stateful") else ""
            lines.append(f"  {e['series']}: {e['count']} identical copies{per}, "
                         f"{e['removable']} removable{why}")
        if len(s["bloat"]) > 30:
            lines.append(f"  ... {len(s['bloat']) - 30} more series")
    else:
        lines.append("bloat: none (no duplicate nodes)")
    return "\n".join(lines)


def show(graph_def: Any, tree_depth: int | None = None, node: str | None = None,
         tree: bool = False) -> str:
    """The text of ``graphdef show``: the summary, or with ``tree`` the scope tree,
    or with ``node`` one node."""
    if node is not None:
        return format_node(node_info(graph_def, node))
    if tree:
        return format_tree(scope_tree(graph_def, tree_depth))
    return format_summary(summarize(graph_def))


__all__ = ["summarize", "summarize_index", "show", "scope_tree", "node_info", "bloat_report", "format_summary",
           "format_tree", "format_node"]
