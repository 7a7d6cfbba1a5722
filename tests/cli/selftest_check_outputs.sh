#!/usr/bin/env bash
# selftest_check_outputs.sh CHECK_OUTPUTS WORKDIR
#
# Tests check_outputs.sh without accessim: builds a small output folder that meets the contract
# (GDAL command-line tools + python3 stdlib), checks that it passes, then breaks one thing at a
# time in copies and checks that each is caught with the expected message.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 CHECK_OUTPUTS WORKDIR" >&2
    exit 2
fi
CHECK=$1 WORK=$2
rm -rf "$WORK"
mkdir -p "$WORK"
GOOD=$WORK/good
mkdir -p "$GOOD/baseline" "$WORK/src"
export GDAL_PAM_ENABLED=NO
failed=0

# ---- a raster per kind: 60 x 50 cells of 100 m in EPSG:32722 (Porto Alegre), some nodata -----
make_tif() { # make_tif OUT KIND [gdal_translate options...]
    local out=$1 kind=$2
    shift 2
    cat >"$WORK/src/$kind.vrt" <<EOF
<VRTDataset rasterXSize="60" rasterYSize="50">
  <SRS>EPSG:32722</SRS>
  <GeoTransform>478000, 100, 0, 6678000, 0, -100</GeoTransform>
  <VRTRasterBand dataType="Float32" band="1">
    <Description>$kind walk minutes to the nearest $kind</Description>
    <NoDataValue>-9999</NoDataValue>
    <SimpleSource>
      <SourceFilename relativeToVRT="1">values.tif</SourceFilename>
      <SourceBand>1</SourceBand>
    </SimpleSource>
  </VRTRasterBand>
</VRTDataset>
EOF
    # options given first win: GDAL takes the first of repeated -co keys
    gdal_translate -q "$@" -co TILED=YES -co COMPRESS=DEFLATE "$WORK/src/$kind.vrt" "$out"
}
gdal_create -q -of GTiff -outsize 60 50 -bands 1 -ot Float32 -burn 12.5 "$WORK/src/values.tif"
make_tif "$GOOD/baseline/clinic_walk_minutes.tif" clinic
make_tif "$GOOD/baseline/school_walk_minutes.tif" school

# ---- origins.csv, areas.geojson, summary.csv, manifest.json ------------------------------------
echo "a small input" >"$WORK/src/input.csv"
python3 - "$GOOD" "$WORK/src/input.csv" <<'PY'
import hashlib, json, os, sys
out, inp = sys.argv[1:3]
rows = [("h1", 100, "12.3", "3.50", "c1", "7.25", "s9"),
        ("h2", 0, "4.0", "11.00", "c2", "", ""),
        ("h3", 50, "", "", "", "", "")]
