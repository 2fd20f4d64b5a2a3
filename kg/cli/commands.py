"""The `kg` command: a thin layer over the library.

Every command takes `--store` (default `./kgdata`, or KG_STORE): a folder for the
embedded Oxigraph store, `memory`, or the URL of a SPARQL 1.1 store.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.model import InputError, KgError

STORE_HELP = (
    "Folder of the embedded store, `memory`, or a SPARQL endpoint URL [env KG_STORE; default ./kgdata]."
)


def _store(spec: str | None) -> Any:
    from kg.store import open_store

    try:
        return open_store(spec)
    except KgError as exc:
        raise click.ClickException(str(exc)) from exc


def _say_error(err: InputError) -> None:
    click.echo(f"error: {err}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and query a knowledge graph of Korean public-sector and startup-support news."""


def _processes(requested: int) -> int:
    """0 means: every core, at most two (the machine kg is sized for)."""
    import os

    return requested if requested > 0 else max(1, min(2, os.cpu_count() or 1))


def _fetch_options(timeout: float, retries: int) -> Any:
    from kg.ingest.fetch import FetchOptions

    return FetchOptions(timeout=timeout, retries=retries)


FETCH_OPTIONS = [
    click.option("--timeout", default=20.0, show_default=True, help="Seconds allowed for each URL fetch."),
    click.option(
        "--retries", default=2, show_default=True, help="Retries of a URL that timed out or answered 5xx."
    ),
]


def _with_fetch_options(func: Any) -> Any:
    for option in reversed(FETCH_OPTIONS):
        func = option(func)
    return func


ENGINE_OPTION = click.option(
    "--engine",
    default="local",
    show_default=True,
    help="Where extraction runs: `local` (worker processes on this machine, -j) or "
    "`dask://HOST:PORT` (the workers of a Dask cluster; docs/ingest.md).",
)
LOG_EVERY_OPTION = click.option(
    "--log-every",
    default=10.0,
    show_default=True,
    help="Seconds between progress lines when not on a terminal.",
)
PARTITION_OPTION = click.option(
    "--partition-size",
    default=16,
    show_default=True,
    type=click.IntRange(1),
    help="Posts sent to a cluster worker at a time (with --engine dask://).",
)


def _cluster(engine: str) -> str | None:
    from kg.build.distributed import cluster_address

    try:
        return cluster_address(engine)
    except KgError as exc:
        raise click.BadParameter(str(exc), param_hint="--engine") from exc


