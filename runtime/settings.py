"""marsad's settings: one declarative table, built once at the entry point.

Each setting has a name, an environment variable, a default, a type and a
check. Values come from, in increasing precedence: the defaults below, a TOML
config file (``--config FILE``, ``MARSAD_CONFIG``, or ``./marsad.toml`` when
present), and the environment. Stages never read the environment: the entry
point builds a `Settings` and passes it (or the part a stage needs) down.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime.kafka.connection import KafkaConnection

CHECKOUT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value marsad cannot use; the message names the setting."""


def _default_data_dir() -> str:
    # Inside the checkout (git-ignored) when running from one, else the user's data dir.
    if (CHECKOUT / "pyproject.toml").exists():
        return str(CHECKOUT / "var")
    return str(Path.home() / ".local" / "share" / "marsad")


def _positive(v: int) -> str | None:
    return None if v > 0 else "must be > 0"


def _port(v: int) -> str | None:
    return None if 0 < v < 65536 else "must be a TCP port (1-65535)"


def _port_or_off(v: int) -> str | None:
    return None if 0 <= v < 65536 else "must be a TCP port (1-65535), or 0 for none"


def _networks(v: str) -> str | None:
    """A comma-separated list of CIDRs (empty: none)."""
    for spec in network_list(v):
        try:
            ipaddress.ip_network(spec, strict=False)
        except ValueError:
            return f"has {spec!r}, which is not a network such as 10.1.2.0/24 or 127.0.0.1/32"
    return None


