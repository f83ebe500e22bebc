"""Op definitions and the generic op builder (TensorFlow's ``op_def_library``).

Every op function ends in :func:`apply_op`, which does what TensorFlow's generated
``gen_*_ops`` wrappers do: open the op's name scope (``name`` or the op type), convert
each input in argument order (Python values become ``Const`` nodes named after the
argument, ``Add/y``), infer type attrs from the inputs, fill in attr defaults, run the
static shape function and create the node. The op table below carries over TensorFlow's
registry facts (argument names, attr names and defaults) for the ops graphdef builds;
the node's attr set is exactly the op's attr list, as TensorFlow writes it.

Why a table rather than hand-written emitters: the attr set of each node (``grad_a``,
``incompatible_shape_error``, ``Truncate``...) and the input naming then follow from one
declaration, and the dtype errors come from one place with TensorFlow's messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from graphdef import dtypes
from graphdef._proto import types_pb2 as _types_pb2
from graphdef._proto.attr_value_pb2 import AttrValue

# dtype groups used by the type constraints below.
_FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16,
         dtypes.uint32, dtypes.uint64)
_COMPLEX = (dtypes.complex64, dtypes.complex128)
_NUMBER = _FLOATS + _INTS + _COMPLEX
_REAL = _FLOATS + _INTS
_INDEX = (dtypes.int32, dtypes.int64)
_GROUPS = {"float": _FLOATS, "int": _INTS, "number": _NUMBER, "real": _REAL,
           "index": _INDEX, "complex": _COMPLEX, "floatcomplex": _FLOATS + _COMPLEX,
           "signed": _FLOATS + _COMPLEX + (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64),
           "numberbool": _NUMBER + (dtypes.bool,),
           "numberstring": _NUMBER + (dtypes.string,)}


@dataclass
class ArgDef:
    """One input or output argument: ``name: T``, ``name: N * T`` or ``name: int32``."""

    name: str
    type_attr: str | None = None
    fixed: dtypes.DType | None = None
    number_attr: str | None = None


@dataclass
class AttrDef:
    """One attr: its kind (``type``, ``int``, ``bool``, ``float``, ``string``, ``shape``,
    ``list(int)``...), default (``NO_DEFAULT`` if required) and allowed types."""

    name: str
    kind: str
    default: Any
    allowed: tuple | None = None
    allowed_set: frozenset | None = None  # for membership tests (DType.__eq__ is slow)

    def __post_init__(self) -> None:
        if self.allowed is not None:
            self.allowed_set = frozenset(self.allowed)


NO_DEFAULT = object()


@dataclass
class OpDef:
    name: str
    inputs: list[ArgDef]
    outputs: list[ArgDef]
    attrs: dict[str, AttrDef]
    shape_fn: Callable | None = None
    # type attrs that have a default (op_def_library's default_type_attr_map).
    type_defaults: dict[str, Any] = field(default_factory=dict)
    # The fast path (all inputs already Tensors, no list arguments) needs no conversion:
    # ``fast`` says whether it applies; ``_wire`` caches the default attrs as AttrValues.
    fast: bool = False
    _last: tuple = (None, None, None)  # the simple path's last T, wire attrs, attr values
    simple: bool = False  # every input typed by the op's only attr, T (Add, Mul, Relu...)
    _wire: dict | None = None


OPS: dict[str, OpDef] = {}


def _parse_arg(spec: str) -> ArgDef:
    name, _, t = (s.strip() for s in spec.partition(":"))
    if "*" in t:
        num, _, typ = (s.strip() for s in t.partition("*"))
        arg = ArgDef(name, number_attr=num)
    else:
        typ = t
        arg = ArgDef(name)
    try:
        arg.fixed = dtypes.as_dtype(typ)
    except TypeError:
        arg.type_attr = typ
    return arg


def _parse_default(kind: str, text: str) -> Any:
    if kind == "type":
        return dtypes.as_dtype(text)
    if kind == "bool":
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "string":
        return text.encode()
    if kind.startswith("list("):
        inner = text.strip("[]").strip()
        return [int(v) for v in inner.split(",")] if inner else []
    raise ValueError(kind)


def _parse_attr(spec: str) -> AttrDef:
    """``name: kind [in group|t1,t2] [= default]``."""
    name, _, rest = (s.strip() for s in spec.partition(":"))
    rest, eq, default_text = rest.partition("=")
    rest = rest.strip()
    allowed = None
    if " in " in f" {rest} ":
        kind, _, groups = rest.partition(" in ")
        kind = kind.strip()
        allowed = ()
        for g in groups.split(","):
            g = g.strip()
            allowed += _GROUPS[g] if g in _GROUPS else (dtypes.as_dtype(g),)
    else:
        kind = rest
    default = _parse_default(kind, default_text.strip()) if eq else NO_DEFAULT
    return AttrDef(name, kind, default, allowed)


def register(name: str, inputs: str, outputs: str, attrs: str = "",
             shape_fn: Callable | None = None) -> OpDef:
    """Declare an op: ``register("AddV2", "x: T; y: T", "z: T", "T: type in number")``."""
    op = OpDef(name,
               [_parse_arg(s) for s in inputs.split(";") if s.strip()],
               [_parse_arg(s) for s in outputs.split(";") if s.strip()],
               {a.name: a for a in (_parse_attr(s) for s in attrs.split(";") if s.strip())},
               shape_fn)
    op.type_defaults = {k: a.default for k, a in op.attrs.items()
                        if a.kind == "type" and a.default is not NO_DEFAULT}
    op.fast = (all(a.number_attr is None for a in op.inputs + op.outputs)
               and all(a.type_attr is None or a.type_attr in op.attrs for a in op.inputs))
    op.simple = (op.fast and list(op.attrs) == ["T"] and bool(op.inputs)
                 and all(a.type_attr == "T" for a in op.inputs))
    OPS[name] = op
    return op


def shape_fn(*op_types: str):
    """Decorator attaching a static shape function ``fn(op_inputs, attrs) -> [TensorShape]``."""
    def deco(fn):
        for t in op_types:
            OPS[t].shape_fn = fn
        return fn
    return deco


# ---------------------------------------------------------------------------------------
# Building nodes

def _fw():
    # Imported lazily: graphdef.framework must not import graphdef.ops, and ops may be
    # imported while the framework package is still initialising.
    import graphdef.framework as fw
    return fw


def _dtype_name(d: Any) -> str:
    return dtypes.as_dtype(d).name


def _is_tensor(x: Any) -> bool:
    return isinstance(x, _fw().Tensor)


def _scope(name: str | None, default: str, values: Any = None):
    """``tf.name_scope(name, default, values)`` for the op functions."""
    return _fw().name_scope(name, default, values)


def graph_of(values: Sequence[Any]):
    """The graph an op over ``values`` belongs to (TensorFlow's ``_get_graph_from_inputs``):
    the graph of its tensor inputs, else the default graph; ValueError if they differ."""
    fw = _fw()
    flat = []
    for v in values:
        if isinstance(v, (list, tuple)):
            flat.extend(v)
        elif v is not None and not isinstance(v, (int, float, bool, str, bytes, np.ndarray,
                                                  np.generic)):
            flat.append(v)
    return fw.get_graph_from_inputs(flat)


def convert(value: Any, dtype: Any = None, name: str | None = None,
            preferred_dtype: Any = None) -> Any:
    """``ops.convert_to_tensor`` with TensorFlow's auto-packing of lists that hold tensors
    (``[n, -1]`` with a tensor ``n`` becomes a ``Pack`` named ``name``, its Python elements
    ``Const`` nodes ``name/0``, ``name/1``...)."""
    fw = _fw()
    if isinstance(value, fw.Tensor):
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {_dtype_name(dtype)} for "
                             f"Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    if isinstance(value, (list, tuple)):
        if _contains_tensor(value):
            return _autopack(value, dtype, name or "packed")
        value = _dims_to_ints(value, fw.Dimension)
    return fw.convert_to_tensor(value, dtype=dtype, name=name, preferred_dtype=preferred_dtype)


def _dims_to_ints(value: Any, dimension: type) -> Any:
    """``[x.shape[0], -1]``: TF1 ``Dimension`` objects in a list convert as their ints."""
    if not any(isinstance(v, (dimension, list, tuple)) for v in value):
        return value
    out = []
    for v in value:
        if isinstance(v, dimension):
            if v.value is None:
                raise ValueError(f"Cannot convert an unknown Dimension to a Tensor: {v}")
            v = v.value
        elif isinstance(v, (list, tuple)):
            v = _dims_to_ints(v, dimension)
        out.append(v)
    return out


def _contains_tensor(value: Any) -> bool:
    fw = _fw()
    for v in value:
        if isinstance(v, fw.Tensor) or (isinstance(v, (list, tuple)) and _contains_tensor(v)):
            return True
        if not isinstance(v, (list, tuple, int, float, bool, complex, str, bytes, np.generic,
                              np.ndarray)) and v is not None and hasattr(v, "graph"):
            return True  # a variable or another tensor-like object
    return False


def _autopack(values: Sequence[Any], dtype: Any, name: str):
    """TensorFlow's ``_autopacking_helper``: Pack the list, converting Python elements."""
    fw = _fw()
    if dtype is None:
        for v in values:
            if isinstance(v, fw.Tensor):
                dtype = v.dtype.base_dtype
                break
            if not isinstance(v, (list, tuple, int, float, bool, complex, str, bytes,
                                  np.generic, np.ndarray)) and hasattr(v, "dtype"):
                dtype = dtypes.as_dtype(v.dtype).base_dtype
                break
    with fw.name_scope(name) as scope:
        converted = []
        for i, elem in enumerate(values):
            if isinstance(elem, (list, tuple)) and _contains_tensor(elem):
                converted.append(_autopack(elem, dtype, str(i)))
            elif isinstance(elem, fw.Tensor):
                if dtype is not None and elem.dtype.base_dtype != dtype:
                    raise TypeError(f"Cannot convert a list containing a tensor of dtype "
                                    f"{elem.dtype.name} to {dtypes.as_dtype(dtype).name} "
                                    f"(Tensor is: {elem!r})")
                converted.append(elem)
            else:
                converted.append(convert(elem, dtype=dtype, name=str(i)))
        return apply_op("Pack", scope, [converted], {"axis": 0})


def _satisfies(attr: AttrDef, dtype: dtypes.DType, param: str) -> None:
    if attr.allowed_set is not None and dtype.base_dtype not in attr.allowed_set:
        allowed = ", ".join(d.name for d in attr.allowed)
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dtype.base_dtype.name} "
                        f"not in list of allowed values: {allowed}")


