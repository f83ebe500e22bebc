"""What every command shares: graph input, output options, JSON, and the one
place where library errors become a one-line message and exit status 2."""
from __future__ import annotations

import functools
import json
import os
import pickle
import sys
from json.encoder import encode_basestring_ascii as _encode_str  # json's C encoder
from operator import itemgetter
from typing import Any, Callable

import click

import graphdef
from graphdef.errors import GraphDefError

EXIT_OK, EXIT_DIFF, EXIT_BAD = 0, 1, 2


class BadInput(click.ClickException):
    """One-line error on stderr, exit status 2 (never a traceback)."""

    exit_code = EXIT_BAD

    def show(self, file: Any = None) -> None:
        click.echo(f"graphdef: error: {self.format_message()}", err=True)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library and OS errors raised by a command into ``BadInput`` (exit 2)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except GraphDefError as e:
            raise BadInput(str(e)) from e
        except OSError as e:
            where = f"{e.filename}: " if getattr(e, "filename", None) else ""
            raise BadInput(f"{where}{e.strerror or e}") from e
        except MemoryError as e:
            raise BadInput("out of memory") from e
    return wrapper


def load_graph(path: str) -> graphdef.GraphDef:
    """Load a GraphDef (pb, pbtxt or event file, ``-`` for stdin) for a command."""
    return graphdef.load(path)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Machine-readable JSON output (schema in README).")(fn)


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``-o/--output``, ``--format`` and ``--in-place`` for commands that write a graph."""
    fn = click.option("--in-place", is_flag=True,
                      help="Allow overwriting the input file with the result.")(fn)
    fn = click.option("--format", "fmt", type=click.Choice(["pbtxt", "pb"]), default=None,
                      help="Output format (default: from -o's extension, else pbtxt).")(fn)
    fn = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                      help="Write the graph here (atomically) instead of stdout.")(fn)
    return fn


def output_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-" and output.endswith(".pb"):
        return "pb"
    return "pbtxt"


def same_file(a: str, b: str) -> bool:
    if a == "-" or b == "-":
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def write_graph(graph_def: Any, output: str | None, fmt: str | None,
                inputs: tuple[str, ...] | list[str] = (), in_place: bool = False) -> None:
    """Write a result graph to ``output`` (atomic) or stdout; refuse to overwrite an
    input unless ``in_place``."""
    fmt = output_format(fmt, output)
    if output and output != "-":
        for src in inputs:
            if same_file(src, output) and not in_place:
                raise BadInput(f"{output}: refusing to overwrite the input (use --in-place)")
        graphdef.save(graph_def, output, format=fmt)
        return
    data = graphdef.dumps(graph_def, fmt)
    if fmt == "pb" and sys.stdout.isatty():
        raise BadInput("refusing to write binary output to a terminal (use -o FILE)")
    out = sys.stdout.buffer
    out.write(data)
    out.flush()


def emit_json(obj: Any) -> None:
    """Deterministic JSON (sorted keys) on stdout."""
    click.echo(dumps_json(obj))


class _NotPlain(Exception):
    """A value :func:`dumps_json` leaves to ``json.dumps`` (non-str key, other type)."""


def dumps_json(obj: Any) -> str:
    """``json.dumps(obj, sort_keys=True, indent=2)``, character for character, but
    several times faster on big reports (a million-node diff lists a million
    renames). json's C encoder does not indent, so the stdlib falls back to its
    pure-Python encoder there; here lists of strings (node names, the bulk of every
    report) are joined in one call with json's own C string encoder. Anything but
    dicts with str keys, lists, tuples, str, int, float, bool and None is left to
    ``json.dumps`` (same output, same errors)."""
    parts: list[str] = []
    try:
        _dump(obj, 0, parts)
    except (_NotPlain, RecursionError):
        return json.dumps(obj, sort_keys=True, indent=2)
    return "".join(parts)


def _scalar(o: Any) -> str:
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if o != o:
            return "NaN"
        if o == float("inf"):
            return "Infinity"
        if o == -float("inf"):
            return "-Infinity"
        return float.__repr__(o)
    raise _NotPlain


def _dump(o: Any, level: int, parts: list[str]) -> None:
    enc = _encode_str
    if isinstance(o, str):
        parts.append(enc(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            parts.append("[]")
            return
        nl = "\n" + "  " * (level + 1)
        types = set(map(type, o))
        if types == {str}:
            parts.append("[" + nl + ("," + nl).join(map(enc, o)) + "\n" + "  " * level + "]")
            return
        if types <= {list, tuple}:
            # lists of name pairs (renames, merges): one comprehension, no recursion;
            # json's encoder raises TypeError on a non-str item: then the general way
            nl2 = "\n" + "  " * (level + 2)
            sep2, end2 = "," + nl2, nl + "]"
            try:
                if set(map(len, o)) == {2}:  # pairs: every step below iterates in C
                    body = (end2 + "," + nl + "[" + nl2).join(map(sep2.join, zip(
                        map(enc, map(itemgetter(0), o)), map(enc, map(itemgetter(1), o)))))
                    items = ["[" + nl2 + body + end2]
                else:
                    items = [f"[{nl2}{sep2.join(map(enc, x))}{end2}" if x else "[]" for x in o]
            except TypeError:
                pass
            else:
                parts.append("[" + nl + ("," + nl).join(items) + "\n" + "  " * level + "]")
                return
        parts.append("[" + nl)
        for k, x in enumerate(o):
            if k:
                parts.append("," + nl)
            _dump(x, level + 1, parts)
        parts.append("\n" + "  " * level + "]")
    elif isinstance(o, dict):
        if not o:
            parts.append("{}")
            return
        if not all(type(k) is str for k in o):
            raise _NotPlain
        nl = "\n" + "  " * (level + 1)
        parts.append("{" + nl)
        for n, k in enumerate(sorted(o)):
            if n:
                parts.append("," + nl)
            parts.append(enc(k) + ": ")
            _dump(o[k], level + 1, parts)
        parts.append("\n" + "  " * level + "}")
    else:
        parts.append(_scalar(o))


def error_message(e: BaseException) -> str | None:
    """The one-line message ``handle_errors`` would print for ``e`` (None: not an
    input/OS error). Batch workers use it to report a file and go on."""
    if isinstance(e, click.ClickException):
        return e.format_message()
    if isinstance(e, GraphDefError):
        return str(e)
    if isinstance(e, OSError):
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return f"{where}{e.strerror or e}"
    if isinstance(e, MemoryError):
        return "out of memory"
    return None


def load_index(path: str, allow_duplicates: bool = False, lazy_edges: bool = False) -> Any:
    """A ``GraphIndex`` for show/diff/dedupe. A binary GraphDef is indexed straight
    from its bytes (no message: about half the memory and time on huge graphs);
    text, event files and anything the fast walk rejects go through ``loads``."""
    from graphdef.tools.canonical import index_of
    return index_of(path, allow_duplicates, lazy_edges)


#: Below this many bytes of input, two graphs are indexed one after the other: a
#: worker process costs more than it saves on small files.
PARALLEL_MIN_BYTES = 8 << 20


def _parallel_ok(paths: tuple[str, ...]) -> bool:
    if not hasattr(os, "fork") or "-" in paths:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    try:
        size = sum(os.path.getsize(p) for p in paths)
    except OSError:
        return False  # let the sequential path report it
    return cores > 1 and size >= PARALLEL_MIN_BYTES


def load_index_pair(path_a: str, path_b: str, allow_duplicates: bool = False,
                    lazy_edges: bool = False) -> tuple[Any, Any]:
    """``(load_index(path_a), load_index(path_b))``, the two on two cores when the
    files are big: a forked worker indexes A while this process indexes B, and
    hands it over as :meth:`GraphIndex.to_parts` (flat arrays: pickling the index
    itself would cost more than indexing). Whatever goes wrong in the worker, A is
    then indexed here, so errors are the sequential path's, A's reported first."""
    if not _parallel_ok((path_a, path_b)):
        return (load_index(path_a, allow_duplicates, lazy_edges),
                load_index(path_b, allow_duplicates, lazy_edges))
    from graphdef.tools.canonical import GraphIndex
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        status = 1
        try:
            os.close(r)
            parts = load_index(path_a, allow_duplicates, lazy_edges).to_parts()
            with os.fdopen(w, "wb") as f:
                pickle.dump(parts, f, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        except BaseException:  # noqa: BLE001 - reported by redoing A in the parent
            pass
        finally:
            os._exit(status)
    os.close(w)
    parts = ib = error_b = None
    try:
        ib = load_index(path_b, allow_duplicates, lazy_edges)
    except Exception as e:  # noqa: BLE001 - raised below, unless A fails first
        error_b = e
    with os.fdopen(r, "rb") as f:
        try:
            parts = pickle.load(f) if error_b is None else None
        except Exception:  # noqa: BLE001 - the worker failed: A is indexed here
            parts = None
    _, status = os.waitpid(pid, 0)
    if parts is None or status != 0:
        ia = load_index(path_a, allow_duplicates, lazy_edges)
    else:
        ia = GraphIndex.from_parts(parts)
    if error_b is not None:
        raise error_b
    return ia, ib
