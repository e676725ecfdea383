"""How every Kafka client of marsad connects: one address and one set of security settings.

A `KafkaConnection` is the cluster's bootstrap servers plus its `KafkaSecurity`
(protocol, SASL mechanism and login, CA, client certificate and key). Each
client library gets its options from one function here, so a producer, a
tool, a Faust worker and the webhook delivery connect the same way:

- `kafka_python_options`: kafka-python's KafkaProducer, KafkaConsumer, KafkaAdminClient;
- `aiokafka_options`: aiokafka's AIOKafkaConsumer and AIOKafkaProducer;
- `ssl_context` and the SASL fields: Faust's ``broker_credentials`` (streams/faust_app.py);
- `kcat_options`: kcat's ``-X`` properties (the README's examples).

Functions that take a cluster accept a plain ``host:port,...`` string too
(a plaintext cluster, as the tests' own broker is), or a `KafkaConnection`.
The password is read from the setting or its file when a client is built,
and never appears in a repr, a log line or `marsad config`.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from marsad.runtime.settings.declaration import OPTIONS, Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# each field of `KafkaSecurity` -> its setting (runtime/settings/declaration.py declares its environment variable)
SETTINGS = {"protocol": "kafka_security_protocol", "mechanism": "kafka_sasl_mechanism", "username": "kafka_username",
            "password": "kafka_password", "password_file": "kafka_password_file", "ca_file": "kafka_ca_file",
            "cert_file": "kafka_cert_file", "key_file": "kafka_key_file"}
SERVERS_ENV = OPTIONS["kafka_bootstrap_servers"].env


def env_of(field_name: str) -> str:
    """The environment variable of a `KafkaSecurity` field ("password_file" -> MARSAD_KAFKA_PASSWORD_FILE)."""
    return OPTIONS[SETTINGS[field_name]].env


class KafkaSecurityError(ValueError):
    """The security settings cannot make a connection (missing login, unreadable file); the message says which."""


@dataclass(frozen=True)
class KafkaSecurity:
    """TLS and SASL settings of a cluster; the defaults are a plaintext cluster without login."""

    protocol: str = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: str = field(default="", repr=False)
    password_file: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    @property
    def tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    def secret(self) -> str:
        """The SASL password: the setting itself, else the first line of its file."""
        if self.password or not self.password_file:
            return self.password
        try:
            return Path(self.password_file).read_text(encoding="utf-8").splitlines()[0].strip()
        except IndexError:
            raise KafkaSecurityError(f"{env_of('password_file')}={self.password_file} is empty") from None
        except OSError as e:
            raise KafkaSecurityError(f"{env_of('password_file')}={self.password_file}: "
                                     f"{(e.strerror or str(e)).lower()}") from None

    def problem(self) -> str | None:
        """Why these settings cannot connect as they stand (None when they can): checked before any client."""
        if self.protocol not in PROTOCOLS:
            return f"{env_of('protocol')}={self.protocol} is not one of {', '.join(PROTOCOLS)}"
        if self.sasl:
            if self.mechanism not in MECHANISMS:
                return f"{env_of('mechanism')}={self.mechanism} is not one of {', '.join(MECHANISMS)}"
            if not self.username:
                return f"{self.protocol} needs a login: set {env_of('username')}"
            if not (self.password or self.password_file):
                return f"{self.protocol} needs a password: set {env_of('password')} or {env_of('password_file')}"
            try:
                self.secret()
            except KafkaSecurityError as e:
                return str(e)
        if bool(self.cert_file) != bool(self.key_file):
            return f"a client certificate needs its key: set both {env_of('cert_file')} and {env_of('key_file')}"
        for name in ("ca_file", "cert_file", "key_file"):
            if (path := getattr(self, name)) and not Path(path).is_file():
                return f"{env_of(name)}={path} does not exist"
        return None

    def check(self) -> None:
        """Raise `KafkaSecurityError` with `problem`'s message, if any."""
        if (why := self.problem()) is not None:
            raise KafkaSecurityError(why)

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of an SSL or SASL_SSL cluster (None otherwise): the CA file, else the system's CAs;
        the host name is checked against the broker's certificate."""
        if not self.tls:
            return None
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.cert_file:
            try:
                context.load_cert_chain(self.cert_file, self.key_file or None)
            except (OSError, ssl.SSLError) as e:
                raise KafkaSecurityError(f"cannot load the client certificate {self.cert_file} "
                                         f"with key {self.key_file}: {e}") from None
        return context

    def environment(self) -> dict[str, str]:
        """The settings' environment variables (for a child process); a password only as its file when it has one."""
        env = {env_of(name): getattr(self, name) for name in SETTINGS if name != "password"}
        if self.password and not self.password_file:
            env[env_of("password")] = self.password
        return env


PLAINTEXT = KafkaSecurity()


@dataclass(frozen=True)
class KafkaConnection:
    """A cluster to connect to: its bootstrap servers (what ``str()`` gives) and its security."""

    servers: str
    security: KafkaSecurity = PLAINTEXT

    def __str__(self) -> str:
        return self.servers

    def environment(self) -> dict[str, str]:
        """KAFKA_BOOTSTRAP_SERVERS and the security settings, for a child process to connect the same way."""
        return {SERVERS_ENV: self.servers, **self.security.environment()}

    def at(self, servers: str) -> KafkaConnection:
        """The same security, other servers (a broker's own port, say)."""
        return replace(self, servers=servers)


Kafka = str | KafkaConnection  # what a function that talks to a cluster accepts


def connection(kafka: Kafka) -> KafkaConnection:
    """``kafka`` as a `KafkaConnection` (a plain address is a plaintext cluster)."""
    return kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)


def security_from_settings(settings: Settings) -> KafkaSecurity:
    """The security settings (the ``kafka_*`` ones of `Settings`) of a configured cluster."""
    return KafkaSecurity(**{name: getattr(settings, setting) for name, setting in SETTINGS.items()})


def kafka_python_options(kafka: Kafka) -> dict[str, Any]:
    """``bootstrap_servers`` and the security options of a kafka-python client."""
    conn = connection(kafka)
    sec = conn.security
    options: dict[str, Any] = {"bootstrap_servers": conn.servers, "security_protocol": sec.protocol}
    if sec.tls:
        options["ssl_context"] = sec.ssl_context()
    if sec.sasl:
        options.update(sasl_mechanism=sec.mechanism, sasl_plain_username=sec.username,
                       sasl_plain_password=sec.secret())
    return options


def aiokafka_options(kafka: Kafka) -> dict[str, Any]:
    """``bootstrap_servers`` and the security options of an aiokafka client (the same as kafka-python's)."""
    return kafka_python_options(kafka)


def kcat_options(kafka: Kafka, *, password: str = "$" + env_of("password")) -> list[str]:
    """kcat's ``-b`` and ``-X`` arguments for the cluster (librdkafka's property names); the password is
    ``password`` as given (a shell variable by default, so a command line shown in docs holds no secret)."""
    conn = connection(kafka)
    sec = conn.security
    args = ["-b", conn.servers, "-X", f"security.protocol={sec.protocol.lower()}"]
    if sec.tls and sec.ca_file:
        args += ["-X", f"ssl.ca.location={sec.ca_file}"]
    if sec.tls and sec.cert_file:
        args += ["-X", f"ssl.certificate.location={sec.cert_file}", "-X", f"ssl.key.location={sec.key_file}"]
    if sec.sasl:
        args += ["-X", f"sasl.mechanism={sec.mechanism}", "-X", f"sasl.username={sec.username}",
                 "-X", f"sasl.password={password}"]
    return args
