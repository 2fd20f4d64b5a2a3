"""The relation model: per relation kind, a logistic regression over candidate-pair features.

The model file (`data/models/relations/weights.json`, written by `python -m kg.extract.train_relations`)
holds for each kind kept the feature weights, the bias, a Platt calibration of the score (fitted
on out-of-fold predictions of the training documents), the probability threshold chosen on the
dev sets, and the scores measured when it was trained. Applying it needs no machine-learning
library: a candidate's probability is `sigmoid(a · (bias + Σ weights of its features) + b)`.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

from kg.resources import DATA_DIR

MODEL_DIR = DATA_DIR / "models" / "relations"
MODEL_FILE = MODEL_DIR / "weights.json"
FORMAT = 1


# the id the facts of each kind's model carry, as listed in data/patterns/rules.jsonl
RULE_IDS = {
    "holdsPosition": "model.relations.holdsPosition",
    "subOrganizationOf": "model.relations.subOrganizationOf",
    "operates": "model.relations.operates",
    "partnerOf": "model.relations.partnerOf",
    "participatedIn": "model.relations.participatedIn",
    "foundedOn": "model.relations.foundedOn",
}


def rule_id(kind: str) -> str:
    """The id the facts of a kind's model carry (listed in data/patterns/rules.jsonl)."""
    return RULE_IDS[kind]


@dataclass(frozen=True)
class KindModel:
    kind: str
    weights: dict[str, float]
    bias: float
    calibration: tuple[float, float]  # Platt: probability = sigmoid(a * score + b)
    threshold: float  # facts at or above this probability are added
    scores: dict[str, Any] = field(default_factory=dict)

    def score(self, features: list[str]) -> float:
        return self.bias + sum(map(self.weights.get, set(features), repeat(0.0)))

    def probability(self, features: list[str]) -> float:
        a, b = self.calibration
        z = a * self.score(features) + b
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@dataclass(frozen=True)
class RelationModel:
    kinds: dict[str, KindModel]  # only the kinds where the model beat the rules on dev
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "meta": self.meta,
            "kinds": {
                k: {
                    "bias": round(m.bias, 6),
                    "calibration": [round(x, 6) for x in m.calibration],
                    "threshold": round(m.threshold, 4),
                    "scores": m.scores,
                    "weights": {f: round(w, 6) for f, w in sorted(m.weights.items()) if round(w, 6) != 0.0},
                }
                for k, m in sorted(self.kinds.items())
            },
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "relation model") -> RelationModel:
        try:
            raw = json.loads(text)
            if raw.get("format") != FORMAT:
                raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
            kinds = {
                k: KindModel(
                    k,
                    {str(f): float(w) for f, w in v["weights"].items()},
                    float(v["bias"]),
                    (float(v["calibration"][0]), float(v["calibration"][1])),
                    float(v["threshold"]),
                    dict(v.get("scores") or {}),
                )
                for k, v in raw["kinds"].items()
            }
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"{source}: not a relation model: {exc}") from exc
        return cls(kinds, dict(raw.get("meta") or {}))

    def save(self, path: Path = MODEL_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)


def digest(path: Path = MODEL_FILE) -> str:
    """A short digest of the model file: the version its rule ids carry in rules.jsonl."""
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> RelationModel:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no relation model (train one with python -m kg.extract.train_relations)"
        )
    return RelationModel.from_json(path.read_text(encoding="utf-8"), str(path))
