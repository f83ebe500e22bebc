"""graphdef diff: exit codes, text/--json/--names-only output and every option."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdef
from graphdef._proto.graph_pb2 import GraphDef
from graphdef.tools.synth import lazy_loading_graph
from graphdef_cli.main import cli

from conftest import SAMPLES, corpus_files, golden_files, ids, sample_files

NORMAL = SAMPLES / "normal_loading.pbtxt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path: Path, name: str, g: GraphDef) -> str:
    p = tmp_path / name
    graphdef.save(g, p)
    return str(p)


def _modified(tmp_path: Path) -> str:
    g = graphdef.load(NORMAL)
    add = next(n for n in g.node if n.name == "Add")
    add.op = "AddV2"
    add.attr["_note"].s = b"x"
    return _write(tmp_path, "b.pbtxt", g)


def test_equal_exit_0(runner):
    r = runner.invoke(cli, ["diff", str(NORMAL), str(NORMAL)])
    assert r.exit_code == 0 and r.output.strip() == "graphs are equal"


def test_differences_exit_1_text(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["diff", str(lazy_loading_path), str(NORMAL)])
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0] == f"--- {lazy_loading_path}" and lines[1] == f"+++ {NORMAL}"
    assert "-node Add_9 (Add)" in lines
    assert lines[-1] == "9 differences: 9 removed"
    assert "\x1b[" not in r.output      # no colour when not a terminal


def test_color_forced(runner, tmp_path: Path):
    r = runner.invoke(cli, ["diff", "--color", str(NORMAL), _modified(tmp_path)])
    assert r.exit_code == 1 and "\x1b[" in r.output
    r = runner.invoke(cli, ["diff", "--no-color", str(NORMAL), _modified(tmp_path)])
    assert "\x1b[" not in r.output


def test_json_schema(runner, tmp_path: Path):
    r = runner.invoke(cli, ["diff", "--json", str(NORMAL), _modified(tmp_path)])
    assert r.exit_code == 1
    j = json.loads(r.output)
    assert j["equal"] is False and j["added"] == [] and j["removed"] == [] and j["renamed"] == []
    assert [(c["node"], c["fields"]) for c in j["changed"]] == [("Add", ["op", "attr._note"])]
    r = runner.invoke(cli, ["diff", "--json", str(NORMAL), str(NORMAL)])
    assert r.exit_code == 0 and json.loads(r.output)["equal"] is True


def test_equivalent_ops_ignore_attr_ignore_internal(runner, tmp_path: Path):
    b = _modified(tmp_path)
    assert runner.invoke(cli, ["diff", "--equivalent-ops", str(NORMAL), b]).exit_code == 1
    assert runner.invoke(cli, ["diff", "--equivalent-ops", "--ignore-internal",
                               str(NORMAL), b]).exit_code == 0
    assert runner.invoke(cli, ["diff", "--equivalent-ops", "--ignore-attr", "_note",
                               str(NORMAL), b]).exit_code == 0
    assert runner.invoke(cli, ["diff", "--equivalent-ops", "--ignore-attr", "T",
                               "--ignore-attr", "other", str(NORMAL), b]).exit_code == 1
    r = runner.invoke(cli, ["diff", str(NORMAL), b])
    assert "-  op: Add" in r.output and "+  op: AddV2" in r.output
    assert "+  attr _note: b'x'" in r.output


def test_names_only_and_renames(runner, tmp_path: Path):
    a = _write(tmp_path, "a.pbtxt", lazy_loading_graph(2))
    b = _write(tmp_path, "b.pbtxt", lazy_loading_graph(2, scope="again/"))
    r = runner.invoke(cli, ["diff", "--names-only", a, b])
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "R\tAdd\tagain/Add", "R\tmul/y\tagain/mul/y", "R\tmul\tagain/mul",
        "R\tAdd_1\tagain/Add_1", "R\tmul_1/y\tagain/mul_1/y", "R\tmul_1\tagain/mul_1"]
    r = runner.invoke(cli, ["diff", "--names-only", "--no-renames", a, b])
    assert sum(1 for x in r.output.splitlines() if x.startswith("D\t")) == 6
    j = json.loads(runner.invoke(cli, ["diff", "--json", a, b]).output)
    assert j["renamed"][0] == ["Add", "again/Add"]


def test_stdin_and_several_files(runner, tmp_path: Path, lazy_loading_path: Path):
    r = runner.invoke(cli, ["diff", "-", str(NORMAL)], input=NORMAL.read_bytes())
    assert r.exit_code == 0
    r = runner.invoke(cli, ["diff", "-", "-"], input=NORMAL.read_bytes())
    assert r.exit_code == 2
    r = runner.invoke(cli, ["diff", "--names-only", str(NORMAL), str(NORMAL),
                            str(lazy_loading_path)])
    assert r.exit_code == 1 and r.output.count("A\tAdd_") == 9
    r = runner.invoke(cli, ["diff", "--json", str(NORMAL), str(NORMAL), "/no/such.pb"])
    assert r.exit_code == 2
    items = json.loads(r.stdout)
    assert items[0]["equal"] is True and "error" in items[1]


def test_bad_input_exit_2(runner, tmp_path: Path):
    p = tmp_path / "bad.pb"
    p.write_bytes(b"\x0a\x05abc")
    r = runner.invoke(cli, ["diff", str(NORMAL), str(p)])
    assert r.exit_code == 2 and str(p) in r.output and len(r.output.strip().splitlines()) == 1


FILES = sample_files() + golden_files() + corpus_files()


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_every_file_diffs_equal_with_itself(runner, path: Path, tmp_path: Path):
    other = tmp_path / ("copy.pb" if path.suffix == ".pbtxt" else "copy.pbtxt")
    graphdef.save(graphdef.load(path), other, format="pb" if path.suffix == ".pbtxt" else "pbtxt")
    r = runner.invoke(cli, ["diff", "--json", str(path), str(other)])
    assert r.exit_code == 0, r.output
    j = json.loads(r.output)
    assert j["equal"] and not (j["added"] or j["removed"] or j["renamed"] or j["changed"])


def _pair_cases(tmp_path: Path) -> list[tuple[str, str]]:
    a = _write(tmp_path, "lazy.pb", lazy_loading_graph(30))
    b = _write(tmp_path, "lazy_run2.pb", lazy_loading_graph(30, scope="run2/"))
    dup = GraphDef()
    dup.node.add(name="x", op="NoOp")
    dup.node.add(name="x", op="NoOp")
    d = _write(tmp_path, "dup.pb", dup)
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x0a\xff\xff")
    missing = str(tmp_path / "missing.pb")
    files = sample_files()[:2] + corpus_files()[:2]
    return ([(a, b), (b, a), (a, str(NORMAL)), (str(NORMAL), _modified(tmp_path))]
            + [(str(x), str(y)) for x in files for y in files[:2]]
            + [(d, a), (a, d), (d, d), (str(bad), a), (a, str(bad)), (missing, a), (a, missing),
               (missing, d)])


def test_parallel_indexing_gives_the_sequential_output(runner, tmp_path: Path, monkeypatch):
    """Two inputs indexed on two cores (a forked worker hands A over as flat arrays):
    the same output, exit status and first error as one after the other."""
    import graphdef_cli.common as common
    from graphdef.tools.canonical import GraphIndex
    handed_over = []
    real = GraphIndex.from_parts.__func__
    monkeypatch.setattr(GraphIndex, "from_parts",
                        classmethod(lambda cls, parts: handed_over.append(1) or real(cls, parts)))
    for a, b in _pair_cases(tmp_path):
        for args in ([], ["--json"]):
            monkeypatch.setattr(common, "PARALLEL_MIN_BYTES", 1 << 60)
            seq = runner.invoke(cli, ["diff", *args, a, b])
            monkeypatch.setattr(common, "PARALLEL_MIN_BYTES", 0)
            par = runner.invoke(cli, ["diff", *args, a, b])
            assert (par.exit_code, par.output) == (seq.exit_code, seq.output), (a, b, args)
            assert seq.exit_code in (0, 1, 2)
    assert len(handed_over) >= 20  # the worker's index was used, not redone here
