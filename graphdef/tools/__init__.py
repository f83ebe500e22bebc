"""GraphDef → report / GraphDef → GraphDef tools: summarize, diff, dedupe.

All three work on GraphDef messages and share one notion of "the same node"
(:mod:`graphdef.tools.canonical`); the CLI commands ``show``, ``diff`` and
``dedupe`` are thin layers over them.

``diff`` and ``summarize`` (and what they import: numpy, the tensor codecs) load
on first access to one of their names, not with the package: ``graphdef dedupe``
on a text graph needs neither, and importing them was most of its start-up.
"""
from __future__ import annotations

import importlib
import sys
import types

from graphdef.tools.dedupe import DedupeReport, dedupe

#: public name -> the submodule that defines it (loaded on first access)
_LAZY = {"diff": "diff", "DiffResult": "diff", "NodeChange": "diff",
         "summarize": "summarize", "show": "summarize", "scope_tree": "summarize",
         "node_info": "summarize"}


class _Tools(types.ModuleType):
    """This package's module type: the package exports *functions* named like two of
    its submodules (``diff``, ``summarize``, and ``dedupe``), and the import system
    binds a submodule on its package when it loads it (``tools.diff = <module>``).
    The eager ``from ... import`` lines that used to follow rebound the function;
    here the binding of a submodule under an exported name is replaced by that
    name's value in the submodule, whenever the submodule loads."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            exported = getattr(value, name, None)
            if exported is not None and (name in _LAZY or name == "dedupe"):
                value = exported
        super().__setattr__(name, value)


def __getattr__(name: str) -> object:
    sub = _LAZY.get(name)
    if sub is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{sub}"), name)
    globals()[name] = value
    return value


sys.modules[__name__].__class__ = _Tools

__all__: list[str] = ["dedupe", "DedupeReport", "diff", "DiffResult", "NodeChange",
                      "summarize", "show", "scope_tree", "node_info"]
