"""Compile the hot modules to C with mypyc, beside their sources (`marsad.streams.compiled` says which).

    python -m marsad.deploy.native            compile, unless the compiled copies are current
                                              (what `make setup` runs; about 15 s when it compiles)
    python -m marsad.deploy.native --force    compile even when they are current
    python -m marsad.deploy.native --clean    remove the compiled copies: the sources run
    python -m marsad.deploy.native --check    say whether the compiled copies are there and current

Works on a checkout (the editable install `make setup` makes) and on an installed
package alike: the sources are read from where Python imports them, copied into
a temporary tree laid out as the installed package (``marsad/streams/...``, so
each module is compiled under its real name), compiled there, and the
extensions copied back beside the sources with the manifest of their sources'
digests. Without mypyc or a C compiler it prints one line and leaves the
sources to run (slower, same output); ``--require`` makes that an error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import marsad.streams
from marsad.streams import compiled

FOLDERS = ("schemas", "runtime", "producers", "streams", "consumers", "deploy")  # as in setup.py


class BuildError(Exception):
    """The compiled stages could not be built (no mypyc, no C compiler, a type error)."""


def _package_dir(folder: str) -> Path:
    """Where the sources of ``marsad.<folder>`` are imported from (the checkout, or site-packages)."""
    return Path(next(iter(importlib.import_module(f"marsad.{folder}").__path__)))


def _not_sources(folder: str, names: list[str]) -> list[str]:
    """What `_stage` leaves behind: everything but Python sources and the folders holding them."""
    return [n for n in names if n == "__pycache__" or not (n.endswith(".py") or (Path(folder) / n).is_dir())]


def _stage(into: Path) -> dict[str, Path]:
    """Copy every source of the package into ``into/marsad/...``; return the staged path of each module."""
    (into / "marsad").mkdir(parents=True)
    (into / "marsad" / "__init__.py").touch()  # a regular package while compiling: names are "marsad.*"
    for folder in FOLDERS:
        src = _package_dir(folder)
        shutil.copytree(src, into / "marsad" / folder, ignore=_not_sources)
    return {m: into.joinpath(*m.split(".")).with_suffix(".py") for m in compiled.MODULES}


def build() -> list[Path]:
    """Compile `compiled.MODULES`; return the extensions written beside the sources."""
    try:
        from mypyc.build import mypycify
        from setuptools import Distribution
    except ImportError as e:
        raise BuildError(f"mypyc is not installed ({e.name}): `pip install mypy`") from e
    if shutil.which(os.environ.get("CC", "cc")) is None and shutil.which("gcc") is None:
        raise BuildError("no C compiler (cc or gcc) on PATH")
    compiled_from = compiled.digests()  # read before the copy: a source edited meanwhile stays stale
    with tempfile.TemporaryDirectory(prefix="marsad-native-") as tmp:
        root = Path(tmp) / "src"
        staged = _stage(root)
        out = Path(tmp) / "lib"
        here = Path.cwd()
        log = io.StringIO()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                paths = [str(p.relative_to(root)) for p in staged.values()]
                extensions = mypycify(["--follow-imports=silent", "--ignore-missing-imports", *paths],
                                      separate=True, target_dir=str(Path(tmp) / "c"))
                dist = Distribution({"name": "marsad-compiled", "ext_modules": extensions,
                                     "script_args": ["build_ext", "--build-lib", str(out), "--parallel",
                                                     str(os.cpu_count() or 1),
                                                     "--build-temp", str(Path(tmp) / "obj")]})
                dist.parse_command_line()
                dist.run_commands()
        except (SystemExit, Exception) as e:  # mypy exits on a type error; the compiler's failure raises
            lines = [line for line in log.getvalue().splitlines() if "error" in line.lower()]
            raise BuildError("; ".join(lines[:3]) or str(e) or type(e).__name__) from e
        finally:
            os.chdir(here)
        clean()
        written = []
        for lib in (out / "marsad").rglob("*"):
            if lib.is_file():
                rel = lib.relative_to(out / "marsad")
                dest = _package_dir(rel.parts[0]).joinpath(*rel.parts[1:])
                shutil.copy2(lib, dest)
                written.append(dest)
    compiled.MANIFEST.write_text(json.dumps({
        "python": sys.implementation.cache_tag,
        "modules": compiled_from,
    }, indent=1, sort_keys=True) + "\n")
    return written


def clean() -> list[Path]:
    """Remove the compiled copies and the manifest; return what was removed."""
    gone = compiled.extensions()
    if compiled.MANIFEST.exists():
        gone.append(compiled.MANIFEST)
    for p in gone:
        p.unlink()
    return gone


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m marsad.deploy.native",
                                 description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    what = ap.add_mutually_exclusive_group()
    what.add_argument("--clean", action="store_true", help="remove the compiled copies (the sources then run)")
    what.add_argument("--check", action="store_true", help="say whether the compiled copies are present and current")
    ap.add_argument("--force", action="store_true", help="compile even when the compiled copies are current")
    ap.add_argument("--require", action="store_true", help="fail (exit 1) when they cannot be built")
    args = ap.parse_args(argv)
    if args.check:
        print(compiled.state())
        return 0
    if args.clean:
        print(f"removed {len(clean())} compiled files; the Python sources run")
        return 0
    if not args.force and compiled.extensions() and not compiled.stale():
        strays = compiled.stray_files()  # left by a build of another version: they would only be ignored
        for p in strays:
            p.unlink()
        if strays:
            print(f"removed {len(strays)} compiled files of modules this version does not compile")
        return 0  # current: nothing more to say (make setup runs this each time)
    started = time.monotonic()
    print(f"==> compiling the stages and views ({len(compiled.MODULES)} modules) with mypyc", flush=True)
    try:
        written = build()
    except BuildError as e:
        print(f"marsad: the stages stay Python (slower, same output): {e}", file=sys.stderr)
        return 1 if args.require else 0
    print(f"    {len(written)} extensions beside the sources in {time.monotonic() - started:.0f} s"
          f" ({Path(marsad.streams.__file__).parent.parent})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