def network_list(value: str) -> tuple[str, ...]:
    """The CIDRs of a comma-separated setting such as ``MARSAD_ALLOW_NETWORKS``."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _one_of(*choices: str) -> Callable[[str], str | None]:
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}"


@dataclass(frozen=True)
class Option:
    env: str
    default: Any
    type: type
    help: str
    check: Callable[[Any], str | None] | None = None
    secret: bool = False  # shown masked by `marsad config`


# name -> Option. The README's configuration table is `marsad config --markdown`
# (tests/deploy/test_settings.py checks the README carries the current one).
OPTIONS: dict[str, Option] = {
    "kafka_bootstrap_servers": Option(
        "KAFKA_BOOTSTRAP_SERVERS", "", str,
        "Kafka cluster to use (host:port,...). Empty: marsad starts and uses its local broker."),
    "data_dir": Option("MARSAD_DATA_DIR", _default_data_dir(), str,
                       "Where the local broker, state files and views live."),
    "cache_dir": Option("MARSAD_CACHE_DIR", str(Path.home() / ".cache" / "marsad"), str,
                        "Downloaded Kafka jars (kept across `marsad kafka reset`)."),
    "kafka_home": Option("KAFKA_HOME", "", str,
                         "An Apache Kafka download to run instead of the jars from Maven Central."),
    "kafka_port": Option("MARSAD_KAFKA_PORT", 19092, int, "Local broker's client port.", _port),
    "kafka_controller_port": Option("MARSAD_KAFKA_CONTROLLER_PORT", 19093, int,
                                    "Local broker's KRaft controller port.", _port),
    "kafka_heap": Option("MARSAD_KAFKA_HEAP", "512m", str, "Local broker's Java heap (-Xmx)."),
    "kafka_start_timeout": Option("MARSAD_KAFKA_START_TIMEOUT", 90, int,
                                  "Seconds to wait for the local broker to answer.", _positive),
    "kafka_connect_timeout": Option("MARSAD_KAFKA_CONNECT_TIMEOUT", 5.0, float,
                                    "Seconds a command waits for the configured Kafka cluster to answer before "
                                    "it stops with a one-line error.",
                                    lambda v: None if 0 < v <= 60 else "must be in (0, 60]"),
    # how every Kafka client connects to the configured cluster (runtime/kafka/connection.py)
    "kafka_security_protocol": Option(
        "MARSAD_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", str,
        "How clients connect to KAFKA_BOOTSTRAP_SERVERS: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (login) or "
        "SASL_SSL (login over TLS, what managed clusters ask for).",
        _one_of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")),
    "kafka_sasl_mechanism": Option("MARSAD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", str,
                                   "SASL login mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
                                   _one_of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")),
    "kafka_username": Option("MARSAD_KAFKA_USERNAME", "", str, "SASL user name (SASL_* protocols)."),
    "kafka_password": Option("MARSAD_KAFKA_PASSWORD", "", str,
                             "SASL password (SASL_* protocols); better MARSAD_KAFKA_PASSWORD_FILE. Never printed.",
                             secret=True),
    "kafka_password_file": Option("MARSAD_KAFKA_PASSWORD_FILE", "", str,
                                  "File whose first line is the SASL password (used when MARSAD_KAFKA_PASSWORD is "
                                  "empty), e.g. a mounted secret."),
    "kafka_ca_file": Option("MARSAD_KAFKA_CA_FILE", "", str,
                            "PEM file of the CA(s) that signed the brokers' certificates (SSL, SASL_SSL). "
                            "Empty: the system's CAs."),
    "kafka_cert_file": Option("MARSAD_KAFKA_CERT_FILE", "", str,
                              "PEM client certificate, for clusters that require one (mutual TLS)."),
    "kafka_key_file": Option("MARSAD_KAFKA_KEY_FILE", "", str,
                             "PEM private key of the client certificate (unencrypted)."),
    "topic_prefix": Option("MARSAD_TOPIC_PREFIX", "marsad", str, "Prefix of every topic name."),
    "partitions": Option("MARSAD_PARTITIONS", 4, int, "Partitions of the article and alert topics.",
                         _positive),
    "replication_factor": Option("MARSAD_REPLICATION_FACTOR", 0, int,
                                 "Replication factor of created topics; 0: the cluster's broker count, at most 3 "
                                 "(set 3 on a real cluster).", lambda v: None if v >= 0 else "must be >= 0"),
    "min_insync_replicas": Option("MARSAD_MIN_INSYNC_REPLICAS", 0, int,
                                  "min.insync.replicas of created topics: replicas that must have a write before "
                                  "acks=all producers are told it is written; 0: the replication factor less "
                                  "one, at least 1 (2 with 3 replicas).", lambda v: None if v >= 0 else "must be >= 0"),
    "worker_store": Option("MARSAD_WORKER_STORE", "memory://", str,
                           "Faust table store of stream workers: memory:// or rocksdb:// (needs rocksdict; "
                           "tables are rebuilt from their changelog topics on start either way)."),
    "worker_web_host": Option("MARSAD_WORKER_WEB_HOST", "127.0.0.1", str,
                              "Address the worker's web server (health, metrics) binds to."),
    "worker_web_port": Option("MARSAD_WORKER_WEB_PORT", 6066, int,
                              "Port of the worker's web server; give each worker on a host its own.", _port),
    "worker_session_timeout": Option("MARSAD_WORKER_SESSION_TIMEOUT", 30.0, float,
                                     "Seconds without a heartbeat before Kafka gives a dead worker's partitions "
                                     "to the others.", lambda v: None if 6 <= v <= 300 else "must be in [6, 300]"),
    "taxonomy_file": Option("MARSAD_TAXONOMY", "", str,
                            "Taxonomy YAML replacing the bundled default (see streams/classify/taxonomy.yaml)."),
    "incidents_file": Option("MARSAD_INCIDENTS", "", str,
                             "Incident vocabulary YAML replacing the bundled default "
                             "(see streams/extract/incidents/incidents.yaml; start it with `extends: default`)."),
    "dedup_days": Option("MARSAD_DEDUP_DAYS", 30, int,
                         "Days after its fetch an article still marks later copies as duplicates "
                         "(by fetch time, per partition; 0: forever).",
                         lambda v: None if v >= 0 else "must be >= 0"),
    "dedup_threshold": Option("MARSAD_DEDUP_THRESHOLD", 0.7, float,
                              "Estimated similarity from which an article is a near duplicate.",
                              lambda v: None if 0 < v <= 1 else "must be in (0, 1]"),
    # producers (marsad produce, marsad feeds)
    "feeds_file": Option("MARSAD_FEEDS", "", str,
                         "Feed registry YAML. Empty: {data_dir}/feeds.yaml when it exists, else the bundled "
                         "sample registry (producers/samples/feeds.yaml)."),
    "feeds_base_url": Option("MARSAD_FEEDS_BASE_URL", "http://127.0.0.1:8765/", str,
                             "Base of relative feed URLs in the registry (the bundled samples use them)."),
    "allow_private": Option("MARSAD_ALLOW_PRIVATE", False, bool,
                            "Let the fetcher reach private, loopback and link-local addresses (local demo "
                            "and tests only: it disables the SSRF guard)."),
    "allow_networks": Option("MARSAD_ALLOW_NETWORKS", "", str,
                             "Private networks the fetcher may reach, as CIDRs (e.g. 127.0.0.1/32,10.1.2.0/24); "
                             "every other private, loopback or link-local address stays refused, on every "
                             "redirect hop.", _networks),
    "extract_workers": Option("MARSAD_EXTRACT_WORKERS", 2, int,
                              "Worker processes extracting article pages (a crash, hang or memory blow-up costs one "
                              "page); 0: extract in a thread of the service, unisolated.",
                              lambda v: None if v >= 0 else "must be >= 0"),
    "extract_timeout": Option("MARSAD_EXTRACT_TIMEOUT", 30.0, float,
                              "Seconds one page's extraction may take in a worker before it is killed.",
                              lambda v: None if v > 0 else "must be > 0"),
    "extract_memory_mb": Option("MARSAD_EXTRACT_MEMORY_MB", 1024, int,
                                "Memory (MB) one page's extraction may add to a worker (RLIMIT_AS); 0: no limit.",
                                lambda v: None if v >= 0 else "must be >= 0"),
    "poll_concurrency": Option("MARSAD_POLL_CONCURRENCY", 20, int,
                               "HTTP requests in flight at once, all hosts together.", _positive),
    "per_host_concurrency": Option("MARSAD_PER_HOST_CONCURRENCY", 2, int,
                                   "HTTP requests in flight at once to one host.", _positive),
    "per_host_interval": Option("MARSAD_PER_HOST_INTERVAL", 0.5, float,
                                "Seconds between the starts of two page requests to one host (0: no pause).",
                                lambda v: None if v >= 0 else "must be >= 0"),
    "connect_timeout": Option("MARSAD_CONNECT_TIMEOUT", 10.0, float, "Seconds to connect to a server.",
                              lambda v: None if v > 0 else "must be > 0"),
    "read_timeout": Option("MARSAD_READ_TIMEOUT", 20.0, float, "Seconds without data before a request fails.",
                           lambda v: None if v > 0 else "must be > 0"),
    "fetch_timeout": Option("MARSAD_FETCH_TIMEOUT", 60.0, float,
                            "Seconds for one whole request, first byte to last.",
                            lambda v: None if v > 0 else "must be > 0"),
    "max_response_bytes": Option("MARSAD_MAX_RESPONSE_BYTES", 5_000_000, int,
                                 "Largest feed or page body read; bigger ones fail as too_large.", _positive),
    "raw_page_cap": Option("MARSAD_RAW_PAGE_CAP", 2 * 1024 * 1024, int,
                           "Bytes of a page kept in ArticleFetched.raw (cut there, then zlib-compressed).",
                           _positive),
    "fetch_attempts": Option("MARSAD_FETCH_ATTEMPTS", 3, int,
                             "Attempts at a page (timeouts, 429, 5xx) before it is dead-lettered.", _positive),
    "page_deadline": Option("MARSAD_PAGE_DEADLINE", 120.0, float,
                            "Seconds one page's attempts and the waits between them may take together (time "
                            "queued behind other pages excluded); no attempt starts that the deadline would cut "
                            "short of its wait, and the page is dead-lettered with the reason.",
                            lambda v: None if v > 0 else "must be > 0"),
    "feed_deadline": Option("MARSAD_FEED_DEADLINE", 30.0, float,
                            "Seconds one feed's poll (fetch and parse) may take; a feed past it fails with that "
                            "reason and is backed off, while the other feeds' entries are announced as they come.",
                            lambda v: None if v > 0 else "must be > 0"),
    "fetch_commit_interval": Option("MARSAD_FETCH_COMMIT_INTERVAL", 1.0, float,
                                    "Seconds between the fetcher's offset commits (a kill -9 re-fetches what was "
                                    "in flight plus what finished since the last commit).",
                                    lambda v: None if 0 < v <= 60 else "must be in (0, 60]"),
    "resume_window_hours": Option("MARSAD_RESUME_WINDOW_HOURS", 168, int,
                                  "On start, articles discovered this recently but never fetched are fetched.",
                                  _positive),
    "shutdown_grace": Option("MARSAD_SHUTDOWN_GRACE", 10.0, float,
                             "Seconds in-flight fetches get to finish on SIGTERM/SIGINT before being cut.",
                             lambda v: None if v >= 0 else "must be >= 0"),
    # consumers (marsad views, replay, api, query)
    "views_url": Option("MARSAD_VIEWS_URL", "", str,
                        "Views database: sqlite:///path/views.sqlite or postgresql://user@host/db?schema=NAME. "
                        "Empty: {data_dir}/views/views.sqlite."),
    "views_batch_size": Option("MARSAD_VIEWS_BATCH_SIZE", 500, int,
                               "Most messages the view consumer writes in one transaction.", _positive),
    "views_batch_ms": Option("MARSAD_VIEWS_BATCH_MS", 200, int,
                             "Longest wait (ms) to fill a batch before writing what came.", _positive),
    "api_host": Option("MARSAD_API_HOST", "127.0.0.1", str,
                       "Address the query API binds to (another than loopback needs MARSAD_API_TOKEN)."),
    "api_port": Option("MARSAD_API_PORT", 8086, int, "Port of the query API.", _port),
    "api_token": Option("MARSAD_API_TOKEN", "", str,
                        "Bearer token the query API requires when set (Authorization: Bearer TOKEN); at least "
                        "32 characters when the API binds a non-loopback address.", secret=True),
    "api_allowed_hosts": Option("MARSAD_API_ALLOWED_HOSTS", "", str,
                                "Comma-separated host names (Host header, port ignored) the API answers besides "
                                "loopback ones when it has no token (DNS rebinding guard), e.g. marsad.lan."),
    "dashboard_tiles_url": Option(
        "MARSAD_DASHBOARD_TILES_URL", "", str,
        "Tile layer of the dashboard's map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. "
        "Empty: bundled country outlines only (works offline).",
        lambda v: None if not v or (v.startswith(("https://", "http://")) and all(p in v for p in ("{z}", "{x}", "{y}")))
        else "must be empty or an http(s) URL with {z}, {x} and {y}"),
    # alerts (marsad alerter, alerts deliver, alerts backtest)
    "alert_rules": Option("MARSAD_ALERT_RULES", "", str,
                          "Alert rules file (YAML). Empty: the bundled default rules."),
    "alert_story_days": Option("MARSAD_ALERT_STORY_DAYS", 30, int,
                               "Days the alerter keeps a story after it last processed a copy of it, and an "
                               "open incident after its latest report (at least 3), by the processing time the "
                               "log records (0: forever). A story that raised an alert keeps its rule states.",
                               lambda v: None if v >= 0 else "must be >= 0"),
    "alerter_web_port": Option("MARSAD_ALERTER_WEB_PORT", 6067, int,
                               "Port of the alert agent's web server (health, metrics).", _port),
    "alert_webhooks": Option("MARSAD_ALERT_WEBHOOKS", "", str,
                             "Webhook endpoints file (YAML) for `marsad alerts deliver`. Empty: no webhooks."),
    "alert_deliver_attempts": Option("MARSAD_ALERT_DELIVER_ATTEMPTS", 0, int,
                                     "Most tries per alert event and endpoint before the dead-letter topic; 0: as "
                                     "many as MARSAD_ALERT_DELIVER_RETRY_FOR allows (58 by default).",
                                     lambda v: None if v >= 0 else "must be >= 0"),
    "alert_deliver_timeout": Option("MARSAD_ALERT_DELIVER_TIMEOUT", 10.0, float,
                                    "Seconds a webhook gets to answer one delivery.",
                                    lambda v: None if v > 0 else "must be > 0"),
    "alert_deliver_backoff": Option("MARSAD_ALERT_DELIVER_BACKOFF", 2.0, float,
                                    "Seconds before a failed webhook delivery is tried again; doubled after "
                                    "each failure up to MARSAD_ALERT_DELIVER_BACKOFF_MAX (plus up to 25 % jitter).",
                                    lambda v: None if v > 0 else "must be > 0"),
    "alert_deliver_backoff_max": Option("MARSAD_ALERT_DELIVER_BACKOFF_MAX", 1800.0, float,
                                        "The longest wait between two tries of a webhook delivery (seconds).",
                                        lambda v: None if v > 0 else "must be > 0"),
    "alert_deliver_retry_for": Option("MARSAD_ALERT_DELIVER_RETRY_FOR", 86400.0, float,
                                      "Seconds of waits a failing webhook delivery is retried over before it "
                                      "is dead-lettered (default 24 h; the queue survives restarts).",
                                      lambda v: None if v > 0 else "must be > 0"),
    # services (marsad up, down, ps; health and metrics)
    "metrics_host": Option("MARSAD_METRICS_HOST", "127.0.0.1", str,
                           "Address the health and metrics servers of the producer, views and delivery bind to."),
    "producer_metrics_port": Option("MARSAD_PRODUCER_METRICS_PORT", 6068, int,
                                    "Port of the poller's (or `marsad produce`'s) health and metrics server (0: none).",
                                    _port_or_off),
    "fetcher_metrics_port": Option("MARSAD_FETCHER_METRICS_PORT", 6071, int,
                                   "Port of the fetcher's health and metrics server (0: none).", _port_or_off),
    "views_metrics_port": Option("MARSAD_VIEWS_METRICS_PORT", 6069, int,
                                 "Port of the views consumer's health and metrics server (0: none).", _port_or_off),
    "deliver_metrics_port": Option("MARSAD_DELIVER_METRICS_PORT", 6070, int,
                                   "Port of the alert delivery's health and metrics server (0: none).",
                                   _port_or_off),
    "ready_stall_after": Option("MARSAD_READY_STALL_AFTER", 120.0, float,
                                "Seconds a consumer service may hold no partition, or be behind without progress, "
                                "and still be ready (/health/ready, `marsad ps`); a fetcher left without "
                                "partitions that long rejoins its group.",
                                lambda v: None if v >= 5 else "must be >= 5"),
    "unready_restart_after": Option("MARSAD_UNREADY_RESTART_AFTER", 300.0, float,
                                    "Seconds a service of `marsad up` may stay not ready before the supervisor "
                                    "restarts it (0: never).",
                                    lambda v: None if v == 0 or v >= 10 else "must be 0 or >= 10"),
    "stop_timeout": Option("MARSAD_STOP_TIMEOUT", 30.0, float,
                           "Seconds `marsad down` gives each service to stop after SIGTERM before SIGKILL.",
                           lambda v: None if v > 0 else "must be > 0"),
    "log_level": Option("MARSAD_LOG_LEVEL", "info", str, "Log level.",
                        _one_of("debug", "info", "warning", "error")),
    "log_format": Option("MARSAD_LOG_FORMAT", "text", str, "Log format.", _one_of("text", "json")),
}


@dataclass(frozen=True)
class Settings:
    kafka_bootstrap_servers: str
    data_dir: str
    cache_dir: str
    kafka_home: str
    kafka_port: int
    kafka_controller_port: int
    kafka_heap: str
    kafka_start_timeout: int
    kafka_connect_timeout: float
    kafka_security_protocol: str
    kafka_sasl_mechanism: str
    kafka_username: str
    kafka_password: str
    kafka_password_file: str
    kafka_ca_file: str
    kafka_cert_file: str
    kafka_key_file: str
    topic_prefix: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int
    worker_store: str
    worker_web_host: str
    worker_web_port: int
    worker_session_timeout: float
    taxonomy_file: str
    incidents_file: str
    dedup_days: int
    dedup_threshold: float
    feeds_file: str
    feeds_base_url: str
    allow_private: bool
    allow_networks: str
    extract_workers: int
    extract_timeout: float
    extract_memory_mb: int
    poll_concurrency: int
    per_host_concurrency: int
    per_host_interval: float
    connect_timeout: float
    read_timeout: float
    fetch_timeout: float
    max_response_bytes: int
    raw_page_cap: int
    fetch_attempts: int
    page_deadline: float
    feed_deadline: float
    fetch_commit_interval: float
    resume_window_hours: int
    shutdown_grace: float
    views_url: str
    views_batch_size: int
    views_batch_ms: int
    api_host: str
    api_port: int
    api_token: str
    api_allowed_hosts: str
    dashboard_tiles_url: str
    alert_rules: str
    alert_story_days: int
    alerter_web_port: int
    alert_webhooks: str
    alert_deliver_attempts: int
    alert_deliver_timeout: float
    alert_deliver_backoff: float
    alert_deliver_backoff_max: float
    alert_deliver_retry_for: float
    metrics_host: str
    producer_metrics_port: int
    fetcher_metrics_port: int
    views_metrics_port: int
    deliver_metrics_port: int
    ready_stall_after: float
    unready_restart_after: float
    stop_timeout: float
    log_level: str
    log_format: str
    config_file: str = ""

    @property
    def uses_local_broker(self) -> bool:
        return not self.kafka_bootstrap_servers

    @property
    def bootstrap_servers(self) -> str:
        """The cluster to talk to: the configured one, or the local broker."""
        return self.kafka_bootstrap_servers or f"127.0.0.1:{self.kafka_port}"

    @property
    def kafka(self) -> KafkaConnection:
        """The cluster with its security settings: what every Kafka client of marsad is built from."""
        from runtime.kafka.local import connection_for
        return connection_for(self)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


assert {f.name for f in fields(Settings)} - {"config_file"} == set(OPTIONS), "OPTIONS and Settings disagree"


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _boolean(raw: Any) -> bool:
    """A flag from TOML (true/false) or the environment (1/0, true/false, yes/no, on/off)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(raw)


