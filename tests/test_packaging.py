"""The install layout: every package folder is listed in pyproject.toml; the package
imports in any order."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT


def test_every_package_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'^\s*"(graphdef[\w.]*)",\s*$', text, re.M))
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "graphdef").rglob("__init__.py")}
    found |= {"graphdef_cli." + ".".join(p.parent.relative_to(ROOT / "cli").parts)
              for p in (ROOT / "cli").rglob("__init__.py") if p.parent != ROOT / "cli"}
    found.add("graphdef_cli")
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_readme_has_exactly_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    assert "pip install . && graphdef show samples/lazy_loading.pbtxt" in text
    assert 'pip install -e ".[test]" && pytest -q' in text


@pytest.mark.parametrize("first", ["graphdef.runtime.graph_view", "graphdef.tensors", "graphdef.ops.nn"])
def test_api_names_after_importing_a_submodule_first(first):
    """``import graphdef`` binds the TF1 API on first use; a subpackage imported before
    that asks the package for its sibling modules (``from graphdef import dtypes``),
    which must not load the API while that subpackage is half imported."""
    code = (f"import graphdef as tf, {first}\n"
            "print(tf.Session.__name__, tf.constant.__name__, tf.float32.name, tf.dtypes.__name__)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["Session", "constant", "float32", "graphdef.dtypes"]
