"""Read posts from files, folders, URLs and streams; every input becomes a Post or an InputError.

Readers are chosen by file suffix (`READERS`); a reader yields Posts and InputErrors and
never raises for bad content, so one broken file never stops the others. `-` reads JSON
Lines from stdin; `http(s)://…` is fetched (kg.ingest.fetch).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.ingest.documents import read_document
from kg.ingest.fetch import FetchOptions
from kg.ingest.html import read_html_file
from kg.ingest.jsonl import read_jsonl, read_stream
from kg.ingest.opendata import read_json
from kg.ingest.text import read_text_file
from kg.model import InputError, Post

Reader = Callable[[Path], Iterator[Post | InputError]]

READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".markdown": read_text_file,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".pdf": read_document,
    ".hwpx": read_document,
    ".hwp": read_document,
}
STDIN = "-"


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | str | InputError]:
    """Files as given, folders recursively (supported suffixes only, sorted); URLs and `-` as is.
    A folder that cannot be listed and a path that is not a regular file (a device, a pipe)
    each become an InputError naming them."""
    from kg.ingest.fetch import is_url

    for raw in paths:
        if isinstance(raw, str) and (raw == STDIN or is_url(raw)):
            yield raw
            continue
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            yield InputError(str(raw), "no such file or folder")
            continue
        except OSError as exc:
            yield InputError(str(raw), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path)
        elif stat.S_ISREG(mode):
            yield path
        else:
            yield InputError(str(raw), f"not a regular file ({_kind(mode)})")


def _walk(folder: Path) -> Iterator[Path | InputError]:
    """The supported files under a folder, in sorted order; an unreadable subfolder is reported."""
    found: list[Path | InputError] = []

    def unreadable(error: OSError) -> None:
        where = error.filename or str(folder)
        found.append(InputError(str(where), f"cannot read folder: {error.strerror or error}"))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs.sort()
        for name in files:
            path = Path(root) / name
            if supported(path) and not _documentation(path) and path.is_file():
                found.append(path)
    yield from sorted(found, key=lambda item: str(item.source) if isinstance(item, InputError) else str(item))


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file or folder"


def _documentation(path: Path) -> bool:
    """README, LICENSE and CHANGELOG files describe a folder of posts; they are not posts."""
    return path.stem.upper() in ("README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE")


def estimate_total(paths: Iterable[str | Path]) -> int | None:
    """How many posts the inputs hold, for a progress bar; None when a stream or URL makes it unknowable."""
    total = 0
    for item in expand_paths(paths):
        if isinstance(item, str):
            return None
        if isinstance(item, InputError) or item.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
            total += 1
        elif item.suffix.lower() == ".json":
            return None
        else:
            with item.open("rb") as stream:
                total += sum(1 for line in stream if line.strip())
    return total


def read_posts(
    paths: Iterable[str | Path], stdin: IO[bytes] | None = None, fetch_options: FetchOptions | None = None
) -> Iterator[Post | InputError]:
    """Every post of every input, in order; an input that cannot be read becomes an InputError."""
    from kg.ingest.fetch import read_url

    for item in expand_paths(paths):
        if isinstance(item, InputError):
            yield item
        elif item == STDIN:
            yield from read_stream(stdin or sys.stdin.buffer, "<stdin>")
        elif isinstance(item, str):
            yield from _guarded(item, read_url, item, fetch_options)
        else:
            reader = READERS.get(item.suffix.lower())
            if reader is None:
                yield InputError(str(item), f"unsupported format {item.suffix or '(no suffix)'}")
                continue
            yield from _guarded(str(item), reader, item)


def _guarded(
    name: str, read: Callable[..., Iterator[Post | InputError]], *args: Any
) -> Iterator[Post | InputError]:
    """Whatever a reader raises becomes one error line for that input; the others go on."""
    try:
        yield from read(*args)
    except OSError as exc:
        yield InputError(name, f"cannot read: {exc.strerror or exc}")
    except MemoryError:
        yield InputError(name, "cannot read: out of memory")
    except Exception as exc:  # a reader bug must not stop the run; say what happened
        yield InputError(name, f"cannot read: {type(exc).__name__}: {exc}")
