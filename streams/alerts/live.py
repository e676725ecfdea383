"""The alert rules in force in the alerter, reloaded when their file changes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from marsad.streams.alerts.rules import RulesError, Ruleset, files_stamp, load_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer

log = logging.getLogger(__name__)


@dataclass
class LiveRules:
    """The rules in force and the file they come from; `check` swaps in a changed, valid file.

    A bad new file is refused with a log line naming the rule and the field,
    and the rules in force stay.
    """

    path: Path
    rules: Ruleset
    stamp: tuple[float, ...]  # modification times of the file and of the files it extends
    taxonomy: Taxonomy

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy) -> LiveRules:
        rules = load_rules(path, taxonomy, load_gazetteer())
        return cls(path, rules, files_stamp(rules), taxonomy)

    def check(self) -> None:
        """Reload when the file or a file it extends changed (blocking: run it in a thread)."""
        try:
            stamp = files_stamp(self.rules)
        except OSError as e:
            if self.stamp:
                log.error("rules file %s cannot be read (%s): keeping rules %s", self.path, e, self.rules.version)
                self.stamp = ()
            return
        if stamp == self.stamp:
            return
        self.stamp = stamp
        try:
            new = load_rules(self.path, self.taxonomy, load_gazetteer())
        except RulesError as e:
            log.error("rules file refused, keeping rules %s: %s", self.rules.version, e)
            return
        if new.version != self.rules.version:
            log.info("rules reloaded from %s: version %s, %d story, %d spike and %d incident rules",
                     self.path, new.version, len(new.story), len(new.spikes), len(new.incidents))
            self.rules = new
