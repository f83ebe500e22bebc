"""``diff``'s rename pairing in whole-array passes, for big renamed graphs.

Same result as :meth:`graphdef.tools.diff._Differ.pair_by_structure` (the
per-node loop, which stays the reference and handles every case this module
declines), much faster when hundreds of thousands of nodes were renamed (the
lazy-loading loop re-run under a scope: every body node is a rename).

Why the result is the same. The loop visits A's unpaired nodes in topological
order and gives each the B node with the same signature (op, attrs, inputs in B's
numbering, control inputs) that it prefers: the same last name component first,
else the earliest left. Two A nodes compete only for a signature they share, and
sharing one means having the same inputs, so they become ready at the same time:
processing "waves" (all nodes whose inputs are decided) at once, each signature
class in file order, takes the same decisions. Within a class, when every A node
finds a B node of its own base name (``Add_3`` ↔ ``run2/Add_3``; or the k-th
``y`` ↔ the k-th ``y``), the loop never falls back to "the earliest left", and
the pairs are a rank match per base name; other classes go through the loop's
own pool. Signatures are compared as rows of integers: hashed to find
candidates, then compared element by element (a hash is only a hint).

Declined (None: the caller runs the loop): non-topological A, dangling inputs,
control inputs on unpaired nodes, small graphs, hash collisions among B's rows.
"""
from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

#: Below this many unpaired nodes the loop is as fast (tests lower it).
MIN_UNPAIRED = 20_000
#: After this many waves the rest goes to the loop (deep chains of renames).
MAX_WAVES = 64

_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_K = [np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F,
                              0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3, 0x589965CC75374CC3)]


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(33))
    x = x * _M1
    x = x ^ (x >> np.uint64(33))
    x = x * _M2
    return x ^ (x >> np.uint64(33))


