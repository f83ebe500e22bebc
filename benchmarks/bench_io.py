"""Reading and writing GraphDefs: MB/s against protobuf's own text_format and binary codec."""
from __future__ import annotations

from pathlib import Path

from benchmarks.harness import Context, Figure, Skip, Stats, benchmark, timeit_pair
from benchmarks.inputs import large_text_files, lazy_graph_file

MB = 1e6


def _inputs(ctx: Context) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    nodes = 2_000 if ctx.quick else 20_000
    p = lazy_graph_file(ctx.workdir, nodes, "pbtxt")
    files.append((f"generated lazy-loading graph, {nodes:,} nodes", p.read_bytes()))
    if not ctx.quick:
        for p in large_text_files():
            files.append((p.name, p.read_bytes()))
    return files


def _rate(seconds: Stats, nbytes: int) -> Stats:
    return seconds.scaled(lambda s: nbytes / MB / s)


def _fivefold(f: Figure) -> bool:
    return f.ratio is not None and f.ratio <= 0.2


def _twofold(f: Figure) -> bool:
    return f.ratio is not None and f.ratio <= 0.5


@benchmark("read/write")
def pbtxt_read(ctx: Context) -> list[Figure]:
    from google.protobuf import text_format

    from graphdef._proto.graph_pb2 import GraphDef
    from graphdef.io import loads

    figures = []
    total_gd: list[float] = []
    total_ref: list[float] = []
    total_bytes = 0
    large = 0
    for label, data in _inputs(ctx):
        text = data.decode("utf-8")
        # equality with text_format is tests/test_fasttext.py's job; here only speed
        gd, ref = timeit_pair(lambda: loads(data), lambda: text_format.Parse(text, GraphDef()),
                              ctx.repeats, 2 if ctx.quick else 3)
        big = len(data) >= MB
        figures.append(Figure(
            f"read .pbtxt {len(data) / MB:.2f} MB: {label}", "MB/s", _rate(gd, len(data)), True,
            _rate(ref, len(data)), "text_format.Parse",
            goal="≤ 0.2 (≥ 5× faster)" if big else "", goal_check=_fivefold if big else None))
        if big and "generated" not in label:
            large += 1
            total_bytes += len(data)
            total_gd.append(gd.median)
            total_ref.append(ref.median)
    if large > 1:
        gd_s, ref_s = sum(total_gd), sum(total_ref)
        figures.insert(0, Figure(
            f"read .pbtxt, all {large} real-world files ≥ 1 MB ({total_bytes / MB:.1f} MB, sum of medians)",
            "MB/s", Stats(total_bytes / MB / gd_s, total_bytes / MB / gd_s, total_bytes / MB / gd_s, 1),
            True, Stats(total_bytes / MB / ref_s, total_bytes / MB / ref_s, total_bytes / MB / ref_s, 1),
            "text_format.Parse", goal="≤ 0.2 (≥ 5× faster)", goal_check=_fivefold))
    return figures


@benchmark("read/write")
def pbtxt_write(ctx: Context) -> list[Figure]:
    from google.protobuf import text_format

    from graphdef.io import dumps, loads

    figures = []
    for label, data in _inputs(ctx):
        g = loads(data)
        out = dumps(g)
        if out != text_format.MessageToString(g).encode("utf-8"):
            raise AssertionError(f"{label}: fast writer output differs from text_format")
        gd, ref = timeit_pair(lambda: dumps(g), lambda: text_format.MessageToString(g).encode("utf-8"),
                              ctx.repeats, 2 if ctx.quick else 3)
        figures.append(Figure(
            f"write .pbtxt {len(out) / MB:.2f} MB: {label}", "MB/s", _rate(gd, len(out)), True,
            _rate(ref, len(out)), "text_format.MessageToString",
            goal="≤ 0.5 (≥ 2× faster)", goal_check=_twofold))
    return figures


@benchmark("read/write")
def pb_read_write(ctx: Context) -> list[Figure]:
    from graphdef._proto.graph_pb2 import GraphDef
    from graphdef.io import dumps, loads

    nodes = 20_000 if ctx.quick else 100_000
    path: Path = lazy_graph_file(ctx.workdir, nodes, "pb")
    data = path.read_bytes()
    g = loads(data)
    if dumps(g, "pb") != g.SerializeToString(deterministic=True):
        raise Skip("binary output differs from SerializeToString")
    n = len(data)
    rd, rd_ref = timeit_pair(lambda: loads(data), lambda: GraphDef.FromString(data), ctx.repeats)
    wr, wr_ref = timeit_pair(lambda: dumps(g, "pb"), lambda: g.SerializeToString(deterministic=True),
                             ctx.repeats)
    label = f"{n / MB:.1f} MB, {nodes:,}-node lazy-loading graph"
    return [
        Figure(f"read .pb {label}", "MB/s", _rate(rd, n), True, _rate(rd_ref, n),
               "GraphDef.ParseFromString", note="graphdef adds format detection"),
        Figure(f"write .pb {label}", "MB/s", _rate(wr, n), True, _rate(wr_ref, n),
               "SerializeToString(deterministic=True)", note="the same call"),
    ]
