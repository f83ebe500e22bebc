"""Variables: reference variables (VariableV2 + Assign*) and resource variables
(VarHandleOp + *VariableOp). Values live in the session's store, so two sessions
on one graph hold separate values, as in TensorFlow."""
from __future__ import annotations

import numpy as np

from graphdef.errors import FailedPreconditionError, InvalidArgumentError
from graphdef.runtime.kernels.registry import kernel


class Ref:
    """A reference-variable output: where the value lives, not the value itself.

    Consumers that take a ``ref`` input (Assign, IsVariableInitialized, RefSwitch)
    get the Ref; every other consumer reads it through :meth:`read`, which fails as
    TensorFlow does when the variable has no value yet.
    """

    __slots__ = ("store", "key", "node")

    def __init__(self, store: dict, key: str, node) -> None:
        self.store, self.key, self.node = store, key, node

    def read(self):
        try:
            return self.store[self.key]
        except KeyError:
            # node_def left empty: the plan names the consuming node, as TF does
            raise FailedPreconditionError(None, None, f"Attempting to use uninitialized value {self.key}") from None

    def __repr__(self) -> str:
        return f"<Ref {self.key}>"


def read(v):
    """The value of ``v``: dereference a Ref, pass anything else through."""
    return v.read() if type(v) is Ref else v


def _store_value(value, dtype) -> np.ndarray:
    a = np.array(value, dtype=dtype, copy=True)
    a.flags.writeable = False  # fetched values are copied on the way out; the store stays intact
    return a


def _var_key(ctx) -> str:
    shared = ctx.attr("shared_name", b"")
    return shared.decode() if shared else ctx.name


@kernel("VariableV2", "Variable", "TemporaryVariable", factory=True, ref_output=True, stateful=True)
def variable_v2(ctx):
    ref = Ref(ctx.state, _var_key(ctx), ctx.node)
    return lambda: ref


def _assign_kernel(update):
    def factory(ctx):
        validate = bool(ctx.attr("validate_shape", True))
        dtype = ctx.np_dtype("T")

        def run(ref, value):
            if type(ref) is not Ref:
                raise InvalidArgumentError(ctx.node, None, "input 'ref' is not a reference variable")
            old = ref.store.get(ref.key)
            if update is None:
                if validate and old is not None and np.shape(old) != np.shape(value):
                    raise InvalidArgumentError(
                        ctx.node, None, f"Assign requires shapes of both tensors to match. lhs shape= "
                        f"{list(np.shape(old))} rhs shape= {list(np.shape(value))}")
                new = _store_value(value, dtype)
            else:
                if old is None:
                    raise FailedPreconditionError(
                        ctx.node, None, f"Attempting to use uninitialized value {ref.key}")
                if np.shape(old) != np.shape(value):
                    raise InvalidArgumentError(ctx.node, None, f"Must have the same shape: {list(np.shape(old))} "
                                               f"vs {list(np.shape(value))}")
                # In place, as TF's DenseUpdateOp: reads of the variable earlier in the
                # same run (an Identity such as v/read forwards the buffer) see the update.
                old.flags.writeable = True
                try:
                    update(old, value, out=old, casting="unsafe")
                finally:
                    old.flags.writeable = False
                return old
            ref.store[ref.key] = new
            return new
        return run
    return factory


kernel("Assign", factory=True, ref_inputs=(0,), stateful=True)(_assign_kernel(None))
kernel("AssignAdd", factory=True, ref_inputs=(0,), stateful=True)(_assign_kernel(np.add))
kernel("AssignSub", factory=True, ref_inputs=(0,), stateful=True)(_assign_kernel(np.subtract))


@kernel("IsVariableInitialized", ref_inputs=(0,), stateful=True)
def is_variable_initialized(ref):
    return np.array(type(ref) is not Ref or ref.key in ref.store)


# --------------------------------------------------------------------------
# resource variables
# --------------------------------------------------------------------------

class Handle:
    """A resource handle: the key of a resource variable in the session store."""

    __slots__ = ("store", "key", "node")

    def __init__(self, store: dict, key: str, node) -> None:
        self.store, self.key, self.node = store, key, node

    def __repr__(self) -> str:
        return f"<ResourceHandle {self.key}>"


_RES = "resource:"


@kernel("VarHandleOp", factory=True, stateful=True)
def var_handle_op(ctx):
    h = np.array(Handle(ctx.state, _RES + _var_key(ctx), ctx.node), dtype=object)
    return lambda: h


def _handle(ctx, h) -> Handle:
    h = h.item() if isinstance(h, np.ndarray) else h
    if type(h) is not Handle:
        raise InvalidArgumentError(ctx.node, None, "input is not a resource handle")
    return h


@kernel("ReadVariableOp", factory=True, stateful=True)
def read_variable_op(ctx):
    def run(h):
        h = _handle(ctx, h)
        try:
            return h.store[h.key]
        except KeyError:
            name = h.key[len(_RES):]
            raise FailedPreconditionError(
                ctx.node, None, f"Error while reading resource variable {name}: the variable is "
                f"uninitialized (Container: localhost, name {name})") from None
    return run


def _resource_update(update):
    def factory(ctx):
        dtype = ctx.np_dtype("dtype")

        def run(h, value):
            h = _handle(ctx, h)
            if update is None:
                h.store[h.key] = _store_value(value, dtype)
            else:
                old = h.store.get(h.key)
                if old is None:
                    name = h.key[len(_RES):]
                    raise FailedPreconditionError(ctx.node, None,
                                                  f"Error while reading resource variable {name}: uninitialized")
                h.store[h.key] = _store_value(update(old, value), dtype)
            return None
        return run
    return factory


kernel("AssignVariableOp", factory=True, num_outputs=0, stateful=True)(_resource_update(None))
kernel("AssignAddVariableOp", factory=True, num_outputs=0, stateful=True)(_resource_update(np.add))
kernel("AssignSubVariableOp", factory=True, num_outputs=0, stateful=True)(_resource_update(np.subtract))


@kernel("VarIsInitializedOp", factory=True, stateful=True)
def var_is_initialized_op(ctx):
    def run(h):
        h = _handle(ctx, h)
        return np.array(h.key in h.store)
    return run


@kernel("DestroyResourceOp", factory=True, num_outputs=0, stateful=True)
def destroy_resource_op(ctx):
    def run(h):
        h = _handle(ctx, h)
        h.store.pop(h.key, None)
    return run


@kernel("ApplyGradientDescent", factory=True, ref_inputs=(0,), stateful=True)
def apply_gradient_descent(ctx):
    """var -= alpha * delta, in place (as AssignSub)."""
    def run(ref, alpha, delta):
        if type(ref) is not Ref:
            raise InvalidArgumentError(ctx.node, None, "input 'var' is not a reference variable")
        old = ref.read()
        old.flags.writeable = True
        try:
            np.subtract(old, alpha * delta, out=old, casting="unsafe")
        finally:
            old.flags.writeable = False
        return old
    return run


@kernel("ResourceApplyGradientDescent", factory=True, num_outputs=0, stateful=True)
def resource_apply_gradient_descent(ctx):
    def run(h, alpha, delta):
        h = _handle(ctx, h)
        if h.key not in h.store:
            raise FailedPreconditionError(ctx.node, None, f"Error while reading resource variable "
                                          f"{h.key[len(_RES):]}: uninitialized")
        h.store[h.key] = _store_value(h.store[h.key] - alpha * delta, h.store[h.key].dtype)
    return run