def _convert_input(od: OpDef, arg: ArgDef, value: Any, attrs: dict, inferred_from: dict):
    """Convert one input as op_def_library does, inferring its type attr; return tensor(s)."""
    fw = _fw()
    op_type = od.name
    if arg.number_attr is not None:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"Expected list for '{arg.name}' argument to '{op_type}' Op, "
                            f"not {value!r}.")
        dtype = arg.fixed
        default_dtype = None
        if dtype is None:
            dtype = attrs.get(arg.type_attr)
            if dtype is None:
                for t in value:
                    if isinstance(t, fw.Tensor):
                        dtype = t.dtype.base_dtype
                        break
            if dtype is None:
                default_dtype = od.type_defaults.get(arg.type_attr)
        try:
            tensors = [convert(v, dtype=dtype, name=f"{arg.name}_{i}", preferred_dtype=default_dtype)
                       for i, v in enumerate(value)]
        except (TypeError, ValueError) as e:
            raise TypeError(f"Tensors in list passed to '{arg.name}' of '{op_type}' Op have types "
                            f"that do not match expected type of argument '{arg.name}': {e}") from e
        kinds = {t.dtype.base_dtype for t in tensors}
        if len(kinds) > 1:
            names = ", ".join(t.dtype.base_dtype.name for t in tensors)
            raise TypeError(f"Tensors in list passed to '{arg.name}' of '{op_type}' Op have types "
                            f"[{names}] that don't all match.")
        n = len(tensors)
        if arg.number_attr in attrs and attrs[arg.number_attr] != n:
            raise ValueError(f"List argument '{arg.name}' to '{op_type}' Op with length {n} "
                             f"must match length {attrs[arg.number_attr]} of argument "
                             f"'{inferred_from.get(arg.number_attr)}'.")
        attrs[arg.number_attr] = n
        inferred_from.setdefault(arg.number_attr, arg.name)
        min_n = 1 if op_type in ("Pack", "AddN") else 0
        if n < min_n:
            raise ValueError(f"List argument '{arg.name}' to '{op_type}' Op with length {n} "
                             f"shorter than minimum length {min_n}.")
        if tensors and arg.type_attr is not None:
            t0 = tensors[0].dtype.base_dtype
            _set_type_attr(od, arg, t0, attrs, inferred_from)
        return tensors

    dtype = arg.fixed
    default_dtype = allowed = None
    if dtype is None:
        if arg.type_attr in attrs:
            dtype = attrs[arg.type_attr]
        elif arg.type_attr in od.type_defaults:
            default_dtype = od.type_defaults[arg.type_attr]
            allowed = od.attrs[arg.type_attr].allowed_set
    if isinstance(value, fw.Tensor):
        t = value
    else:
        try:
            if dtype is None and allowed:
                # Convert as the value's own type first; fall back to the default type
                # (an empty list converts to float32 and is retried as int32: the first
                # Const stays in the graph, as in TensorFlow).
                inferred = None
                try:
                    inferred = convert(value, name=arg.name)
                except TypeError:
                    pass
                if inferred is not None and inferred.dtype.base_dtype in allowed:
                    t = inferred
                else:
                    t = convert(value, name=arg.name, preferred_dtype=default_dtype)
            else:
                t = convert(value, dtype=dtype, name=arg.name, preferred_dtype=default_dtype)
        except TypeError as e:
            if dtype is None:
                raise
            raise TypeError(f"Expected {_dtype_name(dtype)} passed to parameter '{arg.name}' of "
                            f"op '{op_type}', got {value!r} of type '{type(value).__name__}' "
                            f"instead. Error: {e}") from e
        except ValueError as e:
            # What type does the value have on its own? (TF's op_def_library asks the same.)
            try:
                observed = convert(value).dtype.name
            except ValueError as e2:
                raise ValueError(f"Tried to convert '{arg.name}' to a tensor and failed. "
                                 f"Error: {e2}") from e2
            want = _dtype_name(dtype) if dtype is not None else "the expected type"
            raise TypeError(f"Input '{arg.name}' of '{op_type}' Op has type {observed} that "
                            f"does not match {want}.") from e
    base = t.dtype.base_dtype
    if arg.fixed is not None:
        if base != arg.fixed:
            raise TypeError(f"Input '{arg.name}' of '{op_type}' Op has type {base.name} that "
                            f"does not match expected type of {arg.fixed.name}.")
    else:
        _set_type_attr(od, arg, base, attrs, inferred_from)
    return t


