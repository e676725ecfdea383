"""Copy the dashboard's front-end libraries from node_modules into the package (run by `make setup`).

The libraries come from npm, pinned by package-lock.json and installed with
``npm ci``; nothing is built and nothing is fetched from a CDN when the page
runs. This copies exactly the files the page loads, and each package's
licence, into ``consumers/api/static/vendor/`` (git-ignored, shipped as
package data), with the map's first-level region borders, which are committed
in ``consumers/api/basemap/`` (made by ``marsad.consumers.api.admin1_lines``), and writes a
gzip copy of the large map data, which the API's static file handler serves
to browsers that accept it.

    python -m marsad.consumers.api.dashboard_assets [--node-modules DIR]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from pathlib import Path

from marsad.consumers.api.dashboard import STATIC

ROOT = Path(__file__).resolve().parents[2]
VENDOR = STATIC / "vendor"
BASEMAP = Path(__file__).resolve().parent / "basemap"

# destination under vendor/ -> source under node_modules/
FILES: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "leaflet/LICENSE": "leaflet/LICENSE",
    "markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "markercluster/MIT-LICENCE.txt": "leaflet.markercluster/MIT-LICENCE.txt",
    "topojson/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "topojson/LICENSE": "topojson-client/LICENSE",
    "world-atlas/countries-50m.json": "world-atlas/countries-50m.json",  # Natural Earth 1:50m, public domain
    "world-atlas/LICENSE": "world-atlas/LICENSE",
    "fonts/noto-sans-arabic-arabic-400.woff2": "@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2",
    "fonts/noto-sans-arabic-arabic-700.woff2": "@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2",
    "fonts/noto-sans-arabic-latin-400.woff2": "@fontsource/noto-sans-arabic/files/noto-sans-arabic-latin-400-normal.woff2",
    "fonts/noto-sans-arabic-latin-700.woff2": "@fontsource/noto-sans-arabic/files/noto-sans-arabic-latin-700-normal.woff2",
    "fonts/LICENSE": "@fontsource/noto-sans-arabic/LICENSE",
}
# destination under vendor/ -> source under basemap/ (committed: not on npm in a small form)
BUNDLED: dict[str, str] = {
    "natural-earth/admin1-lines.json": "admin1-lines.json",  # Natural Earth 1:10m admin-1, public domain
    "natural-earth/LICENSE.txt": "LICENSE.txt",
}
GZIP = ("world-atlas/countries-50m.json", "natural-earth/admin1-lines.json")


class AssetsMissing(RuntimeError):
    """A file the page needs is not in node_modules; the message names it and says what to run."""


def copy_assets(node_modules: Path = ROOT / "node_modules", vendor: Path = VENDOR) -> int:
    """Copy `FILES` and `BUNDLED` into ``vendor``; return how many were copied."""
    missing = [src for src in FILES.values() if not (node_modules / src).is_file()]
    if missing:
        raise AssetsMissing(f"{len(missing)} dashboard files missing under {node_modules} (first: {missing[0]}); "
                            "run `npm ci` in the checkout first")
    sources = {dest: node_modules / src for dest, src in FILES.items()}
    sources |= {dest: BASEMAP / src for dest, src in BUNDLED.items()}
    lost = [src for src in BUNDLED.values() if not (BASEMAP / src).is_file()]
    if lost:
        raise AssetsMissing(f"{BASEMAP / lost[0]} is missing: it is part of the checkout "
                            "(`python -m marsad.consumers.api.admin1_lines` makes admin1-lines.json)")
    for dest, src in sources.items():
        target = vendor / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    for dest in GZIP:
        data = (vendor / dest).read_bytes()
        (vendor / f"{dest}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return len(sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    args = parser.parse_args(argv)
    try:
        n = copy_assets(args.node_modules)
    except AssetsMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"==> dashboard: {n} library files copied into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
