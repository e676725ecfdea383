"""Shared helpers of the incident coder's tests: the real resources, loaded once."""

from __future__ import annotations

from datetime import date
from functools import cache

from marsad.schemas.facts import Incident
from marsad.streams.pipeline import Resources, analyse


@cache
def resources() -> Resources:
    return Resources.load()


def incidents_of(text: str, published: date | None = None) -> list[Incident]:
    """The incidents `analyse` codes in ``text`` (the whole pipeline, as `marsad classify` runs it)."""
    return analyse(text, resources(), published=published).incidents
