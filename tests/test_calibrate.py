"""Calibration of the rules (kg.extract.calibrate): the statistical model's rules are measured
only on the annotated sets it did not learn from."""

from __future__ import annotations

import json

import pytest

from kg.extract.calibrate import MODEL_COMPONENT, measure, model_training_sets
from kg.extract.pipeline import NER_MODEL

from .conftest import DEV_GOLD


def test_the_model_lists_what_it_learned_from(tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"kg": {"annotated_sets": ["team-train"]}}))
    assert model_training_sets(tmp_path) == {"team-train"}
    assert model_training_sets(tmp_path / "absent") == frozenset()


def test_the_shipped_model_never_learned_from_internal_texts():
    """The shared train texts are for internal development use only (../shared/corpus/README.md):
    a model learned from them is not shipped in the repository."""
    assert "shared-train" not in model_training_sets(NER_MODEL)


def test_model_rules_are_not_measured_on_the_models_training_sets(extractor):
    """Regression: ner.* precision was measured on texts the model was trained on, so the
    confidence of its mentions would have been inflated."""
    if not DEV_GOLD.exists():
        pytest.skip(f"{DEV_GOLD} is not here (../shared is absent)")
    tallies, _, _ = measure(("shared-dev",), extractor)
    assert any(rule.startswith(f"{MODEL_COMPONENT}.") for rule in tallies), sorted(tallies)
    unseen, _, documents = measure(("shared-dev",), extractor, model_sets=frozenset({"shared-dev"}))
    assert documents == 10
    assert unseen
    assert not any(rule.startswith(f"{MODEL_COMPONENT}.") for rule in unseen)
