"""Regenerate graphdef/_proto/*_pb2.py(i) from proto/*.proto (needs grpcio-tools).

Run from the repository root: ``python proto/generate.py``. The .proto files are
mapped onto the virtual path ``graphdef/_proto/`` so that the generated modules
import each other as ``graphdef._proto.x_pb2`` and register unique file names in
protobuf's descriptor pool.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
VIRTUAL = "graphdef/_proto"


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.glob("*.proto"))


def protoc_args(out_dir: Path) -> list[str]:
    """Arguments for grpc_tools.protoc writing the generated code below out_dir."""
    return [
        "protoc",
        f"-I{VIRTUAL}={PROTO_DIR}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *[f"{VIRTUAL}/{p.name}" for p in proto_files()],
    ]


def generate(out_dir: Path = ROOT) -> None:
    from grpc_tools import protoc

    rc = protoc.main(protoc_args(out_dir))
    if rc != 0:
        raise SystemExit(f"protoc failed with status {rc}")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
