"""Reading and writing GraphDefs: ``load``/``loads``/``save``/``dumps``.

Binary (``.pb``), text (``.pbtxt``) and TensorBoard event files are told apart by
content, never by file name. Every failure is a ``graphdef.errors`` exception
naming the source (and line/column for text); no protobuf traceback escapes.
"""
from __future__ import annotations

import os
import sys
from typing import IO, Any, Union

from google.protobuf import message as _message
from google.protobuf import text_format

from graphdef._proto import graph_pb2
from graphdef.errors import GraphDefError, InputNotFoundError, ParseError
from graphdef.io import events
from graphdef.io.atomic import write_atomic
from graphdef.io.text import format_text, parse_text, text_to_wire

GraphDef = graph_pb2.GraphDef
FORMATS = ("pbtxt", "pb")
PathLike = Union[str, "os.PathLike[str]"]

# GraphDef's own field numbers; anything else at top level of a binary file means
# the bytes are some other message (a SavedModel, an Event, ...).
_GRAPHDEF_FIELDS = frozenset(f.number for f in GraphDef.DESCRIPTOR.fields)


def detect_format(data: bytes) -> str:
    """``"events"``, ``"pb"`` or ``"pbtxt"`` for the bytes of a file.

    Text is valid UTF-8 without control characters other than whitespace; a binary
    GraphDef nearly always has length bytes below 0x20 early on. ``loads`` tries the
    other format when the guess fails, so an unlucky guess costs time, not correctness.
    """
    if events.looks_like_records(data):
        return "events"
    head = data[:4096]
    for b in head:
        if b < 0x20 and b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D):
            return "pb"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # a multibyte char cut at the 4096 boundary is fine
            return "pb"
    return "pbtxt"


def _parse_binary(data: bytes, source: str) -> GraphDef:
    g = GraphDef()
    try:
        g.ParseFromString(data)
    except _message.DecodeError as e:
        raise ParseError(f"not a valid binary GraphDef (truncated or corrupt: {e})", source) from e
    except Exception as e:  # upb raises RuntimeError for some malformed inputs
        raise ParseError(f"not a valid binary GraphDef ({e})", source) from e
    unknown = _unknown_top_level(g)
    if unknown:
        raise ParseError("not a GraphDef: unknown top-level field number(s) "
                         + ", ".join(str(n) for n in sorted(unknown)), source)
    return g


def _unknown_top_level(g: GraphDef) -> set[int]:
    try:
        from google.protobuf.unknown_fields import UnknownFieldSet
        return {f.field_number for f in UnknownFieldSet(g)} - _GRAPHDEF_FIELDS
    except Exception:  # pragma: no cover - very old protobuf
        return set()


def _parse_text(data: bytes | str, source: str) -> GraphDef:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            raise ParseError("not UTF-8 text and not a binary GraphDef", source, line, col) from e
    else:
        text = data
    g = GraphDef()
    try:
        parse_text(text, g)
    except text_format.ParseError as e:
        line, col = e.GetLine(), e.GetColumn()
        msg = str(e)
        # text_format prefixes "line:col : "; keep only the reason
        prefix = f"{line}:{col} : "
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
        raise ParseError(msg, source, line, col) from e
    except Exception as e:  # never a bare protobuf traceback
        raise ParseError(f"cannot parse text GraphDef ({e})", source) from e
    return g


def loads(data: bytes | str, source: str = "<string>") -> GraphDef:
    """Parse a GraphDef from bytes or text, detecting binary/text/event format by content.

    Raises:
        ParseError: empty, corrupt, truncated or non-GraphDef input; names ``source``
            and, for text, the line and column.
    """
    if isinstance(data, str):
        if not data.strip():
            raise ParseError("empty input: no GraphDef", source)
        return _parse_text(data, source)
    if not data.strip():
        raise ParseError("empty input: no GraphDef", source)
    fmt = detect_format(data)
    if fmt == "events":
        try:
            gbytes = events.graph_bytes_from_events(data)
        except (ValueError, _message.DecodeError) as e:
            raise ParseError(f"corrupt event file: {e}", source) from e
        if gbytes is None:
            raise ParseError("event file holds no graph", source)
        return _parse_binary(gbytes, source)
    if fmt == "pb":
        try:
            return _parse_binary(data, source)
        except ParseError as first:
            try:
                return _parse_text(data, source)
            except ParseError:
                raise first from None
    try:
        return _parse_text(data, source)
    except ParseError as first:
        try:
            g = _parse_binary(data, source)
        except ParseError:
            raise first from None
        if not g.node and not g.library.function:
            raise first
        return g


def read_bytes(path_or_file: PathLike | IO[Any]) -> tuple[bytes, str]:
    """Bytes and a display name for a path, ``-`` (stdin) or an open file."""
    if hasattr(path_or_file, "read"):
        data = path_or_file.read()
        name = getattr(path_or_file, "name", "<file>")
        if isinstance(data, str):
            data = data.encode("utf-8")
        return data, str(name)
    path = os.fspath(path_or_file)
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(path, "rb") as f:
            return f.read(), path
    except FileNotFoundError as e:
        raise InputNotFoundError(f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise InputNotFoundError(f"{path}: is a directory, not a GraphDef file") from e
    except OSError as e:
        raise InputNotFoundError(f"{path}: cannot read: {e.strerror or e}") from e


def load(path_or_file: PathLike | IO[Any]) -> GraphDef:
    """Read a GraphDef from a path, ``-`` for stdin, or an open (binary) file."""
    data, name = read_bytes(path_or_file)
    return loads(data, name)


def dumps(graph_def: Any, format: str = "pbtxt") -> bytes:
    """Serialize: ``pbtxt`` as TensorFlow's text dumps, ``pb`` deterministic binary."""
    if format == "pbtxt":
        return format_text(graph_def).encode("utf-8")
    if format == "pb":
        return graph_def.SerializeToString(deterministic=True)
    raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")


def save(graph_def: Any, path: PathLike, format: str = "pbtxt") -> None:
    """Write ``graph_def`` to ``path`` atomically (``-`` writes to stdout)."""
    data = dumps(graph_def, format)
    if os.fspath(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(path, data)


__all__ = ["GraphDef", "load", "loads", "save", "dumps", "detect_format", "read_bytes",
           "write_atomic", "text_to_wire", "FORMATS", "GraphDefError"]
