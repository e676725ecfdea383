"""One endpoint's sender on a real ledger and a real receiver on 127.0.0.1 (no broker): outage versus one bad alert."""

from __future__ import annotations

import asyncio

from marsad.streams.alerts.delivery.deliver import owed_rows
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.ledger import Ledger
from marsad.streams.alerts.delivery.schedule import RetrySchedule
from marsad.streams.alerts.delivery.sender import Sender, SendTotals
from marsad.streams.alerts.delivery.targets import WebhookTarget
from tests.streams.alerts.delivery.receiver import Receiver
from tests.streams.alerts.events import raised

SECRET = b"sender-secret"


def run_sender(tmp_path, receiver: Receiver, events, schedule: RetrySchedule, until, ledger: Ledger | None = None
               ) -> Ledger:
    ledger = ledger or Ledger(tmp_path / "d.sqlite")
    endpoint = Endpoint("hook", receiver.url, SECRET, concurrency=2)
    for i, e in enumerate(events):
        ledger.enqueue(owed_rows(e, [endpoint], "t.alerts", 0, i, None))

    async def main() -> None:
        target = WebhookTarget(endpoint, 5.0)
        letters: list = []

        async def dead_letter(*args) -> None:
            letters.append(args)
        sender = Sender(target, ledger, schedule, dead_letter, SendTotals(), poll=0.05)
        task = asyncio.create_task(sender.run())
        try:
            while not until():
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
            await sender.drain(1.0)
            await target.close()
    asyncio.run(asyncio.wait_for(main(), 25))  # a hang fails; not a timing test
    return ledger


def test_one_alert_that_keeps_failing_among_successes_keeps_its_own_schedule(tmp_path):
    hook = Receiver(SECRET, lambda key, n: 500 if key == "al0000" else 200)
    events = [raised(i) for i in range(20)]
    try:
        ledger = run_sender(tmp_path, hook, events, RetrySchedule(first=30.0, cap=60.0, span=3600.0),
                            lambda: len(hook.accepted) == 19)
    finally:
        hook.stop()
    assert hook.tries["al0000"] == 1  # not tried again at every success: its next try is 30 s away
    assert ledger.status()["hook"].retrying == 1
    ledger.close()


def test_a_down_endpoint_is_probed_and_its_first_answer_makes_every_retry_due(tmp_path):
    state = {"down": True}
    hook = Receiver(SECRET, lambda key, n: 503 if state["down"] else 200)
    events = [raised(i) for i in range(12)]

    def down_a_while() -> bool:
        if state["down"] and sum(hook.tries.values()) >= 6:  # 3 in a row make an outage; then probes
            state["down"] = False
        return len(hook.accepted) == len(events)
    try:
        ledger = run_sender(tmp_path, hook, events, RetrySchedule(first=40.0, cap=60.0, span=3600.0), down_a_while)
    finally:
        hook.stop()
    # Each failed alert waits 40 s on its schedule, longer than the test's limit (25 s): the answered probe woke them.
    assert sorted(set(hook.accepted)) == sorted(e.alert_id for e in events)
    assert sum(n for k, n in hook.tries.items()) < 2 * len(events)  # the held alerts were not posted while down
    assert ledger.status()["hook"].pending == 0
    ledger.close()
