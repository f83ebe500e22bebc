"""graphdef.dedupe: common-subexpression elimination with the issue's exact rules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import graphdef
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.tensors import make_tensor_proto
from graphdef.tools.dedupe import dedupe
from graphdef.tools.synth import lazy_loading_graph

from conftest import MODELS_DIR, SAMPLES, corpus_files, golden_files, ids, sample_files

DT_FLOAT, DT_INT32, DT_STRING = 1, 3, 7


def node(g: GraphDef, name: str, op: str, inputs=(), T: int | None = DT_FLOAT, **attrs):
    n = g.node.add(name=name, op=op, input=list(inputs))
    if T is not None:
        n.attr["T"].type = T
    for k, v in attrs.items():
        if isinstance(v, bytes):
            n.attr[k].s = v
        elif isinstance(v, bool):
            n.attr[k].b = v
        else:
            n.attr[k].i = v
    return n


def const(g: GraphDef, name: str, value, dtype="float32", inputs=()):
    n = g.node.add(name=name, op="Const", input=list(inputs))
    t = make_tensor_proto(value, dtype=dtype)
    n.attr["dtype"].type = t.dtype
    n.attr["value"].tensor.CopyFrom(t)
    return n


def placeholders(g: GraphDef, *names: str, dtype: int = DT_FLOAT) -> None:
    for name in names:
        g.node.add(name=name, op="Placeholder").attr["dtype"].type = dtype


def names(g: GraphDef) -> list[str]:
    return [n.name for n in g.node]


def merged(report) -> dict[str, str]:
    return dict(report.merged)


# --------------------------------------------------------------------------
# the seed
# --------------------------------------------------------------------------

def test_lazy_loading_becomes_normal_loading(lazy_loading_path: Path):
    lazy = graphdef.load(lazy_loading_path)
    normal = graphdef.load(SAMPLES / "normal_loading.pbtxt")
    out, rep = dedupe(lazy)
    assert rep.nodes_before == 19 and rep.nodes_after == 10
    assert rep.merged == [(f"Add_{i}", "Add") for i in range(1, 10)]
    # equal up to node order (init comes before Add in the lazy graph)
    key = lambda n: n.name  # noqa: E731
    assert sorted(out.node, key=key) == sorted(normal.node, key=key)
    assert out.versions == normal.versions
    assert not graphdef.diff(out, normal)


def test_input_not_modified_and_order_kept(lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    before = g.SerializeToString()
    out, _ = dedupe(g)
    assert g.SerializeToString() == before
    assert names(out) == [n for n in names(g) if n in set(names(out))]


def test_nothing_to_merge_returns_equal_copy():
    g = graphdef.load(SAMPLES / "normal_loading.pbtxt")
    out, rep = dedupe(g)
    assert out == g and out is not g
    assert not rep.changed and rep.merged == []


def test_dry_run_reports_without_building():
    g = lazy_loading_graph(5)
    out, rep = dedupe(g, dry_run=True)
    assert out is g and len(rep.merged) == 12


# --------------------------------------------------------------------------
# what merges
# --------------------------------------------------------------------------

def test_chains_collapse_to_fixpoint():
    g = lazy_loading_graph(50)
    out, rep = dedupe(g)
    assert len(out.node) == 12 and rep.nodes_after == 12
    assert merged(rep)["mul_49"] == "mul" and merged(rep)["mul_7/y"] == "mul/y"
    mul = next(n for n in out.node if n.name == "mul")
    assert list(mul.input) == ["Add", "mul/y"]


def test_consumers_rewired_with_ports():
    g = GraphDef()
    placeholders(g, "p")
    node(g, "s", "Split", ["p"], num_split=2)
    node(g, "s_1", "Split", ["p"], num_split=2)
    node(g, "use", "Sub", ["s:1", "s_1:1"])
    out, rep = dedupe(g)
    assert merged(rep) == {"s_1": "s"}
    assert list(out.node[-1].input) == ["s:1", "s:1"]


@pytest.mark.parametrize("op", ["Add", "AddV2", "Mul", "Maximum", "Minimum", "Equal",
                                "NotEqual", "LogicalAnd", "LogicalOr"])
def test_commutative_ops_merge_swapped_inputs(op: str):
    g = GraphDef()
    placeholders(g, "a", "b")
    node(g, "x", op, ["a", "b"])
    node(g, "y", op, ["b", "a"])
    assert merged(dedupe(g)[1]) == {"y": "x"}


@pytest.mark.parametrize("op", ["Sub", "MatMul", "RealDiv", "Pow", "ConcatV2"])
def test_non_commutative_ops_keep_input_order(op: str):
    g = GraphDef()
    placeholders(g, "a", "b")
    node(g, "x", op, ["a", "b"])
    node(g, "y", op, ["b", "a"])
    assert dedupe(g)[1].merged == []


def test_add_on_strings_is_not_commutative():
    g = GraphDef()
    placeholders(g, "a", "b", dtype=DT_STRING)
    node(g, "x", "Add", ["a", "b"], T=DT_STRING)
    node(g, "y", "Add", ["b", "a"], T=DT_STRING)
    node(g, "z", "Add", ["a", "b"], T=DT_STRING)
    assert merged(dedupe(g)[1]) == {"z": "x"}


def test_equal_constants_in_different_encodings_merge():
    g = GraphDef()
    const(g, "c", [1.0, 2.0, 3.0])                       # tensor_content
    c2 = const(g, "c_1", [1.0, 2.0, 3.0])
    t = c2.attr["value"].tensor
    t.ClearField("tensor_content")
    t.float_val.extend([1.0, 2.0, 3.0])                  # float_val list
    const(g, "d", np.full((2, 2), 7.0, np.float32))
    d2 = const(g, "d_1", np.full((2, 2), 7.0, np.float32))
    d2.attr["value"].tensor.ClearField("tensor_content")
    d2.attr["value"].tensor.float_val.append(7.0)         # one broadcast value
    const(g, "e", [1.0, 2.0, 4.0])                       # different value
    assert merged(dedupe(g)[1]) == {"c_1": "c", "d_1": "d"}


def test_negative_zero_is_a_different_constant():
    g = GraphDef()
    const(g, "a", 0.0)
    const(g, "b", -0.0)
    assert dedupe(g)[1].merged == []


def test_different_attrs_or_device_do_not_merge():
    g = GraphDef()
    placeholders(g, "a", "b")
    node(g, "x", "MatMul", ["a", "b"], transpose_a=False)
    node(g, "y", "MatMul", ["a", "b"], transpose_a=True)
    node(g, "z", "MatMul", ["a", "b"], transpose_a=False).device = "/device:GPU:0"
    assert dedupe(g)[1].merged == []


# --------------------------------------------------------------------------
# what never merges
# --------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["Placeholder", "VariableV2", "VarHandleOp", "RandomUniform",
                                "RandomStandardNormal", "TruncatedNormal", "Multinomial",
                                "AssignAdd", "AssignVariableOp", "ReadVariableOp", "FIFOQueueV2",
                                "QueueDequeueV2", "IteratorGetNext", "_Send", "_Recv", "Enter",
                                "Exit", "NextIteration", "StatefulPartitionedCall", "Print"])
def test_stateful_ops_never_merge(op: str):
    g = GraphDef()
    placeholders(g, "p")
    node(g, "a", op, ["p"])
    node(g, "b", op, ["p"])
    assert dedupe(g)[1].merged == []


def test_reads_of_reference_variables_do_not_merge():
    g = GraphDef()
    g.node.add(name="v", op="VariableV2").attr["dtype"].type = DT_FLOAT
    node(g, "r1", "Identity", ["v"])
    node(g, "r2", "Identity", ["v"])
    assert dedupe(g)[1].merged == []


def test_differing_control_inputs_do_not_merge():
    g = GraphDef()
    placeholders(g, "a", "b")
    g.node.add(name="first", op="NoOp")
    g.node.add(name="second", op="NoOp", input=["^first"])
    node(g, "x", "Add", ["a", "b", "^first"])
    node(g, "y", "Add", ["a", "b", "^second"])
    node(g, "z", "Add", ["a", "b", "^first", "^first"])
    assert merged(dedupe(g)[1]) == {"z": "x"}


def test_control_inputs_deduplicated_and_redundant_ones_dropped():
    g = GraphDef()
    placeholders(g, "a", "b")
    const(g, "c", 1.0)
    const(g, "c_1", 1.0)
    node(g, "x", "Add", ["a", "c", "^c_1", "^b", "^b"])
    out, rep = dedupe(g)
    assert merged(rep) == {"c_1": "c"}
    x = next(n for n in out.node if n.name == "x")
    assert list(x.input) == ["a", "c", "^b"]     # ^c_1 became ^c, a data input: redundant
    assert rep.control_inputs_removed == 2


def test_colocation_attrs_follow_the_survivor():
    g = GraphDef()
    placeholders(g, "a", "b")
    node(g, "x", "Add", ["a", "b"])
    node(g, "x_1", "Add", ["a", "b"])
    n = node(g, "y", "Neg", ["x_1"])
    n.attr["_class"].list.s.append(b"loc:@x_1")
    out, _ = dedupe(g)
    y = out.node[-1]
    assert list(y.input) == ["x"] and list(y.attr["_class"].list.s) == [b"loc:@x"]


# --------------------------------------------------------------------------
# --keep
# --------------------------------------------------------------------------

def _adds(k: int) -> GraphDef:
    g = GraphDef()
    placeholders(g, "a", "b")
    for i in range(k):
        node(g, "Add" if i == 0 else f"Add_{i}", "Add", ["a", "b"])
    node(g, "out", "Neg", ["Add_2"])
    return g


def test_keep_node_survives_its_duplicates():
    out, rep = dedupe(_adds(4), keep=["Add_2"])
    assert merged(rep) == {"Add": "Add_2", "Add_1": "Add_2", "Add_3": "Add_2"}
    assert names(out) == ["a", "b", "Add_2", "out"]


def test_two_kept_nodes_never_merge_with_each_other():
    out, rep = dedupe(_adds(4), keep=["Add_1", "Add_3"])
    assert "Add_1" in names(out) and "Add_3" in names(out)
    assert "Add_1" not in merged(rep) and "Add_3" not in merged(rep)
    assert len(out.node) == 5   # a, b, two kept Adds, out
    assert set(merged(rep)) == {"Add", "Add_2"}


def test_keep_unknown_name_is_reported():
    _, rep = dedupe(_adds(2), keep=["nope"])
    assert rep.keep_not_found == ["nope"]


# --------------------------------------------------------------------------
# odd graphs
# --------------------------------------------------------------------------

def test_non_topological_order_and_dangling_inputs():
    g = GraphDef()
    node(g, "m", "Mul", ["x", "x_1"])          # consumers first
    node(g, "x", "Neg", ["p"])
    node(g, "x_1", "Neg", ["p"])
    placeholders(g, "p")
    node(g, "d", "Neg", ["ghost"])
    node(g, "d_1", "Neg", ["ghost"])
    out, rep = dedupe(g)
    assert merged(rep) == {"x_1": "x", "d_1": "d"}
    assert list(out.node[0].input) == ["x", "x"]


def test_cycles_are_left_alone():
    g = GraphDef()
    placeholders(g, "p")
    node(g, "enter", "Enter", ["p"])
    node(g, "merge", "Merge", ["enter", "next"])
    node(g, "body", "Neg", ["merge"])
    node(g, "body_1", "Neg", ["merge"])
    node(g, "next", "NextIteration", ["body"])
    out, rep = dedupe(g)
    assert merged(rep) == {"body_1": "body"}


def test_duplicate_node_names_are_an_error():
    g = GraphDef()
    placeholders(g, "p", "p")
    with pytest.raises(graphdef.errors.InvalidGraphError, match="'p'"):
        dedupe(g)


def test_big_lazy_loading_graph():
    g = lazy_loading_graph(6667)         # 20,010 nodes; timing lives in benchmarks/
    out, rep = dedupe(g)
    assert rep.nodes_before == 20010 and rep.nodes_after == 12 and len(out.node) == 12


# --------------------------------------------------------------------------
# running a graph gives the same results before and after
# --------------------------------------------------------------------------

def _feeds(g: GraphDef) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    feeds = {}
    for n in g.node:
        if n.op != "Placeholder":
            continue
        dt = graphdef.as_dtype(n.attr["dtype"].type)
        dims = [d.size for d in n.attr["shape"].shape.dim] if "shape" in n.attr else []
        if "shape" in n.attr and n.attr["shape"].shape.unknown_rank:
            dims = [2]
        shape = [2 if d < 0 else d for d in dims]
        if dt.is_floating:
            v = rng.standard_normal(shape).astype(dt.as_numpy_dtype)
        elif dt.is_integer:
            v = rng.integers(0, 3, shape).astype(dt.as_numpy_dtype)
        elif dt == graphdef.bool:
            v = rng.integers(0, 2, shape).astype(bool)
        else:
            v = np.full(shape, b"s", dtype=object)
        feeds[n.name] = v
    return feeds


def _model_feeds(path: Path) -> dict[str, np.ndarray] | None:
    io = path.with_suffix(".io")
    if not io.exists():
        return None
    inp = io.read_text().splitlines()[0]
    return {inp.split(":")[0]: np.load(path.with_suffix(".npz"))["x"]}


def _initializers(g: GraphDef) -> list[str]:
    """What initializes the variables: ``init`` when the graph has one, else every
    variable's ``X/Assign``."""
    if any(n.name == "init" and n.op == "NoOp" for n in g.node):
        return ["init"]
    return [n.name for n in g.node if n.op == "Assign" and n.name.endswith("/Assign")]