def _extract_fn(engine: str, processes: int, partition_size: int, on_event: Any) -> Any:
    """The map step: this machine's pool, or a Dask cluster."""
    from kg.build.pipeline import default_extract

    address = _cluster(engine)
    if address is None:
        return default_extract(_processes(processes))
    from kg.build.distributed import dask_extract

    return dask_extract(address, partition_size, on_event)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--processes", "-j", default=0, show_default=True, help="Extraction worker processes (0: both cores)."
)
@click.option("--batch-size", default=16, show_default=True, help="Posts written per atomic store update.")
@click.option("--force", is_flag=True, help="Re-extract posts even when their content is unchanged.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first input that fails.")
@ENGINE_OPTION
@PARTITION_OPTION
@LOG_EVERY_OPTION
@_with_fetch_options
def ingest(
    paths: tuple[str, ...],
    store_spec: str | None,
    processes: int,
    batch_size: int,
    force: bool,
    fail_fast: bool,
    engine: str,
    partition_size: int,
    log_every: float,
    timeout: float,
    retries: int,
) -> None:
    """Read posts, extract, resolve and write them into the store.

    PATHS are files, folders (read recursively), http(s) URLs, or `-` for JSON Lines on
    stdin. Formats by suffix: .txt .md (plain text, front matter), .html .htm (saved
    article pages), .pdf .hwpx (press releases), .json (open-data API payloads), .jsonl.

    Idempotent: a post whose content has not changed is skipped; an edited post replaces
    its facts. Bad inputs are reported one line each; the others are still ingested, and
    the exit status is 1 when anything failed.
    """
    from kg.build.pipeline import ingest as run_ingest
    from kg.cli.progress import Progress
    from kg.ingest import estimate_total, read_posts

    _cluster(engine)  # a bad --engine is a usage error before anything starts
    store = _store(store_spec)
    progress = Progress(None if "-" in paths else estimate_total(paths), every=log_every)
    # a local pipeline loads before the bar moves; a cluster's workers load theirs
    extract = _extract_fn(engine, processes, partition_size, progress)
    try:
        report = run_ingest(
            store,
            read_posts(paths, fetch_options=_fetch_options(timeout, retries)),
            extract,
            batch_size=batch_size,
            force=force,
            fail_fast=fail_fast,
            on_event=progress,
        )
    finally:
        progress.close()
        store.close()
        del store  # release the store's lock now, before any exit (callers in-process may reopen it)
    click.echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "nq"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per document (../shared/docs/gold-format.md) on stdout; "
    "nq: N-Quads shard files of resolved post graphs in --output (for a bulk load).",
)
@click.option(
    "--processes", "-j", default=1, show_default=True, help="Extraction worker processes (0: both cores)."
)
@click.option("--with-text", is_flag=True, help="jsonl: include the cleaned text in each line.")
@click.option(
    "--shard-size", default=1000, show_default=True, help="nq: input posts per shard file (one cluster task)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    help="nq: folder for shard-NNNNN.nq and reference.nq (on a cluster: a folder every worker can write).",
)
@ENGINE_OPTION
@PARTITION_OPTION
@LOG_EVERY_OPTION
@_with_fetch_options
def extract(
    paths: tuple[str, ...],
    fmt: str,
    processes: int,
    with_text: bool,
    shard_size: int,
    output: str | None,
    engine: str,
    partition_size: int,
    log_every: float,
    timeout: float,
    retries: int,
) -> None:
    """Run extraction without touching the store: gold-format lines, or N-Quads shards.

    The id is the file stem, or the `id` field of a JSONL input (whose lines carry `id`,
    `text` and optional `published`), so a gold file can be fed back in. With
    `--format nq`, load the shards with `kg load` or any SPARQL store (docs/ingest.md).
    With `--engine dask://HOST:PORT` the workers of a Dask cluster extract (and, for nq,
    write the shards: the same files a local run writes).
    """
    from kg.build.pipeline import extract_posts
    from kg.cli.progress import Progress
    from kg.ingest import estimate_total, read_posts

    if fmt == "nq" and not output:
        raise click.UsageError("--format nq writes shard files: give the folder with -o/--output")
    if shard_size < 1:
        raise click.UsageError("--shard-size must be at least 1")
    address = _cluster(engine)
    errors: list[InputError] = []

    def posts() -> Any:
        for item in read_posts(paths, fetch_options=_fetch_options(timeout, retries)):
            if isinstance(item, InputError):
                _say_error(item)
                errors.append(item)
            else:
                yield item

    if fmt == "nq":
        from kg.build.shards import write_shards

        shard_errors: list[InputError] = []
        progress = Progress(None if "-" in paths else estimate_total(paths), every=log_every)
        try:
            if address is None:
                results = extract_posts(posts(), _extract_fn(engine, processes, partition_size, progress))
                report = write_shards(results, Path(output or "."), shard_size, shard_errors, progress)
            else:
                from kg.build.distributed import write_shards_on_cluster

                report = write_shards_on_cluster(
                    posts(), Path(output or "."), shard_size, address, shard_errors, progress
                )
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            progress.close()
        errors += shard_errors
        click.echo(
            f"wrote {report.posts} posts in {report.shards} shard(s), {report.quads} quads, to {output}",
            err=True,
        )
    else:
        from kg.extract.gold import to_record

        results = extract_posts(posts(), _extract_fn(engine, processes, partition_size, None))
        for result in results:
            if isinstance(result, InputError):
                _say_error(result)
                errors.append(result)
                continue
            click.echo(json.dumps(to_record(result, with_text=with_text), ensure_ascii=False))
    if errors:
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option("--batch-size", default=64, show_default=True, help="Posts written per atomic store update.")
@click.option(
    "--atomic-batches",
    is_flag=True,
    help="Write post by post in atomic SPARQL updates even where the store has a bulk loader.",
)
def load(files: tuple[str, ...], store_spec: str | None, batch_size: int, atomic_batches: bool) -> None:
    """Bulk-load N-Quads files (e.g. shards from `kg extract --format nq`) into the store.

    A folder loads every .nq file in it. Each post graph replaces the post's previous
    version; the merged default graph and derived intervals stay consistent. The embedded
    store and Virtuoso (with KG_VIRTUOSO_SQL) load with their own bulk loader and derive the
    rest in one pass; an interrupted bulk load is undone by the next `kg load`. Other stores
    get atomic batches of `--batch-size` posts. A broken file is reported and skipped
    (nothing of it is written); the exit status is then 1.
    """
    from kg.build.bulk import load_files_bulk
    from kg.build.shards import load_files

    paths: list[Path] = []
    for name in files:
        path = Path(name)
        paths += sorted(path.glob("*.nq")) if path.is_dir() else [path]
    store = _store(store_spec)
    loader = None
    how = ""
    try:
        loader = None if atomic_batches else _bulk_loader(store)
        if loader is None:
            report = load_files(store, paths, batch_size=batch_size)
        else:
            how = f" (with {loader.name})"
            report = load_files_bulk(store, paths, loader)
    except KgError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
        del store, loader  # release the store's lock now, before any exit (callers in-process may reopen it)
    for err in report.errors:
        _say_error(err)
    if report.undone:
        click.echo(f"removed {report.undone} post(s) of an interrupted bulk load first", err=True)
    click.echo(
        f"loaded {report.posts} posts and {report.graphs} reference graph(s) from {report.files} file(s)"
        + (f"; ignored {report.ignored} quads of the default or derived graphs" if report.ignored else "")
        + (f"; {len(report.errors)} file(s) failed" if report.errors else "")
        + how,
        err=True,
    )
    if report.errors:
        sys.exit(1)


