"""`kg load` through the embedded store's bulk loader: the same graph as atomic batches, loading
twice changes nothing, a newer version of a post replaces the old one, and a load stopped
after the bulk write is undone whole by the next load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build import bulkscan
from kg.build.bulk import OxigraphBulk, load_files_bulk, unfinished
from kg.build.bulkscan import scan_files
from kg.build.pipeline import extract_posts
from kg.build.shards import load_files, write_shards
from kg.ingest import read_posts
from kg.read.validate import validate_store
from kg.store.base import bookkeeping_graphs
from kg.store.oxigraph import OxigraphStore

from .conftest import SAMPLES

GENERATION = "https://kg.example.org/ontology#generation"


@pytest.fixture(scope="module")
def shards(extractor: Any, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("shards")
    posts = sorted(SAMPLES.glob("sample-20[12]*.md"))[:9]
    errors: list[Any] = []
    write_shards(extract_posts(read_posts(posts), lambda items: extractor.pipe(items)), out, 4, errors)
    assert not errors
    return sorted(out.glob("*.nq"))


def dataset(store: OxigraphStore) -> set[str]:
    bookkeeping = set(bookkeeping_graphs())  # the generation marker and the change log
    return {
        str(q)
        for q in store.db
        if q.predicate.value != GENERATION and getattr(q.graph_name, "value", "") not in bookkeeping
    }


def test_bulk_load_builds_the_graph_atomic_batches_build(shards: list[Path], tmp_path: Path) -> None:
    batches, bulk = OxigraphStore(tmp_path / "batches"), OxigraphStore(tmp_path / "bulk")
    assert load_files(batches, shards).posts == 9
    report = load_files_bulk(bulk, shards, OxigraphBulk(bulk.db))
    assert (report.posts, report.graphs, report.files, report.undone) == (9, 2, 4, 0)
    assert dataset(bulk) == dataset(batches)
    merged = list(bulk.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert len(merged) > 1000
    load_files_bulk(bulk, shards, OxigraphBulk(bulk.db))  # again: nothing changes
    assert dataset(bulk) == dataset(batches)
    assert validate_store(bulk) == []


TITLE = ox.NamedNode("http://purl.org/dc/terms/title")


def _newer_version(shards: list[Path], tmp_path: Path) -> tuple[Any, ox.NamedNode, Path]:
    """A file with a newer version of the first shard's first post: the same, without its title."""
    shard = next(p for p in shards if p.name.startswith("shard-"))
    quads = list(ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS))
    post = quads[0].graph_name
    newer = tmp_path / "newer.nq"
    newer.write_bytes(
        ox.serialize(
            (q for q in quads if q.graph_name == post and not (q.subject == post and q.predicate == TITLE)),
            format=ox.RdfFormat.N_QUADS,
        )
        or b""
    )
    return post, TITLE, newer


def test_bulk_load_replaces_an_older_version_of_a_post(shards: list[Path], tmp_path: Path) -> None:
    """A later file with a post's new version (here: without its title) replaces the old one, as
    atomic batches do; the triples only the old version stated leave the default graph."""
    post, title, newer = _newer_version(shards, tmp_path)
    stores = []
    for name in ("batches", "bulk"):
        store = OxigraphStore(tmp_path / name)
        for files in (shards, [newer]):
            if name == "bulk":
                load_files_bulk(store, files, OxigraphBulk(store.db))
            else:
                load_files(store, files)
        assert not list(store.db.quads_for_pattern(post, title, None, None))
        stores.append(store)
    assert dataset(stores[0]) == dataset(stores[1])


class Interrupted(OxigraphBulk):
    """The real loader, stopped (as by Ctrl-C) after the post graphs are written."""

    def union(self, posts: Any) -> None:
        raise KeyboardInterrupt


def test_an_interrupted_bulk_load_is_undone_by_the_next(shards: list[Path], tmp_path: Path) -> None:
    clean = OxigraphStore(tmp_path / "clean")
    load_files_bulk(clean, shards, OxigraphBulk(clean.db))
    store = OxigraphStore(tmp_path / "store")
    load_files_bulk(store, shards[:2], OxigraphBulk(store.db))  # some posts loaded whole before
    with pytest.raises(KeyboardInterrupt):
        load_files_bulk(store, shards, Interrupted(store.db))
    left = unfinished(store)
    assert len(left) == 9  # recorded, and their graphs written without the rest
    report = load_files_bulk(store, [], OxigraphBulk(store.db))
    assert report.undone == 9 and unfinished(store) == []
    assert store.post_iris() == []  # only whole posts: none of the interrupted load's
    attested = ox.NamedNode("https://kg.example.org/ontology#attestedOn")
    assert not list(store.db.quads_for_pattern(None, attested, None, None))  # nor their default-graph triples
    load_files_bulk(store, shards, OxigraphBulk(store.db))
    assert dataset(store) == dataset(clean)


