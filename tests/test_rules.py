"""The rules are data, and the data agrees with the code: every rule the pipeline fires is listed,
every listed rule can fire, measured precision sits above the floor for the rules that stay on,
a switched-off rule produces nothing, and `nlp(text)` runs the whole pipeline."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from kg.extract.calibrate import MIN_FIRES
from kg.extract.rules import (
    CALIBRATION_FILE,
    PRECISION_FLOOR,
    RULES_FILE,
    Measured,
    RuleBook,
    read_rules,
    rulebook,
)
from kg.extract.state import DocState, mention
from kg.model import ENTITY_TYPES, RELATION_KINDS, Post

from .conftest import ROOT

RULE_ID = re.compile(
    r'"((?:genre|programs|events|posts|lexicon|ner|metadata|opendata|model)\.[A-Za-z0-9.-]+)"'
)


def _ids_in_code() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "kg" / "extract").rglob("*.py"), ROOT / "kg" / "build" / "structured.py"]:
        found |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_rule_the_code_names_is_listed_and_every_listed_rule_is_used() -> None:
    listed = set(read_rules())
    in_code = _ids_in_code() - {"ner.cfg"}
    # rules named by pattern in code (`programs.quoted-{type}`) are listed one by one
    in_code |= {r for r in listed if r.startswith("programs.quoted-")}
    assert in_code <= listed, sorted(in_code - listed)
    assert listed <= in_code, sorted(listed - in_code)


def test_rule_ids_name_their_component_and_what_they_produce() -> None:
    kinds = {*ENTITY_TYPES, "alias", *RELATION_KINDS}
    for rule in read_rules().values():
        assert rule.id.count(".") >= 1 and rule.description and 0 < rule.prior <= 1, rule
        assert set(rule.produces) <= kinds, rule
        for name, source in rule.patterns.items():
            if isinstance(source, str) and name not in ("min_compound",):
                rule.regex(name)  # compiles


def test_calibration_is_of_listed_rules_and_enabled_rules_clear_the_floor() -> None:
    raw = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert "team-test" not in raw["measured_on"]
    book = rulebook()
    assert set(raw["rules"]) <= set(book.rules)
    # the statistical models' rules (ner.*, model.*) are held to the same floor as the patterns
    under = [
        r
        for r, m in raw["rules"].items()
        if m["fires"] >= MIN_FIRES and m["precision"] < PRECISION_FLOOR and book.enabled(r)
    ]
    assert not under, under


def test_confidence_is_the_measured_precision_smoothed_towards_the_prior() -> None:
    rules = read_rules()
    rule_id = "genre.apposition-post"
    book = RuleBook(rules, {rule_id: Measured(fires=96, correct=90)})
    prior = rules[rule_id].prior
    assert book.confidence(rule_id) == round((90 + 4 * prior) / 100, 3)
    assert RuleBook(rules, {}).confidence(rule_id) == round(prior, 3)
    with pytest.raises(KeyError, match=r"rules\.jsonl"):
        book.confidence("genre.no-such-rule")


def test_a_switched_off_rule_adds_nothing() -> None:
    off = [r for r in rulebook().rules.values() if not r.enabled]
    assert off, f"{RULES_FILE} switches off the rules measured under the floor"
    state = DocState()
    state.add_mention(mention("쏠리드파워", "Organization", 0, 5, off[0].id))
    on = next(r for r in rulebook().rules.values() if r.enabled)
    state.add_mention(mention("쏠리드파워", "Organization", 0, 5, on.id))
    assert [m.rule for m in state.mentions] == [on.id]


def test_nlp_of_a_text_runs_the_whole_pipeline(extractor) -> None:
    doc = extractor.nlp("중소벤처기업부(장관 한성숙)는 10일 소공인성장촉진단을 신설했다.")
    spans = {(s.text, s.label_, s.id_) for s in doc.spans["mentions"]}
    assert ("한성숙", "Person", "genre.apposition-person") in spans
    assert any(r.relation == "holdsPosition" for r in doc._.kg.relations)
    assert not any(extractor.nlp.analyze_pipes(pretty=False)["problems"].values())


def test_every_fact_names_its_rules_and_the_confidence_they_give(extractor) -> None:
    post = Post(
        id="t",
        text="중소벤처기업부(장관 한성숙, 이하 중기부)는 1일 소공인성장촉진단을 신설했다.",
        published=date(2025, 12, 3),
    )
    ex = extractor.extract(post)
    assert ex.relations
    for rel in ex.relations:
        assert rel.rules and all(r in rulebook().rules for r in rel.rules)
        if len(rel.rules) == 1 and rel.rules[0].startswith("model."):
            # the relation model's facts carry its calibrated probability (kg.extract.relation_model)
            from kg.extract.relation_model import load_model

            assert load_model().kinds[rel.relation].threshold <= rel.evidence.confidence <= 1
        elif len(rel.rules) == 1:
            assert rel.evidence.confidence == rulebook().confidence(rel.rules[0])
