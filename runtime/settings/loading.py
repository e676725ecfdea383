"""Building the settings: defaults < config file < environment < explicit arguments, each value checked.

A bad value stops marsad with one line naming the setting, where the value came from and what is
wrong with it (`SettingsError`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marsad.runtime.settings.declaration import OPTIONS, Option, Settings

CONFIG_ENV = "MARSAD_CONFIG"  # names the config file when --config does not


class SettingsError(ValueError):
    """A setting has a value marsad cannot use; the message names the setting."""


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _boolean(raw: Any) -> bool:
    """A flag from TOML (true/false) or the environment (1/0, true/false, yes/no, on/off)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(raw)


def _coerce(opt: Option, raw: Any, origin: str) -> Any:
    """``raw`` (a string from the environment, a TOML value, an argument) as the setting's type, checked."""
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
        raise SettingsError(f"{opt.name} ({origin}): {raw!r} is not a valid {opt.type.__name__}") from None
    if opt.check and (problem := opt.check(value)):
        raise SettingsError(f"{opt.name} ({origin}): {raw!r} {problem}")
    return value


def _find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    local = Path("marsad.toml")
    return local if local.exists() else None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SettingsError(f"config file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"config file {path}: not valid TOML: {e}") from None
    unknown = set(values) - set(OPTIONS)
    if unknown:
        raise SettingsError(f"config file {path}: unknown setting(s) {', '.join(sorted(unknown))}")
    return values


def load_settings(config_file: str | None = None, env: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Build the settings: defaults < config file < environment < explicit overrides."""
    env = os.environ if env is None else env
    path = _find_config(config_file, env)
    file_values = _read_config(path) if path is not None else {}
    values: dict[str, Any] = {}
    for name, opt in OPTIONS.items():
        if name in overrides and overrides[name] is not None:
            values[name] = _coerce(opt, overrides[name], "argument")
        elif opt.env in env:
            values[name] = _coerce(opt, env[opt.env], f"environment {opt.env}")
        elif name in file_values:
            values[name] = _coerce(opt, file_values[name], f"config file {path}")
    return Settings(**values, config_file=str(path) if path else "")
