"""Settings, from the environment (KG_*) or a `.env` file; the CLI's options override them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", env_file=".env", extra="ignore")

    store: str = Field(
        "./kgdata",
        description="Where the graph lives: a folder (embedded Oxigraph on disk), `memory`, "
        "or the URL of a SPARQL 1.1 endpoint (e.g. http://127.0.0.1:7878 for an Oxigraph server).",
    )
    host: str = Field("127.0.0.1", description="Address `kg serve` listens on.")
    port: int = Field(8000, description="Port `kg serve` listens on.")
    workers: int = Field(2, description="API worker processes of `kg serve`.")
    store_port: int = Field(
        0,
        description="Loopback port of the store URL `kg serve` prints for an on-disk store (0: a free "
        "port); `kg ingest --store <that URL>` writes to it while it serves (the URL holds a token).",
    )
    query_timeout: float = Field(
        10.0, gt=0, description="Seconds a SPARQL query may run before it is stopped (503)."
    )
    max_rows: int = Field(
        10000, gt=0, description="Most result rows (or triples) the SPARQL endpoint returns for one query."
    )
    max_query_bytes: int = Field(
        65536,
        gt=0,
        description="Longest SPARQL query text (bytes) /sparql accepts; longer ones are refused (413).",
    )
    max_query_depth: int = Field(
        64,
        gt=0,
        description="Deepest nesting of brackets (and unary operators) a SPARQL query may have; "
        "deeper ones are refused (400) before they reach the store.",
    )
    max_body_bytes: int = Field(
        1024 * 1024,
        gt=0,
        description="Largest request body the API reads (POST /sparql forms, queries and updates); "
        "larger ones are refused (413).",
    )
    store_control: str | None = Field(
        None,
        description="URL of the store supervisor `kg serve` runs (set by `kg serve` for its API "
        "workers): /health reports the store server's restarts through it, and a query that "
        "runs past its time limit has the store server restarted.",
    )
    admin_token: str | None = Field(
        None,
        description="Bearer token that allows SPARQL Update on /sparql; updates are refused (403) without it.",
    )
    union_default_graph: bool = Field(
        True,
        description="Queries on /sparql see the union of all post graphs as their default graph; "
        "False gives them an empty default graph (name graphs with GRAPH or FROM).",
    )
    store_enforces_timeout: bool = Field(
        False,
        description="The remote store stops queries at `query_timeout` itself (`kg serve` sets this "
        "for the Oxigraph server it starts); the API then waits a little longer before answering 503.",
    )
    refresh_seconds: float = Field(
        2.0,
        ge=0,
        description="How often (at most) the API checks the store's generation to reload its label index.",
    )
    graph_index: bool = Field(
        True,
        description="Keep the graph's neighbourhoods in memory in each API worker (kg.read.graph_index) and "
        "answer /entities/{id}/related from there; while it loads (at start and after a write) the "
        "store answers.",
    )
    index_page_rows: int = Field(
        200_000,
        ge=0,
        description="Rows per request when the in-memory indexes read the store (LIMIT/OFFSET pages); "
        "at most the store's own row cap (e.g. Virtuoso's ResultSetMaxRows). 0: one request per scan.",
    )
    store_update: str | None = Field(
        None,
        description="URL for SPARQL Update on a remote store when it is not beside the query URL "
        "(default: `/update` next to `/query`, or the `/sparql` URL itself).",
    )
    store_gsp: str | None = Field(
        None,
        description="URL of a remote store's Graph Store Protocol endpoint, used by `kg load` "
        "(default: `/store` beside the query URL).",
    )
    judgements: str | None = Field(
        None,
        description="Folder of identity judgements (*.jsonl) that ingest applies and `kg same` / "
        "`kg different` append to; default the bundled `data/judgements/`.",
    )
    store_dialect: Literal["standard", "virtuoso"] = Field(
        "standard",
        description="How the remote store departs from SPARQL 1.1: `standard` (Oxigraph server, Fuseki, "
        "GraphDB) or `virtuoso` (form-encoded requests, XML answers, the union default graph kept in "
        "a named graph; see docs/api.md).",
    )
    store_user: str | None = Field(
        None,
        description="User for SPARQL Update and loads on a remote store (HTTP Digest or Basic, as the "
        "server asks), e.g. Virtuoso's user with the SPARQL_UPDATE role at /sparql-auth.",
    )
    store_password: str | None = Field(None, description="Password of `KG_STORE_USER`.")
    virtuoso_sql: str | None = Field(
        None,
        description="HOST:PORT of a Virtuoso store's SQL port: `kg load` then bulk-loads N-Quads with "
        "Virtuoso's loader (ld_add + rdf_loader_run, through isql); the files must be readable by the "
        "server and under its DirsAllowed.",
    )
    virtuoso_sql_user: str = Field("dba", description="Virtuoso SQL user for the bulk loader.")
    virtuoso_sql_password: str | None = Field(
        None, description="Password of `KG_VIRTUOSO_SQL_USER` (the bulk loader runs as this user)."
    )
    cache_dir: str | None = Field(
        None,
        description="Folder for files kg compiles once and reuses (the MeCab user dictionary); "
        "default `$XDG_CACHE_HOME/kg` or `~/.cache/kg`.",
    )

    base_iri: str | None = Field(
        None,
        description="Base of every data IRI kg makes (entities, posts, facts, graphs, runs, releases), "
        "e.g. https://example.go.kr/kg/ gives https://example.go.kr/kg/id/org/중소벤처기업부; an absolute "
        "http(s) IRI ending in `/` (default: the placeholder `base` of ontology/mapping.json, "
        "https://kg.example.org/). A store keeps the base it was built under; `kg export --base` re-bases.",
    )
    releases: str = Field(
        "./releases",
        description="Folder of the releases `kg release` writes; `kg serve` lists the latest at /releases/.",
    )

    @field_validator("base_iri")
    @classmethod
    def _absolute_base(cls, value: str | None) -> str | None:
        return None if value in (None, "") else check_base_iri(value)

    def cache_path(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir)
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\#?]')


def check_base_iri(value: str) -> str:
    """The base IRI as given, or ValueError saying what is wrong with it."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"KG_BASE_IRI must be an absolute http(s) IRI such as https://example.go.kr/kg/, not {value!r}"
        )
    if not value.endswith("/"):
        raise ValueError(f"KG_BASE_IRI must end with '/' (ids follow it): {value!r}")
    bad = _IRI_BAD.search(value)
    if bad:
        raise ValueError(f"KG_BASE_IRI holds {bad.group()!r}, which a base IRI cannot: {value!r}")
    return value
