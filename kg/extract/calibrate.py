"""Measure every extraction rule on the annotated training sets and record its precision.

    python -m kg.extract.calibrate            # measure, write data/patterns/calibration.json, print the table
    python -m kg.extract.calibrate --check    # measure and print only; exit 1 if an enabled rule is under the floor

For each rule: how many entities or facts it produced (`fires`), how many of those the gold
annotation confirms (`correct`; items matching an optional gold item are not counted),
its precision, and its recall contribution: the gold items it found that no other rule found
(`only`), as a share of all gold items of the kinds it produces. The locked test split is
never used. A fact's confidence is then its rule's precision (kg.extract.rules).

The statistical NER learned from some of these sets (its `meta.json` lists them under
`kg.annotated_sets`); its rules (`ner.*`) are measured only on the other sets, since a model
is right more often on the texts it was trained on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract import Extractor, corpora
from kg.extract.gold import to_record
from kg.extract.pipeline import NER_MODEL
from kg.extract.rules import CALIBRATION_FILE, PRECISION_FLOOR, rulebook
from kg.extract.scoring import judge
from kg.model import Extraction

MIN_FIRES = 5  # a rule measured on fewer items is reported but not held to the floor
MODEL_COMPONENT = "ner"  # rules of the statistical model: not measured on its training sets


@dataclass
class Tally:
    fires: int = 0
    correct: int = 0
    only: int = 0
    kinds: set[str] = field(default_factory=set)

    @property
    def precision(self) -> float:
        return self.correct / self.fires if self.fires else 0.0


def entity_rules(extraction: Extraction) -> list[set[str]]:
    return [
        {m.rule for m in e.mentions if m.rule}
        | ({e.evidence.rule} if e.evidence and e.evidence.rule else set())
        for e in extraction.entities
    ]


def relation_rules(extraction: Extraction) -> list[set[str]]:
    return [set(r.rules or (r.evidence.rule,)) for r in extraction.relations]


def model_training_sets(model_dir: Path = NER_MODEL) -> frozenset[str]:
    """The annotated sets the NER model in `model_dir` learned from (its meta.json)."""
    meta = model_dir / "meta.json"
    if not meta.is_file():
        return frozenset()
    return frozenset(json.loads(meta.read_text(encoding="utf-8")).get("kg", {}).get("annotated_sets", []))


def measure(
    sets: tuple[str, ...],
    extractor: Extractor,
    show: str | None = None,
    model_sets: frozenset[str] = frozenset(),
) -> tuple[dict[str, Tally], dict[str, int], int]:
    """Tally every rule; with `show`, print that rule's wrong items with their sentences.

    Rules of the statistical model are not tallied on `model_sets` (what it learned from)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    gold_totals: dict[str, int] = defaultdict(int)
    documents = 0
    book = rulebook()
    for name in sets:
        seen_by_model = name in model_sets
        for record in corpora.load(name):
            extraction = extractor.extract(corpora.post_of(record))
            documents += 1
            verdict = judge(record, to_record(extraction))
            for ent in record.get("entities") or []:
                if not ent.get("optional"):
                    gold_totals[ent["type"]] += 1
            for rel in record.get("relations") or []:
                if not rel.get("optional"):
                    gold_totals[rel["relation"]] += 1
            items = [
                *zip(
                    verdict.entities,
                    entity_rules(extraction),
                    (e.type for e in extraction.entities),
                    (
                        f"{e.type} {e.name} | {e.evidence.sentence if e.evidence else ''}"
                        for e in extraction.entities
                    ),
                    strict=True,
                ),
                *zip(
                    verdict.relations,
                    relation_rules(extraction),
                    (r.relation for r in extraction.relations),
                    (f"{r.head} {r.relation} {r.tail} | {r.evidence.sentence}" for r in extraction.relations),
                    strict=True,
                ),
            ]
            for ok, rules, kind, what in items:
                if ok is None:
                    continue
                if show in rules and not ok:
                    print(f"  ✗ [{name} {record['id']}] {what[:300]}")
                for rule in rules:
                    if seen_by_model and book.component(rule) == MODEL_COMPONENT:
                        continue
                    t = tallies[rule]
                    t.fires += 1
                    t.correct += int(ok)
                    t.kinds.add(kind)
                    if ok and len(rules) == 1:
                        t.only += 1
    return tallies, gold_totals, documents


def table(tallies: dict[str, Tally], gold_totals: dict[str, int]) -> str:
    book = rulebook()
    lines = [f"{'rule':44} {'fires':>6} {'correct':>7} {'prec.':>6} {'only':>5} {'recall share':>12}  conf."]
    for rule_id in sorted(
        book.rules, key=lambda r: (r.split(".")[0], -tallies[r].fires if r in tallies else 0)
    ):
        t = tallies.get(rule_id, Tally())
        gold = sum(gold_totals.get(k, 0) for k in t.kinds) or 1
        flag = ""
        if t.fires >= MIN_FIRES and t.precision < PRECISION_FLOOR:
            flag = "  < floor" + ("" if book.enabled(rule_id) else " (off)")
        lines.append(
            f"{rule_id:44} {t.fires:6} {t.correct:7} {t.precision:6.2f} {t.only:5} {t.only / gold:12.3f}  "
            f"{book.confidence(rule_id):.2f}{flag}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="measure and print only; do not write")
    parser.add_argument("--sets", nargs="*", default=list(corpora.TRAINING_SETS))
    parser.add_argument("--show", metavar="RULE", help="print the rule's wrong items with their sentences")
    args = parser.parse_args(argv)
    if "team-test" in args.sets:
        parser.error("the locked test split is never used for calibration")
    extractor = Extractor(min_confidence=0.0)  # every entity, so each rule is measured on all it finds
    model_sets = model_training_sets() & set(args.sets)
    tallies, gold_totals, documents = measure(tuple(args.sets), extractor, args.show, model_sets)
    print(table(tallies, gold_totals))
    if model_sets:
        print(
            f"{MODEL_COMPONENT}.* rules not measured on {', '.join(sorted(model_sets))} (the model learned from them)"
        )
    book = rulebook()
    under = [
        r
        for r, t in tallies.items()
        if t.fires >= MIN_FIRES and t.precision < PRECISION_FLOOR and book.enabled(r)
    ]
    if not args.check:
        out = {
            "measured_on": list(args.sets),
            "documents": documents,
            "extractor": extractor.version,
            "precision_floor": PRECISION_FLOOR,
            "model_rules_not_measured_on": sorted(model_sets),
            "rules": {
                r: {
                    "fires": t.fires,
                    "correct": t.correct,
                    "precision": round(t.precision, 4),
                    "only": t.only,
                }
                for r, t in sorted(tallies.items())
            },
        }
        CALIBRATION_FILE.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\n{documents} documents; wrote {CALIBRATION_FILE}")
    if under:
        print(f"enabled rules under the precision floor {PRECISION_FLOOR}: {', '.join(sorted(under))}")
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
