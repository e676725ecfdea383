"""Alerts on the consumer side: their rows in the views, and delivery to webhooks.

- `rows`: AlertRaised / AlertUpdated folded into one view row per alert
  (the highest revision wins), used by the view stores;
- `endpoints`, `signing`, `targets`, `tracker`, `ledger`, `deliver`: the
  `marsad alerts deliver` service (signed webhooks with retries and dead
  letters, a JSON-lines sink, commits at the per-partition low watermark,
  a ledger of what was accepted); `cli` is its command.

Raising alerts (rules, spikes, the alert agent) lives in `streams.alerts`.
"""
