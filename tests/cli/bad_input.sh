#!/usr/bin/env bash
# bad_input.sh ACCESSIM SRC_DIR WORKDIR
#
# Bad input and usage must fail cleanly: exit status 2, exactly one line on stderr that starts
# with `accessim <command>: ` and names the problem (file, line:col, field, feature), no output
# folder left behind if there was none before, and no *.tmp* leftovers next to it.
#
# SRC_DIR is a folder written by `accessim demo` (it needs SRC_DIR/inputs/{streets,
# neighbourhoods,services}.gpkg). The inputs are copied to WORKDIR (wiped first) and every
# broken scenario and file is made there, from scenario files written here against the schema
# in scenarios/config.h. Two control scenarios must validate and run, so that each failure below
# is caused by its one mutation. Prints PASS/FAIL per case; exits 1 if any case failed.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 ACCESSIM SRC_DIR WORKDIR" >&2
    exit 2
fi
ACCESSIM=$1 SRC=$2 WORK=$3
for f in streets neighbourhoods services; do
    if [[ ! -f $SRC/inputs/$f.gpkg ]]; then
        echo "bad_input: $SRC/inputs/$f.gpkg is missing (run \`accessim demo -o $SRC\` first)" >&2
        exit 2
    fi
done
rm -rf "$WORK"
mkdir -p "$WORK/logs"
# Absolute paths, since the script works from inside WORKDIR.
WORK=$(cd "$WORK" && pwd) SRC=$(cd "$SRC" && pwd)
[[ $ACCESSIM != */* ]] || ACCESSIM=$(cd "$(dirname "$ACCESSIM")" && pwd)/$(basename "$ACCESSIM")
cp -r "$SRC/inputs" "$WORK/inputs"
cd "$WORK" # scenario paths below are relative to the scenario files, which live here
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout 300)
failed=0

# ---- fixture data -------------------------------------------------------------------------------
# A numeric population field of the demo neighbourhoods (the one demo.yaml uses for `everyone`
# if it can be read from there, else the first Integer/Real field).
fields=$(ogrinfo -ro -so -al inputs/neighbourhoods.gpkg | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\): \(Integer\|Integer64\|Real\) .*/\1/p')
POP_FIELD=""
if [[ -f $SRC/demo.yaml ]]; then
    want=$(sed -n 's/.*everyone: *\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$SRC/demo.yaml" | head -n1)
    if [[ -n $want ]] && grep -qx -- "$want" <<<"$fields"; then POP_FIELD=$want; fi
fi
[[ -n $POP_FIELD ]] || POP_FIELD=$(head -n1 <<<"$fields")
if [[ -z $POP_FIELD ]]; then
    echo "bad_input: SETUP FAIL: no numeric field in inputs/neighbourhoods.gpkg" >&2
    exit 1
fi

# Services and population as lon/lat CSV files (ids and values under our control): the demo's
# service points, and origins 20-30 m from them (so they surely attach to the network).
ogr2ogr -f CSV -t_srs EPSG:4326 -lco GEOMETRY=AS_XY svc_raw.csv inputs/services.gpkg
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("svc_raw.csv", newline="")))
assert rows, "inputs/services.gpkg has no features"
pts = [(float(r["X"]), float(r["Y"])) for r in rows]
assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in pts), "bad lon/lat"
with open("svc.csv", "w", newline="") as f:
    f.write("sid,lon,lat\n")
    for i, (x, y) in enumerate(pts):
        f.write("svc%d,%.7f,%.7f\n" % (i + 1, x, y))
with open("svc_far.csv", "w", newline="") as f:  # one more, 50 km north of the first
    f.write(open("svc.csv").read())
    f.write("far_away_clinic,%.7f,%.7f\n" % (pts[0][0], pts[0][1] + 50000 / 111130.0))
for name, bad in (("pop.csv", None), ("pop_abc.csv", 1)):
    with open(name, "w", newline="") as f:
        f.write("id,lon,lat,residents\n")
        for i, (x, y) in enumerate(pts[:20]):
            f.write("o%d,%.7f,%.7f,%s\n" % (i + 1, x + 0.0002, y + 0.0001, "abc" if i == bad else 100 + i))