def _one_file(shards: list[Path], out: Path) -> Path:
    """The shards (reference graphs first) as one N-Quads file."""
    out.write_bytes(b"".join(p.read_bytes() for p in sorted(shards, key=lambda p: p.name != "reference.nq")))
    return out


def test_a_large_file_is_read_in_parts_by_worker_processes(
    shards: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan cuts a file above PART_BYTES at line ends and reads the parts in worker
    processes: the posts, reference graphs and staged quads are those of a whole read, and the
    store is the one atomic batches build."""
    nq = _one_file(shards, tmp_path / "all.nq")
    whole, _ = scan_files([nq], tmp_path, copies=True, workers=1)
    staged = tmp_path / "parts"
    staged.mkdir()
    parted, errors = scan_files([nq], staged, copies=True, workers=2, part_bytes=nq.stat().st_size // 3)
    assert not errors and len(parted[0].staged) == 2
    assert (parted[0].posts, parted[0].memberships) == (whole[0].posts, whole[0].memberships)
    assert parted[0].reference.keys() == whole[0].reference.keys() == {"ontology", "lexicon"}
    assert {str(q) for q in parted[0].reference["lexicon"]} == {str(q) for q in whole[0].reference["lexicon"]}
    lines = [line for f in parted[0].staged for line in f.read_bytes().splitlines()]
    assert lines == whole[0].staged[0].read_bytes().splitlines()

    monkeypatch.setattr(bulkscan, "PART_BYTES", nq.stat().st_size // 3)
    batches, bulk = OxigraphStore(tmp_path / "batches"), OxigraphStore(tmp_path / "bulk")
    load_files(batches, shards)
    report = load_files_bulk(bulk, [nq], OxigraphBulk(bulk.db))
    assert (report.posts, report.graphs, report.errors) == (9, 2, [])
    assert dataset(bulk) == dataset(batches)


def test_a_broken_line_in_a_later_part_fails_the_file_whole(
    shards: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression guard for reading in parts: a bad line near the end of a large file is
    reported with its line number in the whole file, nothing of that file is written, and the
    other files load."""
    nq = _one_file(shards, tmp_path / "all.nq")
    text = nq.read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.nq"
    broken.write_bytes(
        b"".join([*text[:-3], b"<https://kg.example.org/id/post/z> not n-quads .\n", *text[-3:]])
    )
    other = next(p for p in shards if p.name.startswith("shard-"))
    monkeypatch.setattr(bulkscan, "PART_BYTES", broken.stat().st_size // 3)
    store = OxigraphStore(tmp_path / "store")
    report = load_files_bulk(store, [broken, other], OxigraphBulk(store.db))
    assert [e.source for e in report.errors] == [str(broken)]
    assert f"line {len(text) - 2} " in report.errors[0].reason
    only = {q.graph_name.value for q in ox.parse(path=str(other), format=ox.RdfFormat.N_QUADS)}
    assert set(store.post_iris()) == only and report.posts == len(only)
    assert unfinished(store) == [] and validate_store(store) == []


def test_a_post_in_two_files_of_one_load_keeps_the_last_files_version(
    shards: list[Path], tmp_path: Path
) -> None:
    """The staged quads of an earlier file are filtered when a later file of the same load has
    the post (its new version, here without its title): the store is the one atomic batches
    build from the same files."""
    post, title, newer = _newer_version(shards, tmp_path)
    batches, bulk = OxigraphStore(tmp_path / "batches"), OxigraphStore(tmp_path / "bulk")
    load_files(batches, [*shards, newer])
    report = load_files_bulk(bulk, [*shards, newer], OxigraphBulk(bulk.db))
    assert report.posts == 9
    assert not list(bulk.db.quads_for_pattern(post, title, None, None))
    assert dataset(bulk) == dataset(batches)
