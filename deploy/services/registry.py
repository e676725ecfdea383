"""The services `marsad up` runs: one table, in start order (`marsad down` stops them in reverse).

Each row is a `marsad` command that also runs alone, for deployment
elsewhere (containers, systemd units); the supervisor only adds, through the
environment, the cluster address and each instance's own port and data dir.
A row whose command does not exist in this installation is skipped (the
alert services came with issue #8: they run once their commands exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from marsad.runtime.settings import OPTIONS, Settings, as_environment
from marsad.schemas.topics import Topics


@dataclass(frozen=True)
class Lag:
    """Where a service's position in the log is kept, for `marsad ps`'s lag column.

    ``group``: a Kafka consumer group reading ``topics`` (short catalogue names,
    or ``changelog:`` names); ``views``: the offsets stored in the views database.
    """

    group: str = ""  # "{app}": the streams app id; "{alerter}": the alerter's; "{prefix}": the topic prefix
    topics: tuple[str, ...] = ()
    views: bool = False

    def group_id(self, topics: Topics) -> str:
        return (self.group.replace("{app}", topics.streams_app_id)
                .replace("{alerter}", topics.alerter_app_id).replace("{prefix}", topics.prefix))

    def topic_names(self, topics: Topics) -> list[str]:
        return [topics.name(t) for t in self.topics]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: tuple[str, ...]  # the marsad sub-command
    port_setting: str  # the setting holding its health/metrics port ("" for none)
    lag: Lag | None = None
    scales: str = ""  # the `marsad up` option that runs N instances of it ("workers": `--workers N`)
    own_data_dir: bool = False  # each instance has a data dir of its own (a worker's table store); always numbered
    needs: str = ""  # a setting that must be set for the service to run (else it is left out)
    help: str = ""


# Start order. Adding a service is one row.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("poller", ("poll",), "producer_metrics_port",
                help="polls the feeds: ArticleDiscovered"),
    ServiceSpec("fetcher", ("fetch",), "fetcher_metrics_port", scales="fetchers",
                lag=Lag(group="{prefix}-fetcher", topics=("articles.discovered",)),
                help="fetches and extracts the announced pages: ArticleFetched or a dead letter"),
    ServiceSpec("worker", ("worker",), "worker_web_port", scales="workers", own_data_dir=True,
                lag=Lag(group="{app}", topics=("articles.fetched", "streams.dedup-route", "streams.dedup-bands",
                                             "streams.dedup-votes")),
                help="stream worker (Faust): clean, dedup, classify, extract: ArticleProcessed"),
    ServiceSpec("alerter", ("alerter",), "alerter_web_port",
                lag=Lag(group="{alerter}", topics=("articles.processed", "streams.alert-stories",
                                                   "streams.alert-spikes", "streams.alert-incidents")),
                help="alert agent: rules, spikes and incident fusion on the processed stream: "
                     "AlertRaised, IncidentRecorded"),
    ServiceSpec("deliver", ("alerts", "deliver"), "deliver_metrics_port",
                lag=Lag(group="{prefix}-alerts-deliver", topics=("alerts",)), needs="alert_webhooks",
                help="posts alerts to the configured webhooks"),
    ServiceSpec("views", ("views",), "views_metrics_port", lag=Lag(views=True),
                help="keeps the views database in step with the log"),
    ServiceSpec("api", ("api",), "api_port", help="the query API over the views"),
)


@dataclass(frozen=True)
class Instance:
    """One process of a service: its name (``worker-2``), port and environment additions."""

    name: str
    spec: ServiceSpec
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}" if self.port else ""




def plan(settings: Settings, *, workers: int = 1, fetchers: int = 1, skip: tuple[str, ...] = ()) -> list[Instance]:
    """The instances to run, in start order, each with its own port (and data dir for workers).

    ``workers`` stream workers (``worker-1`` ...) and ``fetchers`` fetchers (``fetcher``, or ``fetcher-1``
    ... when more than one). Instances beyond the first take the ports after their service's port that no
    other service of the table uses (skipped ones included: they may run elsewhere on this host).
    """
    unknown = set(skip) - {s.name for s in SERVICES}
    if unknown:
        raise ValueError(f"no service {', '.join(sorted(unknown))}; the services are "
                         f"{', '.join(s.name for s in SERVICES)}")
    counts = {"workers": workers, "fetchers": fetchers}
    specs = [s for s in SERVICES if s.name not in skip
             and (not s.needs or getattr(settings, s.needs))]
    taken = {getattr(settings, s.port_setting) for s in SERVICES if s.port_setting}  # run here or not
    out: list[Instance] = []
    for spec in specs:
        port = getattr(settings, spec.port_setting) if spec.port_setting else 0
        env_name = OPTIONS[spec.port_setting].env if spec.port_setting else ""
        count = counts[spec.scales] if spec.scales else 1
        if count == 1 and not spec.own_data_dir:
            out.append(Instance(spec.name, spec, port, {env_name: str(port)} if env_name else {}))
            continue
        for i in range(1, count + 1):
            if i > 1:
                port += 1
                while port in taken:
                    port += 1
                taken.add(port)
            env = {env_name: str(port)}
            if spec.own_data_dir:
                env.update(as_environment(data_dir=Path(settings.data_dir) / "workers" / f"{spec.name}-{i}"))
            out.append(Instance(f"{spec.name}-{i}", spec, port, env))
    return out
