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

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from kg.config import Settings
from kg.sparql import protocol as sparql
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
from kg.vocab.ontology import sparql_prefixes

router = APIRouter(tags=["sparql"])
PAGE = Path(__file__).resolve().parent.parent / "static" / "query.html"
MEDIA_TYPES = sorted({f.media.split(";")[0] for f in (*sparql.RESULT_FORMATS, *sparql.GRAPH_FORMATS)})
ANSWERS = {
    200: {
        "description": "The result, in the negotiated format.",
        "content": {m: {"schema": {"type": "string"}} for m in MEDIA_TYPES},
    },
    400: {
        "description": "Syntax error (the parser's message) or a bad parameter.",
        "content": {"text/plain": {}},
    },
    403: {"description": "An update without the admin token, or a SERVICE/LOAD to outside hosts."},
    406: {"description": "No acceptable result format."},
    415: {"description": "A POST body of an unsupported Content-Type."},
    503: {"description": "The query ran past the time limit (or no query slot came free)."},
}
DATASET_HELP = "IRI of a graph for the default graph (repeatable); overrides FROM in the query."
NAMED_HELP = "IRI of a named graph the query may use with GRAPH (repeatable); overrides FROM NAMED."
FORMAT_HELP = (
    "Answer format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, "
    "rdfxml (CONSTRUCT/DESCRIBE); or a media type."
)


def _dataset(
    settings: Settings, info: sparql.QueryInfo, default: list[str], named: list[str]
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


def _check_refusals(info: sparql.QueryInfo) -> None:
    if info.has_service:
        raise QueryRefused("SERVICE (federated query to other hosts) is disabled on this endpoint")


def _run_query(
    store: Store,
    settings: Settings,
    request: Request,
    text: str,
    default: list[str],
    named: list[str],
    fmt_param: str | None,
) -> Response:
    info = sparql.inspect(text)
    if info.is_update:
        if not _authorised(request, settings):
            raise QueryRefused(_read_only_message(settings))
        raise SparqlError("an update must be sent as POST update= or application/sparql-update")
    _check_refusals(info)
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
    info = sparql.inspect(text)
    if info.has_service or info.loads:
        raise QueryRefused("SERVICE and LOAD (reading from other hosts) are disabled on this endpoint")
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


@lru_cache(maxsize=1)
def _page_html() -> str:
    import json

    prefixes = json.dumps(sparql_prefixes().strip(), ensure_ascii=False).replace("<", "\\u003c")
    return PAGE.read_text(encoding="utf-8").replace("__PREFIXES__", prefixes)


@router.get("/", response_class=HTMLResponse, summary="The query page")
def page() -> HTMLResponse:
    """An editor with example queries (prefixes filled in) and a results table; works offline."""
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
    format: Annotated[str | None, Query(description=FORMAT_HELP)] = None,
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
    format: Annotated[str | None, Query(description=FORMAT_HELP)] = None,
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
        fmt = format or form.get("format", [""])[0] or None
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
