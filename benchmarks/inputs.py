"""Inputs the suite generates for itself, so it runs on a fresh checkout.

Lazy-loading graphs (the seed's ``Add``, ``Add_1`` … bloat) of any size, written as
``.pbtxt`` and ``.pb``; large real-world files when ``../shared`` is present; the
shared models (or their copies in ``tests/data``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Skip

SHARED = ROOT.parent / "shared"
DATA = ROOT / "tests" / "data"


def _pick(shared_sub: str, data_sub: str) -> Path:
    s = SHARED / shared_sub
    return s if s.is_dir() else DATA / data_sub


MODELS_DIR = _pick("models", "models")
CORPUS_DIR = _pick("corpus/realworld", "corpus")


def lazy_graph(nodes: int, scope: str = "") -> Any:
    """A lazy-loading GraphDef with about ``nodes`` nodes (9 + 3 per loop iteration)."""
    try:
        from graphdef.tools.synth import lazy_loading_graph
    except ImportError as e:
        raise Skip(f"graph generator graphdef.tools.synth missing ({e})") from e
    return lazy_loading_graph(max(1, (nodes - 9) // 3), scope=scope)


def lazy_graph_file(workdir: Path, nodes: int, fmt: str, scope: str = "") -> Path:
    """The lazy graph written to ``workdir`` (cached between figures of one run)."""
    tag = scope.strip("/") or "a"
    path = workdir / f"lazy_{nodes}_{tag}.{fmt}"
    if not path.exists():
        from graphdef.io import dumps
        path.write_bytes(dumps(lazy_graph(nodes, scope), fmt))
    return path


def large_text_files(min_bytes: int = 1_000_000) -> list[Path]:
    """Real-world ``.pbtxt`` GraphDefs of at least ``min_bytes`` (the 5x goal's inputs)."""
    if not CORPUS_DIR.is_dir():
        return []
    return sorted(p for p in CORPUS_DIR.glob("*.pbtxt") if p.stat().st_size >= min_bytes)


def models() -> list[tuple[str, Path, str, str, Path]]:
    """(name, .pb path, input tensor, output tensor, .npz path) for each shared model."""
    out = []
    for io in sorted(MODELS_DIR.glob("*.io")):
        lines = io.read_text().split()
        out.append((io.stem, io.with_suffix(".pb"), lines[0], lines[1], io.with_suffix(".npz")))
    return out
