"""``Session`` with ``tf.compat.v1`` semantics, over builder graphs and GraphDef messages.

``run(fetches, feed_dict)`` accepts what TF1 accepts: a tensor, an operation (its
result is ``None``), a name (``"add:0"`` for a tensor, ``"init"`` for an op), an
object with ``_as_graph_element()`` (a Variable), or lists/tuples/namedtuples/dicts
of those, nested; the result has the same structure. Feeds may replace any tensor.

The hot path is short on purpose: a cache lookup keyed by the fetch and feed
objects' identities, the compiled :class:`~graphdef.runtime.plan.Plan`, and the
structure rebuilt around its values. Variables live in ``self._state``, so two
sessions on one graph hold separate values.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from graphdef.errors import InvalidFetchError, InvalidFeedError
from graphdef.runtime.feeds import FeedSpec, feed_spec
from graphdef.runtime.graph_view import is_graph_def, parse_tensor_name, view_of
from graphdef.runtime import threads as _threads
from graphdef.runtime.plan import build_plan
from graphdef.runtime.threads import call_with_blas_threads

_MAX_CACHE = 512


# --------------------------------------------------------------------------
# default session stack (per thread, as TF)
# --------------------------------------------------------------------------

class _DefaultStack(threading.local):
    def __init__(self) -> None:
        self.stack: list["Session"] = []


_default = _DefaultStack()


def get_default_session() -> "Session | None":
    """The innermost session made default by ``with sess:``/``as_default()``/``InteractiveSession``."""
    stack = _default.stack
    return stack[-1] if stack else None


# --------------------------------------------------------------------------
# fetch structures
# --------------------------------------------------------------------------

def _leaf_key(x: Any) -> Any:
    return x if type(x) is str else id(x)


def _flatten(f: Any, leaves: list[Any]) -> Any:
    """A hashable template of the fetch structure; leaves appended in order."""
    if isinstance(f, dict):
        keys = tuple(f)
        return ("D", type(f), keys, tuple(_flatten(f[k], leaves) for k in keys))
    if isinstance(f, (list, tuple)):
        kind = "L" if isinstance(f, list) else ("N" if hasattr(f, "_fields") else "T")
        return (kind, type(f), tuple(_flatten(x, leaves) for x in f))
    leaves.append(f)
    return len(leaves) - 1


def _leaf_values(results: Any, positions: Sequence[int | None]) -> list:
    """The value of each fetched leaf (None for an op). (Outside ``Session.run``: a
    comprehension there would close over its locals, making a cell on every run.)"""
    return [None if p is None else _out(results[p]) for p in positions]


def _rebuild(t: Any, vals: Sequence[Any]) -> Any:
    if type(t) is int:
        return vals[t]
    kind = t[0]
    if kind == "D":
        typ = t[1]
        items = [(k, _rebuild(s, vals)) for k, s in zip(t[2], t[3])]
        return dict(items) if typ is dict else typ(items)
    items = [_rebuild(s, vals) for s in t[2]]
    if kind == "L":
        return items
    if kind == "N":
        return t[1](*items)
    return t[1](items) if t[1] is not tuple else tuple(items)


def _out(v: Any) -> Any:
    if type(v) is np.ndarray:
        if not v.ndim:
            return v[()]          # TF hands out 0-d results as numpy scalars (np.float32, bytes)
        if not v.flags.writeable:
            return v.copy()       # Consts, variables and their views are shared: hand out a copy
    return v


class _Entry:
    """A cached run: the plan, how to convert feeds, and how to shape the results."""

    __slots__ = ("version", "plan", "fn", "feed_keys", "specs", "leaf_pos", "template", "keep", "single_op")

    def __init__(self, version: int, plan: Any, feed_keys: list[Any], specs: list[FeedSpec],
                 leaf_pos: list[int | None], template: Any, keep: Any, split: bool = True) -> None:
        self.version = version
        self.plan = plan
        # what a call runs: the plan, or its batch-splitting wrapper where the session allows it
        self.fn = plan.split if split and plan.split is not None else plan.fn
        self.feed_keys = feed_keys
        self.specs = specs
        self.leaf_pos = leaf_pos
        self.template = template
        self.keep = keep  # strong refs: ids in the cache key stay unique while cached
        self.single_op = len(leaf_pos) == 1 and leaf_pos[0] is None

    def feeds(self, feed_dict: Mapping[Any, Any]) -> list[Any]:
        return [s.convert(feed_dict[k]) for k, s in zip(self.feed_keys, self.specs)]


# --------------------------------------------------------------------------
# Session
# --------------------------------------------------------------------------

class Session:
    """Runs graphs with ``tf.compat.v1.Session`` semantics.

    Args:
        target: ignored (TF's execution engine address); a Graph or GraphDef given
            here positionally is taken as ``graph``.
        graph: a builder ``Graph`` (default: the default graph) or a ``GraphDef`` message.
        config: a ``ConfigProto``-like object or dict; only ``intra_op_parallelism_threads``
            is used (BLAS threads for matrix products; default ``threads.SESSION_BLAS_THREADS``).
            Without it, large batches run in parts on the machine's cores (``runtime/batch.py``).
    """

    def __init__(self, target: Any = "", graph: Any = None, config: Any = None) -> None:
        if graph is None and not isinstance(target, str):
            graph, target = target, ""
        if graph is None:
            from graphdef.framework import get_default_graph
            graph = get_default_graph()
        self._graph = graph
        self._view = view_of(graph)
        self._is_graph_def = is_graph_def(graph)
        self._hook = getattr(graph, "_session_run_hook", None)
        self._state: dict[str, Any] = {}
        self._single: dict[Any, _Entry] = {}
        self._multi: dict[Any, _Entry] = {}
        self._consts: dict[int, Any] = {}
        self._closed = False
        self._ctx_stack: list[Any] = []
        self._config = config
        # Large batches run in parts on several threads (``batch.py``) under the default
        # threading only: a config that names its thread count gets exactly that.
        self._split = not self._config_threads()

    # -- properties -----------------------------------------------------------
    @property
    def graph(self) -> Any:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph if self._is_graph_def else self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    # -- lifecycle --------------------------------------------------------------
    def close(self) -> None:
        """Release the session's variables and plans; later ``run`` calls raise RuntimeError."""
        self._closed = True
        self._state.clear()
        self._single.clear()
        self._multi.clear()
        self._consts.clear()

    @contextlib.contextmanager
    def as_default(self) -> Iterator["Session"]:
        """Make this the default session inside the block (it is not closed on exit)."""
        _default.stack.append(self)
        try:
            yield self
        finally:
            _remove(self)

    def __enter__(self) -> "Session":
        if not self._is_graph_def and hasattr(self._graph, "as_default"):
            cm = self._graph.as_default()
            cm.__enter__()
            self._ctx_stack.append(cm)
        else:
            self._ctx_stack.append(None)
        _default.stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _remove(self)
        cm = self._ctx_stack.pop() if self._ctx_stack else None
        if cm is not None:
            cm.__exit__(*exc)
        self.close()

    # -- running ----------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: Mapping[Any, Any] | None = None,
            options: Any = None, run_metadata: Any = None) -> Any:
        """Run the nodes ``fetches`` need and return their values in ``fetches``' structure.

        Raises:
            RuntimeError: the session is closed.
            InvalidArgumentError: an unfed placeholder (named), a feed of the wrong shape
                (``InvalidFeedError``, also a ValueError) or dtype (``FeedTypeError``).
            FailedPreconditionError: an uninitialized variable is read.
            InvalidGraphError / UnknownOpError: the needed subgraph is broken.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._hook is not None:
            self._hook()
        version = self._view.version
        if not isinstance(fetches, (list, tuple, dict)):
            key = fetches if type(fetches) is str else id(fetches)
            if feed_dict:
                key = (key,) + tuple([k if type(k) is str else id(k) for k in feed_dict])
            e = self._single.get(key)
            if e is None or e.version != version:
                e = self._prepare(fetches, None, feed_dict, version)
                if len(self._single) > _MAX_CACHE:
                    self._single.clear()
                self._single[key] = e
            if e.plan.uses_blas:
                r = call_with_blas_threads(self._blas_threads(), e.fn, *(e.feeds(feed_dict) if feed_dict else ()))
            else:
                r = e.fn(*e.feeds(feed_dict)) if feed_dict else e.fn()
            return None if e.single_op else _out(r)
        leaves: list[Any] = []
        template = _flatten(fetches, leaves)
        key = (template, tuple([_leaf_key(x) for x in leaves]),
               tuple([k if type(k) is str else id(k) for k in feed_dict]) if feed_dict else ())
        e = self._multi.get(key)
        if e is None or e.version != version:
            e = self._prepare(leaves, template, feed_dict, version)
            if len(self._multi) > _MAX_CACHE:
                self._multi.clear()
            self._multi[key] = e
        if e.plan.uses_blas:
            r = call_with_blas_threads(self._blas_threads(), e.fn, *(e.feeds(feed_dict) if feed_dict else ()))
        else:
            r = e.fn(*e.feeds(feed_dict)) if feed_dict else e.fn()
        if e.plan.single:
            r = (r,)
        return _rebuild(template, _leaf_values(r, e.leaf_pos))

    def make_callable(self, fetches: Any, feed_list: Sequence[Any] | None = None,
                      accept_options: bool = False) -> Any:
        """A function running ``fetches`` with positional values for ``feed_list``."""
        feed_list = list(feed_list or ())

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(fetches, dict(zip(feed_list, args)) if feed_list else None)
        return call

    def _blas_threads(self) -> int | None:
        """BLAS threads for plans with matrix products: the config's
        ``intra_op_parallelism_threads`` when set, else ``threads.SESSION_BLAS_THREADS``."""
        n = self._config_threads()
        return n if n else _threads.SESSION_BLAS_THREADS

    def _config_threads(self) -> int:
        """The config's ``intra_op_parallelism_threads`` (0: not set)."""
        n = getattr(self._config, "intra_op_parallelism_threads", 0) if self._config is not None else 0
        if isinstance(self._config, Mapping):
            n = self._config.get("intra_op_parallelism_threads", 0)
        return int(n or 0)

    # -- preparing ------------------------------------------------------------
    def _resolve(self, f: Any) -> tuple[str, int | None]:
        """A fetch/feed object → (node name, output index) or (op name, None)."""
        seen = 0
        while hasattr(f, "_as_graph_element") and not hasattr(f, "value_index") and seen < 4:
            f = f._as_graph_element()
            seen += 1
        if type(f) is str or isinstance(f, str):
            return parse_tensor_name(f)
        if isinstance(f, bytes):
            return parse_tensor_name(f.decode())
        g = getattr(f, "graph", None)
        if hasattr(f, "value_index") and hasattr(f, "op"):
            if not self._is_graph_def and g is not None and g is not self._graph:
                raise ValueError(f"Tensor {f.name} is not an element of this graph.")
            return f.op.name, int(f.value_index)
        if hasattr(f, "node_def") and hasattr(f, "name"):
            if not self._is_graph_def and g is not None and g is not self._graph:
                raise ValueError(f"Operation {f.name} is not an element of this graph.")
            return f.name, None
        raise TypeError(f"Fetch argument {f!r} has invalid type {type(f).__name__}, must be a string "
                        f"or Tensor. (Can not convert a {type(f).__name__} into a Tensor or Operation.)")

    def _spec(self, key: Any, node_name: str, index: int) -> FeedSpec:
        node = self._view.node(node_name)
        if node is None:
            raise InvalidFeedError(None, None, f"Cannot interpret feed_dict key as Tensor: the name "
                                   f"'{node_name}:{index}' refers to a Tensor which does not exist.")
        spec = feed_spec(node, index, f"{node_name}:{index}")
        # A builder tensor knows its own dtype and static shape even off placeholders.
        t = key
        if type(key) is str and not self._is_graph_def and hasattr(self._graph, "get_tensor_by_name"):
            try:
                t = self._graph.get_tensor_by_name(f"{node_name}:{index}")
            except Exception:  # noqa: BLE001 - fall back to the node's attrs
                t = None
        dt = getattr(t, "dtype", None)
        if dt is not None and spec.dtype is None and hasattr(dt, "as_numpy_dtype"):
            try:
                spec.dtype = np.dtype(dt.base_dtype.as_numpy_dtype)
            except Exception:  # noqa: BLE001
                pass
        shp = getattr(t, "shape", None)
        if shp is not None and spec.shape is None and getattr(shp, "ndims", None) is not None:
            spec.shape = [-1 if d is None else int(d) for d in shp.as_list()]
        return spec

    def _prepare(self, leaves: Any, template: Any, feed_dict: Mapping[Any, Any] | None,
                 version: int) -> _Entry:
        single_leaf = template is None
        leaf_list = [leaves] if single_leaf else leaves
        fetch_tensors: list[tuple[str, int]] = []
        index_of: dict[tuple[str, int], int] = {}
        targets: list[str] = []
        leaf_pos: list[int | None] = []
        for f in leaf_list:
            name, idx = self._resolve(f)
            if idx is None:
                if self._view.node(name) is None:
                    raise InvalidFetchError(None, None, f"The name '{name}' refers to an Operation not in the graph.")
                if name not in targets:
                    targets.append(name)
                leaf_pos.append(None)
                continue
            if self._view.node(name) is None:
                raise InvalidFetchError(None, None, f"The name '{name}:{idx}' refers to a Tensor which "
                                        f"does not exist. The operation, '{name}', does not exist in the graph.")
            t = (name, idx)
            if t not in index_of:
                index_of[t] = len(fetch_tensors)
                fetch_tensors.append(t)
            leaf_pos.append(index_of[t])
        feed_keys: list[Any] = []
        feeds: list[tuple[str, int]] = []
        specs: list[FeedSpec] = []
        for k in (feed_dict or {}):
            name, idx = self._resolve(k)
            if idx is None:
                raise InvalidFeedError(None, None, f"Cannot interpret feed_dict key '{name}' as a Tensor: "
                                       f"it names an Operation (use '{name}:0').")
            t = (name, idx)
            spec = self._spec(k, name, idx)
            if t in feeds:  # the same tensor under two keys: the later one wins
                i = feeds.index(t)
                feed_keys[i], specs[i] = k, spec
                continue
            feed_keys.append(k)
            feeds.append(t)
            specs.append(spec)
        plan = build_plan(self._view, fetch_tensors, targets, feeds, self._state, self._consts)
        keep = (leaves, list(feed_dict) if feed_dict else None)
        return _Entry(version, plan, feed_keys, specs, leaf_pos, template, keep, self._split)


