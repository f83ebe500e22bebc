"""Variables (reference and resource) living in the session, and TF1 control flow
with dead tensors (Switch/RefSwitch/Merge, the shape of a v1 ``cond``)."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

from graphdef._proto import graph_pb2
from graphdef.errors import FailedPreconditionError, InvalidArgumentError
from graphdef.runtime import Session


def gd(text: str) -> graph_pb2.GraphDef:
    return text_format.Parse(text, graph_pb2.GraphDef())


def const(name, value, dtype="DT_FLOAT"):
    field = {"DT_FLOAT": "float_val", "DT_INT32": "int_val", "DT_BOOL": "bool_val"}[dtype]
    vals = np.atleast_1d(value).tolist()
    shape = "".join(f"dim {{ size: {d} }}" for d in np.shape(value))
    vals_txt = " ".join(f"{field}: {str(v).lower() if dtype == 'DT_BOOL' else v}" for v in vals)
    return (f'node {{ name: "{name}" op: "Const" attr {{ key: "dtype" value {{ type: {dtype} }} }} '
            f'attr {{ key: "value" value {{ tensor {{ dtype: {dtype} tensor_shape {{ {shape} }} {vals_txt} }} }} }} }}\n')


def node(name, op, *inputs, **attrs):
    ins = " ".join(f'input: "{i}"' for i in inputs)
    at = " ".join(f'attr {{ key: "{k}" value {{ {v} }} }}' for k, v in attrs.items())
    return f'node {{ name: "{name}" op: "{op}" {ins} {at} }}\n'


REF_VARS = gd(
    const("init_v", [1.0, 2.0]) + const("one", [1.0, 1.0])
    + node("v", "VariableV2", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
    + node("v/Assign", "Assign", "v", "init_v", T="type: DT_FLOAT")
    + node("v/read", "Identity", "v", T="type: DT_FLOAT")
    + node("inc", "AssignAdd", "v", "one", T="type: DT_FLOAT")
    + node("dec", "AssignSub", "v", "one", T="type: DT_FLOAT")
    + node("is_init", "IsVariableInitialized", "v", dtype="type: DT_FLOAT")
    + node("double", "Mul", "v/read", "init_v", T="type: DT_FLOAT")
    + node("w", "Variable", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
    + node("w/Assign", "Assign", "w", "v", T="type: DT_FLOAT")
    + node("tmp", "TemporaryVariable", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }", var_name='s: "tmp"')
    + node("tmp/Assign", "Assign", "tmp", "one", T="type: DT_FLOAT")
    + node("init", "NoOp", "^v/Assign"))


def test_reference_variables():
    s = Session(graph=REF_VARS)
    assert s.run("is_init:0") == False  # noqa: E712 - numpy bool
    with pytest.raises(FailedPreconditionError, match="uninitialized value v") as e:
        s.run("v/read:0")
    assert "v/read" in str(e.value)
    assert s.run("init") is None
    assert s.run("is_init:0") == True  # noqa: E712
    np.testing.assert_array_equal(s.run("inc:0"), [2, 3])
    np.testing.assert_array_equal(s.run("inc:0"), [3, 4])
    np.testing.assert_array_equal(s.run("dec:0"), [2, 3])
    np.testing.assert_array_equal(s.run("double:0"), [2, 6])
    got = s.run("v:0")          # fetching the variable itself reads it
    got[0] = 100                # ... as the caller's copy
    np.testing.assert_array_equal(s.run("v/read:0"), [2, 3])
    np.testing.assert_array_equal(s.run("w/Assign:0"), [2, 3])   # Variable (v1) reads v
    np.testing.assert_array_equal(s.run("tmp/Assign:0"), [1, 1])
    # a second session holds its own values
    s2 = Session(graph=REF_VARS)
    with pytest.raises(FailedPreconditionError):
        s2.run("v/read:0")
    s2.run("init")
    np.testing.assert_array_equal(s2.run("v/read:0"), [1, 2])
    np.testing.assert_array_equal(s.run("v/read:0"), [2, 3])


def test_assign_add_on_uninitialized_fails():
    with Session(graph=REF_VARS) as s:
        with pytest.raises(FailedPreconditionError, match="node 'inc'.*uninitialized value v"):
            s.run("inc:0")


def test_assign_shape_validation():
    g = gd(const("a", [1.0, 2.0]) + const("b", [1.0, 2.0, 3.0])
           + node("v", "VariableV2", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
           + node("s1", "Assign", "v", "a", T="type: DT_FLOAT")
           + node("s2", "Assign", "v", "b", T="type: DT_FLOAT", validate_shape="b: true"))
    with Session(graph=g) as s:
        s.run("s1:0")
        with pytest.raises(InvalidArgumentError, match="node 's2'.*shapes of both tensors to match"):
            s.run("s2:0")


RES_VARS = gd(
    const("init_v", [5, 6], "DT_INT32") + const("two", [2, 2], "DT_INT32")
    + node("h", "VarHandleOp", dtype="type: DT_INT32", shape="shape { dim { size: 2 } }", shared_name='s: "rv"')
    + node("assign", "AssignVariableOp", "h", "init_v", dtype="type: DT_INT32")
    + node("add", "AssignAddVariableOp", "h", "two", dtype="type: DT_INT32")
    + node("sub", "AssignSubVariableOp", "h", "two", dtype="type: DT_INT32")
    + node("read", "ReadVariableOp", "h", dtype="type: DT_INT32")
    + node("read_after_add", "ReadVariableOp", "h", "^add", dtype="type: DT_INT32")
    + node("is_init", "VarIsInitializedOp", "h")
    + node("destroy", "DestroyResourceOp", "h"))


def test_resource_variables():
    with Session(graph=RES_VARS) as s:
        assert not s.run("is_init:0")
        with pytest.raises(FailedPreconditionError, match="node 'read'.*rv"):
            s.run("read:0")
        s.run("assign")
        assert s.run("is_init:0")
        got = s.run("read_after_add:0")
        assert got.dtype == np.int32 and got.tolist() == [7, 8]
        s.run("sub")
        assert s.run("read:0").tolist() == [5, 6]
        s.run("destroy")
        assert not s.run("is_init:0")


# A v1 cond: out = pred ? x * 2 : x + 10, built the way tf.cond (v1) builds it.
COND = gd(
    node("pred", "Placeholder", dtype="type: DT_BOOL") + const("x", [1.0, 2.0])
    + const("two", 2.0) + const("ten", 10.0)
    + node("cond/Switch", "Switch", "pred", "pred", T="type: DT_BOOL")
    + node("cond/switch_t", "Identity", "cond/Switch:1", T="type: DT_BOOL")
    + node("cond/switch_f", "Identity", "cond/Switch", T="type: DT_BOOL")
    + node("cond/pred_id", "Identity", "pred", T="type: DT_BOOL")
    + node("cond/Switch_1", "Switch", "x", "cond/pred_id", T="type: DT_FLOAT")
    + node("cond/mul", "Mul", "cond/Switch_1:1", "two", T="type: DT_FLOAT")
    + node("cond/add", "AddV2", "cond/Switch_1", "ten", T="type: DT_FLOAT")
    + node("cond/t_only", "NoOp", "^cond/switch_t")
    + node("cond/Merge", "Merge", "cond/add", "cond/mul", T="type: DT_FLOAT", N="i: 2")
    + node("out", "Identity", "cond/Merge", T="type: DT_FLOAT"))


def test_v1_cond_dead_branches():
    with Session(graph=COND) as s:
        assert s.run("out:0", {"pred:0": True}).tolist() == [2, 4]
        assert s.run("out:0", {"pred:0": False}).tolist() == [11, 12]
        val, idx = s.run(["cond/Merge:0", "cond/Merge:1"], {"pred:0": True})
        assert idx == 1 and idx.dtype == np.int32
        with pytest.raises(InvalidArgumentError, match="untaken branch"):
            s.run("cond/mul:0", {"pred:0": False})
        assert s.run("cond/t_only", {"pred:0": True}) is None


def test_refswitch_does_not_read_untaken_variable():
    """t11's initialized_value: a RefSwitch on an uninitialized variable, branch not taken."""
    g = gd(const("init_v", [2.0, 4.0])
           + node("base", "VariableV2", dtype="type: DT_FLOAT", shape="shape { dim { size: 2 } }")
           + node("base/Assign", "Assign", "base", "init_v", T="type: DT_FLOAT")
           + node("IsVariableInitialized", "IsVariableInitialized", "base", dtype="type: DT_FLOAT")
           + node("cond/pred_id", "Identity", "IsVariableInitialized", T="type: DT_BOOL")
           + node("cond/read/Switch", "RefSwitch", "base", "cond/pred_id", T="type: DT_FLOAT")
           + node("cond/read", "Identity", "cond/read/Switch:1", T="type: DT_FLOAT")
           + node("cond/Switch_1", "Switch", "init_v", "cond/pred_id", T="type: DT_FLOAT")
           + node("cond/Merge", "RefMerge", "cond/Switch_1", "cond/read", T="type: DT_FLOAT", N="i: 2")
           + const("three", 3.0)
           + node("mul", "Mul", "cond/Merge", "three", T="type: DT_FLOAT"))
    with Session(graph=g) as s:
        assert s.run("mul:0").tolist() == [6, 12]          # from the initial value
        s.run("base/Assign")
        s.run(node_assign := "base/Assign:0", {"init_v:0": np.array([1.0, 1.0], np.float32)})
        assert node_assign and s.run("mul:0").tolist() == [3, 3]   # now read through RefSwitch


