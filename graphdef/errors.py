"""One exception hierarchy for graphdef.

``GraphDefError`` is the root of everything graphdef raises on purpose. Input
problems (``ParseError``, ``InvalidGraphError``) carry the file, node and, for
text, the line and column, so the CLI can print one clear line and exit 2.

The TensorFlow-named errors (``InvalidArgumentError``, ``FailedPreconditionError``
...) mirror ``tf.errors`` so TF1 code that catches them runs unchanged; they are
``OpError`` subclasses, as in TensorFlow, and also ``GraphDefError`` subclasses.
"""
from __future__ import annotations

from typing import Any


class GraphDefError(Exception):
    """Base class of every error graphdef raises deliberately."""


class ParseError(GraphDefError, ValueError):
    """A file or string could not be read as a GraphDef.

    Attributes:
        source: file name (or ``<string>``/``<stdin>``) the data came from.
        line, column: 1-based position for text input, else ``None``.
        reason: the message without the location prefix.
    """

    def __init__(self, reason: str, source: str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.reason}"


class InputNotFoundError(GraphDefError, FileNotFoundError):
    """A named input file does not exist or cannot be opened."""


class WriteError(GraphDefError, OSError):
    """An output file could not be written (nothing was clobbered)."""


class InvalidGraphError(GraphDefError, ValueError):
    """A GraphDef is well-formed protobuf but not a valid graph
    (dangling input, cycle, duplicate node name, missing output index ...)."""

    def __init__(self, message: str, node: str | None = None) -> None:
        self.node = node
        super().__init__(f"node '{node}': {message}" if node else message)


# --------------------------------------------------------------------------
# TensorFlow-named errors (tf.errors.*)
# --------------------------------------------------------------------------

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(GraphDefError):
    """A failure while running (or preparing to run) a graph node.

    Same constructor as ``tf.errors.OpError``: ``(node_def, op, message)``.
    The string form names the node, e.g. ``node 'add_1' (AddV2): ...``.
    """

    error_code = UNKNOWN

    def __init__(self, node_def: Any, op: Any, message: str, *args: Any) -> None:
        self._node_def = node_def
        self._op = op
        self._message = message
        super().__init__(message)

    @property
    def message(self) -> str:
        return self._message

    @property
    def node_def(self) -> Any:
        return self._node_def

    @property
    def op(self) -> Any:
        return self._op

    def __str__(self) -> str:
        nd = self._node_def
        name = getattr(nd, "name", None) or (getattr(self._op, "name", None) if self._op is not None else None)
        if name:
            op_type = getattr(nd, "op", None) or getattr(self._op, "type", None)
            head = f"node '{name}'" + (f" ({op_type})" if op_type else "")
            if head not in self._message:
                return f"{head}: {self._message}"
        return self._message

    def __reduce__(self):  # picklable for worker processes
        return (type(self), (None, None, str(self)))


def _make(name: str, code: int, doc: str) -> type[OpError]:
    return type(name, (OpError,), {"error_code": code, "__doc__": doc,
                                   "__module__": __name__})


CancelledError = _make("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _make("UnknownError", UNKNOWN, "Unknown error.")
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT,
                             "An argument (feed, attr, input value) is invalid.")
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired.")
NotFoundError = _make("NotFoundError", NOT_FOUND, "A requested entity was not found.")
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED, "Permission denied.")
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED, "Unauthenticated.")
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED, "Out of resources.")
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION,
                                "State is not ready (e.g. an uninitialized variable).")
AbortedError = _make("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE, "Iterated past the valid range.")
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED,
                           "The operation is not implemented (e.g. no kernel for an op).")
InternalError = _make("InternalError", INTERNAL, "Internal error.")
UnavailableError = _make("UnavailableError", UNAVAILABLE, "Service unavailable.")
DataLossError = _make("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")


class UnknownOpError(UnimplementedError, InvalidGraphError):
    """A node's op type has no kernel; raised before anything runs."""

    def __init__(self, node_def: Any, op: Any, message: str, *args: Any) -> None:
        UnimplementedError.__init__(self, node_def, op, message)
        self.node = getattr(node_def, "name", None)


class KernelError(InternalError):
    """A kernel failed on a node for a reason other than a bad argument."""


class InvalidFeedError(InvalidArgumentError, ValueError):
    """A ``feed_dict`` entry does not fit its tensor (shape, unknown name) — TF raises ValueError."""


class FeedTypeError(InvalidArgumentError, TypeError):
    """A fed value cannot be converted to its tensor's dtype — TF raises TypeError."""


class InvalidFetchError(InvalidArgumentError, ValueError):
    """A fetch names no tensor or operation of the session's graph — TF raises ValueError."""


__all__ = [n for n in list(globals()) if n[0].isupper() and not n.startswith("_")] + ["OpError"]