class _Side:
    """One graph's signature rows: op id, attr key id, inputs as (code, port)."""

    def __init__(self, idx: Any, op_ids: np.ndarray, akey_ids: np.ndarray) -> None:
        consumer, self.src, self.port = idx.flat_inputs()
        n = len(idx)
        self.bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(consumer, minlength=n), out=self.bounds[1:])
        self.consumer = consumer
        self.op, self.akey = op_ids, akey_ids
        self.codes = self.src  # B: its own positions; A: mapped per wave

    def _elements(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per node its input count, and the flat positions of its inputs with each
        one's place in the row."""
        lo = self.bounds[nodes]
        nd = self.bounds[nodes + 1] - lo
        offs = np.cumsum(nd) - nd
        k = np.arange(int(nd.sum()), dtype=np.int64) - np.repeat(offs, nd)
        return nd, np.repeat(lo, nd) + k, k

    def hashes(self, nodes: np.ndarray) -> np.ndarray:
        nd, at, k = self._elements(nodes)
        h = _mix(self.op[nodes].astype(np.uint64) * _K[0] + self.akey[nodes].astype(np.uint64)
                 * _K[1] + nd.astype(np.uint64) * _K[2])
        e = _mix(self.codes[at].astype(np.uint64) * _K[3] + self.port[at].astype(np.uint64)
                 * _K[4] + k.astype(np.uint64) * _K[5])
        sums = np.zeros(len(nodes), dtype=np.uint64)
        has = np.flatnonzero(nd)
        if len(has):
            sums[has] = np.add.reduceat(e, (np.cumsum(nd) - nd)[has])
        return h ^ _mix(sums)


def _rows_equal(x: _Side, xs: np.ndarray, y: _Side, ys: np.ndarray) -> np.ndarray:
    """Per pair ``(xs[k], ys[k])``: whether the two rows are the same signature."""
    eq = (x.op[xs] == y.op[ys]) & (x.akey[xs] == y.akey[ys])
    ndx = x.bounds[xs + 1] - x.bounds[xs]
    eq &= ndx == (y.bounds[ys + 1] - y.bounds[ys])
    p = np.flatnonzero(eq & (ndx > 0))
    if len(p):
        nd, at_x, k = x._elements(xs[p])
        at_y = np.repeat(y.bounds[ys[p]], nd) + k
        bad = (x.codes[at_x] != y.codes[at_y]) | (x.port[at_x] != y.port[at_y])
        eq[p] &= np.bincount(np.repeat(np.arange(len(p)), nd), weights=bad.astype(np.float64),
                             minlength=len(p)) == 0
    return eq


def _ids(values: list[Any], table: dict[Any, int]) -> np.ndarray:
    """Shared small-int ids for hashable values (one dict lookup each, in C)."""
    for v in set(values):
        table.setdefault(v, len(table))
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def _attr_ids(d: Any, side: int, table: dict[Any, int]) -> np.ndarray:
    idx = d.ia if side == 0 else d.ib
    tails = idx.tails
    first = dict(zip(reversed(tails), range(len(tails) - 1, -1, -1)))
    key_of = {t: table.setdefault(d.attr_key(side, i), len(table)) for t, i in first.items()}
    return np.fromiter(map(key_of.__getitem__, tails), dtype=np.int64, count=len(tails))


def _has_control(idx: Any, nodes: np.ndarray) -> bool:
    consumer = idx.flat_inputs(control=True)[0]
    if not len(consumer):
        return False
    mark = np.zeros(len(idx), dtype=bool)
    mark[consumer] = True
    return bool(mark[nodes].any())


def pair_bulk(d: Any) -> int | None:
    """Pair A's and B's unpaired nodes by structure into ``d.a2b`` / ``d.b2a`` /
    ``d.renamed`` as :meth:`_Differ.pair_by_structure` would; the number of pairs,
    or None when declined (nothing changed then)."""
    ia, ib = d.ia, d.ib
    a2b = np.frombuffer(d.a2b, dtype=np.int64)
    b2a = np.frombuffer(d.b2a, dtype=np.int64)
    un_a, un_b = np.flatnonzero(a2b < 0), np.flatnonzero(b2a < 0)
    if not len(un_a) or not len(un_b):
        return 0
    if (len(un_a) + len(un_b) < MIN_UNPAIRED or not ia.topological or ia.missing or ib.missing
            or _has_control(ia, un_a) or _has_control(ib, un_b)):
        return None
    op_table: dict[Any, int] = {}
    fold = d.fold
    ops = {op: fold.get(op, op) for op in set(ia.ops) | set(ib.ops)}
    canon = {op: op_table.setdefault(c, len(op_table)) for op, c in ops.items()}
    akeys: dict[Any, int] = {}
    A = _Side(ia, _ids(ia.ops, canon), _attr_ids(d, 0, akeys))
    B = _Side(ib, _ids(ib.ops, canon), _attr_ids(d, 1, akeys))
    # B's classes: rows sorted by hash (file order within one), each checked against
    # the first of its hash; a collision between different rows: decline
    hb = B.hashes(un_b)
    order = np.argsort(hb, kind="stable")
    hb, members = hb[order], un_b[order]
    starts = np.flatnonzero(np.concatenate(([True], hb[1:] != hb[:-1])))
    sizes = np.diff(np.append(starts, len(hb)))
    group = np.repeat(np.arange(len(starts)), sizes)
    if not _rows_equal(B, members, B, members[starts[group]]).all():
        return None
    hb_u, rep = hb[starts], members[starts]
    del hb, order, group
    # waves over A: a node is ready when none of its inputs is undecided
    undecided = a2b < 0
    pend = np.bincount(A.consumer[undecided[A.src]], minlength=len(ia))
    names_a, names_b = ia.names, ib.names
    renamed = np.frombuffer(d.renamed, dtype=np.uint8)
    pairs = 0
    for _ in range(MAX_WAVES):
        wave = np.flatnonzero(undecided & (pend == 0))
        if not len(wave):
            return pairs
        undecided[wave] = False
        done = np.zeros(len(ia), dtype=bool)
        done[wave] = True
        pend -= np.bincount(A.consumer[done[A.src]], minlength=len(ia))
        # rows of the nodes whose inputs all have partners, in B's numbering
        A.codes = a2b[A.src]
        nd, at, _ = A._elements(wave)
        unmapped = np.bincount(np.repeat(np.arange(len(wave)), nd), weights=(A.codes[at] < 0).astype(np.float64),
                               minlength=len(wave))
        nodes = wave[unmapped == 0]
        h = A.hashes(nodes)
        pos = np.minimum(np.searchsorted(hb_u, h), len(hb_u) - 1)
        hit = hb_u[pos] == h
        nodes, g = nodes[hit], pos[hit]
        same = _rows_equal(A, nodes, B, rep[g])
        nodes, g = nodes[same], g[same]
        if len(nodes):
            pairs += _assign(nodes, g, starts, sizes, members, names_a, names_b, a2b, b2a,
                             renamed)
    # a deep chain of renames: the loop finishes (decided nodes find nothing there)
    return pairs + d.pair_by_structure(bulk=False)


def _assign(nodes: np.ndarray, g: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
            members: np.ndarray, names_a: list[str], names_b: list[str], a2b: np.ndarray,
            b2a: np.ndarray, renamed: np.ndarray) -> int:
    """Give the A ``nodes`` (file order) of classes ``g`` their B partners."""
    got_a: list[np.ndarray] = []
    got_b: list[np.ndarray] = []
    single = sizes[g] == 1
    if single.any():  # one B node: the first A node of its class takes it
        gs, first = np.unique(g[single], return_index=True)
        got_a.append(nodes[single][first])
        got_b.append(members[starts[gs]])
    multi = ~single
    if multi.any():
        ma, mg = nodes[multi], g[multi]
        classes = np.unique(mg)
        mb_start, mb_size = starts[classes], sizes[classes]
        mb_class = np.repeat(classes, mb_size)
        mb = members[np.repeat(mb_start, mb_size) + np.arange(int(mb_size.sum()))
                     - np.repeat(np.cumsum(mb_size) - mb_size, mb_size)]
        # base names by their str hash; a match is then checked on the strings (two
        # bases with one hash in one class fail the check: that class goes slow)
        base_a = _bases(names_a, ma)
        base_b = _bases(names_b, mb)
        ha = np.fromiter(map(hash, base_a), dtype=np.int64, count=len(base_a))
        hb = np.fromiter(map(hash, base_b), dtype=np.int64, count=len(base_b))
        rank_a, rank_b = _ranks(mg, ha), _ranks(mb_class, hb)
        # (class, base, rank) as one 64-bit code; a found code is checked field by field
        code_b = _code(mb_class, hb, rank_b)
        by_code = np.argsort(code_b)
        code_b = code_b[by_code]
        code_a = _code(mg, ha, rank_a)
        pos = np.minimum(np.searchsorted(code_b, code_a), len(code_b) - 1)
        found = code_b[pos] == code_a
        pb = by_code[pos]
        found &= (mb_class[pb] == mg) & (hb[pb] == ha) & (rank_b[pb] == rank_a)
        if found.any():
            found[found] = np.fromiter(map(str.__eq__, map(base_a.__getitem__,
                                                           np.flatnonzero(found).tolist()),
                                           map(base_b.__getitem__, pb[found].tolist())),
                                       dtype=bool, count=int(found.sum()))
        # a class where some A node finds no B node of its base name: the loop's pool
        slow = np.zeros(int(classes.max()) + 1, dtype=bool)
        slow[mg[~found]] = True
        fast = ~slow[mg]
        got_a.append(ma[fast])
        got_b.append(mb[pb[fast]])
        for c in np.flatnonzero(slow).tolist():
            pa, pb = _pool_class(ma[mg == c], mb[mb_class == c], names_a, names_b, b2a)
            got_a.append(pa)
            got_b.append(pb)
    ga, gb = np.concatenate(got_a), np.concatenate(got_b)
    a2b[ga] = gb
    b2a[gb] = ga
    renamed[gb] = 1
    return len(ga)


def _bases(names: list[str], nodes: np.ndarray) -> list[str]:
    """Last name components (``run2/Add_3`` → ``Add_3``), made in C-level maps."""
    return list(map(itemgetter(2), map(str.rpartition, map(names.__getitem__, nodes.tolist()),
                                       repeat("/"))))


def _ranks(k1: np.ndarray, k2: np.ndarray) -> np.ndarray:
    """Per element, how many earlier elements have the same key pair."""
    order = np.lexsort((k2, k1))  # stable: earlier elements first within a key
    a, b = k1[order], k2[order]
    start = np.flatnonzero(np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1]))))
    sizes = np.diff(np.append(start, len(a)))
    out = np.empty(len(k1), dtype=np.int64)
    out[order] = np.arange(len(a)) - np.repeat(start, sizes)
    return out


