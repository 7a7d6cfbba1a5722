#!/usr/bin/env bash
# The routing core's benchmark (issue 3): builds the release preset, generates synthetic cities
# into a scratch folder (never the repository), runs accessim-bench, the igraph comparison and
# timed `accessim matrix` runs on each, and on the Porto Alegre example; prints every table in
# Markdown for docs/PERFORMANCE.md. Never run as a test: timings depend on the machine.
#
#   tools/bench/run.sh [options]
#     --sizes LIST         street nodes per synthetic city (default 10000,300000,3000000)
#     --scratch DIR        where cities and exports go (default /tmp/accessim-bench); cities
#                          already there are reused
#     --threads LIST       thread counts (default 1,2)
#     --cutoffs LIST       matrix cutoffs in minutes (default 30,60)
#     --max-origins K      matrix sources per city: all origins, at most K (default 100000)
#     --large-cutoffs LIST cutoffs for cities with more than 1M street nodes (default 30)
#     --one-to-all N       median of N single-source searches (default 20)
#     --matrix-reps R      best of R runs of each matrix, for cities up to 300k nodes (default 1)
#     --igraph-k K         sources for the igraph comparison (default 20; 0: skip igraph)
#     --igraph-max N       skip igraph for cities above N street nodes (default 3000000)
#     --cost-size N        the city size that gets the cost table (default 300000; 0: none)
#     --cost-origins LIST  cost table source counts (default 1000,2000,4000,8000)
#     --cost-cutoffs LIST  cost table cutoffs (default 15,30,45,60)
#     --steps LIST         any of bench,igraph,cli (default all three); a run over 10 minutes
#                          can be split into several with different steps
#     --bench-args "ARGS"  more accessim-bench options (e.g. "--no-city-load --reps 1")
#     --no-poa             skip Porto Alegre
#     --no-cli             skip the timed `accessim matrix` runs
#     --no-build           use the existing build/release binaries
#     --quick              --sizes 10000 --one-to-all 5 --igraph-k 5 --cost-size 10000
#                          --cost-origins 250,500,1000 (a smoke run of a minute or so)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sizes=10000,300000,3000000
scratch=/tmp/accessim-bench
threads=1,2
cutoffs=30,60
large_cutoffs=30
max_origins=100000
one=20
matrix_reps=1
igraph_k=20
igraph_max=3000000
cost_size=300000
cost_origins=1000,2000,4000,8000
cost_cutoffs=15,30,45,60
poa=1
steps=bench,igraph,cli
bench_args=""
cli=1
build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --sizes) sizes=$2; shift ;;
    --scratch) scratch=$2; shift ;;
    --threads) threads=$2; shift ;;
    --cutoffs) cutoffs=$2; shift ;;
    --large-cutoffs) large_cutoffs=$2; shift ;;
    --max-origins) max_origins=$2; shift ;;
    --one-to-all) one=$2; shift ;;
    --matrix-reps) matrix_reps=$2; shift ;;
    --igraph-k) igraph_k=$2; shift ;;
    --igraph-max) igraph_max=$2; shift ;;
    --cost-size) cost_size=$2; shift ;;
    --cost-origins) cost_origins=$2; shift ;;
    --cost-cutoffs) cost_cutoffs=$2; shift ;;
    --steps) steps=$2; shift ;;
    --bench-args) bench_args=$2; shift ;;
    --no-poa) poa=0 ;;
    --no-cli) cli=0 ;;
    --no-build) build=0 ;;
    --quick) sizes=10000; one=5; igraph_k=5; cost_size=10000; cost_origins=250,500,1000 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

bin="$root/build/release"
if [ "$build" = 1 ]; then
    (cd "$root" && cmake --preset release >/dev/null &&
        cmake --build --preset release -j"$(nproc)" --target accessim accessim-bench \
            accessim-gen-city >/dev/null)
fi
gen="$bin/tools/bench/accessim-gen-city"
bench="$bin/tools/bench/accessim-bench"
cli_bin="$bin/accessim"
py=/usr/bin/python3 # the Debian interpreter, where python3-igraph is installed
[ -x "$py" ] || py=python3
mkdir -p "$scratch"
rows="$scratch/rows.tsv" # "table<TAB>markdown line", merged by table at the end
: >"$rows"
log() { echo "run.sh: $*" >&2; }
step() { [[ ",$steps," == *",$1,"* ]]; }

# accessim matrix, timed by /usr/bin/time (wall, peak RSS), rows counted, output discarded.
cli_row() { # label threads what args...
    local label=$1 t=$2 what=$3
    shift 3
    /usr/bin/time -f "%e %M" -o "$scratch/time.txt" \
        "$cli_bin" matrix "$@" --threads "$t" --quiet -o - | wc -l >"$scratch/lines.txt"
    read -r s kb <"$scratch/time.txt"
    read -r lines <"$scratch/lines.txt"
    printf 'cli\t| %s | %s | %s | %s | %d | %s |\n' "$label" "$what" "$t" "$s" $((kb / 1024)) \
        $((lines - 1)) >>"$rows"
}
{
    printf 'city\t| city | accessim-gen-city summary | generation time (s) |\ncity\t|---|---|---|\n'
    printf 'cli\t| city | accessim matrix (load + route + CSV to a pipe) | threads | wall (s) | '
    printf 'peak RSS (MB) | rows |\ncli\t|---|---|---|---|---|---|\n'
    printf 'load\t| city | load average before (1, 5, 15 min) | after |\nload\t|---|---|---|\n'
} >>"$rows"

