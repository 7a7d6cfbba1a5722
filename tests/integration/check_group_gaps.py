#!/usr/bin/env python3
"""Independent check of per-group layers in summary.csv (stdlib only).

usage: check_group_gaps.py OUTDIR KIND MODE GROUP GROUP_FIELD TOTAL_FIELD HEXGRID_CSV

A group with its own layer (own walking speed or eligible services) has its values in
<KIND>_<MODE>_<GROUP>_minutes; everyone else keeps <KIND>_<MODE>_minutes. This recomputes from
origins.csv and the population file, with its own code: the group's population-weighted mean
minutes (unreachable left out), the rest's mean (weights TOTAL - GROUP, clamped at 0) on the
shared column, and their difference and ratio; the group's share within each threshold; and
compares them with the rows of summary.csv for that group. Exit 1 on any difference.
"""
import csv
import sys


def main():
    outdir, kind, mode, group, gfield, tfield, hexgrid = sys.argv[1:8]
    pop = {}
    with open(hexgrid, newline="") as f:
        for r in csv.DictReader(f):
            pop[r["id"]] = (float(r[gfield] or 0), float(r[tfield] or 0))
    own_col = f"{kind}_{mode}_{group}_minutes"
    shared_col = f"{kind}_{mode}_minutes"
    g_num = g_den = r_num = r_den = 0.0
    within = {15: 0.0, 30: 0.0, 45: 0.0, 60: 0.0}
    g_all = 0.0
    with open(f"{outdir}/baseline/origins.csv", newline="") as f:
        for r in csv.DictReader(f):
            wg, wt = pop[r["origin_id"]]
            wr = max(0.0, wt - wg)
            g_all += wg
            if r[own_col]:
                t = float(r[own_col])
                g_num += wg * t
                g_den += wg
                for th in within:
                    if t <= th:
                        within[th] += wg
            if r[shared_col]:
                r_num += wr * float(r[shared_col])
                r_den += wr
    g_mean, r_mean = g_num / g_den, r_num / r_den
    want = {
        "mean_minutes": g_mean,
        "gap_mean_minutes_difference": g_mean - r_mean,
        "gap_mean_minutes_ratio": g_mean / r_mean,
    }
    for th, v in within.items():
        want[f"share_within_{th}"] = v / g_all
    got = {}
    with open(f"{outdir}/summary.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["service"] == kind and r["mode"] == mode and r["group"] == group:
                got[r["measure"]] = float(r["value"]) if r["value"] else None
    bad = 0
    for m, v in want.items():
        g = got.get(m)
        # origins.csv rounds minutes to 0.01 and a share within a threshold can move by the
        # people of an origin sitting within 0.005 min of it
        tol = 0.006 if "minutes" in m and "ratio" not in m else 0.002
        ok = g is not None and abs(g - v) <= tol
        print(f"{'ok ' if ok else 'BAD'} {kind} {mode} {group} {m}: summary {g} independent {v:.6f}")
        bad += not ok
    if not got:
        print(f"no summary rows for {kind}/{mode}/{group}")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
