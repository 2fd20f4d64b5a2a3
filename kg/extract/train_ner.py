"""Train and evaluate the statistical NER model (`data/models/ner-klue/`) on KLUE-NER.

Data: the KLUE-NER v1.1 dev file (5,000 sentences, character-level BIO, labels DT LC OG PS
QT TI; CC BY-SA 4.0) in `../shared/corpus/ner/`. Only that split is public here, so it is cut
into parts by a hash of each sentence id, the same on every machine:

- held-out: `sha1(id) % 5 == 0` (about 1,000 sentences) — never used for training, early
  stopping, augmentation or tuning; the reported scores are on it;
- dev carve-out: of the rest, `sha1("dev:" + id) % 8 == 0` (about 500) — early stopping and
  every model choice;
- train: the remaining ~3,500 sentences (plus entity-substitution copies of them).

Character spans become spaCy Docs made with the kg MeCab tokenizer. About 2 % of the entity
spans do not fall on morpheme boundaries (남북 tagged as 남/OG + 북/OG, 박모 with PS on 박, "1%,"
where MeCab keeps "%," as one token); in training those tokens are marked *missing* (neither
entity nor O), so the model is not taught a wrong span; in evaluation they count as misses.

Evaluation is at the character-span level: a predicted entity counts only when its character
start, end and label equal those of a gold entity.

    .venv/bin/python -m kg.extract.train_ner              # train, evaluate, ship the model
    .venv/bin/python -m kg.extract.train_ner --eval-only  # re-score the shipped model
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kg.extract.ner_spans import Sentence, document_spans, klue_unsure_words, score_with_unsure, sentences

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO.parent / "shared" / "corpus" / "ner"
KLUE_FILE = "klue-ner-v1.1_dev.tsv"
KONEC_FILE = "konec-dev.tsv"
CONFIG = Path(__file__).resolve().parent / "ner.cfg"
MODEL_DIR = REPO / "data" / "models" / "ner-klue"
LABELS = ("DT", "LC", "OG", "PS", "QT", "TI")
# 0: ship the checkpoint the dev sets chose (KLUE dev carve-out + the real dev sets), trained
# without them; round 1 (KLUE only) instead refitted on train + dev carve-out for 3,000 steps.
# With the real texts the dev sets must stay unseen: they choose the model.
FINAL_FIT_STEPS = 0

SPLIT_RULE = (
    "held-out: int(sha1(id).hexdigest(), 16) % 5 == 0; "
    "dev carve-out (early stopping and model choice, from the rest): "
    "int(sha1('dev:' + id).hexdigest(), 16) % 8 == 0; train: the remainder"
)


# --- data ------------------------------------------------------------------------------


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) spans of a BIO sequence; an I- after O or another label starts one."""
    out: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and label == tag[2:]
        if not inside:
            if start is not None:
                out.append((start, i, label))  # type: ignore[arg-type]
                start, label = None, None
            if tag[:2] in ("B-", "I-"):
                start, label = i, tag[2:]
    return out


def read_klue(path: Path | str) -> list[Sentence]:
    """Sentences of a KLUE-NER character-level BIO file (also reads the konec file)."""
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    sid: str | None = None

    def flush() -> None:
        nonlocal chars, tags, sid
        if sid is not None and chars:
            sentences.append(Sentence(sid, "".join(chars), bio_spans(tags)))
        chars, tags, sid = [], [], None

    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("##"):
                body = line[2:].strip()
                if "\t" in body and "_dev_" in body.split("\t", 1)[0]:
                    flush()
                    sid = body.split("\t", 1)[0]
                continue
            if not line:
                flush()
                continue
            char, _, tag = line.rpartition("\t")
            if len(char) != 1:
                raise ValueError(f"{path}: bad token line {raw!r} in {sid}")
            chars.append(char)
            tags.append(tag)
    flush()
    return sentences