def _run(g: GraphDef, fetches: list[str], feeds: dict[str, np.ndarray]) -> list:
    from graphdef.runtime import Session, run_graph
    init = _initializers(g)
    if not init:
        return run_graph(g, fetches, feeds)
    sess = Session(graph=g)           # variables need their initializer first
    try:
        sess.run(init)
        return [np.asarray(v) for v in sess.run([f + ":0" for f in fetches],
                                                {k + ":0": v for k, v in feeds.items()})]
    finally:
        sess.close()


RUNNABLE = sample_files() + golden_files() + sorted(MODELS_DIR.glob("*.pb"))


@pytest.mark.parametrize("path", RUNNABLE, ids=ids(RUNNABLE))
def test_results_identical_after_dedupe(path: Path):
    """Every sample, shared model and conformance golden: the likely outputs and every
    merged node (fetched as its survivor) give identical values before and after."""
    runtime = pytest.importorskip("graphdef.runtime")
    if not hasattr(runtime, "run_graph"):
        pytest.skip("graphdef.runtime.run_graph is not available yet")
    g = graphdef.load(path)
    out, rep = dedupe(g)
    feeds = _model_feeds(path) or _feeds(g)
    s = graphdef.summarize(g, bloat=False)
    fetches = list(dict.fromkeys(s["outputs"] + [a for a, _ in rep.merged]))[:40]
    if not fetches:   # e.g. a graph of constants only
        fetches = [n.name for n in g.node if n.op not in ("NoOp", "Assign")][:40]
    # fetch what runs on the original; skip ops the interpreter does not have
    ok = []
    for f in fetches:
        try:
            _run(g, [f], feeds)
            ok.append(f)
        except graphdef.GraphDefError:
            continue
    assert ok, f"nothing in {path.name} runs in the interpreter"
    survivors = dict(rep.merged)
    before = _run(g, ok, feeds)
    after = _run(out, [survivors.get(f, f) for f in ok], feeds)
    for f, x, y in zip(ok, before, after):
        if x.dtype == object:
            assert x.tolist() == y.tolist(), f
        else:
            np.testing.assert_array_equal(x, y, err_msg=f)


