"""``graphdef dedupe``: merge duplicate nodes (common-subexpression elimination)."""
from __future__ import annotations

import json
import os
import sys

import click

import graphdef
from graphdef.io import detect_format, read_bytes, write_atomic
from graphdef.tools.canonical import GraphIndex, index_from_bytes, paused_gc
from graphdef.tools.dedupe import DedupeReport, _varint, dedupe_index
from graphdef_cli.batch import FileResult, emit, jobs_option, run_batch
from graphdef_cli.common import (EXIT_DIFF, BadInput, handle_errors, json_option,
                                 output_format, output_options,
                                 same_file)


def _dedupe_path(path: str, keep: tuple[str, ...], dry_run: bool
                 ) -> tuple[bytes | None, DedupeReport, str, GraphIndex]:
    """Dedupe a file: the result as binary (None when nothing changed or dry run), the
    report, the input's format ("pb" stays pb, text and event files give "pbtxt") and
    the index (whose ``graph_def`` serializes the unchanged input)."""
    data, name = read_bytes(path)
    in_fmt = "pb" if data.strip() and detect_format(data) in ("pb", "events") else "pbtxt"
    with paused_gc():
        idx = index_from_bytes(data, name)
        del data  # the index holds what it needs
        out, rep = dedupe_index(idx, keep=keep, dry_run=dry_run)
    return out, rep, in_fmt, idx


def _result_bytes(out: bytes | None, idx: GraphIndex, fmt: str) -> bytes:
    """The result in ``fmt``: binary as assembled, text through the message."""
    if out is None:  # nothing changed: the input graph
        if idx._raw:
            out = b"".join([b"\x0a" + _varint(len(b)) + b for b in idx.serial]
                           + [idx.graph_def.SerializeToString()])
        else:
            return graphdef.dumps(idx.graph_def, fmt)
    if fmt == "pb":
        return out
    return graphdef.dumps(graphdef.GraphDef.FromString(out), fmt)


def _report_text(path: str, rep: DedupeReport, label: bool, written: str | None) -> str:
    prefix = f"{path}: " if label else ""
    lines = rep.lines()
    if prefix:
        lines = [prefix + line for line in lines]
    if rep.keep_not_found:
        lines.append(prefix + "--keep names not in the graph: " + ", ".join(rep.keep_not_found))
    if written:
        lines.append(prefix + f"written to {written}")
    return "\n".join(lines) + "\n"


def dedupe_file(path: str, keep: tuple[str, ...] = (), dest: str | None = None,
                fmt: str | None = None, in_place: bool = False, dry_run: bool = False,
                check: bool = False, as_json: bool = False, label: bool = True) -> FileResult:
    """Dedupe one file and write the result to ``dest`` (worker for several files)."""
    if not (dry_run or check) and dest is not None and same_file(path, dest) and not in_place:
        raise BadInput(f"{dest}: refusing to overwrite the input (use --in-place)")
    out, rep, in_fmt, idx = _dedupe_path(path, keep, dry_run or check)
    written = None
    if not (dry_run or check) and dest is not None:
        write_atomic(dest, _result_bytes(out, idx, fmt or in_fmt))
        written = dest
    status = EXIT_DIFF if check and rep.merged else 0
    if as_json:
        obj = {"file": path, **rep.to_json()}
        if written:
            obj["output"] = written
        return FileResult(path, out=json.dumps(obj, sort_keys=True, indent=2), status=status)
    return FileResult(path, err=_report_text(path, rep, label, written), status=status)


@click.command()
@click.argument("graphs", nargs=-1, required=True)
@output_options
@click.option("--out-dir", type=click.Path(file_okay=False), default=None,
              help="Write each result here under its input's file name (several files).")
@click.option("--keep", multiple=True, metavar="NAME",
              help="Never remove this node; it survives its duplicates (repeatable).")
