"""graphdef show: summary, --tree/--depth, --node, --json, stdin, errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdef
from graphdef_cli.main import cli

from conftest import MODELS_DIR, SAMPLES, corpus_files, golden_files, ids, sample_files


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_show_lazy_loading_text(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["show", str(lazy_loading_path)])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "nodes: 19" in out and "control edges: 2" in out
    assert "likely outputs (10): Add, Add_1" in out
    assert "x: int32 []" in out
    assert "bloat: dedupe would remove 9 of 19 nodes" in out
    assert "Add: 10 identical copies, 9 removable" in out


def test_show_json_schema(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["show", "--json", str(lazy_loading_path)])
    assert r.exit_code == 0
    s = json.loads(r.output)
    assert s == graphdef.summarize(graphdef.load(lazy_loading_path))
    assert s["nodes"] == 19 and s["ops"]["Add"] == 10
    assert s["bloat"] == [{"series": "Add", "count": 10, "removable": 9, "subgraph_nodes": 1}]
    for key, kind in [("nodes", int), ("ops", dict), ("inputs", list), ("outputs", list),
                      ("variables", list), ("parameters", int), ("bloat", list)]:
        assert isinstance(s[key], kind), key
    assert set(s["variables"][0]) >= {"name", "dtype", "shape"}


def test_show_inputs_of_a_model(runner):
    r = runner.invoke(cli, ["show", "--json", str(MODELS_DIR / "text_cnn.pb")])
    s = json.loads(r.output)
    assert s["inputs"][0] == {"name": "ids", "op": "Placeholder", "dtype": "int32",
                              "shape": [-1, 20]}
    assert "ids: int32 [?,20]" in runner.invoke(cli, ["show", str(MODELS_DIR / "text_cnn.pb")]).output


def test_show_tree_and_depth(runner):
    path = str(MODELS_DIR / "text_cnn.pb")
    deep = runner.invoke(cli, ["show", "--tree", "--depth", "0", path])
    shallow = runner.invoke(cli, ["show", "--tree", "--depth", "1", path])
    assert deep.exit_code == shallow.exit_code == 0
    assert "(root)" in deep.output and "sequential_1/" in deep.output
    assert len(shallow.output.splitlines()) < len(deep.output.splitlines())
    j = json.loads(runner.invoke(cli, ["show", "--tree", "--json", "--depth", "2", path]).output)
    assert j["tree"]["nodes"] == 40 and j["tree"]["children"]


def test_show_node(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["show", "--node", "x/read", str(lazy_loading_path)])
    assert r.exit_code == 0
    assert "node x/read (Identity)" in r.output and "x (VariableV2)" in r.output
    assert "Add_9 <- x/read" in r.output
    j = json.loads(runner.invoke(cli, ["show", "--node", "init", "--json",
                                       str(lazy_loading_path)]).output)
    assert j["control_inputs"] == ["x/Assign", "y/Assign"] and j["consumers"] == []
    r = runner.invoke(cli, ["show", "--node", "nope", str(lazy_loading_path)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1 and "nope" in r.output


def test_show_tree_and_node_are_exclusive(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["show", "--tree", "--node", "x", str(lazy_loading_path)])
    assert r.exit_code == 2


def test_show_stdin(runner, lazy_loading_path: Path):
    r = runner.invoke(cli, ["show", "-"], input=lazy_loading_path.read_bytes())
    assert r.exit_code == 0 and "nodes: 19" in r.output


def test_show_event_file(runner, tmp_path: Path, lazy_loading_path: Path):
    from graphdef.io import events
    p = tmp_path / "events.out.tfevents.1"
    g = graphdef.load(lazy_loading_path)
    with open(p, "wb") as f:
        events.write_event(f, events.file_version_event())
        events.write_event(f, events.graph_event(g.SerializeToString()))
    r = runner.invoke(cli, ["show", str(p)])
    assert r.exit_code == 0 and "nodes: 19" in r.output


def test_show_bad_input(runner, tmp_path: Path):
    p = tmp_path / "bad.pbtxt"
    p.write_text("node { name: 'a' \n colour: 2 }\n")
    r = runner.invoke(cli, ["show", str(p)])
    assert r.exit_code == 2
    line = r.output.strip()
    assert "\n" not in line and f"{p}:2:" in line and "Traceback" not in r.output
    r = runner.invoke(cli, ["show", "/no/such.pbtxt"])
    assert r.exit_code == 2 and "/no/such.pbtxt" in r.output


FILES = sample_files() + golden_files() + corpus_files()


@pytest.mark.parametrize("path", FILES, ids=ids(FILES))
def test_show_every_file(runner, path: Path):
    r = runner.invoke(cli, ["show", "--json", str(path)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["nodes"] == len(graphdef.load(path).node)
    assert runner.invoke(cli, ["show", "--tree", str(path)]).exit_code == 0
