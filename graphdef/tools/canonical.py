"""A node's canonical form: what makes two NodeDefs "the same computation".

``diff`` and ``dedupe`` must agree on when two nodes are equal, so the rules live
here once:

* attrs compare as a map (order never matters) and tensors compare by *decoded*
  value (``tensor_content`` vs ``*_val`` vs one broadcast value are the same
  tensor; :func:`graphdef.tensors.canonical_bytes`), bit for bit, so ``0.0`` and
  ``-0.0`` stay different constants;
* control inputs are a set, data inputs a sequence (``x`` and ``x:0`` are one input);
* which ops may never be merged (stateful, random, placeholders, variables,
  control flow) and which are commutative, from built-in lists: no TensorFlow
  op registry is needed.

:class:`GraphIndex` is the array-based view of a GraphDef both tools work on: one
pass over the messages, then plain lists and dicts (no per-node protobuf copies),
so a million-node graph stays fast.
"""
from __future__ import annotations

import contextlib
import gc
import os
from bisect import bisect_right
from itertools import chain, compress, repeat
from operator import add, ge
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from graphdef._proto import types_pb2
from graphdef.errors import InvalidGraphError
from graphdef.io.wire import MessageSequence
from graphdef.io.wire import decode_varint as _read_varint
from graphdef.io.wire import encode_varint as _encode_varint

if TYPE_CHECKING:  # numpy (and the numpy walk) are imported where they are used
    import numpy as np

    from graphdef.tools.wire_scan import NodeScan

# --------------------------------------------------------------------------
# op lists
# --------------------------------------------------------------------------

#: Ops never merged by dedupe: each execution may give a different result or has an
#: effect (state, randomness, I/O, feeds, control flow frames).
NEVER_MERGE_OPS: frozenset[str] = frozenset({
    "Placeholder", "PlaceholderV2", "PlaceholderWithDefault",
    "Variable", "VariableV2", "VarHandleOp", "TemporaryVariable", "DestroyTemporaryVariable",
    "IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "DestroyResourceOp",
    "TruncatedNormal", "Multinomial", "ParameterizedTruncatedNormal",
    "Enter", "Exit", "NextIteration", "Switch", "Merge", "LoopCond", "ControlTrigger",
    "Send", "Recv", "Print", "PrintV2", "Assert", "Timestamp", "NonDeterministicInts",
    "While", "If", "Case", "HashTable", "HashTableV2", "MutableHashTable",
    "MutableHashTableV2", "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2",
    "MutableDenseHashTable", "MutableDenseHashTableV2", "InitializeTable", "InitializeTableV2",
    "InitializeTableFromTextFile", "InitializeTableFromTextFileV2",
    "SaveV2", "Save", "SaveSlices", "MergeV2Checkpoints", "ShardedFilename",
})

#: Op-name prefixes and substrings that mark stateful/effectful families
#: (``AssignAdd``, ``RandomUniform``, ``ResourceApplyAdam``, ``FIFOQueueV2``, ...).
NEVER_MERGE_PREFIXES: tuple[str, ...] = (
    "_", "Assign", "Random", "Resource", "Apply", "SparseApply", "Scatter", "Stateful",
    "Ref", "Restore", "Read", "Write", "Stack", "TensorArray", "Barrier", "Lookup",
    "Collective", "Nccl", "Rng", "Iterator", "MakeIterator", "OneShotIterator",
    "AnonymousIterator", "Anonymous", "Accumulator", "ConditionalAccumulator",
    "SparseConditionalAccumulator", "Enqueue", "Dequeue",
)
NEVER_MERGE_SUBSTRINGS: tuple[str, ...] = ("Queue", "Iterator", "Summary", "Reader")

#: Ops whose outputs are references: their consumers see mutable state (TF's Grappler
#: does not merge nodes with ref inputs either).
REF_PRODUCERS: frozenset[str] = frozenset({
    "Variable", "VariableV2", "TemporaryVariable", "Assign", "AssignAdd", "AssignSub",
    "RefEnter", "RefExit", "RefSwitch", "RefMerge", "RefNextIteration", "RefIdentity",
    "RefSelect", "ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv",
    "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub", "CountUpTo",
})

#: Ops whose data inputs may be reordered (on numbers: ``Add`` on strings concatenates).
COMMUTATIVE_OPS: frozenset[str] = frozenset({
    "Add", "AddV2", "AddN", "Mul", "Maximum", "Minimum", "Equal", "NotEqual",
    "LogicalAnd", "LogicalOr", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
    "SquaredDifference", "ApproximateEqual",
})

#: Known op aliases that compute the same thing (``diff --equivalent-ops``).
EQUIVALENT_OPS: dict[str, str] = {"AddV2": "Add", "BatchMatMulV2": "BatchMatMul"}


def can_merge_op(op: str) -> bool:
    """False for ops that dedupe must never merge (see the lists above)."""
    if op in NEVER_MERGE_OPS or op.startswith(NEVER_MERGE_PREFIXES):
        return False
    return not any(s in op for s in NEVER_MERGE_SUBSTRINGS)


def is_commutative(node: Any) -> bool:
    """True when ``node``'s data inputs may be reordered: a commutative op on numbers."""
    if node.op not in COMMUTATIVE_OPS:
        return False
    attr = node.attr
    return not ("T" in attr and attr["T"].type == types_pb2.DT_STRING)


# --------------------------------------------------------------------------
# input names
# --------------------------------------------------------------------------

def split_input(s: str) -> tuple[str, int]:
    """``"x"`` → ``("x", 0)``, ``"x:2"`` → ``("x", 2)``, ``"^x"`` → ``("x", -1)`` (control)."""
    if s.startswith("^"):
        return s[1:], -1
    head, sep, tail = s.rpartition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return s, 0


def format_input(name: str, port: int) -> str:
    """Inverse of :func:`split_input` (port 0 is written without ``:0``, as TF does)."""
    if port < 0:
        return "^" + name
    return name if port == 0 else f"{name}:{port}"


# --------------------------------------------------------------------------
# attrs
# --------------------------------------------------------------------------

