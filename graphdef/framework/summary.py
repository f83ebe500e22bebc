"""``tf.summary.FileWriter``: a TensorBoard event file holding the graph.

The file is ``<logdir>/events.out.tfevents.<time>.<host><suffix>``: TFRecord framing with
masked CRC32C (``graphdef.io.events``), a ``file_version: "brain.Event:2"`` event, then
one event per ``add_graph``. A builder ``Graph`` is written exactly as ``as_graph_def()``
returns it, so reading the file back gives the same GraphDef (TF1 added
``_output_shapes`` attrs; pass ``add_shapes=True`` to ``add_graph`` for that).
Writes are synchronous (no queue thread); ``flush`` makes them durable.
"""
from __future__ import annotations

import os
import time
from typing import Any, BinaryIO

from graphdef._proto.event_pb2 import Event
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.framework.graph import Graph
from graphdef.io import events


class FileWriter:
    """Write a graph (and raw events) for TensorBoard (``tf.compat.v1.summary.FileWriter``)."""

    def __init__(self, logdir: str, graph: Any = None, max_queue: int = 10,
                 flush_secs: int = 120, graph_def: Any = None, filename_suffix: str | None = None,
                 session: Any = None) -> None:
        self._logdir = str(logdir)
        self._suffix = filename_suffix or ""
        self._file: BinaryIO | None = None
        self._path = ""
        self._open()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def _open(self) -> None:
        os.makedirs(self._logdir, exist_ok=True)
        self._path = os.path.join(self._logdir, events.event_file_name(self._suffix))
        self._file = open(self._path, "ab")
        events.write_event(self._file, events.file_version_event())

    # -- writing ------------------------------------------------------------
    def add_event(self, event: Event) -> None:
        if self._file is None:
            return  # closed writers drop events, as TF's do
        events.write_event(self._file, event)

    def _add(self, event: Event, global_step: int | None) -> None:
        event.wall_time = time.time()
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_graph(self, graph: Any, global_step: int | None = None, graph_def: Any = None,
                  add_shapes: bool = False) -> None:
        """Write ``graph`` (a builder Graph, or a GraphDef) as a graph event."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        g = graph if graph is not None else graph_def
        if isinstance(g, Graph):
            gd = g.as_graph_def(add_shapes=add_shapes)
        elif hasattr(g, "SerializeToString") and hasattr(g, "node"):
            gd = g
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated"
                            " `GraphDef`")
        self._add(Event(graph_def=gd.SerializeToString()), global_step)

    def add_graph_def(self, graph_def: GraphDef, global_step: int | None = None) -> None:
        self._add(Event(graph_def=graph_def.SerializeToString()), global_step)

    def add_summary(self, summary: Any, global_step: int | None = None) -> None:
        """Write a serialized or message ``Summary``."""
        ev = Event()
        if isinstance(summary, bytes):
            ev.summary.ParseFromString(summary)
        else:
            ev.summary.CopyFrom(summary)
        self._add(ev, global_step)

    # -- lifecycle ----------------------------------------------------------
    def get_logdir(self) -> str:
        return self._logdir

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            self._file.close()
            self._file = None

    def reopen(self) -> None:
        if self._file is None:
            self._open()

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


__all__ = ["FileWriter"]