def _remove(sess: Session) -> None:
    stack = _default.stack
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is sess:
            del stack[i]
            return


class InteractiveSession(Session):
    """A Session that makes itself (and its graph) the default on creation, for shells
    and notebooks; ``close()`` undoes that."""

    def __init__(self, target: Any = "", graph: Any = None, config: Any = None) -> None:
        super().__init__(target, graph, config)
        self._graph_cm = None
        if not self._is_graph_def and hasattr(self._graph, "as_default"):
            self._graph_cm = self._graph.as_default()
            self._graph_cm.__enter__()
        _default.stack.append(self)

    def close(self) -> None:
        if not self._closed:
            _remove(self)
            if self._graph_cm is not None:
                try:
                    self._graph_cm.__exit__(None, None, None)
                except Exception:  # noqa: BLE001 - the graph stack may have moved on
                    pass
                self._graph_cm = None
        super().close()


def run_graph(graph_def: Any, fetches: Sequence[str] | str, feeds: Mapping[str, Any] | None = None) -> list[Any]:
    """Run a GraphDef once: ``fetches`` are tensor names (``"node:0"``) or node names
    (a bare node name fetches its output 0); returns one numpy array per fetch.

    Raises:
        InvalidGraphError, UnknownOpError, InvalidArgumentError: as :meth:`Session.run`.
    """
    names = [fetches] if isinstance(fetches, str) else list(fetches)
    names = [n if ":" in n else n + ":0" for n in names]
    feed = {(k if ":" in k else k + ":0"): v for k, v in (feeds or {}).items()}
    sess = Session(graph=graph_def)
    try:
        return [np.asarray(v) for v in sess.run(names, feed)]
    finally:
        sess.close()
