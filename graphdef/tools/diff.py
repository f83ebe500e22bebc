"""Semantic comparison of two GraphDefs.

``diff(a, b)`` reports every difference, not the first: nodes added and removed,
nodes renamed, and for each node present in both, which of its op, data inputs,
control inputs, device and attrs (attr by attr) changed. What does *not* count:
node order, attr map order, the encoding of a tensor (``tensor_content`` vs
``*_val`` vs one broadcast value: tensors compare by decoded value), the order of
control inputs (a set), and ``x`` vs ``x:0``.

Renames: nodes are first paired by name. Those left over on each side are paired
by structure: same op, attrs and device, and inputs that are themselves paired
nodes. Pairing starts from nodes whose inputs are all paired and proceeds to a
fixpoint, so a renamed chain (the lazy-loading loop re-run under a new scope)
shows as renames, not as everything removed and added again. When several nodes
have the same structure they pair up preferring the same last name component
(``Add_3`` ↔ ``run2/Add_3``), then in file order. Nodes on cycles (while loops)
that were renamed are not paired and show as removed + added.
"""
from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Iterable

import click
import numpy as np

from graphdef import dtypes
from graphdef._proto import types_pb2
from graphdef.tensors import shape_to_list, to_ndarray
from graphdef.tools.canonical import (EQUIVALENT_OPS, GraphIndex, attr_key_from_tail, attr_keys,
                                      attr_signature, format_input, index_of, is_graph_source,
                                      paused_gc)


@dataclass
class NodeChange:
    """One node present in both graphs whose content differs.

    Attributes:
        node: its name in B (``name_a`` is its name in A: they differ for a node that
            was renamed and changed, which only ``--ignore-attr`` can produce).
        fields: what changed: ``op``, ``input``, ``control_input``, ``device``,
            ``attr.KEY``, ``experimental_debug_info``, ``experimental_type``.
        details: per field, ``(field, value in A or None, value in B or None)``, as text.
    """

    node: str
    name_a: str
    fields: list[str]
    details: list[tuple[str, str | None, str | None]] = field(default_factory=list)


