"""Reference variables (``tf.compat.v1.Variable`` with v2 behaviour disabled).

A variable is four nodes: ``v/initial_value`` (a Const, absent when the initial value
is already a tensor), ``v`` (``VariableV2``), ``v/Assign`` (its initializer, colocated:
``_class: loc:@v``) and ``v/read`` (the snapshot Identity that ``v`` converts to).
"""
from __future__ import annotations

from typing import Any, Callable

from graphdef import dtypes
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef.framework.constant_op import convert_to_tensor, register_tensor_conversion_function
from graphdef.framework.control_ops import group, no_op
from graphdef.framework.graph import (GraphKeys, get_default_graph, get_graph_from_inputs,
                                      init_scope, name_scope)
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import TensorShape, unknown_shape

_EMPTY_S = AttrValue(s=b"")


def _ref_op(op_type: str, ref: Any, value: Any, name: str | None, attrs: dict[str, Any],
            value_name: str = "value") -> Tensor:
    """An op whose first input is a ref (Assign, AssignAdd, ...): TF's op_def_library path:
    a scope named after the op, ``value`` converted inside it with the ref's base dtype, and
    the op colocated with the variable."""
    ref_t = _as_ref(ref)
    g = get_graph_from_inputs([ref_t, value])
    base = ref_t._dtype.base_dtype
    if not ref_t._dtype.is_ref_dtype:
        raise TypeError(f"'{op_type}' Op requires that input 'ref' be a mutable tensor (e.g.: a"
                        f" tf.Variable); got {ref_t.name} of dtype {ref_t._dtype.name}")
    with g.as_default(), g.name_scope(name or op_type) as scope:
        if isinstance(value, Tensor):
            if value._dtype.base_dtype != base:
                raise TypeError(f"Input 'value' of '{op_type}' Op has type"
                                f" {value._dtype.base_dtype.name} that does not match type"
                                f" {base.name} of argument 'ref'.")
            val = value
        else:
            val = convert_to_tensor(value, dtype=base, name=value_name)
            if val._dtype.base_dtype != base:
                raise TypeError(f"Input 'value' of '{op_type}' Op has type"
                                f" {val._dtype.base_dtype.name} that does not match type"
                                f" {base.name} of argument 'ref'.")
        shape = ref_t._shape
        if op_type == "Assign":
            if attrs.get("validate_shape", True):
                if not shape.is_compatible_with(val._shape):
                    raise ValueError(f"Shapes must be equal rank, but are {shape} and"
                                     f" {val._shape} for '{scope[:-1]}' (op: 'Assign') with"
                                     f" input shapes: {shape}, {val._shape}.")
                shape = shape.merge_with(val._shape)
            else:
                shape = val._shape
        elif not shape.is_compatible_with(val._shape):
            raise ValueError(f"Shapes {shape} and {val._shape} are incompatible for"
                             f" '{scope[:-1]}' (op: '{op_type}').")
        with g.colocate_with(ref_t.op):
            op = g.create_op(op_type, [ref_t, val], {"T": base, **attrs}, name=scope,
                             output_dtypes=(base._as_ref,), output_shapes=(shape,))
    return op._out


def _as_ref(ref: Any) -> Tensor:
    if isinstance(ref, Variable):
        return ref._variable
    if isinstance(ref, Tensor):
        return ref
    raise TypeError(f"Expected a variable or ref tensor, got {type(ref).__name__}: {ref!r}")


def assign(ref: Any, value: Any, validate_shape: bool | None = None,
           use_locking: bool | None = None, name: str | None = None) -> Tensor:
    """``Assign`` (the function's ``use_locking`` defaults to True, as the op's)."""
    return _ref_op("Assign", ref, value, name, {
        "use_locking": True if use_locking is None else use_locking,
        "validate_shape": True if validate_shape is None else validate_shape})


