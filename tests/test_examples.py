"""The README's SPARQL questions (kg.read.examples) answered on the sample posts and the founding post."""

from __future__ import annotations

import pytest

from kg.read import examples
from kg.vocab.ontology import sparql_prefixes


def _attestations(store, role: str) -> dict[str, list[str]]:
    """person → every date a post attests `role` at 중소벤처기업부, read with a query of its own."""
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT DISTINCT ?name ?d WHERE {{
  ?m org:organization/skos:prefLabel "중소벤처기업부"@ko ; kg:roleLabel "{role}"@ko ;
     org:member/foaf:name ?name ; kg:attestedOn ?d }}"""
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["name"].value, []).append(r["d"].value)
    return {name: sorted(days) for name, days in out.items()}


def test_every_example_is_valid_sparql_with_its_prefixes(samples_store) -> None:
    for name, example in examples.EXAMPLES.items():
        text = example.sparql()
        assert text.startswith("PREFIX"), name
        assert example.question and example.question_en
        samples_store.select(text)  # parses and runs with only the PREFIX lines it declares


def test_ministers_in_date_order_with_their_posts(samples_store) -> None:
    rows = examples.run(samples_store, "ministers")
    expected = _attestations(samples_store, "장관")
    assert {r["minister"] for r in rows} == set(expected)
    assert [r["first"] for r in rows] == sorted(r["first"] for r in rows)
    for r in rows:
        assert [r["first"], r["last"]] == [expected[r["minister"]][0], expected[r["minister"]][-1]]
        assert r["posts"] == len(r["attestedBy"].split(", "))
    (han,) = [r for r in rows if r["minister"] == "한성숙"]
    assert "kstartup-20251203-sogongin-task-force" in han["attestedBy"]


@pytest.mark.parametrize("day", ["2018-06-01", "2019-04-20", "2020-06-01", "2023-01-01", "2025-12-05"])
def test_holder_on_date_is_the_latest_attested_holder(samples_store, day: str) -> None:
    days = _attestations(samples_store, "장관")
    # the same answer, worked out in Python: attested on or before the day, and no other
    # holder attested after this one's last attestation, up to the day
    expected = {
        name
        for name, seen in days.items()
        if seen[0] <= day
        and not any(seen[-1] < d <= day for other, theirs in days.items() if other != name for d in theirs)
    }
    rows = examples.run(samples_store, "holder_on_date", date=day)
    assert {r["holder"] for r in rows} == expected
    assert expected, f"no minister attested by {day} in the samples"


def test_holder_on_a_date_before_any_post_is_nobody(samples_store) -> None:
    assert examples.run(samples_store, "holder_on_date", date="2001-01-01") == []


def test_sub_organisation_tree(samples_store) -> None:
    rows = examples.run(samples_store, "sub_organisations")
    lines = examples.tree_lines(rows, "중소벤처기업부")
    assert lines[0] == "중소벤처기업부"
    children = {r["child"] for r in rows if r["parent"] == "중소벤처기업부"}
    assert "창업진흥원" in children  # from the authority lexicon
    assert any(r["posts"] > 0 for r in rows)  # and links stated by posts
    assert all(line.startswith("  ") for line in lines[1:])
    assert "소공인성장촉진단" in children


def test_program_operators(samples_store) -> None:
    rows = examples.run(samples_store, "program_operators")
    direct = samples_store.select(
        sparql_prefixes()
        + "SELECT DISTINCT ?o ?p WHERE { GRAPH ?g { ?o kg:operates ?p . ?g a schema:Article } }"
    )
    assert len(rows) == len(direct) > 0
    assert all(r["posts"] >= 1 and r.get("first", "") <= r.get("last", "") for r in rows)


def test_event_participants(samples_store) -> None:
    every = examples.run(samples_store, "event_participants", event="")
    some = examples.run(samples_store, "event_participants", event="간담회")
    assert 0 < len(some) < len(every)
    assert all("간담회" in r["event"] for r in some)
    founding = examples.run(samples_store, "event_participants", event="소공인 현장 방문")
    people = {r["participant"]: r for r in founding if r["type"] == "Person"}
    assert "중소벤처기업부 제2차관" in people["이병권"]["positions"]


def test_evidence_for_a_fact(samples_store) -> None:
    rows = examples.run(
        samples_store, "evidence", subject="한성숙", predicate="org:headOf", object="중소벤처기업부"
    )
    assert rows
    for r in rows:
        assert "한성숙" in r["sentence"] and r["title"] and r["postId"]
        assert r["end"] > r["start"] >= 0 and 0 < r["confidence"] <= 1


def test_parameters_cannot_change_the_query() -> None:
    hostile = 'x"@ko . } DROP ALL ; SELECT * { "'
    text = examples.example("ministers").sparql(org=hostile)
    assert 'x\\"@ko . } DROP ALL' in text  # inside the string literal, escaped
    with pytest.raises(ValueError, match="not a date"):
        examples.example("holder_on_date").sparql(date='2020-01-01"^^xsd:date) } #')
    with pytest.raises(ValueError, match="not a term"):
        examples.example("evidence").sparql(predicate="<http://x> ; ?p")
    with pytest.raises(ValueError, match="unknown parameter"):
        examples.example("ministers").sparql(minister="x")
    with pytest.raises(KeyError, match="no example query"):
        examples.example("nope")


def test_rows_from_sparql_json_match_run(samples_store) -> None:
    import orjson

    from kg.sparql.protocol import answer, render

    text = examples.example("ministers").sparql()
    body = render(*answer(samples_store, text, "application/sparql-results+json"))
    assert examples.rows_from_json(orjson.loads(body)) == examples.run(samples_store, "ministers")


def test_markdown_lists_every_question() -> None:
    md = examples.markdown()
    for example in examples.EXAMPLES.values():
        assert example.question in md and example.sparql() in md
