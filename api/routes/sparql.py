"""/sparql: the SPARQL 1.1 Protocol endpoint, and the query page at /.

Queries: GET ?query=, POST application/x-www-form-urlencoded (query=), POST
application/sparql-query; `default-graph-uri` / `named-graph-uri` set the dataset.
Updates (POST update= or application/sparql-update) need `Authorization: Bearer <admin token>`.
The answer format comes from `format=` or the Accept header (q-values honoured).
"""

from __future__ import annotations

import hmac
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from kg.config import Settings
from kg.read.example_queries import EXAMPLES
from kg.sparql import protocol as sparql
from kg.store import guard
from kg.store.base import (
    Dataset,
    QueryRefused,
    SparqlError,
    SparqlSyntaxError,
    Store,
    empty_graph_iri,
    generation_ops,
    union_ops,
)
from kg.vocab.ontology import data_iri, mapping, ontology_terms, prefixes

router = APIRouter(tags=["sparql"])
PAGE = Path(__file__).resolve().parent.parent / "static" / "query.html"
MEDIA_TYPES = sorted({f.media.split(";")[0] for f in (*sparql.RESULT_FORMATS, *sparql.GRAPH_FORMATS)})
ANSWERS = {
    200: {
        "description": "The result, in the negotiated format.",
        "content": {m: {"schema": {"type": "string"}} for m in MEDIA_TYPES},
    },
    400: {
        "description": "Syntax error (the parser's message), a bad parameter, or a query nested "
        "or chained deeper than the limits.",
        "content": {"text/plain": {}},
    },
    403: {"description": "An update without the admin token, or a SERVICE/LOAD to outside hosts."},
    406: {"description": "No acceptable result format."},
    413: {"description": "The query or the request body is larger than the limits."},
    415: {"description": "A POST body of an unsupported Content-Type."},
    503: {"description": "The query ran past the time limit (or no query slot came free)."},
}
DATASET_HELP = "IRI of a graph for the default graph (repeatable); overrides FROM in the query."
NAMED_HELP = "IRI of a named graph the query may use with GRAPH (repeatable); overrides FROM NAMED."
FORMAT_HELP = (
    "Answer format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, "
    "rdfxml (CONSTRUCT/DESCRIBE); or a media type. Values that name none of these are ignored "
    "when the Accept header can be served (clients such as SPARQLWrapper send their own)."
)


def _dataset(
    settings: Settings, info: guard.QueryInfo, default: list[str], named: list[str]
) -> Dataset | None:
    if default or named:
        return Dataset(tuple(default), tuple(named))
    if not settings.union_default_graph and not info.has_dataset:
        return Dataset((empty_graph_iri(),), None)
    return None


def _authorised(request: Request, settings: Settings) -> bool:
    token = settings.admin_token
    given = request.headers.get("authorization", "")
    if not token or not given.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(given[7:].strip().encode(), token.encode())


def query_limits(settings: Settings) -> guard.Limits:
    return guard.Limits(max_bytes=settings.max_query_bytes, max_depth=settings.max_query_depth)


def update_limits(settings: Settings) -> guard.Limits:
    # an update's size is bounded by the body limit; INSERT DATA lists many triples
    return guard.Limits(max_bytes=settings.max_body_bytes, max_depth=settings.max_query_depth, max_steps=None)


def _run_query(
    store: Store,
    settings: Settings,
    request: Request,
    text: str,
    default: list[str],
    named: list[str],
    fmt_param: list[str],
) -> Response:
    info = guard.scan(text, query_limits(settings))
    if info.is_update:
        if not _authorised(request, settings):
            raise QueryRefused(_read_only_message(settings))
        raise SparqlError("an update must be sent as POST update= or application/sparql-update")
    guard.refuse(info)
    if info.form is None:
        # let the parser say what is wrong
        store.evaluate(text, "SELECT", None, settings.query_timeout, 1)
        raise SparqlSyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    fmt = sparql.negotiate(info.form, request.headers.get("accept"), fmt_param)
    raw = store.evaluate(
        text, info.form, _dataset(settings, info, default, named), settings.query_timeout, settings.max_rows
    )
    headers = {"Vary": "Accept"}
    if raw.truncated:
        headers["X-KG-Truncated"] = f"only the first {settings.max_rows} rows are returned"
    return Response(sparql.render(raw, fmt), media_type=fmt.media, headers=headers)


def _read_only_message(settings: Settings) -> str:
    if settings.admin_token:
        return "updates need the header Authorization: Bearer <admin token>"
    return "this endpoint is read-only (start the server with KG_ADMIN_TOKEN set to allow updates)"


