"""The progress bar: on a terminal (or when asked for), never in a pipe or a log."""

from __future__ import annotations

import io

from marsad.runtime.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_follows_a_read_whose_total_grows():
    out = Terminal()
    with Progress("replay", stream=out) as bar:
        bar.at(5, 10)
        bar.at(12, 10)  # the log grew while it was read
    assert bar.total == 12 and bar.n == 12
    assert "replay:" in out.getvalue() and "12/12" in out.getvalue()


def test_a_bar_counts_items():
    out = io.StringIO()
    with Progress("import", unit=" articles", show=True, stream=out) as bar:
        for _ in range(3):
            bar.update(1)
    assert "import: 3 articles" in out.getvalue()


def test_quiet_off_a_terminal_and_when_told():
    pipe = io.StringIO()
    with Progress("replay", stream=pipe) as bar:
        bar.at(5, 10)
    with Progress("replay", show=False, stream=(told := Terminal())) as bar:
        bar.at(5, 10)
    assert pipe.getvalue() == "" and told.getvalue() == ""
