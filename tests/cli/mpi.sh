#!/usr/bin/env bash
# mpi.sh ACCESSIM WORKDIR [RANKS]: the demo run by one process and by `mpirun -n RANKS`
# (default 2; --oversubscribe, and --allow-run-as-root when run as root, as in CI) into the
# same path, then compared file by file (compare_outputs.py): an MPI run must give the bytes
# of a one-process run.
set -euo pipefail
ACCESSIM=$1 WORK=$2 RANKS=${3:-2}
rm -rf "$WORK"
mkdir -p "$WORK"
extra=(--oversubscribe)
[[ $(id -u) -eq 0 ]] && extra+=(--allow-run-as-root)
"$ACCESSIM" demo -o "$WORK/out" --quiet --threads 1 >/dev/null
mv "$WORK/out" "$WORK/one"
rc=0
mpirun -n "$RANKS" "${extra[@]}" "$ACCESSIM" demo -o "$WORK/out" --quiet --threads 1 \
    >"$WORK/mpi.log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "FAIL: mpirun -n $RANKS accessim demo exited with $rc"
    cat "$WORK/mpi.log"
    exit 1
fi
mv "$WORK/out" "$WORK/ranks-$RANKS"
python3 "$(dirname "$0")/compare_outputs.py" "$WORK/one" "$WORK/ranks-$RANKS"
