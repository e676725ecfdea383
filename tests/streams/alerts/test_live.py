"""The alerter's rules in force (`marsad.streams.alerts.live.LiveRules`): a changed valid file is taken, a bad one refused."""

from __future__ import annotations

import logging
import os

import pytest

from marsad.streams.alerts.live import LiveRules
from marsad.streams.alerts.rules import DEFAULT_PATH
from marsad.streams.classify import Taxonomy

DEFAULT = DEFAULT_PATH.read_text(encoding="utf-8")


def touch(path, text: str, step: int) -> None:
    """Write ``text`` with a modification time of its own (the stamp the alerter compares)."""
    path.write_text(text, encoding="utf-8")
    at = path.stat().st_mtime + step
    os.utime(path, (at, at))


@pytest.fixture
def live(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT, encoding="utf-8")
    return LiveRules.load(path, Taxonomy.load())


@pytest.mark.parametrize(("change", "taken", "says"), [
    ("\n# only a comment\n", True, "rules reloaded"),  # the content changed: a new version
    ("\n  - {id: broken, title: x, severity: loud, topics: [narcotics]}\n", False, "rules file refused"),
    (None, False, ""),  # untouched: nothing read, nothing said
], ids=["valid-change", "bad-change", "untouched"])
def test_check_takes_a_changed_valid_file_and_keeps_the_rules_on_a_bad_one(live, caplog, change, taken, says):
    before = live.rules
    if change is not None:
        touch(live.path, DEFAULT + change, 10)
    with caplog.at_level(logging.INFO, logger="marsad.streams.alerts.live"):
        live.check()
    assert (live.rules is not before) == taken
    assert (says in caplog.text) if says else not caplog.text


def test_a_file_that_goes_missing_keeps_the_rules_and_says_so_once(live, caplog):
    before = live.rules
    live.path.unlink()
    with caplog.at_level(logging.INFO, logger="marsad.streams.alerts.live"):
        live.check()
        live.check()
    assert live.rules is before and caplog.text.count("cannot be read") == 1
    touch(live.path, DEFAULT, 20)  # back, unchanged: the same version, kept
    live.check()
    assert live.rules is before
