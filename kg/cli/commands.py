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


def _version_message() -> str:
    from kg.version import extractor_version

    return f"%(prog)s {__version__} (extractor {extractor_version()})"


class _Commands(click.Group):
    """The command group: a KgError (a message for the person running kg) ends the command
    with that message and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg", message=_version_message())
def main() -> None:
    """Build and query a knowledge graph of Korean public-sector and startup-support news."""


def _processes(requested: int) -> int:
    """0 means: every core, at most two (the machine kg is sized for)."""
    import os

    return requested if requested > 0 else max(1, min(2, os.cpu_count() or 1))


def _fetch_options(timeout: float, retries: int, allow_private_urls: bool) -> Any:
    from kg.ingest.fetch import FetchOptions

    return FetchOptions(timeout=timeout, retries=retries, allow_private=allow_private_urls)


FETCH_OPTIONS = [
    click.option("--timeout", default=20.0, show_default=True, help="Seconds allowed for each URL fetch."),
    click.option(
        "--retries", default=2, show_default=True, help="Retries of a URL that timed out or answered 5xx."
    ),
    click.option(
        "--allow-private-urls",
        is_flag=True,
        help="Also fetch URLs on loopback, private and link-local addresses (127.0.0.1, 10.x, "
        "192.168.x, 169.254.x, ::1 …), directly or by redirect; refused by default.",
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
    allow_private_urls: bool,
) -> None:
    """Read posts, extract, resolve and write them into the store.

    PATHS are files, folders (read recursively), http(s) URLs, or `-` for JSON Lines on
    stdin. Formats by suffix: .txt .md (plain text, front matter), .html .htm (saved
    article pages), .pdf .hwpx (press releases), .json (open-data API payloads), .jsonl.

    Idempotent: a post whose content has not changed and that the running extractor read
    (same version: a digest of the extraction code, patterns, lexicon and model, `kg
    --version`) is skipped; an edited post, or one an older extractor read, replaces its
    facts. Bad inputs are reported one line each; the others are still ingested, and
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
            read_posts(paths, fetch_options=_fetch_options(timeout, retries, allow_private_urls)),
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
    click.echo(f"recorded in the change log as run {report.run} (kg changes, /changes)", err=True)
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
    allow_private_urls: bool,
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
        for item in read_posts(paths, fetch_options=_fetch_options(timeout, retries, allow_private_urls)):
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
    """Bulk-load N-Quads files (shards from `kg extract --format nq`, a release's kg.nq.gz) into the store.

    A folder loads every .nq and .nq.gz file in it. Each post graph replaces the post's previous
    version; the merged default graph and derived intervals stay consistent. The embedded
    store and Virtuoso (with KG_VIRTUOSO_SQL) load with their own bulk loader and derive the
    rest in one pass (the embedded store stages the post quads in TMPDIR, about twice their
    size; files over 64 MiB are read by one process per core); an interrupted bulk load is
    undone by the next `kg load`. Other stores
    get atomic batches of `--batch-size` posts, and so do gzip files.
    Every load is a run in the change log (`kg changes`); a bulk load counts its posts there
    without itemising their facts. A broken file is reported and skipped
    (nothing of it is written); the exit status is then 1.
    """
    from kg.build.bulk import load_files_bulk
    from kg.build.shards import load_files

    paths: list[Path] = []
    for name in files:
        path = Path(name)
        paths += sorted([*path.glob("*.nq"), *path.glob("*.nq.gz")]) if path.is_dir() else [path]
    store = _store(store_spec)
    loader = None
    how = ""
    try:
        gzipped = any(p.suffix == ".gz" for p in paths)
        loader = None if atomic_batches or gzipped else _bulk_loader(store)
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
    from kg.store.base import SparqlError, SparqlSyntaxError

    try:
        raw, out_format = answer(store, sparql, media)
        body = render(raw, out_format)
    except SparqlSyntaxError as exc:
        raise click.ClickException(f"SPARQL syntax error: {exc}") from exc
    except SparqlError as exc:
        raise click.ClickException(str(exc)) from exc
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
    from kg.vocab.ontology import curie, data_iri

    if cell.startswith("<") and cell.endswith(">"):
        return curie(cell[1:-1]).replace(data_iri("id/"), "kgr:")
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
@click.option(
    "--base",
    "new_base",
    help="Re-base: write every IRI under this base IRI instead of the store's (KG_BASE_IRI), "
    "e.g. https://example.go.kr/kg/; load the result with KG_BASE_IRI set to it.",
)
def export(store_spec: str | None, fmt: str, output: str | None, new_base: str | None) -> None:
    """Export the whole graph (optionally re-based under another base IRI, without re-extraction)."""
    store = _store(store_spec)
    try:
        data = store.dump(fmt)
        if new_base:
            data = _rebased(store, data, fmt, new_base)
    finally:
        store.close()
    if output:
        out = Path(output)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)  # nothing half-written
    else:
        sys.stdout.buffer.write(data)


