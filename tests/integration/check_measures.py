#!/usr/bin/env python3
"""Independent check of accessim's accessibility measures on Porto Alegre (stdlib only).

usage: check_measures.py ORIGINS_CSV MATRIX_CSV HEXGRID_CSV KIND CAPACITY_FIELD MODE

MATRIX_CSV is `accessim matrix --mode MODE --service KIND --cutoff 120 --seconds` (origin ->
service exact times; its rows are checked against a textbook Dijkstra in other tests). HEXGRID_CSV gives
population and capacity. This script recomputes, with its own code written from the formulas of
the R package `accessibility` (docs/MEASURES.md), every measure of scenarios/examples/
porto-alegre.yaml for KIND and MODE and compares them with ORIGINS_CSV, then checks the
properties the issue names: spatial availability adds up to the supply it can reach, and BFCA
allocates demand and level of service exactly once.
"""
import csv
import math
import sys


def main():
    origins_csv, matrix_csv, hex_csv, kind, cap_field, mode = sys.argv[1:7]
    pop, cap = {}, {}
    with open(hex_csv, newline="") as f:
        for r in csv.DictReader(f):
            pop[r["id"]] = float(r["population"] or 0)
            c = float(r[cap_field] or 0)
            if c > 0:
                cap[r["id"]] = c
    rows = {}  # origin -> list of (service, minutes)
    with open(matrix_csv, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["from_id"], []).append((r["to_id"], float(r["seconds"]) / 60.0))
    with open(origins_csv, newline="") as f:
        out = {r["origin_id"]: r for r in csv.DictReader(f)}

    failures = []

    def w_binary(t, c=30.0):
        return 1.0 if t <= c else 0.0

    def w_stepped(t):  # 1 on [0,10), then each step's weight from that step on
        steps, weights = [10, 20, 30], [1.0, 0.68, 0.22]
        w = 1.0
        for s, x in zip(steps, weights):
            if t >= s:
                w = x
        return w

    def fca(weight, balanced):
        # R_j = S_j / sum_i P_i w'_ij ; A_i = sum_j R_j w''_ij (BFCA normalises by origin, then
        # by destination); 0/0 terms are dropped
        wsum_o = {o: sum(weight(t) for _, t in rs) for o, rs in rows.items()}
        dem = {}
        for o, rs in rows.items():
            for s, t in rs:
                w = weight(t)
                if balanced:
                    w = w / wsum_o[o] if wsum_o[o] > 0 else 0.0
                dem[s] = dem.get(s, 0.0) + pop[o] * w
        ratio = {s: (cap[s] / d if d > 0 else (math.inf if cap[s] > 0 else 0.0))
                 for s, d in dem.items()}
        wsum_d = {}
        for o, rs in rows.items():
            for s, t in rs:
                wsum_d[s] = wsum_d.get(s, 0.0) + weight(t)
        acc = {}
        for o, rs in rows.items():
            a = 0.0
            for s, t in rs:
                w = weight(t)
                if balanced:
                    w = w / wsum_d[s] if wsum_d[s] > 0 else 0.0
                if w > 0:
                    a += ratio[s] * w
            acc[o] = a
        return acc, ratio, dem

    def spatial_availability(weight):
        den = {}
        for o, rs in rows.items():
            for s, t in rs:
                den[s] = den.get(s, 0.0) + pop[o] * weight(t)
        sa = {}
        for o, rs in rows.items():
            sa[o] = sum(cap[s] * pop[o] * weight(t) / den[s] for s, t in rs if den[s] > 0)
        return sa, den

    expect = {}
    for o, rs in rows.items():
        ts = sorted(t for _, t in rs)
        cum = lambda c: sum(cap[s] for s, t in rs if t <= c)
        vals = sorted(cum(c) for c in range(20, 41))
        expect.setdefault("nearest_3", {})[o] = ts[2] if len(ts) >= 3 else None
        expect.setdefault("cumulative_30", {})[o] = cum(30)
        expect.setdefault("cumulative_interval_20_40", {})[o] = float(int(vals[len(vals) // 2]))
        expect.setdefault("gravity_exponential_0.1", {})[o] = sum(
            cap[s] * math.exp(-0.1 * t) for s, t in rs)
    for name, (acc, _, _) in (("fca2_binary_30", fca(w_binary, False)),
                              ("e2sfca", fca(w_stepped, False)),
                              ("bfca_binary_30", fca(w_binary, True))):
        expect[name] = acc
    sa, den = spatial_availability(w_binary)
    expect["spatial_availability_binary_30"] = sa

    checked = 0
    for name, per_origin in expect.items():
        col = "%s_%s_%s" % (kind, mode, name)
        if any(col not in r for r in out.values()):
            failures.append("no column %s" % col)
            continue
        for o, r in out.items():
            got = r[col]
            want = per_origin.get(o)
            if o not in rows:  # reaches nothing within the horizon
                want = None if name == "nearest_3" else 0.0
            if want is None or (isinstance(want, float) and math.isinf(want)):
                if got != "":
                    failures.append("%s %s: got %s, expected empty" % (col, o, got))
                continue
            if got == "":
                failures.append("%s %s: empty, expected %r" % (col, o, want))
                continue
            g = float(got)
            if name == "nearest_3":  # printed as every time: rounded half up to 0.01 min
                want = math.floor(round(want * 600) / 6 + 0.5) / 100 if want is not None else None
            tol = 1e-9 * max(1.0, abs(want))
            if abs(g - want) > tol:
                failures.append("%s %s: got %r, expected %r" % (col, o, g, want))
            checked += 1

    # properties
    supply_reached = sum(cap[s] for s, d in den.items() if d > 0)
    sa_sum = sum(float(r["%s_%s_spatial_availability_binary_30" % (kind, mode)] or 0)
                 for r in out.values())
    if abs(sa_sum - supply_reached) > 1e-6 * supply_reached:
        failures.append("spatial availability sums to %r, supply reached is %r" % (sa_sum, supply_reached))
    acc, ratio, dem = fca(w_binary, True)
    pop_weighted = sum(pop[o] for o, rs in rows.items() if any(w_binary(t) > 0 for _, t in rs))
    if abs(sum(dem.values()) - pop_weighted) > 1e-6 * max(1.0, pop_weighted):
        failures.append("BFCA allocates demand %r, population %r" % (sum(dem.values()), pop_weighted))
    bfca_col = "%s_%s_bfca_binary_30" % (kind, mode)
    bsum = sum(float(r[bfca_col] or 0) for r in out.values())
    rsum = sum(v for s, v in ratio.items() if math.isfinite(v) and dem.get(s, 0) > 0)
    if abs(bsum - rsum) > 1e-9 * max(1.0, rsum):
        failures.append("BFCA level of service: sum of accessibility %r, sum of ratios %r" % (bsum, rsum))

    print("measures %s/%s: %d values checked against the independent computation; "
          "spatial availability sum %.6f of supply reached %.6f; %d failures"
          % (kind, mode, checked, sa_sum, supply_reached, len(failures)))
    for x in failures[:10]:
        print("  FAIL", x)
    if checked < 1000:
        print("  FAIL too few values checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
