"""The builder: Graph, Operation, Tensor, naming and scopes, variables, import, FileWriter.

API notes for op functions (``graphdef/ops``)
---------------------------------------------
* ``g = get_default_graph()`` (or ``get_graph_from_inputs(values)`` to pick the inputs'
  graph and raise ValueError when they mix graphs, as TF's ``_get_graph_from_inputs``).
* ``g.create_op(op_type, inputs, attrs=None, name=None, output_dtypes=(), output_shapes=())``
  → ``Operation``. ``inputs``: list of ``Tensor``; ``attrs``: name → Python value or
  ``AttrValue`` (``attr_value(v)`` converts; scalars are memoised, do not mutate them);
  ``name`` ending in "/" (a scope string) is used as is, else uniquified in the current
  scope (default ``op_type``); ``output_dtypes``: list of ``DType``; ``output_shapes``:
  list of ``TensorShape``/lists/None (unknown). Control deps, devices and colocation of
  active blocks are applied. ``op.outputs[i]`` / ``op._outputs[i]`` are the tensors.
* TF's op-function pattern: ``with name_scope(name, "Add", [x, y]) as scope:`` convert
  inputs (``convert_to_tensor(y, dtype=..., name="y")`` gives ``Add/y``), then
  ``g.create_op("AddV2", [x, y], {...}, name=scope)``. ``Graph.name_scope(name)`` is the
  fast single-argument form.
* ``convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False)``;
  ``register_tensor_conversion_function(types, fn, priority)`` (fn(value, dtype, name,
  as_ref) may return NotImplemented; lower priority first; constants are the fallback).
* ``constant(value, dtype=None, shape=None, name="Const", verify_shape=False)``.
* ``Tensor._override_operator("__add__", fn)`` installs operators; ``Tensor.shape`` is a
  ``TensorShape`` (``as_tuple()`` gives dims with None for unknown, or None for unknown rank).
* ``Operation._set_attr(name, value)``, ``op._add_control_input(op2)``; never mutate
  ``op._attrs`` directly (ops with equal memoised attrs share one dict).
* Speed: ``attrs.intern_attrs(d)`` returns a shared dict that ``create_op`` takes as is;
  op functions can keep one per (op, dtype) and pass it on every call.
* ``colocate_with(op)`` adds ``_class: ["loc:@op"]`` (used by variables).
* Random ops: ``get_seed(seed)`` gives TF's ``(seed, seed2)`` from the graph seed
  (``set_random_seed``). ``init_scope()`` lifts out of control deps and ``cond`` contexts.
* v1 control flow: ``cond`` (initialized.py) with ``CondContext``; ``create_op`` calls the
  active context's ``add_op`` (inputs from outside are routed through ``Switch``).

Modules: ``tensor_shape`` (TensorShape/Dimension), ``attrs`` (AttrValue conversion, NodeDef
encoding), ``device`` (DeviceSpec), ``operation`` (Operation/Tensor), ``graph`` (Graph,
naming, scopes, control deps, default-graph stack), ``constant_op`` (constant,
convert_to_tensor), ``placeholders``, ``variables``, ``control_ops`` (identity/group/tuple),
``initialized`` (cond, initialized_value, initializer guard), ``importer``, ``summary``
(FileWriter), ``lazy`` (lazy-loading guard, lazy_property), ``random_seed``, ``compat``.
"""
from __future__ import annotations

from graphdef.framework.attrs import attr_to_python, attr_value
from graphdef.framework.constant_op import (constant, convert_n_to_tensor, convert_to_tensor,
                                            is_tensor, register_tensor_conversion_function)
from graphdef.framework.device import DeviceSpec
from graphdef.framework.graph import (Graph, GraphKeys, add_to_collection, add_to_collections,
                                      colocate_with, control_dependencies, device,
                                      get_collection, get_collection_ref, get_default_graph,
                                      get_graph_from_inputs, get_name_scope, init_scope,
                                      name_scope, reset_default_graph)
from graphdef.framework import compat, summary
from graphdef.framework.compat import (disable_eager_execution, disable_v2_behavior,
                                       executing_eagerly)
from graphdef.framework.random_seed import get_seed, set_random_seed
from graphdef.framework.control_ops import group, identity, no_op, tuple, with_dependencies
from graphdef.framework.importer import import_graph_def
from graphdef.framework.initialized import cond
from graphdef.framework.lazy import LazyLoadingWarning, lazy_property
from graphdef.framework.placeholders import placeholder, placeholder_with_default
from graphdef.framework.variables import (Variable, VariableV1, all_variables, assign, assign_add,
                                          assign_sub, global_variables,
                                          global_variables_initializer, initialize_all_variables,
                                          initialize_local_variables, initialize_variables,
                                          is_variable_initialized, local_variables,
                                          local_variables_initializer, model_variables,
                                          trainable_variables, variables_initializer)
from graphdef.framework.operation import Operation, Tensor
from graphdef.framework.tensor_shape import (Dimension, TensorShape, as_dimension, as_shape,
                                             dimension_value, unknown_shape)

__all__: list[str] = [
    "Graph", "GraphKeys", "Operation", "Tensor", "TensorShape", "Dimension", "DeviceSpec",
    "as_dimension", "as_shape", "dimension_value", "unknown_shape",
    "get_default_graph", "reset_default_graph", "name_scope", "control_dependencies", "device",
    "colocate_with", "get_name_scope", "add_to_collection", "add_to_collections",
    "get_collection", "get_collection_ref", "constant", "convert_to_tensor",
    "convert_n_to_tensor", "register_tensor_conversion_function", "is_tensor",
    "lazy_property", "LazyLoadingWarning", "get_graph_from_inputs", "init_scope",
    "identity", "no_op", "group", "tuple", "with_dependencies", "import_graph_def", "summary",
    "placeholder", "placeholder_with_default", "cond", "compat", "disable_v2_behavior",
    "disable_eager_execution", "executing_eagerly", "set_random_seed", "get_seed",
    "Variable", "VariableV1", "assign", "assign_add", "assign_sub", "is_variable_initialized",
    "global_variables", "all_variables", "trainable_variables", "local_variables",
    "model_variables", "variables_initializer", "global_variables_initializer",
    "local_variables_initializer", "initialize_all_variables", "initialize_variables",
    "initialize_local_variables",
]
