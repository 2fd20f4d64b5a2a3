"""Extraction: a post in, an `Extraction` (entities, relations, evidence) out.

    extractor = Extractor()
    for extraction in extractor.pipe(posts):
        ...

Loading spaCy and the model takes a few seconds; build one Extractor and stream posts
through it. `pipe` hands the pipeline `batch_size` posts at a time (the statistical NER reads
a batch faster than its posts one by one, with the same result); `pipe(..., processes=2)`
runs extraction in worker processes.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from kg.model import Extraction, InputError, Post
from kg.text.clean import clean_text, strip_chrome
from kg.version import extractor_version

# what every fact records as the extractor that read it: the package version and a digest of
# the extraction code, patterns, lexicon and model files (kg.version)
EXTRACTOR_VERSION = extractor_version()
BATCH_SIZE = 8  # posts the pipeline reads at a time in one process (bench/extract.py --batch-size)


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

    def make_doc(self, post: Post) -> Any:
        """The post's tokenised Doc, with an empty `doc._.kg` for the pipeline to fill."""
        from kg.extract.state import DocState

        doc = self.nlp.make_doc(self.clean(post))
        doc._.kg = DocState(post_id=post.id, published=post.published, publisher=post.publisher)
        return doc

    def process(self, post: Post) -> Any:
        """The post's spaCy Doc after the whole pipeline, with what it found in `doc._.kg`."""
        return self.nlp(self.make_doc(post))  # the whole pipeline, as `nlp(text)` runs it

    def extract(self, post: Post) -> Extraction:
        return self._assemble(self.process(post), post)

    def _assemble(self, doc: Any, post: Post) -> Extraction:
        from kg.extract.assemble import assemble

        if self.min_confidence is None:
            return assemble(doc, post, self.version)
        return assemble(doc, post, self.version, self.min_confidence)

    def pipe(
        self, posts: Iterable[Post], processes: int = 1, chunksize: int = 4, batch_size: int = BATCH_SIZE
    ) -> Iterator[Extraction | InputError]:
        """Extract each post, in order; a post that makes extraction fail becomes an InputError.

        In one process the pipeline reads `batch_size` posts at a time (1: one by one)."""
        if processes <= 1:
            it = iter(posts)
            while batch := list(islice(it, max(batch_size, 1))):
                yield from self._extract_batch(batch)
            return
        ctx = mp.get_context("fork")
        with ctx.Pool(processes, initializer=_init_worker) as pool:
            yield from pool.imap(_work, posts, chunksize)

    def _extract_batch(self, posts: list[Post]) -> Iterator[Extraction | InputError]:
        if len(posts) == 1:
            yield self.safe_extract(posts[0])
            return
        try:
            docs = list(self.nlp.pipe(self.make_doc(post) for post in posts))
        except Exception:  # one post broke the batch: read each alone, so that only it fails
            yield from map(self.safe_extract, posts)
            return
        for doc, post in zip(docs, posts, strict=True):
            try:
                yield self._assemble(doc, post)
            except Exception as exc:
                yield self._failed(post, exc)

    def safe_extract(self, post: Post) -> Extraction | InputError:
        try:
            return self.extract(post)
        except Exception as exc:  # one bad post must not stop the others
            return self._failed(post, exc)

    @staticmethod
    def _failed(post: Post, exc: Exception) -> InputError:
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