def _bucket(key: str, mod: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % mod


def is_held_out(sentence_id: str) -> bool:
    return _bucket(sentence_id, 5) == 0


def is_dev(sentence_id: str) -> bool:
    return _bucket("dev:" + sentence_id, 8) == 0


def split(
    sentences: Iterable[Sentence],
) -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """(train, dev carve-out, held-out) by the hash rule in SPLIT_RULE."""
    train, dev, held = [], [], []
    for s in sentences:
        if is_held_out(s.id):
            held.append(s)
        elif is_dev(s.id):
            dev.append(s)
        else:
            train.append(s)
    return train, dev, held


def load_split(data_dir: Path | str = DATA_DIR):
    return split(read_klue(Path(data_dir) / KLUE_FILE))


# --- the annotated real texts -----------------------------------------------------------

# Sets of kg.extract.corpora the model may learn from, and those that choose among models.
# The locked test split (team-test) is neither: it is never read here.
REAL_TRAINABLE = ("shared-train", "team-train")
REAL_DEV = ("shared-heldout", "team-dev")
# The shipped model learns only from openly licensed text: the shared train texts are for
# internal development only (../shared/corpus/README.md), see LICENSE.md.
SHIPPED_REAL_TRAIN = ("team-train",)
INTERNAL_ONLY = frozenset({"shared-train"})
REAL_LABELS = ("PS", "OG", "LC")
EXTRA_REAL_LABELS = ("PG", "EV")  # Program, Event: learned only with --program-event


def lexicon_places() -> list[str]:
    from kg.vocab.lexicon import load_lexicon

    return sorted({s for e in load_lexicon().entries if e.type == "Place" for s in e.surfaces if len(s) >= 2})


def load_real(
    nlp, name: str, labels: Sequence[str], unsure_words: Iterable[str], places: Sequence[str]
) -> list[Sentence]:
    """One annotated set as whole documents with gold spans and unsure stretches (ner_spans)."""
    from kg.extract import corpora

    if name not in (*REAL_TRAINABLE, *REAL_DEV):
        raise ValueError(f"annotated set {name!r} is not for NER training or model choice")
    words = sorted(unsure_words)
    docs = []
    for record in corpora.load(name):
        doc = nlp.make_doc(record["text"])
        tokens = [(t.idx, t.idx + len(t.text), t.tag_) for t in doc]
        docs.append(document_spans(record, tokens, labels, words, places))
    return docs


def evaluate_real(model: Any, docs: Sequence[Sentence], labels: Sequence[str]) -> dict[str, Any]:
    """Character-span P/R/F1 on annotated real documents: predictions touching an unsure stretch
    (ner_spans) that are not gold are neither right nor wrong; other labels are not scored."""
    pred = predict_spans(model, [d.text for d in docs], batch_size=8)
    gold, kept = score_with_unsure(docs, pred, labels)
    result = score_spans(gold, kept)
    result["documents"] = len(docs)
    return result


# --- augmentation ----------------------------------------------------------------------


def substitute_entities(
    sentences: Sequence[Sentence], copies: int, prob: float = 0.5, seed: int = 0
) -> list[Sentence]:
    """Copies of the sentences with entity spans swapped for other *given* entities.

    Each entity is replaced with probability `prob` by a surface drawn from the same label's
    pool, built from `sentences` only (pass the train part: held-out entities never leak in).
    """
    rng = random.Random(seed)
    pool: dict[str, list[str]] = defaultdict(list)
    for s in sentences:
        for a, b, label in s.entities:
            pool[label].append(s.text[a:b])
    out: list[Sentence] = []
    for k in range(copies):
        for s in sentences:
            if not s.entities:
                continue
            parts: list[str] = []
            ents: list[tuple[int, int, str]] = []
            pos = 0
            length = 0
            changed = False
            for a, b, label in s.entities:
                parts.append(s.text[pos:a])
                length += a - pos
                surface = s.text[a:b]
                if rng.random() < prob:
                    surface = rng.choice(pool[label])
                    changed = changed or surface != s.text[a:b]
                ents.append((length, length + len(surface), label))
                parts.append(surface)
                length += len(surface)
                pos = b
            parts.append(s.text[pos:])
            if changed:
                out.append(Sentence(f"{s.id}#aug{k}", "".join(parts), ents))
    return out


# --- spaCy docs ------------------------------------------------------------------------


def blank_nlp():
    import spacy

    import kg.extract.tokenizer  # noqa: F401  (registers kg.MecabTokenizer.v1)

    return spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": "kg.MecabTokenizer.v1"}}})


def make_docs(
    nlp,
    sentences: Iterable[Sentence],
    stats: Counter | None = None,
    aux: dict[str, Sentence] | None = None,
) -> list:
    """Docs with gold entities; spans off token boundaries and unsure stretches
    (`Sentence.unsure`) are marked missing, not taught.

    With `aux` (konec sentences by id), each token's `tag_` becomes its fine-grained BIO tag
    (B-PS_NAME, I-OGG_POLITICS, O; "" = unknown), the target of an auxiliary tagger.
    """
    docs = []
    stats = stats if stats is not None else Counter()
    for s in sentences:
        doc = nlp.make_doc(s.text)
        if aux is not None:
            _set_aux_tags(doc, aux.get(s.id))
        aligned, missing = [], []
        for a, b, label in s.entities:
            stats["spans"] += 1
            span = doc.char_span(a, b, label=label)
            if span is not None:
                aligned.append(span)
                continue
            stats["misaligned"] += 1
            stats[f"misaligned:{label}"] += 1
            wide = doc.char_span(a, b, alignment_mode="expand")
            if wide is not None:
                missing.append(wide)
        for a, b in s.unsure:
            wide = doc.char_span(a, b, alignment_mode="expand")
            if wide is not None:
                stats["unsure_tokens"] += len(wide)
                missing.append(wide)
        stats["tokens"] += len(doc)
        taken = {i for span in aligned for i in range(span.start, span.end)}
        missing_tokens = sorted({i for span in missing for i in range(span.start, span.end)} - taken)
        missing_spans = [doc[i : i + 1] for i in missing_tokens]
        doc.set_ents(aligned, missing=missing_spans, default="outside")
        docs.append(doc)
    return docs


def _set_aux_tags(doc, fine: Sentence | None) -> None:
    if fine is None or fine.text != doc.text:
        for token in doc:
            token.tag_ = ""
        return
    tags = ["O"] * len(doc)
    for a, b, label in fine.entities:
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is None:
            continue
        exact = span.start_char == a and span.end_char == b
        for i in range(span.start, span.end):
            tags[i] = ("B-" if i == span.start else "I-") + label if exact else ""
    for token, tag in zip(doc, tags, strict=True):
        token.tag_ = tag


def write_docbin(docs: Sequence, path: Path) -> None:
    from spacy.tokens import DocBin

    DocBin(docs=docs, store_user_data=False).to_disk(path)


# --- evaluation ------------------------------------------------------------------------


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "p": round(p, 4),
        "r": round(r, 4),
        "f": round(f, 4),
        "tp": tp,
        "pred": n_pred,
        "gold": n_gold,
    }


