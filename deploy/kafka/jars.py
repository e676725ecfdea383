"""Fetch the pinned Apache Kafka release from Maven Central as jars, once.

The jars go to ``{cache_dir}/kafka-{KAFKA_VERSION}/`` (outside the data dir,
so `marsad kafka reset` does not download them again). Maven resolves the
broker's dependencies; we only ask it to copy them into one folder.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

KAFKA_VERSION = "4.1.1"
POM = Path(__file__).resolve().parent / "pom.xml"


class ToolMissing(RuntimeError):
    """Java or Maven is not installed; the message says what to install."""


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        what = {"java": "Java 17+ (Debian: apt-get install openjdk-17-jre-headless)",
                "mvn": "Maven (Debian: apt-get install maven)",
                "keytool": "the JDK's keytool (Debian: apt-get install openjdk-17-jre-headless)"}[tool]
        raise ToolMissing(f"`{tool}` not found: install {what}, or set KAFKA_BOOTSTRAP_SERVERS "
                          "to use a running Kafka cluster")
    return path


def jars_dir(cache_dir: str | Path, kafka_home: str = "") -> Path:
    if kafka_home:
        return Path(kafka_home) / "libs"
    return Path(cache_dir) / f"kafka-{KAFKA_VERSION}"


def have_jars(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("kafka_2.13-*.jar"))


def fetch(cache_dir: str | Path, *, quiet: bool = False) -> Path:
    """Make sure the jars are in the cache; return their folder."""
    target = jars_dir(cache_dir)
    if have_jars(target):
        return target
    mvn = require("mvn")
    if not quiet:
        print(f"fetching Apache Kafka {KAFKA_VERSION} jars from Maven Central into {target} ...",
              flush=True)
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-DoutputDirectory={tmp}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not have_jars(tmp):
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"Maven could not fetch the Kafka jars (exit {done.returncode}):\n{tail}")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)  # appears complete or not at all
    return target
