"""Near misses on the command line: "did you mean" for a mistyped command or an unknown id.

`SuggestingGroup` is the class of `marsad`'s command groups (its subgroups
inherit it): ``marsad quer`` answers "No such command 'quer'. Did you mean
query?" instead of only pointing at --help. `closest` serves the same for
ids (topics, organisations) that a filter names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import click


def closest(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known words nearest ``word`` (a typo, a missing letter, a prefix), best first."""
    known = list(known)
    near = difflib.get_close_matches(word.lower(), known, n=n, cutoff=0.6)
    prefixed = [k for k in known if k.startswith(word.lower()) and k not in near] if len(word) >= 3 else []
    return (near + prefixed)[:n]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` Did you mean x or y?`` (with a leading space), or the empty string when nothing is close."""
    near = closest(word, known)
    if not near:
        return ""
    return f" Did you mean {' or '.join(near)}?"


class SuggestingGroup(click.Group):
    """A command group that names the commands closest to an unknown one."""

    group_class = type  # subgroups (`marsad query`, `marsad kafka`...) are SuggestingGroups too

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            if hint:
                ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)
