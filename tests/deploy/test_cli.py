"""Every command teaches through --help."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from deploy.cli import cli


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
