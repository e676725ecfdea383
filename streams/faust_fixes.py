"""A fix for faust-streaming 0.15 that at-least-once processing depends on.

During a rebalance a Faust stream skips the messages it fetched under the
previous consumer generation (or while flow control is paused), which is
right: after the rebalance it seeks back to the committed offsets and fetches
them again. But it also *acknowledges* each skipped message, and an
acknowledged offset is committed. When the skipped message is the first one
after the committed offset, the commit moves past it and the message is never
processed: the kill -9 drill (tests/deploy/test_services.py) lost one article
in two or three runs this way (see faust-streaming issues #216 and #223).

`install` makes the acknowledgement of such a stale event a no-op, so its
offset stays uncommitted and the event is processed after the seek. An event
that was processed under an old generation and acknowledged after the
rebalance is not committed either; it is fetched and processed again, which
at-least-once allows (the agents' outputs are idempotent: deterministic ids).
"""

from __future__ import annotations

import faust.events

_original_ack = faust.events.Event.ack


def _ack_unless_stale(self: faust.events.Event) -> bool:
    app, generation = self.app, self.message.generation_id
    if (generation is not None and generation != app.consumer_generation_id) or not app.flow_control.is_active():
        return False  # fetched before the rebalance: fetched again from the committed offset
    return _original_ack(self)


def install() -> None:
    """Apply the fix (idempotent); both stream apps call it before they run."""
    faust.events.Event.ack = _ack_unless_stale  # type: ignore[method-assign]
