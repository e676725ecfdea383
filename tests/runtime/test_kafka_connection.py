"""One set of security settings, the same options for every client library (runtime/kafka/connection.py).

No broker here: what each library is given for each protocol, where the password
comes from, what a child process is told, what `marsad config` shows and the
one-line reasons a setting cannot work. tests/deploy/test_secure_kafka.py runs
the clients on a SASL_SSL broker.
"""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.runtime.kafka.connection import (
    KafkaConnection,
    KafkaSecurity,
    KafkaSecurityError,
    aiokafka_options,
    connection,
    kafka_python_options,
    kcat_options,
)
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.preflight import kafka_failure
from marsad.runtime.settings import load_settings

MARSAD = str(Path(sys.executable).parent / "marsad")
CA = ssl.get_default_verify_paths().cafile  # any PEM file of CAs will do to build a context


def managed(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a managed cluster: SASL_SSL, SCRAM, the password in a file."""
    secret = tmp_path / "kafka-password"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    return {"KAFKA_BOOTSTRAP_SERVERS": "b-1.example.net:9096,b-2.example.net:9096",
            "MARSAD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "MARSAD_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "MARSAD_KAFKA_USERNAME": "marsad", "MARSAD_KAFKA_PASSWORD_FILE": str(secret), **overrides}


def test_a_plain_address_is_a_plaintext_cluster() -> None:
    assert kafka_python_options("k:9092") == {"bootstrap_servers": "k:9092", "security_protocol": "PLAINTEXT"}
    assert connection("k:9092") == KafkaConnection("k:9092")
    assert str(KafkaConnection("k1:9092,k2:9092")) == "k1:9092,k2:9092"


def test_settings_give_every_library_the_same_login(tmp_path: Path) -> None:
    kafka = connection_for(load_settings(env=managed(tmp_path)))
    for options in (kafka_python_options(kafka), aiokafka_options(kafka)):
        assert options["bootstrap_servers"] == "b-1.example.net:9096,b-2.example.net:9096"
        assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-512"
        assert options["sasl_plain_username"] == "marsad"
        assert options["sasl_plain_password"] == "s3cret-from-file"  # the file's first line
        assert isinstance(options["ssl_context"], ssl.SSLContext)
        assert options["ssl_context"].check_hostname and options["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_the_password_setting_wins_over_its_file(tmp_path: Path) -> None:
    kafka = connection_for(load_settings(env=managed(tmp_path, MARSAD_KAFKA_PASSWORD="from-env")))
    assert kafka_python_options(kafka)["sasl_plain_password"] == "from-env"


def test_faust_gets_the_same_credentials(tmp_path: Path) -> None:
    faust = pytest.importorskip("faust")
    from marsad.streams.faust_app import broker_credentials
    kafka = connection_for(load_settings(env=managed(tmp_path)))
    creds = broker_credentials(kafka)
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol.value == "SASL_SSL" and creds.mechanism.value == "SCRAM-SHA-512"
    assert creds.username == "marsad" and creds.password == "s3cret-from-file"
    tls = broker_credentials(KafkaConnection("k:9093", KafkaSecurity("SSL", ca_file=CA)))
    assert isinstance(tls, faust.SSLCredentials) and tls.protocol.value == "SSL"
    assert broker_credentials(KafkaConnection("k:9092")) is None


@pytest.mark.parametrize(("protocol", "tls", "sasl"), [("PLAINTEXT", False, False), ("SSL", True, False),
                                                        ("SASL_PLAINTEXT", False, True), ("SASL_SSL", True, True)])
def test_each_protocol_gets_tls_and_login_as_it_says(protocol: str, tls: bool, sasl: bool) -> None:
    kafka = KafkaConnection("k:9092", KafkaSecurity(protocol, mechanism="PLAIN", username="u", password="p"))
    options = kafka_python_options(kafka)
    assert options["security_protocol"] == protocol
    assert ("ssl_context" in options) is tls
    assert ("sasl_plain_password" in options) is sasl


def test_a_child_process_is_told_the_password_file_not_the_password(tmp_path: Path) -> None:
    env = connection_for(load_settings(env=managed(tmp_path))).environment()
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "b-1.example.net:9096,b-2.example.net:9096"
    assert env["MARSAD_KAFKA_PASSWORD_FILE"].endswith("kafka-password")
    assert "MARSAD_KAFKA_PASSWORD" not in env
    same = connection_for(load_settings(env=managed(tmp_path)))
    assert connection_for(load_settings(env=env)) == same  # the same cluster, the same way


def test_the_password_is_in_no_repr(tmp_path: Path) -> None:
    kafka = connection_for(load_settings(env=managed(tmp_path, MARSAD_KAFKA_PASSWORD="hunter2-hunter2")))
    assert "hunter2" not in repr(kafka)


def test_config_never_prints_the_password(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARSAD_CONFIG": "/dev/null",
           **managed(tmp_path, MARSAD_KAFKA_PASSWORD="hunter2-hunter2", MARSAD_KAFKA_KEY_FILE="/etc/marsad/client.key")}
    out = subprocess.run([MARSAD, "config"], env=env, capture_output=True, text=True, check=True).stdout
    assert "hunter2" not in out
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:] if len(line.split()) == 3}
    assert rows["kafka_password"] == "***"
    assert rows["kafka_key_file"] == "/etc/marsad/client.key"  # a path, not a secret: shown
    assert rows["kafka_security_protocol"] == "SASL_SSL"


@pytest.mark.parametrize(("security", "reason"), [
    (KafkaSecurity("SASL_SSL", password="p"), "SASL_SSL needs a login: set MARSAD_KAFKA_USERNAME"),
    (KafkaSecurity("SASL_PLAINTEXT", username="u"), "SASL_PLAINTEXT needs a password: set MARSAD_KAFKA_PASSWORD"),
    (KafkaSecurity("SASL_SSL", username="u", password_file="/no/such/file"),
     "MARSAD_KAFKA_PASSWORD_FILE=/no/such/file: no such file or directory"),
    (KafkaSecurity("SSL", ca_file="/no/such/ca.pem"), "MARSAD_KAFKA_CA_FILE=/no/such/ca.pem does not exist"),
    (KafkaSecurity("SSL", cert_file=CA), "a client certificate needs its key"),
], ids=["no-user", "no-password", "password-file-missing", "ca-missing", "cert-without-key"])
def test_settings_that_cannot_work_say_why(security: KafkaSecurity, reason: str) -> None:
    assert (security.problem() or "").startswith(reason)
    with pytest.raises(KafkaSecurityError):
        security.check()


def test_a_bad_setting_is_one_line_and_exit_2_before_any_connection(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MARSAD_CONFIG": "/dev/null",
           "MARSAD_DATA_DIR": str(tmp_path / "d"),
           **managed(tmp_path, MARSAD_KAFKA_PASSWORD_FILE=str(tmp_path / "missing"))}
    done = subprocess.run([MARSAD, "topics", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert lines == [f"Error: cannot connect to Kafka at b-1.example.net:9096,b-2.example.net:9096 "
                     f"(MARSAD_KAFKA_PASSWORD_FILE={tmp_path / 'missing'}: no such file or directory): "
                     "check the MARSAD_KAFKA_* security settings (`marsad config`)"]


def test_a_refused_login_mid_command_is_one_line() -> None:
    from aiokafka.errors import SaslAuthenticationFailed
    from kafka.errors import SaslAuthenticationFailedError
    for error in (SaslAuthenticationFailedError("invalid credentials"), SaslAuthenticationFailed("invalid")):
        failure = kafka_failure(error, "k:9096")
        assert failure is not None and failure.exit_code == 2
        assert failure.format_message().startswith("Kafka at k:9096 refused the login")
        assert "MARSAD_KAFKA_PASSWORD" in failure.format_message()


def test_kcat_options_keep_the_password_a_shell_variable(tmp_path: Path) -> None:
    kafka = connection_for(load_settings(env=managed(tmp_path, MARSAD_KAFKA_CA_FILE="/etc/marsad/ca.pem")))
    assert kcat_options(kafka) == [
        "-b", "b-1.example.net:9096,b-2.example.net:9096", "-X", "security.protocol=sasl_ssl",
        "-X", "ssl.ca.location=/etc/marsad/ca.pem", "-X", "sasl.mechanism=SCRAM-SHA-512",
        "-X", "sasl.username=marsad", "-X", "sasl.password=$MARSAD_KAFKA_PASSWORD"]
