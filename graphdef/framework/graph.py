"""The builder ``Graph``: naming, scopes, control dependencies, devices, collections.

Behaviour follows TensorFlow's ``python/framework/ops.py`` (compat.v1 graph mode) so that
graphs come out node for node as TF writes them; see the quirks in the conformance
README (case-insensitive uniquification, sorted control inputs, dominated ops, ...).
"""
from __future__ import annotations

import re
import threading
from typing import Any, Callable, Iterable

from graphdef import dtypes
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.framework.attrs import (EMPTY_ATTRS, SHARED_DICT_IDS, attr_value, field_bytes,
                                      intern_attrs, varint)
from graphdef.framework.device import DeviceSpec
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import TensorShape

GRAPH_DEF_VERSION = 2474  # TF 2.21's producer version
_VERSIONS_BYTES = field_bytes(b"\x22", b"\x08" + varint(GRAPH_DEF_VERSION))

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$").match
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$").match

_TRUE = attr_value(True)
_DType = dtypes.DType
_NO_OPS: tuple = ()  # shared "no control inputs" (an op converts it to a list when it gains one)


def _invalid_name_message(name: str) -> str:
    return (f"'{name}' is not a valid node name. Accepted names conform to Regex"
            " /re.compile('^[A-Za-z0-9.][A-Za-z0-9_.\\\\/>-]*$')/")