def _set_type_attr(od: OpDef, arg: ArgDef, base: dtypes.DType, attrs: dict,
                   inferred_from: dict) -> None:
    k = arg.type_attr
    if k in attrs:
        if attrs[k] != base:
            raise TypeError(f"Input '{arg.name}' of '{od.name}' Op has type {base.name} that "
                            f"does not match type {dtypes.as_dtype(attrs[k]).name} of argument "
                            f"'{inferred_from.get(k, k)}'.")
    else:
        _satisfies(od.attrs[k], base, arg.name)
        attrs[k] = base
        inferred_from[k] = arg.name


def _attr_value(a: AttrDef, v: Any) -> Any:
    """Python value → value accepted by the framework's ``attr_value`` (AttrValue for lists
    and shapes, where a bare list would be ambiguous)."""
    kind = a.kind
    if kind == "type":
        return dtypes.as_dtype(v)
    if kind == "bool":
        return bool(v)
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v)
    if kind == "string":
        return v.encode() if isinstance(v, str) else bytes(v)
    if kind == "list(int)":
        av = AttrValue()
        av.list.i.extend(int(x) for x in v)
        av.list.SetInParent()
        return av
    if kind == "list(type)":
        av = AttrValue()
        av.list.type.extend(dtypes.as_dtype(x).as_datatype_enum for x in v)
        av.list.SetInParent()
        return av
    if kind == "shape":
        return _fw().TensorShape(v)
    return v


