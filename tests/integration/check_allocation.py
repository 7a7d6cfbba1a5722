#!/usr/bin/env python3
"""Independent check of population.allocate on the Chicago example (stdlib only).

usage: check_allocation.py ORIGINS_CSV TRACTS_CSV AREAS_GEOJSON WEIGHT AREA_IDS GROUP=FIELD...

Recomputes, with its own point-in-polygon (ray casting on the GeoJSON rings) and its own
arithmetic, each tract's share of the counts of the community area its centroid falls in,
proportional to WEIGHT, and compares every group column of ORIGINS_CSV with it (relative 1e-9).
Also checks that the counts allocated to an area's tracts add up to the area's count, that
tracts outside every listed area get 0, and, as a cross-check of the geometry, that nearly all
tracts land in the community area their own `community` column names.
"""
import csv
import json
import sys


def ring_contains(ring, x, y):
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][:2]
        x2, y2 = ring[(i + 1) % n][:2]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                inside = not inside
    return inside


def polygon_contains(poly, x, y):  # poly: [outer, hole, ...]
    return ring_contains(poly[0], x, y) and not any(ring_contains(h, x, y) for h in poly[1:])


def main():
    origins_csv, tracts_csv, areas_json, weight, area_ids = sys.argv[1:6]
    groups = dict(a.split("=", 1) for a in sys.argv[6:])
    wanted = set(area_ids.split(","))
    areas = {}
    for f in json.load(open(areas_json))["features"]:
        aid = str(f["properties"]["GEOID"])
        if aid not in wanted:
            continue
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        areas[aid] = (polys, {k: float(f["properties"][v]) for k, v in groups.items()})
    out = {r["origin_id"]: r for r in csv.DictReader(open(origins_csv, newline=""))}
    tracts = [r for r in csv.DictReader(open(tracts_csv, newline="")) if r["geoid10"] in out]
    area_of, w = {}, {}
    for t in tracts:
        x, y = float(t["lon"]), float(t["lat"])  # the leading spaces are float()'s business
        hits = sorted(a for a, (polys, _) in areas.items() if any(polygon_contains(p, x, y) for p in polys))
        area_of[t["geoid10"]] = hits[0] if hits else None
        w[t["geoid10"]] = float(t[weight])
    wsum, n_in = {}, {}
    for tid, a in area_of.items():
        if a is not None:
            wsum[a] = wsum.get(a, 0.0) + w[tid]
            n_in[a] = n_in.get(a, 0) + 1
    bad = 0
    alloc_sum = {}
    for tid, a in area_of.items():
        for g in groups:
            got = float(out[tid][g] or 0)
            if a is None:
                want = 0.0
            else:
                share = w[tid] / wsum[a] if wsum[a] > 0 else 1.0 / n_in[a]
                want = areas[a][1][g] * share
                alloc_sum[(a, g)] = alloc_sum.get((a, g), 0.0) + got
            if abs(got - want) > 1e-9 * max(1.0, abs(want)):
                bad += 1
                if bad <= 10:
                    print(f"BAD tract {tid} {g}: origins.csv {got} independent {want}")
    for (a, g), v in sorted(alloc_sum.items()):
        if abs(v - areas[a][1][g]) > 1e-6 * max(1.0, areas[a][1][g]):
            bad += 1
            print(f"BAD area {a} {g}: tracts add up to {v}, the area has {areas[a][1][g]}")
    own = sum(1 for t in tracts if area_of[t["geoid10"]] == t["community"].strip())
    located = sum(1 for a in area_of.values() if a is not None)
    print(f"{len(tracts)} tracts, {located} inside the {len(areas)} areas, {own} in the area of "
          f"their own `community` column; {len(alloc_sum)} area x group sums checked")
    if located < 0.9 * len(tracts) or own < located:
        print("BAD: tracts and areas disagree")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