class GraphKeys:
    """Standard collection names (``tf.GraphKeys``)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES


class _NameScope:
    """``Graph.name_scope(name)``: a class, not a generator, because every op function
    enters one and generator-based context managers cost several microseconds."""

    __slots__ = ("_graph", "_name", "_old")

    def __init__(self, graph: "Graph", name: str | None) -> None:
        self._graph = graph
        self._name = name

    def __enter__(self) -> str:
        g = self._graph
        name = self._name
        self._old = old = g._name_stack
        if not name:
            g._name_stack = ""
            return ""
        if not isinstance(name, str):
            name = name.decode() if isinstance(name, bytes) else str(name)
        if old:
            if not _VALID_SCOPE_NAME(name):
                raise ValueError(f"'{name}' is not a valid scope name. A scope name has to"
                                 " match the following pattern: ^[A-Za-z0-9_.\\\\/>-]*$")
        elif not _VALID_OP_NAME(name):
            raise ValueError(f"'{name}' is not a valid root scope name. A root scope name has"
                             " to match the following pattern: ^[A-Za-z0-9.][A-Za-z0-9_.\\\\/>-]*$")
        if name[-1] == "/":
            g._name_stack = name[:-1]
            return name
        new = g.unique_name(name)
        g._name_stack = new
        g._issued_scope = scope = new + "/"
        return scope

    def __exit__(self, *exc: Any) -> None:
        self._graph._name_stack = self._old


class _ControlDependencies:
    """One ``control_dependencies`` block: its control ops and the ops created inside."""

    __slots__ = ("_graph", "control_inputs", "_new_stack", "_seen", "_old_stack", "_old_ctx")

    def __init__(self, graph: "Graph", control_inputs: list[Operation] | None) -> None:
        self._graph = graph
        self._new_stack = control_inputs is None
        self.control_inputs = [] if control_inputs is None else control_inputs
        self._seen: set[Operation] = set()

    def __enter__(self) -> None:
        g = self._graph
        if self._new_stack:
            # control_dependencies(None) also leaves any v1 control-flow context (TF).
            self._old_stack = g._control_dependencies_stack
            g._control_dependencies_stack = []
            self._old_ctx = g._control_flow_context
            g._control_flow_context = None
        g._control_dependencies_stack.append(self)

    def __exit__(self, *exc: Any) -> None:
        g = self._graph
        stack = g._control_dependencies_stack
        if stack and stack[-1] is self:
            stack.pop()
        elif self in stack:
            stack.remove(self)
        if self._new_stack:
            g._control_dependencies_stack = self._old_stack
            g._control_flow_context = self._old_ctx


class _StackEntry:
    """A pushed-and-popped value for the simple stacks (devices, colocation, graphs)."""

    __slots__ = ("_stack", "_value", "_on_exit", "_result")

    def __init__(self, stack: list, value: Any, result: Any = None,
                 on_exit: Callable[[], None] | None = None) -> None:
        self._stack = stack
        self._value = value
        self._result = result
        self._on_exit = on_exit

    def __enter__(self) -> Any:
        self._stack.append(self._value)
        return self._result

    def __exit__(self, *exc: Any) -> None:
        self._stack.pop()
        if self._on_exit is not None:
            self._on_exit()


class _DeviceEntry:
    """A ``tf.device`` spec: a canonical string, a function ``op -> device``, or None."""

    __slots__ = ("spec", "function")

    def __init__(self, device: Any) -> None:
        if device is None:
            self.spec = None
            self.function = None
        elif callable(device):
            self.spec = None
            self.function = device
        else:
            if hasattr(device, "to_string"):
                device = device.to_string()
            self.spec = DeviceSpec.from_string(device)
            self.function = True

    def apply(self, op: Operation) -> str:
        if self.spec is not None:
            return self.spec.merged(DeviceSpec.from_string(op._device)).to_string()
        # TF stores a device function's answer as it is (a DeviceSpec as its string).
        res = self.function(op)
        if hasattr(res, "to_string"):
            res = res.to_string()
        return res or ""


class Graph:
    """A TensorFlow computation graph under construction (``tf.Graph``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ops: list[Operation] = []
        self._nodes_by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_dependencies_stack: list[_ControlDependencies] = []
        self._device_stack: list[_DeviceEntry] = []
        self._colocation_stack: list[Operation] = []
        self._collections: dict[str, list] = {}
        self._finalized = False
        self._version = 0
        self._control_flow_context = None
        self._attr_scope: dict[str, AttrValue] = {}
        self._issued_scope: str | None = None  # last scope string name_scope returned
        self._unfetchable: set[Operation] = set()
        self._valid_names: set[str] = set()  # scoped base names already checked by the regex
        # The last op's input tuple: an op with the very same inputs shares it (one object
        # fewer per op for the garbage collector in loops such as the seed's lazy loading).
        self._last_inputs: tuple = ()
        # Per op type, the last call of the builder's fast path that it may repeat without
        # converting, type-checking and shape-inferring again (see ops.op_def._apply_fast).
        # Kept on the graph so that it lives and dies with the graph's own tensors.
        self._op_memo: dict[str, tuple] = {}
        self._unfeedable: set[Tensor] = set()
        self.seed: int | None = None
        self._building_function = False
        # lazy-loading guard state (see graphdef.framework.lazy)
        self._lazy_state: Any = None

    # -- default graph ----------------------------------------------------
    def as_default(self) -> "_StackEntry":
        """Make this the default graph inside a ``with`` block (thread-local)."""
        return _StackEntry(_stack(), self, self)

    # -- naming -----------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """TF's uniquification: ``name``, then ``name_1``, ``name_2``... skipping taken names;
        names are compared in lower case."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        name_key = name.lower()
        names = self._names_in_use
        i = names.get(name_key, 0)
        if mark_as_used:
            names[name_key] = i + 1
        if i > 0:
            base_name_key = name_key
            while name_key in names:
                name_key = f"{base_name_key}_{i}"
                i += 1
            if mark_as_used:
                names[name_key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    def name_scope(self, name: str | None) -> _NameScope:
        """Enter scope ``name`` (made unique; absolute when it ends in "/"; reset by None/"")."""
        return _NameScope(self, name)

    # -- op creation ------------------------------------------------------
    def create_op(self, op_type: str, inputs: Iterable[Tensor], attrs: dict | None = None,
                  name: str | None = None, output_dtypes: Any = (),
                  output_shapes: Any = ()) -> Operation:
        """Add an op. ``name`` ending in "/" is used as is (without the slash), otherwise
        made unique in the current scope (default: ``op_type``). Active control
        dependencies, device and colocation blocks apply."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        inputs = tuple(inputs)  # our own copy: callers may reuse theirs
        try:
            for t in inputs:
                if t._op._graph is not self:
                    raise ValueError(f"Tensor {t.name} must be from the same graph as the op"
                                     f" '{name or op_type}' ({op_type}) being created.")
        except AttributeError:
            bad = next(t for t in inputs if not isinstance(t, Tensor))
            raise TypeError(f"Input to op '{name or op_type}' ({op_type}) must be a Tensor, got"
                            f" {type(bad).__name__}: {bad!r}") from None
        if not attrs:
            attrs = EMPTY_ATTRS
        elif id(attrs) not in SHARED_DICT_IDS:  # op functions pass interned dicts (no call)
            attrs = intern_attrs(attrs)
        if output_dtypes and type(output_dtypes[0]) is not _DType:
            output_dtypes = [dtypes.as_dtype(d) for d in output_dtypes]
        if output_shapes:
            for s in output_shapes:
                if type(s) is not TensorShape:
                    output_shapes = [s if type(s) is TensorShape else TensorShape(s)
                                     for s in output_shapes]
                    break
        return self._new_op(op_type, inputs, attrs, name, output_dtypes, output_shapes)

    def _new_op(self, op_type: str, inputs: tuple, attrs: dict, name: str | None,
                output_dtypes: Any, output_shapes: Any) -> Operation:
        """``create_op`` once its arguments are known to be right: ``inputs`` a tuple of
        this graph's Tensors, ``attrs`` interned (or EMPTY_ATTRS), DTypes and TensorShapes.
        The builder's fast path (``ops.op_def._apply_fast``) calls it directly when it
        repeats a call it has checked before."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        if name is None:
            name = op_type
        if name and name[-1] == "/":
            # A scope string just issued by name_scope was validated there.
            trusted = name is self._issued_scope
            name = name[:-1]
            if not trusted and not _VALID_OP_NAME(name):
                raise ValueError(_invalid_name_message(name))
        else:
            # unique_name, inlined: this is the hottest path of graph building.
            stack = self._name_stack
            if stack:
                name = stack + "/" + name
            names = self._names_in_use
            key = name.lower()
            i = names.get(key, 0)
            names[key] = i + 1
            valid = name in self._valid_names
            if i:
                cand = f"{key}_{i}"
                if cand in names:  # a taken "name_N": skip ahead as TF does
                    base = key
                    while cand in names:
                        i += 1
                        cand = f"{base}_{i}"
                names[cand] = 1
                uniq = f"{name}_{i}"
            else:
                uniq = name
            if not valid:
                # "_N" suffixes never change validity, so the unsuffixed name is checked once
                if not _VALID_OP_NAME(name):
                    raise ValueError(_invalid_name_message(uniq))
                self._valid_names.add(name)
            name = uniq
        nodes = self._nodes_by_name
        if name in nodes:
            raise ValueError(f"Duplicate node name in graph: '{name}'")
        # Compared only once they are known to be Tensors (which compare by identity).
        if inputs == self._last_inputs:
            inputs = self._last_inputs
        else:
            self._last_inputs = inputs
        cdeps = self._control_dependencies_stack
        if cdeps:
            control = self._control_dependencies_for_inputs({t._op for t in inputs}) or _NO_OPS
        else:
            control = _NO_OPS
        op = Operation(self, op_type, name, inputs, control, attrs, output_dtypes, output_shapes)
        if self._device_stack:
            self._apply_device_functions(op)
        if self._colocation_stack:
            self._apply_colocation(op)
        if self._attr_scope:
            own = op._own_attrs()
            for k, v in self._attr_scope.items():
                own.setdefault(k, v)  # TF sets scope attrs only where the op has none
        ops = self._ops
        ops.append(op)
        op._id = len(ops)
        nodes[name] = op
        self._version += 1
        if self._control_flow_context is not None:
            self._control_flow_context.add_op(op)
        if cdeps:
            for controller in cdeps:
                controller._seen.add(op)
        return op

    def _add_op(self, op: Operation) -> None:
        op._id = len(self._ops) + 1
        self._ops.append(op)
        self._nodes_by_name[op._name] = op
        self._version += 1

    def _apply_device_functions(self, op: Operation) -> None:
        # Innermost block first; each outer block merges under what the inner ones set.
        for entry in reversed(self._device_stack):
            if entry.function is None:
                break
            op._device = entry.apply(op)

    def _apply_colocation(self, op: Operation) -> None:
        groups: list[bytes] = []
        device_set = False
        for c in reversed(self._colocation_stack):
            groups.extend(c.colocation_groups())
            if c._device and not device_set:
                op._device = c._device
                device_set = True
        op._own_attrs()["_class"] = attr_value(sorted(set(groups)))

    # -- control dependencies --------------------------------------------
    def _control_dependencies_for_inputs(self, input_ops: set[Operation]) -> list[Operation]:
        ret: list[Operation] = []
        for controller in self._control_dependencies_stack:
            seen = controller._seen
            if any(op in seen for op in input_ops):
                continue  # dominated: an input already depends on this block's controls
            for c in controller.control_inputs:
                if c not in input_ops and c not in ret:
                    ret.append(c)
        return ret

    def _current_control_dependencies(self) -> set[Operation]:
        return {op for c in self._control_dependencies_stack for op in c.control_inputs}

    def control_dependencies(self, control_inputs: Iterable[Any] | None) -> _ControlDependencies:
        """Ops created inside get ``control_inputs`` (ops or tensors) as control inputs;
        ``None`` clears the active blocks."""
        if control_inputs is None:
            return _ControlDependencies(self, None)
        control_ops: list[Operation] = []
        current = self._current_control_dependencies()
        for c in control_inputs:
            if not isinstance(c, (Operation, Tensor)) and hasattr(c, "_as_graph_element"):
                c = c._as_graph_element()
                if c is not None and hasattr(c, "op") and not isinstance(c, Operation):
                    c = c.op
            c = self.as_graph_element(c)
            if isinstance(c, Tensor):
                c = c.op
            elif not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c}")
            if c not in current:
                control_ops.append(c)
                current.add(c)
                # TF marks ops used as manual control deps (an internal attr; compare ignores it).
                if c._attrs.get("_has_manual_control_dependencies") is not _TRUE:
                    c._own_attrs()["_has_manual_control_dependencies"] = _TRUE
                    c._changed()
        return _ControlDependencies(self, control_ops)

    # -- devices and colocation ------------------------------------------
    def device(self, device_name_or_function: Any) -> _StackEntry:
        """Place ops created inside on a device (string, DeviceSpec, function or None)."""
        return _StackEntry(self._device_stack, _DeviceEntry(device_name_or_function))

    def colocate_with(self, op: Any, ignore_existing: bool = False) -> "_Colocation":
        return _Colocation(self, op, ignore_existing)

    def _attr_scope_block(self, attrs: dict[str, Any]) -> "_AttrScope":
        """Ops created inside get these attrs (TF's private ``Graph._attr_scope``)."""
        return _AttrScope(self, {k: attr_value(v) for k, v in attrs.items()})

    # -- lookups ------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def _get_operation_by_name_unsafe(self, name: str) -> Operation:
        return self._nodes_by_name[name]

    def as_graph_element(self, obj: Any, allow_tensor: bool = True,
                         allow_operation: bool = True) -> Any:
        """The Tensor or Operation that ``obj`` (an object or a name) refers to."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        elif allow_operation:
            types_str = "Operation"
        else:
            raise ValueError("allow_tensor and allow_operation can't both be False.")
        conv = getattr(obj, "_as_graph_element", None)
        if conv is not None and not isinstance(obj, (Tensor, Operation)):
            temp = conv()
            if temp is not None:
                obj = temp
        if isinstance(obj, bytes):
            obj = obj.decode()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                try:
                    op_name, out_n = name.split(":")
                    out_n = int(out_n)
                except ValueError:
                    raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not a"
                                     " valid one. Tensor names must be of the form"
                                     ' "<op_name>:<output_index>".') from None
                op = self._nodes_by_name.get(op_name)
                if op is None:
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist."
                                   f" The operation, {op_name!r}, does not exist in the graph.")
                if not 0 <= out_n < len(op._outputs):
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist."
                                   f" The operation, {op_name!r}, exists but only has"
                                   f" {len(op._outputs)} outputs.")
                return op._outputs[out_n]
            if ":" in name:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
            if allow_operation:
                op = self._nodes_by_name.get(name)
                if op is None:
                    raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
                return op
            if name in self._nodes_by_name:
                msg = f"The name {name!r} refers to an Operation, not a {types_str}."
            else:
                msg = f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}."
            raise ValueError(msg + ' Tensor names must be of the form "<op_name>:<output_index>".')
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # -- serialisation --------------------------------------------------------
    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> GraphDef:
        """A ``GraphDef`` of the ops (in creation order), ``versions { producer: 2474 }``."""
        ops = self._ops
        if from_version is not None:
            ops = [op for op in ops if op._id > from_version]
        parts = [field_bytes(b"\x0a", op._serialized()) for op in ops]
        parts.append(_VERSIONS_BYTES)
        gd = GraphDef.FromString(b"".join(parts))
        if add_shapes:
            for nd, op in zip(gd.node, ops):
                if op._outputs:
                    nd.attr["_output_shapes"].CopyFrom(
                        attr_value([t._shape.as_proto() for t in op._outputs]))
        return gd

    # -- state ------------------------------------------------------------
    @property
    def version(self) -> int:
        """Grows whenever an op is added or changed (the runtime caches plans by it)."""
        return self._version

    @property
    def graph_def_versions(self) -> Any:
        from graphdef._proto.versions_pb2 import VersionDef
        return VersionDef(producer=GRAPH_DEF_VERSION)

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Make the graph read-only: adding ops or collection items raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    @property
    def building_function(self) -> bool:
        return False

    # -- collections --------------------------------------------------------
    def add_to_collection(self, name: str, value: Any) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        coll = self._collections.get(name)
        if coll is None:
            coll = self._collections[name] = []
        return coll

    def get_collection(self, name: str, scope: str | None = None) -> list:
        coll = self._collections.get(name)
        if coll is None:
            return []
        if scope is None:
            return list(coll)
        regex = re.compile(scope)
        return [item for item in coll
                if getattr(item, "name", None) is not None and regex.match(item.name)]

    @property
    def collections(self) -> list[str]:
        return list(self._collections)

    def get_all_collection_keys(self) -> list[str]:
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        self._collections.pop(name, None)

    # -- fetch/feed guards (v1 control flow marks branch-internal ops) -------
    def prevent_fetching(self, op: Operation) -> None:
        self._unfetchable.add(op)

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return op not in self._unfetchable

    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    # -- runtime hooks -----------------------------------------------------
    def _session_run_hook(self) -> None:
        """Called by ``Session.run`` each call: the lazy-loading guard (O(1) if no growth)."""
        state = self._lazy_state
        if state is not None and state.seen == len(self._ops):
            return
        from graphdef.framework.lazy import check_growth
        check_growth(self)

    def __repr__(self) -> str:
        return f"<graphdef.Graph with {len(self._ops)} ops>"


class _AttrScope:
    __slots__ = ("_graph", "_attrs", "_saved")

    def __init__(self, graph: Graph, attrs: dict[str, AttrValue]) -> None:
        self._graph = graph
        self._attrs = attrs

    def __enter__(self) -> None:
        self._saved = self._graph._attr_scope
        self._graph._attr_scope = {**self._saved, **self._attrs}

    def __exit__(self, *exc: Any) -> None:
        self._graph._attr_scope = self._saved


class _Colocation:
    """``colocate_with(op)``: ops created inside get ``_class: loc:@op`` and op's device;
    outer device blocks are suspended, as in TF."""

    __slots__ = ("_graph", "_op", "_ignore", "_saved_devices", "_saved_coloc")

    def __init__(self, graph: Graph, op: Any, ignore_existing: bool) -> None:
        if op is not None and not isinstance(op, Operation):
            if hasattr(op, "_as_graph_element") and not isinstance(op, Tensor):
                op = op._as_graph_element()
            op = op.op if hasattr(op, "op") and not isinstance(op, Operation) else op
        self._graph = graph
        self._op = op
        self._ignore = ignore_existing

    def __enter__(self) -> None:
        g = self._graph
        self._saved_devices = g._device_stack
        self._saved_coloc = g._colocation_stack
        if self._ignore:
            g._colocation_stack = []
        # TF: colocation is "stronger" than device functions, so they are suspended.
        g._device_stack = []
        if self._op is not None:
            g._colocation_stack = g._colocation_stack + [self._op]
        elif not self._ignore:
            raise ValueError("Trying to reset colocation (op is None) but ignore_existing is"
                             " not True")

    def __exit__(self, *exc: Any) -> None:
        g = self._graph
        g._device_stack = self._saved_devices
        g._colocation_stack = self._saved_coloc


# ---------------------------------------------------------------------------
# default graph (thread-local stack over one global default)
# ---------------------------------------------------------------------------

class _DefaultGraphStack(threading.local):
    def __init__(self) -> None:
        self.stack: list[Graph] = []


_local = _DefaultGraphStack()
_global_default_graph: Graph | None = None


def _stack() -> list[Graph]:
    return _local.stack


def get_default_graph() -> Graph:
    """The innermost ``as_default()`` graph of this thread, else the global default graph."""
    stack = _local.stack
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Replace the global default graph with a new one (not allowed inside ``as_default``)."""
    if _local.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If"
                             " you need a cleared graph, exit the nesting and create a new"
                             " graph.")
    global _global_default_graph
    _global_default_graph = None


