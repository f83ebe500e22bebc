"""Attr values and the NodeDef wire encoding used by the builder.

Why hand-written wire encoding: building a protobuf ``NodeDef`` per op is the
slowest part of graph building in Python. The builder instead keeps each op's
attrs as ``AttrValue`` messages (common ones shared and pre-serialised) and
produces a node's serialised bytes only when ``node_def`` or ``as_graph_def()``
asks for it; a ``GraphDef`` is then one ``FromString`` of joined node bytes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from graphdef import dtypes
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.tensor_pb2 import TensorProto
from graphdef._proto.tensor_shape_pb2 import TensorShapeProto
from graphdef.framework.tensor_shape import TensorShape
from graphdef.io.wire import SMALL_VARINTS as _SMALL
from graphdef.io.wire import encode_varint as varint

# (type, value) -> shared AttrValue; _SERIALIZED holds their bytes by id (the memo keeps them alive).
_MEMO: dict[tuple, AttrValue] = {}
_SERIALIZED: dict[int, bytes] = {}


def _memo(key: tuple, make) -> AttrValue:
    v = _MEMO.get(key)
    if v is None:
        if len(_MEMO) >= 500_000:
            return make()  # bounded: unusual workloads get fresh (unshared) values
        v = make()
        _MEMO[key] = v
        _SERIALIZED[id(v)] = v.SerializeToString(deterministic=True)
    return v


def _shape_proto(shape: Any) -> TensorShapeProto:
    if isinstance(shape, TensorShapeProto):
        return shape
    return TensorShape(shape).as_proto() if not isinstance(shape, TensorShape) else shape.as_proto()


def attr_value(value: Any) -> AttrValue:
    """Convert a Python value to an ``AttrValue`` (DType→type, bool→b, int→i, float→f,
    str/bytes→s, TensorShape→shape, TensorProto→tensor, list of those→list).

    Scalar values are memoised: the same ``AttrValue`` object is returned for equal
    inputs, so callers must not mutate the result. Pass an ``AttrValue`` for ambiguous
    cases (an empty list, a shape given as a list).
    """
    if isinstance(value, AttrValue):
        return value
    if isinstance(value, dtypes.DType):
        return _memo(("type", value.as_datatype_enum),
                      lambda: AttrValue(type=value.as_datatype_enum))
    if isinstance(value, (bool, np.bool_)):
        b = bool(value)
        return _memo(("b", b), lambda: AttrValue(b=b))
    if isinstance(value, (int, np.integer)):
        i = int(value)
        return _memo(("i", i), lambda: AttrValue(i=i))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return _memo(("f", repr(f)), lambda: AttrValue(f=f))  # repr keeps -0.0 and nan apart
    if isinstance(value, str):
        s = value.encode("utf-8")
        return _memo(("s", s), lambda: AttrValue(s=s))
    if isinstance(value, bytes):
        return _memo(("s", value), lambda: AttrValue(s=value))
    if isinstance(value, TensorShape):
        dims = value.as_tuple()
        return _memo(("shape", dims), lambda: AttrValue(shape=value.as_proto()))
    if isinstance(value, TensorShapeProto):
        return AttrValue(shape=value)
    if isinstance(value, TensorProto):
        return AttrValue(tensor=value)
    if isinstance(value, (list, tuple)) and value and \
            all(type(x) in (bytes, str, int, bool) for x in value) and len(value) <= 16:
        key = ("list", tuple((type(x), x) for x in value))
        return _memo(key, lambda: _list_attr(value))
    if isinstance(value, (list, tuple)):
        return _list_attr(value)
    raise TypeError(f"cannot convert {value!r} of type {type(value).__name__} to an AttrValue")


def _list_attr(value: Any) -> AttrValue:
    out = AttrValue()
    lst = out.list
    lst.SetInParent()
    for item in value:
        if isinstance(item, dtypes.DType):
            lst.type.append(item.as_datatype_enum)
        elif isinstance(item, (bool, np.bool_)):
            lst.b.append(bool(item))
        elif isinstance(item, (int, np.integer)):
            lst.i.append(int(item))
        elif isinstance(item, (float, np.floating)):
            lst.f.append(float(item))
        elif isinstance(item, str):
            lst.s.append(item.encode("utf-8"))
        elif isinstance(item, bytes):
            lst.s.append(item)
        elif isinstance(item, (TensorShape, TensorShapeProto)):
            lst.shape.add().CopyFrom(_shape_proto(item))
        elif isinstance(item, TensorProto):
            lst.tensor.add().CopyFrom(item)
        else:
            raise TypeError(f"cannot convert list item {item!r} to an AttrValue")
    return out


# Attr dicts made only of memoised values, shared by every op with the same attrs (fewer
# objects per op for the garbage collector). Shared dicts are never mutated: an op copies
# its dict before changing it (``Operation._own_attrs``).
_DICTS: dict[tuple, dict[str, AttrValue]] = {}
EMPTY_ATTRS: dict[str, AttrValue] = {}
SHARED_DICT_IDS: set[int] = {id(EMPTY_ATTRS)}


def intern_attrs(attrs: dict[str, Any]) -> dict[str, AttrValue]:
    """A dict of AttrValues equal to ``attrs`` (converted with ``attr_value``); the same
    shared dict for equal memoised contents. Callers must not mutate the result."""
    if id(attrs) in SHARED_DICT_IDS:
        return attrs  # already interned (op functions may keep and reuse these)
    if len(attrs) == 1:
        for k, v in attrs.items():
            key: tuple = (k, id(v))
    else:
        key = (*attrs, *map(id, attrs.values()))  # n names then n ids: unambiguous
    d = _DICTS.get(key)
    if d is not None:
        return d  # the ids in a stored key are memoised values, alive forever
    d = {}
    memo = True
    for k, v in attrs.items():
        if type(v) is not AttrValue:
            v = attr_value(v)
        d[k] = v
        if id(v) not in _SERIALIZED:
            memo = False
    if memo and len(_DICTS) < 100_000:
        key = (*d, *map(id, d.values()))
        d = _DICTS.setdefault(key, d)
        SHARED_DICT_IDS.add(id(d))
    return d


def attr_bytes(value: AttrValue) -> bytes:
    # Memoised values live forever in _MEMO, so their ids are never reused.
    b = _SERIALIZED.get(id(value))
    return value.SerializeToString(deterministic=True) if b is None else b


def attr_to_python(value: AttrValue) -> Any:
    """The Python value of an attr, as TF's ``Operation.get_attr`` returns it."""
    which = value.WhichOneof("value")
    if which == "list":
        lst = value.list
        for field in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            items = getattr(lst, field)
            if len(items):
                if field == "type":
                    return [dtypes.as_dtype(t) for t in items]
                return list(items)
        return []
    if which == "type":
        return dtypes.as_dtype(value.type)
    if which is None:
        return []
    return getattr(value, which)


