"""`kg ingest https://…`: fetch a page or a file over HTTP, within limits, and read it.

httpx with a per-request timeout and a total deadline (a server that drips one byte a
second still ends), a size limit enforced while streaming (the body is never held beyond
it), and retries with backoff for what may pass (timeouts, connection errors, 429, 5xx);
a 4xx other than 429 is final at once. What was fetched is read by the reader its
Content-Type (or else the URL's suffix) calls for.

Only public addresses are fetched unless `allow_private` (`--allow-private-urls`): a URL
whose host is or resolves to a loopback, private, link-local or otherwise special address
(127.0.0.1, 10.x, 192.168.x, 169.254.169.254, ::1, fc00::/7 …) is refused, so a list of
URLs from elsewhere cannot make kg read the machine's own services or the local network.
The host is resolved here, every address it resolves to is checked, and the connection goes
to the checked address (the name still serves for Host and TLS), so a second DNS answer
cannot swap in another; redirects are followed by hand and each hop is checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx

from kg import __version__
from kg.ingest.decode import MAX_BYTES, NotText, decode_bytes, too_large
from kg.model import InputError, Post

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 20.0  # seconds, for each try, start to last byte
    max_bytes: int = MAX_BYTES
    retries: int = 2  # tries after the first
    backoff: float = 0.5  # seconds before the first retry, doubled after each
    allow_private: bool = False  # fetch loopback, private and link-local addresses too
    allowed_networks: tuple[str, ...] = ()  # such networks allowed one by one (e.g. "127.0.0.1/32")


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
        follow_redirects=False,
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


def refusal(address: IpAddress, options: FetchOptions) -> str | None:
    """What kind of address this is when it may not be fetched ("a loopback address"), else None."""
    if options.allow_private:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in ipaddress.ip_network(n, strict=False) for n in options.allowed_networks):
        return None
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not address.is_global:
        return "not a public address"
    return None


def _address(url: str, options: FetchOptions) -> tuple[str, IpAddress]:
    """The URL's host name and the checked address to connect to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}")
    host = parts.hostname
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise _Retry(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    for address in addresses:
        kind = refusal(address, options)
        if kind is not None:
            what = f"{host} is {kind}" if literal is not None else f"{host} resolves to {address}, {kind}"
            raise FetchError(
                f"refused: {what} (loopback, private and link-local targets need --allow-private-urls)"
            )
    return host, addresses[0]


def _pinned(url: str, address: IpAddress) -> str:
    """The URL with its host replaced by the address it was checked at."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _get(client: httpx.Client, url: str, options: FetchOptions) -> Fetched:
    deadline = time.monotonic() + options.timeout
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        try:
            host, address = _address(current, options)
        except FetchError as exc:
            raise FetchError(f"redirected to {current}: {exc}" if hop else str(exc)) from None
        parts = urlsplit(current)
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        try:
            request = client.build_request(
                "GET", _pinned(current, address), headers=headers, extensions=extensions
            )
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _Retry(f"timed out after {options.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"cannot connect: {exc}") from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}") from None
        try:
            if response.status_code in REDIRECT_STATUS and "location" in response.headers:
                target = urljoin(current, response.headers["location"])
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"redirected to {target}, which is not an http(s) URL")
                current = target
                continue
            return _body(response, current, options, deadline)
        finally:
            response.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _body(response: httpx.Response, url: str, options: FetchOptions, deadline: float) -> Fetched:
    try:
        if response.status_code in RETRY_STATUS:
            raise _Retry(f"HTTP {response.status_code} {response.reason_phrase}")
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_bytes:
            raise FetchError(too_large(int(declared), options.max_bytes))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > options.max_bytes:
                raise FetchError(too_large(size, options.max_bytes, more=True))
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
        return Fetched(url, b"".join(chunks), media.strip().lower(), charset)
    except httpx.TimeoutException:
        raise _Retry(f"timed out after {options.timeout:g} s") from None
    except httpx.TransportError as exc:
        raise _Retry(f"cannot connect: {exc}") from None


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
