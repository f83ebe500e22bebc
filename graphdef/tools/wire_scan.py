"""A whole-buffer walk of a serialized GraphDef with numpy: node boundaries, names,
ops, input strings and the offset of each node's tail, in a few array passes.

Why: the tools' :class:`~graphdef.tools.canonical.GraphIndex` needs these for every
node, and a Python loop over a million nodes costs seconds (per node a handful of
slices, decodes and appends). Here the per-node work is numpy over all nodes at
once, and the strings come out of one ``bytes.decode().split()`` per kind, so the
Python objects are made in C.

It handles the layout every serializer we know writes (TF, protobuf, graphdef):
top-level node fields first, each NodeDef as ``name, op, input*`` followed by the
rest (device, attrs, debug info). Anything else (other field order, no name,
names holding NUL, invalid UTF-8...) makes :func:`scan_nodes` return None and
the caller walks the bytes field by field as before, so results never depend on
which path ran.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphdef.io.wire import MessageSequence, decode_varint

if TYPE_CHECKING:  # numpy is imported where it is used (see the functions)
    import numpy as np

#: Zero bytes appended to the buffer copy: varint reads near the end never run past it.
_PAD = 16


@dataclass
class NodeScan:
    """What :func:`scan_nodes` found, nodes in file order.

    Attributes:
        starts, ends: each node's serialized NodeDef as ``data[starts[k]:ends[k]]``
            (the payload of its field in the GraphDef).
        tail_starts: where the node's fields after its inputs begin.
        names, ops: per node (ops are shared string objects, one per distinct op).
        inputs: every input string, node by node, in field order.
        input_node: the node each entry of ``inputs`` belongs to (int64 array).
        input_bounds: node k's inputs are ``inputs[input_bounds[k]:input_bounds[k + 1]]``.
        rest: offset of the first top-level field after the nodes.
    """

    starts: np.ndarray
    ends: np.ndarray
    tail_starts: np.ndarray
    names: list[str]
    ops: list[str]
    inputs: list[str]
    input_node: np.ndarray
    input_bounds: np.ndarray
    rest: int


def _varints(a: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Varints at positions ``pos`` of ``a``: (values, sizes in bytes, ok). ``ok`` is
    False where one runs past 5 bytes (lengths of 4 GiB and more are not a GraphDef
    a walk should accept; candidates in the middle of tensor bytes may look so)."""
    import numpy as np
    b = a[pos].astype(np.int64)
    val = b & 0x7F
    size = np.ones(len(pos), dtype=np.int64)
    ok = np.ones(len(pos), dtype=bool)
    more = np.flatnonzero(b >= 0x80)
    shift = 7
    while len(more):
        if shift > 28:
            ok[more] = False
            break
        b = a[pos[more] + (shift // 7)].astype(np.int64)
        val[more] |= (b & 0x7F) << shift
        size[more] += 1
        more = more[b >= 0x80]
        shift += 7
    return val, size, ok


def _strings(a: np.ndarray, starts: np.ndarray, lens: np.ndarray, nul: int) -> list[str] | None:
    """The UTF-8 strings ``a[starts[k]:starts[k] + lens[k]]`` as a list, made by one
    gather, one decode and one split; ``nul`` is the position of a zero byte in ``a``.
    None when a string holds NUL or is not valid UTF-8."""
    import numpy as np
    n = len(starts)
    if n == 0:
        return []
    seg = lens + 1
    offs = np.cumsum(seg) - seg
    # positions to gather, as steps summed up in place: 1 within a string, a jump at
    # each string's start (one int32/int64 array: a million names are ~15M bytes)
    gather = np.ones(int(seg.sum()), dtype=np.int32 if nul < 1 << 31 else np.int64)
    gather[offs[0]] = starts[0]
    gather[offs[1:]] = starts[1:] - (starts[:-1] + lens[:-1])
    np.cumsum(gather, out=gather)
    gather[offs + lens] = nul
    try:
        out = a[gather].tobytes().decode("utf-8").split("\x00")
    except UnicodeDecodeError:
        return None
    if len(out) != n + 1:
        return None
    out.pop()
    return out


def _field(a: np.ndarray, pos: np.ndarray, end: np.ndarray, tag: int
           ) -> tuple[np.ndarray, np.ndarray] | None:
    """Start and length of the length-delimited field ``tag`` at each ``pos`` (which
    must be there and end by ``end``); None otherwise."""
    if not (a[pos] == tag).all():
        return None
    length, size, ok = _varints(a, pos + 1)
    if not ok.all():
        return None
    start = pos + 1 + size
    if (start + length > end).any():
        return None
    return start, length


def scan_nodes(data: bytes) -> NodeScan | None:
    """Walk ``data`` (a serialized GraphDef) as described in the module docstring;
    None when it does not have that layout (the caller then walks field by field)."""
    import numpy as np
    n_all = len(data)
    if n_all == 0 or data[0] != 0x0A:
        return None
    a = np.frombuffer(data + bytes(_PAD), dtype=np.uint8)
    nul = n_all  # a padding byte
    # candidates for a node field: tag 1 (0x0a), a length, then the name's tag 1 too;
    # the real nodes are the chain of them from offset 0 where each ends where the
    # next begins (usually every candidate: then one comparison says so)
    cand = np.flatnonzero(a[:n_all] == 0x0A)
    # a node's name tag comes 2 to 6 bytes after its own tag: drop the other 0x0a
    # bytes first (attr keys...), so the arrays below are a few per node, not per byte
    near = a[cand + 2] == 0x0A
    for k in (3, 4, 5, 6):
        near |= a[cand + k] == 0x0A
    cand = cand[near]
    del near
    length, size, ok = _varints(a, cand + 1)
    keep = ok & (a[cand + 1 + size] == 0x0A)
    cand, length, size = cand[keep], length[keep], size[keep]
    ends = cand + 1 + size + length
    if len(cand) == 0 or cand[0] != 0:
        return None
    pay = cand + 1 + size
    if not (ends[:-1] == cand[1:]).all():
        # candidates inside payloads (tensor bytes, attr values): follow the chain
        chain = _chain(cand, ends)
        cand, ends, pay = cand[chain], ends[chain], pay[chain]
    rest = int(ends[-1])
    if rest > n_all:
        return None
    if _more_nodes(data, rest):
        return None  # a node after other fields, or one the chain missed: walk it all
    f = _field(a, pay, ends, 0x0A)
    if f is None:
        return None
    name_start, name_len = f
    f = _field(a, name_start + name_len, ends, 0x12)
    if f is None:
        return None
    op_start, op_len = f
    names = _strings(a, name_start, name_len, nul)
    ops_raw = _strings(a, op_start, op_len, nul)
    if names is None or ops_raw is None:
        return None
    pool: dict[str, str] = {}
    ops = list(map(pool.setdefault, ops_raw, ops_raw))
    del ops_raw
    # inputs: one round per input position, over the nodes that still have one
    cur = op_start + op_len
    active = np.arange(len(pay), dtype=np.int64)
    in_node, in_rank, in_start, in_len = [], [], [], []
    rank = 0
    while len(active):
        at = cur[active]
        m = (at < ends[active]) & (a[at] == 0x1A)
        active, at = active[m], at[m]
        if not len(active):
            break
        f = _field(a, at, ends[active], 0x1A)
        if f is None:
            return None
        st, ln = f
        in_node.append(active)
        in_rank.append(np.full(len(active), rank, dtype=np.int64))
        in_start.append(st)
        in_len.append(ln)
        cur[active] = st + ln
        rank += 1
    # after the inputs: the end, or a field after input (device, attr...); a name or
    # op field there (another layout) is left to the field-by-field walk
    tail_tag = a[cur]
    if ((cur < ends) & (tail_tag <= 0x1A)).any():
        return None
    if in_node:
        node_of = np.concatenate(in_node)
        order = np.lexsort((np.concatenate(in_rank), node_of))
        node_of = node_of[order]
        inputs = _strings(a, np.concatenate(in_start)[order], np.concatenate(in_len)[order], nul)
        if inputs is None:
            return None
    else:
        node_of = np.zeros(0, dtype=np.int64)
        inputs = []
    bounds = np.zeros(len(pay) + 1, dtype=np.int64)
    np.cumsum(np.bincount(node_of, minlength=len(pay)), out=bounds[1:])
    return NodeScan(pay, ends, cur, names, ops, inputs, node_of, bounds, rest)


def _chain(cand: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Positions in ``cand`` of the fields walked from offset 0: each one starts where
    the previous one ends (the first candidate is at 0). By induction these are the
    real top-level fields; where no candidate starts at an end, the chain stops and
    :func:`_more_nodes` looks at what really is there."""
    import numpy as np
    nxt = np.searchsorted(cand, ends)
    hit = nxt < len(cand)
    hit[hit] = cand[nxt[hit]] == ends[hit]
    step = np.where(hit, nxt, -1).tolist()
    out = []
    k = 0
    while k >= 0:
        out.append(k)
        k = step[k]
    return np.array(out, dtype=np.int64)


def _more_nodes(data: bytes, pos: int) -> bool:
    """False when the top-level fields from ``pos`` on are only the few a GraphDef has
    besides its nodes (library, version, versions, and the deprecated field 5), well
    formed; True for anything else (a node field the chain missed, an unknown field,
    a truncated one): the field-by-field walk then reads, or rejects, the graph."""
    n = len(data)
    while pos < n:
        tag = data[pos]
        if tag not in (0x12, 0x18, 0x22, 0x2A):
            return True
        try:
            value, pos = decode_varint(data, pos + 1)
        except IndexError:
            return True
        if tag != 0x18:
            pos += value
            if pos > n:
                return True
    return False


class NodeBytes(MessageSequence):
    """The serialized NodeDefs of a scanned buffer as a read-only sequence of bytes
    (``GraphIndex.serial``): slices are made on access, not kept per node."""

    __slots__ = ("data", "starts", "ends")

    def __init__(self, data: bytes, starts: np.ndarray, ends: np.ndarray) -> None:
        self.data = data
        self.starts = starts
        self.ends = ends

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self.starts)
        return self.data[int(self.starts[i]):int(self.ends[i])]

    def __iter__(self):  # noqa: ANN204
        return map(self.data.__getitem__, map(slice, self.starts.tolist(), self.ends.tolist()))


class EdgeTuples:
    """Per-node ``((src, port), ...)`` tuples (``GraphIndex.data``) over flat arrays:
    a node's tuple is made when asked for, the whole list on first iteration. An
    index handed over by a worker process is read node by node by a rename diff,
    which never needs most of the million tuples."""

    __slots__ = ("bounds", "src", "port", "_list")

    def __init__(self, counts: np.ndarray, src: np.ndarray, port: np.ndarray) -> None:
        import numpy as np
        self.bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
        self.src, self.port = src.tolist(), port.tolist()
        self._list: list[tuple] | None = None

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, i: int) -> tuple:
        if self._list is not None:
            return self._list[i]
        if i < 0:
            i += len(self.bounds) - 1
        lo, hi = self.bounds[i], self.bounds[i + 1]
        return tuple(zip(self.src[lo:hi], self.port[lo:hi]))

    def __setitem__(self, i: int, value: tuple) -> None:
        self.materialize()[i] = value

    def materialize(self) -> list[tuple]:
        if self._list is None:
            pairs = list(zip(self.src, self.port))
            b = self.bounds
            self._list = list(map(tuple, map(pairs.__getitem__, map(slice, b[:-1], b[1:]))))
        return self._list

    def __iter__(self):  # noqa: ANN204
        return iter(self.materialize())

    def __eq__(self, other: object) -> bool:
        try:
            return self.materialize() == list(other)  # type: ignore[call-overload]
        except TypeError:
            return NotImplemented

    __hash__ = None  # type: ignore[assignment]


__all__ = ["NodeScan", "NodeBytes", "EdgeTuples", "scan_nodes"]