def _rebased(store: Any, data: bytes, fmt: str, new_base: str) -> bytes:
    import pyoxigraph as ox

    from kg.config import check_base_iri
    from kg.publish.rebase import rebase_quads
    from kg.store.base import check_base, prefix_map
    from kg.store.formats import rdf_format
    from kg.vocab.ontology import base

    try:
        check_base_iri(new_base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    check_base(store, record=False)  # the store's IRIs are under this process's base
    rdf = rdf_format(fmt)
    quads = rebase_quads(ox.parse(data, format=rdf), base(), new_base)
    prefixes = {**prefix_map(), "kgr": new_base + "id/"}
    if rdf.supports_datasets:
        return ox.serialize(quads, format=rdf, prefixes=prefixes) or b""
    return ox.serialize((q.triple for q in quads), format=rdf, prefixes=prefixes) or b""


@main.command()
@click.argument("folder", type=click.Path(file_okay=False), required=False)
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
def release(folder: str | None, store_spec: str | None) -> None:
    """Write a dated release into FOLDER [default: KG_RELEASES, ./releases]: N-Quads (gzip),
    entities as JSON Lines, CSV tables, and a VoID + DCAT description (docs/releases.md).

    The release appears as FOLDER/YYYY-MM-DD (then .2, .3 … on the same day) only once it is
    whole; `kg serve` lists the latest at /releases/.
    """
    from kg.config import Settings
    from kg.publish.release import write_release

    target = Path(folder or Settings().releases)
    store = _store(store_spec)
    try:
        made = write_release(store, target)
    finally:
        store.close()
    counts = made.summary["counts"]
    click.echo(
        f"wrote release {made.name} to {made.path}: {counts['quads']} quads, {counts['posts']} posts, "
        f"{counts['facts']} facts, {counts['records']} entity records, "
        f"{sum(counts['rows'].values())} table rows",
        err=True,
    )


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--since", help="A day (2026-01-22), a time (2026-01-22T10:15:30Z) or a run id [default: the whole log]."
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Change sets to show.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json as /changes answers.",
)
def changes(store_spec: str | None, since: str | None, limit: int, fmt: str) -> None:
    """What runs added and removed: the runs, then each post's change with its facts (oldest first)."""
    from kg.read import changes as log

    try:
        start = log.parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    store = _store(store_spec)
    try:
        total, sets = log.change_sets(store, start, limit=limit)
        runs = log.runs(store, limit=50, since=start)
        latest = log.latest(store)
    except log.UnknownRun as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    if fmt == "json":
        answer = {"since": since, "latest": latest, "count": total, "runs": runs, "data": sets}
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    for run in runs:
        click.echo(
            f"run {run['id']} {run['kind']}: {run['started']} – {run['ended'] or 'unfinished'}; posts "
            f"+{run['posts_added']} ~{run['posts_changed']} -{run['posts_removed']}; facts "
            f"+{run['facts_added']} -{run['facts_removed']}; {', '.join(run['extractor_versions'])}"
        )
    for cs in sets:
        click.echo(f"\n{cs['time']} {cs['change']} {cs['post']['id']}: {cs['post']['title'] or ''}")
        for sign, side in (("+", "added"), ("-", "removed")):
            for fact in cs[side]:
                click.echo(f"  {sign} {_fact_line(fact)}")
    shown = f"{len(sets)} of {total}" if total > len(sets) else str(total)
    click.echo(
        f"\n{shown} change set(s); latest change {latest['time'] or '—'} (run {latest['run'] or '—'})",
        err=True,
    )


