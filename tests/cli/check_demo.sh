#!/usr/bin/env bash
# check_demo.sh DEMO_DIR
#
# The folder written by `accessim demo`: inputs/{streets,neighbourhoods,services}.gpkg open, in
# EPSG:32633, with features; the bus feed inputs/gtfs/ has its eight .txt files; demo.yaml exists
# and has a transit: block; and the run outputs meet the contract (check_outputs.sh with EPSG
# 32633, groups everyone and migrants, and the five service kinds present in rasters,
# origins.csv and summary.csv for both groups). Transit: baseline/<kind>_transit_p50_minutes.tif
# for every kind, in EPSG:32633 with a nodata value; origins.csv has transit_snap_m and the
# <kind>_transit_p50_minutes columns; by transit no origin is slower than on foot (transit
# includes walking all the way) and some origin is strictly faster; summary.csv has transit_p50
# rows for both groups. Exits 1 on any failure.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DEMO_DIR" >&2
    exit 2
fi
D=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GDAL_PAM_ENABLED=NO
failed=0
KINDS=(clinic school language_course legal_aid employment_office)

[[ -f $D/demo.yaml ]] || { echo "FAIL $D/demo.yaml: missing"; failed=1; }
if [[ -f $D/demo.yaml ]] && ! grep -q '^transit:' "$D/demo.yaml"; then
    echo "FAIL $D/demo.yaml: no transit: block"
    failed=1
fi
for f in streets neighbourhoods services; do
    g=$D/inputs/$f.gpkg
    if ! info=$(ogrinfo -ro -so -al "$g" 2>&1); then
        echo "FAIL $g: ogrinfo cannot open it: $(tail -n1 <<<"$info")"
        failed=1
        continue
    fi
    epsg=$(gdalsrsinfo -o epsg "$g" 2>/dev/null | tr -d '[:space:]' || true)
    [[ $epsg == EPSG:32633 ]] || { echo "FAIL $g: CRS '$epsg', expected EPSG:32633"; failed=1; }
    counts=$(sed -n 's/^Feature Count: //p' <<<"$info")
    if [[ -z $counts ]] || grep -qx 0 <<<"$counts"; then
        echo "FAIL $g: a layer without features"
        failed=1
    fi
done
for f in agency stops routes trips stop_times calendar calendar_dates frequencies; do
    [[ -s $D/inputs/gtfs/$f.txt ]] || { echo "FAIL $D/inputs/gtfs/$f.txt: missing or empty"; failed=1; }
done

for k in "${KINDS[@]}"; do
    tif=$D/baseline/${k}_transit_p50_minutes.tif
    if ! info=$(gdalinfo "$tif" 2>&1); then
        echo "FAIL $tif: gdalinfo cannot open it: $(tail -n1 <<<"$info")"
        failed=1
        continue
    fi
    epsg=$(gdalsrsinfo -o epsg "$tif" 2>/dev/null | tr -d '[:space:]' || true)
    [[ $epsg == EPSG:32633 ]] || { echo "FAIL $tif: CRS '$epsg', expected EPSG:32633"; failed=1; }
    grep -q 'NoData Value=' <<<"$info" || { echo "FAIL $tif: no nodata value"; failed=1; }
done

python3 - "$D" "${KINDS[@]}" <<'PY' || failed=1
import csv, os, sys

d, kinds = sys.argv[1], sys.argv[2:]
bad = []
origins = os.path.join(d, "baseline", "origins.csv")
with open(origins, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
header = list(rows[0].keys()) if rows else []
need = ["transit_snap_m"] + ["%s_%s_minutes" % (k, m) for k in kinds for m in ("walk", "transit_p50")]
missing = [c for c in need if c not in header]
if missing:
    bad.append("%s: no columns %s" % (origins, missing))
else:
    slower, faster = [], 0
    for r in rows:
        for k in kinds:
            w, t = r["%s_walk_minutes" % k], r["%s_transit_p50_minutes" % k]
            if w == "":
                continue  # not reachable on foot: transit may still reach it
            if t == "" or float(t) > float(w):
                slower.append("%s %s: walk %s, transit_p50 %s" % (r["origin_id"], k, w, t or "unreachable"))
            elif float(t) < float(w):
                faster += 1
    if slower:
        bad.append("%s: transit slower than walking at %d origins x kinds, e.g. %s" % (origins, len(slower), slower[:3]))
    if not faster:
        bad.append("%s: transit is never faster than walking" % origins)
    print("check_demo: transit_p50 faster than walking for %d of %d origins x kinds" % (faster, len(rows) * len(kinds)))
summary = os.path.join(d, "summary.csv")
with open(summary, newline="", encoding="utf-8") as f:
    srows = [r for r in csv.DictReader(f) if r["mode"] == "transit_p50"]
for g in ("everyone", "migrants"):
    for k in kinds:
        if not any(r["group"] == g and r["service"] == k for r in srows):
            bad.append("%s: no transit_p50 rows for group %s, service %s" % (summary, g, k))
for b in bad:
    print("FAIL " + b)
sys.exit(1 if bad else 0)
PY

bash "$HERE/check_outputs.sh" "$D" 32633 --require-groups everyone,migrants \
    --require-kinds clinic,school,language_course,legal_aid,employment_office || failed=1
exit $failed