def score_spans(
    gold: Sequence[Iterable[tuple[int, int, str]]], pred: Sequence[Iterable[tuple[int, int, str]]]
) -> dict[str, Any]:
    """Micro P/R/F1 over exact (start, end, label) character spans, overall and per label."""
    tp: Counter = Counter()
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for _, _, label in gs:
            n_gold[label] += 1
        for _, _, label in ps:
            n_pred[label] += 1
        for _, _, label in gs & ps:
            tp[label] += 1
    labels = sorted(set(n_gold) | set(n_pred))
    return {
        "micro": prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())),
        "per_label": {lab: prf(tp[lab], n_pred[lab], n_gold[lab]) for lab in labels},
    }


def predict_spans(nlp, texts: Sequence[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
    return [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]


def evaluate(model_path: Any, sentences: Sequence[Sentence]) -> dict[str, Any]:
    """Character-span micro P/R/F1 of a model (a path or a loaded `Language`) on sentences."""
    if isinstance(model_path, str | os.PathLike):
        import spacy

        import kg.extract.tokenizer  # noqa: F401

        nlp = spacy.load(Path(model_path))
    else:
        nlp = model_path
    start = time.perf_counter()
    pred = predict_spans(nlp, [s.text for s in sentences])
    seconds = time.perf_counter() - start
    result = score_spans([s.entities for s in sentences], pred)
    result["sentences"] = len(sentences)
    result["seconds"] = round(seconds, 2)
    return result


# --- training --------------------------------------------------------------------------


def _parse_set(values: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        key, _, raw = item.partition("=")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def train_model(
    config: Path,
    train_docs: Path,
    dev_docs: Path,
    output: Path,
    seed: int,
    overrides: dict[str, Any],
) -> Path:
    from spacy.cli.train import train

    import kg.extract.tokenizer  # noqa: F401

    settings = {
        "paths.train": str(train_docs),
        "paths.dev": str(dev_docs),
        "system.seed": seed,
        **overrides,
    }
    train(config, output, use_gpu=-1, overrides=settings)
    return output / "model-best"


def _sources(trained_on: dict[str, Any]) -> list[dict[str, str]]:
    sources = [
        {
            "name": "KLUE-NER v1.1 (dev split)",
            "url": "https://github.com/KLUE-benchmark/KLUE",
            "license": "CC BY-SA 4.0",
            "author": "Park et al., KLUE: Korean Language Understanding Evaluation, 2021",
        }
    ]
    if trained_on.get("konec"):
        sources.append(
            {
                "name": "konec (KLUE-NER dev re-annotated with the NIKL fine-grained tags)",
                "url": "https://github.com/korean-named-entity/konec",
                "license": "CC BY-SA 4.0",
                "author": "korean-named-entity/konec contributors",
            }
        )
    if "team-train" in trained_on.get("annotated_sets", ()):
        sources.append(
            {
                "name": "Korean Wikinews articles annotated by the kg team (data/gold/real, team-train)",
                "url": "https://ko.wikinews.org",
                "license": "CC BY 2.5",
                "author": "Wikinews contributors",
            }
        )
    return sources


def ship(nlp, out_dir: Path, trained_on: dict[str, Any]) -> None:
    """Save the pipeline without training-only settings, under its licence metadata."""
    if INTERNAL_ONLY & set(trained_on.get("annotated_sets", ())) and out_dir.resolve().is_relative_to(REPO):
        raise SystemExit(
            f"not shipping into {out_dir}: the model learned from {', '.join(sorted(INTERNAL_ONLY))} "
            "(texts for internal development use only); pass --output outside the repository"
        )
    real = ", ".join(trained_on.get("annotated_sets", ())) or "none"
    nlp.meta.update(
        {
            "name": "ner_klue",
            "version": "1.1.0",
            "description": "Korean NER (DT LC OG PS QT TI) over the kg MeCab tokenizer, "
            f"trained on part of KLUE-NER v1.1 dev and on annotated real texts ({real})",
            "license": "CC BY-SA 4.0",
            "author": "kg",
            "sources": _sources(trained_on),
            "kg": trained_on,
        }
    )
    if out_dir.exists():
        for child in out_dir.iterdir():
            if child.name in ("LICENSE.md", "README.md", "metrics.json"):
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    nlp.to_disk(out_dir)


KLUE_ATTRIBUTION = """\
This model is a derived work of **KLUE-NER v1.1** (the dev split, `klue-ner-v1.1_dev.tsv`)
from the KLUE benchmark repository (KLUE-benchmark/KLUE, commit 3efd987):
Sungjoon Park et al., "KLUE: Korean Language Understanding Evaluation", 2021
(arXiv:2105.09680), licensed under CC BY-SA 4.0. The sentences come from WIKITREE news and
NSMC movie reviews as distributed by KLUE. It was trained on part of that file (see README.md),
with entity-substitution copies made from the same part. Changes: the data were split, converted
to spaCy Docs over the kg MeCab-ko tokenizer and used to fit model weights.
"""

KONEC_ATTRIBUTION = """\
It is also a derived work of **konec** (korean-named-entity/konec, commit b6c98a4,
`konec-dev.tsv`): the same KLUE sentences re-annotated with the 150 fine-grained NIKL 2021
tags, licensed under CC BY-SA 4.0. During training an auxiliary tagger learned those tags on
the training part through the shared token encoder; the tagger is not part of this model.
"""

WIKINEWS_ATTRIBUTION = """\
It also learned from **Korean Wikinews articles** (ko.wikinews.org; © Wikinews contributors,
licensed under CC BY 2.5, https://creativecommons.org/licenses/by/2.5/), annotated with
entity names by the kg team (`data/gold/real/train.jsonl` in the kg repository, the
`team-train` part; each line there names its article's address). Changes: the names were
located in the text and turned into character spans, the texts cut into sentences and
converted to spaCy Docs, and used to fit model weights. The articles used:
"""

INTERNAL_NOTE = """\
It did **not** learn from the shared annotated press and news texts
(`../shared/corpus/gold/train.jsonl`): their publishers' terms allow internal development use
only, so a model trained on them is kept out of the repository (see README.md).
"""


def _wikinews_articles() -> list[str]:
    from kg.extract import corpora

    return [f"- {r['id']}: {r.get('source', '')}" for r in corpora.load("team-train")]


def attribution(trained_on: dict[str, Any]) -> str:
    parts = [KLUE_ATTRIBUTION]
    if trained_on.get("konec"):
        parts.append(KONEC_ATTRIBUTION)
    if "team-train" in trained_on.get("annotated_sets", ()):
        parts.append(WIKINEWS_ATTRIBUTION + "\n".join(_wikinews_articles()) + "\n")
    if "shared-train" not in trained_on.get("annotated_sets", ()):
        parts.append(INTERNAL_NOTE)
    return "\n".join(parts)


def write_license(out: Path, data_dir: Path, trained_on: dict[str, Any]) -> None:
    text = [
        "# Licence: CC BY-SA 4.0",
        "",
        "The files in this folder (the trained spaCy pipeline `ner-klue`) are licensed under the",
        "Creative Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0),",
        "https://creativecommons.org/licenses/by-sa/4.0/ . The code that trained it",
        "(`kg/extract/train_ner.py`) is part of kg and under kg's licence.",
        "",
        "## Attribution",
        "",
        attribution(trained_on),
        "Share-alike: redistributions of this model or of models derived from it must keep this",
        "attribution and be licensed under CC BY-SA 4.0 (as spaCy's own Korean pipelines trained",
        "on KLUE are). CC BY 2.5 material (the Wikinews articles) may be adapted under CC BY-SA 4.0",
        "as long as its attribution is kept, as above.",
    ]
    legal = data_dir / "LICENSE-CC-BY-SA-4.0.md"
    if legal.exists():
        text += ["", "## Licence text", "", legal.read_text(encoding="utf-8").strip()]
    (out / "LICENSE.md").write_text("\n".join(text) + "\n", encoding="utf-8")


def _score_table(result: dict[str, Any]) -> list[str]:
    rows = ["| label | P | R | F1 | gold |", "|---|---|---|---|---|"]
    for label, v in result["per_label"].items():
        rows.append(f"| {label} | {v['p']:.3f} | {v['r']:.3f} | {v['f']:.3f} | {v['gold']} |")
    m = result["micro"]
    rows.append(f"| **micro** | **{m['p']:.3f}** | **{m['r']:.3f}** | **{m['f']:.3f}** | {m['gold']} |")
    return rows


EXPERIMENTS_KLUE = [
    "### Round 1: KLUE only",
    "",
    "Dev carve-out (520 sentences, 1,472 entities), checkpoint picked on it; exact char-span",
    "micro F1, with spaCy's token-level ents_f in brackets. None of it touched the held-out part.",
    "With 1,472 dev entities, differences under about 0.01 are within run-to-run noise.",
    "",
    "| variant | dev F1 |",
    "|---|---|",
    "| CNN tok2vec 96 x 4, hash embed NORM PREFIX SUFFIX SHAPE TAG, no augmentation | 0.752 (76.7) |",
    "| + entity substitution, 1 copy | 0.759 (77.3) |",
    "| + entity substitution, 3 copies | 0.761 (77.5) |",
    "| + entity substitution, 6 copies | 0.748 (76.3) |",
    "| 1 copy, tok2vec width 256 | 0.761 (77.6) |",
    "| 1 copy, + CharacterEmbed (UTF-8 bytes, nC 9) concatenated | 0.754 (76.8) |",
    "| 1 copy, CNN depth 2 + thinc BiLSTM 128 (slower) | 0.762 (77.7) |",
    "| 1 copy + auxiliary konec fine-grained tagger | 0.764 (77.8) |",
    "| 3 copies + auxiliary tagger | 0.750 (76.5) |",
    "| 1 copy + auxiliary tagger + MeCab's class on proper nouns in TAG (`NNP-인명`, `NNP-지명`) | 0.769 |",
]

EXPERIMENTS_REAL: list[str] = []  # filled in from the runs of round 2


def _real_table(real: dict[str, Any]) -> list[str]:
    rows = ["| set | label | P | R | F1 | gold |", "|---|---|---|---|---|---|"]
    for name, result in real.items():
        for label, v in [*result["per_label"].items(), ("**micro**", result["micro"])]:
            rows.append(f"| {name} | {label} | {v['p']:.3f} | {v['r']:.3f} | {v['f']:.3f} | {v['gold']} |")
    return rows


def write_readme(out: Path, metrics: dict[str, Any]) -> None:
    sp = metrics["split"]
    al = metrics["alignment"]
    trained = metrics["trained_on"]
    lines = [
        "# ner-klue: Korean NER for kg (spaCy, CPU)",
        "",
        "Labels (KLUE): DT date, LC location, OG organisation, PS person, QT quantity, TI time.",
        "Pipeline: `kg.MecabTokenizer.v1` (MeCab-ko morphemes, `tag_` = MeCab POS) → `tok2vec`",
        "→ `ner` (transition-based); the kg extraction pipeline (kg/extract/pipeline.cfg) sources",
        "both components from here, and `kg_ner_merge` turns its PS/OG/LC spans into mentions where",
        "no rule found a name. No pretrained vectors. Licence: CC BY-SA 4.0, see LICENSE.md.",
        "",
        "```python",
        "import spacy",
        "import kg.extract.tokenizer  # registers kg.MecabTokenizer.v1",
        "nlp = spacy.load('data/models/ner-klue')",
        "[(e.text, e.label_) for e in nlp('홍길동 중소벤처기업부 장관은 5일 대전을 찾았다.').ents]",
        "```",
        "",
        "## Data and split",
        "",
        f"KLUE-NER v1.1 dev ({sp['source']}), split deterministically by a hash of the sentence id:",
        f"{sp['rule']}.",
        f"Sizes: train {sp['train']} (+{sp['augmented_copies']} entity-substitution copies made from",
        f"training sentences and their entities only), dev carve-out {sp['dev']}, held-out",
        f"{sp['held_out']}. The held-out sentences were used for nothing but the final score.",
        *(
            [
                "The dev carve-out chose the configuration and the number of steps; the shipped",
                "model was then fitted on train + dev carve-out for that many steps (the train",
                "size above includes it).",
            ]
            if sp.get("dev_in_final_fit")
            else []
        ),
        "konec's fine-grained tags of the same training sentences are the target of an auxiliary",
        "tagger during training (removed before saving).",
        "",
        "Annotated real texts (`kg.extract.corpora`): the model learned from "
        + (", ".join(f"`{k}` ({v} documents)" for k, v in sp["real_train"].items()) or "none")
        + f", {sp['real_train_sentences']} sentences, each repeated {trained['annotated_copies']} times,"
        f" labels {', '.join(trained['annotated_labels'])}. The sets that chose among models are"
        " " + ", ".join(f"`{k}` ({v} documents)" for k, v in sp["real_dev"].items()) + ";"
        " it never learned from them. The locked test split (`team-test`) was never read. The shared"
        " train texts (`shared-train`) are for internal development use only, so the shipped model"
        " does not learn from them (the variant that does is measured in the table below and kept"
        " out of the repository).",
        "",
        "The real texts name their entities without offsets. `kg/extract/ner_spans.py` finds each",
        "name, alias and variant in the text (any spacing inside the name; longest first, no",
        "overlaps; a Latin name must end at a word edge) and labels it PS, OG or LC. Marked *unsure*",
        "(missing in training: neither an entity nor O) are occurrences of optional entities, of",
        "Program and Event names (unless those labels are learned), of a surface two labels share, of",
        "a name glued to the word before it, and what the gold format does not annotate: dates and",
        "quantities, tokens with digits, places (lexicon places, MeCab `NNP-지명`, words KLUE labels",
        "LC), and words KLUE's training part labels DT, TI or QT. Annotated places (all optional in",
        "the guideline) are kept as LC. Persons and organisations are annotated exhaustively, so",
        "every other token is O.",
        "",
        f"Entity spans that do not fall on MeCab token boundaries: KLUE train {al['train'].get('misaligned', 0)}"
        f" of {al['train'].get('spans', 0)} (augmented copies included), real train"
        f" {al['real_train'].get('misaligned', 0)} of {al['real_train'].get('spans', 0)}, held-out"
        f" {al['held_out'].get('misaligned', 0)} of {al['held_out'].get('spans', 0)}"
        " (남북 tagged 남/OG 북/OG, 박모 with PS on 박, `1%,` where MeCab keeps `%,` together).",
        "In training their tokens are marked missing (no entity, no O); in evaluation they are",
        f"misses, so they bound recall. Unsure tokens of the real train texts:"
        f" {al['real_train'].get('unsure_tokens', 0)} of {al['real_train'].get('tokens', 0)}.",
        "",
        "## Scores",
        "",
        "Exact character spans (start, end and label must all match), micro-averaged.",
        "KLUE held-out part:",
        "",
        *_score_table(metrics["held_out"]),
        "",
        "Annotated real dev sets (whole documents; PS, OG, LC; a prediction that is not gold and",
        "touches an unsure stretch is neither right nor wrong; LC is annotated only in part, so its",
        "precision is a lower bound). These sets chose the model, so the figures lean optimistic:",
        "",
        *_real_table(metrics["real_dev"]),
        "",
        f"Speed: {metrics['inference_sentences_per_second']} sentences/s with `nlp.pipe`"
        " (tokenizer included) on this machine when measured.",
        "",
        "## What was tried",
        "",
        *EXPERIMENTS_KLUE,
        "",
        *EXPERIMENTS_REAL,
        "",
        "## Training",
        "",
        "```",
        metrics["training_command"],
        "```",
        "",
        f"Config `kg/extract/ner.cfg` (filled in here as config.cfg), seed {metrics['seed']},"
        f" spaCy {metrics['spacy_version']}, CPU, {metrics['train_minutes']} min."
        " Re-score the shipped model: `python -m kg.extract.train_ner --eval-only`;"
        " the test is `tests/test_ner_model.py`.",
        "",
        "The tokenizer reads kg's lexicon into a MeCab user dictionary, so the tokens (and so the",
        "features) of lexicon names depend on the lexicon at hand; the model was trained with the",
        "lexicon as it was then. Retrain when the lexicon changes much.",
        "",
        "## Attribution",
        "",
        attribution(trained),
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA_DIR, help="folder with " + KLUE_FILE)
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--output", type=Path, default=MODEL_DIR, help="where the model is shipped")
    ap.add_argument("--workdir", type=Path, default=None, help="keep corpora and checkpoints here")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--augment", type=int, default=1, help="entity-substitution copies of train")
    ap.add_argument("--augment-prob", type=float, default=0.5)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="spaCy config override")
    ap.add_argument(
        "--real-train",
        nargs="*",
        choices=REAL_TRAINABLE,
        default=list(SHIPPED_REAL_TRAIN),
        help="annotated real sets to learn from (kg.extract.corpora; default: %(default)s, the "
        "openly licensed one); none: KLUE only",
    )
    ap.add_argument(
        "--real-copies", type=int, default=2, help="how many times the real sentences are repeated"
    )
    ap.add_argument(
        "--program-event",
        action="store_true",
        help="also learn Program (PG) and Event (EV) names from the real texts",
    )
    ap.add_argument(
        "--experiment",
        action="store_true",
        help="train and score on the dev sets only; ship nothing, never touch held-out",
    )
    ap.add_argument(
        "--aux-konec",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="auxiliary task: the `aux_konec` tagger of the config learns konec's fine-grained "
        "BIO tags (train part only) through the shared tok2vec; it is removed before shipping",
    )
    ap.add_argument(
        "--final-fit-steps",
        type=int,
        default=FINAL_FIT_STEPS,
        help="fit the shipped model on train + dev carve-out for this many steps (no early "
        "stopping; the count comes from --experiment runs); 0: ship the dev-selected model",
    )
    ap.add_argument(
        "--eval-only", action="store_true", help="score the model in --output (held-out and real dev)"
    )
    ap.add_argument(
        "--eval-dev",
        action="store_true",
        help="score the model in --output (e.g. a checkpoint) on the dev sets only, not held-out",
    )
    args = ap.parse_args(argv)
    if args.experiment:
        args.final_fit_steps = 0
    labels = REAL_LABELS + (EXTRA_REAL_LABELS if args.program_event else ())

    train_part, dev_part, held_out = load_split(args.data)
    print(f"split: train {len(train_part)}, dev {len(dev_part)}, held-out {len(held_out)}")

    import spacy

    nlp = blank_nlp()
    unsure_words = klue_unsure_words(train_part)
    places = lexicon_places()

    def real_sets(names: Sequence[str], with_labels: Sequence[str]) -> dict[str, list[Sentence]]:
        return {name: load_real(nlp, name, with_labels, unsure_words, places) for name in names}

    real_dev = real_sets(REAL_DEV, REAL_LABELS)
    real_dev_pe = real_sets(REAL_DEV, REAL_LABELS + EXTRA_REAL_LABELS) if args.program_event else {}

    def score_real(model: Any) -> dict[str, Any]:
        out = {name: evaluate_real(model, docs, REAL_LABELS) for name, docs in real_dev.items()}
        for name, docs in real_dev_pe.items():
            out[name]["program_event"] = evaluate_real(model, docs, EXTRA_REAL_LABELS)
        return out

    if args.eval_only or args.eval_dev:
        model = spacy.load(args.output)
        if "aux_konec" in model.pipe_names:
            model.remove_pipe("aux_konec")
        result = {"real_dev": score_real(model)}
        if args.eval_dev:
            result["klue_dev"] = evaluate(model, dev_part)
        else:
            result["klue_held_out"] = evaluate(model, held_out)
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0

    work = args.workdir or Path(tempfile.mkdtemp(prefix="ner-klue-"))
    work.mkdir(parents=True, exist_ok=True)
    fit_part = [*train_part, *dev_part] if args.final_fit_steps else train_part
    augmented = substitute_entities(fit_part, args.augment, args.augment_prob, seed=args.seed)
    real_train = real_sets(args.real_train, labels)
    real_train_sentences = [s for docs in real_train.values() for d in docs for s in sentences(d)]
    real_dev_sentences = [
        s for docs in (real_dev_pe or real_dev).values() for d in docs for s in sentences(d)
    ]
    aux: dict[str, Sentence] | None = None
    if args.aux_konec:
        aux = {s.id: s for s in read_klue(args.data / KONEC_FILE) if not is_held_out(s.id)}
    stats: Counter = Counter()
    train_docs = make_docs(nlp, [*fit_part, *augmented], stats, aux)
    real_stats: Counter = Counter()
    real_docs = make_docs(nlp, real_train_sentences, real_stats, {} if aux is not None else None)
    dev_stats: Counter = Counter()
    dev_docs = make_docs(nlp, dev_part, dev_stats)
    real_dev_stats: Counter = Counter()
    dev_docs += make_docs(nlp, real_dev_sentences, real_dev_stats)
    held_stats: Counter = Counter()
    make_docs(nlp, held_out, held_stats)
    alignment = {
        "train": dict(stats),
        "real_train": dict(real_stats),
        "dev": dict(dev_stats),
        "real_dev": dict(real_dev_stats),
        "held_out": dict(held_stats),
    }
    print("alignment:", json.dumps(alignment, ensure_ascii=False))
    write_docbin(train_docs + real_docs * args.real_copies, work / "train.spacy")
    write_docbin(dev_docs, work / "dev.spacy")

    overrides = _parse_set(args.set)
    if args.final_fit_steps:
        overrides.update({"training.max_steps": args.final_fit_steps, "training.patience": 0})
    started = time.time()
    best = train_model(
        args.config, work / "train.spacy", work / "dev.spacy", work / "train", args.seed, overrides
    )
    if args.final_fit_steps:  # the KLUE dev carve-out is in the training data: it cannot pick
        best = best.parent / "model-last"
    minutes = (time.time() - started) / 60

    model = spacy.load(best)
    if "aux_konec" in model.pipe_names:
        model.remove_pipe("aux_konec")
    dev_result = evaluate(model, dev_part)
    if args.final_fit_steps:
        dev_result["note"] = "trained on: scores are not an estimate"
    real_dev_result = score_real(model)
    print(f"KLUE dev carve-out (char spans): {json.dumps(dev_result['micro'])}")
    for name, result in real_dev_result.items():
        print(f"{name} (char spans, {'/'.join(REAL_LABELS)}): {json.dumps(result['micro'])}")
    training_sets = {
        "klue": f"{KLUE_FILE}: train part" + (" + dev carve-out" if args.final_fit_steps else ""),
        "konec": f"{KONEC_FILE}: the same sentences' fine-grained tags (auxiliary task)"
        if args.aux_konec
        else None,
        "annotated_sets": list(args.real_train),
        "annotated_copies": args.real_copies,
        "annotated_labels": list(labels),
    }
    if args.experiment:
        record = {
            "overrides": overrides,
            "augment": args.augment,
            "augment_prob": args.augment_prob,
            "seed": args.seed,
            "config": str(args.config),
            "trained_on": training_sets,
            "dev": dev_result,
            "real_dev": real_dev_result,
            "train_minutes": round(minutes, 1),
        }
        with open(work / "experiment.json", "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
        return 0

    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    ship(model, out, training_sets)
    shipped = spacy.load(out)
    held_result = evaluate(shipped, held_out)
    real_dev_result = score_real(shipped)
    command = "python -m kg.extract.train_ner " + " ".join(argv if argv is not None else sys.argv[1:])
    metrics = {
        "evaluation": "exact character spans (start, end, label); micro P/R/F1. held_out: the KLUE "
        "held-out part; real_dev: the annotated real dev sets (PS, OG, LC; predictions touching "
        "an unsure stretch that are not gold are not scored, see kg/extract/ner_spans.py)",
        "held_out": held_result,
        "real_dev": real_dev_result,
        "inference_sentences_per_second": round(held_result["sentences"] / held_result["seconds"], 1),
        "dev_carve_out": dev_result,
        "trained_on": training_sets,
        "split": {
            "rule": SPLIT_RULE,
            "source": f"{KLUE_FILE} (5,000 sentences)",
            "train": len(fit_part),
            "dev_in_final_fit": bool(args.final_fit_steps),
            "augmented_copies": len(augmented),
            "dev": len(dev_part),
            "held_out": len(held_out),
            "real_train": {name: len(docs) for name, docs in real_train.items()},
            "real_train_sentences": len(real_train_sentences),
            "real_dev": {name: len(docs) for name, docs in real_dev.items()},
        },
        "alignment": alignment,
        "misaligned_handling": "gold spans off MeCab token boundaries and unsure stretches of the "
        "real texts: tokens marked missing in training; misaligned spans count as misses in evaluation",
        "training_command": command.strip(),
        "config": "kg/extract/ner.cfg",
        "overrides": overrides,
        "augment": {"copies": args.augment, "prob": args.augment_prob},
        "seed": args.seed,
        "spacy_version": spacy.__version__,
        "train_minutes": round(minutes, 1),
        "model_bytes": dir_size(out),
    }
    write_license(out, args.data, training_sets)
    write_readme(out, metrics)
    metrics["model_bytes"] = dir_size(out)
    with open(out / "metrics.json", "w", encoding="utf-8") as fh:
        json.dump(metrics, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(
        json.dumps(
            {
                "held_out": metrics["held_out"]["micro"],
                "real_dev": {k: v["micro"] for k, v in real_dev_result.items()},
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
