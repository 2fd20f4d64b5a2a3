"""Re-run extraction on the posts of a store that an older extractor read, from the store alone.

Every post graph keeps what extraction needs: the cleaned text (`schema:text`), the post's
description (id, title, source, date, publisher, licence, section, keywords, attachments),
the payload of an open-data record (`kg:structuredData`) and the content hash of the
original input. `stale_posts` finds the posts whose `kg:extractorVersion` is not the running
extractor's; `stored_posts` rebuilds them as `Post`s (keeping the stored content hash, since
the raw text is not kept); `reextract` sends them through the ordinary ingest path, so each
post is replaced atomically, like an edit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from kg.build.pipeline import Extract, IngestReport, OnEvent, ingest
from kg.model import InputError, Post
from kg.store.base import Store
from kg.version import extractor_version as current_extractor_version
from kg.vocab.ontology import iri, sparql_prefixes

PAGE = 64  # posts read back per query

# predicate → Post field; several values are kept for the list fields
FIELDS = {
    "dcterms:identifier": "id",
    "schema:text": "text",
    "dcterms:title": "title",
    "dcterms:source": "url",
    "dcterms:issued": "published",
    "dcterms:publisher": "publisher",
    "dcterms:license": "licence",
    "schema:articleSection": "category",
    "schema:keywords": "hashtags",
    "schema:associatedMedia": "attachments",
    "kg:structuredData": "structured",
    "kg:contentHash": "known_hash",
}
LIST_FIELDS = ("hashtags", "attachments")
OPEN_DATA_RULE = "opendata.field"


def stale_posts(store: Store, version: str | None = None) -> list[str]:
    """IRIs of the posts not read by extractor `version` (default: the running one), sorted."""
    version = version or current_extractor_version()
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?p WHERE {{ GRAPH ?p {{ ?p a schema:Article }}
  FILTER NOT EXISTS {{ GRAPH ?p {{ ?p kg:extractorVersion {json.dumps(version)} }} }} }} ORDER BY ?p"""
    )
    return [r["p"].value for r in rows]


def stored_posts(store: Store, post_iris: Iterable[str]) -> Iterator[Post | InputError]:
    """The posts as the store keeps them; a post that cannot be rebuilt is an InputError."""
    names = {iri(p): name for p, name in FIELDS.items()}
    attributed = iri("prov:wasAttributedTo")
    todo = list(post_iris)
    for start in range(0, len(todo), PAGE):
        chunk = todo[start : start + PAGE]
        values = " ".join(f"<{p}>" for p in chunk)
        predicates = " ".join(f"<{p}>" for p in names)
        rows = store.select(
            sparql_prefixes()
            + f"""SELECT ?g ?k ?v WHERE {{ VALUES ?g {{ {values} }}
  {{ GRAPH ?g {{ ?g ?k ?v VALUES ?k {{ {predicates} }} }} }}
  UNION {{ GRAPH ?g {{ ?f prov:wasAttributedTo ?r . ?r rdfs:label "{OPEN_DATA_RULE}" }} BIND(<{attributed}> AS ?k) BIND(true AS ?v) }} }}"""
        )
        found: dict[str, dict[str, Any]] = {p: {} for p in chunk}
        for r in rows:
            g, k, v = r["g"].value, r["k"].value, r["v"].value
            if k == attributed:
                found[g]["open_data_facts"] = True
                continue
            field = names[k]
            if field in LIST_FIELDS:
                found[g].setdefault(field, []).append(v)
            else:
                found[g].setdefault(field, v)
        for post_iri in chunk:
            yield _post(post_iri, found[post_iri])


def _post(post_iri: str, fields: dict[str, Any]) -> Post | InputError:
    if "id" not in fields or "text" not in fields or "known_hash" not in fields:
        return InputError(post_iri, "the store does not keep this post's id, text and content hash")
    structured = None
    if "structured" in fields:
        try:
            structured = json.loads(fields["structured"])
        except json.JSONDecodeError as exc:
            return InputError(post_iri, f"its stored open-data payload is not JSON: {exc}")
    elif fields.get("open_data_facts"):
        return InputError(
            post_iri,
            "it has open-data facts but the store does not keep their record (it was ingested "
            "before records were kept): ingest it again from its source file",
        )
    try:
        published = date.fromisoformat(fields["published"]) if "published" in fields else None
    except ValueError:
        return InputError(post_iri, f"its stored date {fields['published']!r} is not a date")
    return Post(
        id=fields["id"],
        text=fields["text"],
        title=fields.get("title"),
        url=fields.get("url"),
        published=published,
        publisher=fields.get("publisher"),
        licence=fields.get("licence"),
        category=fields.get("category"),
        source=post_iri,
        hashtags=tuple(sorted(fields.get("hashtags", ()))),
        attachments=tuple(sorted(fields.get("attachments", ()))),
        structured=structured,
        known_hash=fields["known_hash"],
    )


def reextract(
    store: Store,
    extract: Extract,
    everything: bool = False,
    batch_size: int = 16,
    fail_fast: bool = False,
    on_event: OnEvent | None = None,
    extractor_version: str | None = None,
) -> IngestReport:
    """Extract the stale posts again (every post with `everything`) and replace their graphs."""
    version = extractor_version or current_extractor_version()
    iris = store.post_iris() if everything else stale_posts(store, version)
    report = ingest(
        store,
        stored_posts(store, iris),
        extract,
        batch_size=batch_size,
        force=True,
        fail_fast=fail_fast,
        on_event=on_event,
        extractor_version=version,
    )
    report.reextracted = report.written
    return report
