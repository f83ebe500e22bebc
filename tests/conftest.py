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
