"""The notebooks run, offline, from a fresh kernel, and show what the library computes.

Each notebook is executed with nbclient in a kernel started from the repository root; the
executed copies are saved in test-artifacts/notebooks/. The researcher notebook's
SPARQLWrapper cell is pointed (KG_SPARQL_ENDPOINT) at a real API server on 127.0.0.1
that serves the same sample store.
"""

from __future__ import annotations

import ast
import os
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kg.read import examples
from kg.views import analysis

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "notebooks"
pytestmark = pytest.mark.slow


def execute(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, ARTIFACTS / name)
    return nb


def output_text(nb: nbformat.NotebookNode, tag: str) -> str:
    (cell,) = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        data = out.get("data", {})
        parts.append(data.get("text/html", "") or data.get("text/plain", ""))
    return "\n".join(parts)


def has_image(nb: nbformat.NotebookNode, tag: str) -> bool:
    (cell,) = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


@pytest.mark.parametrize("name", ["researcher.ipynb", "analyst.ipynb"])
def test_notebooks_only_call_the_library(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), f"{name}: commit notebooks without outputs"
        source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda), (
                f"{name}: logic belongs in kg"
            )
    imports = re.findall(r"^from (\S+) import|^import (\S+)", "\n".join(c.source for c in nb.cells), re.M)
    assert any(a.startswith("kg") or b.startswith("kg") for a, b in imports)


@pytest.fixture
def endpoint(samples_store, monkeypatch):
    """The real API app serving the sample store on 127.0.0.1, for SPARQLWrapper."""
    import uvicorn

    from api.main import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(store=samples_store), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    monkeypatch.setenv("KG_SPARQL_ENDPOINT", url)
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_researcher_notebook(samples_store, endpoint) -> None:
    nb = execute("researcher.ipynb")
    ministers = examples.run(samples_store, "ministers")
    shown = output_text(nb, "ministers")
    assert ministers and all(r["minister"] in shown for r in ministers)
    assert len(ministers) >= 5 and "박영선" in shown and "한성숙" in shown
    holders = examples.run(samples_store, "holder_on_date", date="2020-06-01")
    assert [r["holder"] for r in holders] == ["박영선"] and "박영선" in output_text(nb, "holder")
    assert "창업진흥원" in output_text(nb, "tree")
    operators = examples.run(samples_store, "program_operators")
    assert len(operators) >= 5 and all(r["program"] in output_text(nb, "operators") for r in operators)
    participants = examples.run(samples_store, "event_participants", event="소공인")
    shown = output_text(nb, "participants")
    assert participants and all(r["participant"] in shown for r in participants)
    assert examples.run(samples_store, "evidence")[0]["postId"] in output_text(nb, "evidence")
    # the SPARQLWrapper cell reached the real endpoint and shows the same table
    answer = output_text(nb, "sparqlwrapper")
    assert "did not answer" not in answer
    assert all(r["minister"] in answer for r in ministers)


def test_analyst_notebook(samples_store, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = execute("analyst.ipynb")
    graph = analysis.to_networkx(samples_store)
    top = analysis.centrality(graph, "Organization", top=3)
    assert len(top) == 3 and all(r["name"] in output_text(nb, "centrality") for r in top)
    assert analysis.communities(graph)[0]["top"].split(", ")[0] in output_text(nb, "communities")
    assert has_image(nb, "bipartite-plot") and has_image(nb, "timeline")
    view = output_text(nb, "network")
    assert (
        view.startswith('<div class="kg-view"><iframe srcdoc=')
        and "kgNetwork" in view
        and "https://" not in view.split("srcdoc=")[0]
    )


def test_saved_notebooks_are_valid() -> None:
    for path in sorted(Path(NOTEBOOKS).glob("*.ipynb")):
        nbformat.validate(nbformat.read(path, as_version=4))
