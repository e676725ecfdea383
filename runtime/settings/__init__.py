"""marsad's settings: declared once, built once at the entry point, passed down.

Values come from, in increasing precedence: each setting's default, a TOML
config file (``--config FILE``, ``MARSAD_CONFIG``, or ``./marsad.toml`` when
present), the environment, and explicit arguments. Stages never read the
environment: the entry point builds a `Settings` and passes it (or the part a
stage needs) down.

- declaration.py: the `Settings` fields, one per setting (type, default, check,
  environment variable, help), and `OPTIONS`, the same read off the fields;
- checks.py: the checks those declarations use;
- loading.py: `load_settings` and its one-line `SettingsError`;
- rendering.py: `marsad config`, the README's table, and the environment that
  passes settings on to a process marsad starts.
"""

from marsad.runtime.settings.checks import network_list
from marsad.runtime.settings.declaration import OPTIONS, Option, Settings
from marsad.runtime.settings.loading import CONFIG_ENV, SettingsError, load_settings
from marsad.runtime.settings.rendering import as_environment, markdown_table, passed_on, shown

__all__ = ["CONFIG_ENV", "OPTIONS", "Option", "Settings", "SettingsError", "as_environment", "load_settings",
           "markdown_table", "network_list", "passed_on", "shown"]
