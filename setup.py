"""The installed distribution has one top-level name, ``marsad``: each of the repository's top-level
folders is installed as a sub-package of it (``runtime/`` as ``marsad.runtime`` ...), so the repository
keeps its layout and a user's environment gets no ``schemas`` or ``deploy`` of ours. Everything else
is declared in pyproject.toml."""

from setuptools import find_packages, setup

FOLDERS = ("schemas", "runtime", "producers", "streams", "consumers", "deploy")  # bottom layer first

setup(
    packages=[f"marsad.{name}" for name in find_packages(include=[f"{f}*" for f in FOLDERS])],
    package_dir={f"marsad.{folder}": folder for folder in FOLDERS},
)