def apply_op(op_type: str, name: str | None, inputs: Sequence[Any], attrs: dict | None = None):
    """Create one ``op_type`` node as TensorFlow's generated wrapper does.

    Args:
        op_type: registered op name (``"AddV2"``).
        name: the op's name, or a scope string ending in "/" to use exactly; None gives
            the op type (made unique in the current scope).
        inputs: one value per input argument, in the op's argument order (a list for
            list arguments such as ``AddN``'s ``inputs``).
        attrs: explicit attr values; type attrs are inferred from the inputs, others
            default as in the op's definition.

    Returns:
        The single output Tensor, a list of Tensors for several outputs (or a list
        output), or the Operation when the op has no outputs.
    """
    od = OPS[op_type]
    if od.fast:
        out = _apply_fast(od, name, inputs, attrs)
        if out is not None:
            return out
    fw = _fw()
    given = dict(attrs) if attrs else {}
    g = graph_of(inputs)
    cm_graph = g.as_default() if g is not fw.get_default_graph() else None
    if cm_graph is not None:
        cm_graph.__enter__()
    try:
        with g.name_scope(name if name else op_type) as scope:
            attr_vals: dict[str, Any] = {}
            inferred_from: dict[str, str] = {}
            for k, v in given.items():
                a = od.attrs.get(k)
                if a is not None and a.kind == "type" and v is not None:
                    attr_vals[k] = dtypes.as_dtype(v).base_dtype
                    inferred_from[k] = k
            flat: list = []
            op_inputs: list = []
            for arg, value in zip(od.inputs, inputs):
                t = _convert_input(od, arg, value, attr_vals, inferred_from)
                op_inputs.append(t)
                if isinstance(t, list):
                    flat.extend(t)
                else:
                    flat.append(t)
            for k, a in od.attrs.items():
                if k in attr_vals:
                    continue
                v = given.get(k)
                if v is None:
                    if a.default is NO_DEFAULT:
                        raise TypeError(f"No argument for attr {k} of op {op_type}")
                    v = a.default
                attr_vals[k] = v
            for k, a in od.attrs.items():
                if a.kind == "type" and a.allowed is not None and k in given and \
                        given[k] is not None:
                    _satisfies(a, dtypes.as_dtype(attr_vals[k]), k)
            out_dtypes = []
            for out in od.outputs:
                dt = out.fixed if out.fixed is not None else dtypes.as_dtype(attr_vals[out.type_attr])
                n = attr_vals[out.number_attr] if out.number_attr else None
                if n is None:
                    out_dtypes.append(dt)
                else:
                    out_dtypes.extend([dt] * int(n))
            shapes = None
            if od.shape_fn is not None:
                try:
                    shapes = od.shape_fn(op_inputs, attr_vals)
                except ValueError as e:
                    node = scope[:-1] if scope.endswith("/") else scope
                    ins = ", ".join(t.op.name if t.value_index == 0 else t.name for t in flat)
                    shp = ", ".join(_shape_str(t.shape) for t in flat)
                    raise ValueError(f"{e} for '{{{{node {node}}}}} = {op_type}[{_attrs_str(attr_vals)}]"
                                     f"({ins})' with input shapes: {shp}.") from None
            if shapes is None:
                shapes = [fw.TensorShape(None)] * len(out_dtypes)
            wire = {k: _attr_value(od.attrs[k], v) for k, v in attr_vals.items()}
            try:
                op = g.create_op(op_type, flat, wire, name=scope, output_dtypes=out_dtypes,
                                 output_shapes=shapes)
            except TypeError:
                op = g.create_op(op_type, flat, wire, name=scope, output_dtypes=out_dtypes)
                for t, s in zip(op.outputs, shapes):
                    t.set_shape(s)
    finally:
        if cm_graph is not None:
            cm_graph.__exit__(None, None, None)
    outs = op.outputs
    if not od.outputs:
        return op
    if len(od.outputs) == 1 and od.outputs[0].number_attr is None:
        return outs[0]
    return list(outs)


