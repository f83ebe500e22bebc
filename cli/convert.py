"""``graphdef convert``: pb ⇄ pbtxt (and graphs out of event files), lossless."""
from __future__ import annotations

import click

from graphdef_cli.common import (handle_errors, json_option, emit_json, load_graph,
                                 output_options, write_graph, output_format)


@click.command()
@click.argument("graph", type=str)
@output_options
@json_option
@handle_errors
def convert(graph: str, output: str | None, fmt: str | None, in_place: bool, as_json: bool) -> None:
    """Convert GRAPH (pb, pbtxt or TensorBoard event file; - for stdin) to pbtxt or pb.

    The format of the output follows --format, else -o's extension (.pb gives binary),
    else pbtxt. Conversion is lossless: converting back gives an equal GraphDef.
    """
    g = load_graph(graph)
    write_graph(g, output, fmt, inputs=[graph], in_place=in_place)
    if as_json:
        if not output or output == "-":
            raise click.UsageError("--json needs -o FILE (stdout carries the graph)")
        emit_json({"input": graph, "output": output, "format": output_format(fmt, output),
                   "nodes": len(g.node)})
