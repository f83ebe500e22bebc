"""``graphdef run``: execute a GraphDef with numpy inputs, print and save the outputs."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import click

from graphdef.io.atomic import write_atomic
from graphdef_cli.common import BadInput, emit_json, handle_errors, json_option, load_graph

if TYPE_CHECKING:  # numpy is imported in the functions that use it: every CLI command
    import numpy as np  # would pay for it at start


def _tensor_name(name: str) -> str:
    return name if ":" in name else name + ":0"


def _load_array_file(path: str, key: str | None, want: str) -> np.ndarray:
    """One array from a .npy, or from a .npz by key (``FILE.npz:key``), its only array,
    or the array named like the tensor."""
    import numpy as np
    if path.endswith(".npz"):
        with _read_npz(path) as z:
            keys = list(z.keys())
            node = want.split(":")[0]
            for k in ([key] if key else []) + ([] if key else [want, node] + (keys if len(keys) == 1 else [])):
                if k in keys:
                    return z[k]
            what = f"key '{key}'" if key else f"an array named '{node}' (or a single array)"
            raise BadInput(f"{path}: no {what}; keys: {', '.join(keys) or '(none)'}")
    a = _read_npz(path)
    if not isinstance(a, np.ndarray):
        a.close()
        raise BadInput(f"{path}: an .npz archive needs the .npz extension")
    return a


def _read_npz(path: str) -> Any:
    """np.load with unreadable content reported as a one-line input error."""
    import numpy as np
    import zipfile  # here, not at the top: every CLI command would pay for it at start
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as e:
        raise BadInput(f"{path}: not a numpy .npy/.npz file ({e})") from e


def parse_inputs(specs: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``NAME=FILE.npy``, ``NAME=FILE.npz[:key]`` or a bare ``FILE.npz`` (every array,
    keyed by tensor name) → feed dict keyed by tensor name."""
    feeds: dict[str, np.ndarray] = {}
    for spec in specs:
        name, eq, path = spec.partition("=")
        if not eq:
            if not spec.endswith(".npz"):
                raise click.BadParameter(f"'{spec}': expected NAME=FILE.npy, NAME=FILE.npz[:key] or FILE.npz",
                                         param_hint="--input")
            with _read_npz(spec) as z:
                for k in z.keys():
                    feeds[_tensor_name(k)] = z[k]
            continue
        if not name or not path:
            raise click.BadParameter(f"'{spec}': expected NAME=FILE", param_hint="--input")
        key = None
        if ".npz:" in path:
            path, _, key = path.rpartition(":")
        feeds[_tensor_name(name)] = _load_array_file(path, key, _tensor_name(name))
    return feeds


def _describe(name: str, v: Any) -> dict[str, Any]:
    import numpy as np
    if v is None:  # an operation: it ran, it has no value
        return {"name": name, "dtype": None, "shape": None}
    a = np.asarray(v)
    return {"name": name, "dtype": str(a.dtype) if a.dtype.kind != "O" else "string", "shape": list(a.shape)}


@click.command()
@click.argument("model", type=str)
@click.option("-i", "--input", "inputs", multiple=True, metavar="NAME=FILE",
              help="Feed tensor NAME (\"x\" or \"x:0\") from FILE.npy, FILE.npz[:key], or "
                   "a bare FILE.npz feeding every array by its key. Repeatable.")
@click.option("--output", "outputs", multiple=True, required=True, metavar="NAME",
              help="Tensor to fetch (\"y:0\", or \"y\" for y:0), or \"^op\" to run an operation. "
                   "Repeatable.")
@click.option("-o", "out_file", type=click.Path(dir_okay=False), default=None,
              help="Write the outputs to this .npz (keys: the output names), atomically.")
@click.option("--values", is_flag=True, help="Also print the output values.")
@json_option
@handle_errors
def run(model: str, inputs: tuple[str, ...], outputs: tuple[str, ...], out_file: str | None,
        values: bool, as_json: bool) -> None:
    """Run MODEL (pb, pbtxt or event file) on numpy inputs with graphdef's interpreter.

    Prints each output's name, dtype and shape (JSON with --json); -o saves them
    as an .npz. A broken graph, an unknown op, an unfed placeholder or a feed of the
    wrong shape or dtype is reported in one line naming the node (exit status 2).
    """
    import numpy as np
    g = load_graph(model)
    feeds = parse_inputs(inputs)
    # "node:0" fetches a tensor; "^node" runs an operation (no value), as a target
    names = [o[1:] if o.startswith("^") else _tensor_name(o) for o in outputs]
    from graphdef.runtime import Session  # the interpreter: only this command needs it
    sess = Session(graph=g)
    try:
        results = sess.run(names, feeds)
    finally:
        sess.close()
    if out_file:
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, v in zip(outputs, results):
                if v is None:
                    continue
                a = np.asarray(v)
                if a.dtype.kind == "O":   # strings: fixed-width bytes, loadable without pickle
                    a = a.astype(bytes)
                with z.open(f"{name}.npy", "w") as f:
                    np.lib.format.write_array(f, a, allow_pickle=False)
        write_atomic(out_file, buf.getvalue())
    if as_json:
        emit_json({"model": model, "outputs": [_describe(n, v) for n, v in zip(names, results)],
                   **({"file": out_file} if out_file else {})})
        return
    for name, v in zip(names, results):
        d = _describe(name, v)
        if v is None:
            click.echo(f"{name}\t(operation: ran, no value)")
            continue
        click.echo(f"{name}\t{d['dtype']}\t{d['shape']}")
        if values:
            click.echo(np.array2string(np.asarray(v), threshold=10_000))
