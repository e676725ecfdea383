"""The gazetteer as the extractors use it: rows of places and a name index.

The data file (gazetteer.tsv, written by `build`) is one header line carrying
the content hash, one line of column names, then one row per place:

    name  lat  lon  country  kind  population  geonameid  names

`names` are the matching forms (see `marsad.streams.text.normalize`) separated by
"|". Loading parses the rows and builds one Aho-Corasick automaton over all
names; it happens once per process (`load_gazetteer`) and is then shared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from marsad.streams.extract.lexicon import Lexicon

DATA_FILE = Path(__file__).with_name("gazetteer.tsv")
COLUMNS = ("name", "lat", "lon", "country", "kind", "population", "geonameid", "names")
MAGIC = "# marsad gazetteer"


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """One place of the gazetteer."""

    name: str  # display name, Arabic where known
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2
    kind: str  # capital, city, town, village, camp, crossing, airport, base, governorate...
    population: int  # importance: the population, or an estimate for camps and crossings
    geonameid: int | None
    names: tuple[str, ...]  # matching forms


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The places and the index that finds their names in normalised text."""

    version: str
    entries: tuple[PlaceEntry, ...]
    lexicon: Lexicon[int]  # name -> indices into `entries`

    @classmethod
    def from_entries(cls, entries: Sequence[PlaceEntry], version: str = "") -> Gazetteer:
        """Index ``entries`` (tests and the build use this; the service loads the file)."""
        lexicon: Lexicon[int] = Lexicon((n, i) for i, e in enumerate(entries) for n in e.names)
        return cls(version or content_hash(format_rows(entries)), tuple(entries), lexicon)


def format_rows(entries: Iterable[PlaceEntry]) -> list[str]:
    """The data lines of the TSV file, one per entry, without line ends."""
    return ["\t".join((e.name, f"{e.lat:.4f}", f"{e.lon:.4f}", e.country, e.kind, str(e.population),
                       "" if e.geonameid is None else str(e.geonameid), "|".join(e.names)))
            for e in entries]


def content_hash(rows: Iterable[str]) -> str:
    """The gazetteer's version: a short hash of its data lines."""
    h = hashlib.sha256()
    for row in rows:
        h.update(row.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


def write_tsv(entries: Sequence[PlaceEntry], path: Path = DATA_FILE) -> str:
    """Write the data file and return its version."""
    rows = format_rows(entries)
    version = content_hash(rows)
    header = f"{MAGIC}\tversion={version}\trows={len(rows)}\n" + "\t".join(COLUMNS) + "\n"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return version


def read_tsv(path: Path = DATA_FILE) -> Gazetteer:
    """Parse a data file written by `write_tsv`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith(MAGIC):
        raise ValueError(f"{path}: not a marsad gazetteer file")
    meta = dict(part.split("=", 1) for part in lines[0].split("\t")[1:])
    entries = []
    for line in lines[2:]:
        if not line:
            continue
        name, lat, lon, country, kind, population, geonameid, names = line.split("\t")
        entries.append(PlaceEntry(name, float(lat), float(lon), country, kind, int(population),
                                  int(geonameid) if geonameid else None, tuple(names.split("|"))))
    return Gazetteer.from_entries(entries, meta.get("version", ""))


@cache
def load_gazetteer(path: Path = DATA_FILE) -> Gazetteer:
    """The gazetteer of ``path``, read once per process and shared (it is immutable)."""
    return read_tsv(path)