# ---------------------------------------------------------------------------
# wire encoding
# ---------------------------------------------------------------------------

def field_bytes(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: tag, varint length, payload."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 0x80 else varint(n)) + payload


def encode_node(name: str, op: str, inputs: list[str], device: str,
                 attrs: dict[str, AttrValue]) -> bytes:
    """Serialised NodeDef (fields name=1, op=2, input=3, device=4, attr=5, attrs sorted)."""
    small = _SMALL
    nb = name.encode()
    ob = op.encode()
    n = len(nb)
    parts = [b"\x0a", small[n] if n < 0x80 else varint(n), nb,
             b"\x12", small[len(ob)] if len(ob) < 0x80 else varint(len(ob)), ob]
    for i in inputs:
        ib = i.encode()
        n = len(ib)
        parts += (b"\x1a", small[n] if n < 0x80 else varint(n), ib)
    if device:
        parts.append(field_bytes(b"\x22", device.encode()))
    if attrs:
        parts.append(_attr_section(attrs))
    return b"".join(parts)


# (attr names, ids of memoised values) -> encoded attr entries: ops of one kind share them
_SECTIONS: dict[tuple, bytes] = {}


def _attr_section(attrs: dict[str, AttrValue]) -> bytes:
    ids = tuple([id(v) for v in attrs.values()])
    key = (tuple(attrs), ids)
    b = _SECTIONS.get(key)
    if b is not None:
        return b
    out = []
    for k in sorted(attrs):
        entry = field_bytes(b"\x0a", k.encode()) + field_bytes(b"\x12", attr_bytes(attrs[k]))
        out.append(field_bytes(b"\x2a", entry))
    b = b"".join(out)
    # Only memoised values have ids that can never be reused by another object.
    if all(i in _SERIALIZED for i in ids) and len(_SECTIONS) < 100_000:
        _SECTIONS[key] = b
    return b


__all__ = ["attr_value", "attr_to_python"]
