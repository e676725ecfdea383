"""The settings as people read them: `marsad config` (secrets masked) and the README's table."""

from __future__ import annotations

import re
from typing import Any

from runtime.settings.declaration import OPTIONS

SECRET_WORDS = re.compile(r"token|password|passwd|secret|key", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def shown(name: str, value: Any) -> str:
    """A setting's value as `marsad config` prints it: secrets masked, URL passwords hidden."""
    opt = OPTIONS.get(name)
    if (opt is not None and opt.secret) or (SECRET_WORDS.search(name) and not name.endswith("_file")):
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
