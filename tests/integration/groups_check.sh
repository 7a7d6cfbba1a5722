#!/usr/bin/env bash
# Per-group layers on Porto Alegre, checked independently (issue 5: a group's own walking speed
# and its own eligible services). Needs the run in OUT and the walk exports GRAPH (everyone) and
# GRAPH_SLOW (`graph export --group slow`).
#   groups_check.sh REF_NEAREST OUT GRAPH GRAPH_SLOW HEXGRID_CSV
set -euo pipefail
ref=$1 out=$2 graph=$3 graph_slow=$4 hex=$5
origins=$out/baseline/origins.csv
# 1. everyone on the shared layers, at the profile's 4.5 km/h (1.25 m/s)
"$ref" --mode walk "$graph" "$origins" clinic school
# 2. group `slow` walks at 3.6 km/h (1.0 m/s): its own export, its own columns
"$ref" --mode walk --columns walk_slow --speed-mps 1.0 "$graph_slow" "$origins" clinic school
# 3. group `restricted` may use only clinics with healthcare >= 2: the eligible list comes from
#    the hexgrid file by awk, not from accessim; the other clinics are ordinary nodes
eligible=$(mktemp)
trap 'rm -f "$eligible"' EXIT
awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
         $col["healthcare"] >= 2 { print $col["id"] }' "$hex" > "$eligible"
echo "eligible clinics (healthcare >= 2): $(wc -l < "$eligible")"
"$ref" --mode walk --columns walk_restricted --only-services "$eligible" "$graph" "$origins" clinic
python3 - "$origins" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
differ = sum(r["clinic_walk_minutes"] != r["clinic_walk_restricted_minutes"] for r in rows)
slower = sum(bool(r["clinic_walk_minutes"]) and bool(r["clinic_walk_slow_minutes"]) and
             float(r["clinic_walk_slow_minutes"]) < float(r["clinic_walk_minutes"]) for r in rows)
print(f"restricted differs from everyone at {differ} origins; slow faster than everyone at {slower}")
sys.exit(0 if differ > 100 and slower == 0 else 1)
PY
# 4. summary rows of the groups' own layers: means, shares and gaps against the rest
here=$(dirname "$0")
python3 "$here/check_group_gaps.py" "$out" clinic walk slow jobs population "$hex"
python3 "$here/check_group_gaps.py" "$out" clinic walk restricted jobs population "$hex"
python3 "$here/check_group_gaps.py" "$out" clinic car restricted jobs population "$hex"
