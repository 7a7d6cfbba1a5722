#!/usr/bin/env bash
# determinism.sh ACCESSIM CLI_DETERMINISM_SH HAND_DIR POA_EXAMPLE SHARED_DATA WORKDIR
#
# transit_determinism: walk + transit runs give the same bytes with --threads 1 and 2, on
#  - Hand Town (HAND_DIR, tests/transit/hand), copied to WORKDIR/hand with its GTFS folder
#    zipped, so that this test is about threads only (the folder form is transit_hand's);
#  - Porto Alegre: POA_EXAMPLE (scenarios/examples/porto-alegre-transit.yaml) copied to
#    WORKDIR/poa-transit-20min.yaml with its ../../../shared/data paths pointing at SHARED_DATA
#    and its window cut from 14:00-16:00 to 14:00-14:20 (about 20 s for both runs on 2 cores).
# Each is compared by tests/cli/determinism.sh (CLI_DETERMINISM_SH): every output file byte for
# byte, manifest.json without its timings and threads. Exits 1 on any difference or failure.
set -euo pipefail

if [[ $# -ne 6 ]]; then
    echo "usage: $0 ACCESSIM CLI_DETERMINISM_SH HAND_DIR POA_EXAMPLE SHARED_DATA WORKDIR" >&2
    exit 2
fi
ACCESSIM=$1 DET=$2 HAND=$3 POA=$4 DATA=$5 WORK=$6
rm -rf "$WORK"
mkdir -p "$WORK"

for f in poa/poa_osm.pbf poa/poa_eptc.zip poa/poa_trensurb.zip poa/poa_hexgrid.csv; do
    if [[ ! -f $DATA/$f ]]; then
        echo "FAIL: integration data missing: $DATA/$f does not exist. Configure with" \
             "-DACCESSIM_SHARED_DATA=<folder holding poa/>, or skip with \`ctest -LE integration\`."
        exit 1
    fi
done

# Hand Town with its feed zipped (members at the top of the zip).
cp -r "$HAND" "$WORK/hand"
(cd "$WORK/hand/gtfs" && python3 -m zipfile -c ../gtfs.zip ./*.txt)
rm -r "$WORK/hand/gtfs"
grep -q '^  feeds: gtfs$' "$WORK/hand/hand.yaml" || {
    echo "FAIL: $HAND/hand.yaml has no line '  feeds: gtfs'"
    exit 1
}
sed -i 's/^  feeds: gtfs$/  feeds: gtfs.zip/' "$WORK/hand/hand.yaml"

# Porto Alegre, 20 minutes of departures.
SCEN=$WORK/poa-transit-20min.yaml
if ! grep -q '\.\./\.\./\.\./shared/data' "$POA" || ! grep -q '^  window: "14:00-16:00"$' "$POA"; then
    echo "FAIL: $POA no longer has ../../../shared/data paths and window \"14:00-16:00\"" \
         "(update tests/transit/determinism.sh)"
    exit 1
fi
sed -e "s|\.\./\.\./\.\./shared/data|$DATA|g" \
    -e 's|^  window: "14:00-16:00"$|  window: "14:00-14:20"|' "$POA" >"$SCEN"

failed=0
for s in "$WORK/hand/hand.yaml" "$SCEN"; do
    name=$(basename "$s" .yaml)
    echo "== $name: --threads 1 and 2"
    start=$SECONDS
    if bash "$DET" "$ACCESSIM" "$s" "$WORK/runs-$name" 1 2; then
        echo "PASS $name ($((SECONDS - start)) s)"
    else
        echo "FAIL $name"
        failed=1
    fi
done
exit $failed
