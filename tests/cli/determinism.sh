#!/usr/bin/env bash
# determinism.sh ACCESSIM SCENARIO WORKDIR [THREADS_A THREADS_B]
#
# Runs SCENARIO with --threads THREADS_A (default 1) and THREADS_B (default 2), each into the
# same path WORKDIR/out (so recorded paths agree) and then moved aside, and compares the two
# folders: the same files, every file byte for byte, except manifest.json, compared as JSON
# without its `timings` and `threads` keys (at any depth). Exits 1 on any difference.
set -euo pipefail

if [[ $# -ne 3 && $# -ne 5 ]]; then
    echo "usage: $0 ACCESSIM SCENARIO WORKDIR [THREADS_A THREADS_B]" >&2
    exit 2
fi
ACCESSIM=$1 SCENARIO=$2 WORK=$3 TA=${4:-1} TB=${5:-2}
rm -rf "$WORK"
mkdir -p "$WORK"
for t in "$TA" "$TB"; do
    rc=0
    "$ACCESSIM" run "$SCENARIO" -o "$WORK/out" --threads "$t" --quiet || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "FAIL: accessim run $SCENARIO --threads $t exited with $rc"
        exit 1
    fi
    mv "$WORK/out" "$WORK/threads-$t"
done
A=$WORK/threads-$TA B=$WORK/threads-$TB

python3 "$(dirname "$0")/compare_outputs.py" "$A" "$B"