_TENSOR: Any = None
_FW: Any = None
_TYPE_AV: dict = {}


def _type_av(dt: dtypes.DType) -> AttrValue:
    """The (shared) AttrValue for a type attr."""
    av = _TYPE_AV.get(dt)
    if av is None:
        av = _TYPE_AV[dt] = _fw().attr_value(dt)
    return av


_VARIABLE: Any = None


def _variable_class() -> type:
    global _VARIABLE
    if _VARIABLE is None:
        from graphdef.framework.variables import Variable
        _VARIABLE = Variable
    return _VARIABLE


def _default_wire(od: OpDef) -> dict:
    """The op's non-type attrs at their defaults, as (memoised) AttrValues."""
    fw = _fw()
    wire = {}
    for k, a in od.attrs.items():
        if a.kind != "type" and a.default is not NO_DEFAULT:
            v = _attr_value(a, a.default)
            wire[k] = v if isinstance(v, AttrValue) else fw.attr_value(v)
    od._wire = wire
    return wire


def _apply_fast(od: OpDef, name: str | None, inputs: Sequence[Any], attrs: dict | None):
    """``apply_op`` for inputs that are already Tensors of the default graph: no scope to
    open (no Consts to create), so the node is created directly. Returns None to defer to
    the general path (which also produces the errors)."""
    global _TENSOR, _FW
    fw = _FW
    if fw is None:
        fw = _FW = _fw()
        _TENSOR = fw.Tensor
    g = fw.get_default_graph()
    if od.simple and not attrs:
        # The seed's lazy-loading loop calls the same op on the same operands again and
        # again: a repeat of the last call (same objects, input shapes unchanged) reuses
        # its converted inputs, attrs and inferred output shape.
        memo = g._op_memo.get(od.name)
        if memo is not None and len(inputs) == len(memo[0]):
            raw, ins, shapes = memo[0], memo[1], memo[2]
            if len(raw) == 2:  # binary ops, the common case, compared without a loop
                same = (inputs[0] is raw[0] and inputs[1] is raw[1]
                        and ins[0]._shape is shapes[0] and ins[1]._shape is shapes[1])
            else:
                same = all(a is b and t._shape is s
                           for a, b, t, s in zip(inputs, raw, ins, shapes))
            if same:
                return g._new_op(od.name, ins, memo[3], name, memo[4], memo[5])._out
        var_cls = _VARIABLE or _variable_class()
        raw = inputs
        dt = None
        ins = inputs
        for idx, v in enumerate(inputs):
            if type(v) is not _TENSOR:
                # A Variable converts to its existing snapshot (no node); anything else
                # may need a Const inside the op's scope: the general path.
                if not isinstance(v, var_cls):
                    return None
                if ins is inputs:
                    ins = list(inputs)
                v = ins[idx] = v.value()
            if v._op._graph is not g:
                return None
            d = v._dtype
            if d is not dt:  # DTypes are singletons: a repeat of a (base) dtype is a match
                if d._type_enum > dtypes._REF_OFFSET:
                    d = d.base_dtype
                if dt is None:
                    dt = d
                elif d is not dt and d != dt:
                    return None
        inputs = ins
        # One tuple, so threads never see a dtype with another's attrs: the last accepted T,
        # its (interned, shared) wire attrs and the {"T": T} dict given to shape functions.
        last = od._last
        if dt is not last[0]:
            allowed = od.attrs["T"].allowed_set
            if allowed is not None and dt not in allowed:
                return None
            from graphdef.framework.attrs import SHARED_DICT_IDS, intern_attrs
            wire = intern_attrs({"T": _type_av(dt)})
            if id(wire) not in SHARED_DICT_IDS:  # not shareable: ops must own their dicts
                return None
            last = od._last = (dt, wire, {"T": dt})
        shapes = None
        if od.shape_fn is not None:
            try:
                shapes = od.shape_fn(inputs, last[2])
            except ValueError:
                return None
        inputs = tuple(inputs)
        out_dtypes = (od.outputs[0].fixed or dt,)
        t = g.create_op(od.name, inputs, last[1], name=name, output_dtypes=out_dtypes,
                        output_shapes=shapes or ())._out
        # What create_op was given and checked, and the output shape it normalised (the
        # op's inputs and attrs may since have been changed by an attr scope or a
        # control-flow context, so they are not read back from it).
        g._op_memo[od.name] = (tuple(raw), inputs, tuple(i._shape for i in inputs), last[1],
                               out_dtypes, (t._shape,))
        return t
    return _apply_fast_typed(od, g, name, inputs, attrs)


