"""The `ingest`, `extract --format nq` and `load` commands: summaries, exit status, --fail-fast,
incremental re-runs, progress lines, and shards that load into the same graph `ingest` builds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli.commands import main
from kg.store.base import bookkeeping_graphs
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import sparql_prefixes

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    _write(
        folder,
        "a.md",
        "---\nid: a\npublished: 2025-03-02\n---\n중소벤처기업부는 3월 2일 창업진흥원과 간담회를 열었다.\n",
    )
    _write(folder, "b.txt", "")
    _write(
        folder,
        "c.md",
        "---\nid: c\npublished: 2025-03-04\n---\n소상공인시장진흥공단은 3월 4일 설명회를 열었다.\n",
    )
    return folder


def test_bad_input_one_line_others_ingested_exit_1(posts: Path, tmp_path: Path) -> None:
    code, _, err = run("ingest", "--store", str(tmp_path / "s"), "-j", "1", "--log-every", "1000", str(posts))
    assert code == 1
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == [f"error: {posts / 'b.txt'}: empty"]
    assert lines[-1].startswith("posts read 2, written 2, skipped as unchanged 0, failed 1; facts added ")


def test_fail_fast_stops_at_the_first_error(posts: Path, tmp_path: Path) -> None:
    code, _, err = run("ingest", "--store", str(tmp_path / "s"), "-j", "1", "--fail-fast", str(posts))
    assert code == 1
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("posts read 1, written 1, skipped as unchanged 0, failed 1;")
    assert summary.endswith("stopped at the first error (--fail-fast)")


def test_rerun_skips_unchanged_and_replaces_changed(posts: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    (posts / "b.txt").unlink()
    assert run("ingest", "--store", store, "-j", "1", str(posts))[0] == 0
    _write(posts, "c.md", "---\nid: c\npublished: 2025-03-04\n---\n기술보증기금은 3월 4일 설명회를 열었다.\n")
    code, _, err = run("ingest", "--store", store, "-j", "1", "--log-every", "0", str(posts))
    assert code == 0
    lines = err.strip().splitlines()
    assert lines[-1].startswith("posts read 2, written 1, skipped as unchanged 1, failed 0")
    assert any(line.startswith("progress: 2/2 posts (100%)") for line in lines)  # plain lines, not a bar
    db = OxigraphStore(store)
    text = db.select(
        sparql_prefixes() + "SELECT ?t WHERE { GRAPH ?g { ?g dcterms:identifier 'c' ; schema:text ?t } }"
    )
    assert [r["t"].value for r in text] == ["기술보증기금은 3월 4일 설명회를 열었다."]
    db.close()


def test_stdin_json_lines(tmp_path: Path) -> None:
    lines = '{"id": "s1", "text": "창업진흥원은 4월 1일 설명회를 열었다."}\n{"id": 2}\n'.encode()
    code, _, err = run("ingest", "--store", str(tmp_path / "s"), "-j", "1", "-", input=lines)
    assert code == 1
    assert "error: <stdin>:2: missing or empty `text`" in err
    assert err.strip().splitlines()[-1].startswith("posts read 1, written 1")


def _dataset(store: OxigraphStore) -> set[ox.Quad]:
    """The data: every quad but those of kg's bookkeeping graphs (generation, change log)."""
    bookkeeping = {ox.NamedNode(g) for g in bookkeeping_graphs()}
    return {q for q in store.db.quads_for_pattern(None, None, None, None) if q.graph_name not in bookkeeping}


def test_shards_load_into_the_graph_ingest_builds(tmp_path: Path) -> None:
    inputs = [str(FIXTURES / "html"), str(FIXTURES / "docs"), str(FIXTURES / "opendata")]
    assert run("ingest", "--store", str(tmp_path / "direct"), "-j", "1", *inputs)[0] == 0
    shards = tmp_path / "shards"
    code, _, err = run("extract", "--format", "nq", "--shard-size", "4", "-o", str(shards), *inputs)
    assert code == 0, err
    files = sorted(p.name for p in shards.iterdir())
    assert files == ["reference.nq", "shard-00000.nq", "shard-00001.nq", "shard-00002.nq", "shard-00003.nq"]
    code, _, err = run("load", "--store", str(tmp_path / "loaded"), str(shards))
    assert code == 0, err
    assert "loaded 13 posts and 2 reference graph(s) from 5 file(s)" in err
    # loading again changes nothing
    assert run("load", "--store", str(tmp_path / "loaded"), str(shards))[0] == 0
    direct, loaded = OxigraphStore(tmp_path / "direct"), OxigraphStore(tmp_path / "loaded")
    try:
        assert _dataset(direct) == _dataset(loaded)
        assert len(loaded.post_iris()) == 13
    finally:
        direct.close()
        loaded.close()


def test_load_reports_a_broken_file_and_loads_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.nq"
    good.write_text(
        '<https://kg.example.org/id/post/x> <http://purl.org/dc/terms/title> "제목"@ko <https://kg.example.org/id/post/x> .\n',
        encoding="utf-8",
    )
    bad = tmp_path / "bad.nq"
    bad.write_text("<https://kg.example.org/id/post/y> this is not n-quads .\n", encoding="utf-8")
    code, _, err = run("load", "--store", str(tmp_path / "s"), str(bad), str(good))
    assert code == 1
    assert f"error: {bad}: not N-Quads" in err
    assert "loaded 1 posts and 0 reference graph(s) from 1 file(s); 1 file(s) failed" in err
    store = OxigraphStore(tmp_path / "s")
    assert not store.ask("ASK { GRAPH <https://kg.example.org/id/post/y> { ?s ?p ?o } }")
    # the merged default graph holds the loaded triple too
    assert store.ask('ASK { ?s ?p "제목"@ko }')
    store.close()
