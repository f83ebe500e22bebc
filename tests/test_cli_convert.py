"""graphdef convert, and the CLI conventions every command shares."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdef
from graphdef_cli.main import cli

from conftest import MODELS_DIR


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version_and_help(runner):
    assert runner.invoke(cli, ["--version"]).exit_code == 0
    r = runner.invoke(cli, ["-h"])
    assert r.exit_code == 0 and "convert" in r.output


def test_every_command_has_help(runner):
    for name, cmd in cli.commands.items():
        assert cmd.help, name
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0


def test_convert_round_trip(runner, tmp_path: Path):
    src = MODELS_DIR / "text_cnn.pb"
    out_txt = tmp_path / "m.pbtxt"
    out_pb = tmp_path / "m.pb"
    assert runner.invoke(cli, ["convert", str(src), "-o", str(out_txt)]).exit_code == 0
    assert runner.invoke(cli, ["convert", str(out_txt), "-o", str(out_pb)]).exit_code == 0
    assert out_pb.read_bytes() == src.read_bytes()
    r = runner.invoke(cli, ["convert", str(src), "--format", "pbtxt"])
    assert r.exit_code == 0 and r.output == out_txt.read_text()


def test_convert_stdin(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["convert", "-", "--format", "pbtxt"], input=lazy_loading_path.read_bytes())
    assert r.exit_code == 0
    assert r.output == lazy_loading_path.read_text()


def test_convert_refuses_to_overwrite_input(runner, tmp_path: Path, lazy_loading_path: Path):
    p = tmp_path / "g.pbtxt"
    p.write_bytes(lazy_loading_path.read_bytes())
    r = runner.invoke(cli, ["convert", str(p), "-o", str(p), "--format", "pb"])
    assert r.exit_code == 2 and "--in-place" in r.output
    assert p.read_bytes() == lazy_loading_path.read_bytes()
    r = runner.invoke(cli, ["convert", str(p), "-o", str(p), "--format", "pb", "--in-place"])
    assert r.exit_code == 0
    assert graphdef.load(p) == graphdef.load(lazy_loading_path)


BAD = {"empty": b"", "random": bytes(range(256)) * 2, "unknown_field": b'node { colour: 1 }\n',
       "truncated": None}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_exit_2_one_line(runner, tmp_path: Path, kind: str):
    data = BAD[kind] if BAD[kind] is not None else (MODELS_DIR / "text_cnn.pb").read_bytes()[:150]
    p = tmp_path / "bad.pb"
    p.write_bytes(data)
    out = tmp_path / "out.pbtxt"
    out.write_text("keep me")
    r = runner.invoke(cli, ["convert", str(p), "-o", str(out)])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and "Traceback" not in r.output
    assert out.read_text() == "keep me"


def test_missing_file_exit_2(runner):
    r = runner.invoke(cli, ["convert", "/no/such.pb"])
    assert r.exit_code == 2 and "/no/such.pb" in r.output