# A copy of a generated city's scenario whose population is every n/K-th origin.
subset_scenario() { # scenario K -> path of the new scenario
    local dir n step
    dir=$(dirname "$1")
    n=$(($(wc -l <"$dir/origins.csv") - 1))
    step=$((n / $2)) # at least K origins
    [ "$step" -lt 1 ] && step=1
    awk -v s="$step" 'NR == 1 || (NR - 2) % s == 0' "$dir/origins.csv" >"$dir/origins-subset.csv"
    sed 's|source: origins.csv|source: origins-subset.csv|' "$1" >"$dir/city-subset.yaml"
    echo "$dir/city-subset.yaml"
}

one_city() { # label scenario size
    local label=$1 scn=$2 size=$3 cuts extra=() export=()
    cuts=$cutoffs
    [ "$size" -gt 1000000 ] && cuts=$large_cutoffs
    [ "$size" -le 300000 ] && extra+=(--matrix-reps "$matrix_reps")
    [ "$size" = "$cost_size" ] && extra+=(--cost-origins "$cost_origins" --cost-cutoffs "$cost_cutoffs")
    local do_igraph=0 load0
    if step igraph && [ "$igraph_k" -gt 0 ] && [ "$size" -le "$igraph_max" ]; then do_igraph=1; fi
    [ "$do_igraph" = 1 ] && export=(--export "$scratch/export-$label" --export-k "$igraph_k")
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    if step bench; then
        log "$label: accessim-bench"
        # shellcheck disable=SC2086 # bench_args is a list of options
        "$bench" "$scn" --label "$label" --tagged --one-to-all "$one" --origins "$max_origins" \
            --cutoffs "$cuts" --threads "$threads" "${extra[@]}" "${export[@]}" $bench_args >>"$rows"
    elif [ "$do_igraph" = 1 ]; then
        log "$label: accessim-bench (export for igraph only)"
        # shellcheck disable=SC2086
        "$bench" "$scn" --label "$label" --tagged --no-city-load --one-to-all 0 --no-matrix \
            "${export[@]}" $bench_args >>"$rows"
    fi
    if [ "$do_igraph" = 1 ]; then
        log "$label: igraph"
        "$py" "$root/tools/bench/igraph_compare.py" "$scratch/export-$label" --label "$label" \
            --tagged >>"$rows"
        rm -rf "$scratch/export-$label"
    fi
    if [ "$cli" = 1 ] && step cli; then
        for t in ${threads//,/ }; do
            log "$label: accessim matrix, $t thread(s)"
            cli_row "$label" "$t" "to clinics, 30 min" "$scn" --mode walk --cutoff 30 --to services
            if [ "$size" -le 300000 ]; then
                cli_row "$label" "$t" "to origins, 30 min" "$scn" --mode walk --cutoff 30 --to origins
            elif [ -f "$(dirname "$scn")/origins.csv" ]; then
                # the issue's goal, end to end: about $max_origins origins (every n/K-th row of
                # origins.csv) to each other, 30 minutes
                local sub
                sub=$(subset_scenario "$scn" "$max_origins")
                cli_row "$label" "$t" "$(($(wc -l <"$(dirname "$sub")/origins-subset.csv") - 1)) origins to each other, 30 min" \
                    "$sub" --mode walk --cutoff 30 --to origins
            fi
        done
    fi
    printf 'load\t| %s | %s | %s |\n' "$label" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$rows"
}

for size in ${sizes//,/ }; do
    label="synthetic-$((size / 1000))k"
    dir="$scratch/city-$size"
    # regenerate when the generator changed (cities are cached in the scratch folder)
    gen_sum=$(sha256sum "$gen" | cut -c1-16)
    if [ ! -f "$dir/city.yaml" ] || [ "$(cat "$dir/gen.sha" 2>/dev/null)" != "$gen_sum" ]; then
        rm -rf "$dir"
        log "generating $label"
        start=$(date +%s.%N)
        summary=$("$gen" --nodes "$size" -o "$dir")
        end=$(date +%s.%N)
        printf '%s | %.1f\n' "$summary" "$(awk "BEGIN{print $end - $start}")" >"$dir/summary.txt"
        echo "$gen_sum" >"$dir/gen.sha"
    fi
    printf 'city\t| %s | %s |\n' "$label" "$(cat "$dir/summary.txt")" >>"$rows"
    one_city "$label" "$dir/city.yaml" "$size"
done

if [ "$poa" = 1 ]; then
    scn="$root/scenarios/examples/porto-alegre.yaml"
    if [ -f "$scn" ]; then
        one_city porto-alegre "$scn" 43000
    else
        log "no $scn; Porto Alegre skipped"
    fi
fi

# Merge: tables in a fixed order (then any other, in order of appearance), each header once.
awk -F'\t' -v first="city size build one-to-all matrix cost cost-fit igraph cli memory load" '
    { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
      if ($2 ~ /^\|---/) { if (!(($1) in sep)) { sep[$1] = $2 } next }
      if (!(($1) in head)) { head[$1] = $2; next }
      if ($2 == head[$1]) next
      body[$1] = body[$1] $2 "\n" }
    END { m = split(first, pref, " ")
          for (i = 1; i <= n; ++i) { known = 0
            for (j = 1; j <= m; ++j) known += order[i] == pref[j]
            if (!known) pref[++m] = order[i] }
          for (j = 1; j <= m; ++j) { t = pref[j]
            if (body[t] != "") printf "\n### %s\n\n%s\n%s\n%s", t, head[t], sep[t], body[t] } }' "$rows"