def _code(k1: np.ndarray, k2: np.ndarray, k3: np.ndarray) -> np.ndarray:
    return _mix(_mix(k1.astype(np.uint64) * _K[0] + k2.astype(np.uint64)) + k3.astype(np.uint64)
                * _K[1])


def _pool_class(a_nodes: np.ndarray, b_nodes: np.ndarray, names_a: list[str],
                names_b: list[str], b2a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One class, exactly as the loop's pool takes: A in file order, B in file order."""
    from graphdef.tools.diff import _Pool
    pool = _Pool()
    for j in b_nodes.tolist():
        pool.add(j, names_b[j].rpartition("/")[2])
    taken = np.zeros(len(b2a), dtype=bool)
    view = _TakenView(b2a, taken)
    pa, pb = [], []
    for i in a_nodes.tolist():
        j = pool.take(names_a[i].rpartition("/")[2], view)
        if j is None:
            break
        taken[j] = True
        pa.append(i)
        pb.append(j)
    return np.array(pa, dtype=np.int64), np.array(pb, dtype=np.int64)


class _TakenView:
    """``b2a`` as the pool reads it, with this class's own picks seen as taken
    (they are written to ``b2a`` once the class is done)."""

    __slots__ = ("b2a", "taken")

    def __init__(self, b2a: np.ndarray, taken: np.ndarray) -> None:
        self.b2a, self.taken = b2a, taken

    def __getitem__(self, j: int) -> int:
        return 0 if self.taken[j] else int(self.b2a[j])


__all__ = ["pair_bulk", "MIN_UNPAIRED", "MAX_WAVES"]
