"""marsad as supervised services: `marsad up`, `marsad down`, `marsad ps`, health and metrics.

- `registry`: the services in start order, one row each (command, port setting, where its lag is read);
- `supervisor`: runs them as separate processes, restarts crashed ones with backoff, stops them in reverse;
- `control` and `cli`: the commands around it (pid file, state file, `ps` figures);
- `state`: the supervisor's pid file, state file and log paths in the data dir;
- `metrics`: every Prometheus metric, defined once; `health`: /health/live, /health/ready and /metrics
  for services without a web server; `faust_web`: the same paths on a Faust app's web server;
- `lag`: consumer lag from Kafka (group offsets, or offsets stored in the views database).
"""
