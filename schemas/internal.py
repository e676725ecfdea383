"""Records on the stream workers' internal topics (dedup repartitioning).

Not events of the public log: they only carry work between the agents of
`marsad.streams.agents` and live 7 days. They still have one definition, here.

    articles.fetched --process--> streams.dedup-route  (a Trip: a batch's claims; its drafts wait at home,
                                                        in the dedup-drafts table)
    streams.dedup-route --dedup--> streams.dedup-route (the same Trip, to the next band partition, home last)
                               ... articles.processed  (at home: the drafts with their verdicts)

A `Route` (the release before) carried the drafted articles themselves
through every band partition; those still on the topic at an upgrade are
finished the same way. The records of the repartition before that (one draft, one claim
batch per partition and one reply per partition for every article) are still
read, so that what was in flight at an upgrade is finished (`marsad.streams.legacy`):

    articles.fetched --process--> streams.dedup-bands  (key: band key)
                                 streams.dedup-votes  (key: article id: the draft)
    streams.dedup-bands --bands--> streams.dedup-votes (key: article id: one reply per partition)
    streams.dedup-votes --verdict--> articles.processed
"""

from __future__ import annotations

import msgspec
import orjson

from marsad.schemas.codec import SchemaError, decode_obj
from marsad.schemas.codec import encode as encode_event
from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.schemas.state import StateCodec


class Claim(msgspec.Struct, frozen=True, omit_defaults=True):
    band: str
    exact: bool = False  # the exact-text key, not an LSH band


class ClaimBatch(msgspec.Struct, frozen=True, tag="claims"):
    """An article asks the owner of some band keys (one partition) who holds them first."""

    article_id: str
    part: int  # the partition these bands belong to
    claims: list[Claim]
    signature: list[int]
    seen_at: float = 0.0  # when the article was fetched (epoch seconds): orders the copies


class Holder(msgspec.Struct, frozen=True, omit_defaults=True):
    """What the dedup state keeps of an article that holds bands: enough to compare and order.

    ``bands`` (in the table only, never in replies): the band keys of this
    partition the article holds first, for `marsad.streams.dedup.expiry` to release.
    ``similarity`` (in a `Trip`'s replies only): the holder's estimated
    similarity to the asking article, computed where both signatures are (the
    band partition); its signature then travels only if it is similar enough
    to be a copy (`marsad.streams.dedup.route.compared`), else empty.
    """

    signature: list[int]
    seen_at: float = 0.0
    bands: list[str] = []
    similarity: float | None = None


class Reply(msgspec.Struct, frozen=True, omit_defaults=True):
    band: str
    holder: str | None = None  # the earlier article holding the band, if another one
    exact: bool = False


class ReplyBatch(msgspec.Struct, frozen=True, tag="replies"):
    """The owner of one partition's band keys answers, with the holders' signatures (on a `Trip`, once on
    its way: their similarities to the article instead)."""

    article_id: str
    part: int
    replies: list[Reply]
    holders: dict[str, Holder] = {}  # holder article id -> its signature (or similarity) and time


class Draft(msgspec.Struct, frozen=True, tag="draft"):
    """The processed article minus its duplicate verdict, and how many replies to wait for."""

    article: msgspec.Raw  # the ArticleProcessed as `embed` writes it: read it with `embedded`
    signature: list[int]
    expected_replies: int  # reply batches to wait for (one per partition claimed)


class Routed(msgspec.Struct, frozen=True):
    """An analysed article with its draft: what the analysis hands the process agent (split there into a
    `Claimed` and its draft), and what a `Route` of the release before carried through the band partitions."""

    article_id: str
    article: msgspec.Raw  # the ArticleProcessed (`embed`), verdict still to decide: passed on undecoded until then
    signature: list[int]
    seen_at: float  # when the article was fetched (epoch seconds): orders the copies
    claims: dict[int, list[Claim]]  # band partition -> the article's claims there
    replies: list[ReplyBatch] = []  # one per partition visited so far


class Route(msgspec.Struct, frozen=True, tag="route"):
    """The release before's `Trip`: a batch of analysed articles, drafts included, visiting every band
    partition they claim in; the partition that answers last publishes the verdicts. Still read, so that
    the records in flight at an upgrade are finished."""

    batch: str  # names the batch in logs and dead letters
    parts: list[int]  # band partitions still to visit, the one this record is on first
    articles: list[Routed]


class Claimed(msgspec.Struct, frozen=True):
    """An analysed article on a `Trip`: what dedup asks and learns of it (its draft waits at home)."""

    article_id: str
    signature: list[int]
    seen_at: float  # when the article was fetched (epoch seconds): orders the copies
    claims: dict[int, list[Claim]]  # band partition -> the article's claims there, those still to answer
    replies: list[ReplyBatch] = []  # of the partitions visited so far, those naming earlier holders (only those)