def _fact_line(fact: dict[str, Any]) -> str:
    def term(t: dict[str, Any] | None) -> str:
        if t is None:
            return "?"
        return str(t.get("name") or t.get("value"))

    role = f" ({fact['role']})" if fact.get("role") else ""
    if fact.get("organization"):  # a membership: the person, the role, the body
        return f"{term(fact['object'])} {fact['predicate']}{role} {term(fact['organization'])}"
    return f"{term(fact['subject'])} {fact['predicate']}{role} {term(fact['object'])}"


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option(
    "--processes", "-j", default=0, show_default=True, help="Extraction worker processes (0: both cores)."
)
@click.option("--all", "everything", is_flag=True, help="Re-extract every post, not only the stale ones.")
@click.option("--batch-size", default=16, show_default=True, help="Posts written per atomic store update.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first post that fails.")
def reextract(
    store_spec: str | None, processes: int, everything: bool, batch_size: int, fail_fast: bool
) -> None:
    """Extract again the posts an older extractor read, from the texts kept in the store.

    No source files are needed: the store keeps each post's cleaned text, description and
    open-data record. Each post is replaced atomically, like an edit; the summary says how
    many were re-extracted. Exit status 1 when a post could not be rebuilt or extracted.
    """
    from kg.build.pipeline import default_extract
    from kg.build.reextract import reextract as run_reextract
    from kg.build.reextract import stale_posts

    store = _store(store_spec)
    try:
        todo = len(store.post_iris()) if everything else len(stale_posts(store))
        click.echo(f"{todo} post(s) to extract again", err=True)
        extract = default_extract(_processes(processes)) if todo else None
        report = run_reextract(
            store,
            extract or (lambda posts: iter(())),
            everything=everything,
            batch_size=batch_size,
            fail_fast=fail_fast,
            on_event=lambda kind, data: _say_error(data) if kind == "error" else None,
        )
    finally:
        store.close()
        del store
    click.echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(1)


def _judge(verdict: str, a: str, b: str, reason: str, by: str | None, store_spec: str | None) -> None:
    import getpass
    from datetime import UTC, datetime

    from kg.build.identity import Identity, parse, read_judgements, record, sync, to_iri
    from kg.read.candidates import exists

    store = _store(store_spec)
    try:
        for entity in (a, b):
            if not exists(store, to_iri(entity)):
                raise click.ClickException(f"no entity {entity} in the store")
        try:
            judgement = parse(
                {
                    "judgement": verdict,
                    "a": a,
                    "b": b,
                    "reason": reason,
                    "by": by or getpass.getuser(),
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                "the command line",
            )
            identity = Identity([*read_judgements(), judgement])  # refuses a contradiction
        except (ValueError, KgError) as exc:
            raise click.ClickException(str(exc)) from exc
        path = record(judgement)
        rewritten = sync(store, identity)
    finally:
        store.close()
        del store
    canonical = identity.canonical(judgement.a)
    click.echo(f"recorded in {path}; rewrote {rewritten} post graph(s)", err=True)
    if verdict == "same":
        click.echo(f"canonical: {canonical.split('/id/', 1)[-1]}", err=True)


JUDGE_OPTIONS = [
    click.argument("a"),
    click.argument("b"),
    click.option("--reason", required=True, help="Why (kept with the judgement)."),
    click.option("--by", help="Who decides [default: the login name]."),
    click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP),
]


def _with_judge_options(func: Any) -> Any:
    for option in reversed(JUDGE_OPTIONS):
        func = option(func)
    return func


@main.command()
@_with_judge_options
def same(a: str, b: str, reason: str, by: str | None, store_spec: str | None) -> None:
    """Record that A and B are the same entity, and rewrite the affected facts in place.

    A and B are entity ids (org/…, person/…) or IRIs; a person as named in one post is
    person/<name>@post-<post id>. The judgement is appended to judgements.jsonl in KG_JUDGEMENTS
    (default data/judgements/); the cluster's canonical IRI takes the facts, the others get
    owl:sameAs it, and /entities/<old id> redirects to it.
    """
    _judge("same", a, b, reason, by, store_spec)


