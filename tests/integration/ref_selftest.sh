#!/usr/bin/env bash
# ref_selftest.sh REF_NEAREST FIXTURE_DIR WORKDIR
#
# Runs ref_nearest on the hand-checked tiny graph (FIXTURE_DIR = tests/integration/ref_tiny) and
# on mutated copies of it written under WORKDIR. Each case states the exit status it must give
# (0 pass, 1 a check failed, 2 unreadable/malformed input) and a line its output must contain,
# so a mutation is caught by the check meant to catch it (not by a crash or a usage error).
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 REF_NEAREST FIXTURE_DIR WORKDIR" >&2
    exit 2
fi
REF=$1 FIX=$2 WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
failed=0

# new_case NAME: a fresh copy of the fixture in $WORK/NAME; sets $D.
new_case() {
    D=$WORK/$1
    mkdir -p "$D"
    cp "$FIX/nodes.csv" "$FIX/edges.csv" "$FIX/origins.csv" "$D/"
}

# expect NAME STATUS PATTERN [ref_nearest options...]: runs on $D, checks status and output.
# A case whose name does not start with `good`, `vacuous` or `speed` must have changed a file
# (so a sed that silently matched nothing cannot pass as a mutation).
expect() {
    local name=$1 want=$2 pattern=$3 got=0 f changed=0
    shift 3
    for f in nodes.csv edges.csv origins.csv; do
        [[ -f $D/$f ]] && cmp -s "$FIX/$f" "$D/$f" || changed=1
    done
    if [[ $changed -eq 0 && ! $name =~ ^(good|vacuous|speed) ]]; then
        echo "FAIL $name: the mutation changed nothing (fix the test)"
        failed=1
        return
    fi
    "$REF" "$@" "$D" "$D/origins.csv" clinic school >"$D/out.txt" 2>&1 || got=$?
    if [[ $got -eq $want ]] && grep -qF -- "$pattern" "$D/out.txt"; then
        echo "PASS $name (exit $got, '$pattern')"
    else
        echo "FAIL $name: exit $got (want $want), output should contain '$pattern':"
        sed 's/^/    /' "$D/out.txt"
        failed=1
    fi
}

share=(--min-finite-share 0.5) # 3/4 origins reach a clinic, 2/4 a school

new_case good
expect good 0 "RESULT: PASS" "${share[@]}"

new_case crlf
sed -i 's/$/\r/' "$D/origins.csv" "$D/nodes.csv"
expect crlf 0 "RESULT: PASS" "${share[@]}"

new_case rounding_tie_low # A -> school is exactly 1.235 min: 1.23 is as right as 1.24
sed -i 's/^A,\(.*\),1\.24,s1$/A,\1,1.23,s1/' "$D/origins.csv"
grep -q '^A,.*,1\.23,s1$' "$D/origins.csv"
expect rounding_tie_low 0 "RESULT: PASS" "${share[@]}"

new_case tie_other_school # s1 and s2 are equally near B: naming s1 is fine too
sed -i 's/^\(B,.*\),s2$/\1,s1/' "$D/origins.csv"
expect tie_other_school 0 "RESULT: PASS" "${share[@]}"

new_case vacuous # the default guard: fewer than 90 % of origins with a finite time
expect vacuous 1 "FAIL coverage"

new_case all_empty
printf 'origin_id,everyone,walk_snap_m,clinic_walk_minutes,clinic_walk_nearest_id,school_walk_minutes,school_walk_nearest_id\n' >"$D/origins.csv"
expect all_empty 1 "FAIL coverage" "${share[@]}"

new_case wrong_minutes # reference 2.7383 min; 2.75 is the nearest wrong two-decimal value
sed -i 's/^A,\(.*\),2\.74,c1,/A,\1,2.75,c1,/' "$D/origins.csv"
expect wrong_minutes 1 "FAIL nearest" "${share[@]}"

new_case empty_but_reachable
sed -i 's/^\(B,.*\),3\.31,s2$/\1,,/' "$D/origins.csv"
expect empty_but_reachable 1 "FAIL nearest" "${share[@]}"

new_case printed_but_unreachable # C's component has no school
sed -i 's/^\(C,.*\),,$/\1,9.99,s1/' "$D/origins.csv"
expect printed_but_unreachable 1 "FAIL nearest" "${share[@]}"

new_case printed_without_node # D has no node, so every time must be empty
sed -i 's/^\("D.*"\),50,,,,,$/\1,50,,1.00,c1,,/' "$D/origins.csv"
expect printed_without_node 1 "FAIL nearest" "${share[@]}"

new_case wrong_nearest_id # c2 is in the other component
sed -i 's/^\(A,.*\),2\.74,c1,/\1,2.74,c2,/' "$D/origins.csv"
expect wrong_nearest_id 1 "FAIL nearest" "${share[@]}"

new_case snap_empty
sed -i 's/^A,100,22\.2,/A,100,,/' "$D/origins.csv"
expect snap_empty 1 "FAIL snap" "${share[@]}"

new_case snap_wrong
sed -i 's/^A,100,22\.2,/A,100,50.0,/' "$D/origins.csv"
expect snap_wrong 1 "FAIL snap" "${share[@]}"

new_case duplicate_origin
grep '^A,' "$FIX/origins.csv" >>"$D/origins.csv"
expect duplicate_origin 1 "FAIL format" "${share[@]}"

new_case geodesic # 4-7 is on no shortest path: only the geodesic check can see this
sed -i 's/^4,7,38\.6$/4,7,40.6/; s/^7,4,38\.6$/7,4,40.6/' "$D/edges.csv"
expect geodesic 1 "FAIL geodesic" "${share[@]}"

new_case speed
expect speed 1 "FAIL geodesic" "${share[@]}" --speed-mps 1.4

new_case one_way
sed -i '/^7,4,38\.6$/d' "$D/edges.csv"
expect one_way 1 "FAIL symmetry" "${share[@]}"

new_case unequal_reverse
sed -i 's/^7,4,38\.6$/7,4,38.7/' "$D/edges.csv"
expect unequal_reverse 1 "FAIL symmetry" "${share[@]}"

new_case not_tenths
sed -i 's/^4,7,38\.6$/4,7,38.65/; s/^7,4,38\.6$/7,4,38.65/' "$D/edges.csv"
expect not_tenths 1 "FAIL format" "${share[@]}"

new_case two_connectors # origin A gets a second arc, straight to street node 1
printf '8,1,40.0\n1,8,40.0\n' >>"$D/edges.csv"
expect two_connectors 1 "FAIL connector" "${share[@]}"

new_case connector_length
sed -i 's/^8,6,17\.7$/8,6,27.7/; s/^6,8,17\.7$/6,8,27.7/' "$D/edges.csv"
expect connector_length 1 "FAIL connector" "${share[@]}"

new_case missing_column
cut -d, -f1,2,4- "$D/origins.csv" >"$D/o.csv" && mv "$D/o.csv" "$D/origins.csv"
expect missing_column 2 "no column 'walk_snap_m'" "${share[@]}"

new_case sparse_node_ids
sed -i 's/^14,/15,/' "$D/nodes.csv"
expect sparse_node_ids 2 "dense and 0-based" "${share[@]}"

new_case missing_graph
rm "$D/edges.csv"
expect missing_graph 2 "cannot open" "${share[@]}"

if [[ $failed -ne 0 ]]; then
    echo "ref_selftest: some cases FAILED"
    exit 1
fi
echo "ref_selftest: all cases passed"