# dtype enum -> (repeated value field, struct format char, itemsize): the types whose
# canonical bytes tensor_key makes without numpy (see there)
_PLAIN_TENSOR_TYPES: dict[int, tuple[str, str, int]] = {
    types_pb2.DT_FLOAT: ("float_val", "f", 4), types_pb2.DT_DOUBLE: ("double_val", "d", 8),
    types_pb2.DT_INT32: ("int_val", "i", 4), types_pb2.DT_INT64: ("int64_val", "q", 8),
    types_pb2.DT_BOOL: ("bool_val", "?", 1),
}
_PLAIN_TENSOR_MAX = 4096  # elements: beyond, numpy is the faster way


def tensor_key(tensor: Any) -> bytes:
    """:func:`graphdef.tensors.canonical_bytes` of a TensorProto, byte for byte.

    Small float/double/int32/int64/bool tensors (most constants in a graph) are
    encoded here with ``struct``, exactly as the numpy decoding would give them
    (values from ``tensor_content`` or the ``*_val`` field, none meaning zeros,
    too few repeating the last one); the rest go to ``canonical_bytes``. Why: that
    function needs numpy, whose import costs a short command such as ``graphdef
    dedupe`` of a text graph more than all its other work on the constants.
    """
    plain = _PLAIN_TENSOR_TYPES.get(tensor.dtype)
    shape = tensor.tensor_shape
    if plain is not None and not shape.unknown_rank:
        dims = [d.size for d in shape.dim]
        n = 1
        for d in dims:
            n *= d
        if min(dims, default=0) >= 0 and n <= _PLAIN_TENSOR_MAX:
            field, code, size = plain
            head = f"{tensor.dtype}:{dims}:".encode()
            content = tensor.tensor_content
            if content:
                if len(content) == n * size and code != "?":  # raw little-endian values
                    return head + content
            else:
                vals = list(getattr(tensor, field))
                if len(vals) <= n and (code not in "fd" or all(v == v for v in vals)):
                    if len(vals) < n:  # no NaN above: its bits are numpy's business
                        vals += [vals[-1] if vals else 0] * (n - len(vals))
                    import struct
                    return head + struct.pack(f"<{n}{code}", *vals)
    from graphdef.tensors import canonical_bytes
    return canonical_bytes(tensor)


def attr_value_key(value: Any) -> bytes:
    """Canonical bytes of one AttrValue: tensors by decoded value, the rest as
    deterministic protobuf (maps sorted)."""
    kind = value.WhichOneof("value")
    if kind == "tensor":
        return b"T" + tensor_key(value.tensor)
    if kind == "list" and len(value.list.tensor):
        parts = [b"L"]
        lst = value.list
        rest = type(lst)()
        rest.CopyFrom(lst)
        del rest.tensor[:]
        parts.append(rest.SerializeToString(deterministic=True))
        parts.extend(map(tensor_key, lst.tensor))
        return b"\0".join(parts)
    return value.SerializeToString(deterministic=True)


def attr_keys(node: Any, ignore: Iterable[str] = (), ignore_internal: bool = False
              ) -> dict[str, bytes]:
    """Attr name → canonical bytes for a node, leaving out ignored attrs."""
    ign = set(ignore)
    out = {}
    for k, v in node.attr.items():
        if k in ign or (ignore_internal and k.startswith("_")):
            continue
        out[k] = attr_value_key(v)
    return out


def attr_signature(node: Any, ignore: Iterable[str] = (), ignore_internal: bool = False
                   ) -> tuple[tuple[str, bytes], ...]:
    """All of a node's attrs (minus ignored ones) as a sorted, hashable tuple."""
    return tuple(sorted(attr_keys(node, ignore, ignore_internal).items()))


_TENSOR_TAG = 0x42  # AttrValue.tensor: field 8, wire type 2


def _field_size(n: int) -> int:
    """Bytes a length-delimited field of ``n`` payload bytes takes (1-byte tag)."""
    if n < 0x80:
        return n + 2
    if n < 0x4000:
        return n + 3
    if n < 0x200000:
        return n + 4
    return n + 5 if n < 0x10000000 else n + 6


def _sorted_attrs(tail: bytes) -> bytes:
    """A NodeDef tail (device, attr entries, debug info...) with its attr entries in
    key order, as deterministic serialization writes them; unchanged when already so."""
    pos, n = 0, len(tail)
    entries: list[tuple[bytes, bytes]] = []
    first = last = -1
    while pos < n:
        tag = tail[pos]
        length, start = _read_varint(tail, pos + 1)
        end = start + length
        if tag == 0x2A:
            if first < 0:
                first = pos
            elif last != pos:
                return tail  # attr entries not contiguous: leave as is
            # entry: key field (0x0a len key) first in every serializer we know
            if tail[start] == 0x0A:
                klen, kstart = _read_varint(tail, start + 1)
                key = tail[kstart:kstart + klen]
            else:
                return tail
            entries.append((key, tail[pos:end]))
            last = end
        elif tag & 7 != 2:
            return tail
        pos = end
    if len(entries) < 2:
        return tail
    # the order protobuf's deterministic serialization (upb) uses: bytewise, except that a
    # key comes after the keys it is a prefix of ("Tdim" before "T"); no UTF-8 key has 0xFF
    keys = [k + b"\xff" for k, _ in entries]
    if all(keys[k] < keys[k + 1] for k in range(len(keys) - 1)):
        return tail
    order = sorted(range(len(entries)), key=keys.__getitem__)
    return tail[:first] + b"".join(entries[k][1] for k in order) + tail[last:]


def _tail_ok(tail: bytes) -> bool:
    """Whether a NodeDef tail is well-formed length-delimited fields after ``input``
    (device, attr, debug info, ...): a name, op or input there, another wire type or
    a truncated field say the layout is not the usual one."""
    pos, n = 0, len(tail)
    while pos < n:
        tag = tail[pos]
        if tag <= 0x1A or tag >= 0x80 or tag & 7 != 2:
            return False
        length, pos = _read_varint(tail, pos + 1)
        pos += length
    return pos == n


def _utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8"))


def has_tensor(node: Any) -> bool:
    """True when any attr of ``node`` holds a tensor (or a list of tensors)."""
    for v in node.attr.values():
        kind = v.WhichOneof("value")
        if kind == "tensor" or (kind == "list" and len(v.list.tensor)):
            return True
    return False


