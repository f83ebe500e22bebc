"""The install layout: every package folder is listed in pyproject.toml."""
from __future__ import annotations

import re

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
