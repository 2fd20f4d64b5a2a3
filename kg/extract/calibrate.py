"""Measure every extraction rule on the annotated training sets and record its precision.

    python -m kg.extract.calibrate            # measure, write data/patterns/calibration.json, print the table
    python -m kg.extract.calibrate --check    # measure and print only; exit 1 if an enabled rule is under the floor

For each rule: how many entities or facts it produced (`fires`), how many of those the gold
annotation confirms (`correct`; items matching an optional gold item are not counted),
its precision, and its recall contribution: the gold items it found that no other rule found
(`only`), as a share of all gold items of the kinds it produces. The locked test split is
never used. A fact's confidence is then its rule's precision (kg.extract.rules).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field

from kg.extract import Extractor, corpora
from kg.extract.gold import to_record
from kg.extract.rules import CALIBRATION_FILE, PRECISION_FLOOR, rulebook
from kg.extract.scoring import judge
from kg.model import Extraction

MIN_FIRES = 5  # a rule measured on fewer items is reported but not held to the floor


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


def measure(
    sets: tuple[str, ...], extractor: Extractor, show: str | None = None
) -> tuple[dict[str, Tally], dict[str, int], int]:
    """Tally every rule; with `show`, print that rule's wrong items with their sentences."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    gold_totals: dict[str, int] = defaultdict(int)
    documents = 0
    for name in sets:
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
    tallies, gold_totals, documents = measure(tuple(args.sets), extractor, args.show)
    print(table(tallies, gold_totals))
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