# --- tensor keys without numpy ------------------------------------------------------
def _tensor_cases() -> list:
    """Tensors whose canonical key ``tensor_key`` makes itself, and its edge cases:
    encodings of one value, padding with the last value, empty and NaN values, bad
    sizes, ref and other dtypes (handed to ``canonical_bytes``)."""
    from graphdef._proto.tensor_pb2 import TensorProto
    cases = [make_tensor_proto(v, dtype=d) for v, d in [
        (2, "int32"), ([1, 2, 3], "int32"), ([[1, 2], [3, 4]], "int64"), (0.5, "float32"),
        ([0.0, -0.0], "float32"), ([1.5, 2.5], "float64"), ([True, False], "bool"),
        (np.full((3, 4), 7, np.int32), "int32"), (np.arange(5000, dtype=np.float32), "float32"),
        (float("nan"), "float32"), ([1, 2], "int8"), (["a", "bc"], "string"), (3, "uint16")]]
    for text in [
            'dtype: DT_INT32 tensor_shape { dim { size: 3 } } int_val: 7',        # splat
            'dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }',   # zeros
            'dtype: DT_INT32 tensor_shape { dim { size: 2 } } tensor_content: "\\001\\000\\000\\000\\002\\000\\000\\000"',
            'dtype: DT_INT32 tensor_shape { dim { size: 3 } } tensor_content: "\\001\\000"',
            'dtype: DT_INT32 tensor_shape { dim { size: 1 } } int_val: 1 int_val: 2',
            'dtype: DT_INT64 tensor_shape { dim { size: 0 } }',
            'dtype: DT_FLOAT tensor_shape { unknown_rank: true } float_val: 1',
            'dtype: DT_FLOAT tensor_shape { dim { size: -1 } } float_val: 1',
            'dtype: DT_FLOAT_REF tensor_shape { } float_val: 1',
            'dtype: DT_BOOL tensor_shape { dim { size: 2 } } tensor_content: "\\001\\002"',
            'dtype: DT_DOUBLE tensor_shape { dim { size: 2 } } double_val: 1 double_val: nan']:
        from google.protobuf import text_format
        cases.append(text_format.Parse(text, TensorProto()))
    for path in sample_files() + golden_files():
        g = graphdef.load(path)
        cases += [n.attr["value"].tensor for n in g.node if n.attr["value"].HasField("tensor")]
    return cases


