"""Execution plans: pruning, ordering, each node once, control inputs, caching,
constant folding, and the bad-graph errors (each naming the node, before running)."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError, InvalidGraphError, UnknownOpError
from graphdef.runtime import Session, run_graph
from graphdef.runtime.kernels import REGISTRY, KernelDef
from graphdef.runtime.graph_view import parse_input, parse_tensor_name, view_of
from graphdef.runtime.plan import build_plan
from test_kernels_state import const, gd, node

F = 'T="type: DT_FLOAT"'


def chain() -> str:
    return (node("x", "Placeholder", dtype="type: DT_FLOAT") + const("c", 2.0)
            + node("a", "Mul", "x", "c", T="type: DT_FLOAT")
            + node("b", "AddV2", "a", "a", T="type: DT_FLOAT")
            + node("unused", "Unknown_Op_Never_Run", "x"))


def test_parse_names():
    assert parse_input("^a/b") == ("a/b", -1, True)
    assert parse_input("a:2") == ("a", 2, False)
    assert parse_input("a") == ("a", 0, False)
    assert parse_input("scope:x") == ("scope:x", 0, False)
    assert parse_tensor_name("add:0") == ("add", 0)
    assert parse_tensor_name("init") == ("init", None)


def test_prunes_to_what_fetches_need_in_dependency_order():
    g = gd(chain())
    g.node.reverse()   # consumers before producers, as in frozen TF graphs
    plan = build_plan(view_of(g), [("b", 0)], [], [("x", 0)])
    assert "unused" not in plan.nodes   # an unknown op off the fetched path is never looked at
    assert plan.nodes.index("a") < plan.nodes.index("b")
    assert plan.fn(np.float32(3.0)) == 12.0


def test_each_node_runs_once_and_control_inputs_run_first():
    calls = []

    def counting(x):
        calls.append(float(x))
        return x
    REGISTRY["TestCount"] = KernelDef(("TestCount",), counting)
    try:
        g = gd(const("c", 1.0) + node("n", "TestCount", "c")
               + node("m", "TestCount", "c", "^side")
               + node("side", "TestCount", "c")
               + node("s", "AddV2", "n", "n", T="type: DT_FLOAT")
               + node("t", "AddV2", "s", "m", T="type: DT_FLOAT"))
        with Session(g) as sess:
            assert sess.run(["t:0", "s:0", "n:0", "t:0"]) == [3.0, 2.0, 1.0, 3.0]
            assert len(calls) == 3          # n, side, m: each once though n is used 3 times
            calls.clear()
            assert sess.run("m:0") == 1.0
            assert len(calls) == 2          # side (a control input) ran too
    finally:
        del REGISTRY["TestCount"]


def test_feeding_an_intermediate_prunes_its_inputs():
    g = gd(chain())
    # x is not fed: 'a' is, so x is never needed
    assert run_graph(g, ["b:0"], {"a:0": np.float32(5)})[0] == 10


def test_plan_is_cached_per_fetch_and_feed_set():
    g = gd(chain())
    with Session(g) as s:
        s.run("b:0", {"x:0": 1.0})
        s.run("b:0", {"x:0": 2.0})
        assert len(s._single) == 1
        s.run("b:0", {"a:0": 2.0})
        assert len(s._single) == 2


def test_constant_folding_keeps_fetched_nodes_and_state():
    g = gd(const("c", 2.0) + const("d", 3.0)
           + node("cd", "Mul", "c", "d", T="type: DT_FLOAT")
           + node("x", "Placeholder", dtype="type: DT_FLOAT")
           + node("y", "Mul", "x", "cd", T="type: DT_FLOAT"))
    plan = build_plan(view_of(g), [("y", 0)], [], [("x", 0)])
    assert plan.source.count("try:") == 1       # only y runs per call: cd was folded
    assert plan.fn(np.float32(1.0)) == 6.0
    plan2 = build_plan(view_of(g), [("cd", 0)], [], [])
    assert plan2.source.count("try:") == 1       # a fetched node is computed, not folded
    assert plan2.fn() == 6.0


BAD = {
    "cycle": (node("x", "Placeholder", dtype="type: DT_FLOAT")
              + node("a", "AddV2", "x", "b", T="type: DT_FLOAT")
              + node("b", "Neg", "a", T="type: DT_FLOAT"),
              "b", InvalidGraphError, r"node '(a|b)': graph contains a cycle: (a -> b -> a|b -> a -> b)"),
    "dangling": (const("c", 1.0) + node("b", "Neg", "nowhere", T="type: DT_FLOAT"),
                 "b", InvalidGraphError, r"node 'b': input 'nowhere' refers to a node that does not exist"),
    "output_index": (const("c", 1.0) + node("b", "Neg", "c:1", T="type: DT_FLOAT"),
                     "b", InvalidGraphError, r"node 'b': input 'c:1' refers to output 1 of 'c', which has only 1 output"),
    "unknown_op": (const("c", 1.0) + node("b", "FancyOp", "c"),
                   "b", UnknownOpError, r"node 'b' \(FancyOp\): no kernel for op type 'FancyOp'"),
    "unfed": (node("x", "Placeholder", dtype="type: DT_FLOAT", shape="shape { dim { size: -1 } dim { size: 2 } }")
              + node("b", "Neg", "x", T="type: DT_FLOAT"),
              "b", InvalidArgumentError, r"node 'x' \(Placeholder\): You must feed a value for placeholder tensor 'x' "
              r"with dtype float32 and shape \[\?,2\]"),
    "kernel_failure": (const("c", [1.0, 2.0]) + const("s", [3], "DT_INT32")
                       + node("b", "Reshape", "c", "s", T="type: DT_FLOAT"),
                       "b", InvalidArgumentError, r"node 'b' \(Reshape\): Input to reshape is a tensor with 2 values"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_graphs_name_the_node(case):
    text, fetch, err, msg = BAD[case]
    with pytest.raises(err, match=msg):
        run_graph(gd(text), [fetch + ":0"])


def test_unknown_op_is_reported_before_anything_runs():
    calls = []
    REGISTRY["TestSide"] = KernelDef(("TestSide",), lambda: calls.append(1) or np.float32(0))
    try:
        g = gd(node("first", "TestSide") + node("b", "FancyOp", "^first"))
        with pytest.raises(UnknownOpError):
            run_graph(g, ["b:0"])
        assert calls == []
    finally:
        del REGISTRY["TestSide"]


def test_duplicate_node_names():
    with pytest.raises(InvalidGraphError, match="node 'c': duplicate node name"):
        Session(gd(const("c", 1.0) + const("c", 2.0)))


def test_kernel_failure_inside_a_model_names_the_node():
    g = gd(node("x", "Placeholder", dtype="type: DT_FLOAT")
           + node("y", "Placeholder", dtype="type: DT_FLOAT")
           + node("m", "MatMul", "x", "y", T="type: DT_FLOAT"))
    with pytest.raises(InvalidArgumentError, match=r"node 'm' \(MatMul\)"):
        run_graph(g, ["m:0"], {"x": np.ones((2, 3), np.float32), "y": np.ones((2, 3), np.float32)})


def test_noop_has_no_outputs():
    g = gd(node("tick", "NoOp"))
    with Session(g) as s:
        assert s.run("tick") is None
        with pytest.raises(InvalidGraphError, match="fetch 'tick:0' refers to output 0 of 'tick', which has only 0 outputs"):
            s.run("tick:0")
