#!/usr/bin/env bash
# Benchmark of the walking slice: wall time and peak memory (RSS) of `accessim run` on the
# Porto Alegre example and of `accessim demo`, at 1 and 2 threads, best of N runs.
#   tools/bench/walk.sh [ACCESSIM_BINARY] [RUNS]
# Prints a Markdown table for docs/PERFORMANCE.md. Never run as a test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${1:-$root/build/release/accessim}"
runs="${2:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
best() { # best wall time (s) and its max RSS (MB) over $runs runs of "$@"
    local b=999999 m=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1
        read -r s kb <"$tmp/t"
        if awk "BEGIN{exit !($s < $b)}"; then b=$s; m=$((kb / 1024)); fi
    done
    echo "$b $m"
}
echo "| job | threads | best wall time (s) | peak RSS (MB) |"
echo "|---|---|---|---|"
for t in 1 2; do
    read -r s m < <(best "$bin" run "$root/scenarios/examples/porto-alegre.yaml" -o "$tmp/poa" \
        --overwrite --quiet --threads "$t")
    echo "| run porto-alegre.yaml (1,227 origins, 43k OSM nodes) | $t | $s | $m |"
    read -r s m < <(best "$bin" demo -o "$tmp/demo" --overwrite --quiet --threads "$t")
    echo "| demo (generate city + run, 8.6k streets, 30 areas) | $t | $s | $m |"
done
