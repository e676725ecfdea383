"""The settings written out: for people (`marsad config`, secrets masked; the README's table) and for
the processes marsad starts (the environment variables that carry them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from marsad.runtime.settings.declaration import OPTIONS, Settings
from marsad.runtime.settings.loading import CONFIG_ENV

URL_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def shown(name: str, value: Any) -> str:
    """A setting's value as `marsad config` prints it: secrets (declared ``secret=True``) masked, URL
    passwords hidden."""
    if OPTIONS[name].secret:
        return "***" if value else ""
    return URL_PASSWORD.sub(r"\1:***@", str(value))


def markdown_table() -> str:
    """The settings as the README's configuration table (`marsad config --markdown`;
    tests/runtime/test_settings.py checks the README carries the current one)."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for name, opt in OPTIONS.items():
        default = opt.table_default or ("(empty)" if opt.default == "" else opt.default)
        rows.append(f"| `{name}` | `{opt.env}` | {default} | {opt.help} |")
    return "\n".join(rows) + "\n"


def as_environment(**values: Any) -> dict[str, str]:
    """Setting values as the environment variables that carry them to another process:
    ``as_environment(data_dir="/srv/marsad")`` is ``{"MARSAD_DATA_DIR": "/srv/marsad"}`` (an unknown name
    is a KeyError; a flag is 1 or 0)."""
    return {OPTIONS[name].env: str(int(value)) if isinstance(value, bool) else str(value)
            for name, value in values.items()}


def passed_on(settings: Settings, *names: str) -> dict[str, str]:
    """The named settings of ``settings``, and the config file they were read from, as the environment of a
    process marsad starts (which builds its own settings from it)."""
    env = as_environment(**{name: getattr(settings, name) for name in names})
    if settings.config_file:
        env[CONFIG_ENV] = str(Path(settings.config_file).resolve())
    return env
