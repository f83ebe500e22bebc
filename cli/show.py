"""``graphdef show``: what is in a graph (summary, scope tree, one node)."""
from __future__ import annotations

import json

import click

from graphdef.tools.canonical import paused_gc
from graphdef_cli.batch import FileResult, emit, jobs_option, run_batch
from graphdef_cli.common import emit_json, handle_errors, json_option, load_graph, load_index


def show_file(path: str, tree: bool = False, depth: int | None = None, node: str | None = None,
              as_json: bool = False, label: bool = False) -> FileResult:
    """The output of ``show`` for one file (runs in a worker for several files)."""
    # imported here, not with the CLI: summarize loads numpy, which the other
    # commands' start-up should not pay for
    from graphdef.tools.summarize import (format_node, format_summary, format_tree,
                                          node_info, scope_tree, summarize_index)
    if node is not None:
        data = node_info(load_graph(path), node)
        text = format_node(data)
    elif tree:
        data = {"tree": scope_tree(load_graph(path), depth)}
        text = format_tree(data["tree"])
    else:
        with paused_gc():
            data = summarize_index(load_index(path, allow_duplicates=True))
        text = format_summary(data)
    if as_json:
        return FileResult(path, out=json.dumps({"file": path, **data} if label else data,
                                               sort_keys=True, indent=2))
    return FileResult(path, out=(f"== {path}\n" if label else "") + text)


@click.command()
@click.argument("graphs", nargs=-1, required=True)
@click.option("--tree", is_flag=True, help="Show the name-scope tree with node counts.")
@click.option("--depth", type=click.IntRange(min=0), default=3, show_default=True,
              help="Depth limit of --tree (0: no limit).")
@click.option("--node", "node", metavar="NAME", default=None,
              help="Show one node with its inputs and consumers.")
@json_option
@jobs_option
@handle_errors
def show(graphs: tuple[str, ...], tree: bool, depth: int, node: str | None, as_json: bool,
         jobs: int | None) -> None:
    """Summarize GRAPHS (pb, pbtxt or TensorBoard event files; - for stdin).

    Prints node count, op histogram, inputs, likely outputs, variables, parameter
    count, control edges, devices, versions, library functions, and the bloat
    report: series of identical nodes or subgraphs (Add, Add_1 ... Add_9) and how
    many nodes `graphdef dedupe` would remove.
    """
    if tree and node is not None:
        raise click.UsageError("--tree and --node cannot be combined")
    kwargs = {"tree": tree, "depth": depth or None, "node": node, "as_json": as_json}
    if len(graphs) == 1:
        click.echo(show_file(graphs[0], **kwargs).out)
        return
    if "-" in graphs:
        raise click.UsageError("- (stdin) can only be used with a single file")
    results = run_batch(show_file, graphs, {**kwargs, "label": True}, jobs, label="show")
    if as_json:
        # one JSON array, in input order; failed files carry "error"
        items = []
        for r in results:
            items.append(json.loads(r.out) if r.status == 0 and r.out else
                         {"file": r.path, "error": r.err.strip()})
            if r.err:
                click.echo(r.err.rstrip("\n"), err=True)
        emit_json(items)
        status = max((r.status for r in results), default=0)
    else:
        status = emit(results)
    if status:
        click.get_current_context().exit(status)
