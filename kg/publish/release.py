"""`kg release DIR`: a dated, self-describing copy of the graph that people can download and cite.

DIR/<YYYY-MM-DD>/ (`.2`, `.3` … for a second release on the same day) holds:

- `kg.nq.gz` — every post graph, the derived membership intervals, the ontology and the
  authority lexicon as N-Quads (gzip); kg's bookkeeping graphs (generation, change log) are
  left out. `kg load` reads it into any kg store; other stores load it as it is.
- `entities.jsonl` — one flat JSON object per entity (kg.publish.records);
- `memberships.csv`, `program_operators.csv`, `event_participants.csv`,
  `sub_organisations.csv`, `posts.csv`, with `csv-metadata.json` (W3C CSV on the Web);
- `void.ttl` — the description: a VoID and DCAT dataset with its counts per class and per
  property, the licence of each source, the extractor versions, the last run it includes and
  the time of the release; one distribution per file with its size and SHA-256;
- `release.json` (the same summary for programs) and `SHA256SUMS`.

The release is written into a hidden folder and renamed when whole, so DIR never holds half
a release. docs/releases.md describes every field.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.publish.records import TABLES, entity_records, read_graph, table_rows
from kg.read import changes
from kg.read.queries import class_types
from kg.store import scan
from kg.store.base import Store, bookkeeping_graphs, check_base, prefix_map
from kg.vocab.ontology import base, data_iri, iri, prefixes, sparql_prefixes

DUMP = "kg.nq.gz"
RECORDS = "entities.jsonl"
DESCRIPTION = "void.ttl"
SUMMARY = "release.json"
CHECKSUMS = "SHA256SUMS"
CSVW = "csv-metadata.json"
MEDIA = {
    DUMP: "application/n-quads",
    RECORDS: "application/jsonl",
    DESCRIPTION: "text/turtle",
    CSVW: "application/csvm+json",
    ".csv": "text/csv",
}
# the licences of what kg itself contributes (data/LICENSES.md)
OWN_PARTS = (
    ("ontology and shapes", "kg project", "MIT"),
    ("authority lexicon (graph/lexicon)", "kg project", "https://creativecommons.org/publicdomain/zero/1.0/"),
)
Clock = Callable[[], datetime]


@dataclass
class ReleaseFile:
    name: str
    media_type: str
    size: int
    sha256: str
    items: int  # quads, records or rows


@dataclass
class Release:
    name: str
    path: Path
    issued: str
    files: list[ReleaseFile] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


def _release_name(folder: Path, day: str) -> str:
    name, n = day, 1
    while (folder / name).exists():
        n += 1
        name = f"{day}.{n}"
    return name


def _file(path: Path, items: int) -> ReleaseFile:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    media = MEDIA.get(path.name) or MEDIA.get(path.suffix, "application/octet-stream")
    return ReleaseFile(path.name, media, path.stat().st_size, sha.hexdigest(), items)


@dataclass
class DumpCounts:
    quads: int = 0
    properties: Counter[str] = field(default_factory=Counter)  # quads per predicate
    classes: dict[str, set[str]] = field(default_factory=dict)  # class → distinct subjects
    graphs: int = 0


def write_dump(store: Store, path: Path, page_rows: int = scan.DEFAULT_PAGE_ROWS) -> DumpCounts:
    """Every quad of the data graphs (not kg's bookkeeping graphs) as gzip'd N-Quads, read in pages."""
    skip = " && ".join(f"?g != <{g}>" for g in bookkeeping_graphs())
    query = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({skip}) }}"
    counts = DumpCounts()
    rdf_type = iri("rdf:type")
    graphs: set[str] = set()
    with path.open("wb") as raw, gzip.GzipFile(filename="kg.nq", mode="wb", fileobj=raw, mtime=0) as out:
        for lines in scan.pages(store, query, page_rows):
            if not lines:
                continue
            page: Any = ox.parse_query_results(
                ("?s\t?p\t?o\t?g\n" + "\n".join(lines) + "\n").encode("utf-8"), ox.QueryResultsFormat.TSV
            )
            chunk = []
            for s, p, o, g in page:
                chunk.append(f"{s} {p} {o} {g} .\n")
                counts.properties[p.value] += 1
                if p.value == rdf_type:
                    counts.classes.setdefault(o.value, set()).add(s.value)
                graphs.add(g.value)
            out.write("".join(chunk).encode("utf-8"))
            counts.quads += len(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    counts.graphs = len(graphs)
    return counts


def _write_records(store_graph: Any, path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in entity_records(store_graph):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
            n += 1
    return n


def _write_tables(store_graph: Any, folder: Path) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        with (folder / table.file).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([c.name for c in table.columns])
            n = 0
            for row in table_rows(store_graph, table.file):
                writer.writerow(row)
                n += 1
        counts[table.file] = n
    return counts


def csvw_metadata() -> dict[str, Any]:
    """The CSV on the Web description of the tables (column names, datatypes, descriptions)."""
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": "kg release tables",
        "tables": [
            {
                "url": table.file,
                "dc:description": table.description,
                "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
                "tableSchema": {
                    "columns": [
                        {
                            "name": c.name,
                            "titles": c.name,
                            "datatype": c.datatype,
                            "dc:description": c.description,
                        }
                        for c in table.columns
                    ]
                },
            }
            for table in TABLES
        ],
    }


def _sources(store: Store) -> list[dict[str, Any]]:
    """Publisher → licences and post count, from the posts' own statements."""
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?publisher ?licence (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?p { ?p a schema:Article .
  OPTIONAL { ?p dcterms:publisher ?publisher } OPTIONAL { ?p dcterms:license ?licence } } }
GROUP BY ?publisher ?licence ORDER BY DESC(?n) ?publisher ?licence"""
    )
    return [
        {
            "publisher": r["publisher"].value if "publisher" in r else None,
            "licence": r["licence"].value if "licence" in r else None,
            "posts": int(r["n"].value),
        }
        for r in rows
    ]


def _extractor_versions(store: Store) -> list[str]:
    rows = store.select(
        sparql_prefixes()
        + """SELECT DISTINCT ?v WHERE { ?f a kg:Fact ; prov:wasAttributedTo/prov:actedOnBehalfOf ?a . ?a kg:version ?v }
ORDER BY ?v"""
    )
    return [r["v"].value for r in rows]


def write_release(
    store: Store, folder: Path, clock: Clock = _now, page_rows: int = scan.DEFAULT_PAGE_ROWS
) -> Release:
    """Write a release of the store into a new dated folder under `folder`."""
    check_base(store, record=False)  # the release names its dataset and files under this base
    folder.mkdir(parents=True, exist_ok=True)
    started = clock()
    name = _release_name(folder, started.strftime("%Y-%m-%d"))
    work = folder / f".{name}.part-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        counts = write_dump(store, work / DUMP, page_rows)
        graph = read_graph(store, page_rows)
        records = _write_records(graph, work / RECORDS)
        rows = _write_tables(graph, work)
        release_url = data_iri(f"releases/{name}/")
        (work / CSVW).write_text(
            json.dumps(csvw_metadata(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        files = [_file(work / DUMP, counts.quads), _file(work / RECORDS, records)]
        files += [_file(work / t.file, rows[t.file]) for t in TABLES]
        files.append(_file(work / CSVW, len(TABLES)))
        issued = clock()
        last = changes.latest(store)
        summary = {
            "name": name,
            "dataset": data_iri(f"releases/{name}"),
            "issued": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "base_iri": base(),
            "kg_version": __version__,
            "extractor_versions": _extractor_versions(store),
            "last_run": last["run"],
            "last_change": last["time"],
            "counts": {
                "quads": counts.quads,
                "graphs": counts.graphs,
                "posts": len(counts.classes.get(iri("schema:Article"), ())),
                "facts": len(counts.classes.get(iri("kg:Fact"), ())),
                "entities": {name_: len(counts.classes.get(c, ())) for c, name_ in class_types().items()},
                "classes": {c: len(s) for c, s in sorted(counts.classes.items())},
                "properties": dict(sorted(counts.properties.items())),
                "records": records,
                "rows": rows,
            },
            "sources": _sources(store),
            "own_parts": [{"part": p, "by": b, "licence": lic} for p, b, lic in OWN_PARTS],
        }
        description = void_description(summary, files, release_url)
        (work / DESCRIPTION).write_bytes(description)
        files.append(_file(work / DESCRIPTION, 0))
        summary["files"] = [f.__dict__ for f in files]
        (work / SUMMARY).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (work / CHECKSUMS).write_text("".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8")
        work.rename(folder / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Release(name, folder / name, summary["issued"], files, summary)


def void_description(summary: dict[str, Any], files: list[ReleaseFile], release_url: str) -> bytes:
    """The release as a VoID + DCAT dataset, in Turtle."""
    g: list[ox.Triple] = []
    dataset = ox.NamedNode(summary["dataset"])
    N = ox.NamedNode

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: Any) -> None:
        g.append(ox.Triple(s, N(iri(p)), o))

    def lit(value: Any, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=N(iri(datatype))) if datatype else ox.Literal(str(value))

    counts = summary["counts"]
    add(dataset, "rdf:type", N(iri("void:Dataset")))
    add(dataset, "rdf:type", N(iri("dcat:Dataset")))
    add(dataset, "dcterms:title", lit(f"kg release {summary['name']}", lang="en"))
    add(dataset, "dcterms:title", lit(f"kg 배포판 {summary['name']}", lang="ko"))
    add(
        dataset,
        "dcterms:description",
        lit(
            "Organisations, people, programs and events read from Korean public-sector and startup-support "
            "posts, every fact with the sentence and post that state it.",
            lang="en",
        ),
    )
    add(dataset, "dcterms:issued", lit(summary["issued"], "xsd:dateTime"))
    if summary["last_change"]:
        add(dataset, "dcterms:modified", lit(summary["last_change"], "xsd:dateTime"))
    add(dataset, "dcat:version", lit(summary["name"]))
    add(dataset, "void:uriSpace", lit(data_iri("id/")))
    add(dataset, "void:triples", lit(counts["quads"], "xsd:integer"))
    add(dataset, "void:documents", lit(counts["posts"], "xsd:integer"))
    add(dataset, "void:entities", lit(sum(counts["entities"].values()), "xsd:integer"))
    add(dataset, "void:dataDump", N(release_url + DUMP))
    for ns in sorted(set(prefixes().values())):
        add(dataset, "void:vocabulary", N(ns))
    for cls, n in counts["classes"].items():
        part = ox.BlankNode()
        add(dataset, "void:classPartition", part)
        add(part, "void:class", N(cls))
        add(part, "void:entities", lit(n, "xsd:integer"))
    for prop, n in counts["properties"].items():
        part = ox.BlankNode()
        add(dataset, "void:propertyPartition", part)
        add(part, "void:property", N(prop))
        add(part, "void:triples", lit(n, "xsd:integer"))
    for source in summary["sources"]:
        part = ox.BlankNode()
        add(dataset, "void:subset", part)
        add(part, "rdf:type", N(iri("void:Dataset")))
        if source["publisher"]:
            add(part, "dcterms:publisher", lit(source["publisher"], lang="ko"))
        if source["licence"]:
            add(part, "dcterms:license", lit(source["licence"]))
        add(part, "void:documents", lit(source["posts"], "xsd:integer"))
    for part_name, by, licence in OWN_PARTS:
        part = ox.BlankNode()
        add(dataset, "void:subset", part)
        add(part, "rdf:type", N(iri("void:Dataset")))
        add(part, "dcterms:title", lit(part_name, lang="en"))
        add(part, "dcterms:creator", lit(by))
        add(part, "dcterms:license", N(licence) if licence.startswith("http") else lit(licence))
    activity = ox.BlankNode()
    add(dataset, "prov:wasGeneratedBy", activity)
    add(activity, "rdf:type", N(iri("prov:Activity")))
    add(activity, "prov:endedAtTime", lit(summary["issued"], "xsd:dateTime"))
    if summary["last_run"]:
        add(activity, "prov:wasInformedBy", N(changes.run_iri(summary["last_run"])))
    for version in summary["extractor_versions"]:
        agent = ox.BlankNode()
        add(dataset, "prov:wasAttributedTo", agent)
        add(agent, "rdf:type", N(iri("kg:Extractor")))
        add(agent, "kg:version", lit(version))
    for f in files:
        dist = N(release_url + f.name)
        add(dataset, "dcat:distribution", dist)
        add(dist, "rdf:type", N(iri("dcat:Distribution")))
        add(dist, "dcterms:title", lit(f.name))
        add(dist, "dcat:downloadURL", dist)
        add(dist, "dcat:mediaType", N(f"https://www.iana.org/assignments/media-types/{f.media_type}"))
        if f.name.endswith(".gz"):
            add(
                dist,
                "dcat:compressFormat",
                N("https://www.iana.org/assignments/media-types/application/gzip"),
            )
        add(dist, "dcat:byteSize", lit(f.size, "xsd:nonNegativeInteger"))
        checksum = ox.BlankNode()
        add(dist, "spdx:checksum", checksum)
        add(checksum, "rdf:type", N(iri("spdx:Checksum")))
        add(checksum, "spdx:algorithm", N(iri("spdx:checksumAlgorithm_sha256")))
        add(checksum, "spdx:checksumValue", lit(f.sha256, "xsd:hexBinary"))
    return ox.serialize(g, format=ox.RdfFormat.TURTLE, prefixes=prefix_map()) or b""


def latest_release(folder: Path) -> dict[str, Any] | None:
    """The newest release's summary (release.json) under `folder`, or None."""
    found = list_releases(folder)
    return found[0] if found else None


def list_releases(folder: Path) -> list[dict[str, Any]]:
    """Every release's summary under `folder`, newest first (by issue time)."""
    out: list[dict[str, Any]] = []
    if not folder.is_dir():
        return out
    for child in folder.iterdir():
        summary_file = child / SUMMARY
        if child.name.startswith(".") or not summary_file.is_file():
            continue
        try:
            data = json.loads(summary_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("name") == child.name:
            out.append(data)
    return sorted(out, key=lambda d: (str(d.get("issued")), str(d.get("name"))), reverse=True)
