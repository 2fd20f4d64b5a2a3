"""Releases: `kg release` writes a dated folder whose N-Quads load into a fresh store (`kg load`)
with the README's queries giving the README's answers, whose VoID counts are `kg stats` of that
store, whose tables and records are documented field by field, and which `kg serve` lists."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.main import create_app
from kg.cli.commands import format_table, main
from kg.publish.records import TABLES
from kg.publish.release import CHECKSUMS, write_release
from kg.read import queries
from kg.read.examples import complete_prefixes
from kg.sparql.protocol import answer, render
from kg.store.base import bookkeeping_graphs
from kg.store.oxigraph import OxigraphStore
from kg.vocab.ontology import iri

from .conftest import ROOT, readme_query_blocks
from .test_api_support import memory_store, sample_nquads, settings  # noqa: F401  (fixtures)
from .test_pages import valid_html

DOCS = (ROOT / "docs" / "releases.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
DAY = datetime(2026, 1, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def made(sample_nquads: bytes, tmp_path_factory) -> dict:  # noqa: F811
    store = memory_store(sample_nquads)
    folder = tmp_path_factory.mktemp("releases")
    first = write_release(store, folder, clock=lambda: DAY)
    second = write_release(store, folder, clock=lambda: DAY.replace(hour=10))
    return {"store": store, "folder": folder, "release": first, "second": second}


@pytest.fixture(scope="module")
def loaded(made: dict, tmp_path_factory) -> Path:
    """The release's N-Quads loaded into a fresh on-disk store with `kg load`."""
    target = tmp_path_factory.mktemp("fresh") / "store"
    result = CliRunner().invoke(
        main, ["load", "--store", str(target), str(made["release"].path / "kg.nq.gz")]
    )
    assert result.exit_code == 0, result.output
    assert "loaded 42 posts and 2 reference graph(s) from 1 file(s)" in result.output
    return target


def test_a_release_is_a_dated_folder_with_checksums(made: dict) -> None:
    release, second = made["release"], made["second"]
    assert (release.name, second.name) == ("2026-01-22", "2026-01-22.2")
    names = sorted(p.name for p in release.path.iterdir())
    assert names == sorted(
        ["kg.nq.gz", "entities.jsonl", "void.ttl", "release.json", CHECKSUMS, "csv-metadata.json"]
        + [t.file for t in TABLES]
    )
    assert not [p for p in made["folder"].iterdir() if p.name.startswith(".")]  # no half-written release
    for line in (release.path / CHECKSUMS).read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == digest
    summary = json.loads((release.path / "release.json").read_text())
    assert summary["issued"] == "2026-01-22T09:30:00Z" and summary["last_run"]
    assert summary["sources"] and all(s["licence"] for s in summary["sources"])


def test_the_release_loads_and_the_readme_queries_answer_the_same(made: dict, loaded: Path) -> None:
    blocks = readme_query_blocks()
    assert len(blocks) >= 2
    fresh = OxigraphStore(loaded)
    try:
        for query, shown in blocks:
            query = complete_prefixes(query)
            here = render(*answer(fresh, query, "text/tab-separated-values")).decode("utf-8")
            there = render(*answer(made["store"], query, "text/tab-separated-values")).decode("utf-8")
            assert format_table(here).split() == shown.split() == format_table(there).split(), query
        # and every named example of kg.read.examples (ministers, holder on a date, …)
        from kg.read.examples import EXAMPLES

        for example in EXAMPLES.values():
            q = example.sparql()
            assert _rows(fresh, q) == _rows(made["store"], q), example.question
    finally:
        del fresh


def _rows(store: object, query: str) -> list[list[str]]:
    """The answer's rows, sorted; the parts of a GROUP_CONCAT cell sorted too (their order is the store's)."""
    lines = render(*answer(store, query, "text/tab-separated-values")).decode("utf-8").splitlines()
    return sorted(
        [sorted(re.sub(r'^"(.*)"$', r"\1", cell).split(", ")) for cell in line.split("\t")] for line in lines
    )


def _void(release_path: Path) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(dataset counts, entities per class, triples per property) from void.ttl."""
    triples = list(ox.parse((release_path / "void.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))

    def objects(s: object, p: str) -> list:
        return [t.object for t in triples if t.subject == s and t.predicate.value == iri(p)]

    (dataset,) = {
        t.subject
        for t in triples
        if t.predicate.value == iri("void:triples") and isinstance(t.subject, ox.NamedNode)
    }
    counts = {p: int(objects(dataset, f"void:{p}")[0].value) for p in ("triples", "documents", "entities")}
    classes = {
        objects(part, "void:class")[0].value: int(objects(part, "void:entities")[0].value)
        for part in objects(dataset, "void:classPartition")
    }
    props = {
        objects(part, "void:property")[0].value: int(objects(part, "void:triples")[0].value)
        for part in objects(dataset, "void:propertyPartition")
    }
    return counts, classes, props


def test_void_counts_equal_kg_stats(made: dict, loaded: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--store", str(loaded)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats == queries.stats(made["store"])  # the release holds the whole graph
    counts, classes, props = _void(made["release"].path)
    assert counts["triples"] == stats["quads"] == sum(props.values())
    assert counts["documents"] == stats["posts"] == classes[iri("schema:Article")]
    assert classes[iri("kg:Fact")] == stats["facts"]
    for cls, name in queries.class_types().items():
        assert classes[cls] == stats["entities"][name], name
    assert counts["entities"] == sum(stats["entities"].values())


@pytest.fixture(scope="module")
def dump(made: dict) -> ox.Store:
    """The release's kg.nq.gz, parsed."""
    db = ox.Store()
    with gzip.open(made["release"].path / "kg.nq.gz", "rb") as fh:
        db.load(fh.read(), format=ox.RdfFormat.N_QUADS)
    return db


