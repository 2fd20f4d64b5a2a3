"""Extraction: a post in, an `Extraction` (entities, relations, evidence) out.

    extractor = Extractor()
    for extraction in extractor.pipe(posts):
        ...

Loading spaCy and the model takes a few seconds; build one Extractor and stream posts
through it. `pipe(..., processes=2)` runs extraction in worker processes.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator
from typing import Any

from kg.model import Extraction, InputError, Post
from kg.text.clean import clean_text, strip_chrome
from kg.version import extractor_version

# what every fact records as the extractor that read it: the package version and a digest of
# the extraction code, patterns, lexicon and model files (kg.version)
EXTRACTOR_VERSION = extractor_version()


class Extractor:
    def __init__(self, nlp: Any = None, min_confidence: float | None = None) -> None:
        if nlp is None:
            from kg.extract.pipeline import build_nlp

            nlp = build_nlp()
        self.nlp = nlp
        self.version = EXTRACTOR_VERSION
        self.min_confidence = min_confidence  # None: the default floor (kg.extract.assemble)

    def clean(self, post: Post) -> str:
        return strip_chrome(clean_text(post.text))

    def process(self, post: Post) -> Any:
        """The post's spaCy Doc after the whole pipeline, with what it found in `doc._.kg`."""
        from kg.extract.state import DocState

        doc = self.nlp.make_doc(self.clean(post))
        doc._.kg = DocState(post_id=post.id, published=post.published, publisher=post.publisher)
        return self.nlp(doc)  # the whole pipeline, as `nlp(text)` runs it

    def extract(self, post: Post) -> Extraction:
        from kg.extract.assemble import assemble

        doc = self.process(post)
        if self.min_confidence is None:
            return assemble(doc, post, self.version)
        return assemble(doc, post, self.version, self.min_confidence)

    def pipe(
        self, posts: Iterable[Post], processes: int = 1, chunksize: int = 4
    ) -> Iterator[Extraction | InputError]:
        """Extract each post; a post that makes extraction fail becomes an InputError."""
        if processes <= 1:
            for post in posts:
                yield self.safe_extract(post)
            return
        ctx = mp.get_context("fork")
        with ctx.Pool(processes, initializer=_init_worker) as pool:
            yield from pool.imap(_work, posts, chunksize)

    def safe_extract(self, post: Post) -> Extraction | InputError:
        try:
            return self.extract(post)
        except Exception as exc:  # one bad post must not stop the others
            return InputError(post.source or post.id, f"extraction failed: {type(exc).__name__}: {exc}")


_worker: Extractor | None = None


def _init_worker() -> None:
    global _worker
    _worker = Extractor()


def _work(post: Post) -> Extraction | InputError:
    assert _worker is not None
    result = _worker.safe_extract(post)
    if isinstance(result, Extraction):
        for entity in result.entities:
            entity.mentions = []  # per-mention detail stays in the worker: less to pickle back
    return result
