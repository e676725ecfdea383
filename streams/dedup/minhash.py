"""Fingerprints of an article for duplicate detection.

- `exact_key`: a hash of the normalised text with spaces and punctuation
  squeezed out, so the same text re-published with other markup or
  whitespace is an exact duplicate.
- `signature`: a MinHash (datasketch) over word 2-shingles of the normalised
  text. The share of equal slots between two signatures estimates the Jaccard
  similarity of their shingle sets.
- `band_keys`: the signature cut into 16 bands of 4 slots; two articles that
  share any band key are candidates (LSH). Pairs above ~0.6 similarity almost
  always share a band (0.6: 87 %, 0.7: 99.7 %), pairs below 0.3 seldom do;
  the verdict then checks the estimate itself, so loose candidates cost only
  a comparison.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import TOKEN

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 2
SEED = 20240208  # fixed: signatures must be comparable across workers and restarts

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED)  # permutations computed once
assert _TEMPLATE.scheme == "affine32", "signature() computes datasketch's affine32 scheme"
_A, _B = (np.asarray(x, dtype=np.uint32) for x in _TEMPLATE.permutations)
_DIGEST_WORDS = hashlib.sha1().digest_size // 4
assert SHINGLE == 2, "signature() writes its shingles out as word pairs"


@dataclass(frozen=True)
class Fingerprint:
    exact: str
    signature: tuple[int, ...]  # NUM_PERM slots; empty for texts too short to shingle

    def bands(self) -> list[str]:
        return band_keys(self.signature)


def words(norm: str) -> list[str]:
    """Tokens of an already normalised text (see `marsad.streams.text.normalize`)."""
    return TOKEN.findall(norm)


def exact_key(toks: list[str]) -> str:
    return hashlib.blake2b(" ".join(toks).encode(), digest_size=16).hexdigest()


def signature(toks: list[str]) -> tuple[int, ...]:
    """datasketch's MinHash of the text's distinct word 2-shingles (its "affine32" scheme), computed here
    in one pass of numpy: the same values as ``MinHash.update_batch`` (a test holds them equal), without
    building a MinHash object per article."""
    if len(toks) < SHINGLE:
        return ()
    # the distinct shingles of SHINGLE words, as bytes (written out: a join of each pair costs more)
    shingles = {f"{a} {b}".encode() for a, b in itertools.pairwise(toks)}
    sha1 = hashlib.sha1
    # datasketch's sha1_hash32: the first 4 bytes of each SHA-1, little-endian, taken from the whole digests
    # joined (one slice in numpy rather than one per shingle)
    digests = np.frombuffer(b"".join([sha1(s).digest() for s in shingles]), dtype="<u4")
    hashes = digests.reshape(-1, _DIGEST_WORDS)[:, 0].astype(np.uint32)
    mixed = _fmix32(hashes)
    permuted = mixed[:, None] * _A + _B  # uint32 arithmetic wraps around: the permutations are mod 2**32
    return tuple(permuted.min(axis=0).tolist())


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch pre-mixes each hash."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def fingerprint(norm: str) -> Fingerprint:
    """Fingerprint of a text in its matching form (``normalize(text)``)."""
    toks = words(norm)
    return Fingerprint(exact_key(toks), signature(toks))


def fingerprint_text(text: str) -> Fingerprint:
    return fingerprint(normalize(text))


def band_keys(sig: tuple[int, ...]) -> list[str]:
    if not sig:
        return []
    slots = np.asarray(sig, dtype=np.uint64).tobytes()  # each band hashes its ROWS slots as 8-byte integers
    size = ROWS * 8
    blake2b = hashlib.blake2b
    return [f"{b}:{blake2b(slots[b * size:(b + 1) * size], digest_size=8).hexdigest()}" for b in range(BANDS)]


def partition_of(band: str, partitions: int) -> int:
    """The partition that owns a band key: stable across workers and restarts.

    The dedup state is partitioned by this, so changing the partition count of
    the dedup topics needs a dedup reset (as for any Kafka Streams state).
    """
    return int.from_bytes(hashlib.blake2b(band.encode(), digest_size=4).digest(), "big") % partitions


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(map(operator.eq, a, b)) / len(a)  # lengths checked above
