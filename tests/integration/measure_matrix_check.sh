#!/usr/bin/env bash
# measure_matrix_check.sh ACCESSIM SCENARIO RUN_DIR SECONDS_MATRIX WORK KIND MODE
# `accessim measure --matrix` on an r5r-style matrix (from_id,to_id,travel_time_p50 in minutes)
# made from `accessim matrix --seconds` must give the same measures as `accessim run` computed by
# routing (RUN_DIR), column <KIND>_matrix_<m> against <KIND>_<MODE>_<m>, within 1e-9 relative.
set -euo pipefail
acc=$1 scenario=$2 run=$3 seconds=$4 work=$5 kind=$6 mode=$7
rm -rf "$work" && mkdir -p "$work"
python3 - "$seconds" "$work/r5r_like.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    w = csv.writer(g)
    w.writerow(["from_id", "to_id", "travel_time_p50"])
    for r in csv.DictReader(f):
        w.writerow([r["from_id"], r["to_id"], repr(float(r["seconds"]) / 60.0)])
PY
"$acc" measure "$scenario" --matrix "$work/r5r_like.csv" -o "$work/out" --quiet >/dev/null
python3 - "$run/baseline/origins.csv" "$work/out/baseline/origins.csv" "$kind" "$mode" <<'PY'
import csv, sys
kind, mode = sys.argv[3], sys.argv[4]
a = {r["origin_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["origin_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
pre_b = kind + "_matrix_"
cols = [c[len(pre_b):] for c in next(iter(b.values())) if c.startswith(pre_b)]
bad, n = [], 0
for o, rb in b.items():
    ra = a[o]
    for c in cols:
        va, vb = ra["%s_%s_%s" % (kind, mode, c)], rb[pre_b + c]
        n += 1
        if va == vb:
            continue
        try:
            fa, fb = float(va), float(vb)
            if abs(fa - fb) <= 1e-9 * max(1.0, abs(fa)):
                continue
        except ValueError:
            pass
        bad.append((o, c, va, vb))
print("measure --matrix vs run: %d values in %d columns compared, %d differ" % (n, len(cols), len(bad)))
for x in bad[:10]:
    print("  FAIL", x)
sys.exit(1 if bad or len(cols) < 8 or n < 5000 else 0)
PY
