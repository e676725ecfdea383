"""Alerts: rules and spikes over the processed articles (see streams/alerts/rules.yaml for the format).

- `rules`   the rules file, validated into typed rules
- `match`   does an article meet a story rule's conditions (pure)
- `engine`  story notes, story state, alert events (pure, deterministic)
- `spike`   counts per scope and window against a baseline (pure)
- `app`, `agents`  the alert agent, a Faust app of its own (`marsad alerter`)
- `live`    the rules in force in the alert agent, reloaded when their file changes
- `backtest`, `tail`, `cli`  `marsad alerts backtest|tail` and `marsad alerter`
"""
