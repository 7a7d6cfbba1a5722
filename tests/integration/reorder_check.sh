#!/usr/bin/env bash
# reorder_check.sh ACCESSIM SCENARIO HEXGRID WORKDIR
# Measures do not depend on the order of the origins: runs the Porto Alegre example on a copy of
# the hexgrid with its rows reversed and compares every origins.csv value with the original run
# (same origin_id), within 1e-12 relative (sums run in a different order).
set -euo pipefail
acc=$1 scenario=$2 hexgrid=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
{ head -n 1 "$hexgrid"; tail -n +2 "$hexgrid" | tac; } >"$work/hexgrid_reversed.csv"
dir=$(cd "$(dirname "$scenario")" && pwd)
python3 - "$scenario" "$dir" "$work" "$(cd "$(dirname "$hexgrid")" && pwd)" <<'PY'
import re, sys
scenario, sdir, work, hdir = sys.argv[1:5]
text = open(scenario).read()
# every relative path becomes absolute; the population source becomes the reversed copy
text = re.sub(r"source: (\.\./\S+)", lambda m: "source: %s/%s" % (sdir, m.group(1)), text)
text = text.replace("population:\n  source: %s/../../../shared/data/poa/poa_hexgrid.csv" % sdir,
                    "population:\n  source: %s/hexgrid_reversed.csv" % work)
open(work + "/reversed.yaml", "w").write(text)
open(work + "/original.yaml", "w").write(text.replace(work + "/hexgrid_reversed.csv",
                                                       hdir + "/poa_hexgrid.csv"))
PY
grep -q hexgrid_reversed "$work/reversed.yaml" || { echo "FAIL: could not point the copy at the reversed file"; exit 1; }
"$acc" run "$work/original.yaml" -o "$work/a" --quiet >/dev/null
"$acc" run "$work/reversed.yaml" -o "$work/b" --quiet >/dev/null
python3 - "$work/a/baseline/origins.csv" "$work/b/baseline/origins.csv" <<'PY'
import csv, sys
a = {r["origin_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["origin_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
bad, n = [], 0
assert a.keys() == b.keys(), "different origins"
for o, ra in a.items():
    for col, va in ra.items():
        vb = b[o][col]
        n += 1
        if va == vb:
            continue
        try:
            fa, fb = float(va), float(vb)
            if abs(fa - fb) <= 1e-12 * max(1.0, abs(fa)):
                continue
        except ValueError:
            pass
        bad.append((o, col, va, vb))
print("reorder: %d values compared, %d differ" % (n, len(bad)))
for x in bad[:10]:
    print("  FAIL", x)
sys.exit(1 if bad or n < 10000 else 0)
PY