def assign_add(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    return _ref_op("AssignAdd", ref, value, name,
                   {"use_locking": False if use_locking is None else use_locking})


def assign_sub(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    return _ref_op("AssignSub", ref, value, name,
                   {"use_locking": False if use_locking is None else use_locking})


def is_variable_initialized(variable: Any, name: str | None = None) -> Tensor:
    """A bool scalar ``IsVariableInitialized`` (colocated with the variable)."""
    ref_t = _as_ref(variable)
    g = ref_t.graph
    with g.as_default(), g.name_scope(name or "IsVariableInitialized") as scope:
        with g.colocate_with(ref_t.op):
            op = g.create_op("IsVariableInitialized", [ref_t],
                             {"dtype": ref_t._dtype.base_dtype}, name=scope,
                             output_dtypes=(dtypes.bool,), output_shapes=(TensorShape(()),))
    return op._out


class Variable:
    """A reference variable (``tf.compat.v1.Variable``, ``RefVariable``)."""

    def __init__(self, initial_value: Any = None, trainable: bool | None = None,
                 collections: Any = None, validate_shape: bool = True,
                 caching_device: Any = None, name: str | None = None, variable_def: Any = None,
                 dtype: Any = None, expected_shape: Any = None, import_scope: Any = None,
                 constraint: Any = None, use_resource: Any = None, synchronization: Any = None,
                 aggregation: Any = None, shape: Any = None) -> None:
        if variable_def is not None:
            raise NotImplementedError("Variable(variable_def=...) is not supported")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value)
        if trainable is None:
            trainable = True
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list,"
                             f" tuple, or set. Got {collections} of type {type(collections)}")
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        values = [] if init_from_fn else [initial_value]
        with init_scope(), name_scope(name, "Variable", values) as scope:
            g = get_default_graph()
            if init_from_fn:
                # TF: colocate with the variable that does not exist yet via an attr scope.
                cls = AttrValue()
                cls.list.s.append(b"loc:@" + scope[:-1].encode())
                with g._attr_scope_block({"_class": cls}):
                    with g.name_scope("Initializer"), g.device(None):
                        self._initial_value = convert_to_tensor(initial_value(),
                                                                name="initial_value", dtype=dtype)
                    op = self._make_variable_op(g, scope, shape, validate_shape)
            else:
                self._initial_value = convert_to_tensor(initial_value, name="initial_value",
                                                        dtype=dtype)
                op = self._make_variable_op(g, scope, shape, validate_shape)
            init = self._initial_value
            self._variable = op._out
            if validate_shape and not init._shape.is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: {init}")
            from graphdef.framework.initialized import guard_uninitialized
            self._initializer_op = assign(self._variable, guard_uninitialized(scope, init),
                                          validate_shape=validate_shape).op
            if caching_device is not None:
                with g.device(caching_device):
                    self._snapshot = _read(g, self._variable, "read")
            else:
                with g.colocate_with(op):
                    self._snapshot = _read(g, self._variable, "read")
        g.add_to_collections(collections, self)
        self._caching_device = caching_device

    def _make_variable_op(self, g: Any, scope: str, shape: Any, validate_shape: bool) -> Operation:
        init = self._initial_value
        if shape is not None:
            vshape = TensorShape(shape)
        elif validate_shape:
            vshape = init._shape
        else:
            vshape = unknown_shape()
        base = init._dtype.base_dtype
        with g.name_scope(scope) as vscope:
            return g.create_op("VariableV2", [], {
                "shape": vshape, "dtype": base, "container": _EMPTY_S, "shared_name": _EMPTY_S},
                name=vscope, output_dtypes=(base._as_ref,), output_shapes=(vshape,))

    # -- identity ---------------------------------------------------------
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self) -> Operation:
        return self._variable.op

    @property
    def graph(self) -> Any:
        return self._variable.graph

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self) -> Any:
        return self._constraint

    @property
    def initializer(self) -> Operation:
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    def value(self) -> Tensor:
        return self._snapshot

    def _ref(self) -> Tensor:
        return self._variable

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def read_value(self) -> Tensor:
        """A fresh ``Identity`` of the variable named ``read`` in the current scope."""
        from graphdef.framework.control_ops import identity
        return identity(self._variable, name="read")

    def initialized_value(self) -> Tensor:
        """The value once initialized (a v1 cond on ``IsVariableInitialized``)."""
        from graphdef.framework.initialized import initialized_value
        return initialized_value(self)

    def eval(self, session: Any = None) -> Any:
        return self._variable.eval(session=session)

    def load(self, value: Any, session: Any = None) -> None:
        if session is None:
            from graphdef.runtime import get_default_session
            session = get_default_session()
            if session is None:
                raise ValueError("Either session argument should be provided or default"
                                 " session should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # -- updates ------------------------------------------------------------
    def assign(self, value: Any, use_locking: bool = False, name: str | None = None,
               read_value: bool = True) -> Any:
        t = assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:
        t = assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:
        t = assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def set_shape(self, shape: Any) -> None:
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={self.shape}"
                f" dtype={self.dtype.name}>")

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __bool__(self) -> bool:
        return self._snapshot.__bool__()

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def _should_act_as_resource_variable(self) -> None:  # TF API hook
        pass


def _read(g: Any, ref: Tensor, name: str) -> Tensor:
    base = ref._dtype.base_dtype
    with g.name_scope(name) as scope:
        return g.create_op("Identity", [ref], {"T": base}, name=scope, output_dtypes=(base,),
                           output_shapes=(ref._shape,))._out


def _delegate(opname: str) -> Callable[..., Any]:
    # Resolved at call time: graphdef.ops installs Tensor's operators after this import.
    def method(self: Variable, *args: Any, **kwargs: Any) -> Any:
        return getattr(Tensor, opname)(self._snapshot, *args, **kwargs)
    method.__name__ = opname
    return method


for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
            "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__",
            "__rpow__", "__matmul__", "__rmatmul__", "__lt__", "__le__", "__gt__", "__ge__",
            "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__invert__",
            "__neg__", "__abs__", "__getitem__", "__div__", "__rdiv__"):
    setattr(Variable, _op, _delegate(_op))

Variable.__array_priority__ = 100  # type: ignore[attr-defined]


def _variable_conversion(v: Variable, dtype: Any = None, name: Any = None,
                         as_ref: bool = False) -> Tensor:
    return v._variable if as_ref else v._snapshot


_variable_conversion._exact_ok = True  # type: ignore[attr-defined]  # never NotImplemented
register_tensor_conversion_function(Variable, _variable_conversion, priority=10)

VariableV1 = RefVariable = Variable


# ---------------------------------------------------------------------------
# collections and initializers
# ---------------------------------------------------------------------------

def global_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list: Any, name: str = "init") -> Operation:
    """A NoOp running every variable's initializer (a plain NoOp for an empty list)."""
    var_list = list(var_list)
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def global_variables_initializer() -> Operation:
    return variables_initializer(global_variables())


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables())


initialize_all_variables = global_variables_initializer
initialize_variables = variables_initializer
initialize_local_variables = local_variables_initializer


__all__ = ["Variable", "VariableV1", "assign", "assign_add", "assign_sub",
           "is_variable_initialized", "global_variables", "all_variables", "trainable_variables",
           "local_variables", "model_variables", "variables_initializer",
           "global_variables_initializer", "local_variables_initializer",
           "initialize_all_variables", "initialize_variables", "initialize_local_variables"]
