"""``when`` conditions of incident rules: "killed >= 3", "outlets >= 2", parsed and checked.

A condition names a figure of the fused incident (`THRESHOLD_FIGURES`), an
operator and a whole number. A figure no report states (None) meets no
condition: "killed >= 0" does not hold for an incident whose toll is unknown.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

THRESHOLD_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
# The figures of a fused incident a condition may name (casualties: killed + injured).
THRESHOLD_FIGURES = ("killed", "injured", "arrested", "casualties", "outlets", "reports")
_THRESHOLD = re.compile(r"^\s*([a-z]+)\s*(>=|<=|==|>|<)\s*(\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Threshold:
    """One condition: a figure of the fused incident against a number."""

    figure: str  # one of THRESHOLD_FIGURES
    op: str  # one of THRESHOLD_OPS
    value: int

    def holds(self, figures: dict[str, int | None]) -> bool:
        have = figures.get(self.figure)
        return have is not None and THRESHOLD_OPS[self.op](have, self.value)

    def __str__(self) -> str:
        return f"{self.figure} {self.op} {self.value}"


def parse_threshold(text: str) -> Threshold:
    """"killed >= 3" as a `Threshold`; a ValueError says what is wrong."""
    m = _THRESHOLD.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a condition like 'killed >= 3' "
                         f"(a figure, one of {' '.join(THRESHOLD_OPS)}, a whole number)")
    figure, op, value = m.group(1), m.group(2), int(m.group(3))
    if figure not in THRESHOLD_FIGURES:
        raise ValueError(f"unknown figure {figure!r} (one of: {', '.join(THRESHOLD_FIGURES)})")
    return Threshold(figure, op, value)