def test_the_dump_holds_what_void_counts_and_no_bookkeeping(made: dict, dump: ox.Store) -> None:
    counts, _classes, props = _void(made["release"].path)
    quads = list(dump.quads_for_pattern(None, None, None, None))
    assert len(quads) == counts["triples"]
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)  # named graphs only
    graphs = {q.graph_name.value for q in quads}
    assert not graphs & set(bookkeeping_graphs())
    for prop, n in props.items():
        assert sum(1 for q in quads if q.predicate.value == prop) == n, prop


def _documented(section: str) -> list[str]:
    """The field names of the first Markdown table after a heading that names `section`."""
    start = DOCS.index(section)
    table = re.search(r"((?:^\|.*\|\n)+)", DOCS[start:], re.M)
    assert table, section
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", table.group(1), re.M)]


def test_tables_and_records_are_documented_field_by_field(made: dict) -> None:
    path = made["release"].path
    metadata = json.loads((path / "csv-metadata.json").read_text())
    for table, described in zip(TABLES, metadata["tables"], strict=True):
        with (path / table.file).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert (
            header
            == [c.name for c in table.columns]
            == [c["name"] for c in described["tableSchema"]["columns"]]
        )
        assert _documented(f"### {table.file}") == header, table.file
    records = [
        json.loads(line) for line in (path / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == sum(queries.stats(made["store"])["entities"].values())
    assert set().union(*(r.keys() for r in records)) == set(_documented("### entities.jsonl"))
    links = [link for r in records for link in r["links"]]
    assert set().union(*(link.keys() for link in links)) == set(_documented("#### links"))
    values = [v for r in records for vs in r["properties"].values() for v in vs]
    assert set().union(*(v.keys() for v in values)) == set(_documented("#### properties"))


def test_rows_carry_ids_the_dump_holds(made: dict, dump: ox.Store) -> None:
    path = made["release"].path
    with (path / "memberships.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (han,) = [r for r in rows if r["person_name"] == "한성숙" and r["role"] == "장관"]
    assert han["organization_id"] == "org/중소벤처기업부"
    assert (han["first_attested"], han["last_attested"]) == ("2025-09-11", "2026-01-22")
    assert int(han["posts"]) == len(han["post_ids"].split()) >= 5
    kinds = (ox.NamedNode(iri("rdf:type")), ox.NamedNode(iri("kg:Fact")))
    facts = {str(q.subject.value) for q in dump.quads_for_pattern(None, *kinds, None)}
    for statement in han["statement_ids"].split():
        assert queries.entity_iri(statement) in facts
    with (path / "program_operators.csv").open(encoding="utf-8", newline="") as fh:
        operators = {(r["program_name"], r["operator_name"]) for r in csv.DictReader(fh)}
    assert ("예비창업패키지", "창업진흥원") in operators
    records = {
        json.loads(line)["id"]: json.loads(line)
        for line in (path / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    }
    mss = records["org/중소벤처기업부"]
    assert mss["type"] == "Organization" and "중기부" in mss["aliases"]["ko"]
    held = [
        link
        for link in records["person/한성숙@중소벤처기업부"]["links"]
        if link["relation"] == "holdsPosition"
    ]
    assert held and held[0]["other"] == "org/중소벤처기업부" and held[0]["statements"]


def test_serve_lists_the_latest_release(made: dict) -> None:
    client = TestClient(create_app(settings(releases=str(made["folder"])), made["store"]))
    listing = client.get("/releases/").json()
    assert listing["count"] == 2 and listing["latest"]["name"] == "2026-01-22.2"
    page = client.get("/releases/", headers={"accept": "text/html"})
    assert page.status_code == 200 and "2026-01-22.2" in page.text and "kg.nq.gz" in page.text
    valid_html(page.text)
    latest = client.get("/releases/latest/void.ttl")
    assert latest.status_code == 200
    assert latest.content == (made["second"].path / "void.ttl").read_bytes()
    dump = client.get("/releases/2026-01-22/kg.nq.gz")
    assert dump.status_code == 200 and dump.content == (made["release"].path / "kg.nq.gz").read_bytes()
    for bad in (
        "/releases/2026-01-22/..%2F..%2Fetc%2Fpasswd",
        "/releases/2026-01-22/release.py",
        "/releases/x/kg.nq.gz",
    ):
        assert client.get(bad).status_code == 404, bad
