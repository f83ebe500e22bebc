"""graphdef dedupe: output options, report, --keep, --dry-run, --check, --json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdef
from graphdef_cli.main import cli

from conftest import SAMPLES, corpus_files, golden_files, ids, sample_files

NORMAL = SAMPLES / "normal_loading.pbtxt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def lazy_copy(tmp_path: Path, lazy_loading_path: Path) -> Path:
    p = tmp_path / "lazy.pbtxt"
    p.write_bytes(lazy_loading_path.read_bytes())
    return p


def test_stdout_graph_and_stderr_report(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["dedupe", str(lazy_loading_path)])
    assert r.exit_code == 0
    g = graphdef.loads(r.stdout)
    assert graphdef.diff(g, graphdef.load(NORMAL)).equal
    assert "Add_3 → Add" in r.stderr and "nodes: 19 → 10 (9 merged)" in r.stderr
    assert "Add_3" not in r.stdout


def test_output_file_and_format(runner, tmp_path: Path, lazy_loading_path: Path):
    out = tmp_path / "clean.pb"
    r = runner.invoke(cli, ["dedupe", str(lazy_loading_path), "-o", str(out)])
    assert r.exit_code == 0 and out.read_bytes()[:1] == b"\x0a"       # binary by extension
    assert graphdef.diff(graphdef.load(out), graphdef.load(NORMAL)).equal
    txt = tmp_path / "clean.out"
    r = runner.invoke(cli, ["dedupe", str(lazy_loading_path), "-o", str(txt), "--format", "pbtxt"])
    assert r.exit_code == 0 and txt.read_text().startswith("node {")
    r = runner.invoke(cli, ["dedupe", str(lazy_loading_path), "--format", "pb", "-o", "-"])
    assert r.exit_code == 0 and graphdef.loads(r.stdout_bytes).node[-1].name == "Add"


def test_never_over_the_input_unless_in_place(runner, lazy_copy: Path):
    before = lazy_copy.read_bytes()
    r = runner.invoke(cli, ["dedupe", str(lazy_copy), "-o", str(lazy_copy)])
    assert r.exit_code == 2 and "--in-place" in r.output and lazy_copy.read_bytes() == before
    r = runner.invoke(cli, ["dedupe", str(lazy_copy), "--in-place"])
    assert r.exit_code == 0 and len(graphdef.load(lazy_copy).node) == 10
    assert lazy_copy.read_text().startswith("node {")       # text stays text


def test_in_place_keeps_binary_format(runner, tmp_path: Path, lazy_loading_path: Path):
    p = tmp_path / "lazy.graph"
    graphdef.save(graphdef.load(lazy_loading_path), p, format="pb")
    assert runner.invoke(cli, ["dedupe", "--in-place", str(p)]).exit_code == 0
    assert p.read_bytes()[:1] == b"\x0a" and len(graphdef.load(p).node) == 10


def test_json_report(runner, tmp_path: Path, lazy_loading_path: Path):
    out = tmp_path / "o.pbtxt"
    r = runner.invoke(cli, ["dedupe", "--json", str(lazy_loading_path), "-o", str(out)])
    assert r.exit_code == 0
    j = json.loads(r.stdout)
    assert j["nodes_before"] == 19 and j["nodes_after"] == 10
    assert j["merged"] == [[f"Add_{i}", "Add"] for i in range(1, 10)]
    assert j["output"] == str(out)
    r = runner.invoke(cli, ["dedupe", "--json", str(lazy_loading_path)])
    assert r.exit_code == 2          # stdout would carry both graph and JSON


def test_dry_run_writes_nothing(runner, tmp_path: Path, lazy_loading_path: Path):
    out = tmp_path / "o.pbtxt"
    r = runner.invoke(cli, ["dedupe", "--dry-run", str(lazy_loading_path), "-o", str(out)])
    assert r.exit_code == 0 and not out.exists() and r.stdout == ""
    assert "Add_9 → Add" in r.stderr
    j = json.loads(runner.invoke(cli, ["dedupe", "--dry-run", "--json",
                                       str(lazy_loading_path)]).stdout)
    assert len(j["merged"]) == 9


def test_check_exit_codes(runner, lazy_loading_path: Path):
    assert runner.invoke(cli, ["dedupe", "--check", str(lazy_loading_path)]).exit_code == 1
    r = runner.invoke(cli, ["dedupe", "--check", str(NORMAL)])
    assert r.exit_code == 0 and r.stdout == ""


def test_keep(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["dedupe", "--keep", "Add_4", "--keep", "Add_7", str(lazy_loading_path)])
    assert r.exit_code == 0
    names = [n.name for n in graphdef.loads(r.stdout).node]
    assert "Add_4" in names and "Add_7" in names and "Add" not in names
    assert "Add → Add_4" in r.stderr
    r = runner.invoke(cli, ["dedupe", "--keep", "ghost", "--dry-run", str(lazy_loading_path)])
    assert "ghost" in r.stderr


def test_stdin(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["dedupe", "-"], input=lazy_loading_path.read_bytes())
    assert r.exit_code == 0 and len(graphdef.loads(r.stdout).node) == 10


def test_usage_errors(runner, tmp_path: Path, lazy_loading_path: Path):
    two = [str(lazy_loading_path), str(NORMAL)]
    assert runner.invoke(cli, ["dedupe", *two]).exit_code == 2
    assert runner.invoke(cli, ["dedupe", *two, "-o", str(tmp_path / "x")]).exit_code == 2
    assert runner.invoke(cli, ["dedupe", "--in-place", "-"]).exit_code == 2
    assert runner.invoke(cli, ["dedupe", "--out-dir", str(tmp_path), "--in-place",
                               str(lazy_loading_path)]).exit_code == 2


def test_bad_input_keeps_output(runner, tmp_path: Path):
    p = tmp_path / "bad.pbtxt"
    p.write_text("node {")
    out = tmp_path / "o.pbtxt"
    out.write_text("keep me")
    r = runner.invoke(cli, ["dedupe", str(p), "-o", str(out)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1 and str(p) in r.output
    assert out.read_text() == "keep me"


FILES = sample_files() + golden_files() + corpus_files()


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_every_file_dedupes_and_still_loads(runner, path: Path, tmp_path: Path):
    out = tmp_path / "out.pbtxt"
    r = runner.invoke(cli, ["dedupe", "--json", str(path), "-o", str(out)])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    g = graphdef.load(out)
    assert len(g.node) == j["nodes_after"] == j["nodes_before"] - len(j["merged"])
    names = {n.name for n in g.node}
    for n in g.node:   # every input still names a node that exists (or did not before)
        for i in n.input:
            src = i.lstrip("^").rsplit(":", 1)[0] if ":" in i and i.rsplit(":", 1)[1].isdigit() \
                else i.lstrip("^")
            assert src in names or src not in {a for a, _ in j["merged"]}, (n.name, i)
    # deduping again finds nothing more: the pass reached its fixpoint
    again = runner.invoke(cli, ["dedupe", "--check", str(out)])
    assert again.exit_code == 0, again.output


def test_binary_in_binary_out_matches_the_library(runner, tmp_path: Path):
    """A .pb is deduped straight from its bytes; the result is the library's, byte for byte."""
    from conftest import MODELS_DIR
    src = MODELS_DIR / "text_cnn.pb"
    out = tmp_path / "o.pb"
    assert runner.invoke(cli, ["dedupe", str(src), "-o", str(out)]).exit_code == 0
    expected, _ = graphdef.dedupe(graphdef.load(src))
    assert out.read_bytes() == expected.SerializeToString(deterministic=True)
    same = tmp_path / "same.pb"
    src2 = SAMPLES / "normal_loading.pbtxt"
    graphdef.save(graphdef.load(src2), tmp_path / "n.pb", format="pb")
    assert runner.invoke(cli, ["dedupe", str(tmp_path / "n.pb"), "-o", str(same)]).exit_code == 0
    assert same.read_bytes() == (tmp_path / "n.pb").read_bytes()


def test_text_dedupe_never_imports_numpy(tmp_path: Path, lazy_loading_path: Path):
    """`graphdef dedupe` of a text graph with small constants runs without numpy: its
    import is most of a short command's run time (lazy imports in graphdef, tools and
    the CLI; the index read from text blocks; tensors keyed with struct)."""
    import subprocess
    import sys
    out = tmp_path / "out.pbtxt"
    code = ("import sys\nfrom graphdef_cli.main import cli\n"
            f"cli.main(['dedupe', {str(lazy_loading_path)!r}, '-o', {str(out)!r}], "
            "standalone_mode=False)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy'))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip().splitlines()[-1] == "[]"
    assert graphdef.load(out) == graphdef.dedupe(graphdef.load(lazy_loading_path))[0]