def test_tensor_key_is_canonical_bytes():
    from graphdef.tensors import canonical_bytes
    from graphdef.tools.canonical import tensor_key
    cases = _tensor_cases()
    assert len(cases) > 20
    for t in cases:
        assert tensor_key(t) == canonical_bytes(t), str(t)


def test_equal_tensors_in_other_encodings_get_one_key():
    from graphdef.tools.canonical import tensor_key
    a = make_tensor_proto(np.array([1, 2, 3], np.int32))   # tensor_content
    b = make_tensor_proto([1, 2, 3], dtype="int32")
    b.ClearField("tensor_content")
    b.int_val.extend([1, 2, 3])
    assert a.tensor_content and not b.tensor_content
    assert tensor_key(a) == tensor_key(b)


# --- the index of a text graph, read from its blocks ----------------------------------
_ODD_TEXT = {
    "ports_control_forward_dangling": 'node {\n  name: "b"\n  op: "Neg"\n  input: "a:1"\n'
    '  input: "^c"\n  input: "ghost"\n  input: "b"\n}\nnode {\n  name: "a"\n  op: "Split"\n'
    '}\nnode {\n  name: "c"\n  op: "Neg"\n  input: "a"\n  input: "a:1"\n'
    '  input: "^a"\n  input: "a:0"\n}\nnode {\n  name: "d"\n  op: "Neg"\n  input: "a"\n'
    '  input: "a:1"\n  input: "^a"\n  input: "a:0"\n}\nversions {\n  producer: 7\n}\n',
    "device": 'node {\n  name: "a"\n  op: "Const"\n  device: "/cpu:0"\n}\n',
    "input_after_attr": 'node {\n  name: "a"\n  op: "Const"\n}\nnode {\n  name: "b"\n'
    '  op: "Neg"\n  attr {\n    key: "T"\n    value {\n      type: DT_FLOAT\n    }\n  }\n'
    '  input: "a"\n}\n',
    "unsorted_attrs": 'node {\n  name: "a"\n  op: "Const"\n  attr {\n    key: "value"\n'
    '    value {\n      i: 1\n    }\n  }\n  attr {\n    key: "dtype"\n    value {\n'
    '      type: DT_INT32\n    }\n  }\n}\n',
    "name_not_first": 'node {\n  op: "Const"\n  name: "a"\n}\n',
    "name_twice": 'node {\n  name: "a"\n  op: "Const"\n  name: "b"\n}\n',
    "escaped_name": 'node {\n  name: "a\\"b"\n  op: "Const"\n}\n',
    "four_space_indent": 'node {\n    name: "a"\n    op: "Const"\n}\n',
    "no_op": 'node {\n  name: "a"\n  input: "b"\n}\nnode {\n  name: "b"\n  op: "X"\n}\n',
    "blank_line_between_nodes": 'node {\n  name: "a"\n  op: "Const"\n}\n\nnode {\n'
    '  name: "b"\n  op: "Neg"\n  input: "a"\n}\nnode {\n  name: "c"\n  op: "Neg"\n'
    '  input: "a"\n}\n',
    "name_with_port": 'node {\n  name: "a"\n  op: "Split"\n}\nnode {\n  name: "c"\n'
    '  op: "Neg"\n  input: "a:1"\n}\nnode {\n  name: "a:1"\n  op: "Split"\n}\nnode {\n'
    '  name: "d"\n  op: "Neg"\n  input: "a:1"\n}\nnode {\n  name: "e"\n  op: "Neg"\n'
    '  input: "a:1"\n}\n',
    "duplicate_names": 'node {\n  name: "a"\n  op: "Const"\n}\nnode {\n  name: "a"\n'
    '  op: "Const"\n}\nnode {\n  name: "b"\n  op: "Neg"\n  input: "a"\n}\n',
}