@main.command()
@_with_judge_options
def different(a: str, b: str, reason: str, by: str | None, store_spec: str | None) -> None:
    """Record that A and B are different entities, and rewrite the affected facts in place.

    To keep namesakes in one body apart, judge the person as named in one post
    (person/<name>@post-<post id>) different from person/<name>@<body>.
    """
    _judge("different", a, b, reason, by, store_spec)


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
@click.option("--kind", type=click.Choice(["person", "org"]), help="Only people or only organisations.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="Most pairs to list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per pair instead of a table.")
@click.option(
    "--accept-from",
    type=click.IntRange(1),
    help="Record a `same` judgement (by `kg candidates`, the signals as reason) for every pair of "
    "people scoring at least this, and rewrite the graph. 5 = same name, one line of succession "
    "or one post naming both bodies, and more (docs/identity.md).",
)
def candidates(
    store_spec: str | None, kind: str | None, limit: int, as_json: bool, accept_from: int | None
) -> None:
    """List likely duplicates to judge, most likely first, with the signals that fired:
    same name under different bodies (in one line of succession, same role family, consecutive
    dates, one post naming both), organisation names one edit apart, shared aliases."""
    from kg.read.candidates import candidates as find

    store = _store(store_spec)
    try:
        found = find(store, limit, kind)
        accepted = [c for c in found if accept_from and c.score >= accept_from and "/person/" in c.a]
        if accepted:
            _accept(store, accepted)
    finally:
        store.close()
        del store
    for c in found:
        if as_json:
            click.echo(json.dumps(c.as_dict(), ensure_ascii=False))
        else:
            d = c.as_dict()
            click.echo(f"{d['score']:>3}  {d['a']}  {d['b']}  — {'; '.join(d['reasons'])}")
    click.echo(
        f"{len(found)} candidate pair(s)" + (f"; accepted {len(accepted)}" if accept_from else ""), err=True
    )


def _accept(store: Any, accepted: list[Any]) -> None:
    """Record `same` for each accepted pair (skipping one that contradicts a judgement) and sync once."""
    from datetime import UTC, datetime

    from kg.build.identity import Identity, parse, read_judgements, record, sync

    judgements = read_judgements()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for c in accepted:
        reason = "signals: " + "; ".join(c.reasons)
        j = parse(
            {"judgement": "same", "a": c.a, "b": c.b, "reason": reason, "by": "kg candidates", "at": stamp},
            "kg candidates",
        )
        try:
            Identity([*judgements, j])
        except KgError as exc:
            click.echo(f"not accepted: {exc}", err=True)
            continue
        record(j)
        judgements.append(j)
    sync(store, Identity(judgements))


@main.command()
@click.option("--store", "store_spec", envvar="KG_STORE", help=STORE_HELP)
def stats(store_spec: str | None) -> None:
    """Counts of posts, facts, quads and entities by type, and posts and facts per extractor
    version (the running extractor's version is `current_extractor`)."""
    from kg.read.queries import stats as get_stats

    store = _store(store_spec)
    try:
        counts = get_stats(store)
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
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
    """Remove posts (by id, URL or IRI) and every fact read from them (recorded in the change log)."""
    from kg.build.changelog import ChangeLog
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
        log = ChangeLog(store, "removal")
        log.start()
        removed = log.remove_posts(iris)
        log.finish()
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
    help="Loopback port of the store URL printed for `kg ingest --store` (on-disk stores) "
    "[default: a free port].",
)
def serve(store_spec: str | None, host: str, port: int, workers: int, store_port: int) -> None:
    """Serve the SPARQL endpoint (/sparql), the REST API (/entities, /posts, /changes, /reconcile),
    HTML pages and views.

    An on-disk store is run by an Oxigraph server on 127.0.0.1, supervised: restarted when it
    dies or keeps a query running past the time limit (/health reports the restarts). It is
    the store's one writer; `kg ingest --store <the printed store URL>` adds posts meanwhile
    (the URL holds a per-run token; web pages cannot use it). The API runs in `--workers`
    processes over it. `memory` runs in one process; a URL is used as it is. Ctrl-C stops
    everything.
    """
    import os

    import uvicorn

    from kg.config import Settings

    settings = Settings()
    spec = store_spec or settings.store
    supervisor = None
    if spec in ("memory", ":memory:"):
        workers = 1
    elif not spec.startswith(("http://", "https://")):
        from kg.store.supervisor import StoreSupervisor

        try:
            supervisor = StoreSupervisor(Path(spec), store_port, settings.query_timeout)
        except KgError as exc:
            raise click.ClickException(str(exc)) from exc
        os.environ["KG_STORE_ENFORCES_TIMEOUT"] = "true"
        os.environ["KG_STORE_CONTROL"] = supervisor.control_url
        spec = supervisor.internal_url
    os.environ["KG_STORE"] = spec
    click.echo(f"SPARQL endpoint  http://{host}:{port}/sparql  (query page http://{host}:{port}/)", err=True)
    click.echo(f"REST API         http://{host}:{port}/entities?q=중기부", err=True)
    click.echo(f"API docs         http://{host}:{port}/docs", err=True)
    click.echo(
        f"Reconciliation   http://{host}:{port}/reconcile  (OpenRefine: add as a standard service)", err=True
    )
    click.echo(f"Network view     http://{host}:{port}/entities/org/중소벤처기업부/graph.html", err=True)
    click.echo(
        f"Pages            http://{host}:{port}/search  (entity and post pages for a browser)", err=True
    )
    click.echo(f"Changes, feeds   http://{host}:{port}/changes  (JSON, Atom)", err=True)
    click.echo(f"Releases         http://{host}:{port}/releases/  (from {settings.releases})", err=True)
    if supervisor is not None:
        click.echo(
            f"Store (SPARQL 1.1, read-write, loopback only)  {supervisor.public_url}  — for kg ingest --store",
            err=True,
        )
        if not supervisor.browser_blocked:
            click.echo(
                f"warning: no browser-blocked port was free for the Oxigraph server; web pages that "
                f"guess its port ({supervisor.server.port}) could send it requests",
                err=True,
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
        if supervisor is not None:
            supervisor.stop()
            click.echo("store server stopped", err=True)


if __name__ == "__main__":
    main()
