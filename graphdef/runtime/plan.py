"""Execution plans: prune a graph to what the fetches need, order it, compile it.

(Reading graphs is ``graph_view.py``; feed checks are ``feeds.py``; while loops run in
``frames.py``.)

A :class:`Plan` is built once per (graph version, fetches, feeds) and cached by the
session. Building does all the work that does not depend on the fed values:

* walk back from the fetches and targets through data and control inputs, stopping
  at fed tensors (pruning); report a missing node, a cycle, an unknown op, a bad
  output index or an unfed placeholder *before anything runs*, naming the node;
* decode every Const once and build every kernel's callable (attrs decoded once);
* emit the ordered kernel calls as the body of one Python function (``exec``), with
  each tensor a local variable and ``del`` after its last use — so a call costs a
  function call plus one line per node, with no dict lookups or dispatch.

Plans that contain ``Switch`` also track dead tensors (TF1 ``cond``): a node with a
dead input is skipped and its outputs are dead, ``Merge`` forwards the live input.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from graphdef.errors import (FailedPreconditionError, InvalidArgumentError, InvalidGraphError, KernelError,
                             OpError, UnknownOpError)
from graphdef.runtime import batch as _batch
from graphdef.runtime.graph_view import _dtype_name, _shape_str, parse_input
from graphdef.runtime.kernels import DEAD, KernelContext, lookup
from graphdef.runtime.kernels.state import read as _deref
from graphdef.tensors import shape_to_list, to_ndarray

_PLACEHOLDERS = frozenset({"Placeholder", "PlaceholderV2", "_Arg"})
_CONSTS = frozenset({"Const", "HostConst"})
_NEXT = frozenset({"NextIteration", "RefNextIteration"})
# ops whose kernels run in BLAS (Session.run sets its thread count around such plans)
_BLAS_OPS = frozenset({"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D",
                       "Conv2DBackpropInput", "Einsum"})
_FOLD_MAX_ELEMENTS = 1 << 18   # folded results are kept with the plan: bound their size
_EXEC_MODULE = "graphdef.runtime.compiled"

# TensorFlow's kernels give inf/nan silently; numpy would warn from inside kernels.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"graphdef\.runtime(\.|$)")


# --------------------------------------------------------------------------
# in-place activations (see _Builder.fuse)
# --------------------------------------------------------------------------

# ops whose kernels always return a newly allocated array (never a view or an input)
_FRESH = frozenset({"Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "MatMul", "BatchMatMulV2",
                    "BiasAdd", "Add", "AddV2", "Sub", "Mul", "FusedBatchNorm", "FusedBatchNormV2",
                    "FusedBatchNormV3"})


def _relu_(x: Any) -> Any:
    fn = lookup("Relu").fn
    return fn(x, out=x) if type(x) is np.ndarray and x.flags.writeable else fn(x)


def _relu6_(x: Any) -> Any:
    fn = lookup("Relu6").fn
    return fn(x, out=x) if type(x) is np.ndarray and x.flags.writeable else fn(x)


def _tanh_(x: Any) -> Any:
    if type(x) is not np.ndarray or not x.flags.writeable:
        return np.tanh(x)
    return np.tanh(x, out=x)


def _sigmoid_(x: Any) -> Any:
    if type(x) is not np.ndarray or not x.flags.writeable or x.dtype.kind != "f":
        return lookup("Sigmoid").fn(x)
    half = x.dtype.type(0.5)
    x *= half
    np.tanh(x, out=x)
    x += 1
    x *= half
    return x


_INPLACE = {"Relu": _relu_, "Relu6": _relu6_, "Tanh": _tanh_, "Sigmoid": _sigmoid_}


def _pass_first(x: Any, *_rest: Any) -> Any:
    """A node fused into the kernel before it: hand its (already final) input on."""
    return x


# --------------------------------------------------------------------------
# errors raised while running
# --------------------------------------------------------------------------

def _read_fetch(v: Any) -> Any:
    """Read a fetched variable reference; an uninitialized one is named in the error."""
    try:
        return _deref(v)
    except FailedPreconditionError as e:
        raise FailedPreconditionError(getattr(v, "node", None), None, e.message) from None


def _node_error(node: Any, err: BaseException) -> BaseException:
    """Name the failing node in ``err`` (TF-named errors keep their class)."""
    if isinstance(err, OpError):
        if err.node_def is not None:
            return err
        return type(err)(node, None, err.message)
    if isinstance(err, (ValueError, IndexError, TypeError, ZeroDivisionError, ArithmeticError)):
        return InvalidArgumentError(node, None, f"{err}")
    return KernelError(node, None, f"{type(err).__name__}: {err}")


# --------------------------------------------------------------------------
# the plan
# --------------------------------------------------------------------------

class Plan:
    """A compiled run: ``fn(*feed_values)`` returns the fetched values (one value when
    ``single``, else a tuple) after running every needed node once, in order.

    Attributes:
        fn: the compiled function.
        single: the plan fetches exactly one tensor.
        nodes: names of the nodes run, in order (for tests and ``--verbose``).
        source: the generated code (for debugging).
        fused: the nodes whose work the kernel before them does (``_Builder.fuse``);
            they only pass their input on.
        split: ``fn`` wrapped to run large batches in parts on several threads
            (``batch.BatchSplit``), or None where the plan mixes a batch's images.
        split_reason: why ``split`` is None (naming the node), for tests and debugging.
    """

    def __init__(self, fn: Callable[..., Any], single: bool, nodes: list[str], source: str,
                 uses_blas: bool = False, fused: Sequence[str] = (), split: Any = None,
                 split_reason: str | None = None) -> None:
        self.fn = fn
        self.single = single
        self.nodes = nodes
        self.source = source
        self.uses_blas = uses_blas
        self.fused = list(fused)
        self.split = split
        self.split_reason = split_reason


class _Builder:
    def __init__(self, view: Any, state: dict, const_cache: dict | None) -> None:
        self.view = view
        self.state = state
        self.const_cache = const_cache if const_cache is not None else {}
        self.parsed: dict[str, tuple[Any, list[tuple[str, int]], list[str]]] = {}

    # -- lookups ------------------------------------------------------------
    def info(self, name: str, consumer: str | None = None) -> tuple[Any, list[tuple[str, int]], list[str]]:
        got = self.parsed.get(name)
        if got is not None:
            return got
        node = self.view.node(name)
        if node is None:
            if consumer is None:
                from graphdef.errors import InvalidFetchError
                raise InvalidFetchError(None, None, f"The name '{name}' refers to a node that is not in the graph")
            raise InvalidGraphError(f"input '{name}' refers to a node that does not exist", node=consumer)
        data: list[tuple[str, int]] = []
        ctrl: list[str] = []
        for s in node.input:
            src, idx, is_ctrl = parse_input(s)
            if is_ctrl:
                ctrl.append(src)
            else:
                data.append((src, idx))
        got = (node, data, ctrl)
        self.parsed[name] = got
        return got

    def const_value(self, node: Any) -> np.ndarray:
        key = id(node)
        hit = self.const_cache.get(key)
        if hit is not None and hit[0] is node:
            return hit[1]
        try:
            v = to_ndarray(node.attr["value"].tensor)
        except Exception as e:  # noqa: BLE001
            raise InvalidGraphError(f"Const value cannot be decoded: {e}", node=node.name) from e
        if isinstance(v, np.ndarray):
            if not (v.flags.aligned and v.flags.c_contiguous):
                # np.frombuffer over a proto's bytes may be unaligned: numpy's matmul then
                # skips BLAS for a naive loop (~100x slower on a 960x160 weight).
                v = np.ascontiguousarray(v).copy()
            v.flags.writeable = False  # shared by every run: never mutated in place
        self.const_cache[key] = (node, v)
        return v

    def const_input(self, t: tuple[str, int], fed: Any, folded: dict) -> Any:
        """The value of input tensor ``t`` when it is known before running: folded, or
        the output of an unfed Const; else None."""
        c = folded.get(t)
        if c is None and t not in fed:
            snode = self.view.node(t[0])
            if snode is not None and snode.op in _CONSTS:
                c = self.const_value(snode)
        return c

    # -- ordering -------------------------------------------------------------
    def order(self, roots: Iterable[str], fed: set[tuple[str, int]]) -> list[str]:
        """Nodes needed by ``roots`` in dependency order (iterative DFS, cycle check)."""
        state: dict[str, int] = {}   # 1 visiting, 2 done
        out: list[str] = []
        roots = list(roots)
        back: list[str] = []   # while-loop back edges (NextIteration -> Merge), visited as roots
        k = 0
        while k < len(roots) or back:
            if k == len(roots):
                roots.append(back.pop())
            root = roots[k]
            k += 1
            if state.get(root) == 2:
                continue
            self.info(root)
            stack: list[tuple[str, Any]] = [(root, None)]
            path: list[str] = []
            while stack:
                name, it = stack[-1]
                if it is None:
                    st = state.get(name)
                    if st == 2:
                        stack.pop()
                        continue
                    if st == 1:
                        i = path.index(name)
                        cycle = path[i:] + [name]
                        raise InvalidGraphError("graph contains a cycle: " + " -> ".join(cycle), node=name)
                    state[name] = 1
                    path.append(name)
                    node, data, ctrl = self.info(name)
                    deps = [src for src, idx in data if (src, idx) not in fed] + ctrl
                    if node.op in ("Merge", "RefMerge"):
                        loop = [d for d in deps if self.info(d, consumer=name)[0].op in _NEXT]
                        if loop:
                            back.extend(loop)
                            deps = [d for d in deps if d not in loop]
                    it = iter(deps)
                    stack[-1] = (name, it)
                    for src in deps:  # existence check names the consumer
                        self.info(src, consumer=name)
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    state[name] = 2
                    out.append(name)
                    continue
                st = state.get(nxt)
                if st == 1:
                    i = path.index(nxt)
                    raise InvalidGraphError("graph contains a cycle: " + " -> ".join(path[i:] + [nxt]), node=nxt)
                if st != 2:
                    stack.append((nxt, None))
        return out

    # -- constant folding -----------------------------------------------------
    def fold(self, name: str, node: Any, data: list[tuple[str, int]], fn: Any, n_out: int,
             fed: dict, folded: dict) -> None:
        """Evaluate a stateless node whose inputs are all constants once, now (as TF's
        constant folding does); fetched nodes are never folded, and a node whose kernel
        fails is left to fail at run time, where the error names it."""
        args = []
        for src, idx in data:
            if (src, idx) in fed:
                return
            v = folded.get((src, idx))
            if v is None:
                snode = self.view.node(src)
                if snode is None or snode.op not in _CONSTS or idx != 0:
                    return
                v = self.const_value(snode)
            args.append(v)
        try:
            r = fn(*args)
        except Exception:  # noqa: BLE001 - reported with the node when the plan runs
            return
        outs = (r,) if n_out == 1 else tuple(r)
        if len(outs) != n_out:
            return
        for o in outs:
            if not isinstance(o, (np.ndarray, np.generic)):
                return
            # an alias of an input (Identity of a weight) costs no memory: any size
            if np.size(o) > _FOLD_MAX_ELEMENTS and not any(o is a for a in args):
                return
        for i, o in enumerate(outs):
            if isinstance(o, np.ndarray) and o.flags.writeable:
                o.flags.writeable = False
            folded[(name, i)] = o

    # -- fusion ---------------------------------------------------------------
    def fuse(self, order: list[str], kernels: dict, folded: dict, fed: dict,
             fetches: Sequence[tuple[str, int]]) -> set[str]:
        """Rewrite kernels where a value has exactly one consumer (as TF's remapper does):

        * a depthwise convolution (NHWC, constant filter) absorbs a ``Pad`` before it
          (:meth:`spatial_pad`): it reads the unpadded input in place, see
          ``kernels/conv.py``, instead of a padded copy;
        * a Conv2D or depthwise convolution (NHWC) with a constant filter absorbs the
          chain after it (:meth:`conv_chain`): frozen (inference, constant statistics)
          batch norms are folded into the filter and a bias, constant BiasAdds into the
          bias, and the bias add and a final Relu/Relu6 run in place on the convolution's
          fresh output; the absorbed nodes pass their input on (``Plan.fused``);
        * Relu/Relu6/Tanh/Sigmoid on a freshly allocated, single-use value (a conv,
          matmul, add ...) write into it instead of allocating another array.

        Never applied to fetched tensors, fed tensors, constants, or plans with v1
        control flow; results are identical up to float rounding.
        """
        uses: dict[tuple[str, int], int] = {}
        consumer: dict[tuple[str, int], str] = {}
        for name in order:
            if (name, 0) in folded:
                continue
            for t in self.info(name)[1]:
                uses[t] = uses.get(t, 0) + 1
                consumer[t] = name
        for t in fetches:
            uses[t] = uses.get(t, 0) + 2

        def sole(t: tuple[str, int]) -> bool:
            return uses.get(t) == 1 and t not in fed and t not in folded

        def const_of(t: tuple[str, int]) -> Any:
            return self.const_input(t, fed, folded)

        fused_away: set[str] = set()
        for name in order:
            node, data, _ = self.info(name)
            k = kernels.get(name)
            if name in fused_away or not isinstance(k, tuple) or (name, 0) in folded or not data:
                continue
            kd, fn = k
            make = getattr(fn, "fuse", None)
            f = const_of(data[1]) if make is not None and len(data) == 2 else None
            if isinstance(f, np.ndarray) and f.ndim == 4 and f.dtype.kind == "f":
                pad = self.spatial_pad(data[0], kernels, sole, const_of) if getattr(fn, "takes_pad", False) \
                    else None
                chain = self.conv_chain(name, f, node.op == "Conv2D", kernels, consumer, sole, const_of)
                if chain is not None or pad is not None:
                    fs, bias, act, steps = chain or (f, None, None, [])
                    if pad is not None:
                        kernels[name] = (kd, make(fs, bias, act, pad[1]))
                        steps = [(pad[0], _pass_first)] + steps
                    else:
                        kernels[name] = (kd, make(fs, bias, act))
                    for cname, step in steps:
                        kernels[cname] = (kernels[cname][0], step)
                        fused_away.add(cname)
                continue
            inplace = _INPLACE.get(node.op)
            if inplace is not None and sole(data[0]) and self.info(data[0][0])[0].op in _FRESH:
                kernels[name] = (kd, inplace)
        return fused_away

    def spatial_pad(self, t: tuple[str, int], kernels: dict, sole: Callable[[tuple[str, int]], bool],
                    const_of: Callable[[tuple[str, int]], Any]) -> Any:
        """``(Pad node, ((top, bottom), (left, right)))`` when ``t`` is the single-use
        output of a ``Pad`` by constant, non-negative, height/width-only paddings (Keras's
        ``ZeroPadding2D`` before a stride-2 depthwise convolution), else None."""
        if not sole(t) or t[1] != 0:
            return None
        pnode, pdata, _ = self.info(t[0])
        if pnode.op != "Pad" or len(pdata) != 2 or not isinstance(kernels.get(t[0]), tuple):
            return None
        p = const_of(pdata[1])
        if not isinstance(p, np.ndarray) or p.shape != (4, 2) or p.dtype.kind not in "iu" \
                or (p < 0).any() or p[0].any() or p[3].any():
            return None
        return t[0], ((int(p[1, 0]), int(p[1, 1])), (int(p[2, 0]), int(p[2, 1])))

    def conv_chain(self, name: str, f: np.ndarray, full: bool, kernels: dict, consumer: dict,
                   sole: Callable[[tuple[str, int]], bool], const_of: Callable[[tuple[str, int]], Any]) -> Any:
        """The single-consumer chain after convolution ``name`` (constant filter ``f``;
        ``full``: Conv2D, else depthwise) that its kernel can absorb: frozen batch norms
        and constant BiasAdds (folded into the filter and one bias), then at most one
        Relu/Relu6. Returns ``(filter, bias, activation, [(node, passthrough kernel)])``
        or None when nothing follows that can be fused."""
        cout = f.shape[3] if full else f.shape[2] * f.shape[3]
        fs, bias, act = f, None, None
        steps: list[tuple[str, Any]] = []
        t = (name, 0)
        while act is None and sole(t):
            cname = consumer[t]
            cnode, cdata, _ = self.info(cname)
            ck = kernels.get(cname)
            if not isinstance(ck, tuple) or cdata[0] != t:
                break
            affine = getattr(ck[1], "frozen_affine", None)
            if affine is not None:
                a, b, stats = affine
                if a.shape != (cout,):
                    break
                a, b = a.astype(f.dtype), b.astype(f.dtype)
                fs = fs * (a if full else a.reshape(f.shape[2], f.shape[3]))
                bias = b if bias is None else bias * a + b

                def step(y: Any, *_rest: Any, stats: tuple = stats) -> tuple:
                    return (y,) + stats
            elif cnode.op in ("BiasAdd", "BiasAddV1") and len(cdata) == 2 and (
                    "data_format" not in cnode.attr or cnode.attr["data_format"].s in (b"", b"NHWC")):
                b = const_of(cdata[1])
                if not isinstance(b, np.ndarray) or b.shape != (cout,) or b.dtype != f.dtype:
                    break
                bias = b if bias is None else bias + b
                step = _pass_first
            elif cnode.op in ("Relu", "Relu6"):
                act, step = cnode.op, _pass_first
            else:
                break
            steps.append((cname, step))
            t = (cname, 0)
        return (fs, bias, act, steps) if steps else None

    # -- compile ------------------------------------------------------------
    def build(self, fetches: Sequence[tuple[str, int]], targets: Sequence[str],
              feeds: Sequence[tuple[str, int]], fold: bool = True) -> Plan:
        fed = {t: i for i, t in enumerate(feeds)}
        for name, _ in feeds:
            self.info(name)
        roots = [n for n, i in fetches if (n, i) not in fed] + list(targets)
        order = self.order(roots, set(fed))

        ns: dict[str, Any] = {"_DEAD": DEAD, "_rd": _deref, "_err": _node_error, "_rdf": _read_fetch, "__name__": _EXEC_MODULE}
        var: dict[tuple[str, int], str] = {}
        for (n, i), k in fed.items():
            var[(n, i)] = f"f{k}"
        nouts: dict[str, int] = {}
        ref_out: set[str] = set()
        kernels: dict[str, Any] = {}
        nodes_of: dict[str, Any] = {}

        # 1. kernels (unknown ops and unfed placeholders reported before anything runs)
        folded: dict[tuple[str, int], Any] = {}
        keep = {n for n, _ in fetches}
        for name in order:   # validate everything first: nothing runs (not even folding) before
            node, data, ctrl = self.info(name)
            nodes_of[name] = node
            if node.op in _PLACEHOLDERS:
                dt = node.attr["dtype"].type if "dtype" in node.attr else 0
                shp = shape_to_list(node.attr["shape"].shape) if "shape" in node.attr else None
                raise InvalidArgumentError(
                    node, None, f"You must feed a value for placeholder tensor '{name}' with dtype "
                    f"{_dtype_name(dt)}" + ("" if shp is None else f" and shape {_shape_str(shp)}"))
            kd = lookup(node.op)
            if kd is None:   # a node whose op is a library function is a call of it
                from graphdef.runtime.kernels.functional import function_kernel
                kd = function_kernel(getattr(self.view, "library", None), node.op)
            if kd is None:
                raise UnknownOpError(node, None, f"no kernel for op type '{node.op}'")
            kernels[name] = kd
        for name in order:
            node, data, ctrl = self.info(name)
            kd = kernels[name]
            if node.op in _CONSTS:
                nouts[name] = 1
                continue
            consts = [self.const_input(t, fed, folded) for t in data]
            ctx = KernelContext(node, self.state, consts, getattr(self.view, "library", None))
            try:
                n_out = kd.num_outputs(ctx) if callable(kd.num_outputs) else kd.num_outputs
                fn = kd.fn(ctx) if kd.factory else kd.fn
            except OpError as e:
                raise _node_error(node, e) from e
            except Exception as e:  # noqa: BLE001 - a bad attr
                raise InvalidGraphError(f"({node.op}) cannot build kernel: {e}", node=name) from e
            nouts[name] = n_out
            if kd.ref_output:
                ref_out.add(name)
            kernels[name] = (kd, fn)
            if fold and not kd.stateful and n_out >= 1 and not ctrl and name not in keep:
                self.fold(name, node, data, fn, n_out, fed, folded)

        from graphdef.runtime.frames import LOOP_OPS, FrameExecutor
        if any(nodes_of[n].op in LOOP_OPS for n in order):
            # while loops: a dataflow executor over frames instead of straight-line code
            consts = {n: self.const_value(nodes_of[n]) for n in order if nodes_of[n].op in _CONSTS}
            for name in order:
                for src, idx in self.info(name)[1]:
                    if (src, idx) not in fed and idx >= nouts.get(src, idx + 1):
                        raise InvalidGraphError(f"input '{src}:{idx}' refers to output {idx} of '{src}', "
                                                f"which has only {nouts[src]} outputs", node=name)
            ex = FrameExecutor(order, self.info, kernels, nouts, consts, fed, fetches, ref_out, _deref,
                               _node_error, _read_fetch)
            return Plan(ex.run, len(fetches) == 1, list(order), "# dataflow executor (while loops)\n",
                        any(nodes_of[n].op in _BLAS_OPS for n in order))
        fused: set[str] = set()
        if fold and not any(nodes_of[n].op in ("Switch", "RefSwitch") for n in order):
            fused = self.fuse(order, kernels, folded, fed, fetches)

        # 2. output-index check (a consumer names an output its producer lacks)
        def check_index(consumer: str | None, src: str, idx: int) -> None:
            n = nouts.get(src)
            if n is None:  # fed-only producer: count from its kernel when known
                return
            if idx >= n:
                what = f"input '{src}:{idx}'" if consumer else f"fetch '{src}:{idx}'"
                raise InvalidGraphError(f"{what} refers to output {idx} of '{src}', which has only "
                                        f"{n} output{'s' if n != 1 else ''}", node=consumer or src)
        for name in order:
            _, data, _ = self.info(name)
            for src, idx in data:
                if (src, idx) not in fed:
                    check_index(name, src, idx)
        for src, idx in fetches:
            if (src, idx) not in fed:
                check_index(None, src, idx)

        # 3. dead-tensor analysis (only when the plan has v1 control flow)
        has_cf = any(nodes_of[n].op in ("Switch", "RefSwitch") for n in order)
        may_dead: set[str] = set()
        if has_cf:
            for name in order:
                node, data, ctrl = self.info(name)
                if node.op in ("Switch", "RefSwitch"):
                    may_dead.add(name)
                elif any(s in may_dead for s, i in data if (s, i) not in fed) or any(c in may_dead for c in ctrl):
                    may_dead.add(name)

        # 4. whether the batch may run in parts (batch.py); then the checked copy of the
        #    plan below asserts, once, that every batch tensor keeps the batch on axis 0
        why, carries = self.batch_apart(order, nodes_of, kernels, nouts, folded, fed, fetches) \
            if not targets and fed and not has_cf else ("no feeds, targets or v1 control flow", {})
        checks_at: dict[int, str] = {}   # line ending a batch node's statement group -> check

        # 5. emit
        lines: list[str] = []
        uses: dict[str, int] = {}
        stmt_vars: list[list[str]] = []   # vars read by each emitted statement group
        ncounter = [0]

        def gname(prefix: str, value: Any) -> str:
            ncounter[0] += 1
            g = f"{prefix}{ncounter[0]}"
            ns[g] = value
            return g

        def ref(src: str, idx: int) -> str:
            v = var.get((src, idx))
            if v is None:  # an output nobody assigned: only Consts reach here
                raise InvalidGraphError(f"output {idx} is not available", node=src)
            return v

        run_nodes: list[str] = []
        for pos, name in enumerate(order):
            node, data, ctrl = self.info(name)
            run_nodes.append(name)
            if node.op in _CONSTS:
                cname = gname("c", self.const_value(node))
                conds = [f"x{order.index(c)}" for c in ctrl if c in may_dead]
                if name in may_dead and conds:   # a Const inside a cond branch dies with it
                    v = f"v{pos}_0"
                    lines.extend([f"x{pos} = {' or '.join(conds)}", f"{v} = _DEAD if x{pos} else {cname}"])
                    var[(name, 0)] = v
                else:
                    var[(name, 0)] = cname
                    if name in may_dead:
                        lines.append(f"x{pos} = False")
                continue
            if (name, 0) in folded:
                for i in range(nouts[name]):
                    var[(name, i)] = gname("c", folded[(name, i)])
                continue
            kd, fn = kernels[name]
            kname = gname("k", fn)
            nname = gname("n", node)
            args = []
            read_vars = []
            for j, (src, idx) in enumerate(data):
                v = ref(src, idx)
                read_vars.append(v)
                if src in ref_out and (src, idx) not in fed and j not in kd.ref_inputs:
                    v = f"_rd({v})"
                args.append(v)
            n_out = nouts[name]
            outs = [f"v{pos}_{i}" for i in range(n_out)]
            for i, o in enumerate(outs):
                var[(name, i)] = o
            call = f"{kname}({', '.join(args)})"
            if n_out == 0:
                body = [call]
            elif n_out == 1:
                body = [f"{outs[0]} = {call}"]
            else:
                body = [f"{', '.join(outs)}, = {call}"] if not kd.takes_dead else [
                    f"_t = {call}",
                    f"if _t is _DEAD: {' = '.join(outs)} = _DEAD",
                    f"else: {', '.join(outs)}, = _t"]
            body = ["try:"] + ["    " + b for b in body] + [
                "except Exception as _e:", f"    raise _err({nname}, _e) from _e"]
            if name in may_dead and not kd.takes_dead:
                conds = [f"{ref(s, i)} is _DEAD" for s, i in data
                         if (s, i) not in fed and s in may_dead]
                conds += [f"x{order.index(c)}" for c in ctrl if c in may_dead]
                dead_assign = (" = ".join(outs) + " = _DEAD") if outs else "pass"
                if conds:
                    body = [f"if {' or '.join(conds)}:", f"    x{pos} = True; {dead_assign}", "else:",
                            f"    x{pos} = False"] + ["    " + b for b in body]
                else:
                    body = [f"x{pos} = False"] + body
            elif name in may_dead:  # Merge: dead when all inputs are
                body = body + [f"x{pos} = {outs[0]} is _DEAD" if outs else f"x{pos} = False"]
            lines.extend(body)
            stmt_vars.append(read_vars)
            for v in read_vars:
                uses[v] = len(lines)
            if why is None and name in carries:
                bouts, neg = carries[name]
                checks_at[len(lines)] = f"_chk({nname}, {neg!r}, {', '.join(outs[i] for i in bouts)})"

        # fetch expressions
        fetch_exprs = []
        for src, idx in fetches:
            v = ref(src, idx)
            if src in ref_out and (src, idx) not in fed:
                v = f"_rdf({v})"
            if has_cf and src in may_dead:
                v = f"_live({v}, {src!r})"
            fetch_exprs.append(v)
        if has_cf:
            def _live(v: Any, name: str) -> Any:
                if v is DEAD:
                    raise InvalidArgumentError(None, None, f"Retval for '{name}' does not have value: "
                                               f"it is on an untaken branch of a cond")
                return v
            ns["_live"] = _live

        # free intermediates after their last use (keeps big models' memory flat)
        fetched = {ref(s, i) for s, i in fetches}
        final: list[str] = []
        del_at: dict[int, list[str]] = {}
        for v, line_no in uses.items():
            if v.startswith("v") and v not in fetched:
                del_at.setdefault(line_no, []).append(v)
        checked: list[str] = []
        for i, line in enumerate(lines, start=1):
            final.append(line)
            checked.append(line)
            if i in checks_at:
                checked.append(checks_at[i])
            if i in del_at:  # i ends a node's statement group: the del sits at function level
                final.append("del " + ", ".join(sorted(del_at[i])))
                checked.append(final[-1])
        single = len(fetches) == 1
        ret = fetch_exprs[0] if single else ("(" + "".join(e + ", " for e in fetch_exprs) + ")")
        params = ", ".join(f"f{k}" for k in range(len(feeds)))

        def function(fname: str, body: list[str]) -> str:
            return "\n".join([f"def {fname}({params}):"] + ["    " + ln for ln in body] + [f"    return {ret}"]) + "\n"
        source = function("_plan", final)
        exec(compile(source, "<graphdef plan>", "exec"), ns)  # noqa: S102 - our own generated code
        uses_blas = any(nodes_of[n].op in _BLAS_OPS for n in run_nodes if (n, 0) not in folded)
        split = None
        if why is None:
            ns["_chk"] = _batch.probe_check
            exec(compile(function("_plan_checked", checked), "<graphdef plan, checked>", "exec"), ns)  # noqa: S102
            split = _batch.BatchSplit(ns["_plan"], single, uses_blas, ns["_plan_checked"])
        return Plan(ns["_plan"], single, run_nodes, source, uses_blas, [n for n in run_nodes if n in fused],
                    split, why)

    def batch_apart(self, order: list[str], nodes_of: dict, kernels: dict, nouts: dict, folded: dict,
                    fed: dict, fetches: Sequence[tuple[str, int]]) -> tuple[str | None, dict[str, tuple]]:
        """Whether the plan keeps the images of a batch apart (``batch.check``): (None,
        {node: (its outputs that carry the batch, the negative axes to check against
        their rank)}) if so, else (why not, {}). Every feed
        is taken to carry the batch (at run time all feeds must share the leading
        dimension, or the plan runs whole)."""
        carries: set[tuple[str, int]] = set(fed)
        nodes: dict[str, tuple] = {}
        steps = []
        for name in order:
            node = nodes_of[name]
            if node.op in _CONSTS or (name, 0) in folded:
                continue
            data = self.info(name)[1]
            consts = [self.const_input(t, fed, folded) for t in data]
            batch = [t in carries for t in data]
            k = kernels[name]
            kd = k[0] if isinstance(k, tuple) else k
            steps.append((node, consts, batch, kd.stateful))
            if any(batch):
                outs = _batch.batch_outputs(node, nouts[name])
                nodes[name] = (outs, _batch.negative_axes(node, consts))
                carries.update((name, i) for i in outs)
        why = _batch.check(steps, [t in carries for t in fetches])
        return why, (nodes if why is None else {})


def build_plan(view: Any, fetches: Sequence[tuple[str, int]], targets: Sequence[str],
               feeds: Sequence[tuple[str, int]], state: dict | None = None,
               const_cache: dict | None = None, fold: bool = True) -> Plan:
    """Compile the run of ``fetches`` (``(node, index)``) and ``targets`` (node names)
    with ``feeds`` (``(node, index)``, in the order the values will be passed).

    Raises:
        InvalidGraphError: a missing input node, a cycle, a bad output index, an undecodable Const.
        UnknownOpError: a needed node's op type has no kernel.
        InvalidArgumentError: a needed placeholder is not fed.

    ``fold=False`` turns constant folding and kernel fusion off (tests compare both ways).
    """
    return _Builder(view, state if state is not None else {}, const_cache).build(fetches, targets, feeds, fold)
