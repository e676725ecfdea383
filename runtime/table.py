"""Plain-text tables for a terminal, with Arabic text kept in logical order.

The one table printer of marsad: the query answers, `marsad ps`, `marsad
feeds list`, `marsad topics list`, `marsad alerts deliveries` and the
back-test's summary all go through `render`.

Cells are never reversed or reshaped: the terminal's own bidirectional
rendering (where it has one) shows Arabic right-to-left. Widths count what a
terminal draws: combining marks (harakat) and format characters take no
column, wide East Asian characters two. Callers put the free-text column
(titles) last, so a right-to-left run never pushes other columns about.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"


def display_width(text: str) -> int:
    """Columns a terminal uses to draw ``text``."""
    width = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def fit(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` columns (ending in … when cut; never with None), on one line."""
    text = " ".join(text.split())
    if width is None or display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = display_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + ELLIPSIS


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int | None = 60) -> str:
    """A table: one header line, aligned columns (numbers right), the last column unpadded.

    A column whose every cell is a number (or None) is aligned right; cells
    longer than ``max_width`` columns are cut (None: never cut), two spaces
    part the columns and no line ends in spaces.
    """
    cells = [[_text(v, max_width) for v in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(isinstance(r[i], int | float) or r[i] is None for r in rows)
               for i in range(len(headers))]
    lines = []
    for row in [list(headers), *cells]:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            if i == len(row) - 1:
                parts.append(cell if not numeric[i] else pad + cell)
            else:
                parts.append(pad + cell if numeric[i] else cell + pad)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _text(value: object, max_width: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    return fit(str(value), max_width)