def _bulk_loader(store: Any) -> Any:
    """The store's own bulk loader, if kg can reach it: the embedded store's, or Virtuoso's
    through its SQL port (KG_VIRTUOSO_SQL)."""
    from kg.build.bulk import OxigraphBulk, VirtuosoBulk
    from kg.config import Settings
    from kg.store.oxigraph import OxigraphStore
    from kg.store.virtuoso import Isql

    if isinstance(store, OxigraphStore) and store.path is not None:
        return OxigraphBulk(store.db)
    settings = Settings()
    if settings.virtuoso_sql and store.union_graph and settings.store_dialect == "virtuoso":
        isql = Isql(settings.virtuoso_sql, settings.virtuoso_sql_user, settings.virtuoso_sql_password or "")
        return VirtuosoBulk(isql, store.union_graph)
    return None


@main.command()
@click.argument("sparql")
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv", "xml", "ttl", "nt"]),
    default="table",
    show_default=True,
    help="table for people; json/csv/tsv/xml are the SPARQL 1.1 result formats; ttl/nt for CONSTRUCT.",
)
def query(sparql: str, store_spec: str | None, fmt: str) -> None:
    """Run a SPARQL query (use @FILE to read it from a file). The union of all graphs is the
    default graph; the ontology's prefixes (org:, kg:, skos:, schema:, …) need no PREFIX lines."""
    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    from kg.read.examples import complete_prefixes

    sparql = complete_prefixes(sparql)
    store = _store(store_spec)
    media = {
        "json": "application/sparql-results+json",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "xml": "application/sparql-results+xml",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "table": "text/tab-separated-values",
    }[fmt]
    from kg.sparql.protocol import answer, render
    from kg.store.base import SparqlSyntaxError

    try:
        raw, out_format = answer(store, sparql, media)
        body = render(raw, out_format)
    except SparqlSyntaxError as exc:
        raise click.ClickException(f"SPARQL syntax error: {exc}") from exc
    finally:
        store.close()
    if fmt != "table":
        sys.stdout.buffer.write(body)
        if not body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        return
    click.echo(format_table(body.decode("utf-8")))


