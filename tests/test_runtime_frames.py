"""TF1 while loops (Enter/Merge/Switch/LoopCond/NextIteration/Exit) through the frame
executor: counters, loop invariants, nested loops, a loop inside a cond."""
from __future__ import annotations

import numpy as np
import pytest

from graphdef.errors import InvalidArgumentError
from graphdef.runtime import Session
from test_kernels_state import const, gd, node

I = 'type: DT_INT32'
F = 'type: DT_FLOAT'


def while_loop(p: str, limit_node: str, init_i: str, init_acc: str, step: str, frame: str,
               t_acc: str = F) -> str:
    """i, acc = init; while i < limit: i += 1; acc += step (step a loop invariant)."""
    fr = f's: "{frame}"'
    return (node(f"{p}/Enter", "Enter", init_i, T=I, frame_name=fr)
            + node(f"{p}/Enter_1", "Enter", init_acc, T=t_acc, frame_name=fr)
            + node(f"{p}/Enter_2", "Enter", step, T=t_acc, frame_name=fr, is_constant="b: true")
            + node(f"{p}/Enter_3", "Enter", limit_node, T=I, frame_name=fr, is_constant="b: true")
            + node(f"{p}/Merge", "Merge", f"{p}/Enter", f"{p}/NextIteration", T=I, N="i: 2")
            + node(f"{p}/Merge_1", "Merge", f"{p}/Enter_1", f"{p}/NextIteration_1", T=t_acc, N="i: 2")
            + node(f"{p}/Less", "Less", f"{p}/Merge", f"{p}/Enter_3", T=I)
            + node(f"{p}/LoopCond", "LoopCond", f"{p}/Less")
            + node(f"{p}/Switch", "Switch", f"{p}/Merge", f"{p}/LoopCond", T=I)
            + node(f"{p}/Switch_1", "Switch", f"{p}/Merge_1", f"{p}/LoopCond", T=t_acc)
            + node(f"{p}/Identity", "Identity", f"{p}/Switch:1", T=I)
            + node(f"{p}/Identity_1", "Identity", f"{p}/Switch_1:1", T=t_acc)
            + const(f"{p}/add/y", 1, "DT_INT32").replace('op: "Const"', f'op: "Const" input: "^{p}/Identity"')
            + node(f"{p}/add", "AddV2", f"{p}/Identity", f"{p}/add/y", T=I)
            + node(f"{p}/add_1", "AddV2", f"{p}/Identity_1", f"{p}/Enter_2", T=t_acc)
            + node(f"{p}/NextIteration", "NextIteration", f"{p}/add", T=I)
            + node(f"{p}/NextIteration_1", "NextIteration", f"{p}/add_1", T=t_acc)
            + node(f"{p}/Exit", "Exit", f"{p}/Switch", T=I)
            + node(f"{p}/Exit_1", "Exit", f"{p}/Switch_1", T=t_acc))


LOOP = gd(const("i0", 0, "DT_INT32") + const("acc0", 0.0) + node("step", "Placeholder", dtype=F)
          + node("limit", "Placeholder", dtype=I)
          + while_loop("while", "limit", "i0", "acc0", "step", "while/while_context")
          + node("out", "Mul", "while/Exit_1", "while/Exit_1", T=F))


def test_counting_loop_with_invariant():
    with Session(LOOP) as s:
        i, acc = s.run(["while/Exit:0", "while/Exit_1:0"], {"step:0": 1.5, "limit:0": 10})
        assert i == 10 and acc == 15.0
        assert s.run("out:0", {"step:0": 2.0, "limit:0": 3}) == 36.0
        assert s.run("while/Exit:0", {"step:0": 2.0, "limit:0": 0}) == 0      # zero iterations


