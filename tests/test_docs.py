"""The README stays true to the code: every setting and every command is documented."""

from __future__ import annotations

from click.testing import CliRunner

from kg.cli.commands import format_table, main
from kg.config import Settings
from kg.read.examples import complete_prefixes
from kg.sparql.protocol import answer, render

from .conftest import ROOT, readme_query_blocks

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [f"KG_{name.upper()}" for name in Settings.model_fields if f"KG_{name.upper()}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} has no description"


def test_every_command_is_in_the_readme_and_has_help() -> None:
    runner = CliRunner()
    for name, command in main.commands.items():
        assert f"kg {name}" in README, f"`kg {name}` is not in README.md"
        result = runner.invoke(main, [name, "--help"])
        first_line = " ".join((command.help or "").split("\n")[0].split())
        assert result.exit_code == 0 and first_line and first_line in " ".join(result.output.split())


def test_readme_queries_answer_what_the_readme_shows(samples_store) -> None:
    """Every ```sparql block followed by an output block: the query runs as written (the
    ontology's prefixes filled in, as `kg query` does) and gives exactly the rows shown."""
    blocks = readme_query_blocks()
    assert len(blocks) >= 2
    for query, shown in blocks:
        body = render(*answer(samples_store, complete_prefixes(query), "text/tab-separated-values"))
        assert format_table(body.decode("utf-8")).split() == shown.split(), query


def test_kg_query_keeps_declared_prefixes() -> None:
    query = "PREFIX org: <http://example.org/other#>\nSELECT * WHERE { ?s a org:X ; skos:prefLabel ?l }"
    completed = complete_prefixes(query)
    assert completed.count("PREFIX org:") == 1 and "PREFIX skos:" in completed