def _text_cases() -> list[tuple[str, str]]:
    cases = list(_ODD_TEXT.items())
    for path in sample_files() + golden_files() + corpus_files():
        data = Path(path).read_bytes()
        if graphdef.io.detect_format(data) == "pbtxt":
            cases.append((path.name, data.decode("utf-8")))
    cases.append(("lazy_loading", graphdef.dumps(lazy_loading_graph(50)).decode("utf-8")))
    return cases


@pytest.mark.parametrize("name,text", _text_cases(), ids=[c[0] for c in _text_cases()])
def test_index_from_blocks_equals_index_from_wire(name: str, text: str):
    """A text graph indexed from its blocks gives the index of its joined wire bytes
    (or declines, and the caller indexes those bytes): same fields, nodes, bytes."""
    from graphdef.io import text_to_wire
    from graphdef.io.text import text_to_blocks
    from graphdef.tools.canonical import GraphIndex
    wire = text_to_wire(text)
    blocks = text_to_blocks(text)
    if blocks is None:  # not a dump of blocks with plain `  name: "..."` first lines
        assert name not in _ODD_TEXT or name in (
            "name_not_first", "name_twice", "escaped_name", "four_space_indent",
            "blank_line_between_nodes", "device", "no_op")
        assert name != "lazy_loading"
        return
    a = GraphIndex.from_blocks(blocks, allow_duplicates=True)
    b = GraphIndex.from_wire(wire, allow_duplicates=True)
    if a is None:
        assert name == "input_after_attr" or name not in _ODD_TEXT, name
        assert name != "lazy_loading"
        return
    from graphdef.io.wire import encode_varint
    assert b"".join(b"\x0a" + encode_varint(len(s)) + s for s in a.serial) + blocks.trailer == wire
    for attr in ("names", "ops", "data", "ctrl", "missing", "topological", "duplicates",
                 "tails", "index"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert list(a.serial) == list(b.serial)
    assert a.graph_def == b.graph_def
    assert [a.node(i) for i in range(len(a))] == [b.node(i) for i in range(len(b))]


def _twin_cases() -> list:
    from graphdef.tools.synth import lazy_loading_graph
    cases = [(p.name, graphdef.load(p)) for p in sample_files() + golden_files() + corpus_files()]
    cases.append(("lazy_loading", lazy_loading_graph(40)))
    return cases


@pytest.mark.parametrize("name,g", _twin_cases(), ids=[c[0] for c in _twin_cases()])
def test_twins_merge_as_the_full_walk(name: str, g, monkeypatch):
    """The twin shortcut (a node equal to an earlier one field for field joins its
    class) gives the classes of the walk that keys every node, with and without
    structural mode."""
    import sys
    from graphdef.tools.canonical import GraphIndex
    mod = sys.modules["graphdef.tools.dedupe"]
    from graphdef.tools.canonical import index_from_bytes
    idx = GraphIndex(g, serialize=True, allow_duplicates=True)
    if idx.duplicates:
        return
    text = index_from_bytes(graphdef.dumps(g))  # twins by the text reader's body numbers
    assert text.bodies is not None or name != "lazy_loading"
    indices = [idx, text]
    fast = [(mod.merge_classes(i), mod.merge_classes(i, structural=True)) for i in indices]
    monkeypatch.setattr(mod, "USE_TWINS", False)
    assert fast == [(mod.merge_classes(i), mod.merge_classes(i, structural=True))
                    for i in indices]
    assert fast[0] == fast[1]


def test_nodes_with_one_body_but_other_edges_are_not_twins(monkeypatch):
    """``c`` and ``d`` have the same text but read different nodes (``a:1`` is output 1
    of ``a`` before a node named ``a:1`` exists): the twin shortcut must not merge them."""
    import sys
    from graphdef.tools.canonical import index_from_bytes
    mod = sys.modules["graphdef.tools.dedupe"]
    idx = index_from_bytes(_ODD_TEXT["name_with_port"].encode())
    assert idx.bodies is not None and idx.topological
    assert idx.data[1] == ((0, 1),) and idx.data[3] == idx.data[4] == ((2, 0),)
    classes = mod.merge_classes(idx)
    assert classes == [0, 1, 0, 3, 3]  # "a:1" is a copy of "a"; c reads a:1, d and e node "a:1"
    monkeypatch.setattr(mod, "USE_TWINS", False)
    assert mod.merge_classes(idx) == classes
