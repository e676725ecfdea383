"""The settings, declared once: each one a field of `Settings` with its type, default, check,
environment variable and help.

Everything else is derived from these fields: the loader (runtime/settings/loading.py), the
environment names other modules cite (`OPTIONS`), `marsad config` and the README's settings
table (runtime/settings/rendering.py). A new setting is one more field here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_type_hints

from marsad.runtime.settings.checks import (
    Check,
    at_least,
    networks,
    one_of,
    port,
    port_or_off,
    positive,
    tile_url,
    within,
    zero_or_at_least,
)

CHECKOUT = Path(__file__).resolve().parents[2]


def default_data_dir() -> str:
    """Inside the checkout (git-ignored) when running from one, else the user's data dir."""
    if (CHECKOUT / "pyproject.toml").exists():
        return str(CHECKOUT / "var")
    return str(Path.home() / ".local" / "share" / "marsad")


def setting(env: str, default: Any, help: str, *, check: Check | None = None, secret: bool = False,
            table_default: str = "") -> Any:
    """One setting's declaration: a dataclass field whose metadata holds what is not its type or default.

    ``secret``: masked by `marsad config`; ``table_default``: the default as the README's table
    states it, when the value itself depends on the machine.
    """
    return field(default=default, metadata={"setting": {"env": env, "help": help, "check": check,
                                                        "secret": secret, "table_default": table_default}})


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting's value in force, built once at the entry point (`load_settings`) and passed down."""

    # --- the data dir, and Kafka: the cluster, the local broker, how clients connect (runtime/kafka/)
    kafka_bootstrap_servers: str = setting("KAFKA_BOOTSTRAP_SERVERS", "",
        "Kafka cluster to use (host:port,...). Empty: marsad starts and uses its local broker.")
    data_dir: str = setting("MARSAD_DATA_DIR", default_data_dir(),
        "Where the local broker, state files and views live.", table_default="`./var` in a checkout")
    cache_dir: str = setting("MARSAD_CACHE_DIR", str(Path.home() / ".cache" / "marsad"),
        "Downloaded Kafka jars (kept across `marsad kafka reset`).", table_default="`~/.cache/marsad`")
    kafka_home: str = setting("KAFKA_HOME", "",
        "An Apache Kafka download to run instead of the jars from Maven Central.")
    kafka_port: int = setting("MARSAD_KAFKA_PORT", 19092,
        "Local broker's client port.", check=port)
    kafka_controller_port: int = setting("MARSAD_KAFKA_CONTROLLER_PORT", 19093,
        "Local broker's KRaft controller port.", check=port)
    kafka_heap: str = setting("MARSAD_KAFKA_HEAP", "512m",
        "Local broker's Java heap (-Xmx).")
    kafka_start_timeout: int = setting("MARSAD_KAFKA_START_TIMEOUT", 90,
        "Seconds to wait for the local broker to answer.", check=positive)
    kafka_connect_timeout: float = setting("MARSAD_KAFKA_CONNECT_TIMEOUT", 5.0,
        "Seconds a command waits for the configured Kafka cluster to answer before it stops with a "
        "one-line error.", check=within(0, 60))
    kafka_security_protocol: str = setting("MARSAD_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT",
        "How clients connect to KAFKA_BOOTSTRAP_SERVERS: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (login) or "
        "SASL_SSL (login over TLS, what managed clusters ask for).",
        check=one_of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"))
    kafka_sasl_mechanism: str = setting("MARSAD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "SASL login mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
        check=one_of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"))
    kafka_username: str = setting("MARSAD_KAFKA_USERNAME", "",
        "SASL user name (SASL_* protocols).")
    kafka_password: str = setting("MARSAD_KAFKA_PASSWORD", "",
        "SASL password (SASL_* protocols); better MARSAD_KAFKA_PASSWORD_FILE. Never printed.", secret=True)
    kafka_password_file: str = setting("MARSAD_KAFKA_PASSWORD_FILE", "",
        "File whose first line is the SASL password (used when MARSAD_KAFKA_PASSWORD is empty), e.g. a "
        "mounted secret.")
    kafka_ca_file: str = setting("MARSAD_KAFKA_CA_FILE", "",
        "PEM file of the CA(s) that signed the brokers' certificates (SSL, SASL_SSL). Empty: the system's "
        "CAs.")
    kafka_cert_file: str = setting("MARSAD_KAFKA_CERT_FILE", "",
        "PEM client certificate, for clusters that require one (mutual TLS).")
    kafka_key_file: str = setting("MARSAD_KAFKA_KEY_FILE", "",
        "PEM private key of the client certificate (unencrypted).")

    # --- topics and stream workers
    topic_prefix: str = setting("MARSAD_TOPIC_PREFIX", "marsad",
        "Prefix of every topic name.")
    partitions: int = setting("MARSAD_PARTITIONS", 4,
        "Partitions of the article and alert topics.", check=positive)
    replication_factor: int = setting("MARSAD_REPLICATION_FACTOR", 0,
        "Replication factor of created topics; 0: the cluster's broker count, at most 3 (set 3 on a real "
        "cluster).", check=at_least(0))
    min_insync_replicas: int = setting("MARSAD_MIN_INSYNC_REPLICAS", 0,
        "min.insync.replicas of created topics: replicas that must have a write before acks=all producers "
        "are told it is written; 0: the replication factor less one, at least 1 (2 with 3 replicas).",
        check=at_least(0))
    worker_store: str = setting("MARSAD_WORKER_STORE", "memory://",
        "Faust table store of stream workers: memory:// or rocksdb:// (needs rocksdict; tables are "
        "rebuilt from their changelog topics on start either way).")
    worker_web_host: str = setting("MARSAD_WORKER_WEB_HOST", "127.0.0.1",
        "Address the worker's web server (health, metrics) binds to.")
    worker_web_port: int = setting("MARSAD_WORKER_WEB_PORT", 6066,
        "Port of the worker's web server; give each worker on a host its own.", check=port)
    analyse_workers: int = setting("MARSAD_ANALYSE_WORKERS", 1,
        "Processes a stream worker analyses articles in, beside the process that talks to Kafka and keeps "
        "the dedup state (one more core at work); 0: analyse in that process.", check=at_least(0))
    worker_session_timeout: float = setting("MARSAD_WORKER_SESSION_TIMEOUT", 30.0,
        "Seconds without a heartbeat before Kafka gives a dead worker's partitions to the others.",
        check=within(6, 300, low_included=True))
    taxonomy_file: str = setting("MARSAD_TAXONOMY", "",
        "Taxonomy YAML replacing the bundled default (see streams/classify/taxonomy.yaml).")
    incidents_file: str = setting("MARSAD_INCIDENTS", "",
        "Incident vocabulary YAML replacing the bundled default (see "
        "streams/extract/incidents/incidents.yaml; start it with `extends: default`).")
    dedup_days: int = setting("MARSAD_DEDUP_DAYS", 30,
        "Days after its fetch an article still marks later copies as duplicates (by fetch time, per "
        "partition; 0: forever).", check=at_least(0))
    dedup_threshold: float = setting("MARSAD_DEDUP_THRESHOLD", 0.7,
        "Estimated similarity from which an article is a near duplicate.", check=within(0, 1))

    # --- producers (marsad produce, poll, fetch, feeds)
    feeds_file: str = setting("MARSAD_FEEDS", "",
        "Feed registry YAML. Empty: {data_dir}/feeds.yaml when it exists, else the bundled sample "
        "registry (producers/samples/feeds.yaml).")
    feeds_base_url: str = setting("MARSAD_FEEDS_BASE_URL", "http://127.0.0.1:8765/",
        "Base of relative feed URLs in the registry (the bundled samples use them).")
    allow_private: bool = setting("MARSAD_ALLOW_PRIVATE", False,
        "Let the fetcher reach private, loopback and link-local addresses (local demo and tests only: it "
        "disables the SSRF guard).")
    allow_networks: str = setting("MARSAD_ALLOW_NETWORKS", "",
        "Private networks the fetcher may reach, as CIDRs (e.g. 127.0.0.1/32,10.1.2.0/24); every other "
        "private, loopback or link-local address stays refused, on every redirect hop.", check=networks)
    extract_workers: int = setting("MARSAD_EXTRACT_WORKERS", 2,
        "Worker processes extracting article pages (a crash, hang or memory blow-up costs one page); 0: "
        "extract in a thread of the service, unisolated.", check=at_least(0))
    extract_timeout: float = setting("MARSAD_EXTRACT_TIMEOUT", 30.0,
        "Seconds one page's extraction may take in a worker before it is killed.", check=positive)
    extract_memory_mb: int = setting("MARSAD_EXTRACT_MEMORY_MB", 1024,
        "Memory (MB) one page's extraction may add to a worker (RLIMIT_AS); 0: no limit.", check=at_least(0))
    poll_concurrency: int = setting("MARSAD_POLL_CONCURRENCY", 20,
        "HTTP requests in flight at once, all hosts together.", check=positive)
    per_host_concurrency: int = setting("MARSAD_PER_HOST_CONCURRENCY", 2,
        "HTTP requests in flight at once to one host.", check=positive)
    per_host_interval: float = setting("MARSAD_PER_HOST_INTERVAL", 0.5,
        "Seconds between the starts of two page requests to one host (0: no pause).", check=at_least(0))
    connect_timeout: float = setting("MARSAD_CONNECT_TIMEOUT", 10.0,
        "Seconds to connect to a server.", check=positive)
    read_timeout: float = setting("MARSAD_READ_TIMEOUT", 20.0,
        "Seconds without data before a request fails.", check=positive)
    fetch_timeout: float = setting("MARSAD_FETCH_TIMEOUT", 60.0,
        "Seconds for one whole request, first byte to last.", check=positive)
    max_response_bytes: int = setting("MARSAD_MAX_RESPONSE_BYTES", 5_000_000,
        "Largest feed or page body read; bigger ones fail as too_large.", check=positive)
    raw_page_cap: int = setting("MARSAD_RAW_PAGE_CAP", 2 * 1024 * 1024,
        "Bytes of a page kept in ArticleFetched.raw (cut there, then zlib-compressed).", check=positive)
    fetch_attempts: int = setting("MARSAD_FETCH_ATTEMPTS", 3,
        "Attempts at a page (timeouts, 429, 5xx) before it is dead-lettered.", check=positive)
    page_deadline: float = setting("MARSAD_PAGE_DEADLINE", 120.0,
        "Seconds one page's attempts and the waits between them may take together (time queued behind "
        "other pages excluded); no attempt starts that the deadline would cut short of its wait, and the "
        "page is dead-lettered with the reason.", check=positive)
    feed_deadline: float = setting("MARSAD_FEED_DEADLINE", 30.0,
        "Seconds one feed's poll (fetch and parse) may take; a feed past it fails with that reason and is "
        "backed off, while the other feeds' entries are announced as they come.", check=positive)
    fetch_commit_interval: float = setting("MARSAD_FETCH_COMMIT_INTERVAL", 1.0,
        "Seconds between the fetcher's offset commits (a kill -9 re-fetches what was in flight plus what "
        "finished since the last commit).", check=within(0, 60))
    resume_window_hours: int = setting("MARSAD_RESUME_WINDOW_HOURS", 168,
        "On start, articles discovered this recently but never fetched are fetched.", check=positive)
    shutdown_grace: float = setting("MARSAD_SHUTDOWN_GRACE", 10.0,
        "Seconds in-flight fetches get to finish on SIGTERM/SIGINT before being cut.", check=at_least(0))

    # --- consumers (marsad views, replay, api, query)
    views_url: str = setting("MARSAD_VIEWS_URL", "",
        "Views database: sqlite:///path/views.sqlite or postgresql://user@host/db?schema=NAME. Empty: "
        "{data_dir}/views/views.sqlite.")
    views_batch_size: int = setting("MARSAD_VIEWS_BATCH_SIZE", 500,
        "Most messages the view consumer writes in one transaction.", check=positive)
    views_batch_ms: int = setting("MARSAD_VIEWS_BATCH_MS", 200,
        "Longest wait (ms) to fill a batch before writing what came.", check=positive)
    api_host: str = setting("MARSAD_API_HOST", "127.0.0.1",
        "Address the query API binds to (another than loopback needs MARSAD_API_TOKEN).")
    api_port: int = setting("MARSAD_API_PORT", 8086,
        "Port of the query API.", check=port)
    api_token: str = setting("MARSAD_API_TOKEN", "",
        "Bearer token the query API requires when set (Authorization: Bearer TOKEN); at least 32 "
        "characters when the API binds a non-loopback address.", secret=True)
    api_allowed_hosts: str = setting("MARSAD_API_ALLOWED_HOSTS", "",
        "Comma-separated host names (Host header, port ignored) the API answers besides loopback ones "
        "when it has no token (DNS rebinding guard), e.g. marsad.lan.")
    dashboard_tiles_url: str = setting("MARSAD_DASHBOARD_TILES_URL", "",
        "Tile layer of the dashboard's map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Empty: "
        "bundled country outlines only (works offline).", check=tile_url)

    # --- alerts (marsad alerter, alerts deliver, alerts backtest)
    alert_rules: str = setting("MARSAD_ALERT_RULES", "",
        "Alert rules file (YAML). Empty: the bundled default rules.")
    alert_story_days: int = setting("MARSAD_ALERT_STORY_DAYS", 30,
        "Days the alerter keeps a story after it last processed a copy of it, and an open incident after "
        "its latest report (at least 3), by the processing time the log records (0: forever). A story "
        "that raised an alert keeps its rule states (see MARSAD_ALERT_FIRED_DAYS).", check=at_least(0))
    alert_fired_days: int = setting("MARSAD_ALERT_FIRED_DAYS", 90,
        "Days the alerter keeps the rule states of a story that raised an alert after it last processed a "
        "copy of it (at least MARSAD_ALERT_STORY_DAYS), so that a late copy updates the alert instead of "
        "raising a new one (0: forever; the table then grows by about 1.5 KB a story that raised an alert).",
        check=at_least(0))
    alerter_web_port: int = setting("MARSAD_ALERTER_WEB_PORT", 6067,
        "Port of the alert agent's web server (health, metrics).", check=port)
    alert_webhooks: str = setting("MARSAD_ALERT_WEBHOOKS", "",
        "Webhook endpoints file (YAML) for `marsad alerts deliver`. Empty: no webhooks.")
    alert_deliver_attempts: int = setting("MARSAD_ALERT_DELIVER_ATTEMPTS", 0,
        "Most tries per alert event and endpoint before the dead-letter topic; 0: as many as "
        "MARSAD_ALERT_DELIVER_RETRY_FOR allows (58 by default).", check=at_least(0))
    alert_deliver_timeout: float = setting("MARSAD_ALERT_DELIVER_TIMEOUT", 10.0,
        "Seconds a webhook gets to answer one delivery.", check=positive)
    alert_deliver_backoff: float = setting("MARSAD_ALERT_DELIVER_BACKOFF", 2.0,
        "Seconds before a failed webhook delivery is tried again; doubled after each failure up to "
        "MARSAD_ALERT_DELIVER_BACKOFF_MAX (plus up to 25 % jitter).", check=positive)
    alert_deliver_backoff_max: float = setting("MARSAD_ALERT_DELIVER_BACKOFF_MAX", 1800.0,
        "The longest wait between two tries of a webhook delivery (seconds).", check=positive)
    alert_deliver_retry_for: float = setting("MARSAD_ALERT_DELIVER_RETRY_FOR", 86400.0,
        "Seconds of waits a failing webhook delivery is retried over before it is dead-lettered (default "
        "24 h; the queue survives restarts).", check=positive)

    # --- services (marsad up, down, ps; health and metrics) and logs
    metrics_host: str = setting("MARSAD_METRICS_HOST", "127.0.0.1",
        "Address the health and metrics servers of the producer, views and delivery bind to.")
    producer_metrics_port: int = setting("MARSAD_PRODUCER_METRICS_PORT", 6068,
        "Port of the poller's (or `marsad produce`'s) health and metrics server (0: none).",
        check=port_or_off)
    fetcher_metrics_port: int = setting("MARSAD_FETCHER_METRICS_PORT", 6071,
        "Port of the fetcher's health and metrics server (0: none).", check=port_or_off)
    views_metrics_port: int = setting("MARSAD_VIEWS_METRICS_PORT", 6069,
        "Port of the views consumer's health and metrics server (0: none).", check=port_or_off)
    deliver_metrics_port: int = setting("MARSAD_DELIVER_METRICS_PORT", 6070,
        "Port of the alert delivery's health and metrics server (0: none).", check=port_or_off)
    ready_stall_after: float = setting("MARSAD_READY_STALL_AFTER", 120.0,
        "Seconds a consumer service may hold no partition, or be behind without progress, and still be "
        "ready (/health/ready, `marsad ps`); a fetcher left without partitions that long rejoins its "
        "group.", check=at_least(5))
    unready_restart_after: float = setting("MARSAD_UNREADY_RESTART_AFTER", 300.0,
        "Seconds a service of `marsad up` may stay not ready before the supervisor restarts it (0: "
        "never).", check=zero_or_at_least(10))
    stop_timeout: float = setting("MARSAD_STOP_TIMEOUT", 30.0,
        "Seconds `marsad down` gives each service to stop after SIGTERM before SIGKILL.", check=positive)
    log_level: str = setting("MARSAD_LOG_LEVEL", "info",
        "Log level.", check=one_of("debug", "info", "warning", "error"))
    log_format: str = setting("MARSAD_LOG_FORMAT", "text",
        "Log format.", check=one_of("text", "json"))

    config_file: str = ""  # not a setting: the TOML file the values were read from, if any

    @property
    def uses_local_broker(self) -> bool:
        return not self.kafka_bootstrap_servers

    @property
    def bootstrap_servers(self) -> str:
        """The cluster to talk to: the configured one, or the local broker."""
        return self.kafka_bootstrap_servers or f"127.0.0.1:{self.kafka_port}"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


@dataclass(frozen=True)
class Option:
    """One setting as the loader and the renderers see it, read off its field of `Settings`."""

    name: str
    env: str
    default: Any
    type: type
    help: str
    check: Check | None = None
    secret: bool = False
    table_default: str = ""


def _options() -> Mapping[str, Option]:
    types = get_type_hints(Settings)
    out = {}
    for f in fields(Settings):
        if "setting" in f.metadata:
            out[f.name] = Option(name=f.name, default=f.default, type=types[f.name], **f.metadata["setting"])
    return MappingProxyType(out)


# name -> Option, in declaration order (the order of `marsad config` and the README's table)
OPTIONS: Mapping[str, Option] = _options()
