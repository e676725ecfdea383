"""Delivery of alert events to webhooks and sinks: the `marsad alerts deliver` service.

- `endpoints`  the endpoints file, validated (no network)
- `signing`    timestamp, HMAC-SHA256 signature, idempotency key of a webhook call
- `targets`    a signed webhook or a JSON-lines sink: one contract for both
- `schedule`   when a failed delivery is tried again, and when it is given up (pure)
- `ledger`     the outbox each endpoint still owes, and what it settled (one SQLite file)
- `sender`     one target's sender: due rows out of the outbox, one try each
- `deliver`    the service: each alert event queued per endpoint before its offset is committed
- `redeliver`  a range of alert events queued again
"""
