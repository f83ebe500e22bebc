"""Several files per command: worker processes, progress bar, failures reported
while the rest go on, exit 2 at the end if any failed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdef
from graphdef_cli import batch
from graphdef_cli.main import cli

from conftest import SAMPLES, sample_files

NORMAL = SAMPLES / "normal_loading.pbtxt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    src = tmp_path / "src"
    src.mkdir()
    out = []
    for p in sample_files():
        q = src / p.name
        q.write_bytes(p.read_bytes())
        out.append(str(q))
    return out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_dedupe_out_dir(runner, files: list[str], tmp_path: Path, jobs: str):
    out_dir = tmp_path / "clean"
    r = runner.invoke(cli, ["dedupe", "-j", jobs, *files, "--out-dir", str(out_dir)])
    assert r.exit_code == 0, r.output
    for f in files:
        p = out_dir / Path(f).name
        assert p.exists()
        assert p.read_bytes()[:1] == Path(f).read_bytes()[:1]   # same format as the input
    assert len(graphdef.load(out_dir / "lazy_loading.pbtxt").node) == 10
    assert "lazy_loading.pbtxt: Add_9 → Add" in r.stderr


def test_dedupe_in_place_and_check(runner, files: list[str]):
    assert runner.invoke(cli, ["dedupe", "--check", *files]).exit_code == 1
    r = runner.invoke(cli, ["dedupe", "--in-place", *files])
    assert r.exit_code == 0
    assert runner.invoke(cli, ["dedupe", "--check", *files]).exit_code == 0


def test_failing_file_reported_rest_go_on(runner, files: list[str], tmp_path: Path):
    bad = tmp_path / "src" / "bad.pbtxt"
    bad.write_text("node { name: ")
    out_dir = tmp_path / "clean"
    r = runner.invoke(cli, ["dedupe", "-j", "2", files[0], str(bad), *files[1:],
                            "--out-dir", str(out_dir)])
    assert r.exit_code == 2
    errors = [x for x in r.stderr.splitlines() if x.startswith("graphdef: error:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert len(list(out_dir.iterdir())) == len(files)          # the others were written
    j = json.loads(runner.invoke(cli, ["dedupe", "--dry-run", "--json", str(bad), *files]).stdout)
    assert "error" in j[0] and j[1]["file"] == files[0]


def test_out_dir_name_clash(runner, tmp_path: Path, lazy_loading_path: Path):
    other = tmp_path / "lazy_loading.pbtxt"
    other.write_bytes(lazy_loading_path.read_bytes())
    r = runner.invoke(cli, ["dedupe", str(lazy_loading_path), str(other),
                            "--out-dir", str(tmp_path / "o")])
    assert r.exit_code == 2


def test_show_several_files(runner, files: list[str]):
    r = runner.invoke(cli, ["show", *files])
    assert r.exit_code == 0
    assert [x for x in r.output.splitlines() if x.startswith("== ")] == [f"== {f}" for f in files]
    j = json.loads(runner.invoke(cli, ["show", "--json", *files]).output)
    assert [x["file"] for x in j] == files and j[1]["nodes"] == graphdef.summarize(
        graphdef.load(files[1]))["nodes"]
    r = runner.invoke(cli, ["show", files[0], "/no/such.pb", files[1]])
    assert r.exit_code == 2 and "/no/such.pb" in r.stderr and r.stdout.count("== ") == 2


def test_diff_one_against_several(runner, files: list[str]):
    r = runner.invoke(cli, ["diff", "--json", str(NORMAL), *files])
    assert r.exit_code == 1
    items = json.loads(r.output)
    assert [x["b"] for x in items] == files
    assert [x["equal"] for x in items if x["b"].endswith("normal_loading.pbtxt")] == [True]


def test_progress_bar_on_a_terminal(runner, files: list[str], monkeypatch):
    monkeypatch.setattr(batch, "stderr_is_tty", lambda: True)
    r = runner.invoke(cli, ["dedupe", "--dry-run", "-j", "1", *files])
    assert r.exit_code == 0 and "dedupe" in r.stderr and "100%" in r.stderr
    monkeypatch.setattr(batch, "stderr_is_tty", lambda: False)
    r = runner.invoke(cli, ["dedupe", "--dry-run", "-j", "1", *files])
    assert "100%" not in r.stderr


def test_stdin_not_allowed_with_several(runner, files: list[str]):
    assert runner.invoke(cli, ["show", "-", files[0]]).exit_code == 2
    assert runner.invoke(cli, ["dedupe", "--dry-run", "-", files[0]]).exit_code == 2
