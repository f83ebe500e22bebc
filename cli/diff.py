"""``graphdef diff``: semantic differences between graphs (exit 1 when they differ)."""
from __future__ import annotations

import json
import sys

import click

from graphdef.tools.canonical import paused_gc
from graphdef_cli.batch import FileResult, emit, jobs_option, run_batch
from graphdef_cli.common import (EXIT_DIFF, dumps_json, handle_errors, json_option, load_index,
                                 load_index_pair)


def diff_files(path_b: str, path_a: str, ignore_attrs: tuple[str, ...] = (),
               ignore_internal: bool = False, equivalent_ops: bool = False,
               detect_renames: bool = True, names_only: bool = False, as_json: bool = False,
               color: bool = False, parallel: bool = False) -> FileResult:
    """Compare ``path_a`` (old) with ``path_b`` (new); status 1 when they differ.
    ``parallel``: index big inputs on two cores (not inside a batch worker)."""
    # the report is built with the collector paused too: a million-node rename diff
    # makes a million lists/strings while the indices' ~10M tuples are alive, and each
    # full collection walks all of them (seconds, for objects that form no cycles)
    with paused_gc():
        return _diff_files(path_b, path_a, ignore_attrs, ignore_internal, equivalent_ops,
                           detect_renames, names_only, as_json, color, parallel)


def _diff_files(path_b: str, path_a: str, ignore_attrs: tuple[str, ...], ignore_internal: bool,
                equivalent_ops: bool, detect_renames: bool, names_only: bool, as_json: bool,
                color: bool, parallel: bool) -> FileResult:
    from graphdef.tools.diff import diff_indices  # numpy: not at CLI start-up
    # lazy_edges: the diff reads edges as arrays, and per node only for a few nodes
    if parallel:
        ia, ib = load_index_pair(path_a, path_b, lazy_edges=True)
    else:
        ia, ib = load_index(path_a, lazy_edges=True), load_index(path_b, lazy_edges=True)
    res = diff_indices(ia, ib, ignore_attrs=ignore_attrs, ignore_internal=ignore_internal,
                       equivalent_ops=equivalent_ops, detect_renames=detect_renames)
    status = 0 if res.equal else EXIT_DIFF
    if as_json:
        return FileResult(path_b, out=dumps_json({"a": path_a, "b": path_b, **res.to_json()}),
                          status=status)
    if names_only:
        return FileResult(path_b, out="\n".join(res.names_only()), status=status)
    text = res.format_text(path_a, path_b, color=color, op_lists=res.op_lists())
    return FileResult(path_b, out=text, status=status)


@click.command()
@click.argument("a")
@click.argument("b", nargs=-1, required=True)
@click.option("--ignore-attr", "ignore_attrs", multiple=True, metavar="KEY",
              help="Never report this attr (repeatable).")
@click.option("--ignore-internal", is_flag=True,
              help="Ignore attrs whose name starts with _ (_class, _output_shapes, ...).")
@click.option("--equivalent-ops", is_flag=True,
              help="Treat known op aliases (Add/AddV2, BatchMatMul/BatchMatMulV2) as equal.")
@click.option("--names-only", is_flag=True,
              help="Only list node names: D removed, A added, R renamed, M changed, "
                   "G graph field.")
@click.option("--no-renames", is_flag=True,
              help="Do not pair renamed nodes by structure (show them removed + added).")
@click.option("--color/--no-color", default=None,
              help="Colour the text output (default: when stdout is a terminal).")
@json_option
@jobs_option
@handle_errors
def diff(a: str, b: tuple[str, ...], ignore_attrs: tuple[str, ...], ignore_internal: bool,
         equivalent_ops: bool, names_only: bool, no_renames: bool, color: bool | None,
         as_json: bool, jobs: int | None) -> None:
    """Compare graph A with B (and with each further file), semantically.

    Node order, attr order, tensor encoding, control-input order and x vs x:0 do
    not count. Reports every added, removed, renamed (matched by structure) and
    changed node (op, inputs, control inputs, device, attr by attr). Exit status:
    0 equal, 1 differences found, 2 bad input.
    """
    if color is None:
        color = sys.stdout.isatty()
    kwargs = {"path_a": a, "ignore_attrs": tuple(ignore_attrs), "ignore_internal": ignore_internal,
              "equivalent_ops": equivalent_ops, "detect_renames": not no_renames,
              "names_only": names_only, "as_json": as_json, "color": color}
    if b.count("-") + (a == "-") > 1:
        raise click.UsageError("- (stdin) can only be read once")
    if len(b) == 1:
        r = diff_files(b[0], parallel=True, **kwargs)
        if r.out:
            click.echo(r.out, color=color)
        click.get_current_context().exit(r.status)
    results = run_batch(diff_files, b, kwargs, jobs, label="diff")
    if as_json:
        items = [json.loads(r.out) if r.out else {"a": a, "b": r.path, "error": r.err.strip()}
                 for r in results]
        for r in results:
            if r.err:
                click.echo(r.err.rstrip("\n"), err=True)
        click.echo(dumps_json(items))
        status = max((r.status for r in results), default=0)
    else:
        status = emit(results, color=color)
    click.get_current_context().exit(status)
