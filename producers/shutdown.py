"""Stopping a service without losing work: signal handling and a bounded wait for in-flight tasks.

``StopSignals`` turns SIGTERM and SIGINT into a call the service handles
(set a stop flag, then flush and close) instead of the default abrupt exit;
``StopRequest`` is that call: the first signal asks for a stop, a second one
cuts the grace period short.
``finish_or_cancel`` gives running tasks a grace period, which a second
signal can cut short, and cancels what is still running after it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Collection

log = logging.getLogger(__name__)


class StopSignals:
    """While inside, SIGTERM and SIGINT call ``on_signal(signum)`` instead of killing the process."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, on_signal: Callable[[int], None], *, enabled: bool = True) -> None:
        self.on_signal = on_signal
        self.enabled = enabled
        self.installed: list[signal.Signals] = []

    def __enter__(self) -> StopSignals:
        if self.enabled:
            loop = asyncio.get_running_loop()
            for signum in self.SIGNALS:
                try:
                    loop.add_signal_handler(signum, self.on_signal, signum)
                except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no support
                    log.debug("cannot handle %s here; it will stop the process abruptly", signum.name)
                    continue
                self.installed.append(signum)
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop = asyncio.get_running_loop()
        for signum in self.installed:
            loop.remove_signal_handler(signum)


class StopRequest:
    """What the signals asked of a service: ``stop`` (nothing new starts; in-flight work gets ``grace``
    seconds), then ``hurry`` (a second signal: cut the grace short); ``by`` names the first signal."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.stop = asyncio.Event()
        self.hurry = asyncio.Event()
        self.by: str | None = None

    def __call__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.stop.is_set():
            log.warning("%s again: cutting in-flight work short", name)
            self.hurry.set()
            return
        self.by = name
        log.info("%s: stopping (nothing new starts; in-flight work gets up to %g s)", name, self.grace)
        self.stop.set()


async def finish_or_cancel(tasks: Collection[asyncio.Future], *, grace: float, cut: asyncio.Event) -> int:
    """Wait up to ``grace`` seconds for ``tasks`` (less if ``cut`` gets set), cancel the rest; return how many."""
    if not tasks:
        return 0
    everything = asyncio.ensure_future(asyncio.wait(tasks))
    cut_short = asyncio.ensure_future(cut.wait())
    try:
        await asyncio.wait({everything, cut_short}, timeout=grace, return_when=asyncio.FIRST_COMPLETED)
    finally:
        everything.cancel()
        cut_short.cancel()
    late = [task for task in tasks if not task.done()]
    if late:
        log.warning("cancelling %d task(s) still running after the grace period", len(late))
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    return len(late)
