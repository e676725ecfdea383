"""Incidents: the security events an article reports (../shared/spec/incidents.md).

`find_incidents` is a pure stage like places and quantities: it reads the clean
text (and its normalised form) with the facts the earlier stages found, and
returns one `Incident` per distinct event reported as news.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from schemas.facts import Incident, Org, Place, Quantity
from streams.classify import Taxonomy
from streams.extract.gazetteer.model import Gazetteer


def find_incidents(text: str, norm: str, *, lang: str, published: date | None, places: Sequence[Place],
                   orgs: Sequence[Org], quantities: Sequence[Quantity], gazetteer: Gazetteer,
                   taxonomy: Taxonomy) -> list[Incident]:
    """The incidents ``text`` reports, in article order (none yet: the coder is being built)."""
    return []