@click.option("--dry-run", is_flag=True, help="Report what would be merged; write nothing.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if anything would be merged (for CI).")
@json_option
@jobs_option
@handle_errors
def dedupe(graphs: tuple[str, ...], output: str | None, fmt: str | None, in_place: bool,
           out_dir: str | None, keep: tuple[str, ...], dry_run: bool, check: bool,
           as_json: bool, jobs: int | None) -> None:
    """Merge duplicate nodes in GRAPHS: the fix for lazy-loading bloat.

    Nodes with the same op, inputs (after earlier merges; any order for commutative
    ops on numbers), control inputs, device and attrs (tensors by value) merge into
    the first one and their consumers are rewired. Placeholders, variables and
    stateful, random or control-flow ops are never merged, nor two --keep nodes.
    The report (each merge `Add_3 → Add`, node counts) goes to stderr, or stdout
    with --json; the graph goes to stdout or -o FILE.
    """
    writes = not (dry_run or check)
    multi = len(graphs) > 1
    if multi and "-" in graphs:
        raise click.UsageError("- (stdin) can only be used with a single file")
    if multi and output:
        raise click.UsageError("-o names one file; use --out-dir DIR or --in-place for several")
    if out_dir and (output or in_place):
        raise click.UsageError("--out-dir cannot be combined with -o or --in-place")
    if in_place and "-" in graphs:
        raise click.UsageError("--in-place needs a file, not - (stdin)")
    if multi and writes and not (out_dir or in_place):
        raise click.UsageError("several files need --out-dir DIR, --in-place, --dry-run or --check")
    to_stdout = writes and not output and not out_dir and not in_place
    if as_json and to_stdout:
        raise click.UsageError("--json needs -o FILE, --out-dir, --in-place, --dry-run or "
                               "--check (stdout carries the graph)")
    if out_dir and writes:
        os.makedirs(out_dir, exist_ok=True)

    def dest_for(path: str) -> str | None:
        if not writes:
            return None
        if out_dir:
            return os.path.join(out_dir, os.path.basename(path))
        if in_place:
            return path
        return output if output and output != "-" else None

    if not multi:
        path = graphs[0]
        dest = dest_for(path)
        if to_stdout or output == "-":
            out, rep, _, idx = _dedupe_path(path, keep, False)
            fmt_out = output_format(fmt, None)
            if fmt_out == "pb" and sys.stdout.isatty():
                raise BadInput("refusing to write binary output to a terminal (use -o FILE)")
            sys.stdout.buffer.write(_result_bytes(out, idx, fmt_out))
            sys.stdout.buffer.flush()
            click.echo(_report_text(path, rep, False, None), nl=False, err=True)
            return
        r = dedupe_file(path, keep=keep, dest=dest,
                        fmt=fmt or (output_format(None, dest) if output else None),
                        in_place=in_place, dry_run=dry_run, check=check, as_json=as_json,
                        label=False)
        if as_json:
            click.echo(r.out)
        else:
            click.echo(r.err, nl=False, err=True)
        click.get_current_context().exit(r.status)
    # several files: one worker per file; names in --out-dir must not collide
    if out_dir:
        seen: dict[str, str] = {}
        for p in graphs:
            base = os.path.basename(p)
            if base in seen:
                raise click.UsageError(f"{p} and {seen[base]} would both be written to "
                                       f"{os.path.join(out_dir, base)}")
            seen[base] = p
    results = []
    items = run_batch(_dedupe_in_batch, graphs,
                      {"keep": keep, "out_dir": out_dir if writes else None,
                       "in_place": in_place and writes, "fmt": fmt, "dry_run": dry_run,
                       "check": check, "as_json": as_json}, jobs, label="dedupe")
    if as_json:
        for r in items:
            results.append(json.loads(r.out) if r.out else {"file": r.path,
                                                              "error": r.err.strip()})
            if r.err:
                click.echo(r.err.rstrip("\n"), err=True)
        click.echo(json.dumps(results, sort_keys=True, indent=2))
        status = max((r.status for r in items), default=0)
    else:
        status = emit(items)
    click.get_current_context().exit(status)


def _dedupe_in_batch(path: str, keep: tuple[str, ...], out_dir: str | None, in_place: bool,
                     fmt: str | None, dry_run: bool, check: bool, as_json: bool) -> FileResult:
    dest = os.path.join(out_dir, os.path.basename(path)) if out_dir else (
        path if in_place else None)
    return dedupe_file(path, keep=keep, dest=dest, fmt=fmt, in_place=in_place,
                       dry_run=dry_run, check=check, as_json=as_json, label=True)
