"""Read posts from files, folders and streams; every input becomes a Post or an InputError.

Readers are chosen by file suffix (`READERS`); a reader yields Posts and InputErrors and
never raises for bad content, so one broken file never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.ingest.jsonl import read_jsonl
from kg.ingest.text import read_text_file
from kg.model import InputError, Post

Reader = Callable[[Path], Iterator[Post | InputError]]

READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".markdown": read_text_file,
    ".jsonl": read_jsonl,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Files as given, folders recursively (supported suffixes only, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and supported(p) and not _documentation(p)
            )
        elif path.is_file():
            yield path
        else:
            yield InputError(str(raw), "no such file or folder")


def _documentation(path: Path) -> bool:
    """README, LICENSE and CHANGELOG files describe a folder of posts; they are not posts."""
    return path.stem.upper() in ("README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE")


def read_posts(paths: Iterable[str | Path]) -> Iterator[Post | InputError]:
    for item in expand_paths(paths):
        if isinstance(item, InputError):
            yield item
            continue
        reader = READERS.get(item.suffix.lower())
        if reader is None:
            yield InputError(str(item), f"unsupported format {item.suffix or '(no suffix)'}")
            continue
        try:
            yield from reader(item)
        except OSError as exc:
            yield InputError(str(item), f"cannot read: {exc.strerror or exc}")
