"""The schemas: generated code matches proto/*.proto, and messages are wire- and
text-compatible with TensorFlow's own classes (as shipped by tensorboard)."""
from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from conftest import ROOT

PROTOS = sorted((ROOT / "proto").glob("*.proto"))


def _file_descriptor(module) -> descriptor_pb2.FileDescriptorProto:
    fd = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(fd)
    return fd


def _strip_json_names(fd: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """protoc's descriptor sets carry json_name; the descriptors generated code registers don't."""
    def strip(msgs):
        for m in msgs:
            for f in m.field:
                f.ClearField("json_name")
            strip(m.nested_type)
    strip(fd.message_type)
    return fd


def test_generated_code_matches_proto_files():
    """Regenerate from proto/*.proto into a temp dir and compare the descriptors the
    committed modules register with the freshly compiled ones (drift check)."""
    pytest.importorskip("grpc_tools")
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(ROOT / "proto"))
        try:
            import generate
        finally:
            sys.path.pop(0)
        from grpc_tools import protoc
        args = generate.protoc_args(Path(tmp))
        args = [a for a in args if not a.startswith("--pyi_out")]
        args.append(f"--descriptor_set_out={tmp}/set.pb")
        assert protoc.main(args) == 0
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(Path(tmp, "set.pb").read_bytes())
    fresh = {f.name: f for f in fds.file}
    assert len(fresh) == len(PROTOS)
    for name, fd in fresh.items():
        mod = importlib.import_module(name.replace("/", ".").replace(".proto", "_pb2"))
        committed = _file_descriptor(mod)
        assert _strip_json_names(committed) == _strip_json_names(fd), f"{name}: generated code is stale; run python proto/generate.py"


def test_every_proto_file_has_generated_module():
    for p in PROTOS:
        assert (ROOT / "graphdef" / "_proto" / f"{p.stem}_pb2.py").is_file(), p.name


def test_own_package_name():
    from graphdef._proto import graph_pb2
    assert graph_pb2.GraphDef.DESCRIPTOR.full_name == "graphdef.GraphDef"


# TF's messages and ours must agree field for field: same names, numbers, types.
PAIRS = [("graph_pb2", "GraphDef"), ("node_def_pb2", "NodeDef"), ("attr_value_pb2", "AttrValue"),
         ("attr_value_pb2", "NameAttrList"), ("tensor_pb2", "TensorProto"),
         ("tensor_pb2", "VariantTensorDataProto"), ("tensor_shape_pb2", "TensorShapeProto"),
         ("versions_pb2", "VersionDef"), ("function_pb2", "FunctionDefLibrary"),
         ("function_pb2", "FunctionDef"), ("function_pb2", "GradientDef"),
         ("function_pb2", "RegisteredGradient"), ("op_def_pb2", "OpDef"), ("op_def_pb2", "OpList"),
         ("resource_handle_pb2", "ResourceHandleProto"), ("full_type_pb2", "FullTypeDef"),
         ("graph_debug_info_pb2", "GraphDebugInfo"), ("event_pb2", "Event")]


def _shape(desc, seen=None):
    seen = seen if seen is not None else set()
    if desc.full_name in seen:
        return desc.name
    seen = seen | {desc.full_name}
    out = {}
    for f in desc.fields:
        sub = _shape(f.message_type, seen) if f.message_type else (
            sorted((v.name, v.number) for v in f.enum_type.values) if f.enum_type else None)
        out[f.number] = (f.name, f.type, f.is_repeated if hasattr(f, "is_repeated") else f.label,
                         f.containing_oneof.name if f.containing_oneof else None, sub)
    return out


@pytest.mark.parametrize("module,message", PAIRS, ids=[m for _, m in PAIRS])
def test_schema_matches_tensorflow(module, message):
    tf_mod = pytest.importorskip(f"tensorboard.compat.proto.{module}")
    ours = importlib.import_module(f"graphdef._proto.{module}")
    tf_desc = getattr(tf_mod, message).DESCRIPTOR
    our_desc = getattr(ours, message).DESCRIPTOR
    if message == "Event":  # ours keeps only the graph-carrying fields of Event
        theirs = {k: v for k, v in _shape(tf_desc).items() if k in (1, 2, 3, 4, 9)}
        assert _shape(our_desc) == theirs
    else:
        assert _shape(our_desc) == _shape(tf_desc)


def test_data_type_enum_matches_tensorflow():
    tf_types = pytest.importorskip("tensorboard.compat.proto.types_pb2")
    from graphdef._proto import types_pb2
    assert dict(types_pb2.DataType.items()) == dict(tf_types.DataType.items())
