"""/docs (Swagger UI) and /redoc (ReDoc) served from vendored files, not FastAPI's CDN defaults.

On an offline or closed network a CDN page stays blank; here both viewers, their styles and
favicon come from api/static/vendor (vendor.json), and Swagger UI's online validator is off.
ReDoc 2 draws a "by Redocly" logo from its CDN in the side menu whatever its options say; the
copy served at /redoc/redoc.standalone.js points that one image at an empty data: URL (the
logo's own error handler then hides it), so the page asks nothing of the internet.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
VENDOR = "/static/vendor"  # where api.main mounts api/static/vendor
REDOC_JS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "redoc" / "redoc.standalone.js"
REDOC_LOGO = b'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'
SWAGGER_PARAMETERS = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    "validatorUrl": None,  # the default badge asks a validator on the internet
}


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _openapi(request: Request) -> str:
    return _root(request) + (request.app.openapi_url or "/openapi.json")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=_openapi(request),
        title=f"{request.app.title} — API docs",
        swagger_js_url=f"{root}{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}{VENDOR}/swagger-ui/favicon-32x32.png",
        oauth2_redirect_url=root + "/docs/oauth2-redirect",
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_redoc_html(
        openapi_url=_openapi(request),
        title=f"{request.app.title} — API reference",
        redoc_js_url=f"{root}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{root}{VENDOR}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )


@lru_cache(maxsize=1)
def _redoc_offline() -> bytes:
    script = REDOC_JS.read_bytes()
    if script.count(REDOC_LOGO) != 1:
        raise ValueError(
            f"{REDOC_JS}: the CDN logo is not where redoc 2.5 has it; check vendor.json's version"
        )
    return script.replace(REDOC_LOGO, b'src:"data:,"')


@router.get("/redoc/redoc.standalone.js")
def redoc_script() -> Response:
    return Response(
        _redoc_offline(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )
