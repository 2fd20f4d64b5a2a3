"""What extraction does faster gives what it gave before (issue 16, extraction speed).

Each test compares the fast path with the plain one it replaced, on real texts: the sample
posts, the visible dev set when ../shared is there, and the lexicon's own names.
"""

from __future__ import annotations

import json
import re

import _mecab

from kg.extract.cues import endings_in, load_cues
from kg.extract.state import DocState
from kg.extract.tokenizer import pos_tag
from kg.model import Post

from .conftest import DEV_GOLD, SAMPLES_GOLD

BEFORE_NER = ("kg_sentences", "kg_lexicon")  # what runs on a doc before the NER reads it


def _texts(extractor) -> list[str]:
    lines = SAMPLES_GOLD.read_text(encoding="utf-8").splitlines()
    if DEV_GOLD.is_file():
        lines += DEV_GOLD.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return [extractor.clean(Post(id=str(r["id"]), text=r["text"])) for r in records]


def _words(extractor) -> list[str]:
    """Every word of the texts, each with its endings cut at every length, and the lexicon's names."""
    words: set[str] = set()
    for text in _texts(extractor):
        for word in re.findall(r"[가-힣A-Za-z0-9·]+", text):
            words.update(word[:k] for k in range(1, len(word) + 1))
    lexicon = load_cues().lexicon
    words.update(e.name for e in lexicon.entries)
    words.update(t.title for t in lexicon.titles)
    return sorted(words)


def _ner_entities(nlp, extractor, text: str) -> list[tuple[int, int, str]]:
    doc = extractor.nlp.make_doc(text)
    doc._.kg = DocState(post_id="t")
    for name in BEFORE_NER:
        doc = extractor.nlp.get_pipe(name)(doc)
    for name in ("tok2vec", "ner"):
        doc = nlp.get_pipe(name)(doc)
    return [(e.start, e.end, e.label_) for e in doc.ents]


def test_ner_runs_on_numpy_blas_and_finds_what_blis_found(extractor):
    """The pipeline's NER multiplies with numpy's BLAS (kg/extract/pipeline.py); the model as
    spaCy loads it by default multiplies with BLIS. Same entities on every text."""
    import spacy

    from kg.extract.pipeline import NER_MODEL

    ops = extractor.nlp.get_pipe("tok2vec").model.ops
    assert ops.name == "numpy" and ops.use_blis is False
    assert extractor.nlp.get_pipe("ner").model.ops.use_blis is False
    blis_nlp = spacy.load(NER_MODEL)
    assert blis_nlp.get_pipe("tok2vec").model.ops.use_blis is True
    texts = _texts(extractor)
    assert len(texts) >= 40
    found = 0
    for text in texts:
        fast = _ner_entities(extractor.nlp, extractor, text)
        assert fast == _ner_entities(blis_nlp, extractor, text), text[:80]
        found += len(fast)
    assert found > 100


def test_morphemes_read_from_mecab_output_match_its_nodes(extractor):
    """MecabTagger.morphemes reads MeCab's output string; walking the lattice's nodes, as it
    did before, gives the same morphemes, offsets and tags."""
    tagger = extractor.nlp.tokenizer.tagger

    def by_nodes(text: str) -> list[tuple[int, int, str]]:
        out, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                lattice = _mecab.Lattice()
                lattice.add_request_type(_mecab.MECAB_ALLOCATE_SENTENCE)
                lattice.set_sentence(line)
                assert tagger._tagger.parse(lattice)
                pos = 0
                for _span, node in lattice:
                    if node.surface:
                        at = line.find(node.surface, pos)
                        pos = at + len(node.surface)
                        out.append((offset + at, offset + pos, pos_tag(node.feature)))
            offset += len(line) + 1
        return out

    texts = [
        *_texts(extractor),
        "  앞에 공백,\t탭과 EOS 그리고 EOS\n\n(사)한국소공인협회·㈜하늘 ▲ 2차관 “인용” …",
    ]
    for text in texts:
        assert tagger.morphemes(text) == by_nodes(text), text[:80]


def test_endings_in_visits_what_a_longest_first_endswith_loop_visits(extractor):
    cues = load_cues()
    titles = sorted({t.title for t in cues.lexicon.titles}, key=len, reverse=True)
    title_set = frozenset(titles)
    heads = cues.program_heads  # longest first
    for word in _words(extractor):
        assert list(endings_in(word, title_set, first=1)) == [
            t for t in titles if word.endswith(t) and len(word) > len(t)
        ], word
        assert next(endings_in(word, cues.program_head_set), None) == next(
            (h for h in heads if word.endswith(h)), None
        ), word
    assert list(endings_in("차관", frozenset({"", "관", "차관"}))) == ["차관", "관", ""]
    assert list(endings_in("차관", frozenset({"", "관", "차관"}), first=1)) == ["관", ""]


def test_body_subtype_and_event_kind_by_ending_match_the_listed_loops(extractor):
    """org_subtype_by_suffix and event_kind look endings up; the loops over every listed word
    they replaced pick the same (longest ending, first listed on a tie)."""
    cues = load_cues()

    def subtype_by_loop(name: str) -> str | None:
        bare = name.replace(" ", "")
        if cues.is_university_short(bare):
            return "university"
        best: tuple[int, str] | None = None
        for subtype, suffixes in cues.org_suffixes.items():
            for suffix in suffixes:
                min_len = 4 if len(suffix) == 1 else len(suffix) + 1
                if bare.endswith(suffix) and len(bare) >= min_len and (best is None or len(suffix) > best[0]):
                    best = (len(suffix), subtype)
        return best[1] if best else None

    def kind_by_loop(name: str) -> str | None:
        best: tuple[int, str] | None = None
        bare = name.replace(" ", "")
        for kind, words in cues.event_kinds.items():
            for word in words:
                w = word.replace(" ", "")
                if bare.endswith(w) and (best is None or len(w) > best[0]):
                    best = (len(w), kind)
        return best[1] if best else None

    subtypes = kinds = 0
    for word in _words(extractor):
        assert cues.org_subtype_by_suffix(word) == subtype_by_loop(word), word
        assert cues.event_kind(word) == kind_by_loop(word), word
        subtypes += cues.org_subtype_by_suffix(word) is not None
        kinds += cues.event_kind(word) is not None
    assert subtypes > 100 and kinds > 10


def test_pipe_in_batches_extracts_what_one_by_one_does_and_isolates_a_failing_post(extractor):
    """Extractor.pipe hands the pipeline several posts at a time; the results are those of
    extracting each post alone, in order, and a post that breaks its batch fails alone."""
    from kg.model import Extraction, InputError

    posts = [Post(id=f"p{i}", text=text) for i, text in enumerate(_texts(extractor)[:11])]
    broken = Post(id="broken", text=None, source="broken.txt")  # type: ignore[arg-type]
    posts.insert(5, broken)
    alone = [extractor.safe_extract(p) for p in posts]
    batched = list(extractor.pipe(posts, batch_size=4))
    assert [type(r) for r in batched] == [type(r) for r in alone]
    assert isinstance(batched[5], InputError) and batched[5].source == "broken.txt"
    for got, want in zip(batched, alone, strict=True):
        if isinstance(want, Extraction):
            assert got == want
            assert want.relations or want.entities