def _coerce(name: str, opt: Option, raw: Any, origin: str) -> Any:
    try:
        if opt.type is int and isinstance(raw, str):
            value = int(raw.strip())
        elif opt.type is int and not (isinstance(raw, int) and not isinstance(raw, bool)):
            raise ValueError
        elif opt.type is bool:
            value = _boolean(raw)
        elif opt.type is float and isinstance(raw, str):
            value = float(raw.strip())
        else:
            value = opt.type(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} ({origin}): {raw!r} is not a valid {opt.type.__name__}") from None
    if opt.check and (problem := opt.check(value)):
        raise SettingsError(f"{name} ({origin}): {raw!r} {problem}")
    return value


def _find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get("MARSAD_CONFIG"):
        return Path(env["MARSAD_CONFIG"])
    local = Path("marsad.toml")
    return local if local.exists() else None


def load_settings(config_file: str | None = None, env: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Build the settings: defaults < config file < environment < explicit overrides."""
    env = os.environ if env is None else env
    path = _find_config(config_file, env)
    file_values: dict[str, Any] = {}
    if path is not None:
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise SettingsError(f"config file {path}: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise SettingsError(f"config file {path}: not valid TOML: {e}") from None
        unknown = set(file_values) - set(OPTIONS)
        if unknown:
            raise SettingsError(f"config file {path}: unknown setting(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, opt in OPTIONS.items():
        if name in overrides and overrides[name] is not None:
            values[name] = _coerce(name, opt, overrides[name], "argument")
        elif opt.env in env:
            values[name] = _coerce(name, opt, env[opt.env], f"environment {opt.env}")
        elif name in file_values:
            values[name] = _coerce(name, opt, file_values[name], f"config file {path}")
        else:
            values[name] = opt.default
    return Settings(**values, config_file=str(path) if path else "")


SECRET_WORDS = re.compile(r"token|password|passwd|secret|key", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def shown(name: str, value: Any) -> str:
    """A setting's value as `marsad config` prints it: secrets masked, URL passwords hidden."""
    opt = OPTIONS.get(name)
    if (opt is not None and opt.secret) or (SECRET_WORDS.search(name) and not name.endswith("_file")):
        return "***" if value else ""
    return URL_PASSWORD.sub(r"\1:***@", str(value))


def markdown_table() -> str:
    """The settings as the README's configuration table."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for name, opt in OPTIONS.items():
        default = opt.default
        if name in ("data_dir", "cache_dir"):
            default = {"data_dir": "`./var` in a checkout", "cache_dir": "`~/.cache/marsad`"}[name]
        elif default == "":
            default = "(empty)"
        rows.append(f"| `{name}` | `{opt.env}` | {default} | {opt.help} |")
    return "\n".join(rows) + "\n"
