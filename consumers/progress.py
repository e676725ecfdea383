"""Progress of a long read of the log: done of total, rate and time left, on one line."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def progress_line(label: str, done: int, total: int, seconds: float) -> str:
    """``replay  12,000/100,000 (12%)  8,000 ev/s  ETA 0:00:10`` (pure)."""
    rate = done / seconds if seconds > 0 else 0.0
    pct = f" ({100 * done / total:.0f}%)" if total else ""
    left = max(total - done, 0)
    eta = _clock(left / rate) if rate > 0 and total else "?"
    return f"{label}  {done:,}/{total:,}{pct}  {rate:,.0f} ev/s  ETA {eta}"


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Progress:
    """Prints `progress_line` to a stream: redrawn in place on a terminal, a line every few seconds otherwise."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._every = 0.2 if self._tty else 2.0
        self._t0 = time.monotonic()
        self._shown = 0.0

    def update(self, done: int, total: int) -> None:
        """Record the position (``done`` of ``total``); redraw when it is time to."""
        self.done = done
        self.total = max(total, done)
        now = time.monotonic()
        if now - self._shown >= self._every:
            self._show(now)

    def finish(self) -> float:
        """Show the final line; return the seconds taken."""
        now = time.monotonic()
        self.total = max(self.total, self.done)
        self._show(now)
        if self._tty:
            self._stream.write("\n")
        return now - self._t0

    def _show(self, now: float) -> None:
        self._shown = now
        line = progress_line(self.label, self.done, self.total, now - self._t0)
        self._stream.write(f"\r{line}\033[K" if self._tty else line + "\n")
        self._stream.flush()
