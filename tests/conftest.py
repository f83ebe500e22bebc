"""Where the test data lives: ``tests/data`` always, ``../shared`` when present."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"


def _pick(shared_sub: str, data_sub: str) -> Path:
    s = SHARED / shared_sub
    return s if s.is_dir() else DATA / data_sub


CONFORMANCE = _pick("conformance", "conformance")
MODELS_DIR = _pick("models", "models")


def corpus_files() -> list[Path]:
    """Every real-world GraphDef: all of ../shared/corpus/realworld when present,
    else the licensed subset copied into tests/data/corpus."""
    folder = _pick("corpus/realworld", "corpus")
    return sorted(p for p in folder.iterdir() if p.suffix in (".pb", ".pbtxt"))


def golden_files() -> list[Path]:
    return sorted((CONFORMANCE / "golden").glob("*.pbtxt"))


def model_names() -> list[str]:
    return sorted(p.stem for p in MODELS_DIR.glob("*.io"))


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pb", ".pbtxt"))


def all_graph_files() -> list[Path]:
    return (sample_files() + golden_files() + corpus_files()
            + sorted(MODELS_DIR.glob("*.pb")) + sorted(MODELS_DIR.glob("*.pbtxt")))


def ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


@pytest.fixture
def lazy_loading_path() -> Path:
    return SAMPLES / "lazy_loading.pbtxt"


@pytest.fixture(params=["numpy", "jit"])
def kernel_loops(request, monkeypatch) -> str:
    """Run the test once with the numpy kernels and once with the compiled loops
    (``graphdef/runtime/kernels/jit.py``; skipped where numba is not installed)."""
    from graphdef.runtime.kernels import accel
    monkeypatch.setattr(accel, "ENABLED", request.param == "jit")
    monkeypatch.setattr(accel, "WARM_CALLS", 0)     # from the first call on
    if request.param == "jit" and accel.loops() is None:
        pytest.skip("numba is not installed: the compiled kernel loops are off")
    return request.param
