"""`kg ingest https://…`: fetch a page or a file over HTTP, within limits, and read it.

httpx with a per-request timeout and a total deadline (a server that drips one byte a
second still ends), a size limit enforced while streaming (the body is never held beyond
it), and retries with backoff for what may pass (timeouts, connection errors, 429, 5xx);
a 4xx other than 429 is final at once. What was fetched is read by the reader its
Content-Type (or else the URL's suffix) calls for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from kg import __version__
from kg.ingest.decode import MAX_BYTES, NotText, decode_bytes
from kg.model import InputError, Post

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 20.0  # seconds, for each try, start to last byte
    max_bytes: int = MAX_BYTES
    retries: int = 2  # tries after the first
    backoff: float = 0.5  # seconds before the first retry, doubled after each


class FetchError(Exception):
    """The URL could not be fetched; the message says why, for the error line."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    media_type: str  # lower case, without parameters
    charset: str | None


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def fetch(url: str, options: FetchOptions | None = None, client: httpx.Client | None = None) -> Fetched:
    options = options or FetchOptions()
    own = client is None
    client = client or httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(options.timeout),
        headers={"User-Agent": f"kg/{__version__} (knowledge-graph ingest)"},
        trust_env=False,
    )
    try:
        last = "no try made"
        for attempt in range(options.retries + 1):
            if attempt:
                time.sleep(options.backoff * 2 ** (attempt - 1))
            try:
                return _get(client, url, options)
            except _Retry as exc:
                last = str(exc)
        tries = options.retries + 1
        raise FetchError(f"{last} ({tries} {'try' if tries == 1 else 'tries'})")
    finally:
        if own:
            client.close()


class _Retry(Exception):
    pass


def _get(client: httpx.Client, url: str, options: FetchOptions) -> Fetched:
    deadline = time.monotonic() + options.timeout
    try:
        with client.stream("GET", url) as response:
            if response.status_code in RETRY_STATUS:
                raise _Retry(f"HTTP {response.status_code} {response.reason_phrase}")
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > options.max_bytes:
                raise FetchError(
                    f"too large ({int(declared) / 1e6:.1f} MB; the limit is {options.max_bytes / 1e6:.0f} MB)"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > options.max_bytes:
                    raise FetchError(f"too large (over the {options.max_bytes / 1e6:.0f} MB limit)")
                if time.monotonic() > deadline:
                    raise _Retry(f"timed out after {options.timeout:g} s")
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            media, _, params = content_type.partition(";")
            charset = None
            for param in params.split(";"):
                key, _, value = param.partition("=")
                if key.strip().lower() == "charset":
                    charset = value.strip().strip('"') or None
            return Fetched(str(response.url), b"".join(chunks), media.strip().lower(), charset)
    except httpx.TimeoutException:
        raise _Retry(f"timed out after {options.timeout:g} s") from None
    except httpx.TransportError as exc:
        raise _Retry(f"cannot connect: {exc}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from None


def kind_of(fetched: Fetched) -> str:
    """html, pdf, hwpx, hwp, json, jsonl or text: from the media type, else the URL's suffix."""
    media = fetched.media_type
    by_media = {
        "text/html": "html",
        "application/xhtml+xml": "html",
        "application/pdf": "pdf",
        "application/hwp+zip": "hwpx",
        "application/x-hwp": "hwp",
        "application/haansofthwp": "hwp",
        "application/json": "json",
        "application/x-ndjson": "jsonl",
        "application/jsonl": "jsonl",
        "text/plain": "text",
        "text/markdown": "text",
    }
    suffix = PurePosixPath(unquote(urlsplit(fetched.url).path)).suffix.lower().lstrip(".")
    by_suffix = {"htm": "html", "html": "html", "md": "text", "txt": "text", "ndjson": "jsonl"}
    if media in by_media and not (media == "text/plain" and suffix in ("json", "jsonl")):
        return by_media[media]
    return by_suffix.get(suffix, suffix or "html")


def read_url(url: str, options: FetchOptions | None = None) -> Iterator[Post | InputError]:
    from kg.ingest.documents import BadDocument, document_to_post
    from kg.ingest.html import NotArticle, html_to_post
    from kg.ingest.jsonl import read_lines
    from kg.ingest.opendata import read_payload
    from kg.ingest.text import post_from_text

    try:
        fetched = fetch(url, options)
    except FetchError as exc:
        yield InputError(url, str(exc))
        return
    kind = kind_of(fetched)
    try:
        if kind == "html":
            yield html_to_post(fetched.content, url, url, url=fetched.url, charset=fetched.charset)
        elif kind in ("pdf", "hwpx", "hwp"):
            yield document_to_post(fetched.content, kind, url, url, url=fetched.url)
        elif kind == "json":
            yield from read_payload(fetched.content, url)
        elif kind == "jsonl":
            yield from read_lines(fetched.content.splitlines(), url)
        elif kind == "text":
            text = decode_bytes(fetched.content, fetched.charset)
            yield post_from_text(url, text, url, {"url": fetched.url})
        else:
            yield InputError(url, f"unsupported format {fetched.media_type or kind}")
    except (NotText, NotArticle, BadDocument) as exc:
        yield InputError(url, str(exc))