def test_nested_loops():
    # outer: j < 3 times: acc_outer += inner(acc from 0 by step 'step', 4 times)
    inner = while_loop("outer/inner", "outer/four", "outer/zero", "outer/zerof", "outer/Enter_2",
                       "outer/inner/ctx")
    inner = inner.replace('input: "outer/Enter_2"', 'input: "outer/Identity_1"')   # step = outer acc
    text = (const("j0", 0, "DT_INT32") + const("a0", 1.0) + node("lim", "Placeholder", dtype=I)
            + node("outer/Enter", "Enter", "j0", T=I, frame_name='s: "outer/ctx"')
            + node("outer/Enter_1", "Enter", "a0", T=F, frame_name='s: "outer/ctx"')
            + node("outer/Enter_3", "Enter", "lim", T=I, frame_name='s: "outer/ctx"', is_constant="b: true")
            + node("outer/Merge", "Merge", "outer/Enter", "outer/NextIteration", T=I, N="i: 2")
            + node("outer/Merge_1", "Merge", "outer/Enter_1", "outer/NextIteration_1", T=F, N="i: 2")
            + node("outer/Less", "Less", "outer/Merge", "outer/Enter_3", T=I)
            + node("outer/LoopCond", "LoopCond", "outer/Less")
            + node("outer/Switch", "Switch", "outer/Merge", "outer/LoopCond", T=I)
            + node("outer/Switch_1", "Switch", "outer/Merge_1", "outer/LoopCond", T=F)
            + node("outer/Identity", "Identity", "outer/Switch:1", T=I)
            + node("outer/Identity_1", "Identity", "outer/Switch_1:1", T=F)
            + const("outer/four", 4, "DT_INT32").replace('op: "Const"', 'op: "Const" input: "^outer/Identity"')
            + const("outer/zero", 0, "DT_INT32").replace('op: "Const"', 'op: "Const" input: "^outer/Identity"')
            + const("outer/zerof", 0.0).replace('op: "Const"', 'op: "Const" input: "^outer/Identity"')
            + inner
            + const("outer/one", 1, "DT_INT32").replace('op: "Const"', 'op: "Const" input: "^outer/Identity"')
            + node("outer/add", "AddV2", "outer/Identity", "outer/one", T=I)
            + node("outer/NextIteration", "NextIteration", "outer/add", T=I)
            + node("outer/NextIteration_1", "NextIteration", "outer/inner/Exit_1", T=F)
            + node("outer/Exit", "Exit", "outer/Switch", T=I)
            + node("outer/Exit_1", "Exit", "outer/Switch_1", T=F))
    with Session(gd(text)) as s:
        # each outer step: a = 4 * a  → 1 · 4³
        assert s.run("outer/Exit_1:0", {"lim:0": 3}) == 64.0


def test_loop_errors_name_the_node():
    with Session(LOOP) as s:
        with pytest.raises(InvalidArgumentError, match="node 'while/Switch'.*must be a scalar"):
            s.run("while/Exit:0", {"step:0": 1.0, "limit:0": np.array([1, 2], np.int32)})
        with pytest.raises(InvalidArgumentError, match="does not have value"):
            s.run("while/Identity:0", {"step:0": 1.0, "limit:0": 2})


def test_ref_loop_ops_and_control_trigger():
    """A variable entered into a loop by reference is updated in every iteration; the
    Ref* forms of NextIteration/Exit pass values like their plain forms."""
    g = gd(const("i0", 0, "DT_INT32") + const("acc0", 0.0) + node("step", "Placeholder", dtype=F)
           + node("limit", "Placeholder", dtype=I)
           + while_loop("while", "limit", "i0", "acc0", "step", "while/ctx")
           .replace('op: "NextIteration" input: "while/add_1"', 'op: "RefNextIteration" input: "while/add_1"')
           .replace('op: "Exit" input: "while/Switch_1"', 'op: "RefExit" input: "while/Switch_1"')
           + const("init", 0.0)
           + const("while/one", 1.0).replace('op: "Const"', 'op: "Const" input: "^while/Identity"')
           + node("v", "VariableV2", dtype=F, shape="shape { }")
           + node("v/Assign", "Assign", "v", "init", T=F)
           + node("while/v_enter", "RefEnter", "v", T=F, frame_name='s: "while/ctx"', is_constant="b: true")
           + node("while/bump", "AssignAdd", "while/v_enter", "while/one", T=F)
           + node("trigger", "ControlTrigger", "^while/Exit")
           + node("v/read", "Identity", "v", "^trigger", T=F))
    g2 = gd(str(g).replace('name: "while/NextIteration"\n  op: "NextIteration"\n  input: "while/add"',
                           'name: "while/NextIteration"\n  op: "NextIteration"\n  input: "while/add"\n  input: "^while/bump"'))
    with Session(g2) as s:
        s.run("v/Assign")
        acc = s.run("while/Exit_1:0", {"step:0": 2.0, "limit:0": 4})
        assert acc == 8.0
        assert s.run("v/read:0", {"step:0": 2.0, "limit:0": 3}) == 7.0   # 4 bumps, then 3 more


COVERED = {"Enter", "Exit", "NextIteration", "LoopCond", "RefEnter", "RefExit", "RefNextIteration",
           "ControlTrigger"}
