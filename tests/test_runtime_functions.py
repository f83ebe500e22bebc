"""Library functions (TF2 graphs): PartitionedCall, If, While, with FunctionDef's
``node:output_arg:index`` references resolved to flat output indices."""
from __future__ import annotations

import pytest

from graphdef.errors import GraphDefError
from graphdef.runtime import Session
from test_kernels_state import const, gd, node

FT = 'attr { key: "T" value { type: DT_FLOAT } }'
IT = 'attr { key: "T" value { type: DT_INT32 } }'

LIBRARY = f'''
library {{
  function {{
    signature {{ name: "add_mul" input_arg {{ name: "a" type: DT_FLOAT }} input_arg {{ name: "b" type: DT_FLOAT }}
                 output_arg {{ name: "s" type: DT_FLOAT }} output_arg {{ name: "p" type: DT_FLOAT }}
                 output_arg {{ name: "top_i" type: DT_INT32 }} }}
    node_def {{ name: "sum" op: "AddV2" input: "a" input: "b" {FT} }}
    node_def {{ name: "prod" op: "Mul" input: "a" input: "b" {FT} }}
    node_def {{ name: "k" op: "Const" attr {{ key: "dtype" value {{ type: DT_INT32 }} }}
                attr {{ key: "value" value {{ tensor {{ dtype: DT_INT32 tensor_shape {{ }} int_val: 1 }} }} }} }}
    node_def {{ name: "top" op: "TopKV2" input: "prod:z:0" input: "k:output:0" {FT} }}
    ret {{ key: "s" value: "sum:z:0" }}
    ret {{ key: "p" value: "prod:z:0" }}
    ret {{ key: "top_i" value: "top:indices:0" }}
  }}
  function {{
    signature {{ name: "neg" input_arg {{ name: "a" type: DT_FLOAT }} input_arg {{ name: "b" type: DT_FLOAT }}
                 output_arg {{ name: "out" type: DT_FLOAT }} }}
    node_def {{ name: "n" op: "Neg" input: "a" {FT} }}
    ret {{ key: "out" value: "n:y:0" }}
  }}
  function {{
    signature {{ name: "first" input_arg {{ name: "a" type: DT_FLOAT }} input_arg {{ name: "b" type: DT_FLOAT }}
                 output_arg {{ name: "out" type: DT_FLOAT }} }}
    node_def {{ name: "call" op: "PartitionedCall" input: "a" input: "b"
                attr {{ key: "f" value {{ func {{ name: "add_mul" }} }} }}
                attr {{ key: "Tout" value {{ list {{ type: DT_FLOAT type: DT_FLOAT type: DT_INT32 }} }} }} }}
    ret {{ key: "out" value: "call:output:1" }}
  }}
  function {{
    signature {{ name: "cond" input_arg {{ name: "i" type: DT_INT32 }} input_arg {{ name: "acc" type: DT_FLOAT }}
                 output_arg {{ name: "c" type: DT_BOOL }} }}
    node_def {{ name: "lim" op: "Const" attr {{ key: "dtype" value {{ type: DT_INT32 }} }}
                attr {{ key: "value" value {{ tensor {{ dtype: DT_INT32 tensor_shape {{ }} int_val: 5 }} }} }} }}
    node_def {{ name: "less" op: "Less" input: "i" input: "lim:output:0" {IT} }}
    ret {{ key: "c" value: "less:z:0" }}
  }}
  function {{
    signature {{ name: "body" input_arg {{ name: "i" type: DT_INT32 }} input_arg {{ name: "acc" type: DT_FLOAT }}
                 output_arg {{ name: "i2" type: DT_INT32 }} output_arg {{ name: "acc2" type: DT_FLOAT }} }}
    node_def {{ name: "one" op: "Const" attr {{ key: "dtype" value {{ type: DT_INT32 }} }}
                attr {{ key: "value" value {{ tensor {{ dtype: DT_INT32 tensor_shape {{ }} int_val: 1 }} }} }} }}
    node_def {{ name: "inc" op: "AddV2" input: "i" input: "one:output:0" {IT} }}
    node_def {{ name: "dbl" op: "AddV2" input: "acc" input: "acc" {FT} }}
    ret {{ key: "i2" value: "inc:z:0" }}
    ret {{ key: "acc2" value: "dbl:z:0" }}
  }}
}}
'''

TOUT3 = 'list { type: DT_FLOAT type: DT_FLOAT type: DT_INT32 }'
GRAPH = gd(
    node("a", "Placeholder", dtype="type: DT_FLOAT") + const("b", [3.0, -1.0])
    + node("p", "Placeholder", dtype="type: DT_BOOL")
    + node("call", "StatefulPartitionedCall", "a", "b", f='func { name: "add_mul" }', Tout=TOUT3)
    + node("nested", "PartitionedCall", "a", "b", f='func { name: "first" }', Tout="list { type: DT_FLOAT }")
    + node("if", "If", "p", "a", "b", then_branch='func { name: "first" }', else_branch='func { name: "neg" }',
           Tout="list { type: DT_FLOAT }", Tcond="type: DT_BOOL")
    + const("i0", 0, "DT_INT32") + const("acc0", 1.5)
    + node("loop", "StatelessWhile", "i0", "acc0", cond='func { name: "cond" }', body='func { name: "body" }',
           T="list { type: DT_INT32 type: DT_FLOAT }")
    + LIBRARY)


def test_partitioned_call_and_output_arg_names():
    with Session(GRAPH) as s:
        sm, pr, ti = s.run(["call:0", "call:1", "call:2"], {"a:0": [2.0, 2.0]})
        assert sm.tolist() == [5, 1] and pr.tolist() == [6, -2] and ti.tolist() == [0]
        assert s.run("nested:0", {"a:0": [1.0, 1.0]}).tolist() == [3, -1]


@pytest.mark.parametrize("if_op,while_op", [("If", "StatelessWhile"), ("StatelessIf", "While")])
def test_functional_if_and_while(if_op, while_op):
    g = gd(str(GRAPH).replace('op: "If"', f'op: "{if_op}"').replace('op: "StatelessWhile"', f'op: "{while_op}"'))
    assert {n.op for n in g.node} >= {if_op, while_op}
    with Session(g) as s:
        assert s.run("if:0", {"a:0": [2.0, 1.0], "p:0": True}).tolist() == [6, -1]
        assert s.run("if:0", {"a:0": [2.0, 1.0], "p:0": False}).tolist() == [-2, -1]
        i, acc = s.run(["loop:0", "loop:1"])
        assert i == 5 and acc == 1.5 * 32


def test_node_whose_op_is_a_function_calls_it():
    g = gd(node("a", "Placeholder", dtype="type: DT_FLOAT") + const("b", [3.0, -1.0])
           + node("direct", "add_mul", "a", "b") + LIBRARY)
    with Session(g) as s:
        assert s.run("direct:1", {"a:0": [2.0, 2.0]}).tolist() == [6, -2]


def test_missing_function_is_an_error_naming_the_node():
    g = gd(const("x", 1.0) + node("call", "PartitionedCall", "x", f='func { name: "nope" }',
                                  Tout="list { type: DT_FLOAT }") + LIBRARY)
    with pytest.raises(GraphDefError, match="node 'call'.*function 'nope' is not in the graph's library"):
        Session(g).run("call:0")


COVERED = {"PartitionedCall", "StatefulPartitionedCall", "If", "StatelessIf", "While", "StatelessWhile"}
