"""HTML pages for people: Jinja2 templates (api/templates) through FastAPI's templating.

Autoescaping is on for every template and undefined names are errors, so a title or a name
from a post is always text. The pages carry no script at all: the Content-Security-Policy
(sent as a header and repeated in each page's <meta>) allows none, no request to another
origin, forms only to this site (the search box) and frames only from it (the embedded
network view, whose own policy allows its inline script by nonce).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kg import __version__
from kg.views.terms import term_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
    "base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP + "; frame-ancestors 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Vary": "Accept",
}
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$")
TYPE_LABELS = {
    "Person": ("인물", "person"),
    "Organization": ("기관", "organisation"),
    "Program": ("사업", "program"),
    "Event": ("행사", "event"),
    "Place": ("장소", "place"),
}


def _entity_href(entity_id: str) -> str:
    return "/entities/" + quote(entity_id, safe="/@")


def _post_href(post_id: str) -> str:
    return "/posts/" + quote(post_id, safe="")


def _safe_url(url: str | None) -> str | None:
    """An http(s) link to show, or None (a `javascript:` or broken URL never becomes a link)."""
    return url if url and _SAFE_URL.match(url) else None


def _query_href(params: Mapping[str, Any]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True
    )
    env.filters.update(
        label=term_label,
        entity_href=_entity_href,
        post_href=_post_href,
        safe_url=_safe_url,
        query=_query_href,
        urlquote=lambda v: quote(str(v), safe=""),
    )
    env.globals.update(CSP=CSP, TYPE_LABELS=TYPE_LABELS, version=__version__)
    return env


def _root(request: Request) -> dict[str, Any]:
    """Links in the pages start with the path kg is served under (a reverse proxy's prefix)."""
    return {"root": request.scope.get("root_path", "").rstrip("/")}


templates = Jinja2Templates(env=_environment(), context_processors=[_root])


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the security headers."""
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=HEADERS
    )
    return response


def wants_html(request: Request) -> bool:
    """Whether a browser asked: text/html is acceptable and preferred to JSON."""
    from kg.sparql.protocol import best_media

    return best_media(["application/json", "text/html"], request.headers.get("accept")) == "text/html"
