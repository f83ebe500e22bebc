"""attr_value conversion, memoisation and the hand-written NodeDef encoding."""
from __future__ import annotations

import math

import pytest

import graphdef as tf
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef.framework import TensorShape, attr_to_python, attr_value
from graphdef.framework.attrs import encode_node, intern_attrs
from graphdef.tensors import make_tensor_proto


@pytest.mark.parametrize("value,field,back", [
    (tf.float32, "type", tf.float32),
    (True, "b", True),
    (3, "i", 3),
    (1.5, "f", 1.5),
    ("abc", "s", b"abc"),
    (b"abc", "s", b"abc"),
    (TensorShape([None, 2]), "shape", None),
    ([1, 2], "list", [1, 2]),
    ([b"loc:@a"], "list", [b"loc:@a"]),
    ([tf.int32, tf.float32], "list", [tf.int32, tf.float32]),
    ([1.5, 2.5], "list", [1.5, 2.5]),
])
def test_attr_value_roundtrip(value, field, back):
    av = attr_value(value)
    assert av.WhichOneof("value") == field
    if back is not None:
        assert attr_to_python(av) == back


def test_memoised_values_are_shared_and_distinct():
    assert attr_value(3) is attr_value(3)
    assert attr_value(True) is not attr_value(1)
    assert math.copysign(1, attr_value(-0.0).f) == -1 and attr_value(0.0).f == 0.0
    assert attr_value(TensorShape([2])) is attr_value(TensorShape([2]))
    assert attr_value(TensorShape([2])) is not attr_value(TensorShape([None]))
    assert attr_value([1, 2]) is not attr_value([True, 2])
    empty = attr_value([])
    assert empty.HasField("list") and attr_to_python(empty) == []


def test_intern_attrs_shares_dicts_of_memoised_values():
    a = intern_attrs({"T": tf.float32, "use_locking": False})
    b = intern_attrs({"T": attr_value(tf.float32), "use_locking": attr_value(False)})
    assert a is b and intern_attrs(a) is a
    t = make_tensor_proto([1.0, 2.0])
    c = intern_attrs({"value": t, "dtype": tf.float32})
    assert c is not intern_attrs({"value": t, "dtype": tf.float32})   # tensors are not shared


@pytest.mark.parametrize("inputs,device", [([], ""), (["a", "b:1", "^c"], "/device:CPU:0"),
                                           (["x" * 300], "")])
def test_encode_node_matches_protobuf(inputs, device):
    attrs = {"T": attr_value(tf.float32), "value": attr_value(make_tensor_proto([1, 2, 3])),
             "_class": attr_value([b"loc:@a"])}
    want = NodeDef(name="n" * 200, op="Op", input=inputs, device=device)
    for k, v in attrs.items():
        want.attr[k].CopyFrom(v)
    got = NodeDef.FromString(encode_node("n" * 200, "Op", inputs, device, attrs))
    assert got == want
    assert NodeDef.FromString(encode_node("n", "NoOp", [], "", {})) == NodeDef(name="n", op="NoOp")


def test_attr_value_rejects_unknown():
    with pytest.raises(TypeError):
        attr_value(object())
    with pytest.raises(TypeError):
        attr_value([object()])
    assert attr_value(AttrValue(i=4)).i == 4
