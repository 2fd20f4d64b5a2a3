"""The architecture as checks: imports run one way (the import-linter contracts in
pyproject.toml), no module imports itself back through others, no private name crosses a
module boundary, and the vendored front-end files are the ones the manifest names."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

from .conftest import ROOT

PACKAGES = ("kg", "api")


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_import_circle_among_modules() -> None:
    """Function-level imports count too (grimp reads every import statement)."""
    graph = grimp.build_graph(*PACKAGES)
    imports = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    circles = list(nx.simple_cycles(imports))
    assert not circles, circles[:5]


def _python_files() -> list[Path]:
    return [p for pkg in (*PACKAGES, "tests", "bench") for p in sorted((ROOT / pkg).rglob("*.py"))]


def test_no_private_name_is_imported_across_modules() -> None:
    crossings = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("_"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        crossings.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
    assert not crossings, crossings


def test_vendored_files_match_the_manifest() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/vendor_js.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    manifest = (ROOT / "vendor.json").read_text(encoding="utf-8")
    assert '"sha256": {}' not in manifest


def test_every_vendored_file_is_in_the_manifest_with_a_licence() -> None:
    """Nothing sits in a vendored folder that vendor.json does not name, and each package brings a licence."""
    entries = json.loads((ROOT / "vendor.json").read_text(encoding="utf-8"))
    for entry in entries:
        on_disk = {p.name for p in (ROOT / entry["dest"]).iterdir()}
        assert on_disk == set(entry["sha256"]), (entry["package"], on_disk ^ set(entry["sha256"]))
        assert any("LICEN" in name.upper() for name in on_disk), entry["package"]
