"""The README stays true to the code: every setting and every command is documented."""

from __future__ import annotations

from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings

from .conftest import ROOT

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