@dataclass
class DiffResult:
    """Everything that differs between two graphs (see ``to_json`` for the schema)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    graph: list[str] = field(default_factory=list)
    nodes_a: int = 0
    nodes_b: int = 0

    @property
    def equal(self) -> bool:
        """True when the graphs have no difference at all (renames count)."""
        return not (self.added or self.removed or self.renamed or self.changed or self.graph)

    def __bool__(self) -> bool:  # "if diff(a, b):" means "if they differ"
        return not self.equal

    @property
    def count(self) -> int:
        """Number of differences (one per added/removed/renamed/changed node or graph field)."""
        return (len(self.added) + len(self.removed) + len(self.renamed) + len(self.changed)
                + len(self.graph))

    def to_json(self) -> dict[str, Any]:
        """The documented ``diff --json`` object."""
        return {
            "equal": self.equal,
            "added": list(self.added),
            "removed": list(self.removed),
            "renamed": [list(p) for p in self.renamed],
            "changed": [{"node": c.node, "fields": list(c.fields),
                         **({"name_a": c.name_a} if c.name_a != c.node else {}),
                         "details": [{"field": f, "a": x, "b": y} for f, x, y in c.details]}
                        for c in self.changed],
            "graph": list(self.graph),
            "nodes_a": self.nodes_a,
            "nodes_b": self.nodes_b,
        }

    def summary(self) -> str:
        if self.equal:
            return "graphs are equal"
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("removed", self.removed),
                                              ("renamed", self.renamed), ("changed", self.changed))
                 if v]
        if self.graph:
            parts.append("graph: " + ", ".join(self.graph))
        return f"{self.count} differences: " + ", ".join(parts)

    def op_lists(self) -> tuple[list[str], list[str], list[str]] | None:
        """The ops of ``removed``, ``added`` and ``renamed`` (B's nodes) in list order,
        for :meth:`format_text`; None unless the result comes from :func:`diff_indices`
        and was not edited since."""
        pos = getattr(self, "_positions", None)
        if pos is None:
            return None
        ops_a, ops_b, gone, new, renamed = pos
        if (len(gone), len(new), len(renamed)) != (len(self.removed), len(self.added),
                                                   len(self.renamed)):
            return None
        get_a, get_b = ops_a.__getitem__, ops_b.__getitem__
        return (list(map(get_a, gone.tolist())), list(map(get_b, new.tolist())),
                list(map(get_b, renamed.tolist())))

    def names_only(self) -> list[str]:
        """``git diff --name-status`` style: ``A``/``D``/``R``/``M`` and node names."""
        out = [f"D\t{n}" for n in self.removed]
        out += [f"A\t{n}" for n in self.added]
        out += [f"R\t{a}\t{b}" for a, b in self.renamed]
        out += [f"M\t{c.node}" for c in self.changed]
        out += [f"G\t{g}" for g in self.graph]
        return out

    def format_text(self, label_a: str = "a", label_b: str = "b", color: bool = False,
                    ops_a: dict[str, str] | None = None, ops_b: dict[str, str] | None = None,
                    op_lists: tuple[list[str], list[str], list[str]] | None = None) -> str:
        """A unified-diff-like report: ``-`` for A, ``+`` for B, ``@@`` per node.

        Ops are shown from ``ops_a``/``ops_b`` (node name → op), or from ``op_lists``:
        the ops of ``removed``, ``added`` and ``renamed`` (B's node) in list order,
        as :meth:`op_lists` gives them (no million-entry dicts for a big diff)."""
        def st(text: str, fg: str | None = None, bold: bool = False) -> str:
            return click.style(text, fg=fg, bold=bold) if color else text

        def wrap(fg: str) -> tuple[str, str]:
            """What ``st`` puts before and after a line (one comprehension per kind of
            line below: a million-node rename diff has a million lines)."""
            pre, post = st("\0", fg).split("\0")
            return pre, post

        ops_a = ops_a or {}
        ops_b = ops_b or {}
        if self.equal:
            return self.summary()
        lines = [st(f"--- {label_a}", bold=True), st(f"+++ {label_b}", bold=True)]
        if op_lists is None:
            op_lists = ([ops_a.get(n) for n in self.removed], [ops_b.get(n) for n in self.added],
                        [ops_b.get(b) for _, b in self.renamed])
        ops_r, ops_ad, ops_rn = op_lists
        for names, ops, sign, fg in ((self.removed, ops_r, "-", "red"),
                                     (self.added, ops_ad, "+", "green")):
            if names:
                pre, post = wrap(fg)
                suffix = {op: f" ({op})" for op in set(ops) if op is not None}.get
                lines += [f"{pre}{sign}node {n}{suffix(op, '')}{post}"
                          for n, op in zip(names, ops)]
        if self.renamed:
            pre, post = wrap("cyan")
            suffix = {op: f" ({op})" for op in set(ops_rn) if op is not None}.get
            lines += [f"{pre}@@ renamed {a} -> {b}{suffix(op, '')} @@{post}"
                      for (a, b), op in zip(self.renamed, ops_rn)]
        for c in self.changed:
            head = c.node if c.name_a == c.node else f"{c.name_a} -> {c.node}"
            lines.append(st(f"@@ node {head} @@", "cyan"))
            for f, x, y in c.details:
                if x is not None:
                    lines.append(st(f"-  {f}: {x}", "red"))
                if y is not None:
                    lines.append(st(f"+  {f}: {y}", "green"))
        for g in self.graph:
            lines.append(st(f"@@ graph {g} differs @@", "cyan"))
        lines.append(self.summary())
        return "\n".join(lines)


# --------------------------------------------------------------------------
# value summaries for text output
# --------------------------------------------------------------------------

def describe_tensor(t: Any, limit: int = 6) -> str:
    """``float32[2,3] [1, 2, 3, ...]``: dtype, shape and the first values."""
    try:
        name = dtypes.enum_name(t.dtype).replace("DT_", "").lower()
    except Exception:
        name = str(t.dtype)
    shape = shape_to_list(t.tensor_shape)
    head = f"{name}[{','.join(str(d) for d in shape or [])}]"
    try:
        arr = to_ndarray(t).reshape(-1)
    except Exception:
        return head + " <undecodable>"
    vals = [repr(v) if isinstance(v, bytes) else str(v) for v in arr[:limit].tolist()]
    more = ", ..." if arr.size > limit else ""
    return f"{head} [{', '.join(vals)}{more}]"


def describe_attr(v: Any) -> str:
    """A one-line text form of an AttrValue."""
    kind = v.WhichOneof("value")
    if kind is None:
        return "<unset>"
    if kind == "type":
        return types_pb2.DataType.Name(v.type) if v.type in types_pb2.DataType.values() \
            else str(v.type)
    if kind == "shape":
        dims = shape_to_list(v.shape)
        return "<unknown rank>" if dims is None else "[" + ",".join(map(str, dims)) + "]"
    if kind == "tensor":
        return describe_tensor(v.tensor)
    if kind == "s":
        return repr(v.s)
    if kind in ("i", "f", "b"):
        return str(getattr(v, kind))
    if kind == "func":
        return f"func {v.func.name}"
    if kind == "placeholder":
        return f"${v.placeholder}"
    lst = v.list
    items: list[str] = []
    items += [repr(x) for x in lst.s]
    items += [str(x) for x in lst.i]
    items += [str(x) for x in lst.f]
    items += [str(x) for x in lst.b]
    items += [types_pb2.DataType.Name(x) if x in types_pb2.DataType.values() else str(x)
              for x in lst.type]
    items += ["[" + ",".join(map(str, shape_to_list(s) or [])) + "]" for s in lst.shape]
    items += [describe_tensor(t) for t in lst.tensor]
    items += [f"func {f.name}" for f in lst.func]
    return "[" + ", ".join(items) + "]"


# --------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------

class _Pool:
    """Nodes of one side waiting for a partner with the same signature: taken by
    preferred base name first, else in arrival (file) order. A node is taken once
    it is paired (``b2a[j] >= 0``): the pairing array is the only "taken" mark."""

    __slots__ = ("order", "head", "by_base")

    def __init__(self) -> None:
        self.order: list[int] = []
        self.head = 0                       # order[:head] are all taken
        self.by_base: dict[str, Any] = {}   # base name → a position, or a deque of them

    def add(self, pos: int, base: str) -> None:
        self.order.append(pos)
        have = self.by_base.get(base)
        if have is None:
            self.by_base[base] = pos
        elif type(have) is deque:
            have.append(pos)
        else:  # a deque only for names shared by several nodes (a deque is ~600 bytes)
            self.by_base[base] = deque((have, pos))

    def take(self, base: str, b2a: Any) -> int | None:
        have = self.by_base.get(base)
        if have is not None:
            if type(have) is deque:
                while have:
                    p = have.popleft()
                    if b2a[p] < 0:
                        return p
            else:
                del self.by_base[base]
                if b2a[have] < 0:
                    return have
        order = self.order
        while self.head < len(order):
            p = order[self.head]
            self.head += 1
            if b2a[p] < 0:
                return p
        return None


class _Differ:
    def __init__(self, ia: GraphIndex, ib: GraphIndex, ignore_attrs: Iterable[str],
                 ignore_internal: bool, equivalent_ops: bool, detect_renames: bool) -> None:
        self.ia = ia
        self.ib = ib
        self.ignore = frozenset(ignore_attrs)
        self.ignore_internal = ignore_internal
        self.plain_attrs = not self.ignore and not ignore_internal
        self.fold = EQUIVALENT_OPS if equivalent_ops else {}
        self.detect_renames = detect_renames
        na, nb = len(self.ia), len(self.ib)
        # the pairing as machine-int arrays (8 bytes a node, not a list of int objects)
        self.a2b = array("q", [-1]) * na
        self.b2a = array("q", [-1]) * nb
        self.renamed = bytearray(nb)  # B nodes paired by structure
        self._akeys: dict[bytes, Any] = {}

    # -- signatures ------------------------------------------------------
    def attr_key(self, side: int, i: int) -> Any:
        """Device + attrs of node ``i`` of side 0 (A) or 1 (B), as a hashable key.
        Cached by the node's serialized tail, which determines them."""
        idx = self.ia if side == 0 else self.ib
        tail = idx.tails[i]
        if self.plain_attrs and 0x42 not in tail:
            return tail
        k = self._akeys.get(tail)
        if k is None:
            if self.plain_attrs:
                k = attr_key_from_tail(tail, idx.node(i))
            else:
                node = idx.node(i)
                k = (node.device,) + attr_signature(node, self.ignore, self.ignore_internal)
            if not isinstance(k, bytes):
                k = ("T",) + k
            self._akeys[tail] = k
        return k

    def sig(self, side: int, i: int) -> tuple:
        """Op, inputs in B's numbering, control set and attr key: equal iff the nodes
        count as the same (inputs of A mapped through the current pairing)."""
        if side == 0:
            idx, m = self.ia, self.a2b
            data = tuple([((m[s] if m[s] >= 0 else ("A", s)) if s >= 0
                           else ("?", idx.missing[-s - 1]), p) for s, p in idx.data[i]])
            ctrl = idx.ctrl[i]
            if ctrl:
                ctrl = frozenset([(m[s] if m[s] >= 0 else ("A", s)) if s >= 0
                                  else ("?", idx.missing[-s - 1]) for s in ctrl])
        else:
            idx = self.ib
            data = idx.data[i]
            if idx.missing and data and min(data)[0] < 0:
                data = tuple([(s if s >= 0 else ("?", idx.missing[-s - 1]), p) for s, p in data])
            ctrl = idx.ctrl[i]
            if ctrl:
                ctrl = frozenset([s if s >= 0 else ("?", idx.missing[-s - 1]) for s in ctrl])
        op = idx.ops[i]
        if self.fold:
            op = self.fold.get(op, op)
        return (op, data, ctrl or frozenset(), self.attr_key(side, i))

    # -- pairing ---------------------------------------------------------
    def pair_by_name(self) -> None:
        """Pair nodes with the same name (names are unique on each side: checked when
        the indices were built); the lookups run in C, the writes in numpy."""
        a2b = np.frombuffer(self.a2b, dtype=np.int64)
        b2a = np.frombuffer(self.b2a, dtype=np.int64)
        names = self.ia.names
        a2b[:] = np.fromiter(map(self.ib.index.get, names, repeat(-1)), dtype=np.int64,
                             count=len(names))
        paired = np.flatnonzero(a2b >= 0)
        b2a[a2b[paired]] = paired

    def _sig_fns(self) -> tuple[Any, Any]:
        """``sig(0, ·)`` and ``sig(1, ·)`` as closures with everything bound locally:
        they run once or twice per node on a million-node rename diff, where the
        method's attribute lookups and branches were most of the time. Sides with
        dangling inputs, and op folding, use :meth:`sig` itself."""
        sig = self.sig
        ia, ib = self.ia, self.ib
        attr_key, plain, empty = self.attr_key, self.plain_attrs, frozenset()
        akeys = self._akeys  # attr_key's cache, tried first for tails holding tensors
        if self.fold or ia.missing:
            def sig_a(i: int) -> tuple:
                return sig(0, i)
        else:
            m = self.a2b
            ops_a, data_a, ctrl_a, tails_a = ia.ops, ia.data, ia.ctrl, ia.tails

            def sig_a(i: int) -> tuple:
                t = tails_a[i]
                c = ctrl_a[i]
                return (ops_a[i],
                        tuple([(x if (x := m[s]) >= 0 else ("A", s), p) for s, p in data_a[i]]),
                        frozenset([x if (x := m[s]) >= 0 else ("A", s) for s in c]) if c else empty,
                        t if plain and 0x42 not in t else akeys.get(t) or attr_key(0, i))
        if self.fold or ib.missing:
            def sig_b(j: int) -> tuple:
                return sig(1, j)
        else:
            ops_b, data_b, ctrl_b, tails_b = ib.ops, ib.data, ib.ctrl, ib.tails

            def sig_b(j: int) -> tuple:
                t = tails_b[j]
                c = ctrl_b[j]
                return (ops_b[j], data_b[j], frozenset(c) if c else empty,
                        t if plain and 0x42 not in t else akeys.get(t) or attr_key(1, j))
        return sig_a, sig_b

    def pair_by_structure(self, bulk: bool = True) -> int:
        """Pair nodes left over by name (``bulk``: big renamed graphs go through
        :func:`graphdef.tools.pairing.pair_bulk`, which gives the same pairs). B's signatures do not depend on the pairing
        (B's inputs are B's own nodes), so they are computed once and pooled; A's
        unpaired nodes are then visited in topological order, when the pairing of
        their inputs is final, and each takes a B node with the same signature
        (same last name component first, else the earliest). One linear pass; the
        pool is keyed by the signatures themselves, so a dict lookup both finds
        and checks a candidate."""
        ia, ib = self.ia, self.ib
        a2b, b2a = self.a2b, self.b2a
        # the pairing arrays seen by numpy (views, no copy) for the whole-array scans
        un_b = np.flatnonzero(np.frombuffer(b2a, dtype=np.int64) < 0).tolist()
        if not un_b or not (np.frombuffer(a2b, dtype=np.int64) < 0).any():
            return 0
        if bulk:
            from graphdef.tools.pairing import pair_bulk
            got = pair_bulk(self)
            if got is not None:
                return got
        sig_a, sig_b = self._sig_fns()
        # signature → one B node, or a _Pool of several
        pool: dict[tuple, Any] = {}
        pool_get = pool.get
        names_b = ib.names
        pool_setdefault = pool.setdefault
        for j, sg in zip(un_b, map(sig_b, un_b)):
            have = pool_setdefault(sg, j)
            if have is not j:  # a signature seen before (j is a fresh int object)
                if type(have) is int:
                    p = _Pool()
                    p.add(have, names_b[have].rpartition("/")[2])
                    pool[sg] = have = p
                have.add(j, names_b[j].rpartition("/")[2])
        pairs = 0
        renamed = self.renamed
        names_a = ia.names
        for i in ia.topo_order():
            if a2b[i] >= 0:
                continue
            sg = sig_a(i)
            got = pool_get(sg)
            if got is None:
                continue
            if type(got) is int:
                j = got
                del pool[sg]
            else:
                j = got.take(names_a[i].rpartition("/")[2], b2a)
                if j is None:
                    del pool[sg]
                    continue
            a2b[i] = j
            b2a[j] = i
            renamed[j] = 1
            pairs += 1
        return pairs

    # -- comparing paired nodes -------------------------------------------
    def _same_input_strings(self, i: int, j: int) -> bool:
        ia, ib = self.ia, self.ib
        da, db = ia.data[i], ib.data[j]
        if len(da) != len(db) or ia.ctrl[i] != ib.ctrl[j] and \
                [ia.name_of(s) for s in ia.ctrl[i]] != [ib.name_of(s) for s in ib.ctrl[j]]:
            return False
        for (sa, pa), (sb, pb) in zip(da, db):
            if pa != pb or ia.name_of(sa) != ib.name_of(sb):
                return False
        return True

    def _inputs_paired_by_name(self, i: int) -> bool:
        ia, ib, a2b = self.ia, self.ib, self.a2b
        for s, _ in ia.data[i]:
            if s >= 0 and (a2b[s] < 0 or ib.names[a2b[s]] != ia.names[s]):
                return False
        for s in ia.ctrl[i]:
            if s >= 0 and (a2b[s] < 0 or ib.names[a2b[s]] != ia.names[s]):
                return False
        return True

    def compare(self, i: int, j: int) -> NodeChange | None:
        ia, ib = self.ia, self.ib
        if ia.tails[i] == ib.tails[j] and ia.ops[i] == ib.ops[j] and \
                self._inputs_paired_by_name(i) and self._same_input_strings(i, j):
            return None  # same attrs/device/op, and every input names a node paired by name
        sa, sb = self.sig(0, i), self.sig(1, j)
        if sa == sb:
            return None
        fields: list[str] = []
        details: list[tuple[str, str | None, str | None]] = []
        na, nb = ia.node(i), ib.node(j)
        if sa[0] != sb[0]:
            fields.append("op")
            details.append(("op", na.op, nb.op))
        if sa[1] != sb[1]:
            fields.append("input")
            details.append(("input", ", ".join(format_input(ia.name_of(s), p) for s, p in ia.data[i]),
                            ", ".join(format_input(ib.name_of(s), p) for s, p in ib.data[j])))
        if sa[2] != sb[2]:
            fields.append("control_input")
            details.append(("control_input", ", ".join(sorted(ia.name_of(s) for s in ia.ctrl[i])),
                            ", ".join(sorted(ib.name_of(s) for s in ib.ctrl[j]))))
        if sa[3] != sb[3]:
            if na.device != nb.device:
                fields.append("device")
                details.append(("device", na.device, nb.device))
            ka = attr_keys(na, self.ignore, self.ignore_internal)
            kb = attr_keys(nb, self.ignore, self.ignore_internal)
            for k in sorted(set(ka) | set(kb)):
                if ka.get(k) != kb.get(k):
                    fields.append(f"attr.{k}")
                    details.append((f"attr {k}",
                                    describe_attr(na.attr[k]) if k in ka else None,
                                    describe_attr(nb.attr[k]) if k in kb else None))
            for f in ("experimental_debug_info", "experimental_type"):
                if getattr(na, f) != getattr(nb, f):
                    fields.append(f)
                    details.append((f, "…", "…"))
        if not fields:
            return None
        return NodeChange(node=ib.names[j], name_a=ia.names[i], fields=fields, details=details)


def _graph_fields(a: Any, b: Any) -> list[str]:
    out = []
    if a.versions != b.versions:
        out.append("versions")
    if a.version != b.version:
        out.append("version")
    fa = {f.signature.name: f for f in a.library.function}
    fb = {f.signature.name: f for f in b.library.function}
    for name in sorted(set(fa) | set(fb)):
        if name not in fb:
            out.append(f"library.function.{name} removed")
        elif name not in fa:
            out.append(f"library.function.{name} added")
        elif fa[name].SerializeToString(deterministic=True) != \
                fb[name].SerializeToString(deterministic=True):
            out.append(f"library.function.{name} changed")
    ga = {g.gradient_func: g.function_name for g in a.library.gradient}
    gb = {g.gradient_func: g.function_name for g in b.library.gradient}
    if ga != gb:
        out.append("library.gradient")
    return out


def diff(a: Any, b: Any, ignore_attrs: Iterable[str] = (), ignore_internal: bool = False,
         equivalent_ops: bool = False, detect_renames: bool = True) -> DiffResult:
    """Compare GraphDefs ``a`` and ``b`` semantically (see the module docstring).
    Each may be a message, a path or serialized bytes (binary ones are then
    compared without building their messages, as ``graphdef diff`` does).

    Args:
        ignore_attrs: attr names that never count as differences.
        ignore_internal: ignore attrs whose name starts with ``_`` (``_class``,
            ``_output_shapes``, ``_has_manual_control_dependencies``...).
        equivalent_ops: treat known aliases (``Add``/``AddV2``...) as the same op.
        detect_renames: pair unmatched nodes by structure (on by default).

    Returns:
        A :class:`DiffResult`; ``result.equal`` is True when nothing differs.

    Raises:
        InvalidGraphError: a graph has two nodes with the same name.
    """
    with paused_gc():
        return _diff(a, b, ignore_attrs, ignore_internal, equivalent_ops, detect_renames)


def _diff(a: Any, b: Any, ignore_attrs: Iterable[str], ignore_internal: bool,
          equivalent_ops: bool, detect_renames: bool) -> DiffResult:
    ia, ib = (index_of(g, lazy_edges=True) if is_graph_source(g)
              else GraphIndex(g, serialize=True, keep_serial=False) for g in (a, b))
    return diff_indices(ia, ib, ignore_attrs, ignore_internal, equivalent_ops, detect_renames)


def diff_indices(ia: GraphIndex, ib: GraphIndex, ignore_attrs: Iterable[str] = (),
                 ignore_internal: bool = False, equivalent_ops: bool = False,
                 detect_renames: bool = True) -> DiffResult:
    """:func:`diff` on two indices (e.g. ``GraphIndex.from_wire`` of .pb files)."""
    a, b = ia.graph_def, ib.graph_def
    d = _Differ(ia, ib, ignore_attrs, ignore_internal, equivalent_ops, detect_renames)
    d.pair_by_name()
    if detect_renames:
        d.pair_by_structure()
    ia, ib = d.ia, d.ib
    res = DiffResult(nodes_a=len(ia), nodes_b=len(ib))
    # whole-array scans in numpy (views of the pairing arrays): a million-node
    # diff would otherwise spend about a second in these Python loops alone
    a2b = np.frombuffer(d.a2b, dtype=np.int64)
    b2a = np.frombuffer(d.b2a, dtype=np.int64)
    renamed_b = np.frombuffer(d.renamed, dtype=np.uint8).astype(bool)
    gone, new = np.flatnonzero(a2b < 0), np.flatnonzero(b2a < 0)
    res.removed = list(map(ia.names.__getitem__, gone.tolist()))
    res.added = list(map(ib.names.__getitem__, new.tolist()))
    js = np.flatnonzero(renamed_b)
    res._positions = (ia.ops, ib.ops, gone, new, js)  # for op_lists (arrays: small)
    res.renamed = list(zip(map(ia.names.__getitem__, b2a[js].tolist()),
                           map(ib.names.__getitem__, js.tolist())))
    changed = []
    by_name = np.flatnonzero((b2a >= 0) & ~renamed_b)
    for i, j in zip(b2a[by_name].tolist(), by_name.tolist()):
        c = d.compare(i, j)
        if c is not None:
            changed.append(c)
    res.changed = changed
    res.graph = _graph_fields(a, b)
    return res


__all__ = ["diff", "diff_indices", "DiffResult", "NodeChange", "describe_attr", "describe_tensor"]