hdr = "origin_id,everyone,walk_snap_m,clinic_walk_minutes,clinic_walk_nearest_id,school_walk_minutes,school_walk_nearest_id"
with open(os.path.join(out, "baseline/origins.csv"), "w") as f:
    f.write(hdr + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
feats = []
for i, r in enumerate(rows):
    x, y = -51.20 + 0.01 * i, -30.05
    ring = [[x, y], [x + 0.005, y], [x + 0.005, y + 0.005], [x, y + 0.005], [x, y]]
    num = lambda v: float(v) if v else None
    props = dict(zip(hdr.split(","), [r[0], r[1], num(r[2]), num(r[3]), r[4] or None, num(r[5]), r[6] or None]))
    feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
with open(os.path.join(out, "baseline/areas.geojson"), "w") as f:
    json.dump({"type": "FeatureCollection", "features": feats}, f)
with open(os.path.join(out, "summary.csv"), "w") as f:
    f.write("scenario,service,mode,group,measure,value,baseline,delta\n")
    for k in ("clinic", "school"):
        for m in ("mean_minutes", "median_minutes", "share_within_15", "share_within_30", "unreachable_share"):
            f.write("baseline,%s,walk,everyone,%s,0.5,0.5,0\n" % (k, m))
data = open(inp, "rb").read()
json.dump({"tool": "accessim", "version": "0.1.0",
           "inputs": [{"path": os.path.abspath(inp), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}],
           "crs": "EPSG:32722", "counts": {"nodes": 10, "edges": 20}, "timings": {"total_s": 1.0}},
          open(os.path.join(out, "manifest.json"), "w"))
PY

# case_run NAME STATUS PATTERN [check_outputs options...]: runs the checker on $WORK/NAME
# (expected EPSG from $EPSG, default 32722) in the background, at most $JOBS at a time; the
# verdict goes to $WORK/NAME.result and is printed, in order, at the end.
JOBS=$(nproc 2>/dev/null || echo 2)
CASES=()
case_run() {
    local name=$1 want=$2 pattern=$3 epsg=${EPSG:-32722}
    shift 3
    CASES+=("$name")
    (
        got=0
        bash "$CHECK" "$WORK/$name" "$epsg" "$@" >"$WORK/$name.out" 2>&1 || got=$?
        if [[ $got -eq $want ]] && grep -qF -- "$pattern" "$WORK/$name.out"; then
            echo "PASS $name"
        else
            echo "FAIL $name: exit $got (want $want), output should contain '$pattern':"
            sed 's/^/    /' "$WORK/$name.out"
        fi >"$WORK/$name.result"
    ) &
    while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n || true; done
}
copy() { rm -rf "${WORK:?}/$1"; cp -r "$GOOD" "$WORK/$1"; }
edit() { # edit NAME FILE PYTHON-EXPR-ON-s: rewrites FILE (relative to the case) with s -> expr
    python3 - "$WORK/$1/$2" "$3" <<'PY'
import sys
p, expr = sys.argv[1:3]
s = open(p).read()
t = eval(expr)
assert t != s, "edit changed nothing"
open(p, "w").write(t)
PY
}

case_run good 0 "0 failed"
copy req_group && case_run req_group 1 "no column for group migrants" --require-groups everyone,migrants
copy req_kind && case_run req_kind 1 "no raster bus_<mode>_minutes.tif" --require-kinds clinic,bus
copy wrong_epsg && EPSG=32633 case_run wrong_epsg 1 "CRS is EPSG:32722, expected EPSG:32633"

T=baseline/clinic_walk_minutes.tif
copy strips && gdal_translate -q -co COMPRESS=DEFLATE "$WORK/src/clinic.vrt" "$WORK/strips/$T"
case_run strips 1 "not tiled"
copy lzw && make_tif "$WORK/lzw/$T" clinic -co COMPRESS=LZW
case_run lzw 1 "COMPRESSION=LZW, expected DEFLATE"
copy int16 && make_tif "$WORK/int16/$T" clinic -ot Int16
case_run int16 1 "band type Int16, expected Float32"
copy no_nodata && make_tif "$WORK/no_nodata/$T" clinic -a_nodata none
case_run no_nodata 1 "no nodata value set"
copy no_description && gdal_translate -q -co TILED=YES -co COMPRESS=DEFLATE -a_srs EPSG:32722 \
    -a_ullr 478000 6678000 484000 6673000 -a_nodata -9999 "$WORK/src/values.tif" "$WORK/no_description/$T"
case_run no_description 1 "band has no description"
copy all_nodata && make_tif "$WORK/all_nodata/$T" clinic -a_nodata 12.5
case_run all_nodata 1 "no valid pixels"
copy no_rasters && rm "$WORK"/no_rasters/baseline/*.tif
case_run no_rasters 1 "no *_minutes.tif rasters"

copy swapped && edit swapped baseline/areas.geojson 's.replace("[-51.", "[@@").replace(", -30.", ", -51.").replace("[@@", "[-30.")'
case_run swapped 1 "lat/lon swapped?"
copy gj_string && edit gj_string baseline/areas.geojson 's.replace("\"clinic_walk_minutes\": 3.5", "\"clinic_walk_minutes\": \"3.50\"")'
case_run gj_string 1 "mismatches with origins.csv"
copy gj_not_null && edit gj_not_null baseline/areas.geojson 's.replace("\"school_walk_minutes\": null", "\"school_walk_minutes\": 0", 1)'
case_run gj_not_null 1 "mismatches with origins.csv"
copy gj_crs && edit gj_crs baseline/areas.geojson 's.replace("{\"type\": \"FeatureCollection\",", "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::32722\"}},")'
case_run gj_crs 1 "is not EPSG:4326"
copy gj_missing && rm "$WORK/gj_missing/baseline/areas.geojson"
case_run gj_missing 1 "areas.geojson: missing"

copy csv_decimals && edit csv_decimals baseline/origins.csv 's.replace(",3.50,", ",3.5,")'
case_run csv_decimals 1 "not printed as %.2f"
copy csv_first && edit csv_first baseline/origins.csv 's.replace("origin_id,", "id,", 1)'
case_run csv_first 1 "expected origin_id"
copy csv_no_nearest && edit csv_no_nearest baseline/origins.csv 's.replace("school_walk_nearest_id", "school_nearest", 1)'
case_run csv_no_nearest 1 "<kind>_<mode>_minutes,<kind>_<mode>_nearest_id, got"

copy sum_header && edit sum_header summary.csv 's.replace("value,baseline,delta", "value,base,delta", 1)'
case_run sum_header 1 "summary.csv: header"
copy sum_measure && edit sum_measure summary.csv '"".join(l for l in s.splitlines(True) if "school,walk,everyone,median_minutes" not in l)'
case_run sum_measure 1 "missing measures"
copy sum_mode && edit sum_mode summary.csv 's.replace(",walk,", ",boat,", 1)'
case_run sum_mode 1 "expected walk, bike, car"
copy sum_kind && case_run sum_kind 1 "no rows for group everyone, service bus" --require-groups everyone --require-kinds bus

copy mf_invalid && edit mf_invalid manifest.json 's[:-1]'
case_run mf_invalid 1 "json.tool rejects it"
copy mf_timings && edit mf_timings manifest.json 's.replace("\"timings\"", "\"timing\"")'
case_run mf_timings 1 "no 'timings' key"
copy mf_sha && edit mf_sha manifest.json '__import__("re").sub("\"sha256\": \"[0-9a-f]", "\"sha256\": \"x", s)'
case_run mf_sha 1 "is not 64 lower-case hex digits"
copy mf_changed && edit mf_changed manifest.json 's.replace("\"size\": 14", "\"size\": 15")'
case_run mf_changed 1 "file has 14 bytes"
copy mf_crs && edit mf_crs manifest.json 's.replace("EPSG:32722", "EPSG:4326")'
case_run mf_crs 1 "'crs' missing or does not name EPSG:32722"
copy mf_tool_nested && edit mf_tool_nested manifest.json 's.replace("\"tool\": \"accessim\", \"version\": \"0.1.0\"", "\"tool\": {\"name\": \"accessim\", \"version\": \"0.1.0\"}")'
case_run mf_tool_nested 0 "0 failed"

wait
for name in "${CASES[@]}"; do
    if [[ -f $WORK/$name.result ]]; then
        cat "$WORK/$name.result"
        grep -q '^PASS' "$WORK/$name.result" || failed=1
    else
        echo "FAIL $name: no result"
        failed=1
    fi
done
if [[ $failed -ne 0 ]]; then
    echo "selftest_check_outputs: some cases FAILED"
    exit 1
fi
echo "selftest_check_outputs: all cases passed"
