"""``graphdef run``: models from .pb/.pbtxt with .npy/.npz inputs, outputs to .npz,
and one-line errors with exit status 2 for every kind of bad input."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from graphdef_cli.main import cli
from test_kernels_state import const, node
from test_runtime_plan import BAD

from conftest import MODELS_DIR, model_names


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _io(model):
    inp, out = (MODELS_DIR / f"{model}.io").read_text().split()
    return inp, out


@pytest.mark.parametrize("model", model_names())
def test_run_model_with_npz_input_writes_npz(runner, model, tmp_path):
    inp, out = _io(model)
    dest = tmp_path / "out.npz"
    r = runner.invoke(cli, ["run", str(MODELS_DIR / f"{model}.pb"), "--input",
                            f"{inp}={MODELS_DIR / model}.npz:x", "--output", out, "-o", str(dest)])
    assert r.exit_code == 0, r.output
    y = np.load(MODELS_DIR / f"{model}.npz")["y"]
    assert r.output.split() == [out, "float32", *str(list(y.shape)).split()]
    got = np.load(dest)[out]
    assert np.allclose(got, y, rtol=1e-4, atol=1e-5)


def test_run_with_npy_input_json_and_values(runner, tmp_path):
    model = "misc_ops"
    inp, out = _io(model)
    x = np.load(MODELS_DIR / f"{model}.npz")["x"]
    np.save(tmp_path / "x.npy", x)
    r = runner.invoke(cli, ["run", str(MODELS_DIR / f"{model}.pbtxt"), "-i", f"{inp.split(':')[0]}={tmp_path}/x.npy",
                            "--output", out, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"model": str(MODELS_DIR / f"{model}.pbtxt"),
                                    "outputs": [{"name": out, "dtype": "float32", "shape": [3, 39]}]}
    r = runner.invoke(cli, ["run", str(MODELS_DIR / f"{model}.pb"), "-i", f"{inp}={tmp_path}/x.npy",
                            "--output", out, "--values"])
    assert r.exit_code == 0 and "[[" in r.output


def test_bare_npz_feeds_arrays_by_key(runner, tmp_path):
    g = tmp_path / "g.pbtxt"
    g.write_text(node("x", "Placeholder", dtype="type: DT_FLOAT") + const("c", 2.0)
                 + node("y", "Mul", "x", "c", T="type: DT_FLOAT"))
    np.savez(tmp_path / "in.npz", x=np.array([1.0, 2.0], np.float32))
    dest = tmp_path / "o.npz"
    r = runner.invoke(cli, ["run", str(g), "--input", str(tmp_path / "in.npz"), "--output", "y", "-o", str(dest)])
    assert r.exit_code == 0, r.output
    assert np.load(dest)["y"].tolist() == [2.0, 4.0]


def _bad(tmp_path, text):
    p = tmp_path / "bad.pbtxt"
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_graphs_exit_2_with_one_line(runner, tmp_path, case):
    text, fetch, _, msg = BAD[case]
    r = runner.invoke(cli, ["run", _bad(tmp_path, text), "--output", fetch])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphdef: error: node '")


@pytest.mark.parametrize("values,dtype,msg", [
    ([1.0, 2.0, 3.0], np.float32, r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape \[\?,2\]"),
    ([["a", "b"]], None, r"cannot feed a value of dtype <U1 to tensor 'x:0' of dtype float32"),
    ([[1.5, 2.5]], np.complex64, r"complex64 to tensor 'x:0' of dtype float32"),
])
def test_bad_feeds_exit_2(runner, tmp_path, values, dtype, msg):
    g = _bad(tmp_path, node("x", "Placeholder", dtype="type: DT_FLOAT",
                            shape="shape { dim { size: -1 } dim { size: 2 } }")
             + node("y", "Neg", "x", T="type: DT_FLOAT"))
    np.save(tmp_path / "x.npy", np.array(values, dtype))
    r = runner.invoke(cli, ["run", g, "-i", f"x={tmp_path}/x.npy", "--output", "y:0"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    import re
    assert re.search(msg, r.output), r.output


def test_usage_errors(runner, tmp_path):
    model = str(MODELS_DIR / "misc_ops.pb")
    r = runner.invoke(cli, ["run", model, "--input", "x.npy", "--output", "Identity"])
    assert r.exit_code == 2 and "expected NAME=FILE" in r.output
    r = runner.invoke(cli, ["run", model, "--input", f"x={tmp_path}/missing.npy", "--output", "Identity"])
    assert r.exit_code == 2 and "missing.npy" in r.output and "Traceback" not in r.output
    r = runner.invoke(cli, ["run", model, "--input", f"x={MODELS_DIR}/misc_ops.npz:nokey", "--output", "Identity"])
    assert r.exit_code == 2 and "no key 'nokey'" in r.output
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    r = runner.invoke(cli, ["run", model, "--input", f"x={tmp_path}/junk.npy", "--output", "Identity"])
    assert r.exit_code == 2 and "not a numpy" in r.output and "Traceback" not in r.output


def test_operations_and_string_outputs(runner, tmp_path):
    g = tmp_path / "g.pbtxt"
    g.write_text(node("tick", "NoOp")
                 + 'node { name: "s" op: "Const" attr { key: "dtype" value { type: DT_STRING } } '
                   'attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { dim { size: 2 } } '
                   'string_val: "ab" string_val: "c" } } } }\n')
    dest = tmp_path / "o.npz"
    r = runner.invoke(cli, ["run", str(g), "--output", "^tick", "--output", "s", "-o", str(dest)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["tick\t(operation: ran, no value)", "s:0\tstring\t[2]"]
    assert np.load(dest)["s"].tolist() == [b"ab", b"c"]
