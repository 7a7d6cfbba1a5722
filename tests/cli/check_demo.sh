#!/usr/bin/env bash
# check_demo.sh DEMO_DIR
#
# The folder written by `accessim demo`: inputs/{streets,neighbourhoods,services}.gpkg open, in
# EPSG:32633, with features; demo.yaml exists; and the run outputs meet the contract
# (check_outputs.sh with EPSG 32633, groups everyone and migrants, and the five service kinds
# present in rasters, origins.csv and summary.csv for both groups). Exits 1 on any failure.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DEMO_DIR" >&2
    exit 2
fi
D=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GDAL_PAM_ENABLED=NO
failed=0

[[ -f $D/demo.yaml ]] || { echo "FAIL $D/demo.yaml: missing"; failed=1; }
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

bash "$HERE/check_outputs.sh" "$D" 32633 --require-groups everyone,migrants \
    --require-kinds clinic,school,language_course,legal_aid,employment_office || failed=1
exit $failed
