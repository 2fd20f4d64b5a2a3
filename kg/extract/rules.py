"""The extraction rules as data: what each rule is, and how often it is right.

`data/patterns/rules.jsonl` lists every rule (and model) that can produce a mention or a fact:
its id (`component.name`), what it produces, a description, the surface patterns it reads
(regular expressions and word lists, by name) and a prior. `data/patterns/calibration.json`
holds what `python -m kg.extract.calibrate` measured on the annotated training sets: how
often each rule fired and how often it was right. A fact's confidence is its rule's measured
precision (smoothed towards the prior when a rule fired only a few times); a rule whose
precision is under the floor is switched off in the rules file, not kept at a guessed value.

Each rule has a version: a digest of its line in the rules file, so the graph can say which
definition of a rule produced a fact.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.resources import DATA_DIR

RULES_FILE = DATA_DIR / "patterns" / "rules.jsonl"
CALIBRATION_FILE = DATA_DIR / "patterns" / "calibration.json"
SMOOTHING = 4.0  # pseudo-observations of the prior: a rule that fired twice is not 0 % or 100 %
PRECISION_FLOOR = 0.5  # rules measured below this are switched off (`"enabled": false`)


@dataclass(frozen=True)
class Rule:
    id: str
    component: str
    produces: tuple[str, ...]
    description: str
    prior: float
    enabled: bool
    version: str
    patterns: dict[str, Any] = field(default_factory=dict)

    def regex(self, name: str = "regex") -> re.Pattern[str]:
        return _compile(self.id, name, self.patterns[name])

    def words(self, name: str = "words") -> tuple[str, ...]:
        return tuple(self.patterns[name])


@dataclass(frozen=True)
class Measured:
    fires: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.fires if self.fires else 0.0


class RuleBook:
    def __init__(self, rules: dict[str, Rule], measured: dict[str, Measured]) -> None:
        self.rules = rules
        self.measured = measured

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KeyError(
                f"no rule {rule_id!r} in {RULES_FILE}: every rule that fires is listed there"
            ) from None

    def confidence(self, rule_id: str) -> float:
        """The rule's measured precision, smoothed towards its prior."""
        rule = self[rule_id]
        m = self.measured.get(rule_id)
        if m is None:
            return round(rule.prior, 3)
        return round((m.correct + SMOOTHING * rule.prior) / (m.fires + SMOOTHING), 3)

    def enabled(self, rule_id: str) -> bool:
        return self[rule_id].enabled

    def component(self, rule_id: str) -> str:
        return self[rule_id].component


@lru_cache(maxsize=256)
def _compile(rule_id: str, name: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise ValueError(f"{RULES_FILE}: rule {rule_id}, pattern {name}: {exc}") from exc


def read_rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rec = json.loads(line)
            rule = Rule(
                id=rec["id"],
                component=rec["id"].split(".")[0],
                produces=tuple(rec["produces"]),
                description=rec["description"],
                prior=float(rec.get("prior", 0.5)),
                enabled=bool(rec.get("enabled", True)),
                version=hashlib.sha1(
                    json.dumps(rec, sort_keys=True, ensure_ascii=False).encode()
                ).hexdigest()[:8],
                patterns=dict(rec.get("patterns") or {}),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a rule: {exc}") from exc
        if rule.id in rules:
            raise ValueError(f"{path}:{n}: rule {rule.id} is listed twice")
        rules[rule.id] = rule
    return rules


def read_calibration(path: Path = CALIBRATION_FILE) -> dict[str, Measured]:
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: Measured(int(v["fires"]), int(v["correct"])) for k, v in raw.get("rules", {}).items()}


@lru_cache(maxsize=1)
def rulebook() -> RuleBook:
    return RuleBook(read_rules(), read_calibration())
