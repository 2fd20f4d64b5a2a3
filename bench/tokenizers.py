"""Which Korean tokenizer feeds spaCy: speed, memory, and entity boundaries kept.

Each candidate runs in its own process (so resident memory is its own) over the same
text: the founding post and the KLUE-NER sentences from ../shared, repeated to ~2 MB.
"Boundaries kept" is the share of KLUE entity spans whose start and end fall on token
boundaries; a tokenizer that cuts entities mid-token caps what NER can learn.

    .venv/bin/python bench/tokenizers.py          # writes bench/results/tokenizers.json
"""

from __future__ import annotations

import json
import multiprocessing as mp
import platform
import resource
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "bench" / "results" / "tokenizers.json"


def klue_sentences(limit: int = 2000) -> list[tuple[str, list[tuple[int, int]]]]:
    """(sentence, entity character spans) from the KLUE-NER dev file."""
    out: list[tuple[str, list[tuple[int, int]]]] = []
    chars: list[str] = []
    tags: list[str] = []
    path = SHARED / "ner" / "klue-ner-v1.1_dev.tsv"
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("##"):
            continue
        if not line.strip() and chars:
            spans, start = [], None
            for i, t in enumerate([*tags, "O"]):
                if start is not None and not t.startswith("I-"):
                    spans.append((start, i))
                    start = None
                if t.startswith("B-"):
                    start = i
            out.append(("".join(chars), spans))
            chars, tags = [], []
            if len(out) >= limit:
                break
            continue
        if "\t" in line:
            ch, tag = line.split("\t", 1)
            chars.append(ch)
            tags.append(tag.strip())
    return out


def _boundaries(tokens: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
    return {s for s, _ in tokens}, {e for _, e in tokens}


def _run(name: str, queue: Any) -> None:
    sentences = klue_sentences()
    text = "\n".join(s for s, _ in sentences)
    if name == "mecab-ko (python-mecab-ko)":
        from kg.extract.tokenizer import MecabTagger

        tagger = MecabTagger()

        def spans(t: str) -> list[tuple[int, int]]:
            return [(s, e) for s, e, _ in tagger.morphemes(t)]
    elif name == "mecab-ko + kg user dictionary":
        from kg.extract.tokenizer import MecabTagger, build_user_dictionary
        from kg.vocab.lexicon import load_lexicon

        tagger = MecabTagger(build_user_dictionary(load_lexicon().dictionary_entries()))

        def spans(t: str) -> list[tuple[int, int]]:
            return [(s, e) for s, e, _ in tagger.morphemes(t)]
    elif name == "kiwipiepy":
        from kiwipiepy import Kiwi

        kiwi = Kiwi()

        def spans(t: str) -> list[tuple[int, int]]:
            return [(tok.start, tok.start + tok.len) for tok in kiwi.tokenize(t)]
    else:  # spaCy's rule-based tokenizer (what spacy.blank gives without a Korean analyser)
        import spacy

        nlp = spacy.blank("xx")

        def spans(t: str) -> list[tuple[int, int]]:
            return [(tok.idx, tok.idx + len(tok.text)) for tok in nlp.make_doc(t)]

    spans("워밍업 문장입니다.")
    start = time.perf_counter()
    for _ in range(5):
        spans(text)
    seconds = time.perf_counter() - start
    kept = total = 0
    for sentence, ents in sentences:
        starts, ends = _boundaries(spans(sentence))
        for s, e in ents:
            total += 1
            kept += s in starts and e in ends
    queue.put(
        {
            "tokenizer": name,
            "chars_per_s": round(5 * len(text) / seconds),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "entity_boundaries_kept": round(kept / total, 3),
            "entities": total,
        }
    )


def main() -> None:
    if not SHARED.exists():
        raise SystemExit(f"{SHARED} is needed (KLUE-NER dev sentences)")
    names = [
        "mecab-ko (python-mecab-ko)",
        "mecab-ko + kg user dictionary",
        "kiwipiepy",
        "spaCy rule tokenizer",
    ]
    rows = []
    ctx = mp.get_context("spawn")
    for name in names:
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(name, queue))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            print(f"{name}: not measured (exit {proc.exitcode}; is it installed?)")
            continue
        row = queue.get()
        rows.append(row)
        print(
            f"{row['tokenizer']:32s} {row['chars_per_s']:>10,} chars/s  {row['peak_rss_mb']:>5} MB  "
            f"entity boundaries kept {row['entity_boundaries_kept']:.1%}"
        )
    if rows:
        base = rows[0]["chars_per_s"]
        for row in rows:
            row["speed_vs_mecab"] = round(row["chars_per_s"] / base, 2)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"machine": platform.platform(), "python": platform.python_version(), "results": rows},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
