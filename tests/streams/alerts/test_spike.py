"""Spike rules, pure: a burst over a steady background fires once; the background alone never does."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from marsad.schemas.codec import encode
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.notes import ArticleRef, SpikeNote, Trigger
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.folds import SpikeFold
from marsad.streams.alerts.rules import parse_rules
from marsad.streams.alerts.spike import Scope, SpikeStores, apply_spike, poisson_tail, window_key
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from tests.streams.alerts.samples import SPIKE_RULES, T0, arrests


@pytest.fixture(scope="module")
def rules():
    return parse_rules(SPIKE_RULES, "spike.yaml", Taxonomy.load(), load_gazetteer())


@pytest.fixture(scope="module")
def background():
    return arrests(32, T0 + timedelta(minutes=10), timedelta(hours=3))  # 4 days, one report every 3 hours


@pytest.fixture(scope="module")
def burst():
    return arrests(8, T0 + timedelta(days=3, hours=13, minutes=2), timedelta(minutes=6), prefix="burst")


def run(articles, rules, store=None):
    store = store if store is not None else SpikeStores.over({})
    out = []
    for a in articles:
        for note in route(a, rules).spikes:
            out += apply_spike(store, note)
    return out


def test_the_steady_background_alone_raises_nothing(rules, background):
    assert all(route(a, rules).spikes for a in background)  # every report counts in the Daraa scope
    assert run(background, rules) == []


def in_time_order(*groups):
    return sorted((a for g in groups for a in g), key=lambda a: a.published)


def test_a_burst_over_the_background_raises_one_spike_alert_then_updates(rules, background, burst):
    events = run(in_time_order(background, burst), rules)
    raised = [e for e in events if isinstance(e, AlertRaised)]
    updates = [e for e in events if isinstance(e, AlertUpdated)]
    assert len(raised) == 1
    alert = raised[0]
    assert alert.kind == "spike" and alert.rule_id == "arrests-spike" and alert.severity == "warning"
    assert alert.scope == "topic=security_ops place=درعا"
    assert alert.observed == 5 and alert.expected == pytest.approx(16 / 48, abs=0.01)
    assert alert.window_start == T0 + timedelta(days=3, hours=13)
    assert alert.window_end - alert.window_start == timedelta(hours=1)
    assert alert.places[0].name == "درعا" and alert.places[0].lat
    assert "expected 0.33" in alert.matched[0] and "Poisson" in alert.matched[0]
    assert [u.observed for u in updates] == [6, 7, 8] and [u.revision for u in updates] == [1, 2, 3]
    assert {u.alert_id for u in updates} == {alert.alert_id}


def test_a_burst_without_enough_history_raises_nothing(rules, background, burst):
    assert run(background[-4:] + burst, rules) == []


def test_a_redelivered_report_is_counted_once(rules, background, burst):
    store = SpikeStores.over({})
    first = run(in_time_order(background, burst), rules, store)
    assert run(burst, rules, store) == []
    assert len(first) == 4


def test_the_state_keeps_only_the_baseline(rules, background, burst):
    raw: dict[bytes, bytes] = {}
    store = SpikeStores.over(raw)
    run(in_time_order(background, burst), rules, store)
    (key,) = (k.decode() for k in raw if b"@" not in k)
    state = store.heads[key]
    assert min(state.counts) >= max(state.counts) - 3 * 86400
    assert {k.decode() for k in raw} == {key} | {window_key(key, w) for w in state.counts}  # the others deleted
    assert all(len(store.windows[window_key(key, w)].articles) == n for w, n in state.counts.items())


@pytest.mark.parametrize(("k", "rate", "expected"), [
    (0, 1.0, 1.0), (1, 1.0, 0.6321), (3, 0.5, 0.01439), (8, 0.333, 2.79e-9), (2, 5.0, 0.9596),
])
def test_poisson_tail(k, rate, expected):
    assert poisson_tail(k, rate) == pytest.approx(expected, rel=0.02)


def scattered_notes(seed: int, n: int = 600) -> list[SpikeNote]:
    """Notes of two rules in one scope, mostly in time order, some days late, some counted twice; the
    rules' windows and baselines change on the way, as a reloaded rules file may change them."""
    rng = random.Random(seed)
    t0, notes = 1.77e9, []
    for i in range(n):
        at = t0 + i * rng.uniform(100, 2000) - rng.choice([0, 0, 0, rng.uniform(0, 3 * 86400)])
        window = 3600 if i < n // 2 or seed % 2 else 7200
        article = f"a{rng.randrange(i + 1)}" if rng.random() < 0.1 else f"a{i}"
        notes.append(SpikeNote(
            f"rule-{rng.randrange(2)}", "t", "warning", "scope", "scope", window, rng.choice([86400, 2 * 86400]),
            rng.choice([0, 5 * 3600]), rng.choice([1, 2, 3]), rng.choice([0.05, 0.5]), rng.choice([1.0, 2.0]), "v",
            ArticleRef(article, at, f"outlet-{rng.randrange(4)}"), Trigger(f"ev-{i}", datetime.fromtimestamp(at, UTC))))
    return notes


