"""load/loads/save: every real file loads, round-trips losslessly, writes as TF
does, and every kind of bad input is one clear error."""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from google.protobuf import text_format

import graphdef
from graphdef.errors import GraphDefError, InputNotFoundError, ParseError, WriteError
from graphdef.io import detect_format, events

from conftest import MODELS_DIR, all_graph_files, golden_files, ids

FILES = all_graph_files()


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_load_and_round_trip(path: Path, tmp_path: Path):
    g = graphdef.load(path)
    assert len(g.node) > 0 or len(g.library.function) > 0
    for fmt in ("pbtxt", "pb"):
        out = tmp_path / f"g.{fmt}"
        graphdef.save(g, out, format=fmt)
        assert graphdef.load(out) == g


@pytest.mark.parametrize("path", sorted(MODELS_DIR.glob("*.pb")), ids=lambda p: p.name)
def test_deterministic_pb_reserializes_byte_identical(path: Path):
    data = path.read_bytes()
    assert graphdef.dumps(graphdef.loads(data), "pb") == data


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.name)
def test_text_output_identical_to_tensorflow(path: Path):
    """The goldens were written by text_format.MessageToString of TF's own class."""
    text = path.read_text()
    assert graphdef.dumps(graphdef.loads(text)).decode() == text


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_text_equals_tf_message_class(path: Path):
    tf_graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    g = graphdef.load(path)
    theirs = tf_graph_pb2.GraphDef()
    theirs.ParseFromString(g.SerializeToString())
    assert graphdef.dumps(g).decode() == text_format.MessageToString(theirs)


def test_load_from_open_file_and_stdin(monkeypatch, lazy_loading_path: Path):
    with open(lazy_loading_path, "rb") as f:
        g = graphdef.load(f)
    assert len(g.node) == 19
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lazy_loading_path.read_bytes())))
    assert graphdef.load("-") == g


def test_format_detected_by_content_not_extension(tmp_path: Path, lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    wrong = tmp_path / "binary.pbtxt"
    wrong.write_bytes(graphdef.dumps(g, "pb"))
    assert detect_format(wrong.read_bytes()) == "pb"
    assert graphdef.load(wrong) == g
    wrong2 = tmp_path / "text.pb"
    wrong2.write_bytes(graphdef.dumps(g, "pbtxt"))
    assert graphdef.load(wrong2) == g


def test_event_file(tmp_path: Path, lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    p = tmp_path / "events.out.tfevents.1.host"
    with open(p, "wb") as f:
        events.write_event(f, events.file_version_event())
        events.write_event(f, events.graph_event(g.SerializeToString()))
    assert detect_format(p.read_bytes()) == "events"
    assert graphdef.load(p) == g


def test_crc32c_known_value():
    assert events.crc32c(b"123456789") == 0xE3069283


BAD = {
    "empty": (b"", "empty input"),
    "whitespace": (b"  \n\n", "empty input"),
    "random": (bytes(range(256)) * 3, "not a valid binary GraphDef"),
    "truncated": (None, "not a valid binary GraphDef"),
    "malformed_text": (b'node {\n  name: "a"\n  op: \n', None),
    "unknown_field_text": (b'node {\n  name: "a"\n  color: "red"\n}\n', 'no field named "color"'),
    "non_graphdef_text": (b'item {\n  id: 1\n}\n', 'no field named "item"'),
    "non_graphdef_binary": (b"\x30\x05\x38\x07", "not a GraphDef"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_is_a_clear_error(kind: str, tmp_path: Path):
    data, fragment = BAD[kind]
    if data is None:
        data = (MODELS_DIR / "text_cnn.pb").read_bytes()[:200]
    p = tmp_path / f"bad_{kind}.pb"
    p.write_bytes(data)
    with pytest.raises(ParseError) as ei:
        graphdef.load(p)
    msg = str(ei.value)
    assert msg.startswith(str(p)), msg
    assert "\n" not in msg
    if fragment:
        assert fragment in msg
    if kind in ("malformed_text", "unknown_field_text", "non_graphdef_text"):
        assert ei.value.line is not None and ei.value.column is not None
        assert f"{p}:{ei.value.line}:{ei.value.column}:" in msg


def test_unknown_field_names_line_and_column(tmp_path: Path):
    p = tmp_path / "g.pbtxt"
    p.write_text('node {\n  name: "a"\n  color: "red"\n}\n')
    with pytest.raises(ParseError) as ei:
        graphdef.load(p)
    assert (ei.value.line, ei.value.column) == (3, 3)


def test_missing_file():
    with pytest.raises(InputNotFoundError) as ei:
        graphdef.load("/no/such/graph.pb")
    assert "/no/such/graph.pb" in str(ei.value)
    assert isinstance(ei.value, GraphDefError)


def test_save_is_atomic_on_failure(tmp_path: Path, lazy_loading_path: Path, monkeypatch):
    g = graphdef.load(lazy_loading_path)
    out = tmp_path / "out.pbtxt"
    out.write_text("precious")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(WriteError):
        graphdef.save(g, out)
    assert out.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pbtxt"]


def test_save_keeps_mode_and_rejects_bad_format(tmp_path: Path, lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    out = tmp_path / "out.pb"
    out.write_bytes(b"")
    os.chmod(out, 0o640)
    graphdef.save(g, out, format="pb")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640
    with pytest.raises(ValueError):
        graphdef.save(g, out, format="json")


def test_save_into_missing_folder_is_write_error(tmp_path: Path, lazy_loading_path: Path):
    g = graphdef.load(lazy_loading_path)
    with pytest.raises(WriteError):
        graphdef.save(g, tmp_path / "nope" / "g.pbtxt")