class Trip(msgspec.Struct, frozen=True, tag="trip"):
    """A batch's claims visiting, one after the other, every band partition they claim in, then ``home``.

    The drafted articles do not travel: they wait in the ``dedup-drafts``
    table of partition ``home`` (a `Drafts` under `drafts_key`), written
    there before the trip leaves; back home the verdicts are decided and
    published, and the drafts deleted. So an article's text crosses the
    broker once on its way through dedup, however many partitions it claims in.
    """

    batch: str  # names the batch in logs and dead letters, unique: with ``home``, the key of its drafts
    home: int  # the partition whose drafts table holds the articles: the last one visited
    parts: list[int]  # partitions still to visit, the one this record is on first, ``home`` last
    articles: list[Claimed]


class Drafts(msgspec.Struct, frozen=True):
    """The drafted articles of a `Trip`, kept at its home partition until it comes back."""

    written_at: float  # the wall clock (epoch seconds): drafts whose trip cannot come back any more are swept
    ids: list[str]  # the articles' ids, in batch order
    articles: list[msgspec.Raw]  # each ArticleProcessed (`embed`), verdict still to decide, in the same order


def drafts_key(home: int, batch: str) -> bytes:
    """Where partition ``home`` keeps the drafts of ``batch``."""
    return f"{home}/{batch}".encode()


Vote = ReplyBatch | Draft

# The ArticleProcessed a Draft or a Routed carries is written as the event codec writes it (its type and
# version first), so one of an older version, in flight or in a table at an upgrade, is upcast like any
# event. Releases before wrote it bare (no type, no version), and ArticleProcessed was then at version 4.
BARE_VERSION = 4
_CURRENT = b'{"type":"ArticleProcessed","version":%d,' % ArticleProcessed.VERSION
_article_decoder = msgspec.json.Decoder(ArticleProcessed)


def embed(article: ArticleProcessed) -> msgspec.Raw:
    """``article`` as an internal record carries it: the JSON object `marsad.schemas.codec.encode` gives."""
    return msgspec.Raw(_CURRENT + _encoder.encode(article)[1:])  # an event always has fields: never "{}"


def embedded(raw: msgspec.Raw | bytes) -> ArticleProcessed:
    """The ArticleProcessed `embed` wrote (any version, upcast), or a bare one of a release before;
    `SchemaError` when it is not one."""
    data = bytes(raw)
    if data.startswith(_CURRENT):
        return _article_decoder.decode(data)  # the current version, straight in (type and version ignored)
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise SchemaError("not_json", f"embedded article is not JSON: {e}") from None
    if isinstance(obj, dict) and "type" not in obj:
        obj = {"type": ArticleProcessed.type_name(), "version": BARE_VERSION, **obj}
    article = decode_obj(obj)
    if not isinstance(article, ArticleProcessed):
        raise SchemaError("unknown_type", f"expected an embedded ArticleProcessed, got {type(article).__name__}")
    return article

_UNDECIDED = b',"duplicate":{}'  # how `embed` writes the verdict of an article still to decide


def with_verdict(raw: msgspec.Raw | bytes, dup: Duplicate) -> bytes:
    """The ArticleProcessed `embed` wrote, with the verdict ``dup``, as `marsad.schemas.codec.encode` writes it.

    An article of the current version, its verdict still to decide, gets
    ``dup`` written where the undecided verdict is, without being decoded
    again (decoding it was most of a verdict's cost); any other goes through
    `embedded`. (``"duplicate":{}`` cannot occur inside a JSON string, and
    the verdict comes after every field that holds objects.)
    """
    data = bytes(raw)
    at = data.rfind(_UNDECIDED)
    if at < 0 or not data.startswith(_CURRENT):
        return encode_event(msgspec.structs.replace(embedded(data), duplicate=dup))
    return b"%s,\"duplicate\":%s%s" % (data[:at], _encoder.encode(dup), data[at + len(_UNDECIDED):])


# What the dedup tables keep (see marsad.schemas.state): an article's signature, and an article's
# replies and draft while its verdict waits for the rest.
holder_state: StateCodec[Holder] = StateCodec(Holder)
pending_state: StateCodec[list[ReplyBatch | Draft]] = StateCodec(list[Vote], name="Pending")
drafts_state: StateCodec[Drafts] = StateCodec(Drafts)

_claim_decoder = msgspec.json.Decoder(ClaimBatch)
_vote_decoder = msgspec.json.Decoder(Vote)
_route_decoder = msgspec.json.Decoder(Trip | Route)
_encoder = msgspec.json.Encoder()


def encode(record: ClaimBatch | ReplyBatch | Draft | Route | Routed | Trip | Claimed) -> bytes:
    return _encoder.encode(record)


def decode_route(data: bytes) -> Trip | Route:
    """A record of the route topic: a `Trip`, or a `Route` of the release before."""
    return _route_decoder.decode(data)


def decode_claim(data: bytes) -> ClaimBatch:
    return _claim_decoder.decode(data)


def decode_vote(data: bytes) -> ReplyBatch | Draft:
    return _vote_decoder.decode(data)
