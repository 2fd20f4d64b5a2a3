"""/releases/: the release dumps `kg release` wrote into KG_RELEASES, newest first, and their files.

Only the files a release's own summary (release.json) lists are served, so no other path under
the folder can be reached. `/releases/latest/{file}` redirects to the newest release's file.
"""

from __future__ import annotations

import re
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.deps import SettingsDep
from api.pages import page, wants_html
from kg.publish.release import SUMMARY, list_releases

router = APIRouter(tags=["releases"])
NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d+)?$")


def _folder(settings: Any) -> FsPath:
    return FsPath(settings.releases)


def _wanted(request: Request, format: str | None) -> str:
    if format:
        return format
    return "html" if wants_html(request) else "json"


@router.get(
    "/releases/",
    summary="The releases (latest first) with their files, counts and licences",
    responses={200: {"content": {"text/html": {}}}},
)
def releases(
    request: Request,
    settings: SettingsDep,
    format: Annotated[
        Literal["json", "html"] | None, Query(description="json or html; overrides Accept.")
    ] = None,
) -> Response:
    """Every release in the releases folder (KG_RELEASES), newest first; the first is the latest."""
    found = list_releases(_folder(settings))
    if _wanted(request, format) == "html":
        return page(request, "releases.html", {"releases": found})
    return Response(
        orjson.dumps({"count": len(found), "latest": found[0] if found else None, "data": found}),
        media_type="application/json",
        headers={"Vary": "Accept"},
    )


def _release(settings: Any, name: str) -> dict[str, Any]:
    if name == "latest":
        found = list_releases(_folder(settings))
        if not found:
            raise HTTPException(status_code=404, detail="no release yet (kg release DIR writes one)")
        return found[0]
    if not NAME.match(name):
        raise HTTPException(status_code=404, detail=f"no release {name}")
    for release in list_releases(_folder(settings)):
        if release["name"] == name:
            return release
    raise HTTPException(status_code=404, detail=f"no release {name}")


@router.get("/releases/{name}/", summary="One release: its summary (release.json)")
def release(
    request: Request,
    settings: SettingsDep,
    name: Annotated[str, Path(description="The release's name (2026-01-22, 2026-01-22.2) or `latest`.")],
    format: Annotated[
        Literal["json", "html"] | None, Query(description="json or html; overrides Accept.")
    ] = None,
) -> Response:
    found = _release(settings, name)
    if _wanted(request, format) == "html":
        return page(request, "releases.html", {"releases": [found]})
    return Response(orjson.dumps(found), media_type="application/json", headers={"Vary": "Accept"})


@router.get(
    "/releases/{name}/{file}",
    summary="A file of a release (latest: a redirect to the newest release's file)",
    response_class=FileResponse,
)
def release_file(
    settings: SettingsDep,
    name: Annotated[str, Path(description="The release's name or `latest`.")],
    file: Annotated[
        str, Path(description="A file the release lists (kg.nq.gz, entities.jsonl, void.ttl …).")
    ],
) -> Response:
    found = _release(settings, name)
    if name == "latest":
        return RedirectResponse(f"../{found['name']}/{file}", status_code=302)
    listed = {f["name"]: f for f in found.get("files", [])}
    if file not in listed and file not in (SUMMARY, "SHA256SUMS"):
        raise HTTPException(status_code=404, detail=f"release {name} has no file {file}")
    path = _folder(settings) / found["name"] / file
    if not path.is_file():
        raise HTTPException(status_code=404, detail=f"release {name} has no file {file}")
    media = (
        listed[file]["media_type"]
        if file in listed
        else ("application/json" if file == SUMMARY else "text/plain")
    )
    if file.endswith(".gz"):
        media = "application/gzip"  # the bytes as they are; kg load and zcat read them
    return FileResponse(path, media_type=media, filename=file)