def get_graph_from_inputs(values: Iterable[Any], graph: Graph | None = None) -> Graph:
    """The graph the given tensors/ops live in (ValueError if they mix graphs), else
    ``graph`` or the default graph — TF's ``_get_graph_from_inputs``."""
    original = None
    for v in values:
        if isinstance(v, (Tensor, Operation)):
            elem = v
        else:
            conv = getattr(v, "_as_graph_element", None)
            elem = conv() if conv is not None else None
        if elem is None:
            continue
        if graph is None:
            original = elem
            graph = elem.graph
        elif original is not None:
            if elem.graph is not original.graph:
                raise ValueError(f"{elem!r} must be from the same graph as {original!r}"
                                 " (graphs are different).")
        elif elem.graph is not graph:
            raise ValueError(f"{elem!r} is not from the passed-in graph.")
    return graph if graph is not None else get_default_graph()


class name_scope:  # noqa: N801 - TF's public name
    """``tf.compat.v1.name_scope(name, default_name=None, values=None)``.

    Uses ``default_name`` when ``name`` is None; enters the graph of ``values`` when given.
    Yields the scope string ending in "/" ("" at the top).
    """

    __slots__ = ("_name", "_default_name", "_values", "_scope", "_graph_ctx")

    def __init__(self, name: str | None, default_name: str | None = None,
                 values: Any = None) -> None:
        if not (default_name is None or isinstance(default_name, str)):
            raise TypeError(f"`default_name` type ({type(default_name)}) is not a string type."
                            " You likely meant to pass this into the `values` kwarg.")
        self._name = default_name if name is None else name
        self._default_name = default_name
        self._values = values

    def __enter__(self) -> str:
        if self._name is None and self._values is not None:
            raise ValueError(f"At least one of name ({self._name}) and default_name"
                             f" ({self._default_name}) must be provided.")
        g = get_default_graph()
        self._graph_ctx = None
        if self._values:
            g2 = get_graph_from_inputs(self._values)
            if g2 is not g:
                self._graph_ctx = g2.as_default()
                self._graph_ctx.__enter__()
                g = g2
        self._scope = _NameScope(g, self._name)
        try:
            return self._scope.__enter__()
        except BaseException:
            if self._graph_ctx is not None:
                self._graph_ctx.__exit__(None, None, None)
            raise

    def __exit__(self, *exc: Any) -> None:
        self._scope.__exit__(*exc)
        if self._graph_ctx is not None:
            self._graph_ctx.__exit__(*exc)


class init_scope:  # noqa: N801 - TF's public name
    """TF's ``init_scope`` in graph mode: no control dependencies or control-flow context,
    the current name scope kept (re-entered as an absolute scope)."""

    def __enter__(self) -> None:
        g = get_default_graph()
        scope = g.get_name_scope()
        self._scope = _NameScope(g, scope + "/" if scope else None)
        self._deps = g.control_dependencies(None)
        self._scope.__enter__()
        self._deps.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._deps.__exit__(*exc)
        self._scope.__exit__(*exc)


def control_dependencies(control_inputs: Iterable[Any] | None) -> _ControlDependencies:
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function: Any) -> _StackEntry:
    return get_default_graph().device(device_name_or_function)


def colocate_with(op: Any, ignore_existing: bool = False) -> _Colocation:
    return get_default_graph().colocate_with(op, ignore_existing)


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: str | None = None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)


__all__ = ["Graph", "GraphKeys", "get_default_graph", "reset_default_graph", "name_scope",
           "init_scope",
           "control_dependencies", "device", "colocate_with", "get_name_scope",
           "add_to_collection", "add_to_collections", "get_collection", "get_collection_ref"]
