"""What every command shares: graph input, output options, JSON, and the one
place where library errors become a one-line message and exit status 2."""
from __future__ import annotations

import functools
import json
import os
import sys
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
    click.echo(json.dumps(obj, sort_keys=True, indent=2))


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


def load_index(path: str, allow_duplicates: bool = False) -> Any:
    """A ``GraphIndex`` for show/diff/dedupe. A binary GraphDef is indexed straight
    from its bytes (no message: about half the memory and time on huge graphs);
    text, event files and anything the fast walk rejects go through ``loads``."""
    from graphdef.io import read_bytes
    data, name = read_bytes(path)
    return index_from_bytes(data, name, allow_duplicates)


def index_from_bytes(data: bytes, name: str, allow_duplicates: bool = False) -> Any:
    """:func:`load_index` for bytes already read (``name`` is used in errors)."""
    from graphdef.io import detect_format
    from graphdef.tools.canonical import GraphIndex
    if data.strip() and detect_format(data) == "pb":
        idx = GraphIndex.from_wire(data, allow_duplicates=allow_duplicates, source=name)
        if idx is not None:
            return idx
    g = graphdef.loads(data, name)
    return GraphIndex(g, serialize=True, allow_duplicates=allow_duplicates)
