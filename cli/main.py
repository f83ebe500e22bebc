"""The ``graphdef`` command group. Each command lives in its own module."""
from __future__ import annotations

import click

import graphdef
from graphdef_cli.convert import convert
from graphdef_cli.run import run
from graphdef_cli.show import show
from graphdef_cli.diff import diff
from graphdef_cli.dedupe import dedupe

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT)
@click.version_option(graphdef.__version__, "--version", prog_name="graphdef")
def cli() -> None:
    """Inspect, compare, clean, convert and run TensorFlow GraphDefs (.pb, .pbtxt,
    TensorBoard event files) without TensorFlow."""


cli.add_command(convert)
cli.add_command(run)
cli.add_command(show)
cli.add_command(diff)
cli.add_command(dedupe)


def main() -> None:
    cli(prog_name="graphdef")


if __name__ == "__main__":
    main()