@pytest.mark.parametrize("seed", range(4))
def test_the_back_test_kept_scopes_decide_as_the_agent_encoded_states(seed):
    """The back-test keeps each scope's windows and baseline in memory beside its state object; the agent
    decodes the state for each note and keeps nothing: the same events, the same states."""
    kept, scopes, encoded = SpikeStores({}, {}), {}, SpikeStores.over({})
    events = []
    for note in scattered_notes(seed):
        ours, theirs = apply_spike(kept, note, scopes), apply_spike(encoded, note)
        assert [encode(e) for e in ours] == [encode(e) for e in theirs]
        events += ours
    assert any(isinstance(e, AlertRaised) for e in events) and any(isinstance(e, AlertUpdated) for e in events)
    assert kept.heads == {k: encoded.heads[k] for k in kept.heads}
    assert kept.windows == {k: encoded.windows[k] for k in kept.windows}
    assert len(encoded.heads.raw) == len(kept.heads) + len(kept.windows)
    assert all(isinstance(s, Scope) and s.state is kept.heads[k] for k, s in scopes.items())


def _folded(notes, stores, scopes=None):
    return [encode(e) for note in notes for e in apply_spike(stores, note, scopes)]


@pytest.mark.parametrize("seed", range(2))
def test_a_version_1_state_reads_and_is_split_into_window_records_on_first_touch(seed):
    """A scope as version 1 stored it (every window's articles and alert in one record) carries on as
    if it had always been split: the same events, then the same records as a scope split from the start."""
    notes = scattered_notes(seed)
    kept, ours = SpikeStores({}, {}), SpikeStores.over({})
    _folded(notes[:300], kept)
    _folded(notes[:300], ours)
    raw: dict[bytes, bytes] = {}
    for key, head in kept.heads.items():  # what version 1 wrote for this scope
        windows = {w: kept.windows[window_key(key, w)] for w in head.counts}
        raw[key.encode()] = b"v1 " + msgspec.json.encode({
            "first_at": head.first_at, "buckets": {w: v.articles for w, v in windows.items()},
            "fired": {w: v.fired for w, v in windows.items() if v.fired is not None}})
    theirs = SpikeStores.over(raw)
    assert all(b"@" not in k for k in raw) and raw
    assert _folded(notes[300:], theirs) == _folded(notes[300:], ours)
    assert raw == ours.heads.raw


def test_a_kill_between_the_window_and_its_head_is_made_good_on_redelivery():
    """The agent stores a record's windows, then their heads: killed between the two, the windows are
    ahead of their heads. Folded again, the record counts nothing twice, raises nothing already raised,
    and the states end as if nothing had happened."""
    notes = scattered_notes(1)
    clean: dict[bytes, bytes] = {}
    events = [e for i in range(0, len(notes), 20) for e in _fold_record(clean, notes[i:i + 20])]
    killed: dict[bytes, bytes] = {}
    again = []
    for i in range(0, len(notes), 20):
        if i == 200:
            fold = SpikeFold(SpikeStores.over(killed))
            for note in notes[i:i + 20]:
                fold.add(note)
            again += fold.alerts  # published, then killed with only the windows stored
            fold.staged[0].commit()
        again += _fold_record(killed, notes[i:i + 20])
    assert killed == clean
    assert {e.event_id for e in again} == {e.event_id for e in events}


def _fold_record(raw, notes):
    fold = SpikeFold(SpikeStores.over(raw))
    for note in notes:
        fold.add(note)
    fold.commit()
    return fold.alerts
