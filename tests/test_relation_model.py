"""The relation model (issue 16, item 4): real pipeline output, the shipped model, the training command.

No mocks: the pipeline is the one `kg extract` runs, the texts are the team's openly licensed
training texts (data/gold/real/train.jsonl, `team-train`), and training runs on a slice of them.
The locked test split is never read here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract import Extractor, corpora
from kg.extract.relation_candidates import DATE, candidates, pair_key
from kg.extract.relation_model import MODEL_FILE, RelationModel, digest, load_model, rule_id
from kg.extract.rules import RULES_FILE, read_rules, rulebook
from kg.extract.train_relations import KINDS, as_post, main, read_runs, rules_extractor
from kg.model import Extraction
from kg.text.names import name_key

MODEL_RULE = "model.relations."


@pytest.fixture(scope="module")
def team_texts() -> list[dict]:
    records = corpora.load("team-train")
    assert records, "data/gold/real/train.jsonl holds the team's annotated texts"
    return records


@pytest.fixture(scope="module")
def with_and_without(extractor: Extractor, team_texts: list[dict]) -> list[tuple[Extraction, Extraction]]:
    """Each team training text extracted by the whole pipeline and by the rules alone."""
    rules_only = rules_extractor()
    out = []
    for record in team_texts:
        post = as_post(record)
        out.append((extractor.extract(post), rules_only.extract(post)))
    return out


def _model_facts(extraction: Extraction) -> list:
    return [r for r in extraction.relations if any(rule.startswith(MODEL_RULE) for rule in r.rules)]


def test_the_component_runs_last_and_declares_what_it_reads_and_writes(extractor: Extractor) -> None:
    nlp = extractor.nlp
    assert nlp.pipe_names[-1] == "kg_relation_model"
    assert nlp.pipe_names.index("kg_relation_model") > nlp.pipe_names.index("kg_events")
    meta = nlp.get_pipe_meta("kg_relation_model")
    assert meta.assigns == ["doc._.kg"]
    assert meta.requires == ["doc._.kg"]
    assert not any(nlp.analyze_pipes(pretty=False)["problems"].values())


def test_the_model_adds_facts_only_where_no_rule_read_the_pair(with_and_without) -> None:
    model = load_model()
    added = 0
    for full, rules_only in with_and_without:
        model_facts = _model_facts(full)
        added += len(model_facts)

        # the rules' facts are all still there: the model adds, it does not veto
        def key(r):
            a, b = name_key(r.head), name_key(r.tail)
            return (r.relation, *sorted((a, b))) if r.relation == "partnerOf" else (r.relation, a, b)

        assert {key(r) for r in rules_only.relations} <= {key(r) for r in full.relations}
        rule_keys = {key(r) for r in full.relations if not any(x.startswith(MODEL_RULE) for x in r.rules)}
        for fact in model_facts:
            assert fact.rules == (rule_id(fact.relation),)
            assert fact.relation in model.kinds, "only the kinds that beat the rules on dev are applied"
            kind = model.kinds[fact.relation]
            assert kind.threshold <= fact.evidence.confidence <= 1.0
            assert fact.evidence.rule == rule_id(fact.relation)
            assert fact.evidence.component == "model"
            assert key(fact) not in rule_keys, "a pair a rule read gets no second fact"
            if fact.relation == "holdsPosition":
                assert fact.role, "a post without a title cannot go into the graph"
            # the head may be the lexicon's name of what the text spells with other spacing
            # (`녹색 기후 기금` → 녹색기후기금)
            assert fact.evidence.sentence
            assert fact.head.replace(" ", "") in full.text.replace(" ", "")
    # the model retrained on round 2's third-stop rules applies subOrganizationOf at 0.8 (dev chose
    # it) and adds few facts; that they raise F1 is the next test's concern
    assert added >= 1, "the shipped model adds facts on the team's texts"


def test_the_model_raises_f1_of_its_kinds_on_the_team_texts(with_and_without, team_texts) -> None:
    """On the team's training texts, rules + model score a higher F1 on the kinds the model is
    applied to than the rules alone (the facts it adds are not all right: it trades precision for
    recall where that pays, see data/models/relations/README.md)."""
    from kg.extract.gold import to_record
    from kg.extract.scoring import judge

    kinds = set(load_model().kinds)
    gold = sum(
        1
        for record in team_texts
        for r in record.get("relations") or []
        if r["relation"] in kinds and not r.get("optional")
    )

    def f1(which: int) -> float:
        tp = fp = 0
        for pair, record in zip(with_and_without, team_texts, strict=True):
            extraction = pair[which]
            verdict = judge(record, to_record(extraction))
            for ok, rel in zip(verdict.relations, extraction.relations, strict=True):
                if ok is not None and rel.relation in kinds:
                    tp += ok
                    fp += not ok
        return 2 * tp / (2 * tp + fp + (gold - tp))

    assert f1(0) > f1(1), (f1(0), f1(1))


def test_participation_on_the_day_a_sentence_before_named(extractor: Extractor, team_texts) -> None:
    """`이날 …` sentences name those present without a date of their own: their participatedIn
    candidates pair them with the date written last before the sentence (the rules read only
    dates in the same sentence), and a model fact from a sentence without a date takes one of
    those dates."""
    before = 0
    for record in team_texts:
        doc = extractor.process(as_post(record))
        dates = doc._.kg.dates
        for c in candidates(doc, ["participatedIn"]):
            if c.tail.subtype == "before":
                start = c.sentence[0]
                last = max((s, d) for s, _, d in dates if s < start)
                assert (c.tail.start, c.tail.text) == (last[0], last[1].isoformat())
                before += 1
        for rel in doc._.kg.relations:
            ev = rel.evidence
            if ev.rule == rule_id("participatedIn") and not any(ev.start <= s < ev.end for s, _, _ in dates):
                assert any(d.isoformat() == rel.tail and s < ev.start for s, _, d in dates)
    assert before, "some participatedIn candidates take the date named in an earlier sentence"


def test_candidates_carry_the_rules_that_read_them(team_texts) -> None:
    rules_only = rules_extractor()
    for record in team_texts:
        doc = rules_only.process(as_post(record))
        every = candidates(doc)
        if any(c.rules for c in every):
            break
    assert {c.kind for c in every} <= set(KINDS)
    read = [c for c in every if c.rules]
    assert read, "the rules read some of the pairs"
    for c in read:
        assert any(f == f"r:{rule}" for rule in c.rules for f in c.features)
    unread = candidates(doc, unread_only=True)
    assert unread and all(not c.rules for c in unread)
    assert {pair_key(c) for c in unread} <= {pair_key(c) for c in every}
    for c in every:
        assert (c.tail.type == DATE) == (c.kind in ("participatedIn", "foundedOn"))


def test_rules_file_lists_every_model_kind_with_the_shipped_models_digest() -> None:
    model = load_model()
    rules = read_rules()
    book = rulebook()
    for kind in KINDS:
        rule = rules[rule_id(kind)]
        assert rule.component == "model"
        assert rule.patterns["digest"] == digest(MODEL_FILE), "retrain (or re-sync) after changing the model"
        assert rule.enabled == (kind in model.kinds)
        assert book.enabled(rule_id(kind)) == (kind in model.kinds)
    raw = [
        json.loads(line)
        for line in RULES_FILE.read_text(encoding="utf-8").splitlines()
        if "model.relations" in line
    ]
    assert all(r["kind"] == "model" for r in raw)


def test_the_shipped_model_says_what_it_was_trained_and_chosen_on() -> None:
    model = load_model()
    assert model.meta["train_sets"] == ["team-train"]  # openly licensed texts only: the weights ship
    assert model.meta["dev_sets"] == ["shared-heldout", "team-dev"]
    assert model.meta["guard_sets"] == ["shared-dev", "samples"]
    assert "team-test" not in json.dumps(model.meta)
    for kind, m in model.kinds.items():
        dev = m.scores["dev"]
        assert dev["with_model"]["f1"] > dev["rules"]["f1"], (
            f"{kind} is applied only where it beats the rules"
        )
        guard = m.scores["guard"]
        assert guard["with_model"]["f1"] >= guard["rules"]["f1"], (
            f"{kind} leaves the rules' texts as they were"
        )
    readme = (MODEL_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "never read: the locked test split" in readme


def test_training_refuses_the_locked_test_split() -> None:
    for option in ("--train-sets", "--dev-sets", "--guard-sets"):
        with pytest.raises(SystemExit):
            main([option, "team-test", "--out", "/nonexistent"])
    with pytest.raises(ValueError, match="locked test split"):
        read_runs(["team-test"], rules_extractor())


def test_a_bad_model_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "weights.json"
    bad.write_text('{"format": 1, "kinds": {"operates": {"bias": 0}}}', encoding="utf-8")
    with pytest.raises(ValueError, match=str(bad)):
        load_model(bad)


@pytest.mark.slow
def test_training_on_a_slice_is_deterministic(tmp_path: Path) -> None:
    """`python -m kg.extract.train_relations` on a few team texts, twice: the same bytes, and the
    shipped model and the rules file untouched."""
    shipped = MODEL_FILE.read_bytes()
    rules_before = RULES_FILE.read_bytes()
    args = ["--train-sets", "team-train", "--dev-sets", "team-dev", "--guard-sets", "samples", "--limit", "4"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / "weights.json").read_bytes()
    assert a == (tmp_path / "b" / "weights.json").read_bytes()
    trained = RelationModel.from_json(a.decode("utf-8"))
    assert trained.meta["documents"] == {"train": 4, "dev": 4, "guard": 4}
    assert trained.meta["limit"] == 4
    assert (tmp_path / "a" / "README.md").read_text(encoding="utf-8").startswith("# relations")
    assert MODEL_FILE.read_bytes() == shipped
    assert RULES_FILE.read_bytes() == rules_before
