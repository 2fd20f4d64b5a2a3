"""Which extractor made a fact: a digest of everything extraction reads.

`EXTRACTOR_VERSION` used to be the package version, unchanged through dozens of rule and
lexicon changes, so a re-ingest could not tell stale facts from fresh ones. The version is
now `kg-extract/<package version>+<digest>`, where the digest covers, file by file (path
and bytes):

- the extraction code: every file under `kg/extract/` (rules in Python, the pipeline config)
  and under `kg/text/` (cleaning, names, dates: extraction calls them), and the lexicon
  reader `kg/vocab/lexicon.py`;
- the data extraction reads: every file under `data/patterns/`, `data/lexicon/` and
  `data/models/` — new files in those folders are covered without a change here;
- the versions of the installed libraries that shape the output (spaCy, thinc, the MeCab
  binding and its dictionary), read from package metadata.

Files are hashed, not loaded, so the API process (which never imports spaCy) shows the same
version in `/health`; it is computed once per process (about 20 ms for the 6 MB model).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kg import __version__
from kg.resources import DATA_DIR

_KG = Path(__file__).resolve().parent
CODE = (
    ("kg/extract", _KG / "extract"),
    ("kg/text", _KG / "text"),
    ("kg/vocab/lexicon.py", _KG / "vocab" / "lexicon.py"),
)
DATA_FOLDERS = ("patterns", "lexicon", "models")
LIBRARIES = ("spacy", "thinc", "python-mecab-ko", "python-mecab-ko-dic")
DIGEST_LENGTH = 12  # hex digits shown in the version (48 bits: collisions are not a concern)


def extractor_inputs() -> list[tuple[str, Path]]:
    """(name, path) of every file the digest covers, in a fixed order; names are relative
    to their root so the digest does not depend on where kg is installed."""
    roots = [*CODE, *((f"data/{name}", DATA_DIR / name) for name in DATA_FOLDERS)]
    found: list[tuple[str, Path]] = []
    for label, root in roots:
        if root.is_file():
            found.append((label, root))
            continue
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                found.append((f"{label}/{path.relative_to(root).as_posix()}", path))
    return found


def _library_versions() -> list[str]:
    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} absent")
    return out


def compute_digest(inputs: list[tuple[str, Path]] | None = None, libraries: list[str] | None = None) -> str:
    """The hex SHA-256 of the inputs' names and bytes and the library versions."""
    h = hashlib.sha256()
    for name, path in extractor_inputs() if inputs is None else inputs:
        h.update(name.encode("utf-8") + b"\x00")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\x00")
    for line in _library_versions() if libraries is None else libraries:
        h.update(line.encode("utf-8") + b"\x00")
    return h.hexdigest()


@lru_cache(maxsize=1)
def extractor_digest() -> str:
    """The digest of this process's extractor (computed once)."""
    return compute_digest()[:DIGEST_LENGTH]


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """`kg-extract/0.1.0+3f9c2a1b7d40`: what facts record as the version that read them."""
    return f"kg-extract/{__version__}+{extractor_digest()}"
