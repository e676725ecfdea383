"""One target's sender: due rows out of the ledger's outbox, one try each, the next try scheduled.

    loop: ask the ledger for due rows of this target (only the oldest queued row of each alert, none of the
          alerts in flight), up to the target's free concurrency; send each in a task; sleep until woken
          (new rows, a try finished) or the next row comes due (at most `poll` seconds: rows queued by
          `marsad alerts redeliver` from another process are seen that soon)
    each row: an update whose alert's raise was dead-lettered here -> dead-lettered too (held back)
              accepted -> settled in the ledger; after an outage (tries failing in a row), its retrying rows
                  are due now
              refused (4xx) or the schedule spent -> dead letter, settled as dead
              else -> tries + 1, next try after the schedule's wait (or the server's Retry-After)

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

from consumers.alerts.ledger import Due, Ledger
from consumers.alerts.schedule import RetrySchedule
from consumers.alerts.targets import Delivery, Target
from deploy.services import metrics

log = logging.getLogger("consumers.alerts")

DeadLetterer = Callable[[Target, Due, str, str], Awaitable[None]]  # (target, row, reason, error)


@dataclass
class SendTotals:
    delivered: int = 0
    retried: int = 0  # failed tries with another one scheduled
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
        # An outage: this many tries in a row failed (across alerts). The first success after one makes the
        # retrying rows due at once; a single alert that keeps failing among successes never counts as one
        # (woken by every success, it would spend its schedule in minutes). At start the state is unknown,
        # so the first success wakes what the last run left retrying.
        self._outage = max(3, target.concurrency)
        self._failed_in_a_row = self._outage

    async def run(self) -> None:
        while True:
            self.woken.clear()
            later = None
            free = self.target.concurrency - len(self._busy)
            if self.taking and free > 0:
                try:
                    due, later = await self.ledger.adue(self.target.name, free, set(self._busy))
                except Exception:  # the disk, say: log it and look again, never stop quietly
                    log.exception("%s: cannot read the queue in %s; trying again", self.target.name, self.ledger.path)
                    due, later = [], time.time() + self.poll * 5
                for row in due:
                    self._busy[row.owed.alert_id] = asyncio.create_task(self._one(row))
            wait = self.poll if later is None else min(self.poll, max(later - time.time(), 0.005))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.woken.wait(), wait)

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

    async def _one(self, row: Due) -> None:
        try:
            await self._deliver(row)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or the disk, not the endpoint: the row stays queued; hold its alert a while
            log.exception("%s: delivering %s failed; it stays queued", self.target.name, row.owed.key)
            await asyncio.sleep(self.poll * 5)
        finally:
            self._busy.pop(row.owed.alert_id, None)
            self.woken.set()

    async def _deliver(self, row: Due) -> None:
        o, name = row.owed, self.target.name
        if o.event_type == "AlertUpdated" and row.raise_outcome == "dead":
            await self._dead(row, "held back: the alert's AlertRaised was dead-lettered for this endpoint "
                                  "(`marsad alerts redeliver` sends the alert again, in order)", "raise_dead")
            return
        outcome = await self.target.send(Delivery(o.body, o.key, o.event_type))
        if outcome.accepted:
            await self.ledger.asettle(row.seq, name, o.key, "accepted")
            log.info("%s: delivered %s %s (%s, try %d)", name, o.event_type, o.key,
                     f"HTTP {outcome.status}" if outcome.status else "written", row.tries + 1)
            self.totals.delivered += 1
            self.totals.by_target[name] = self.totals.by_target.get(name, 0) + 1
            metrics.ALERTS_DELIVERED.labels(endpoint=name).inc()
            metrics.event_seen()
            if self._failed_in_a_row >= self._outage:
                woken = await self.ledger.awake(name)
                if woken:
                    log.warning("%s: accepting again; %d retrying deliveries are due now", name, woken)
            self._failed_in_a_row = 0
            return
        tries = row.tries + 1
        wait = None if outcome.final else self.schedule.next_wait(tries)
        if wait is None:
            how = "refused" if outcome.final else f"failed {tries} tries over the retry schedule"
            await self._dead(row, f"endpoint {name}: {how}; last: {outcome.error}",
                             f"http_{outcome.status}" if outcome.status else "unreachable")
            return
        wait = max(wait, outcome.retry_after)
        self._failed_in_a_row += 1
        if self._failed_in_a_row == self._outage:
            log.warning("%s: %d tries in a row failed (last: %s); its deliveries are retried on schedule (%s)",
                        name, self._outage, outcome.error, self.schedule.describe())
        log.log(logging.INFO if tries == 1 else logging.DEBUG, "%s: %s %s try %d failed (%s); again in %.1fs",
                name, o.event_type, o.key, tries, outcome.error, wait)
        await self.ledger.aretry(row.seq, tries, time.time() + wait, outcome.error)
        self.totals.retried += 1

    async def _dead(self, row: Due, reason: str, error: str) -> None:
        o = row.owed
        log.error("%s: %s %s dead-lettered: %s", self.target.name, o.event_type, o.key, reason)
        await self.dead_letter(self.target, row, reason, error)
        await self.ledger.asettle(row.seq, self.target.name, o.key, "dead")
        self.totals.dead += 1
        metrics.ALERTS_FAILED.labels(endpoint=self.target.name).inc()
