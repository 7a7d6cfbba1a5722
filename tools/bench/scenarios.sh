#!/usr/bin/env bash
# The scenario-runner benchmark (issue 6). Never a test: timings depend on the machine.
#  1. Porto Alegre (scenarios/examples/porto-alegre.yaml: walk, bike, car, 9 measures): the
#     baseline against five one-change scenarios (add one clinic, move one, double one's
#     capacity, 800 people at one hexagon, no change), each timed by the run's own manifest
#     (route_s: routing + measures; total_s: with its folder written), best of R runs.
#  2. The demo city run by one process and by `mpirun -n 2` (an MPI build, -DACCESSIM_MPI=ON,
#     in build/mpi), wall time, best of R.
# Prints Markdown for docs/PERFORMANCE.md.
#
#   tools/bench/scenarios.sh [--reps R] [--threads N] [--no-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
reps=3
threads=2
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --reps) reps=$2; shift ;;
    --threads) threads=$2; shift ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--reps R] [--threads N] [--no-build]" >&2; exit 2 ;;
    esac
    shift
done
cd "$root"
data="${ACCESSIM_SHARED_DATA:-$root/../shared/data}"
[ -f "$data/poa/poa_hexgrid.csv" ] || { echo "no $data/poa/poa_hexgrid.csv" >&2; exit 1; }
if [ "$build" = 1 ]; then
    cmake --preset release >/dev/null
    cmake --build --preset release -j2 --target accessim >/dev/null
    cmake -S . -B build/mpi -DCMAKE_BUILD_TYPE=Release -DACCESSIM_MPI=ON -DBUILD_TESTING=OFF >/dev/null
    cmake --build build/mpi -j2 --target accessim >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data_abs="$(cd "$data" && pwd)"
clinic=$(awk -F, 'NR > 1 && $7 > 0 {print $1; exit}' "$data/poa/poa_hexgrid.csv")
sed "s#\.\./\.\./\.\./shared/data#$data_abs#" scenarios/examples/porto-alegre.yaml > "$work/poa.yaml"
cat >> "$work/poa.yaml" <<YAML
scenarios:
  - name: add-one-clinic
    changes:
      - add_services: { service: clinic, points: [ { id: new-1, lon: -51.1803127775441, lat: -30.0727690773351, capacity: 1 } ] }
  - name: move-one-clinic
    changes:
      - move_service: { service: clinic, id: $clinic, lon: -51.1803127775441, lat: -30.0727690773351 }
  - name: double-capacity
    changes:
      - set_capacity: { service: clinic, ids: [$clinic], factor: 2 }
  - name: reception-centre
    changes:
      - add_population: { origins: [89a9012862fffff], groups: { everyone: 800 } }
  - name: no-change
YAML
for r in $(seq "$reps"); do
    build/release/accessim run "$work/poa.yaml" -o "$work/out-$r" --threads "$threads" --quiet >/dev/null
done
python3 - "$work" "$reps" "$threads" <<'PY'
import json, sys
work, reps, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ms = [json.load(open("%s/out-%d/manifest.json" % (work, r))) for r in range(1, reps + 1)]
base = min(m["timings"]["load_s"] + m["timings"]["route_s"] for m in ms)
base_route = min(m["timings"]["route_s"] for m in ms)
print("Porto Alegre, %s threads, best of %d: baseline %.2f s (load %.2f s + routing and measures %.2f s)\n"
      % (threads, reps, base, min(m["timings"]["load_s"] for m in ms), base_route))
print("| scenario | network attached again | routing + measures (s) | with its folder (s) | share of the baseline |")
print("|---|---|---|---|---|")
for i, s in enumerate(ms[0]["scenarios"]):
    route = min(m["scenarios"][i]["timings"]["route_s"] for m in ms)
    total = min(m["scenarios"][i]["timings"]["total_s"] for m in ms)
    print("| %s | %s | %.3f | %.3f | %.0f%% |" % (s["name"], "yes" if s["rebuilt_network"] else "no",
                                                 route, total, 100 * total / base))
PY
demo() {
    local best=999
    for r in $(seq "$reps"); do
        rm -rf "$work/demo"
        local t0 t1
        t0=$(date +%s.%N)
        "$@" demo -o "$work/demo" --quiet --threads 1 >/dev/null
        t1=$(date +%s.%N)
        best=$(python3 -c "print(min($best, $t1 - $t0))")
    done
    echo "$best"
}
extra=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && extra+=(--allow-run-as-root)
one=$(demo build/mpi/accessim)
two=$(demo mpirun -n 2 "${extra[@]}" build/mpi/accessim)
printf '\nDemo city (4 scenarios), 1 OpenMP thread per rank, best of %d: 1 rank %.2f s, 2 ranks %.2f s (%.2fx)\n' \
    "$reps" "$one" "$two" "$(python3 -c "print($one / $two)")"
