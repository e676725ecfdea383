"""Which article holds each band key first, kept in memory and derived from the signature table.

Every article's signature record in a partition (`internal.Holder`, key
``{article id}@{partition}``) lists the band keys of that partition it holds
first. So the band -> holder map needs no changelog of its own: it is built
from those records when a partition is (re)assigned, and kept up to date in
memory as claims are answered and articles expire. This spares a changelog
write for every band an article holds (about 17 per original), the largest
share of the worker's writes.

Band entries written by earlier releases (to the ``dedup-bands`` table, one
record per band) are still read, and released when their article expires:
`BandView` looks in the derived map first, then in that table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping

from marsad.schemas.internal import holder_state


def derive(signatures: Iterable[tuple[bytes, bytes]], partition: int) -> dict[bytes, bytes]:
    """The band -> holder map of one partition, from its signature records (``{id}@{partition}``)."""
    suffix = f"@{partition}".encode()
    held: dict[bytes, bytes] = {}
    for key, value in signatures:
        if key.endswith(suffix) and value is not None:
            article = key[: -len(suffix)]
            for band in holder_state.decode(value).bands:
                held[band.encode()] = article
    return held


class BandView(MutableMapping[bytes, bytes]):
    """The bands of one partition as `bands.answer_claims` and `expiry.forget_expired` use them:
    the derived map first, then the earlier releases' band table; new holders go to the map only."""

    def __init__(self, derived: dict[bytes, bytes], legacy: MutableMapping[bytes, bytes]) -> None:
        self.derived = derived
        self.legacy = legacy

    def __getitem__(self, band: bytes) -> bytes:
        holder = self.get(band)
        if holder is None:
            raise KeyError(band)
        return holder

    def get(self, band: bytes, default: bytes | None = None) -> bytes | None:
        """As `__getitem__`, without raising on a band nobody holds (most bands of an original): `Mapping.get`
        would raise and catch a KeyError for each, and so would the earlier releases' table, asked only for a
        band it has (almost always none: it is empty once their articles expired)."""
        holder = self.derived.get(band)
        if holder is None and band in self.legacy:
            holder = self.legacy.get(band)
        return default if holder is None else holder

    def __setitem__(self, band: bytes, holder: bytes) -> None:
        self.derived[band] = holder  # the holder's signature record, written beside it, lists the band

    def __delitem__(self, band: bytes) -> None:
        found = self.derived.pop(band, None) is not None
        if self.legacy.get(band) is not None:
            del self.legacy[band]
            found = True
        if not found:
            raise KeyError(band)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.derived.keys() | set(self.legacy.keys()))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class BandMaps:
    """The derived maps of the partitions a worker owns, each rebuilt the first time it is used after
    a rebalance (a Kafka group generation): what the signature table holds then is the truth."""

    def __init__(self) -> None:
        self._maps: dict[int, tuple[int, dict[bytes, bytes]]] = {}

    def of(self, partition: int, generation: int, signatures: MutableMapping[bytes, bytes]) -> dict[bytes, bytes]:
        built = self._maps.get(partition)
        if built is None or built[0] != generation:
            # maps of an earlier generation may belong to partitions gone elsewhere: rebuilt when used again
            self._maps = {p: m for p, m in self._maps.items() if m[0] == generation}
            built = (generation, derive(signatures.items(), partition))
            self._maps[partition] = built
        return built[1]