def attr_key_from_tail(tail: bytes, node: Any) -> bytes | tuple:
    """A hashable key equal for nodes with equal device and attrs (internal ones too).

    ``tail`` is the node's deterministic serialization after its name/op/input
    fields (device, attr map sorted by key, debug info): canonical as bytes unless
    a tensor is in it, because the same tensor has several encodings. Nodes that
    may hold tensors (a 0x42 byte) are checked and, if they do, keyed by decoded
    values (:func:`attr_signature`) plus the device. Both kinds of key never compare
    equal to each other, and equal nodes always get the same kind.
    """
    if _TENSOR_TAG in tail and has_tensor(node):
        return (node.device,) + attr_signature(node)
    return tail


def _input_edges(strings: list[str], i: int, index_get: Any,
                 resolved: dict[str, tuple[int, int]]
                 ) -> tuple[tuple, tuple, list[tuple[str, int]] | None]:
    """Node ``i``'s input strings as ``(data, ctrl, late)`` for the byte walks:
    ``index_get`` finds a name's first node; only nodes before ``i`` count (a
    later one, ``i`` itself or none: the input goes to ``late``, a placeholder -1
    stands in until :meth:`GraphIndex._resolve`). ``resolved`` caches strings like
    ``x:1`` and ``^x`` across nodes (they repeat)."""
    data: list[tuple[int, int]] = []
    ctrl: list[int] = []
    late = None
    for s in strings:
        src = index_get(s)  # common case: a plain name of an earlier node
        if src is not None and src < i:
            data.append((src, 0))
            continue
        r = resolved.get(s)
        if r is not None:
            if r[1] < 0:
                ctrl.append(r[0])
            else:
                data.append(r)
            continue
        nm, port = split_input(s)
        src = index_get(nm)
        if src is None or src >= i:
            if late is None:
                late = []
            late.append((nm, port))
            src = -1  # placeholder, fixed in _resolve
        else:
            resolved[s] = (src, port)
        if port < 0:
            ctrl.append(src)
        else:
            data.append((src, port))
    return tuple(data) if data else (), tuple(ctrl) if ctrl else (), late


def _flat_from_scan(node_of: np.ndarray, srcs: np.ndarray, odd: list[int],
                    data_all: list[tuple], ctrl_all: list[tuple]) -> dict[bool, tuple]:
    """``GraphIndex.flat_inputs`` for both kinds of edge, from the scan's arrays:
    plain inputs as scanned, the ``odd`` nodes' edges (ports, control inputs,
    resolved later) from their tuples."""
    import numpy as np
    empty = np.zeros(0, dtype=np.int64)
    port = np.zeros(len(srcs), dtype=np.int64)
    c_consumer = c_src = empty
    if odd:
        odd_a = np.array(odd, dtype=np.int64)
        keep = ~np.isin(node_of, odd_a)
        o_data = [data_all[i] for i in odd]
        o_flat = np.fromiter(chain.from_iterable(chain.from_iterable(o_data)), dtype=np.int64)
        consumer = np.concatenate((node_of[keep], np.repeat(odd_a, list(map(len, o_data)))))
        order = np.argsort(consumer, kind="stable")
        node_of = consumer[order]
        srcs = np.concatenate((srcs[keep], o_flat[0::2]))[order]
        port = np.concatenate((port[keep], o_flat[1::2]))[order]
        o_ctrl = [ctrl_all[i] for i in odd]
        c_consumer = np.repeat(odd_a, list(map(len, o_ctrl)))
        c_src = np.fromiter(chain.from_iterable(o_ctrl), dtype=np.int64)
    flat = {False: (node_of, srcs, port),
            True: (c_consumer, c_src, np.full(len(c_src), -1, dtype=np.int64))}
    for arrays in flat.values():
        for a in arrays:
            a.setflags(write=False)
    return flat


def _name_index(names: list[str], allow_duplicates: bool, source: str | None
                ) -> tuple[dict[str, int], list[str]]:
    """name -> node number, and the repeated names (the first node of a name wins,
    later ones are listed); a repeat raises unless ``allow_duplicates``."""
    n = len(names)
    index = dict(zip(names, range(n)))
    duplicates: list[str] = []
    if len(index) != n:
        index = {}
        setdefault = index.setdefault
        for i, name in enumerate(names):
            if setdefault(name, i) != i:
                duplicates.append(name)
    if duplicates and not allow_duplicates:
        raise InvalidGraphError((f"{source}: " if source else "") + "duplicate node name",
                                node=duplicates[0])
    return index, duplicates


class BlockNodes(MessageSequence):
    """The serialized NodeDefs of an index read from text blocks
    (``GraphIndex.serial``, see :meth:`GraphIndex.from_blocks`): a node's bytes are
    made on access from its name, its body's op and inputs and the wire bytes of
    the rest of its body, as the text reader writes them; most are never asked for
    (dedupe serializes the survivors)."""

    __slots__ = ("names", "body_of", "values", "starts", "tails")

    def __init__(self, names: list[str], body_of: list[int], values: list[str],
                 starts: list[int], tails: list[bytes]) -> None:
        self.names, self.body_of, self.values = names, body_of, values
        self.starts, self.tails = starts, tails

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self.names)
        j = self.body_of[i]
        lo, hi = self.starts[j], self.starts[j + 1]
        parts = [_string_field(b"\x0a", self.names[i]), _string_field(b"\x12", self.values[lo])]
        parts += [_string_field(b"\x1a", s) for s in self.values[lo + 1:hi]]
        parts.append(self.tails[j])
        return b"".join(parts)

    def __iter__(self):  # noqa: ANN204
        return map(self.__getitem__, range(len(self.names)))


def _string_field(tag: bytes, s: str) -> bytes:
    b = s.encode("utf-8")
    return tag + _encode_varint(len(b)) + b


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large indices: millions of
    small tuples would otherwise trigger full collections that make the passes
    super-linear. Nothing built here forms reference cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --------------------------------------------------------------------------
# the array view of a graph
# --------------------------------------------------------------------------

