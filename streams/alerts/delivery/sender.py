"""One target's sender: due rows out of the ledger's outbox, one try each, the next try scheduled.

    loop: ask the ledger for due rows of this target (only the oldest queued row of each alert, none of the
          alerts in flight), up to the target's free concurrency; deliver each in a task; sleep until woken
          (new rows, a try finished) or the next row comes due (at most `poll` seconds: rows queued by
          `marsad alerts redeliver` from another process are seen that soon)
    each row: an update whose alert's raise was dead-lettered here -> dead-lettered too (held back)
              accepted -> settled in the ledger
              refused (4xx) or the schedule spent -> dead letter, settled as dead
              else -> tries + 1, next try after the schedule's wait (or the server's Retry-After)

Outages. When `outage` tries in a row fail (across alerts), the endpoint is
taken to be down: one row at a time (the soonest due) is posted as a probe, 1 s
after the outage began, then 2, 4... s apart, at least once a minute; the
other rows that come due meanwhile are not posted but counted as failed
tries ("not sent: the endpoint is down"), so each alert's schedule runs as
configured and a dead endpoint with a large queue gets a probe a minute
instead of a request per queued alert. The first answer to a probe ends the
outage and makes every retrying row due at once (so does a restart). One
alert that keeps failing among successes never makes an outage: it keeps
its own schedule.

Each target has its own sender, so a failing endpoint only ever delays
itself; and one alert is in flight at most once per target, so its events
arrive in the order they were queued (the raise before its updates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from marsad.runtime import metrics
from marsad.streams.alerts.delivery.ledger import Due, Ledger
from marsad.streams.alerts.delivery.schedule import RetrySchedule
from marsad.streams.alerts.delivery.targets import Delivery, Outcome, Target

log = logging.getLogger("marsad.streams.alerts.delivery")

MAX_PROBE_WAIT = 60.0  # seconds: a down endpoint is probed at least once a minute
DeadLetterer = Callable[[Target, Due, str, str], Awaitable[None]]  # (target, row, reason, error)


@dataclass
class SendTotals:
    delivered: int = 0
    retried: int = 0  # failed tries with another one scheduled (posted or, in an outage, not)
    dead: int = 0
    by_target: dict[str, int] = field(default_factory=dict)  # accepted, per target


class Sender:
    """Delivers one target's queued rows (see the module docstring); `run` until cancelled."""

    def __init__(self, target: Target, ledger: Ledger, schedule: RetrySchedule, dead_letter: DeadLetterer,
                 totals: SendTotals, *, poll: float = 1.0) -> None:
        self.target = target
        self.ledger = ledger
        self.schedule = schedule
        self.dead_letter = dead_letter
        self.totals = totals
        self.poll = poll
        self.woken = asyncio.Event()
        self.taking = True  # False: start nothing new (stopping)
        self._busy: dict[str, asyncio.Task] = {}  # alert id -> its delivery in flight
        self._outage = max(3, target.concurrency)  # failed tries in a row that make an outage
        self._failed_in_a_row = 0
        self._probes = 0  # failed probes in this outage
        self._probe_at = 0.0  # when the next probe may go
        self._probing = False
        self._warned = False  # the outage was logged
        self._last_status: int | None = None
        self._last_error = ""  # the last post's failure ("": none seen yet, the endpoint is not known to be down)

    @property
    def down(self) -> bool:
        return self._failed_in_a_row >= self._outage

    async def run(self) -> None:
        woken = await self.ledger.awake(self.target.name)  # a (re)start is a good moment to try what waits
        if woken:
            log.info("%s: %d retrying deliveries left by the last run are due now", self.target.name, woken)
        while True:
            self.woken.clear()
            later = None
            limit, mode = self._room()
            if self.taking and limit > 0:
                try:
                    due, later = await self.ledger.adue(self.target.name, limit, set(self._busy),
                                                        soonest=mode == "probe")
                except Exception:  # the disk, say: log it and look again, never stop quietly
                    log.exception("%s: cannot read the queue in %s; trying again", self.target.name, self.ledger.path)
                    due, later = [], time.time() + self.poll * 5
                for row in due:
                    if mode == "probe":
                        self._probing = True
                    self._busy[row.owed.alert_id] = asyncio.create_task(self._one(row, mode))
            wait = self.poll if later is None else min(self.poll, max(later - time.time(), 0.005))
            if self.down and not self._probing:
                wait = min(wait, max(self._probe_at - time.time(), 0.005))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.woken.wait(), wait)

    def _room(self) -> tuple[int, str]:
        """How many due rows to take now, and how they go: "send" (normal), "probe" (the one post of an
        outage) or "hold" (not posted: a failed try, while the endpoint is known to be down)."""
        free = self.target.concurrency - len(self._busy)
        if not self.down:
            return free, "send"
        if self._probing:
            return 0, "hold"
        if time.time() >= self._probe_at:
            return min(free, 1), "probe"
        return (free, "hold") if self._last_error else (0, "hold")

    async def drain(self, grace: float) -> int:
        """Start nothing new; give the deliveries in flight ``grace`` seconds; return how many were cut off."""
        self.taking = False
        tasks = list(self._busy.values())
        if tasks:
            _, cut = await asyncio.wait(tasks, timeout=grace)
            for t in cut:
                t.cancel()
            await asyncio.gather(*cut, return_exceptions=True)
            return len(cut)
        return 0

    async def _one(self, row: Due, mode: str) -> None:
        try:
            await self._deliver(row, mode)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or the disk, not the endpoint: the row stays queued; hold its alert a while
            log.exception("%s: delivering %s failed; it stays queued", self.target.name, row.owed.key)
            await asyncio.sleep(self.poll * 5)
        finally:
            if mode == "probe":
                self._probing = False
            self._busy.pop(row.owed.alert_id, None)
            self.woken.set()

    async def _deliver(self, row: Due, mode: str) -> None:
        o, name = row.owed, self.target.name
        if o.event_type == "AlertUpdated" and row.raise_outcome == "dead":
            await self._dead(row, "held back: the alert's AlertRaised was dead-lettered for this endpoint "
                                  "(`marsad alerts redeliver` sends the alert again, in order)", "raise_dead")
            return
        if mode == "hold":
            outcome = Outcome(False, self._last_status, f"not sent: the endpoint is down (last: {self._last_error})")
        else:
            outcome = await self.target.send(Delivery(o.body, o.key, o.event_type))
        if outcome.accepted:
            await self.ledger.asettle(row.seq, name, o.key, "accepted")
            log.info("%s: delivered %s %s (%s, try %d)", name, o.event_type, o.key,
                     f"HTTP {outcome.status}" if outcome.status else "written", row.tries + 1)
            self.totals.delivered += 1
            self.totals.by_target[name] = self.totals.by_target.get(name, 0) + 1
            metrics.ALERTS_DELIVERED.labels(endpoint=name).inc()
            metrics.event_seen()
        if mode != "hold" and (outcome.accepted or outcome.final):  # it answered (a refusal is about one alert)
            if self.down:
                await self._back_up()
            self._failed_in_a_row = 0
        if outcome.accepted:
            return
        if mode != "hold" and not outcome.final:
            self._last_status = outcome.status
            self._failed(outcome.error, probe=mode == "probe")
        tries = row.tries + 1
        wait = None if outcome.final else self.schedule.next_wait(tries)
        if wait is None:
            how = "refused" if outcome.final else f"failed {tries} tries over the retry schedule"
            await self._dead(row, f"endpoint {name}: {how}; last: {outcome.error}",
                             f"http_{outcome.status}" if outcome.status else "unreachable")
            return
        wait = max(wait, outcome.retry_after)
        if mode != "hold":
            log.log(logging.INFO if tries == 1 else logging.DEBUG, "%s: %s %s try %d failed (%s); again in %.1fs",
                    name, o.event_type, o.key, tries, outcome.error, wait)
        await self.ledger.aretry(row.seq, tries, time.time() + wait, outcome.error)
        self.totals.retried += 1

    def _failed(self, error: str, *, probe: bool) -> None:
        """A post failed (worth another try): count it towards an outage, or schedule the next probe."""
        self._last_error = error
        self._failed_in_a_row += 1
        if probe:
            self._probes += 1
        elif self._failed_in_a_row == self._outage:
            self._probes = 0
        if self.down:
            self._probe_at = time.time() + min(min(self.schedule.first, 1.0) * 2 ** self._probes,
                                               self.schedule.cap, MAX_PROBE_WAIT)
        if self.down and not self._warned:
            self._warned = True
            log.warning("%s: down? %d tries in a row failed (last: %s); one delivery at a time is posted as a probe "
                        "until one is accepted, the others wait on their schedule (%s)", self.target.name,
                        self._failed_in_a_row, error, self.schedule.describe())

    async def _back_up(self) -> None:
        """It answered after an outage: every retrying row is due now."""
        woken = await self.ledger.awake(self.target.name)
        if woken or self._warned:
            log.warning("%s: answering again; %d retrying deliveries are due now", self.target.name, woken)
        self._probes = 0
        self._warned = False

    async def _dead(self, row: Due, reason: str, error: str) -> None:
        o = row.owed
        log.error("%s: %s %s dead-lettered: %s", self.target.name, o.event_type, o.key, reason)
        await self.dead_letter(self.target, row, reason, error)
        await self.ledger.asettle(row.seq, self.target.name, o.key, "dead")
        self.totals.dead += 1
        metrics.ALERTS_FAILED.labels(endpoint=self.target.name).inc()
