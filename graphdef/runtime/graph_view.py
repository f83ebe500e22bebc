"""One way to read the graphs a Session runs: a GraphDef message or a builder ``Graph``
(through its public contract only), plus TF's tensor-name syntax."""
from __future__ import annotations

from typing import Any, Sequence

from graphdef import dtypes
from graphdef.errors import InvalidGraphError


class GraphDefView:
    """Node lookup over a GraphDef message (its version never changes)."""

    version = 0
    graph = None

    def __init__(self, graph_def: Any) -> None:
        self.graph_def = graph_def
        self.library = graph_def.library if graph_def.HasField("library") else None
        self._nodes: dict[str, Any] = {}
        for n in graph_def.node:
            if n.name in self._nodes:
                raise InvalidGraphError("duplicate node name", node=n.name)
            self._nodes[n.name] = n

    def node(self, name: str) -> Any:
        return self._nodes.get(name)


class BuilderView:
    """Node lookup over a builder ``Graph`` through its public contract
    (``version``, ``get_operation_by_name(name).node_def``)."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    @property
    def version(self) -> int:
        return self.graph.version

    def node(self, name: str) -> Any:
        try:
            return self.graph.get_operation_by_name(name).node_def
        except (KeyError, ValueError, TypeError):
            return None


def is_graph_def(obj: Any) -> bool:
    return hasattr(obj, "node") and hasattr(obj, "ListFields")


def view_of(graph: Any) -> GraphDefView | BuilderView:
    return GraphDefView(graph) if is_graph_def(graph) else BuilderView(graph)


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------

def parse_input(s: str) -> tuple[str, int, bool]:
    """``"name"``/``"name:1"``/``"^name"`` → (node, output index, is_control)."""
    if s.startswith("^"):
        return s[1:], -1, True
    node, sep, idx = s.rpartition(":")
    if sep and idx.isdigit():
        return node, int(idx), False
    return s, 0, False


def parse_tensor_name(s: str) -> tuple[str, int | None]:
    """A fetch/feed string: ``"add:0"`` → ("add", 0); ``"init"`` → ("init", None) (an op)."""
    node, sep, idx = s.rpartition(":")
    if sep and idx.isdigit():
        return node, int(idx)
    return s, None


def _shape_str(dims: Sequence[int] | None) -> str:
    return "<unknown>" if dims is None else "[" + ",".join("?" if d < 0 else str(d) for d in dims) + "]"


def _dtype_name(enum: int) -> str:
    try:
        return dtypes.as_dtype(enum).name
    except Exception:  # noqa: BLE001 - only for a message
        return str(enum)