PY
ogr2ogr -f GPKG -where FALSE streets_empty.gpkg inputs/streets.gpkg
mkdir -p nocrs
ogr2ogr -f "ESRI Shapefile" nocrs/streets_nocrs.shp inputs/streets.gpkg
rm -f nocrs/streets_nocrs.prj
echo "this is a file, not a folder" >afile

# ---- scenario files (schema: scenarios/config.h) ---------------------------------------------------
scenario() { # scenario FILE NETWORK POPULATION-BLOCK SERVICES-BLOCK [EXTRA-NETWORK-LINE]
    {
        echo "name: ${1%.yaml}"
        echo "network:"
        echo "  source: $2"
        [[ -n ${5:-} ]] && echo "  $5"
        echo "population:"
        echo "$3"
        echo "services:"
        echo "$4"
    } >"$1"
}
POP_GPKG="  source: inputs/neighbourhoods.gpkg
  groups: { everyone: $POP_FIELD }"
POP_CSV="  source: pop.csv
  id: id
  lon: lon
  lat: lat
  groups: { everyone: residents }"
SVC_GPKG="  clinic: { source: inputs/services.gpkg }"
SVC_CSV="  clinic: { source: svc.csv, id: sid, lon: lon, lat: lat }"

scenario base.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
scenario base_csv.yaml inputs/streets.gpkg "$POP_CSV" "$SVC_CSV"
# line 4 is the misspelt key (walk_speed_kmh)
scenario unknown_key.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG" "walk_sped_kmh: 4.5"
scenario missing_file.yaml inputs/streets.gpkg "$POP_GPKG" "  clinic: { source: inputs/no_such_services.gpkg }"
scenario missing_field.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: no_such_pop_field }" "$SVC_GPKG"
scenario non_numeric.yaml inputs/streets.gpkg "${POP_CSV/pop.csv/pop_abc.csv}" "$SVC_CSV"
scenario empty_layer.yaml streets_empty.gpkg "$POP_GPKG" "$SVC_GPKG"
scenario no_crs.yaml nocrs/streets_nocrs.shp "$POP_GPKG" "$SVC_GPKG"
scenario far_service.yaml inputs/streets.gpkg "$POP_CSV" "${SVC_CSV/svc.csv/svc_far.csv}"
# modes and profiles (issue 3): an unknown mode, an unknown profile key, a zero speed, a group
# limited to a mode the network does not enable
scenario unknown_mode.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG" "modes: [walk, hovercraft]"
scenario bad_profile_key.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'profiles:\n  bike: { sped_kmh: 12 }\n' >>bad_profile_key.yaml
scenario zero_speed.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'profiles:\n  walk: { speed_kmh: 0 }\n' >>zero_speed.yaml
scenario group_mode.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: { field: $POP_FIELD, modes: [car] } }" "$SVC_GPKG" "modes: [walk]"
# measures (issue 5): unknown measure, unknown decay, beta <= 0, negative cutoff, a demand group
# the population lacks, a negative capacity
scenario unknown_measure.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'measures: [nearest, { cumulativ: 30 }]\n' >>unknown_measure.yaml
scenario unknown_decay.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'measures:\n  - { gravity: { decay: exponentail, decay_value: 0.1 } }\n' >>unknown_decay.yaml
scenario zero_beta.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'measures:\n  - { gravity: { decay: exponential, decay_value: 0 } }\n' >>zero_beta.yaml
scenario negative_cutoff.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'measures:\n  - { cumulative: -30 }\n' >>negative_cutoff.yaml
scenario demand_group.yaml inputs/streets.gpkg "$POP_GPKG" "$SVC_GPKG"
printf 'measures:\n  - { fca2: { cutoff: 30, demand: refugees } }\n' >>demand_group.yaml
awk -F, 'NR == 1 {print $0 ",cap"; next} {print $0 "," (NR == 2 ? -3 : 2)}' svc.csv >svc_negcap.csv
scenario negative_capacity.yaml inputs/streets.gpkg "$POP_CSV" "  clinic: { source: svc_negcap.csv, id: sid, lon: lon, lat: lat, capacity: cap }"
# groups (issue 5): a zero walking speed, an eligibility condition on a field the services lack,
# eligibility for a kind no service has
scenario group_speed.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: { field: $POP_FIELD, walk_speed_kmh: 0 } }" "$SVC_GPKG"
scenario group_eligible_field.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: { field: $POP_FIELD, eligible: \"languages LIKE '%ar%'\" } }" "$SVC_GPKG"
scenario group_eligible_kind.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: { field: $POP_FIELD, eligible: { clinc: \"capacity > 1\" } } }" "$SVC_GPKG"
# two independent problems: validate must report both, not stop at the first
scenario two_problems.yaml inputs/streets.gpkg "  source: inputs/neighbourhoods.gpkg
  groups: { everyone: no_such_pop_field }" "  clinic: { source: inputs/no_such_services.gpkg }"
cat >invalid_yaml.yaml <<EOF
name: invalid-yaml
network:
  source: inputs/streets.gpkg
population: { source: inputs/neighbourhoods.gpkg, groups: { everyone: $POP_FIELD }
services:
  clinic: { source: inputs/services.gpkg }
EOF

# ---- checks -------------------------------------------------------------------------------------
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }

# bad NAME OUTDIR COMMAND PATTERN... -- ARGS...: runs accessim ARGS; wants exit 2, one stderr line
# `accessim COMMAND: ...` (COMMAND is an extended regex too) matching every PATTERN (extended
# regexes), OUTDIR absent afterwards (or unchanged if it existed; "" = no output involved), and
# no *.tmp* next to OUTDIR.
bad() {
    local name=$1 out=$2 cmd=$3 rc=0 p
    shift 3
    local pats=()
    while [[ $1 != -- ]]; do pats+=("$1"); shift; done
    shift
    local existed=0 before=""
    if [[ -n $out && -e $out ]]; then existed=1; before=$(snapshot "$out"); fi
    "${TIMEOUT[@]}" "$ACCESSIM" "$@" >"logs/$name.stdout" 2>"logs/$name.stderr" || rc=$?
    local err=logs/$name.stderr problems=()
    [[ $rc -eq 2 ]] || problems+=("exit status $rc, expected 2")
    local n
    n=$(grep -c . "$err" || true)
    [[ $n -eq 1 ]] || problems+=("$n non-empty lines on stderr, expected 1")
    grep -qE "^accessim $cmd: " "$err" || problems+=("stderr does not start with 'accessim $cmd: '")
    for p in "${pats[@]}"; do
        grep -qE -- "$p" "$err" || problems+=("stderr does not match /$p/")
    done
    if [[ -n $out ]]; then
        if [[ $existed -eq 0 && -e $out ]]; then
            problems+=("output $out exists afterwards")
        elif [[ $existed -eq 1 && $before != "$(snapshot "$out")" ]]; then
            problems+=("existing output $out was changed")
        fi
        local dir leftovers=()
        dir=$(dirname "$out")
        while [[ ! -d $dir ]]; do dir=$(dirname "$dir"); done
        mapfile -t leftovers < <(find "$dir" -maxdepth 1 -name '*.tmp*')
        if [[ ${#leftovers[@]} -gt 0 ]]; then
            problems+=("leftovers: ${leftovers[*]}")
            rm -rf "${leftovers[@]}" # so they are not blamed on the next case
        fi
        [[ $existed -eq 1 ]] || rm -rf "$out"
    fi
    report "$name" "$@"
}

# bad_validate NAME PATTERN... -- SCENARIO: `accessim validate` must exit 2 and print the
# problem (on stdout or stderr: validate's report format is its own).
bad_validate() {
    local name=$1 rc=0 p problems=()
    shift
    local pats=()
    while [[ $1 != -- ]]; do pats+=("$1"); shift; done
    shift
    "${TIMEOUT[@]}" "$ACCESSIM" validate "$1" >"logs/$name.stdout" 2>"logs/$name.stderr" || rc=$?
    [[ $rc -eq 2 ]] || problems+=("exit status $rc, expected 2")
    for p in "${pats[@]}"; do
        cat "logs/$name.stdout" "logs/$name.stderr" | grep -qE -- "$p" || problems+=("output does not match /$p/")
    done
    report "$name" validate "$1"
}

# good NAME ARGS...: a control that must succeed.
good() {
    local name=$1 rc=0 problems=()
    shift
    "${TIMEOUT[@]}" "$ACCESSIM" "$@" >"logs/$name.stdout" 2>"logs/$name.stderr" || rc=$?
    [[ $rc -eq 0 ]] || problems+=("exit status $rc, expected 0 (control: the inputs themselves must be fine)")
    report "$name" "$@"
}

report() { # uses the caller's `problems`
    local name=$1
    shift
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "PASS $name"
    else
        failed=1
        echo "FAIL $name: accessim $*"
        printf '    - %s\n' "${problems[@]}"
        sed 's/^/    stderr: /' "logs/$name.stderr" | head -n 5
    fi
}

O=$WORK/out # every run writes (or must not write) under here

# Controls: the unmutated scenarios are fine.
good control_validate validate base.yaml
good control_validate_csv validate base_csv.yaml
good control_run run base.yaml -o "$O-control" --quiet
good control_run_csv run base_csv.yaml -o "$O-control-csv" --quiet
rm -rf "$O-control" "$O-control-csv"

# Scenario files and data.
bad invalid_yaml "$O-invalid_yaml" run 'invalid_yaml\.yaml:[0-9]+:[0-9]+' -- run invalid_yaml.yaml -o "$O-invalid_yaml" --quiet
bad unknown_key "$O-unknown_key" run 'unknown_key\.yaml:4:[0-9]+' 'walk_sped_kmh' 'did you mean' \
    -- run unknown_key.yaml -o "$O-unknown_key" --quiet
bad missing_file "$O-missing_file" run 'inputs/no_such_services\.gpkg' -- run missing_file.yaml -o "$O-missing_file" --quiet
bad missing_field "$O-missing_field" run 'no_such_pop_field' -- run missing_field.yaml -o "$O-missing_field" --quiet
bad group_speed "$O-group_speed" run 'group_speed\.yaml:[0-9]+:[0-9]+' 'walk_speed_kmh' -- run group_speed.yaml -o "$O-group_speed" --quiet
bad group_eligible_field "$O-group_eligible_field" run 'services\.gpkg' "group 'everyone' eligibility" 'languages' -- run group_eligible_field.yaml -o "$O-group_eligible_field" --quiet
bad group_eligible_kind "$O-group_eligible_kind" run 'group_eligible_kind\.yaml:[0-9]+:[0-9]+' "'clinc'" 'kinds: clinic' -- run group_eligible_kind.yaml -o "$O-group_eligible_kind" --quiet
bad non_numeric "$O-non_numeric" run 'pop_abc\.csv' 'residents' -- run non_numeric.yaml -o "$O-non_numeric" --quiet
bad empty_layer "$O-empty_layer" run 'streets_empty\.gpkg' -- run empty_layer.yaml -o "$O-empty_layer" --quiet
bad no_crs "$O-no_crs" run 'streets_nocrs\.shp' -- run no_crs.yaml -o "$O-no_crs" --quiet
bad far_service "$O-far_service" run 'far_away_clinic' -- run far_service.yaml -o "$O-far_service" --quiet
bad no_scenario "$O-no_scenario" run 'no_such_scenario\.yaml' -- run no_such_scenario.yaml -o "$O-no_scenario" --quiet

# The same data problems through `validate`.
bad_validate validate_invalid_yaml 'invalid_yaml\.yaml:[0-9]+:[0-9]+' -- invalid_yaml.yaml
bad_validate validate_unknown_key 'unknown_key\.yaml:4:[0-9]+' 'did you mean' -- unknown_key.yaml
bad_validate validate_missing_file 'inputs/no_such_services\.gpkg' -- missing_file.yaml
bad_validate validate_missing_field 'no_such_pop_field' -- missing_field.yaml
bad_validate validate_non_numeric 'pop_abc\.csv' 'residents' -- non_numeric.yaml
bad_validate validate_empty_layer 'streets_empty\.gpkg' -- empty_layer.yaml
bad_validate validate_no_crs 'streets_nocrs\.shp' -- no_crs.yaml
bad_validate validate_far_service 'far_away_clinic' -- far_service.yaml
bad_validate validate_two_problems 'no_such_pop_field' 'inputs/no_such_services\.gpkg' '2 problems' -- two_problems.yaml

# Output folder and usage.
bad unwritable_output "$WORK/afile/out" run 'afile' -- run base_csv.yaml -o "$WORK/afile/out" --quiet
[[ -f afile ]] || { echo "FAIL unwritable_output: afile was removed or replaced"; failed=1; }
mkdir -p "$O-exists" && echo keep >"$O-exists/marker.txt"
bad exists_no_overwrite "$O-exists" run 'overwrite' -- run base_csv.yaml -o "$O-exists" --quiet
bad unknown_option "$O-unknown_option" run 'frobnicate' -- run base_csv.yaml -o "$O-unknown_option" --quiet --frobnicate
bad missing_arguments "" run -- run
bad missing_option_value "" run '-o' -- run base_csv.yaml --quiet -o
bad bad_threads "$O-bad_threads" run 'threads' -- run base_csv.yaml -o "$O-bad_threads" --quiet --threads zero
bad unknown_mode "$O-unknown_mode" run 'unknown_mode\.yaml:[0-9]+:[0-9]+' 'hovercraft' -- run unknown_mode.yaml -o "$O-unknown_mode" --quiet
bad bad_profile_key "$O-bad_profile_key" run 'bad_profile_key\.yaml:[0-9]+:[0-9]+' 'sped_kmh' -- run bad_profile_key.yaml -o "$O-bad_profile_key" --quiet
bad zero_speed "$O-zero_speed" run 'zero_speed\.yaml:[0-9]+:[0-9]+' 'speed_kmh' -- run zero_speed.yaml -o "$O-zero_speed" --quiet
bad group_mode "$O-group_mode" run 'group_mode\.yaml:[0-9]+:[0-9]+' 'car' -- run group_mode.yaml -o "$O-group_mode" --quiet
bad unknown_measure "$O-unknown_measure" run 'unknown_measure\.yaml:[0-9]+:[0-9]+' 'cumulativ' -- run unknown_measure.yaml -o "$O-unknown_measure" --quiet
bad unknown_decay "$O-unknown_decay" run 'unknown_decay\.yaml:[0-9]+:[0-9]+' 'exponentail' -- run unknown_decay.yaml -o "$O-unknown_decay" --quiet
bad zero_beta "$O-zero_beta" run 'zero_beta\.yaml:[0-9]+:[0-9]+' 'decay_value' -- run zero_beta.yaml -o "$O-zero_beta" --quiet
bad negative_cutoff "$O-negative_cutoff" run 'negative_cutoff\.yaml:[0-9]+:[0-9]+' 'cutoff|-30' -- run negative_cutoff.yaml -o "$O-negative_cutoff" --quiet
bad demand_group "$O-demand_group" run 'demand_group\.yaml:[0-9]+:[0-9]+' 'refugees' -- run demand_group.yaml -o "$O-demand_group" --quiet
bad negative_capacity "$O-negative_capacity" run 'svc_negcap\.csv' 'cap' -- run negative_capacity.yaml -o "$O-negative_capacity" --quiet
printf 'from_id,to_id,travel_time_p50\no1,svc1,abc\n' >ext_bad_time.csv
printf 'origin,destination,minutes\no1,svc1,3\n' >ext_bad_cols.csv
bad measure_no_matrix "$O-measure1" measure 'matrix' -- measure base_csv.yaml -o "$O-measure1"
bad measure_bad_time "$O-measure2" measure 'ext_bad_time\.csv:2' 'travel_time_p50 .abc' -- measure base_csv.yaml --matrix ext_bad_time.csv -o "$O-measure2" --quiet
bad measure_bad_columns "$O-measure3" measure 'ext_bad_cols\.csv' 'from_id' -- measure base_csv.yaml --matrix ext_bad_cols.csv -o "$O-measure3" --quiet
bad measure_missing_matrix "$O-measure4" measure 'no_such_matrix\.csv' -- measure base_csv.yaml --matrix no_such_matrix.csv -o "$O-measure4" --quiet
bad matrix_bad_mode "$O-matrix.csv" matrix 'teleport' -- matrix base_csv.yaml --mode teleport -o "$O-matrix.csv"
bad matrix_mode_not_enabled "$O-matrix2.csv" matrix 'car' -- matrix base_csv.yaml --mode car -o "$O-matrix2.csv" --quiet
bad matrix_bad_cutoff "$O-matrix3.csv" matrix 'cutoff' -- matrix base_csv.yaml --mode walk --cutoff -5 -o "$O-matrix3.csv"
bad export_bad_mode "$O-export_bad_mode" 'graph( export)?' 'teleport' -- graph export base_csv.yaml --mode teleport -o "$O-export_bad_mode"

echo "logs: $WORK/logs"
if [[ $failed -ne 0 ]]; then
    echo "bad_input: some cases FAILED"
    exit 1
fi
echo "bad_input: all cases passed"
