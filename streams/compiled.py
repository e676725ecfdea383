"""The compiled modules: which are compiled to C, and the guard that never runs stale ones.

Most of `marsad classify`'s time, and of the worker's analysis, is Python's
own: a step per hit, per word, per cue, per number; most of a replay's is
Python's work on each event (its rows, the matching form of its text, the
hashes of its rows). `make setup` compiles the hot modules listed below, of
the stages and of the views, with mypyc (`python -m marsad.deploy.native`):
each gets a C extension beside its source (``counts.cpython-311-....so`` and
its code, ``counts__mypyc....so``, next to ``counts.py``). Python imports an
extension before a source of the same name, so the compiled code runs without
anything else changing. The sources stay the reference: output is
byte-identical either way (tests/streams/test_compiled.py runs both), and a
machine without a C compiler runs the sources.

An extension only matches the source it was compiled from. The build writes
`compiled.json` beside this file, the SHA-256 of each source; when
`marsad.streams` or `marsad.consumers` is imported, `guard()` compares it
with the sources on disk. When one differs (a source edited or checked out
since the build), every compiled module is imported from its source instead,
with one warning, until the next build: a stale extension never runs.
``MARSAD_PURE_PYTHON=1`` does the same on purpose (to compare, or to profile
the Python). An extension of a module this list does not name (left by a
build of another version, whose list was longer) is never imported either:
its source runs, with a warning, until `make setup` removes it.

Compiled code holds the type hints to their word: a value that does not match
its annotation is a TypeError, and an int stored where ``float`` is annotated
becomes a float. A module joins the list once its hints are true (mypy) and
the output is the same; `extract.numbers` stays Python because its number
words are ints and floats by design."""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

# The stages' hot modules, and the alert rules' conditions (run for every article the alerter reads).
# Not a package's __init__ (a compiled package cannot import an uncompiled submodule while it
# initialises), nor `incidents.phrases` (it subclasses a built-in type, which mypyc cannot compile),
# nor the loaders run once (taxonomy, gazetteer and quantity vocabularies).
STAGES: tuple[str, ...] = tuple(f"marsad.streams.{name}" for name in (
    "extract.incidents.coder", "extract.incidents.counts", "extract.incidents.dates", "extract.incidents.merge",
    "extract.incidents.numbers", "extract.incidents.roles", "extract.incidents.sentences",
    "extract.incidents.where", "extract.incidents.vocab",
    "classify.matcher", "classify.scoring", "extract.quantities",
    "classify.combined", "extract.lexicon", "extract.place_context", "extract.context", "extract.places",
    "clean.boilerplate", "clean.pipeline", "text.normalize", "extract.place_rules", "extract.surface",
    "extract.history", "extract.countries",
    "alerts.match"))  # the alerter's conditions: every rule an article may meet
# The views' work on each event a replay (or `marsad views`) writes: its rows, and their hashes.
VIEWS: tuple[str, ...] = tuple(f"marsad.consumers.{name}" for name in (
    "rows", "incidents.rows", "store.hashing"))
MODULES: tuple[str, ...] = STAGES + VIEWS
MANIFEST = Path(__file__).with_name("compiled.json")
PURE_ENV = "MARSAD_PURE_PYTHON"

log = logging.getLogger(__name__)
_guarded = False  # `guard` has run in this process


def source_of(module: str) -> Path:
    """The source file of ``module`` (one of `MODULES`), found without importing it: the packages of
    ``marsad`` are folders side by side (a checkout and an installed package alike)."""
    parts = module.split(".")[1:]  # "marsad.streams.extract.incidents.where" -> ["streams", ..., "where"]
    return Path(__file__).parent.parent.joinpath(*parts).with_suffix(".py")


def digests() -> dict[str, str]:
    """SHA-256 of each compiled module's source as it is on disk now."""
    return {m: hashlib.sha256(source_of(m).read_bytes()).hexdigest() for m in MODULES}


