#!/usr/bin/env bash
# The public-transit benchmark (issue 4): builds the release preset and runs
# accessim-bench-transit on the reference job (scenarios/examples/porto-alegre-transit.yaml:
# 1,227 x 1,227, 120 departures from 14:00 on 2019-05-13, percentiles 5/25/50/75/95, trips of at
# most 120 min), then times the CLI itself on the same job. Prints Markdown for
# docs/PERFORMANCE.md. Never a test: timings depend on the machine; run it on a quiet machine.
#
#   tools/bench/transit.sh [--threads LIST] [--reps R] [--sample N] [--no-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads=1,2
reps=3
sample=200
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --threads) threads=$2; shift ;;
    --reps) reps=$2; shift ;;
    --sample) sample=$2; shift ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--threads LIST] [--reps R] [--sample N] [--no-build]" >&2; exit 2 ;;
    esac
    shift
done
cd "$root"
if [ "$build" = 1 ]; then
    cmake --preset release >/dev/null
    cmake --build --preset release -j2 --target accessim accessim-bench-transit >/dev/null
fi
job=scenarios/examples/porto-alegre-transit.yaml
echo "## Transit benchmark — $(date -u +%Y-%m-%d), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
build/release/tools/bench/accessim-bench-transit "$job" --threads "$threads" --reps "$reps" \
    --sample "$sample"
echo
echo "### The CLI on the reference job (accessim matrix --mode transit --to origins)"
echo
echo "| threads | wall s | max RSS MB |"
echo "|---|---|---|"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
IFS=, read -ra ths <<<"$threads"
for t in "${ths[@]}"; do
    if [ -x /usr/bin/time ]; then # Debian package `time`: wall time and max RSS
        /usr/bin/time -f "%e %M" -o "$out/time" build/release/accessim matrix "$job" \
            --mode transit --to origins -o "$out/ttm.csv" --overwrite --quiet --threads "$t"
        read -r wall kb <"$out/time"
        echo "| $t | $wall | $((kb / 1024)) |"
    else
        s0=$(date +%s.%N)
        build/release/accessim matrix "$job" --mode transit --to origins -o "$out/ttm.csv" \
            --overwrite --quiet --threads "$t"
        echo "| $t | $(echo "$(date +%s.%N) - $s0" | bc) | (install 'time') |"
    fi
done
echo
echo "rows written: $(($(wc -l <"$out/ttm.csv") - 1))"
