"""The retry schedule of webhook deliveries: the default pinned, jitter only ever stretches a wait."""

from __future__ import annotations

import random

from marsad.runtime.settings import load_settings
from marsad.streams.alerts.delivery.schedule import RetrySchedule


def test_the_default_schedule_retries_for_a_day_doubling_from_2s_capped_at_30min():
    s = RetrySchedule()
    waits = s.waits()
    assert waits[:11] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800]
    assert set(waits[10:]) == {1800}
    assert len(waits) == 57 and s.tries == 58
    assert sum(waits) == 86646 and sum(waits[:-1]) < 86400  # the first schedule reaching 24 h, not more
    assert s.describe() == "58 tries over 24h4m (2s doubling, capped at 30m, +25% jitter)"


def test_the_settings_give_the_default_schedule():
    settings = load_settings(env={})
    from marsad.deploy.cli.delivery import retry_schedule
    assert retry_schedule(settings) == RetrySchedule()


def test_each_wait_is_stretched_by_at_most_the_jitter_and_the_schedule_ends():
    s = RetrySchedule(first=1.0, cap=4.0, span=20.0, jitter=0.25)
    assert s.waits() == [1, 2, 4, 4, 4, 4, 4]
    rng = random.Random(7)
    for failed, nominal in enumerate(s.waits(), start=1):
        wait = s.next_wait(failed, rng)
        assert wait is not None and nominal <= wait <= nominal * 1.25
    assert s.next_wait(len(s.waits()) + 1, rng) is None  # spent: dead-letter it


def test_max_tries_caps_the_schedule():
    s = RetrySchedule(first=1.0, cap=4.0, span=20.0, max_tries=3)
    assert s.waits() == [1, 2] and s.tries == 3
    assert RetrySchedule(max_tries=1).waits() == []  # one try, no retry