def extensions() -> list[Path]:
    """The compiled extensions present anywhere in the packages of `MODULES` (none where they were not
    built), those of modules no longer on the list included."""
    return sorted(Path(folder, name) for folder, name, _ in _extension_files())


def strays() -> list[str]:
    """The modules with a compiled copy beside their source that `MODULES` does not list (left by a build
    of another version, whose list was longer): the guard imports them from their sources."""
    return _strays(_extension_files())


def stray_files() -> list[Path]:
    """The files of the `strays`: their extensions and their code (``name__mypyc....so``)."""
    files = list(_extension_files())
    gone = set(_strays(files))
    return sorted(Path(folder, name) for folder, name, module in files if module.removesuffix("__mypyc") in gone)


def _strays(files: Iterable[tuple[str, str, str]]) -> list[str]:
    return [module for folder, _, module in files
            if module not in MODULES and not module.endswith("__mypyc")  # mypyc's code, imported by the shims
            and os.path.exists(os.path.join(folder, module.rpartition(".")[2] + ".py"))]


def _extension_files() -> Iterator[tuple[str, str, str]]:
    """(folder, file name, module name) of each extension file in the packages of `MODULES`."""
    root = Path(__file__).parent.parent
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for package in sorted({m.split(".")[1] for m in MODULES}):
        for folder, dirs, names in os.walk(root / package):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in names:
                if name.endswith(suffixes):
                    stem = name.split(".", 1)[0]  # "coder.cpython-311-x86_64-linux-gnu.so" -> "coder"
                    parts = Path(folder).relative_to(root).parts
                    yield folder, name, ".".join(("marsad", *parts, stem))


def stale(manifest: Path = MANIFEST) -> list[str]:
    """The modules whose source differs from the one compiled (all of them without a readable manifest, or
    when it was built for another Python)."""
    try:
        data = json.loads(manifest.read_text())
        built, python = data["modules"], data["python"]
    except (OSError, ValueError, KeyError, TypeError):
        return list(MODULES)
    if python != sys.implementation.cache_tag:  # built for another Python: this one cannot load them
        return list(MODULES)
    now = digests()
    return [m for m in MODULES if built.get(m) != now[m]]


def state() -> str:
    """One line for benchmarks and logs: whether the compiled modules run, and why not."""
    if not extensions():
        return "stages and views: Python sources (not compiled)"
    if os.environ.get(PURE_ENV):
        return f"stages and views: Python sources ({PURE_ENV} set)"
    if stale():
        return "stages and views: Python sources (compiled copies are stale: rebuild with `make setup`)"
    return f"stages and views: compiled (mypyc, {len(MODULES)} modules)"


class _FromSources(importlib.abc.MetaPathFinder):
    """Imports ``modules`` from their sources, ahead of the extensions beside them."""

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(self, fullname: str, path: object = None, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, source_of(fullname))


def guard() -> None:
    """Called on import of `marsad.streams` and of `marsad.consumers`, before any compiled module: fall back
    to the sources when the extensions cannot be trusted. Once is enough; a second call changes nothing."""
    global _guarded
    if _guarded:
        return
    _guarded = True
    files = list(_extension_files())  # one walk of the packages at start-up
    if not files:
        return
    ignored = _strays(files)
    if ignored:
        log.warning("compiled copies of modules this version does not compile (%s): ignored, their sources run;"
                    " `make setup` (or `python -m marsad.deploy.native --clean`) removes them", ", ".join(ignored))
    if os.environ.get(PURE_ENV):
        sys.meta_path.insert(0, _FromSources([*MODULES, *ignored]))
        return
    changed = stale()
    if changed:
        log.warning("the compiled modules are older than their sources (%s): running the sources, slower;"
                    " `make setup` (or `python -m marsad.deploy.native`) compiles them again", ", ".join(changed))
    if changed or ignored:
        sys.meta_path.insert(0, _FromSources([*MODULES, *ignored] if changed else ignored))
