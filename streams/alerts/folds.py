"""The notes of one record folded into staged state: what the alerter's note agents do between reading and
publishing.

A record on a note topic holds the notes of a batch of articles for one
partition (`marsad.schemas.notes.NoteBatch`). The agent folds them all, in
order, into `Staged` views of its tables, publishes what they gave, and only
then commits the state, once for the record however many notes changed a
state. Folding a record this way decides exactly what folding its notes one
at a time did (each note reads what the notes before it wrote), as the
back-test decides with its states kept as objects: the folds store every
state they change, so a state held over from one note to the next is the
state the next note would have decoded.

Within a record the states stay objects, so the spike fold also keeps what the
back-test keeps beside them (`marsad.streams.alerts.spike.Scope`): a busy scope
costs the same per note however many windows it holds. Nothing is kept from one
record to the next.

    fold = StoryFold(...); fold.add(note) ...   # the events gather in fold.alerts, ...
    publish(fold.alerts ...); fold.commit()     # the events first, then the state that says they fired
"""

from __future__ import annotations

from collections.abc import MutableMapping

from marsad.schemas.alert_state import DayBucket, IncidentState, StoryState
from marsad.schemas.events import AlertRaised, AlertUpdated, IncidentRecorded, IncidentUpdated
from marsad.schemas.notes import Note, ReportNote, SpikeNote, StoryNote
from marsad.streams.alerts.expiry import Swept, fold_story
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.notes import Staged
from marsad.streams.alerts.rules import Ruleset
from marsad.streams.alerts.spike import Scope, SpikeStores, apply_spike
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import HourIndex


class Fold:
    """What a record's notes gave so far (in the order they gave it), and the staged state behind it."""

    what = "note"  # names the fold in logs and dead letters

    def __init__(self) -> None:
        self.alerts: list[AlertRaised | AlertUpdated] = []
        self.incidents: list[IncidentRecorded | IncidentUpdated] = []
        self.spikes: list[SpikeNote] = []  # notes for the spike rules counting incidents
        self.swept: list[Swept] = []
        self.expired = 0
        self.staged: list[Staged] = []

    def add(self, note: Note) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        """Write the staged states through to the tables (after the events were published)."""
        for staged in self.staged:
            staged.commit()


class StoryFold(Fold):
    """Story notes: `expiry.fold_story` over the story table and its hour index."""

    what = "story alert"

    def __init__(self, stories: MutableMapping[str, StoryState], expiry: MutableMapping[bytes, bytes],
                 partition: int, ttl_s: float | None, keep_s: float | None) -> None:
        super().__init__()
        self.stories, index = Staged(stories), Staged(expiry)
        self.staged += [self.stories, index]
        self.index = HourIndex(index, partition, ttl_s) if ttl_s else None
        self.keep_s = keep_s

    def add(self, note: StoryNote) -> None:
        events, swept = fold_story(self.stories, note, self.index, self.keep_s)
        self.alerts += events
        if swept is not None:
            self.swept.append(swept)


class SpikeFold(Fold):
    """Spike notes: `spike.apply_spike` over the spike table (its scopes' heads and windows)."""

    what = "spike alert"

    def __init__(self, spikes: SpikeStores) -> None:
        super().__init__()
        windows, heads = Staged(spikes.windows), Staged(spikes.heads)
        self.staged += [windows, heads]  # the windows stored first, then their heads (`spike._reconcile`)
        self.stores = SpikeStores(heads, windows)
        self.scopes: dict[str, Scope] = {}

    def add(self, note: SpikeNote) -> None:
        self.alerts += apply_spike(self.stores, note, self.scopes)


class IncidentFold(Fold):
    """Incident reports: `incidents.fold_incident` over the fusion tables and their hour index."""

    what = "incident fusion"

    def __init__(self, incidents: MutableMapping[str, IncidentState], days: MutableMapping[str, DayBucket],
                 reports: MutableMapping[str, str], expiry: MutableMapping[bytes, bytes], partition: int,
                 ttl_s: float | None, rules: Ruleset) -> None:
        super().__init__()
        self.stores = IncidentStores(Staged(incidents), Staged(days), Staged(reports))
        index = Staged(expiry)
        self.staged += [self.stores.incidents, self.stores.days, self.stores.reports, index]
        self.index = HourIndex(index, partition, ttl_s) if ttl_s else None
        self.rules = rules

    def add(self, note: ReportNote) -> None:
        folded = fold_incident(self.stores, note, self.index, self.rules)
        self.incidents += folded.incidents
        self.spikes += folded.spikes
        self.alerts += folded.alerts
        self.expired += folded.expired
