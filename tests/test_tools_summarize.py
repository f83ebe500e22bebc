"""graphdef.summarize / show / scope_tree / node_info and the shared canonical form."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import graphdef
from graphdef._proto.graph_pb2 import GraphDef
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef.tensors import make_tensor_proto
from graphdef.tools.canonical import (GraphIndex, attr_value_key, can_merge_op, format_input,
                                      split_input)
from graphdef.tools.summarize import node_info, scope_tree, show, summarize
from graphdef.tools.synth import lazy_loading_graph

from conftest import MODELS_DIR, SAMPLES, all_graph_files, ids


def test_lazy_loading_summary(lazy_loading_path: Path):
    s = summarize(graphdef.load(lazy_loading_path))
    assert s["nodes"] == 19
    assert s["ops"] == {"Add": 10, "Assign": 2, "Const": 2, "Identity": 2, "NoOp": 1,
                        "VariableV2": 2}
    assert s["inputs"] == []
    assert s["outputs"] == ["Add"] + [f"Add_{i}" for i in range(1, 10)]
    assert [(v["name"], v["dtype"], v["shape"]) for v in s["variables"]] == \
        [("x", "int32", []), ("y", "int32", [])]
    assert s["parameters"] == 2           # two scalar variables; initial values not counted
    assert s["control_edges"] == 2
    assert s["bloat"] == [{"series": "Add", "count": 10, "removable": 9, "subgraph_nodes": 1}]
    assert s["removable"] == 9
    assert s["versions"]["producer"] == 2474
    json.dumps(s)  # JSON-ready


def test_bloat_of_duplicate_subgraphs():
    s = summarize(lazy_loading_graph(8))
    assert s["bloat"] == [{"series": "mul", "count": 8, "removable": 21, "subgraph_nodes": 3}]
    assert s["removable"] == 21


def test_placeholders_and_parameters_of_a_model():
    s = summarize(graphdef.load(MODELS_DIR / "text_cnn.pb"))
    assert s["inputs"] == [{"name": "ids", "op": "Placeholder", "dtype": "int32",
                            "shape": [-1, 20]}]
    assert "Identity" in s["outputs"]
    # Embedding 64x12 + Conv1D 3x12x16 + 16 + Dense 16x4 + 4, plus small shape constants
    assert s["parameters"] >= 64 * 12 + 3 * 12 * 16 + 16 + 16 * 4 + 4


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_every_graph_summarizes(path: Path):
    g = graphdef.load(path)
    s = summarize(g)
    assert s["nodes"] == len(g.node) and sum(s["ops"].values()) == len(g.node)
    assert 0 <= s["removable"] < max(len(g.node), 1)
    assert isinstance(show(g), str)


def test_devices_functions_and_dangling():
    g = GraphDef()
    g.node.add(name="a", op="NoOp", device="/device:CPU:0")
    g.node.add(name="b", op="Identity", input=["ghost:1"], device="/device:CPU:0")
    g.library.function.add().signature.name = "fn"
    s = summarize(g)
    assert s["devices"] == {"/device:CPU:0": 2}
    assert s["functions"] == ["fn"] and s["dangling_inputs"] == ["ghost"]


def test_scope_tree_counts_and_depth():
    g = graphdef.load(SAMPLES / "linear_regression.pbtxt")
    t = scope_tree(g)
    assert t["name"] == "" and t["nodes"] == len(g.node)
    for child in t["children"]:
        prefix = child["name"]
        assert child["nodes"] == sum(1 for n in g.node
                                     if n.name == prefix or n.name.startswith(prefix + "/"))
    flat = scope_tree(g, depth=1)
    assert all(not c["children"] for c in flat["children"])
    assert "(root)" in show(g, tree=True)


def test_node_info_inputs_and_consumers(lazy_loading_path: Path):
    info = node_info(graphdef.load(lazy_loading_path), "x/read")
    assert info["op"] == "Identity"
    assert info["inputs"] == [{"input": "x", "op": "VariableV2"}]
    assert [c["node"] for c in info["consumers"]] == ["Add"] + [f"Add_{i}" for i in range(1, 10)]
    init = node_info(graphdef.load(lazy_loading_path), "x/Assign")
    assert init["consumers"] == [{"node": "init", "input": "^x/Assign"}]
    with pytest.raises(graphdef.errors.InvalidGraphError, match="nope"):
        node_info(graphdef.load(lazy_loading_path), "nope")


# --------------------------------------------------------------------------
# canonical form
# --------------------------------------------------------------------------

@pytest.mark.parametrize("s,parsed", [("x", ("x", 0)), ("x:0", ("x", 0)), ("a/b:2", ("a/b", 2)),
                                      ("^c", ("c", -1)), ("odd:name", ("odd:name", 0))])
def test_split_and_format_input(s: str, parsed):
    assert split_input(s) == parsed
    name, port = parsed
    assert split_input(format_input(name, port)) == parsed


def test_attr_key_decodes_tensors():
    a = graphdef.AttrValue()
    a.tensor.CopyFrom(make_tensor_proto(np.array([5, 5, 5], np.int32)))
    b = graphdef.AttrValue()
    b.tensor.dtype = a.tensor.dtype
    b.tensor.tensor_shape.CopyFrom(a.tensor.tensor_shape)
    b.tensor.int_val.append(5)
    assert a != b and attr_value_key(a) == attr_value_key(b)
    b.tensor.int_val[0] = 6
    assert attr_value_key(a) != attr_value_key(b)


@pytest.mark.parametrize("op,ok", [("Add", True), ("Const", True), ("Identity", True),
                                   ("Placeholder", False), ("VariableV2", False),
                                   ("AssignSub", False), ("RandomUniformInt", False),
                                   ("PaddingFIFOQueueV2", False), ("_Recv", False),
                                   ("NextIteration", False), ("StatelessRandomNormal", True)])
def test_merge_lists(op: str, ok: bool):
    assert can_merge_op(op) is ok


def test_graph_index_forward_references_and_duplicates():
    g = GraphDef()
    g.node.add(name="b", op="Neg", input=["a:1", "^c", "ghost"])
    g.node.add(name="a", op="Split")
    idx = GraphIndex(g)
    assert not idx.topological
    assert idx.data[0] == ((1, 1), (-2, 0)) and idx.ctrl[0] == (-1,)
    assert idx.missing == ["c", "ghost"]
    assert idx.topo_order() == [1, 0]
    g.node.add(name="a", op="NoOp")
    with pytest.raises(graphdef.errors.InvalidGraphError, match="'a'"):
        GraphIndex(g)
    assert GraphIndex(g, allow_duplicates=True).duplicates == ["a"]


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_graph_index_from_bytes_matches_messages(path: Path):
    g = graphdef.load(path)
    fast = GraphIndex(g, serialize=True, allow_duplicates=True)
    slow = GraphIndex(g, serialize=True, allow_duplicates=True, from_bytes=False)
    for attr in ("names", "ops", "data", "ctrl", "missing", "topological", "duplicates",
                 "serial", "tails", "index"):
        assert getattr(fast, attr) == getattr(slow, attr), attr


_INDEX_FIELDS = ("names", "ops", "data", "ctrl", "missing", "topological", "duplicates",
                 "tails", "index")


def _flat_ok(idx: GraphIndex) -> None:
    """The edge arrays an index may have made early equal those made from its tuples."""
    for control in (False, True):
        got, want = idx.flat_inputs(control), idx._flat_inputs(control)
        assert all(np.array_equal(x, y) for x, y in zip(got, want)), control


def _same_index(a: GraphIndex, b: GraphIndex) -> None:
    _flat_ok(a)
    _flat_ok(b)
    for attr in _INDEX_FIELDS:
        assert getattr(a, attr) == getattr(b, attr), attr
    assert list(a.serial) == list(b.serial)
    assert a.graph_def == b.graph_def or not a._raw


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_bulk_scan_matches_field_loop(path: Path, monkeypatch):
    """The numpy walk (wire_scan) and the field-by-field loop give the same index, for
    the message path and for raw bytes (attr maps unsorted), and the walk is taken."""
    from graphdef.tools.wire_scan import scan_nodes
    g = graphdef.load(path)
    raw = g.SerializeToString()
    assert scan_nodes(raw) is not None
    bulk = (GraphIndex(g, serialize=True, allow_duplicates=True),
            GraphIndex.from_wire(raw, allow_duplicates=True),
            GraphIndex.from_wire(raw, allow_duplicates=True, lazy_edges=True))
    monkeypatch.setattr(GraphIndex, "use_bulk_scan", False)
    loop = (GraphIndex(g, serialize=True, allow_duplicates=True),
            GraphIndex.from_wire(raw, allow_duplicates=True),
            GraphIndex.from_wire(raw, allow_duplicates=True, lazy_edges=True))
    for a, b in zip(bulk, loop):
        _same_index(a, b)
    lazy = bulk[2]
    assert all(lazy.data[i] == loop[1].data[i] for i in range(0, len(lazy), 7))


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_index_parts_round_trip(path: Path):
    """to_parts → pickle → from_parts (how a worker hands an index over) keeps every
    field, and the rebuilt index gives the same nodes, summary and dedupe."""
    import pickle
    from graphdef.tools.dedupe import merge_classes
    g = graphdef.load(path)
    nul = GraphDef()
    nul.CopyFrom(g)
    if nul.node:
        nul.node[0].name += "\0"  # names joined by NUL for the hand-over: the list then
    for src, idx in ((g, GraphIndex(g, serialize=True, allow_duplicates=True)),
                     (g, GraphIndex(g, serialize=True, allow_duplicates=True, keep_serial=False)),
                     (g, GraphIndex.from_wire(g.SerializeToString(), allow_duplicates=True)),
                     (nul, GraphIndex(nul, serialize=True, allow_duplicates=True))):
        back = GraphIndex.from_parts(pickle.loads(pickle.dumps(idx.to_parts())))
        assert back.data[len(back) // 2] == idx.data[len(back) // 2]  # one tuple, made alone
        _flat_ok(back)
        for attr in _INDEX_FIELDS:
            assert getattr(back, attr) == getattr(idx, attr), attr
        assert list(back.serial) == (list(idx.serial) or [
            n.SerializeToString(deterministic=True) for n in src.node])
        assert back.graph_def.versions == g.versions
        assert back.graph_def.library == g.library
        assert [back.node(i) for i in range(len(back))] == list(src.node)
        if not idx.duplicates:
            assert merge_classes(back) == merge_classes(idx)


def _odd_graph() -> GraphDef:
    g = GraphDef()
    g.node.add(name="b", op="Neg", input=["a:1", "^c", "ghost", "b"])
    g.node.add(name="a", op="Split", device="/cpu:0")
    g.node.add(name="c", op="Neg", input=["a", "a:1", "^a", "a:0", "c:2"])
    g.node.add(name="d\u00e9j\u00e0", op="Add", input=["a", "c"]).attr["T"].type = 1
    g.node.add(name="a", op="NoOp", input=["^d\u00e9j\u00e0"])  # a repeated name
    g.library.function.add().signature.name = "f"
    g.version = 7
    g.versions.producer = 3
    return g


@pytest.mark.parametrize("variant", ["plain", "unnamed_first", "unnamed_last",
                                     "node_after_versions", "nul_in_name", "bad_utf8",
                                     "truncated"])
def test_bulk_scan_odd_layouts(variant: str, monkeypatch):
    """Layouts the numpy walk leaves to the field loop (or walks itself): same result
    either way, including rejecting what the loop rejects."""
    g = _odd_graph()
    raw = g.SerializeToString()
    unnamed = GraphDef(node=[NodeDef(op="NoOp")]).SerializeToString()
    if variant == "unnamed_first":
        raw = unnamed + raw
    elif variant == "unnamed_last":
        raw = GraphDef(node=g.node).SerializeToString() + unnamed
    elif variant == "node_after_versions":
        raw = raw + GraphDef(node=[NodeDef(name="z", op="NoOp", input=["a"])]).SerializeToString()
    elif variant == "nul_in_name":
        raw = raw + GraphDef(node=[NodeDef(name="z\0y", op="NoOp")]).SerializeToString()
    elif variant == "bad_utf8":
        raw = raw.replace(b"\x0a\x01c\x12\x03Neg", b"\x0a\x01\xff\x12\x03Neg")
    elif variant == "truncated":
        raw = raw[:-3]
    from graphdef.tools.wire_scan import scan_nodes
    assert (scan_nodes(raw) is not None) == (variant == "plain")
    bulk = GraphIndex.from_wire(raw, allow_duplicates=True)
    lazy = GraphIndex.from_wire(raw, allow_duplicates=True, lazy_edges=True)
    monkeypatch.setattr(GraphIndex, "use_bulk_scan", False)
    loop = GraphIndex.from_wire(raw, allow_duplicates=True)
    assert (bulk is None) == (loop is None) == (lazy is None)
    if bulk is not None:
        _same_index(bulk, loop)
        _same_index(lazy, loop)


def test_graph_index_from_bytes_odd_inputs():
    g = GraphDef()
    g.node.add(name="b", op="Neg", input=["a:1", "^c", "ghost", "b"])
    g.node.add(name="a", op="Split", device="/cpu:0")
    g.node.add(name="c", op="Neg", input=["a", "a:1", "^a", "a:0"])
    g.version = 7
    g.versions.producer = 3
    fast = GraphIndex(g, serialize=True)
    slow = GraphIndex(g, serialize=True, from_bytes=False)
    for attr in ("names", "ops", "data", "ctrl", "missing", "topological", "tails"):
        assert getattr(fast, attr) == getattr(slow, attr), attr
    assert fast.data[2] == ((1, 0), (1, 1), (1, 0)) and fast.ctrl[2] == (1,)


def test_stateful_series_are_shown_but_not_removable():
    """Variables made inside a loop: v, v_1, v_2 are a series dedupe must keep."""
    g = GraphDef()
    for i in range(3):
        name = "v" if i == 0 else f"v_{i}"
        n = g.node.add(name=name, op="VariableV2")
        n.attr["dtype"].type = 1
        n.attr["shape"].shape.SetInParent()
        g.node.add(name=f"{name}/read", op="Identity", input=[name]).attr["T"].type = 1
    g.node.add(name="w", op="VariableV2").attr["dtype"].type = 3   # another dtype: no series
    s = summarize(g)
    assert s["removable"] == 0
    assert s["bloat"] == [{"series": "v", "count": 3, "removable": 0, "subgraph_nodes": 1,
                           "stateful": True}]
    assert "v: 3 identical copies, 0 removable (stateful" in show(g)


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_summarize_and_diff_accept_paths_and_bytes(path: Path):
    """A path or the file's bytes give what the loaded message gives."""
    from graphdef.tools.diff import diff
    g = graphdef.load(path)
    want = summarize(g)
    assert summarize(path) == want
    assert summarize(str(path)) == want
    assert summarize(path.read_bytes()) == want
    assert summarize(g.SerializeToString()) == want
    other = lazy_loading_graph(3)
    assert diff(path, other).to_json() == diff(g, other).to_json()
    assert diff(other, path.read_bytes()).to_json() == diff(other, g).to_json()
