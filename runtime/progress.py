"""Progress of a long job (import, reprocess, replay, back-test) as a tqdm bar on stderr.

The one progress display of marsad. It shows on a terminal only (or when
asked for with ``show=True``, as `marsad import --progress` does): a log
file or a pipe gets no bar, and each command prints its own summary line
when done.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


class Progress(tqdm):
    """A bar labelled ``label``: count with ``update(n)``, or follow a read with ``at(done, total)``."""

    def __init__(self, label: str, *, unit: str = " events", show: bool | None = None,
                 stream: TextIO | None = None) -> None:
        stream = stream or sys.stderr
        shown = stream.isatty() if show is None else show
        super().__init__(desc=label, unit=unit, file=stream, disable=not shown, dynamic_ncols=True)

    def at(self, done: int, total: int) -> None:
        """``done`` of ``total`` (a log still written to may grow: the total follows)."""
        self.total = max(total, done)
        self.update(done - self.n)
