"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, QLever …) over HTTP.

`KG_STORE=http://host:port` uses Oxigraph's layout (`/query`, `/update`, `/store`);
a URL ending in `/sparql` or `/query` is used as given for queries, with `/update`
beside it for updates. Set KG_STORE_UPDATE / KG_STORE_GSP to override.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pyoxigraph as ox

from kg.model import KgError
from kg.store import DATASET_FORMATS, RDF_FORMATS, Row, Store, prefix_map

MEDIA = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class RemoteStore(Store):
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        url = url.rstrip("/")
        if url.endswith(("/sparql", "/query")):
            self.query_url = url
            base = url.rsplit("/", 1)[0]
            self.update_url = os.environ.get("KG_STORE_UPDATE") or (
                url if url.endswith("/sparql") else base + "/update"
            )
        else:
            base = url
            self.query_url = url + "/query"
            self.update_url = os.environ.get("KG_STORE_UPDATE") or url + "/update"
        self.gsp_url = os.environ.get("KG_STORE_GSP") or base + "/store"
        self.url = url
        self.client = httpx.Client(timeout=timeout)

    def _post_query(self, query: str, accept: str) -> httpx.Response:
        try:
            resp = self.client.post(
                self.query_url,
                content=query.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query; charset=utf-8",
                    "Accept": accept,
                },
            )
        except httpx.HTTPError as exc:
            raise KgError(f"SPARQL store {self.query_url} unreachable: {exc}") from exc
        if resp.status_code >= 400:
            raise KgError(f"SPARQL store {self.query_url} answered {resp.status_code}: {resp.text[:300]}")
        return resp

    def select(self, query: str) -> list[Row]:
        resp = self._post_query(query, "application/sparql-results+json")
        result: Any = ox.parse_query_results(resp.content, ox.QueryResultsFormat.JSON)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    def ask(self, query: str) -> bool:
        resp = self._post_query(query, "application/sparql-results+json")
        return bool(ox.parse_query_results(resp.content, ox.QueryResultsFormat.JSON))

    def construct(self, query: str) -> list[ox.Triple]:
        resp = self._post_query(query, "application/n-triples")
        return [q.triple for q in ox.parse(resp.content, ox.RdfFormat.N_TRIPLES)]

    def sparql(self, query: str, accept: str) -> tuple[bytes, str]:
        resp = self._post_query(query, accept)
        return resp.content, resp.headers.get("content-type", accept)

    def update(self, update: str) -> None:
        try:
            resp = self.client.post(
                self.update_url,
                content=update.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )
        except httpx.HTTPError as exc:
            raise KgError(f"SPARQL store {self.update_url} unreachable: {exc}") from exc
        if resp.status_code >= 400:
            raise KgError(
                f"SPARQL update at {self.update_url} failed ({resp.status_code}): {resp.text[:300]}"
            )

    def dump(self, fmt: str) -> bytes:
        if fmt in DATASET_FORMATS:
            rows = self.select("SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }")
            quads = (ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())) for r in rows)
            return ox.serialize(quads, format=RDF_FORMATS[fmt], prefixes=prefix_map()) or b""
        triples = self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefix_map()) or b""

    def load(self, data: bytes, fmt: str, graph: str | None = None) -> None:
        params = {"graph": graph} if graph else {"default": ""}
        if fmt in DATASET_FORMATS:
            params = {}
        resp = self.client.post(
            self.gsp_url, params=params, content=data, headers={"Content-Type": MEDIA[fmt]}
        )
        if resp.status_code >= 400:
            raise KgError(f"loading into {self.gsp_url} failed ({resp.status_code}): {resp.text[:300]}")

    def close(self) -> None:
        self.client.close()