def _apply_fast_typed(od: OpDef, g: Any, name: str | None, inputs: Sequence[Any],
                      attrs: dict | None):
    """``_apply_fast`` for ops with several type attrs, fixed-type inputs or attrs given.
    (A function of its own: its comprehensions close over locals, and a function with
    closures pays for making its cells on every call, which the simple path should not.)"""
    fw = _FW
    var_cls = _VARIABLE or _variable_class()
    if any(type(v) is not _TENSOR for v in inputs):
        if not all(type(v) is _TENSOR or isinstance(v, var_cls) for v in inputs):
            return None
        inputs = [v.value() if isinstance(v, var_cls) else v for v in inputs]
    types: dict[str, Any] = {}
    for arg, v in zip(od.inputs, inputs):
        if v._op._graph is not g:
            return None
        dt = v._dtype.base_dtype
        if arg.fixed is not None:
            if dt != arg.fixed:
                return None
            continue
        k = arg.type_attr
        prev = types.get(k)
        if prev is None:
            allowed = od.attrs[k].allowed_set
            if allowed is not None and dt not in allowed:
                return None
            types[k] = dt
        elif prev != dt:
            return None
    wire = dict(od._wire if od._wire is not None else _default_wire(od))
    if not attrs and len(types) == len(od.attrs):
        attr_vals = types
        for k, v in types.items():
            wire[k] = _type_av(v)
    else:
        attr_vals = {}
        for k, a in od.attrs.items():
            if k in types:
                attr_vals[k] = v = types[k]
                wire[k] = _type_av(v)
                continue
            v = attrs.get(k) if attrs else None
            if v is None:
                if a.default is NO_DEFAULT:
                    return None
                attr_vals[k] = a.default
                if a.kind == "type":
                    wire[k] = _type_av(a.default)
                continue
            if a.kind == "type":
                v = dtypes.as_dtype(v).base_dtype
                if a.allowed_set is not None and v not in a.allowed_set:
                    return None
            attr_vals[k] = v
            av = _attr_value(a, v)
            wire[k] = av if isinstance(av, AttrValue) else fw.attr_value(av)
    out_dtypes = [o.fixed if o.fixed is not None else attr_vals[o.type_attr] for o in od.outputs]
    shapes = None
    if od.shape_fn is not None:
        try:
            shapes = od.shape_fn(list(inputs), attr_vals)
        except ValueError:
            return None  # the general path raises it with the node's description
    op = g.create_op(od.name, inputs, wire, name=name, output_dtypes=out_dtypes,
                     output_shapes=shapes or ())
    if not od.outputs:
        return op
    outs = op._outs
    return op._out if outs is None or len(outs) == 1 else list(outs)


def _shape_str(s: Any) -> str:
    if s.rank is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in s.as_list()) + "]"


def _attrs_str(attrs: dict) -> str:
    parts = []
    for k in sorted(attrs):
        v = attrs[k]
        if isinstance(v, dtypes.DType):
            v = _types_pb2.DataType.Name(v.as_datatype_enum)
        parts.append(f"{k}={v}")
    return ", ".join(parts)
