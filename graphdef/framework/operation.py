"""``Operation`` (a node) and ``Tensor`` (one output of a node) of a builder ``Graph``.

An op keeps Python objects (input tensors, control ops, ``AttrValue``s); its NodeDef is
serialised only on demand and cached until the op changes (see ``attrs.encode_node``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphdef import dtypes
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef.framework.attrs import SHARED_DICT_IDS, attr_to_python, attr_value, encode_node
from graphdef.framework.tensor_shape import TensorShape, as_shape

if TYPE_CHECKING:  # pragma: no cover
    from graphdef.framework.graph import Graph

_UNKNOWN = TensorShape(None)


class Tensor:
    """A symbolic handle to one output of an ``Operation`` (``tf.Tensor`` in graph mode).

    Equality and hashing are by identity (TF1 behaviour); Python operators are installed
    by ``graphdef.ops`` through ``Tensor._override_operator``.
    """

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "__weakref__")
    # Make numpy defer to Tensor's reflected operators (np.array(...) + t).
    __array_priority__ = 100

    def __init__(self, op: "Operation", value_index: int, dtype: dtypes.DType,
                 shape: TensorShape = _UNKNOWN) -> None:
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape

    # -- properties -------------------------------------------------------
    @property
    def op(self) -> "Operation":
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def graph(self) -> "Graph":
        return self._op._graph

    @property
    def name(self) -> str:
        return f"{self._op._name}:{self._value_index}"

    @property
    def device(self) -> str:
        return self._op._device

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def ndim(self) -> int | None:
        return self._shape.rank

    def set_shape(self, shape: Any) -> None:
        """Refine the static shape; ValueError when incompatible with what is known."""
        shape = as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self._shape} is not compatible with supplied"
                             f" shape {shape}.")
        self._shape = self._shape.merge_with(shape)

    def consumers(self) -> list["Operation"]:
        """Ops that take this tensor as a data input, in creation order."""
        return [op for op in self._op._graph._ops if any(t is self for t in op._inputs)]

    def _as_node_def_input(self) -> str:
        i = self._value_index
        return self._op._name if i == 0 else f"{self._op._name}:{i}"

    # -- execution --------------------------------------------------------
    def eval(self, feed_dict: Any = None, session: Any = None) -> Any:
        """Run this tensor in ``session`` (default: the default session)."""
        return _run_using_default_session(self, feed_dict, self.graph, session, "evaluate tensor")

    # -- Python protocol --------------------------------------------------
    @classmethod
    def _override_operator(cls, operator: str, func: Any) -> None:
        setattr(cls, operator, func)

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self) -> str:
        # print(t) in TF1: Tensor("mul:0", shape=(), dtype=float32)
        shape = f", shape={self._shape}" if self._shape.rank is not None else ""
        device = f", device={self.device}" if self.device else ""
        return f'Tensor("{self.name}"{shape}, dtype={self._dtype.name}{device})'

    def __bool__(self) -> bool:
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed in Graph"
                        " execution. Use Eager execution or decorate this function with"
                        " @tf.function.")

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). Please"
                        " call `x.shape` rather than `len(x)` for shape information.")

    def __iter__(self):
        dims = self._shape.as_tuple()
        if dims is None:
            raise TypeError("Cannot iterate over a tensor with unknown shape.")
        if not dims:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if dims[0] is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        for i in range(dims[0]):
            yield self[i]

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy"
                                  " array. Run it in a Session (sess.run / Tensor.eval) first.")

    def experimental_ref(self) -> "Tensor":
        return self

    def ref(self) -> "Tensor":
        return self


class Operation:
    """A node of a builder ``Graph`` (``tf.Operation``)."""

    # ``_out`` is the first output (None for an op without outputs); ``_outs`` the list of
    # all outputs, made only when asked for (``_outputs``) or when there are several. Most
    # ops have one output, and each object an op keeps alive is one more for Python's
    # garbage collector to walk: a 20,000-op graph is 20,000 lists fewer.
    __slots__ = ("_graph", "_name", "_type", "_inputs", "_control_inputs", "_attrs",
                 "_out", "_outs", "_device", "_id", "_bytes", "_node_def",
                 "_control_flow_context", "_extra", "__weakref__")

    def __init__(self, graph: "Graph", op_type: str, name: str, inputs: list[Tensor],
                 control_inputs: list["Operation"], attrs: dict[str, AttrValue],
                 output_dtypes: Any, output_shapes: Any) -> None:
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = inputs
        self._control_inputs = control_inputs
        self._attrs = attrs
        self._device = ""
        self._id = 0
        self._bytes = None
        self._node_def = None
        self._control_flow_context = None
        self._extra = b""  # other NodeDef fields, serialised (experimental_type of imports)
        n = len(output_dtypes)
        if n == 1:
            self._out = Tensor(self, 0, output_dtypes[0],
                               output_shapes[0] if output_shapes else _UNKNOWN)
            self._outs = None
        elif n == 0:
            self._out = None
            self._outs = []
        else:
            outs = _make_outputs(self, output_dtypes, output_shapes)
            self._out = outs[0]
            self._outs = outs

    @property
    def _outputs(self) -> list[Tensor]:
        """The output tensors (the op's own list: ``_add_output`` extends it)."""
        outs = self._outs
        if outs is None:
            outs = self._outs = [self._out]
        return outs

    def _add_output(self, dtype: dtypes.DType) -> Tensor:
        """Append an output (imports of ops whose output count is not known up front)."""
        outs = self._outputs
        t = Tensor(self, len(outs), dtype)
        outs.append(t)
        if self._out is None:
            self._out = t
        return t

    # -- properties -------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def graph(self) -> "Graph":
        return self._graph

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> list[Tensor]:
        return list(self._outputs)

    @property
    def control_inputs(self) -> list["Operation"]:
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        return self._device

    @property
    def node_def(self) -> NodeDef:
        nd = self._node_def
        if nd is None:
            nd = self._node_def = NodeDef.FromString(self._serialized())
        return nd

    def _serialized(self) -> bytes:
        b = self._bytes
        if b is None:
            inputs = [t._op._name if not t._value_index else f"{t._op._name}:{t._value_index}"
                      for t in self._inputs]
            if self._control_inputs:
                inputs.extend(sorted("^" + c._name for c in self._control_inputs))
            b = self._bytes = encode_node(self._name, self._type, inputs, self._device,
                                          self._attrs) + self._extra
        return b

    def _changed(self) -> None:
        self._bytes = None
        self._node_def = None
        self._graph._version += 1

    # -- attrs ------------------------------------------------------------
    def get_attr(self, name: str) -> Any:
        """The Python value of attr ``name`` (ValueError when the op has no such attr)."""
        try:
            v = self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None
        return attr_to_python(v)

    def _get_attr_value(self, name: str) -> AttrValue | None:
        return self._attrs.get(name)

    def _own_attrs(self) -> dict[str, AttrValue]:
        """This op's attr dict, copied first if it is shared (see ``attrs.intern_attrs``)."""
        a = self._attrs
        if id(a) in SHARED_DICT_IDS:
            a = self._attrs = dict(a)
        return a

    def _set_attr(self, name: str, value: Any) -> None:
        self._own_attrs()[name] = attr_value(value)
        self._changed()

    def _clear_attr(self, name: str) -> None:
        if name in self._attrs:
            del self._own_attrs()[name]
            self._changed()

    # -- mutation used by the framework ----------------------------------
    def _set_device(self, device: str) -> None:
        if device != self._device:
            self._device = device
            self._changed()

    def _add_control_input(self, op: "Operation") -> None:
        if op not in self._control_inputs:
            if type(self._control_inputs) is not list:
                self._control_inputs = list(self._control_inputs)
            self._control_inputs.append(op)
            self._changed()

    def _add_control_inputs(self, ops: Any) -> None:
        for op in ops:
            self._add_control_input(op)

    def _update_input(self, index: int, tensor: Tensor) -> None:
        # Input tuples may be shared between ops (see Graph.create_op): replace, don't mutate.
        inputs = list(self._inputs)
        inputs[index] = tensor
        self._inputs = inputs
        self._changed()

    def colocation_groups(self) -> list[bytes]:
        cls = self._attrs.get("_class")
        if cls is not None:
            groups = [s for s in cls.list.s if s.startswith(b"loc:@")]
            if groups:
                return groups
        return [b"loc:@" + self._name.encode()]

    def values(self) -> tuple[Tensor, ...]:
        return tuple(self._outputs)

    # -- execution --------------------------------------------------------
    def run(self, feed_dict: Any = None, session: Any = None) -> None:
        """Run this op in ``session`` (default: the default session)."""
        _run_using_default_session(self, feed_dict, self._graph, session, "execute operation")

    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return str(self.node_def)


def _make_outputs(op: Operation, output_dtypes: Any, output_shapes: Any) -> list[Tensor]:
    """The output tensors of an op with several outputs. (Outside ``Operation.__init__``:
    comprehensions there would close over its locals, making cells on every op.)"""
    if output_shapes:
        return [Tensor(op, i, d, s) for i, (d, s) in enumerate(zip(output_dtypes, output_shapes))]
    return [Tensor(op, i, d) for i, d in enumerate(output_dtypes)]


def _run_using_default_session(fetch: Any, feed_dict: Any, graph: Any, session: Any,
                               what: str) -> Any:
    if session is None:
        from graphdef.runtime import get_default_session
        session = get_default_session()
        if session is None:
            verb = "`run()`" if what.startswith("execute") else "`eval()`"
            raise ValueError(f"Cannot {what} using {verb}: No default session is registered."
                             " Use `with sess.as_default()` or pass an explicit session to"
                             f" {verb}")
        if session.graph is not graph:
            raise ValueError(f"Cannot use the default session to {what}: the {'tensor' if 'tensor' in what else 'operation'}'s"
                             " graph is different from the session's graph. Pass an explicit"
                             " session to `run()`/`eval()`.")
    elif session.graph is not graph:
        raise ValueError(f"Cannot use the given session to {what}: the"
                         " graph is different from the session's graph.")
    return session.run(fetch, feed_dict)


__all__ = ["Operation", "Tensor"]
