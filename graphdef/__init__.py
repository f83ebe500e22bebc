"""graphdef: build, inspect, compare, clean and run TensorFlow GraphDefs without TensorFlow.

``import graphdef as tf`` gives TF1's graph-building and Session API (the names of
``tf.compat.v1``); ``load``, ``save``, ``summarize``, ``diff`` and ``dedupe`` work on
GraphDef messages. Each subpackage exports its public names through ``__all__``:
``framework`` (Graph, Variable, ...), ``ops`` (math/array/nn ops), ``runtime``
(Session), ``tools`` (summarize/diff/dedupe).
"""
from __future__ import annotations

__version__ = "0.1.0"

from graphdef import errors
from graphdef._proto.graph_pb2 import GraphDef
from graphdef._proto.node_def_pb2 import NodeDef
from graphdef._proto.attr_value_pb2 import AttrValue
from graphdef._proto.tensor_pb2 import TensorProto
from graphdef.errors import GraphDefError, ParseError
from graphdef.io import dumps, load, loads, save

# Names bound on first access (module ``__getattr__`` below): both modules import
# numpy, which is most of a CLI command's start-up and which ``graphdef dedupe`` on
# a text graph never needs. name -> (module, attribute).
_LAZY_NAMES: dict[str, tuple[str, str]] = {
    "make_tensor_proto": ("graphdef.tensors", "make_tensor_proto"),
    "make_ndarray": ("graphdef.tensors", "to_ndarray"),
    **{n: ("graphdef.dtypes", n) for n in (
        "DType", "as_dtype", "bfloat16", "bool", "complex64", "complex128", "double",
        "float16", "float32", "float64", "half", "int8", "int16", "int32", "int64", "qint8",
        "qint16", "qint32", "quint8", "quint16", "resource", "string", "uint8", "uint16",
        "uint32", "uint64", "variant")},
}


def _bind_lazy_names() -> None:
    import importlib
    g = globals()
    for name, (modname, attr) in _LAZY_NAMES.items():
        if name not in g:
            g[name] = getattr(importlib.import_module(modname), attr)

# The TF1 API (framework, ops, runtime, tools) is imported on first use, not here:
# it is most of the import time (numpy kernels, op registries, shape functions),
# and a CLI command such as ``graphdef dedupe`` needs none of it, so it would pay
# for it on every process start. The first access to any name that is not bound
# yet (``tf.constant``, ``dir(tf)``, ``from graphdef import *``) star-imports the
# four subpackages in the order below, exactly as an eager import did; framework
# and ops always come together because ops installs Tensor's Python operators.
_LAZY_SUBPACKAGES = ("graphdef.framework", "graphdef.ops", "graphdef.runtime", "graphdef.tools")
# graphdef's modules that are not imported above (an attribute once imported)
_SUBMODULES = frozenset({"dtypes", "tensors", "framework", "ops", "runtime", "tools"})
_lazy_loaded = False


def _load_api() -> None:
    """Bind every public name of the four subpackages here (later ones win, as the
    old ``from ... import *`` lines did)."""
    global _lazy_loaded
    if _lazy_loaded:
        return
    import importlib
    _bind_lazy_names()  # first, as the eager imports came before the star imports
    g = globals()
    for modname in _LAZY_SUBPACKAGES:
        mod = importlib.import_module(modname)
        names = getattr(mod, "__all__", None)
        if names is None:
            names = [n for n in vars(mod) if not n.startswith("_")]
        for n in names:
            g[n] = getattr(mod, n)
    _lazy_loaded = True


def __getattr__(name: str) -> object:
    # Private names were never exported by the star imports; answering them
    # without loading keeps probes (``__wrapped__``, ``_pytestfixturefunction``)
    # cheap. ``__all__`` is what ``from graphdef import *`` asks for first: load,
    # then report none so the star import takes every public global, as before.
    if name.startswith("_"):
        if name == "__all__":
            _load_api()
        raise AttributeError(f"module 'graphdef' has no attribute {name!r}")
    if name in _LAZY_NAMES and not _lazy_loaded:
        _bind_lazy_names()  # dtypes/tensors only: the TF1 API may still stay unloaded
        return globals()[name]
    if name in _SUBMODULES:
        # ``from graphdef import dtypes`` inside a subpackage being imported asks here
        # first: import just that module. Loading the API now would star-import the
        # half-imported subpackage and miss the names it has not bound yet.
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    _load_api()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module 'graphdef' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    _load_api()
    return sorted(globals())