def _run_update(store: Store, settings: Settings, request: Request, text: str) -> Response:
    if not _authorised(request, settings):
        raise QueryRefused(_read_only_message(settings))
    guard.check(text, update_limits(settings))
    # The default graph is the union of the named graphs (kg.store.base.Store), and an update
    # may write to either: the same request makes it the union again and marks the new store
    # generation (caches, label and graph indexes reload), so the three happen atomically.
    body = text.rstrip().removesuffix(";")
    upkeep = " ;\n".join(union_ops() + generation_ops())  # full IRIs: no prologue after `;`
    try:
        store.update(f"{body}\n;\n{upkeep}" if body.strip() else upkeep)
    except SyntaxError as exc:
        raise SparqlSyntaxError(str(exc)) from exc
    except SparqlError:
        raise
    except Exception as exc:
        message = str(exc)
        if "400" in message or "error at" in message:
            raise SparqlSyntaxError(message) from exc
        raise
    return Response(status_code=204)


def _browser_wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def page_config() -> dict[str, object]:
    """What the editor page reads: the ontology's prefixes, classes and properties (for
    autocompletion), the example queries of kg.read.examples, and how entity IRIs are made."""
    classes, properties = ontology_terms()
    return {
        "prefixes": {**prefixes(), "kgr": data_iri("id/")},
        "classes": classes,
        "properties": properties,
        "examples": [
            {"name": e.name, "title": f"{e.question} — {e.question_en}", "query": e.sparql()}
            for e in EXAMPLES.values()
        ],
        "entityBase": data_iri("id/"),
        "entityKinds": [spec["path"] for spec in mapping()["entity_types"].values()],
    }


@lru_cache(maxsize=1)
def _page_html() -> str:
    config = orjson.dumps(page_config()).decode("utf-8")
    safe = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return PAGE.read_text(encoding="utf-8").replace("__CONFIG__", safe)


@router.get("/", response_class=HTMLResponse, summary="The query page")
def page() -> HTMLResponse:
    """YASGUI (vendored, offline): syntax highlighting and errors as you type, prefix and term
    autocompletion from the ontology, tabs, history, share links, the example queries of
    kg.read.examples, and result tables whose entity IRIs open their entity page and graph.html."""
    return HTMLResponse(_page_html())


@router.get("/sparql", summary="SPARQL query (GET)", responses=ANSWERS)  # type: ignore[arg-type]
async def sparql_get(
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    query: Annotated[
        str | None, Query(description="A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).")
    ] = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri", description=DATASET_HELP)] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri", description=NAMED_HELP)] = [],  # noqa: B006
    format: Annotated[list[str], Query(description=FORMAT_HELP)] = [],  # noqa: B006
) -> Response:
    if query is None:
        if _browser_wants_page(request):
            return page()
        raise SparqlError("no query given: pass ?query=… (or open / for the query page)")
    if "update" in request.query_params:
        raise SparqlError("updates must be sent with POST")
    return await run_in_threadpool(
        _run_query, store, settings, request, query, default_graph_uri, named_graph_uri, format
    )


POST_BODY = {
    "requestBody": {
        "description": "The query or update: form fields (query=, update=, default-graph-uri=, "
        "named-graph-uri=, format=) or the bare text.",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "description": "A SPARQL 1.1 query."},
                        "update": {
                            "type": "string",
                            "description": "A SPARQL 1.1 update (admin token needed).",
                        },
                        "default-graph-uri": {"type": "string", "description": DATASET_HELP},
                        "named-graph-uri": {"type": "string", "description": NAMED_HELP},
                        "format": {"type": "string", "description": FORMAT_HELP},
                    },
                }
            },
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST form, application/sparql-query, application/sparql-update)",
    responses={**ANSWERS, 204: {"description": "The update was applied."}},  # type: ignore[dict-item]
    openapi_extra=POST_BODY,
)
async def sparql_post(
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri", description=DATASET_HELP)] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri", description=NAMED_HELP)] = [],  # noqa: B006
    format: Annotated[list[str], Query(description=FORMAT_HELP)] = [],  # noqa: B006
) -> Response:
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SparqlError("the request body is not UTF-8") from None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        form = parse_qs(body, keep_blank_values=True)
        default = default_graph_uri + form.get("default-graph-uri", [])
        named = named_graph_uri + form.get("named-graph-uri", [])
        fmt = format + form.get("format", [])
        if "update" in form:
            return await run_in_threadpool(_run_update, store, settings, request, form["update"][0])
        query = (form.get("query") or [""])[0]
        if not query.strip():
            raise SparqlError("no query given: send the form field query=…")
        return await run_in_threadpool(_run_query, store, settings, request, query, default, named, fmt)
    if ctype == "application/sparql-query":
        if not body.strip():
            raise SparqlError("the request body holds no query")
        return await run_in_threadpool(
            _run_query, store, settings, request, body, default_graph_uri, named_graph_uri, format
        )
    if ctype == "application/sparql-update":
        return await run_in_threadpool(_run_update, store, settings, request, body)
    return Response(
        "send application/x-www-form-urlencoded, application/sparql-query or application/sparql-update\n",
        status_code=415,
        media_type="text/plain",
    )
