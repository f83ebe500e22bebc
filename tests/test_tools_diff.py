"""graphdef.diff: semantic comparison, every difference, renames by structure."""
from __future__ import annotations

import random
from pathlib import Path

import click
import pytest

import graphdef
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.tools.diff import diff
from graphdef.tools.synth import lazy_loading_graph

from conftest import SAMPLES, all_graph_files, corpus_files, ids, sample_files

DT_FLOAT, DT_INT32 = 1, 3


def copy(g: GraphDef) -> GraphDef:
    out = GraphDef()
    out.CopyFrom(g)
    return out


def by_name(g: GraphDef, name: str):
    return next(n for n in g.node if n.name == name)


@pytest.mark.parametrize("path", all_graph_files(), ids=ids(all_graph_files()))
def test_every_graph_equals_itself(path: Path):
    g = graphdef.load(path)
    r = diff(g, copy(g))
    assert r.equal and r.count == 0 and not r
    assert r.to_json()["equal"] is True


def test_node_order_does_not_count(lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    shuffled = copy(g)
    nodes = list(shuffled.node)
    random.Random(1).shuffle(nodes)
    del shuffled.node[:]
    shuffled.node.extend(nodes)
    assert diff(g, shuffled).equal


def test_tensor_encoding_and_control_order_do_not_count():
    g = graphdef.load(SAMPLES / "linear_regression.pbtxt")
    h = copy(g)
    for n in h.node:
        if n.op == "Const":
            t = n.attr["value"].tensor
            if t.dtype == DT_FLOAT and len(t.float_val) == 1 and not t.tensor_shape.dim:
                v = t.float_val[0]
                t.ClearField("float_val")
                import struct
                t.tensor_content = struct.pack("<f", v)
        ctrl = [i for i in n.input if i.startswith("^")]
        if len(ctrl) > 1:
            data = [i for i in n.input if not i.startswith("^")]
            del n.input[:]
            n.input.extend(data + ctrl[::-1])
        data = [i + ":0" if not i.startswith("^") and ":" not in i else i for i in n.input]
        del n.input[:]
        n.input.extend(data)
    assert diff(g, h).equal


def test_all_differences_reported():
    a = graphdef.load(SAMPLES / "normal_loading.pbtxt")
    b = copy(a)
    add = by_name(b, "Add")
    add.op = "AddV2"
    add.attr["T"].type = DT_FLOAT
    add.device = "/device:CPU:0"
    by_name(b, "init").input.append("^Add")
    by_name(b, "x/initial_value").attr["value"].tensor.int_val[0] = 11
    n = b.node.add(name="extra", op="NoOp")
    r = diff(a, b)
    assert r.added == ["extra"] and r.removed == [] and r.renamed == []
    changes = {c.node: c.fields for c in r.changed}
    assert changes == {"Add": ["op", "device", "attr.T"], "init": ["control_input"],
                       "x/initial_value": ["attr.value"]}
    j = r.to_json()
    assert j["equal"] is False and j["added"] == ["extra"]
    assert [(c["node"], c["fields"]) for c in j["changed"]] == [
        ("x/initial_value", ["attr.value"]), ("Add", ["op", "device", "attr.T"]),
        ("init", ["control_input"])]
    detail = next(c for c in r.changed if c.node == "x/initial_value").details[0]
    assert detail == ("attr value", "int32[] [10]", "int32[] [11]")
    assert n.name in r.format_text()


def test_addv2_vs_add_is_an_op_change_unless_equivalent():
    a = graphdef.load(SAMPLES / "normal_loading.pbtxt")
    b = copy(a)
    by_name(b, "Add").op = "AddV2"
    assert [c.fields for c in diff(a, b).changed] == [["op"]]
    assert diff(a, b, equivalent_ops=True).equal


def test_ignore_attr_and_internal():
    a = graphdef.load(SAMPLES / "lazy_loading.pbtxt")
    b = copy(a)
    by_name(b, "x/read").attr["_class"].list.s[0] = b"loc:@y"
    by_name(b, "Add").attr["T"].type = DT_FLOAT
    assert {c.node for c in diff(a, b).changed} == {"x/read", "Add"}
    assert {c.node for c in diff(a, b, ignore_internal=True).changed} == {"Add"}
    assert diff(a, b, ignore_internal=True, ignore_attrs=["T"]).equal


def test_removed_nodes():
    r = diff(graphdef.load(SAMPLES / "lazy_loading.pbtxt"),
             graphdef.load(SAMPLES / "normal_loading.pbtxt"))
    assert r.removed == [f"Add_{i}" for i in range(1, 10)]
    assert not r.added and not r.changed and not r.renamed


def test_lazy_loop_rerun_under_new_scope_shows_renames():
    a = lazy_loading_graph(20)
    b = lazy_loading_graph(20, scope="run2/")
    r = diff(a, b)
    assert not r.added and not r.removed and not r.changed
    assert len(r.renamed) == 60
    assert ("Add_7", "run2/Add_7") in r.renamed and ("mul_7", "run2/mul_7") in r.renamed
    assert ("mul_7/y", "run2/mul_7/y") in r.renamed
    assert r.to_json()["renamed"][0] == ["Add", "run2/Add"]
    r = diff(a, b, detect_renames=False)
    assert len(r.added) == len(r.removed) == 60 and not r.renamed


@pytest.mark.parametrize("color", [False, True])
def test_format_text_lines(color: bool):
    """Text report line by line (built with one comprehension per kind of line)."""
    from graphdef.tools.diff import DiffResult, NodeChange
    r = DiffResult(removed=["gone", "x{0}"], added=["new"], renamed=[("a", "s/a"), ("b", "s/b")],
                   changed=[NodeChange("c", "c", ["op"], [("op", "Add", "Sub")])])
    text = r.format_text("A", "B", color=color, ops_a={"gone": "Add"},
                         ops_b={"new": "Mul", "s/a": "Const"})
    def st(line: str, fg: str) -> str:
        return click.style(line, fg=fg, bold=False) if color else line

    assert text.split("\n")[2:] == [
        st("-node gone (Add)", "red"), st("-node x{0}", "red"), st("+node new (Mul)", "green"),
        st("@@ renamed a -> s/a (Const) @@", "cyan"), st("@@ renamed b -> s/b @@", "cyan"),
        st("@@ node c @@", "cyan"), st("-  op: Add", "red"), st("+  op: Sub", "green"),
        "6 differences: 1 added, 2 removed, 2 renamed, 1 changed"]


def test_format_text_op_lists_match_op_dicts():
    """The CLI's op lists (by position) give the text the name → op dicts give."""
    from graphdef.tools.canonical import GraphIndex
    from graphdef.tools.diff import diff_indices
    a = lazy_loading_graph(12)
    b = _renamed(lazy_loading_graph(12), "r/", 2, drop=5)
    b.node.add(name="extra", op="NoOp")
    ia, ib = GraphIndex(a, serialize=True), GraphIndex(b, serialize=True)
    r = diff_indices(ia, ib)
    assert r.removed and r.added and r.renamed
    dicts = r.format_text("a", "b", ops_a=dict(zip(ia.names, ia.ops)),
                          ops_b=dict(zip(ib.names, ib.ops)))
    assert r.format_text("a", "b", op_lists=r.op_lists()) == dicts
    assert "+node extra (NoOp)" in dicts
    r.added.append("more")  # edited: the positions no longer describe the lists
    assert r.op_lists() is None


def test_renamed_chain_with_a_real_change_downstream():
    a = lazy_loading_graph(3)
    b = lazy_loading_graph(3, scope="s/")
    by_name(b, "s/mul_2").op = "Sub"          # the last mul differs: not a rename
    r = diff(a, b)
    assert r.removed == ["mul_2"] and r.added == ["s/mul_2"]
    assert len(r.renamed) == 8


def test_graph_level_differences():
    a = graphdef.load(SAMPLES / "normal_loading.pbtxt")
    b = copy(a)
    b.versions.producer = 1
    b.library.function.add().signature.name = "f"
    r = diff(a, b)
    assert r.graph == ["versions", "library.function.f added"] and not r.equal


def test_duplicate_names_are_an_error():
    g = GraphDef()
    g.node.add(name="p", op="NoOp")
    g.node.add(name="p", op="NoOp")
    with pytest.raises(graphdef.errors.InvalidGraphError):
        diff(g, g)


def _renamed(g: GraphDef, prefix: str, seed: int, shuffle: bool = False, drop: int = 0,
             bases: bool = True) -> GraphDef:
    """``g`` with every node renamed ``prefix + name`` (inputs follow); optionally
    shuffled, a few nodes dropped, or base names changed for some nodes."""
    rng = random.Random(seed)
    out = copy(g)
    # nodes with control inputs keep their names (the whole-array pairing declines
    # unpaired ones; test_bulk_pairing_matches_the_loop covers both)
    new = {n.name: n.name if any(s.startswith("^") for s in n.input) and seed % 2 else
           prefix + n.name for n in out.node}
    if not bases:
        for k in rng.sample(sorted(new), k=max(1, len(new) // 5)):
            new[k] = prefix + "x/" + str(rng.randrange(3))
        seen: dict[str, int] = {}
        for k in new:  # keep names unique
            c = seen.setdefault(new[k], 0)
            seen[new[k]] = c + 1
            if c:
                new[k] = f"{new[k]}_{c}"
    for n in out.node:
        n.name = new[n.name]
        for k, s in enumerate(n.input):
            ctrl = s.startswith("^")
            nm, _, port = s.lstrip("^").partition(":")
            if nm in new:
                n.input[k] = ("^" if ctrl else "") + new[nm] + (":" + port if port else "")
    nodes = list(out.node)
    for _ in range(min(drop, len(nodes))):
        nodes.pop(rng.randrange(len(nodes)))
    if shuffle:
        rng.shuffle(nodes)
    del out.node[:]
    out.node.extend(nodes)
    return out


def _pairing_cases() -> list[tuple[str, GraphDef, GraphDef, dict]]:
    lazy = lazy_loading_graph(40)
    cases = [("gen_lazy", lazy, lazy_loading_graph(40, scope="run2/"), {}),
             ("gen_lazy_shuffled_b", lazy, _renamed(lazy, "r/", 1, shuffle=True), {}),
             ("gen_lazy_dropped", lazy, _renamed(lazy, "r/", 2, drop=7), {}),
             ("gen_lazy_other_bases", lazy, _renamed(lazy, "r/", 3, bases=False), {}),
             ("gen_lazy_equivalent_ops", lazy, _renamed(lazy, "r/", 4), {"equivalent_ops": True}),
             ("gen_lazy_ignore_T", lazy, _renamed(lazy, "r/", 5), {"ignore_attrs": ("T",)})]
    for p in sample_files()[:3] + corpus_files()[:4]:
        g = graphdef.load(p)
        cases.append((p.name, g, _renamed(g, "s/", 6, shuffle=True, drop=3), {}))
        cases.append((p.name + "_bases", g, _renamed(g, "s/", 7, bases=False), {}))
    return cases


@pytest.mark.parametrize("max_waves", [64, 1])
@pytest.mark.parametrize("case", _pairing_cases(), ids=lambda c: c[0])
def test_bulk_pairing_matches_the_loop(case, max_waves: int, monkeypatch):
    """graphdef.tools.pairing (whole-array waves) pairs exactly like the per-node
    loop, also when it hands over to the loop after a wave or declines."""
    from graphdef.tools import pairing
    from graphdef.tools.canonical import GraphIndex
    from graphdef.tools.diff import _Differ
    name, a, b, opts = case
    monkeypatch.setattr(pairing, "MIN_UNPAIRED", 0)
    monkeypatch.setattr(pairing, "MAX_WAVES", max_waves)
    results = []
    declined = None
    for bulk in (True, False):
        d = _Differ(GraphIndex(a, serialize=True), GraphIndex(b, serialize=True),
                    opts.get("ignore_attrs", ()), False, opts.get("equivalent_ops", False), True)
        d.pair_by_name()
        if bulk:
            n = pairing.pair_bulk(d)
            declined = n is None
            if declined:
                n = d.pair_by_structure(bulk=False)
        else:
            n = d.pair_by_structure(bulk=False)
        results.append((n, list(d.a2b), list(d.b2a), bytes(d.renamed)))
    assert results[0] == results[1]
    if name.startswith("gen_"):
        assert results[0][0] > 0
        assert declined == (name in ("gen_lazy_dropped", "gen_lazy_equivalent_ops"))  # ^init
