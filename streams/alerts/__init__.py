"""Alerts, in one place: from the rules to the webhooks (see streams/alerts/rules.yaml for the format).

Raising alerts (a stream stage):
- `rules`, `thresholds`   the rules file, validated into typed rules
- `match`    does an article meet a story rule's conditions (pure)
- `engine`   story notes, story state, alert events (pure, deterministic)
- `spike`    counts per scope and window against a baseline (pure)
- `incidents`  rules over fused incidents (pure)
- `expiry`, `ids`, `notes`  story expiry, deterministic ids, typed table states
- `app`, `agents`, `live`  the alerter: a Faust app of its own built by `create_app(settings)`,
  its agents, the rules in force (reloaded when their file changes)
- `backtest`, `tail`   a rules file over the history; following the alert topics

Using them:
- `view_rows`  alert events folded into one view row per alert (the views' stores use it)
- `delivery/`  the `marsad alerts deliver` service: signed webhooks and sinks, retried, in order
"""
