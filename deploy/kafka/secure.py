"""The local broker's SASL_SSL listener: a CA, a broker certificate and a SCRAM login, made once.

`marsad kafka start --secure` runs the local broker with one client listener,
``SASL_SSL`` on 127.0.0.1, accepting SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN
logins of the user ``marsad``. What it needs is made with the JDK's keytool
(the broker needs Java anyway) the first time, in ``{data_dir}/kafka/secure/``
(mode 0700)::

    ca.p12          the CA's key and certificate (PKCS12, made here, valid 10 years)
    ca.pem          the CA certificate: what clients trust (MARSAD_KAFKA_CA_FILE)
    broker.p12      the broker's key and certificate for 127.0.0.1 and localhost, signed by the CA
    store-password  the PKCS12 files' password
    password        the SCRAM password of the user marsad (MARSAD_KAFKA_PASSWORD_FILE)

The SCRAM credentials themselves are written into the cluster's metadata by
the broker's own storage tool when the data dir is formatted (``kafka-storage
format --add-scram``, see `scram_arguments`), as on any KRaft cluster.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from marsad.runtime.kafka.local_files import USER, is_secured, secure_dir

SCRAM = ("SCRAM-SHA-512", "SCRAM-SHA-256")
SAN = "SAN=ip:127.0.0.1,dns:localhost"


class SecureSetupError(RuntimeError):
    """keytool failed; the message has its output."""








def make_secrets(home: Path, keytool: str) -> None:
    """Make the CA, the broker's keystore and the passwords unless they exist (the password file comes last:
    its presence marks a complete set)."""
    d = secure_dir(home)
    if is_secured(home):
        return
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o700)
    store = secrets.token_urlsafe(18)
    for name in ("ca.p12", "ca.pem", "broker.p12", "broker.csr", "broker.pem"):
        (d / name).unlink(missing_ok=True)
    common = ["-storetype", "PKCS12", "-storepass", store, "-keypass", store, "-noprompt"]

    def run(*args: str) -> None:
        done = subprocess.run([keytool, *args], capture_output=True, text=True, cwd=d, check=False)
        if done.returncode != 0:
            raise SecureSetupError(f"keytool {args[0]} failed: {(done.stdout + done.stderr).strip()[-600:]}")

    run("-genkeypair", "-alias", "ca", "-dname", "CN=marsad local CA", "-keyalg", "RSA", "-keysize", "2048",
        "-validity", "3650", "-ext", "bc:c", "-keystore", "ca.p12", *common)
    run("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12", *common)
    run("-genkeypair", "-alias", "broker", "-dname", "CN=127.0.0.1", "-keyalg", "RSA", "-keysize", "2048",
        "-validity", "825", "-ext", SAN, "-keystore", "broker.p12", *common)
    run("-certreq", "-alias", "broker", "-file", "broker.csr", "-keystore", "broker.p12", *common)
    run("-gencert", "-alias", "ca", "-infile", "broker.csr", "-outfile", "broker.pem", "-rfc", "-validity", "825",
        "-ext", SAN, "-keystore", "ca.p12", *common)
    run("-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "broker.p12", *common)
    run("-importcert", "-alias", "broker", "-file", "broker.pem", "-keystore", "broker.p12", *common)
    _private(d / "store-password", store)
    _private(d / "password", secrets.token_urlsafe(24))


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def listener_properties(home: Path, port: int, controller_port: int) -> str:
    """server.properties lines of the SASL_SSL client listener (also the inter-broker one, as user marsad)."""
    d = secure_dir(home)
    store, password = _read(d / "store-password"), _read(d / "password")
    scram = f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{USER}" password="{password}";'
    plain = (f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{USER}" '
             f'password="{password}" user_{USER}="{password}";')
    return "\n".join([
        f"listeners=SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=SASL_SSL://127.0.0.1:{port}",
        "inter.broker.listener.name=SASL_SSL",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        *(f"listener.name.sasl_ssl.{mechanism.lower()}.sasl.jaas.config={scram}" for mechanism in SCRAM),
        f"listener.name.sasl_ssl.plain.sasl.jaas.config={plain}",
        "ssl.keystore.type=PKCS12",
        f"ssl.keystore.location={d / 'broker.p12'}",
        f"ssl.keystore.password={store}",
        f"ssl.key.password={store}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={d / 'ca.pem'}",
        "ssl.client.auth=none",
    ])


def plaintext_properties(port: int, controller_port: int) -> str:
    """server.properties lines of the plaintext client listener."""
    return "\n".join([
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    ])


def scram_arguments(home: Path) -> list[str]:
    """The storage tool's ``--add-scram`` arguments creating the user marsad's SCRAM credentials."""
    password = _read(secure_dir(home) / "password")
    return [arg for mechanism in SCRAM for arg in ("--add-scram", f"{mechanism}=[name={USER},password={password}]")]
