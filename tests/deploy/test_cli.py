"""Every command teaches through --help."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from marsad.deploy.cli.main import cli


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [(), *_commands(cli)], ids=lambda p: " ".join(p) or "marsad")
def test_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


def test_config_shows_environment_names(monkeypatch):
    monkeypatch.setenv("MARSAD_PARTITIONS", "7")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0
    assert "partitions" in result.output and "7" in result.output and "$MARSAD_PARTITIONS" in result.output


def test_bad_setting_is_reported_not_a_traceback(monkeypatch):
    monkeypatch.setenv("MARSAD_PARTITIONS", "lots")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 1
    assert "partitions (environment MARSAD_PARTITIONS): 'lots' is not a valid int" in result.output


def test_classify_with_an_incident_vocabulary_of_ones_own(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("extends: default\ntypes:\n  attack:\n    strong: [تسلل]\n", encoding="utf-8")
    line = '{"id": "a", "text": "نفذ مسلحون عملية تسلل إلى مدينة الحسكة."}\n'
    result = CliRunner().invoke(cli, ["classify", "--incidents", str(mine)], input=line)
    assert result.exit_code == 0, result.output
    assert '"type":"attack"' in result.output


def test_classify_with_a_bad_incident_vocabulary_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("types:\n  riot: {strong: [شغب]}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["classify", "--incidents", str(bad)], input="")
    assert result.exit_code == 1
    assert "bad.yaml: types.riot: not an incident type" in result.output
    assert "Traceback" not in result.output
