"""`marsad alerts redeliver`: alert events of a range queued again in the ledger's outbox, in log order.

    read the alerts topic from its beginning to its end now (the log is the record of what was raised)
    pick, per endpoint, the events it takes that fall in the range (occurred_at in [since, until), rule),
        and whose ledger entry fits the mode: dead-lettered (default); not accepted (--all); any (--force)
    keep an alert's events together: an update picked brings its raise when the endpoint has not accepted
        that, and a raise picked brings the alert's dead-lettered updates (held back behind it)
    queue them in one transaction, in log order; the running `marsad alerts deliver` sends them, signed,
        within a second, each through the retry schedule again

Queueing is conditional in the same SQL that inserts, so a key already
queued, or accepted since (unless --force), is not queued twice: running
the same redeliver twice sends each event once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kafka import KafkaConsumer

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.kafka.read import STOP, TopicMissing, partitions_of, read_to_end
from marsad.schemas.codec import SchemaError, decode
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.streams.alerts.delivery.deliver import owed_rows
from marsad.streams.alerts.delivery.ledger import Ledger, Owed, When
from marsad.streams.alerts.delivery.signing import idempotency_key
from marsad.streams.alerts.delivery.targets import Taker

Mode = str  # "dead", "unaccepted" (--all) or "any" (--force)


@dataclass(frozen=True)
class Logged:
    """An alert event and where it sits on the alerts topic."""

    event: AlertRaised | AlertUpdated
    partition: int
    offset: int
    msg_key: str | None


@dataclass
class Redelivery:
    """What a redeliver picked and queued, per endpoint."""

    picked: dict[str, int] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.picked:
            return "nothing to redeliver in that range"
        return "; ".join(f"{name}: {self.queued.get(name, 0)} of {n} queued" for name, n in self.picked.items())


def read_alert_log(bootstrap: Kafka, topic: str) -> list[Logged]:
    """Every alert event on ``topic`` up to its end now, in partition and offset order (others skipped)."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-redeliver")
    try:
        try:
            parts = partitions_of(consumer, topic)
        except TopicMissing:
            return []
        records = read_to_end(consumer, consumer.end_offsets(parts), starts=consumer.beginning_offsets(parts), stall=STOP)
        out: list[Logged] = []
        for r in sorted(records, key=lambda r: (r.partition, r.offset)):
            try:
                event = decode(r.value)
            except SchemaError:
                continue  # poison: the delivery service dead-lettered it when it read it
            if isinstance(event, AlertRaised | AlertUpdated):
                out.append(Logged(event, r.partition, r.offset, r.key.decode(errors="replace") if r.key else None))
        return out
    finally:
        consumer.close()


def pick(log: Sequence[Logged], target: Taker, outcomes: dict[str, str], *, mode: Mode,
         since: datetime | None = None, until: datetime | None = None,
         rules: frozenset[str] = frozenset()) -> list[tuple[Logged, When]]:
    """The events of ``log`` to queue again for ``target``, in log order, each with the ledger condition
    it is queued under (``outcomes``: the target's settled keys, see `Ledger.outcomes`)."""
    def in_range(e: AlertRaised | AlertUpdated) -> bool:
        return ((since is None or e.occurred_at >= since) and (until is None or e.occurred_at < until)
                and (not rules or e.rule_id in rules))

    def fits(key: str) -> bool:
        seen = outcomes.get(key)
        return mode == "any" or (seen == "dead" if mode == "dead" else seen != "accepted")

    taken = [x for x in log if target.wants(x.event)]
    chosen: dict[tuple[int, int], When] = {}
    for x in taken:
        if in_range(x.event) and fits(idempotency_key(x.event)):
            chosen[(x.partition, x.offset)] = mode  # type: ignore[assignment]
    alerts_picked = {x.event.alert_id for x in taken if (x.partition, x.offset) in chosen}
    raises_picked = {x.event.alert_id for x in taken
                     if (x.partition, x.offset) in chosen and isinstance(x.event, AlertRaised)}
    for x in taken:
        at = (x.partition, x.offset)
        if at in chosen or x.event.alert_id not in alerts_picked:
            continue
        if isinstance(x.event, AlertRaised) and outcomes.get(x.event.alert_id) != "accepted":
            chosen[at] = "unaccepted"  # the raise an update picked needs
        elif isinstance(x.event, AlertUpdated) and x.event.alert_id in raises_picked \
                and outcomes.get(idempotency_key(x.event)) == "dead":
            chosen[at] = "dead"  # held back behind its dead raise
    return [(x, chosen[(x.partition, x.offset)]) for x in taken if (x.partition, x.offset) in chosen]


def redeliver(log: Sequence[Logged], targets: Iterable[Taker], ledger: Ledger, topic: str, *, mode: Mode,
              since: datetime | None = None, until: datetime | None = None,
              rules: frozenset[str] = frozenset(), dry_run: bool = False) -> Redelivery:
    """Pick and queue, per target (see the module docstring)."""
    done = Redelivery()
    for t in targets:
        picked = pick(log, t, ledger.outcomes(t.name), mode=mode, since=since, until=until, rules=rules)
        rows: list[Owed] = []
        whens: list[When] = []
        for x, when in picked:
            rows += owed_rows(x.event, [t], topic, x.partition, x.offset, x.msg_key)
            whens.append(when)
        done.picked[t.name] = len(rows)
        done.queued[t.name] = 0 if dry_run or not rows else ledger.enqueue(rows, whens)
    return done