def format_table(tsv: str) -> str:
    rows = [line.split("\t") for line in tsv.splitlines() if line]
    if not rows:
        return ""
    rows = [[_short(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _short(cell: str) -> str:
    from kg.vocab.ontology import curie

    if cell.startswith("<") and cell.endswith(">"):
        return curie(cell[1:-1]).replace("https://kg.example.org/id/", "kgr:")
    if cell.startswith('"'):
        end = cell.rfind('"')
        return cell[1:end].replace('\\"', '"') if end > 0 else cell
    return cell


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nq", "trig", "jsonld", "nt"]),
    default="nq",
    show_default=True,
    help="nq/trig/jsonld keep the named graphs; ttl/nt merge them into one graph.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def export(store_spec: str | None, fmt: str, output: str | None) -> None:
    """Export the whole graph."""
    store = _store(store_spec)
    try:
        data = store.dump(fmt)
    finally:
        store.close()
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
def stats(store_spec: str | None) -> None:
    """Counts of posts, facts, quads and entities by type."""
    from kg.read.queries import stats as get_stats

    store = _store(store_spec)
    try:
        click.echo(json.dumps(get_stats(store), ensure_ascii=False, indent=2))
    finally:
        store.close()


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
def validate(store_spec: str | None) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl); exit 1 on violations."""
    from kg.read.validate import validate_store

    store = _store(store_spec)
    try:
        violations = validate_store(store)
    finally:
        store.close()
    for v in violations:
        click.echo(str(v))
    click.echo(f"{len(violations)} violation(s)", err=True)
    if violations:
        sys.exit(1)


@main.command()
@click.argument("posts", nargs=-1, required=True)
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
def remove(posts: tuple[str, ...], store_spec: str | None) -> None:
    """Remove posts (by id, URL or IRI) and every fact read from them."""
    from kg.read.queries import post_iri_for

    store = _store(store_spec)
    try:
        iris = []
        for p in posts:
            found = post_iri_for(store, p)
            if found is None:
                click.echo(f"error: {p}: no such post in the store", err=True)
            else:
                iris.append(found)
        removed = store.remove_posts(iris)
    finally:
        store.close()
    click.echo(f"removed {removed} post(s)", err=True)
    if removed < len(posts):
        sys.exit(1)


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--entity", help="Name, alias, id (org/…) or IRI of the entity to centre on; omit for the whole graph."
)
@click.option(
    "--hops",
    default=1,
    show_default=True,
    type=click.IntRange(1, 5),
    help="Hops around the entity.",
)
@click.option(
    "--limit",
    default=None,
    type=click.IntRange(1),
    help="Most entities to draw [default: 500 around an entity, 20000 for the whole graph].",
)
@click.option("--title", help="Page title [default: the entity's name, or kg].")
@click.option(
    "--renderer",
    type=click.Choice(["auto", "vis", "webgl"]),
    default="auto",
    show_default=True,
    help="vis: vis-network with physics; webgl: sigma.js at positions computed here; auto: webgl above 1,500 entities.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
def viz(
    store_spec: str | None,
    entity: str | None,
    hops: int,
    limit: int | None,
    title: str | None,
    renderer: str,
    output: str,
) -> None:
    """Write an interactive network view: one self-contained HTML file that works offline.

    Colour and shape by entity type, size by degree; click an edge for the sentences that
    state it (post title, date, link), a node for its type, aliases and counts. Filters by
    type, relation and date, search, and N-hop ego networks run in the page itself. Views of
    more than 1,500 entities are drawn with WebGL at a layout computed before the page opens;
    above 5,000 the page opens on an overview of communities (click one to open it).
    """
    from kg.read.labels import LabelIndex
    from kg.views import network as views

    store = _store(store_spec)
    try:
        if entity is None:
            nodes, edges = views.whole_graph(store, limit=limit or 20000)
            name = "kg"
        else:
            target = entity
            if not entity.startswith(("http://", "https://")) and "/" not in entity:
                _n, hits = LabelIndex(store).search(entity, limit=1)
                if not hits:
                    raise click.ClickException(f"no entity named {entity!r}")
                target = hits[0].iri
            try:
                nodes, edges = views.neighbourhood(store, target, hops, limit=limit or 500)
            except KeyError:
                raise click.ClickException(f"no entity {entity!r}") from None
            center = next((n for n in nodes if n.info.get("center")), None)
            name = f"{center.label if center else entity} — kg"
        page = views.render(nodes, edges, title=title or name, renderer=renderer)
    finally:
        store.close()
    out = Path(output)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)  # nothing half-written
    click.echo(f"wrote {output} ({len(nodes)} nodes, {len(edges)} edges)", err=True)


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--host", envvar="KG_HOST", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", envvar="KG_PORT", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    envvar="KG_WORKERS",
    default=2,
    show_default=True,
    help="API worker processes (memory: always 1).",
)
@click.option(
    "--store-port",
    envvar="KG_STORE_PORT",
    default=0,
    help="Loopback port of the Oxigraph server started for an on-disk store [default: a free port].",
)
def serve(store_spec: str | None, host: str, port: int, workers: int, store_port: int) -> None:
    """Serve the SPARQL endpoint (/sparql), the REST API (/entities, /posts, /reconcile) and HTML views.

    An on-disk store is run by an Oxigraph server on 127.0.0.1 (it stops queries at the time
    limit and is the store's one writer; `kg ingest --store <its URL>` adds posts meanwhile)
    and the API runs in `--workers` processes over it. `memory` runs in one process; a URL
    is used as it is. Ctrl-C stops everything.
    """
    import os

    import uvicorn

    from kg.config import Settings

    settings = Settings()
    spec = store_spec or settings.store
    child = None
    if spec in ("memory", ":memory:"):
        workers = 1
    elif not spec.startswith(("http://", "https://")):
        from kg.store.server import OxigraphServer

        try:
            child = OxigraphServer(Path(spec), store_port, settings.query_timeout)
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc
        os.environ["KG_STORE_ENFORCES_TIMEOUT"] = "true"
        spec = child.url
    os.environ["KG_STORE"] = spec
    click.echo(f"SPARQL endpoint  http://{host}:{port}/sparql  (query page http://{host}:{port}/)", err=True)
    click.echo(f"REST API         http://{host}:{port}/entities?q=중기부", err=True)
    click.echo(f"API docs         http://{host}:{port}/docs", err=True)
    click.echo(
        f"Reconciliation   http://{host}:{port}/reconcile  (OpenRefine: add as a standard service)", err=True
    )
    click.echo(f"Network view     http://{host}:{port}/entities/org/중소벤처기업부/graph.html", err=True)
    if child is not None:
        click.echo(
            f"Store (SPARQL 1.1, read-write, loopback only)  {child.url}  — for kg ingest --store", err=True
        )
    try:
        # the web app is loaded by uvicorn from its import string: the kg package never imports api
        uvicorn.run(
            "api.main:app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
        )
    finally:
        if child is not None:
            child.stop()
            click.echo("store server stopped", err=True)


if __name__ == "__main__":
    main()
