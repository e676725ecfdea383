"""marsad's settings: one declarative table, built once at the entry point.

Each setting has a name, an environment variable, a default, a type and a
check. Values come from, in increasing precedence: the defaults below, a TOML
config file (``--config FILE``, ``MARSAD_CONFIG``, or ``./marsad.toml`` when
present), and the environment. Stages never read the environment: the entry
point builds a `Settings` and passes it (or the part a stage needs) down.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

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


def _one_of(*choices: str) -> Callable[[str], str | None]:
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}"


@dataclass(frozen=True)
class Option:
    env: str
    default: Any
    type: type
    help: str
    check: Callable[[Any], str | None] | None = None


# name -> Option. The README's configuration table is generated from this.
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
    "topic_prefix": Option("MARSAD_TOPIC_PREFIX", "marsad", str, "Prefix of every topic name."),
    "partitions": Option("MARSAD_PARTITIONS", 4, int, "Partitions of the article and alert topics.",
                         _positive),
    "replication_factor": Option("MARSAD_REPLICATION_FACTOR", 1, int,
                                 "Replication factor of created topics (3 on a real cluster).", _positive),
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
    topic_prefix: str
    partitions: int
    replication_factor: int
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
    def data_path(self) -> Path:
        return Path(self.data_dir)


assert {f.name for f in fields(Settings)} - {"config_file"} == set(OPTIONS), "OPTIONS and Settings disagree"


def _coerce(name: str, opt: Option, raw: Any, origin: str) -> Any:
    try:
        if opt.type is int and isinstance(raw, str):
            value = int(raw.strip())
        elif opt.type is int and not (isinstance(raw, int) and not isinstance(raw, bool)):
            raise ValueError
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