COVERED = {"VariableV2", "Variable", "TemporaryVariable", "Assign", "AssignAdd", "AssignSub",
           "IsVariableInitialized", "VarHandleOp", "ReadVariableOp", "AssignVariableOp",
           "AssignAddVariableOp", "AssignSubVariableOp", "VarIsInitializedOp", "DestroyResourceOp",
           "Switch", "RefSwitch", "Merge", "RefMerge"}


def test_cond_returning_constants():
    """tf.cond(p, lambda: 1.0, lambda: 2.0): each branch's Const hangs off its pivot by a
    control edge, so the untaken one is dead and Merge picks the taken one."""
    g = gd(node("p", "Placeholder", dtype="type: DT_BOOL")
           + node("cond/Switch", "Switch", "p", "p", T="type: DT_BOOL")
           + node("cond/switch_t", "Identity", "cond/Switch:1", T="type: DT_BOOL")
           + node("cond/switch_f", "Identity", "cond/Switch", T="type: DT_BOOL")
           + const("cond/Const", 1.0).replace('op: "Const"', 'op: "Const" input: "^cond/switch_t"')
           + const("cond/Const_1", 2.0).replace('op: "Const"', 'op: "Const" input: "^cond/switch_f"')
           + node("cond/Merge", "Merge", "cond/Const_1", "cond/Const", T="type: DT_FLOAT", N="i: 2"))
    with Session(graph=g) as s:
        assert s.run("cond/Merge:0", {"p:0": True}) == 1.0
        assert s.run("cond/Merge:0", {"p:0": False}) == 2.0
        with pytest.raises(InvalidArgumentError, match="untaken branch"):
            s.run("cond/Const:0", {"p:0": False})