class GraphIndex:
    """Array-based view of a GraphDef's nodes for linear-time passes.

    One pass over the messages fills plain lists; later passes never touch protobuf
    again except for the few nodes they rewrite or inspect in detail.

    Attributes:
        graph_def: the message (not copied).
        names, ops: per-node strings.
        index: node name → position (the first one when names repeat).
        data: per node, a tuple of ``(src, port)``: ``src`` is the producer's position,
            or ``-k-1`` for the k-th distinct name that no node has (a dangling input).
        ctrl: per node, a tuple of control-input producers (same encoding).
        missing: the dangling input names, by ``-src-1``.
        serial: per node, its deterministic serialization (only with ``serialize=True``).
        tails: per node, ``serial`` after the name/op/input fields: device + attrs.
        topological: True when every input comes earlier in file order.
        duplicates: names used by more than one node.
    """

    def __init__(self, graph_def: Any, serialize: bool = False,
                 allow_duplicates: bool = False, from_bytes: bool = True,
                 keep_serial: bool = True) -> None:
        self.graph_def = graph_def
        if serialize and from_bytes and self._scan_bytes(
                graph_def.SerializeToString(deterministic=True), allow_duplicates,
                keep_serial=keep_serial):
            return
        names: list[str] = []
        ops: list[str] = []
        data_all: list[tuple[tuple[int, int], ...]] = []
        ctrl_all: list[tuple[int, ...]] = []
        serial: list[bytes] = []
        tails: list[bytes] = []
        # input string → (producer position, port, field size), once the producer is known
        resolved: dict[str, tuple[int, int, int]] = {}
        op_size: dict[str, int] = {"": 0}
        pending: list[tuple[int, list[tuple[str, int]]]] = []  # forward references
        index: dict[str, int] = {}
        index_get = index.get
        duplicates: list[str] = []
        empty: tuple = ()
        i = 0
        for node in graph_def.node:
            name = node.name
            op = node.op
            if name in index:
                duplicates.append(name)
            else:
                index[name] = i
            names.append(name)
            ops.append(op)
            n = len(name) if name.isascii() else len(name.encode("utf-8"))
            skip = (n + 2 if n < 0x80 else _field_size(n)) if n else 0
            k = op_size.get(op)
            if k is None:
                k = op_size[op] = _field_size(_utf8_len(op))
            skip += k
            raw = node.input
            if raw:
                data = []
                ctrl = []
                late = None
                for s in raw:
                    # common case: a plain name of an earlier node (one dict lookup)
                    src = index_get(s)
                    if src is not None and src != i:
                        k = len(s)
                        skip += k + 2 if k < 0x80 and s.isascii() else _field_size(_utf8_len(s))
                        data.append((src, 0))
                        continue
                    r = resolved.get(s)
                    if r is not None:
                        skip += r[2]
                        if r[1] < 0:
                            ctrl.append(r[0])
                        else:
                            data.append((r[0], r[1]))
                        continue
                    nm, port = split_input(s)
                    size = _field_size(_utf8_len(s))
                    skip += size
                    src = index_get(nm)
                    if src is None or src == i:
                        if late is None:
                            late = []
                        late.append((nm, port))
                        src = -1  # placeholder, fixed in _resolve
                    elif port != 0 or nm != s:
                        resolved[s] = (src, port, size)  # "^x", "x:1": worth remembering
                    if port < 0:
                        ctrl.append(src)
                    else:
                        data.append((src, port))
                data_all.append(tuple(data))
                ctrl_all.append(tuple(ctrl) if ctrl else empty)
                if late is not None:
                    pending.append((i, late))
            else:
                data_all.append(empty)
                ctrl_all.append(empty)
            if serialize:
                b = node.SerializeToString(deterministic=True)
                serial.append(b)
                tails.append(b[skip:])
            i += 1
        if duplicates and not allow_duplicates:
            raise InvalidGraphError("duplicate node name", node=duplicates[0])
        self.names, self.ops, self.index = names, ops, index
        self.data, self.ctrl = data_all, ctrl_all
        self.serial, self.tails = serial, tails
        self.duplicates = duplicates
        self.missing: list[str] = []
        self.topological = not pending
        if pending:
            self._resolve(pending)

    @classmethod
    def from_wire(cls, data: bytes, allow_duplicates: bool = False,
                  source: str | None = None, lazy_edges: bool = False) -> "GraphIndex | None":
        """Index a binary GraphDef straight from its bytes, without building the message
        (a 1M-node graph's message takes ~0.5 GB): ``graph_def`` then holds only the
        fields outside ``node`` and :meth:`node` parses single nodes on demand. Attr
        maps are put in key order per node, as deterministic serialization would.
        Returns None when the bytes do not walk as a GraphDef (the caller then parses
        them normally and reports the error). ``lazy_edges``: ``data`` makes each
        node's tuple when asked (:class:`~graphdef.tools.wire_scan.EdgeTuples`), for
        a diff, which reads the edges as arrays; whole-graph passes over ``data``
        (dedupe, show) want the list."""
        self = cls.__new__(cls)
        self._raw = True
        self.source = source
        if not self._scan_bytes(data, allow_duplicates, raw=True, lazy_edges=lazy_edges):
            return None
        return self

    @classmethod
    def from_blocks(cls, blocks: Any, allow_duplicates: bool = False,
                    source: str | None = None) -> "GraphIndex | None":
        """Index a text GraphDef from the fast reader's blocks
        (:func:`graphdef.io.text.text_to_blocks`: per node its name and body number,
        per distinct body its op and input strings and the wire bytes of the rest),
        the same index :meth:`from_wire` makes of the text's wire bytes.

        Why: in a lazy-loading dump most nodes repeat the body of another one
        (``Add_17``: same op, inputs and attrs as ``Add``), so the per-body work is
        done once per distinct body and the per-node steps are C-level maps; neither
        the joined wire bytes nor numpy's whole-buffer walk is needed. Returns None
        unless every body is ``op``, then ``input`` lines, then sub-messages (the
        caller then indexes the wire bytes).
        """
        names, body_of, values, starts, raw_tails, trailer = blocks
        nb = len(raw_tails)
        heads = starts[:-1]  # each body's first line: its op; inputs follow
        # tails in attr-key order (as deterministic serialization writes them), checked
        # to hold no name, op or input field, once per distinct tail
        pool = dict.fromkeys(raw_tails)
        try:
            for t in pool:
                if not _tail_ok(t):
                    return None
                pool[t] = _sorted_attrs(t)
        except IndexError:
            return None
        from graphdef._proto import graph_pb2
        try:
            graph_def = graph_pb2.GraphDef.FromString(trailer)
        except Exception:  # noqa: BLE001 - corrupt library/versions: let the parser say
            return None
        self = cls.__new__(cls)
        self._raw = True
        self.source = source
        self.graph_def = graph_def
        n = len(names)
        index, duplicates = _name_index(names, allow_duplicates, source)
        index_get = index.get
        # Per body: its data edges, as plain names of nodes resolved through the whole
        # index, and ``last``, its latest producer (-1 for none: the op line stands
        # in). Lines that are not a node's name (ports, control inputs, dangling
        # names: looked up as n) make their body's edges in the loop below.
        src = list(map(index_get, values, repeat(n)))
        for j in heads:
            src[j] = -1
        pairs = list(zip(src, repeat(0)))
        data_b = list(map(tuple, map(pairs.__getitem__, map(slice, map(add, heads, repeat(1)),
                                                             starts[1:]))))
        del pairs
        last_b = list(map(max, map(src.__getitem__, map(slice, heads, starts[1:]))))
        empty: tuple = ()
        ctrl_b = [empty] * nb
        if n in src:
            for j in sorted({bisect_right(starts, k) - 1 for k, s in enumerate(src) if s == n}):
                data: list[tuple[int, int]] = []
                ctrl: list[int] = []
                last = -1
                for s in values[starts[j] + 1:starts[j + 1]]:
                    i = index_get(s)
                    port = 0
                    if i is None:
                        nm, port = split_input(s)
                        i = index_get(nm)
                        if i is None:  # dangling: the nodes reading it go to _input_edges
                            last = n
                            break
                    last = max(last, i)
                    if port < 0:
                        ctrl.append(i)
                    else:
                        data.append((i, port))
                data_b[j], ctrl_b[j], last_b[j] = tuple(data), tuple(ctrl) if ctrl else empty, last
        data_all = list(map(data_b.__getitem__, body_of))
        ctrl_all = list(map(ctrl_b.__getitem__, body_of))
        # the per-body edges hold where every producer comes before the node; the
        # others (forward, self or dangling references) as the byte walk reads them
        pending: list[tuple[int, list[tuple[str, int]]]] = []
        resolved: dict[str, tuple[int, int]] = {}
        bodies = body_of
        for i in compress(range(n), map(ge, map(last_b.__getitem__, body_of), range(n))):
            j = body_of[i]
            data_all[i], ctrl_all[i], late = _input_edges(values[starts[j] + 1:starts[j + 1]],
                                                          i, index_get, resolved)
            if late is not None:
                pending.append((i, late))
            if bodies is body_of:
                bodies = list(body_of)
            bodies[i] = nb + i  # its edges are its own
        ops_b = list(map(values.__getitem__, heads))
        ops_b = list(map(dict().setdefault, ops_b, ops_b))  # one object per op name
        self.names, self.index = names, index
        self.ops = list(map(ops_b.__getitem__, body_of))
        self.tails = list(map(list(map(pool.__getitem__, raw_tails)).__getitem__, body_of))
        self.serial = BlockNodes(names, body_of, values, starts, raw_tails)
        self.bodies = bodies
        self.duplicates = duplicates
        self.missing = []
        self.topological = not pending
        self.data, self.ctrl = data_all, ctrl_all
        if pending:
            self._resolve(pending)
        return self

    def _scan_bytes(self, data: bytes, allow_duplicates: bool, raw: bool = False,
                    keep_serial: bool = True, lazy_edges: bool = False) -> bool:
        """Fill the arrays from the deterministic serialization of the graph: reading
        the wire format directly costs about half of going through the messages.
        Returns False (and the caller reads the messages) on anything unexpected.

        The usual layout is walked with numpy over the whole buffer
        (:func:`~graphdef.tools.wire_scan.scan_nodes`); the field-by-field loop below
        reads everything else, with the same results."""
        if self.use_bulk_scan:
            from graphdef.tools.wire_scan import scan_nodes  # numpy: on need
            scan = scan_nodes(data)
            if scan is not None:
                return self._fill_from_scan(data, scan, allow_duplicates, raw, keep_serial,
                                            lazy_edges)
        head_parts: list[bytes] = []
        names: list[str] = []
        ops: list[str] = []
        data_all: list[tuple[tuple[int, int], ...]] = []
        ctrl_all: list[tuple[int, ...]] = []
        serial: list[bytes] = []
        tails: list[bytes] = []
        resolved: dict[str, tuple[int, int]] = {}
        pending: list[tuple[int, list[tuple[str, int]]]] = []
        index: dict[str, int] = {}
        index_get = index.get
        index_setdefault = index.setdefault
        duplicates: list[str] = []
        op_names: dict[bytes, str] = {}
        tail_pool: dict[bytes, bytes] = {}  # tail as read → the one shared, ordered tail
        empty: tuple = ()
        pos, end_all = 0, len(data)
        i = 0
        try:
            while pos < end_all:
                tag = data[pos]
                b = data[pos + 1]
                pos += 2
                if b < 0x80:
                    length = b
                else:
                    length, shift = b & 0x7F, 7
                    while True:
                        b = data[pos]
                        pos += 1
                        length |= (b & 0x7F) << shift
                        if b < 0x80:
                            break
                        shift += 7
                if tag != 0x0A:
                    if tag == 0x18:      # GraphDef.version, a varint: no payload
                        if raw:
                            head_parts.append(bytes([tag]) + _encode_varint(length))
                        continue
                    if tag not in (0x12, 0x22, 0x2A) or pos + length > end_all:
                        return False
                    if raw:
                        head_parts.append(bytes([tag]) + _encode_varint(length)
                                          + data[pos:pos + length])
                    pos += length
                    continue
                end = pos + length
                if end > end_all:
                    return False
                node = data[pos:end]
                pos = end
                if keep_serial:
                    serial.append(node)
                p, name, op = 0, "", ""
                ins: list[str] = []
                # the common layout first (name, op, inputs, each under 128 bytes): the
                # same steps as the general loop below, without its per-field dispatch;
                # anything else (other order, long fields) continues in that loop
                if length > 1 and node[0] == 0x0A and node[1] < 0x80:
                    p = 2 + node[1]
                    name = node[2:p].decode("utf-8")
                    if index_setdefault(name, i) != i:
                        duplicates.append(name)
                    if p + 1 < length and node[p] == 0x12 and node[p + 1] < 0x80:
                        st = p + 2
                        p = st + node[p + 1]
                        raw_op = node[st:p]
                        op = op_names.get(raw_op)
                        if op is None:
                            op = op_names[raw_op] = raw_op.decode("utf-8")
                        while p + 1 < length and node[p] == 0x1A and node[p + 1] < 0x80:
                            st = p + 2
                            p = st + node[p + 1]
                            ins.append(node[st:p].decode("utf-8"))
                while p < length:
                    t = node[p]
                    if t > 0x1A:
                        break
                    k = node[p + 1]
                    if k < 0x80:
                        st = p + 2
                    else:
                        k, shift, st = k & 0x7F, 7, p + 2
                        while True:
                            bb = node[st]
                            st += 1
                            k |= (bb & 0x7F) << shift
                            if bb < 0x80:
                                break
                            shift += 7
                    p = st + k
                    if t == 0x1A:
                        ins.append(node[st:p].decode("utf-8"))
                    elif t == 0x0A:
                        name = node[st:p].decode("utf-8")
                        if name in index:
                            duplicates.append(name)
                        else:
                            index[name] = i
                    elif t == 0x12:
                        raw_op = node[st:p]
                        op = op_names.get(raw_op)
                        if op is None:
                            op = op_names[raw_op] = raw_op.decode("utf-8")
                    else:
                        return False
                names.append(name)
                ops.append(op)
                # one object per distinct tail: less memory, and its hash is computed once
                tail = node[p:]
                if len(tail) < 256:
                    t2 = tail_pool.get(tail)
                    if t2 is None:  # first time this tail is seen: put its attrs in order
                        t2 = tail_pool[tail] = _sorted_attrs(tail) if raw else tail
                    tail = t2
                elif raw:
                    tail = _sorted_attrs(tail)
                tails.append(tail)
                if ins:
                    data_t, ctrl_t, late = _input_edges(ins, i, index_get, resolved)
                    data_all.append(data_t)
                    ctrl_all.append(ctrl_t)
                    if late is not None:
                        pending.append((i, late))
                else:
                    data_all.append(empty)
                    ctrl_all.append(empty)
                i += 1
        except (IndexError, UnicodeDecodeError):
            return False
        if duplicates and not allow_duplicates:
            raise InvalidGraphError((f"{self.source}: " if getattr(self, "source", None) else "")
                                    + "duplicate node name", node=duplicates[0])
        self.names, self.ops, self.index = names, ops, index
        self.data, self.ctrl = data_all, ctrl_all
        self.serial, self.tails = serial, tails
        self.duplicates = duplicates
        self.missing = []
        self.topological = not pending
        if raw:
            from graphdef._proto import graph_pb2
            try:
                self.graph_def = graph_pb2.GraphDef.FromString(b"".join(head_parts))
            except Exception:  # noqa: BLE001 - corrupt library/versions: let the parser say
                return False
        if pending:
            self._resolve(pending)
        return True

    #: Try the whole-buffer walk first (tests turn it off to compare both paths).
    use_bulk_scan = True

    def _fill_from_scan(self, data: bytes, scan: NodeScan, allow_duplicates: bool, raw: bool,
                        keep_serial: bool, lazy_edges: bool = False) -> bool:
        """The arrays from a :class:`~graphdef.tools.wire_scan.NodeScan`: what the loop
        in :meth:`_scan_bytes` computes, with the per-node steps done by C-level maps.
        Nodes whose inputs are not all plain names of earlier nodes (ports, control
        inputs, forward or dangling references) go through the loop's own steps."""
        import numpy as np
        from graphdef.tools.wire_scan import EdgeTuples, NodeBytes
        names, ops, inputs = scan.names, scan.ops, scan.inputs
        n = len(names)
        index, duplicates = _name_index(names, allow_duplicates, self.source)
        node_of = scan.input_node
        srcs = np.fromiter(map(index.get, inputs, repeat(-1)), dtype=np.int64,
                           count=len(inputs))
        # the loop sees only the names of nodes up to the current one: a plain input is
        # a name of an earlier node; anything else is redone below as the loop does it
        odd = node_of[(srcs < 0) | (srcs >= node_of)]  # nondecreasing: node by node
        # distinct values without np.unique, whose first call imports numpy.ma (~10 ms)
        if len(odd) > 1:
            first = np.ones(len(odd), dtype=bool)
            first[1:] = odd[1:] != odd[:-1]
            odd = odd[first]
        odd = odd.tolist()
        bounds = scan.input_bounds.tolist()
        # the odd nodes' edges first, in dicts (lazy_edges keeps only arrays for the rest)
        odd_data: dict[int, tuple] = {}
        odd_ctrl: dict[int, tuple] = {}
        pending: list[tuple[int, list[tuple[str, int]]]] = []
        resolved: dict[str, tuple[int, int]] = {}
        index_get = index.get
        for i in odd:
            odd_data[i], odd_ctrl[i], late = _input_edges(inputs[bounds[i]:bounds[i + 1]], i,
                                                          index_get, resolved)
            if late is not None:
                pending.append((i, late))
        del inputs
        scan.inputs = []  # the strings are no longer needed: free them before the tails
        # one object per distinct tail (less memory, each hash computed once), in attr
        # key order for raw input, as deterministic serialization would write it
        tails = list(map(data.__getitem__, map(slice, scan.tail_starts.tolist(),
                                                scan.ends.tolist())))
        pool: dict[bytes, bytes] = {}
        if raw:
            pool = dict.fromkeys(tails)  # type: ignore[arg-type]
            for t in pool:
                pool[t] = _sorted_attrs(t)
            tails = list(map(pool.__getitem__, tails))
        else:
            tails = list(map(pool.setdefault, tails, tails))
        del pool
        if raw:
            from graphdef._proto import graph_pb2
            try:
                self.graph_def = graph_pb2.GraphDef.FromString(data[scan.rest:])
            except Exception:  # noqa: BLE001 - corrupt library/versions: let the parser say
                return False
        self.names, self.ops, self.index = names, ops, index
        self.serial = NodeBytes(data, scan.starts, scan.ends) if keep_serial or raw else []
        self.tails = tails
        self.duplicates = duplicates
        self.missing = []
        self.topological = not pending
        self.data, self.ctrl = odd_data, odd_ctrl  # what _resolve reads and completes
        if pending:
            self._resolve(pending)
        self._flat = flat = _flat_from_scan(node_of, srcs, odd, odd_data, odd_ctrl)
        empty: tuple = ()
        ctrl_all: list[tuple[int, ...]] = [empty] * n
        for i, c in odd_ctrl.items():
            ctrl_all[i] = c
        if lazy_edges:
            self.data = EdgeTuples(np.bincount(flat[False][0], minlength=n), *flat[False][1:])
        else:
            pairs = list(zip(srcs.tolist(), repeat(0)))
            data_all = list(map(tuple, map(pairs.__getitem__, map(slice, bounds[:-1],
                                                                   bounds[1:]))))
            del pairs
            for i, d in odd_data.items():
                data_all[i] = d
            self.data = data_all
        self.ctrl = ctrl_all
        return True

    def _resolve(self, pending: list[tuple[int, list[tuple[str, int]]]]) -> None:
        """Second look at nodes whose inputs were not known yet when first seen
        (forward references, self loops, dangling names)."""
        missing_ids: dict[str, int] = {}
        index = self.index
        for i, _ in pending:
            data, ctrl = [], []
            for s in self.node(i).input:
                nm, port = split_input(s)
                src = index.get(nm)
                if src is None:
                    src = missing_ids.get(nm)
                    if src is None:
                        src = missing_ids[nm] = -len(self.missing) - 1
                        self.missing.append(nm)
                if port < 0:
                    ctrl.append(src)
                else:
                    data.append((src, port))
            self.data[i] = tuple(data)
            self.ctrl[i] = tuple(ctrl)

    _raw = False
    source: str | None = None
    _index: dict[str, int] | None = None
    #: Per node, a number equal for nodes known to have the same op, inputs, control
    #: inputs and tail (an index read from text: one per distinct node body), or None.
    bodies: list[int] | None = None

    @property
    def index(self) -> dict[str, int]:
        """Node name → position (the first one when names repeat). An index rebuilt by
        :meth:`from_parts` makes it on first use: a diff never looks names up in A."""
        if self._index is None:
            if self.duplicates:
                index: dict[str, int] = {}
                for i, name in enumerate(self.names):
                    index.setdefault(name, i)
                self._index = index
            else:
                self._index = dict(zip(self.names, range(len(self.names))))
        return self._index

    @index.setter
    def index(self, value: dict[str, int]) -> None:
        self._index = value

    def to_parts(self) -> dict[str, Any]:
        """This index as a few objects that pickle fast, to hand it from a worker
        process to its parent: strings pickle as they are (shared ones once), the
        per-node edge tuples (slow to pickle) as flat numpy arrays."""
        import numpy as np
        from graphdef._proto import graph_pb2
        from graphdef.tools.wire_scan import NodeBytes
        consumer, src, port = self.flat_inputs()
        c_consumer, c_src, _ = self.flat_inputs(control=True)
        n = len(self.names)
        if self._raw:
            head = self.graph_def
        else:
            head = graph_pb2.GraphDef()
            head.CopyFrom(self.graph_def)
            del head.node[:]
        serial = self.serial
        if n and not len(serial):
            serial = [node.SerializeToString(deterministic=True) for node in self.graph_def.node]
        names: Any = "\0".join(self.names)  # one string pickles ~10x faster than a list
        if names.count("\0") != max(len(self.names) - 1, 0) or not self.names:
            names = self.names  # a name holds NUL (or none at all): the list itself
        return {"names": names, "ops": self.ops, "tails": self.tails,
                "data": (np.bincount(consumer, minlength=n), src, port),
                "ctrl": (np.bincount(c_consumer, minlength=n), c_src),
                "serial": ((serial.data, serial.starts, serial.ends)
                           if isinstance(serial, NodeBytes) else serial),
                "head": head.SerializeToString(), "missing": self.missing,
                "duplicates": self.duplicates, "topological": self.topological,
                "source": self.source}

    @classmethod
    def from_parts(cls, parts: dict[str, Any]) -> "GraphIndex":
        """The index :meth:`to_parts` described (always the raw kind: ``graph_def``
        holds the fields besides the nodes, :meth:`node` parses single nodes)."""
        import numpy as np
        from graphdef._proto import graph_pb2
        from graphdef.tools.wire_scan import EdgeTuples, NodeBytes
        self = cls.__new__(cls)
        self._raw = True
        self.source = parts["source"]
        names = parts["names"]
        self.names = names.split("\0") if isinstance(names, str) else names
        self.ops, self.tails = parts["ops"], parts["tails"]
        counts, src, port = parts["data"]
        self.data = EdgeTuples(counts, src, port)
        n = len(counts)
        flat = {False: (np.repeat(np.arange(n, dtype=np.int64), counts), src, port)}
        counts, src = parts["ctrl"]
        empty: tuple = ()
        self.ctrl = [empty] * n
        bounds = np.concatenate(([0], np.cumsum(counts))).tolist()
        srcs = src.tolist()
        for i in np.flatnonzero(counts).tolist():
            self.ctrl[i] = tuple(srcs[bounds[i]:bounds[i + 1]])
        flat[True] = (np.repeat(np.arange(n, dtype=np.int64), counts), src,
                      np.full(len(src), -1, dtype=np.int64))
        for arrays in flat.values():
            for a in arrays:
                a.setflags(write=False)
        self._flat = flat
        serial = parts["serial"]
        self.serial = NodeBytes(*serial) if isinstance(serial, tuple) else serial
        self.graph_def = graph_pb2.GraphDef.FromString(parts["head"])
        self.missing, self.duplicates = parts["missing"], parts["duplicates"]
        self.topological = parts["topological"]
        return self

    def node(self, i: int) -> Any:
        """The NodeDef message at position ``i``."""
        if self._raw:
            from graphdef._proto import node_def_pb2
            try:
                return node_def_pb2.NodeDef.FromString(self.serial[i])
            except Exception as e:  # noqa: BLE001
                where = f"{self.source}: " if self.source else ""
                raise InvalidGraphError(f"{where}corrupt node in binary GraphDef: {e}",
                                        node=self.names[i]) from e
        return self.graph_def.node[i]

    def __len__(self) -> int:
        return len(self.names)

    def name_of(self, src: int) -> str:
        """The node name for a producer id (dangling ids give the missing name)."""
        return self.names[src] if src >= 0 else self.missing[-src - 1]

    def topo_order(self) -> list[int]:
        """Positions in an order where producers come before consumers: file order when
        that already works, else Kahn's algorithm (ties in file order); nodes on cycles
        (while loops) come last, in file order."""
        n = len(self.names)
        if self.topological:
            return list(range(n))
        indeg = [0] * n
        consumers: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            srcs = {s for s, _ in self.data[i]}
            srcs.update(self.ctrl[i])
            for s in srcs:
                if s >= 0:
                    indeg[i] += 1
                    consumers[s].append(i)
        from collections import deque
        ready = deque(i for i in range(n) if indeg[i] == 0)
        order: list[int] = []
        while ready:
            i = ready.popleft()
            order.append(i)
            for c in consumers[i]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        if len(order) < n:
            done = set(order)
            order.extend(i for i in range(n) if i not in done)
        return order

    def flat_inputs(self, control: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All data edges (or with ``control``, all control edges) as three int64
        arrays ``(consumer, src, port)`` in node order (port -1 for control edges):
        whole-graph passes use numpy on these instead of looping over nodes. Made once
        per index (read-only: several passes of one command share them)."""
        cache = self.__dict__.setdefault("_flat", {})
        got = cache.get(control)
        if got is None:
            got = cache[control] = self._flat_inputs(control)
            for a in got:
                a.setflags(write=False)
        return got

    def _flat_inputs(self, control: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np
        per_node = self.ctrl if control else self.data
        n = len(per_node)
        counts = np.fromiter(map(len, per_node), dtype=np.int64, count=n)
        total = int(counts.sum())
        consumer = np.repeat(np.arange(n, dtype=np.int64), counts)
        if control:
            src = np.fromiter(chain.from_iterable(per_node), dtype=np.int64, count=total)
            return consumer, src, np.full(total, -1, dtype=np.int64)
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(per_node)), dtype=np.int64,
                           count=2 * total)
        return consumer, flat[0::2], flat[1::2]

    def op_mask(self, wanted: Any) -> np.ndarray:
        """Per node, whether its op is in ``wanted`` (a set), as a numpy bool array."""
        import numpy as np
        return np.fromiter(map(wanted.__contains__, self.ops), dtype=bool, count=len(self.ops))

    def consumers(self) -> list[list[tuple[int, int]]]:
        """Per node: ``(consumer, port)`` pairs, port -1 for control edges."""
        out: list[list[tuple[int, int]]] = [[] for _ in self.names]
        for i in range(len(self.names)):
            for s, port in self.data[i]:
                if s >= 0:
                    out[s].append((i, port))
            for s in self.ctrl[i]:
                if s >= 0:
                    out[s].append((i, -1))
        return out


def index_from_bytes(data: bytes, name: str = "<bytes>", allow_duplicates: bool = False,
                     lazy_edges: bool = False) -> GraphIndex:
    """A :class:`GraphIndex` of a serialized graph in any format ``graphdef.io.loads``
    reads. A binary GraphDef is indexed straight from its bytes (no message: about
    half the memory and time on huge graphs); a text dump from the fast reader's
    blocks (:meth:`GraphIndex.from_blocks`, numpy-free) or else from its wire bytes;
    event files and anything the byte walk rejects go through ``loads`` (``name`` is
    used in its errors)."""
    from graphdef.io import detect_format, loads, text_to_wire
    fmt = detect_format(data) if data.strip() else None
    if fmt == "pbtxt" and not lazy_edges:  # a diff reads edges as the byte walk's arrays
        from graphdef.io.text import text_to_blocks
        blocks = text_to_blocks(data)
        if blocks is not None:
            idx = GraphIndex.from_blocks(blocks, allow_duplicates=allow_duplicates,
                                         source=name)
            if idx is not None:
                return idx
    # text: the fast reader's wire bytes are indexed like a .pb file's (the message is
    # never built); text it cannot vouch for goes through loads, which reports errors
    wire = data if fmt == "pb" else text_to_wire(data) if fmt == "pbtxt" else None
    if wire is not None:
        idx = GraphIndex.from_wire(wire, allow_duplicates=allow_duplicates, source=name,
                                   lazy_edges=lazy_edges)
        if idx is not None:
            return idx
    return GraphIndex(loads(data, name), serialize=True, allow_duplicates=allow_duplicates)


def index_of(graph: Any, allow_duplicates: bool = False, lazy_edges: bool = False
             ) -> GraphIndex:
    """The index the tools work on, for a GraphDef message, serialized bytes or a
    path (``-``: stdin): ``summarize``/``diff`` accept all three, and a path or
    bytes never builds the message (see :func:`index_from_bytes`)."""
    if isinstance(graph, (bytes, bytearray, memoryview)):
        return index_from_bytes(bytes(graph), allow_duplicates=allow_duplicates,
                                lazy_edges=lazy_edges)
    if isinstance(graph, (str, os.PathLike)):
        from graphdef.io import read_bytes
        data, name = read_bytes(graph)
        return index_from_bytes(data, name, allow_duplicates, lazy_edges)
    return GraphIndex(graph, serialize=True, allow_duplicates=allow_duplicates)


def is_graph_source(graph: Any) -> bool:
    """True for what :func:`index_of` reads from (bytes or a path), not a message."""
    return isinstance(graph, (bytes, bytearray, memoryview, str, os.PathLike))


__all__ = ["GraphIndex", "index_of", "index_from_bytes", "split_input", "format_input", "attr_value_key", "attr_keys",
           "attr_signature", "attr_key_from_tail", "has_tensor", "can_merge_op", "is_commutative",
           "paused_gc", "NEVER_MERGE_OPS", "COMMUTATIVE_OPS", "EQUIVALENT_OPS", "REF_PRODUCERS"]
