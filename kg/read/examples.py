"""The README's SPARQL questions (kg.read.example_queries) and the posts they are asked of.

`sample_store()` builds the in-memory store the notebooks use: the bundled sample posts and
the founding post (both in data/samples). The questions themselves live in
kg.read.example_queries (no extraction there, so the API can read them); they are named here too.
"""

from __future__ import annotations

from pathlib import Path

from kg.read.example_queries import (
    EXAMPLES,
    ORG,
    ROLE,
    Example,
    Param,
    complete_prefixes,
    example,
    markdown,
    prefix_lines,
    rows_from_json,
    run,
    tree_lines,
)
from kg.resources import DATA_DIR
from kg.store.base import Store

__all__ = [
    "EXAMPLES",
    "ORG",
    "ROLE",
    "SAMPLES",
    "SHARED_POSTS",
    "Example",
    "Param",
    "complete_prefixes",
    "endpoint_hint",
    "example",
    "markdown",
    "prefix_lines",
    "rows_from_json",
    "run",
    "sample_paths",
    "sample_store",
    "tree_lines",
]

SAMPLES = DATA_DIR / "samples"
# the founding post ships in data/samples; a checkout beside the team's shared corpus may hold more posts
SHARED_POSTS = DATA_DIR.parent.parent / "shared" / "corpus" / "posts"
POST_SUFFIXES = (".md", ".txt")


def sample_paths(include_shared: bool = True) -> list[Path]:
    """The bundled posts (data/samples: the team's samples and the founding post, not the README)
    and, with `include_shared`, any post of ../shared/corpus/posts that is not bundled already
    (the founding post is in both: it is read once)."""
    paths = sorted(
        p for p in SAMPLES.iterdir() if p.suffix in POST_SUFFIXES and not p.name.upper().startswith("README")
    )
    if include_shared and SHARED_POSTS.is_dir():
        bundled = {p.name for p in paths}
        paths += sorted(
            p for p in SHARED_POSTS.iterdir() if p.suffix in POST_SUFFIXES and p.name not in bundled
        )
    return paths


def sample_store(include_shared: bool = True) -> Store:
    """An in-memory store with the sample posts ingested (runs extraction: loads spaCy)."""
    from kg.build.pipeline import ingest
    from kg.ingest import read_posts
    from kg.store import open_store

    store = open_store("memory")
    report = ingest(store, read_posts(sample_paths(include_shared)))
    if not report.ok:
        raise ValueError("; ".join(str(e) for e in report.errors))
    return store


def endpoint_hint() -> str:
    """Where `kg serve` answers SPARQL by default (for the notebook's SPARQLWrapper cell)."""
    return "http://127.0.0.1:8000/sparql"


if __name__ == "__main__":
    print(markdown())
