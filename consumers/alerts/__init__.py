"""Alerts on the consumer side: their rows in the views, and delivery to webhooks.

- `rows`: AlertRaised / AlertUpdated folded into one view row per alert
  (the highest revision wins), used by the view stores;
- `endpoints`, `signing`, `targets`, `schedule`, `ledger`, `sender`,
  `deliver`: the `marsad alerts deliver` service (each alert event queued
  per endpoint in the ledger's outbox before its offset is committed; one
  sender per endpoint posting signed webhooks, retried over hours, in order
  per alert, dead-lettered when the schedule is spent; a JSON-lines sink);
  `redeliver`: queueing a range again; `cli`: the commands `deliver`,
  `deliveries` and `redeliver`.

Raising alerts (rules, spikes, the alert agent) lives in `streams.alerts`.
"""
