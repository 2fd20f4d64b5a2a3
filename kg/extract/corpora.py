"""The annotated text sets extraction is measured on, and how they are split.

Every set is JSON Lines in the gold format (`../shared/docs/gold-format.md`). Splits are by
source, so that texts of one outlet (or one Wikinews article) never sit on both sides:

| set | where | used for |
| --- | --- | --- |
| `shared-dev` | `../shared/corpus/gold/dev.jsonl` | the visible dev set |
| `shared-train` | `../shared/corpus/gold/train.jsonl`, outlets hashed to train | rule writing, training, calibration |
| `shared-heldout` | the same file, outlets hashed to dev | development checks, calibration |
| `team-train` / `team-dev` | `data/gold/real/train.jsonl`, articles hashed | rule writing, training / checks |
| `team-test` | `data/gold/real/test.jsonl` | the locked test split: scored at the end, never read |
| `samples` | `data/gold/samples.jsonl` | the team-written (invented) samples |

`../shared` is read where it exists (a checkout beside the team's shared corpus); the
sets from it are empty elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.ingest.jsonl import post_from_record
from kg.model import Post
from kg.resources import DATA_DIR

SHARED_GOLD = DATA_DIR.parent.parent / "shared" / "corpus" / "gold"
TEAM_GOLD = DATA_DIR / "gold" / "real"
DEV_SHARE = 4  # one source in four goes to the dev side
# what a post carries into extraction; the other fields are the annotation and its provenance
POST_FIELDS = ("id", "published", "text", "title", "url")


def _bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % DEV_SHARE


def outlet(record: dict[str, Any]) -> str:
    """`a-hankyung-2010-…` → `hankyung`: the source of a shared train text."""
    parts = str(record["id"]).split("-")
    return parts[1] if len(parts) > 1 else str(record["id"])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _split(path: Path, key: Callable[[dict[str, Any]], str], dev: bool) -> list[dict[str, Any]]:
    return [r for r in read_jsonl(path) if (_bucket(key(r)) == 0) == dev]


SETS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "shared-dev": lambda: read_jsonl(SHARED_GOLD / "dev.jsonl"),
    "shared-train": lambda: _split(SHARED_GOLD / "train.jsonl", outlet, dev=False),
    "shared-heldout": lambda: _split(SHARED_GOLD / "train.jsonl", outlet, dev=True),
    "team-train": lambda: _split(TEAM_GOLD / "train.jsonl", lambda r: str(r["id"]), dev=False),
    "team-dev": lambda: _split(TEAM_GOLD / "train.jsonl", lambda r: str(r["id"]), dev=True),
    "team-test": lambda: read_jsonl(TEAM_GOLD / "test.jsonl"),
    "samples": lambda: read_jsonl(DATA_DIR / "gold" / "samples.jsonl"),
}
# what rules are calibrated and models trained on: everything but the locked test split
TRAINING_SETS = ("shared-train", "shared-heldout", "team-train", "team-dev", "shared-dev")


def load(name: str) -> list[dict[str, Any]]:
    if name not in SETS:
        raise KeyError(f"no annotated set {name!r}; sets: {', '.join(SETS)}")
    return SETS[name]()


def as_post_record(record: dict[str, Any]) -> dict[str, Any]:
    """The fields a post is read from (the annotation and its provenance left out)."""
    return {k: record[k] for k in POST_FIELDS if k in record}


def post_of(record: dict[str, Any]) -> Post:
    """The post of an annotated record, read as `kg extract` reads a JSON Lines line."""
    post = post_from_record(as_post_record(record), str(record.get("id")))
    if not isinstance(post, Post):
        raise ValueError(f"annotated record {record.get('id')}: {post}")
    return post
