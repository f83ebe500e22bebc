"""A dataflow executor for plans with TF1 while loops (``Enter``/``Merge``/``Switch``/
``NextIteration``/``Exit``/``LoopCond``), following TensorFlow's executor.

Every value is tagged with a *context*: the frame it lives in and the iteration.
``Enter`` moves a value into a child frame (iteration 0; with ``is_constant`` the
value is a loop invariant seen by every iteration), ``NextIteration`` moves it to the
next iteration, ``Exit`` back to the parent frame. A node runs in a context once all
its inputs have arrived there; ``Merge`` runs on its first live input. Dead tensors
(the untaken side of a ``Switch``) propagate as in ``plan.py``, except that a dead
``NextIteration`` ends its loop and a dead ``Exit`` is only passed on if the frame
produced no live value for it.

Plans without loops never come here: they compile to straight-line code.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Sequence

import numpy as np

from graphdef.errors import InvalidArgumentError
from graphdef.runtime.kernels import DEAD

ENTER = frozenset({"Enter", "RefEnter"})
EXIT = frozenset({"Exit", "RefExit"})
NEXT = frozenset({"NextIteration", "RefNextIteration"})
MERGE = frozenset({"Merge", "RefMerge"})
LOOP_OPS = ENTER | EXIT | NEXT | frozenset({"LoopCond"})

Ctx = tuple  # (frame id: tuple of (frame name, parent iteration) pairs, iteration)
ROOT: Ctx = ((), 0)


class FrameExecutor:
    """Runs the nodes of a plan (already validated, kernels built) as a dataflow graph."""

    def __init__(self, order: Sequence[str], info: Any, kernels: dict, nouts: dict, consts: dict,
                 fed: dict, fetches: Sequence[tuple[str, int]], ref_out: set, deref: Any,
                 node_error: Any, read_fetch: Any) -> None:
        self.nodes = {n: info(n)[0] for n in order}
        self.data = {n: info(n)[1] for n in order}
        self.ctrl = {n: info(n)[2] for n in order}
        self.kernels = kernels
        self.nouts = nouts
        self.consts = consts
        self.fed = fed
        self.fetches = list(fetches)
        self.ref_out = ref_out
        self.deref, self.node_error, self.read_fetch = deref, node_error, read_fetch
        present = set(order)
        # consumers[src] = [(consumer, slot or -1 for a control edge, source output index)]
        self.consumers: dict[str, list[tuple[str, int, int]]] = {n: [] for n in order}
        self.needed: dict[str, int] = {}
        for n in order:
            k = 0
            for slot, (src, idx) in enumerate(self.data[n]):
                if (src, idx) in fed or src not in present:
                    continue
                self.consumers[src].append((n, slot, idx))
                k += 1
            for c in self.ctrl[n]:
                if c in present:
                    self.consumers[c].append((n, -1, 0))
                    k += 1
            self.needed[n] = k
        self.loop_merge = {n for n in order if self.nodes[n].op in MERGE
                           and any(self.nodes.get(s) is not None and self.nodes[s].op in NEXT
                                   for s, _ in self.data[n])}
        self.frame_name = {n: self.nodes[n].attr["frame_name"].s.decode() for n in order
                           if self.nodes[n].op in ENTER}
        self.constant_enter = {n for n in self.frame_name
                               if "is_constant" in self.nodes[n].attr and self.nodes[n].attr["is_constant"].b}
        self.roots = [n for n in order if self.needed[n] == 0]

    # ------------------------------------------------------------------
    def run(self, *feed_values: Any) -> Any:
        fed = self.fed
        pending: dict[tuple[str, Ctx], list] = {}    # (node, ctx) -> [values, received, dead]
        merged: set[tuple[str, Ctx]] = set()
        results: dict[tuple[str, int], Any] = {}
        invariants: dict[tuple, list[tuple[str, list, bool]]] = {}
        iterations: dict[tuple, set[int]] = {}
        live_exits: set[tuple[str, Ctx]] = set()
        dead_exits: list[tuple[str, Ctx]] = []
        ready: deque = deque()
        for n in self.roots:
            if n in self.frame_name:   # an Enter fed from outside: it runs in its loop's frame
                child = ((self.frame_name[n], 0),)
                iterations.setdefault(child, {0})
                ready.append((n, (child, 0)))
            else:
                ready.append((n, ROOT))

        def inputs_of(node: str) -> list:
            vals = []
            for src, idx in self.data[node]:
                k = fed.get((src, idx))
                vals.append(feed_values[k] if k is not None else None)
            return vals

        def deliver(node: str, slot: int, value: Any, ctx: Ctx) -> None:
            key = (node, ctx)
            if node in self.nodes and self.nodes[node].op in MERGE:
                if key in merged or slot < 0:
                    return
                st = pending.get(key)
                if st is None:
                    st = pending[key] = [inputs_of(node), 0, False]
                st[1] += 1
                if value is not DEAD:
                    merged.add(key)
                    ready.append((node, ctx, (value, slot)))
                else:
                    expected = 1 if node in self.loop_merge else len(self.data[node])
                    if st[1] >= expected:
                        merged.add(key)
                        ready.append((node, ctx, None))
                return
            st = pending.get(key)
            if st is None:
                st = pending[key] = [inputs_of(node), 0, False]
            if slot >= 0:
                st[0][slot] = value
            if value is DEAD:
                st[2] = True
            st[1] += 1
            if st[1] == self.needed[node]:
                ready.append((node, ctx))

        def start_iteration(fid: tuple, it: int) -> None:
            seen = iterations.setdefault(fid, set())
            if it in seen:
                return
            seen.add(it)
            for enter, outs, dead in invariants.get(fid, ()):
                propagate(enter, outs, dead, (fid, it))

        def propagate(node: str, outs: list, dead: bool, ctx: Ctx) -> None:
            op = self.nodes[node].op
            fid, it = ctx
            if op in NEXT:
                if dead:
                    return          # a dead NextIteration ends the loop
                ctx = (fid, it + 1)
                start_iteration(fid, it + 1)
            elif op in EXIT:
                if dead:
                    dead_exits.append((node, ctx))
                    return
                ctx = (fid[:-1], fid[-1][1])
                live_exits.add((node, ctx))
            if ctx == ROOT:
                for i, v in enumerate(outs):
                    results[(node, i)] = v
            for consumer, slot, idx in self.consumers[node]:
                value = (DEAD if dead else (outs[idx] if slot >= 0 else True))
                if consumer in self.frame_name:  # into a child frame
                    child = fid + ((self.frame_name[consumer], ctx[1]),)
                    start_iteration(child, 0)
                    deliver(consumer, slot, value, (child, 0))
                else:
                    deliver(consumer, slot, value, ctx)

        while True:
            while ready:
                item = ready.popleft()
                node, ctx = item[0], item[1]
                nd = self.nodes[node]
                n_out = self.nouts[node]
                if node in self.consts:
                    st = pending.pop((node, ctx), None)
                    dead = st is not None and st[2]     # a dead control input kills a Const too
                    outs = [DEAD if dead else self.consts[node]]
                elif nd.op in MERGE:
                    if item[2] is None:
                        outs, dead = [DEAD] * n_out, True
                    else:
                        outs, dead = [item[2][0], np.array(item[2][1], np.int32)], False
                else:
                    st = pending.pop((node, ctx), None)
                    vals = st[0] if st is not None else inputs_of(node)
                    dead = st is not None and st[2]
                    if dead:
                        outs = [DEAD] * n_out
                    else:
                        kd, fn = self.kernels[node]
                        args = [self.deref(v) if s in self.ref_out and j not in kd.ref_inputs and (s, i) not in fed
                                else v for j, (v, (s, i)) in enumerate(zip(vals, self.data[node]))]
                        try:
                            r = fn(*args)
                        except Exception as e:  # noqa: BLE001 - named below
                            raise self.node_error(nd, e) from e
                        outs = [] if n_out == 0 else ([r] if n_out == 1 else list(r))
                        if len(outs) != n_out:
                            raise InvalidArgumentError(nd, None, f"kernel returned {len(outs)} outputs, "
                                                       f"expected {n_out}")
                if nd.op in ENTER and node in self.constant_enter:
                    invariants.setdefault(ctx[0], []).append((node, outs, dead))
                    for it in sorted(iterations.get(ctx[0], {0})):
                        propagate(node, outs, dead, (ctx[0], it))
                    continue
                propagate(node, outs, dead, ctx)
            # a frame that produced no live value for an Exit passes on its deadness
            pending_dead = [(n, c) for n, c in dead_exits if (n, (c[0][:-1], c[0][-1][1])) not in live_exits]
            dead_exits.clear()
            if not pending_dead:
                break
            done = set()
            for n, c in pending_dead:
                parent = (c[0][:-1], c[0][-1][1])
                if (n, parent) in done:
                    continue
                done.add((n, parent))
                live_exits.add((n, parent))
                if parent == ROOT:
                    results[(n, 0)] = DEAD
                for consumer, slot, idx in self.consumers[n]:
                    deliver(consumer, slot, DEAD, parent)

        out = []
        for src, idx in self.fetches:
            k = fed.get((src, idx))
            if k is not None:
                out.append(feed_values[k])
                continue
            if (src, idx) not in results or results[(src, idx)] is DEAD:
                raise InvalidArgumentError(self.nodes.get(src), None, f"Retval for '{src}:{idx}' does not have "
                                           f"value (it is on an untaken branch or was never reached)")
            v = results[(src, idx)]
            out.append(self.read_fetch(v) if src in self.ref_out else v)
        return out[0] if len(out) == 1 else tuple(out)
