#!/usr/bin/env bash
# bad_input.sh ACCESSIM HAND_DIR WORKDIR
#
# transit_bad_input: bad transit input through the CLI must fail cleanly, in `accessim run` and
# in `accessim validate`: exit status 2, exactly one line on stderr starting with
# `accessim run: ` (`accessim validate: `) that names the file (and line and field) at fault,
# no output folder left behind and no *.tmp* leftovers next to it.
#
# HAND_DIR (tests/transit/hand) is copied to WORKDIR/city (wiped first). Each case changes one
# thing in a copy: a feed folder copied from gtfs/ with one file removed or one value changed
# (made here, never committed), or the scenario file with one line changed. Two controls on the
# unchanged copy must pass first (validate, and a transit matrix, which read the whole feed), so
# that each failure below is due to its one change. Prints PASS/FAIL per case; exits 1 if any
# case failed.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 ACCESSIM HAND_DIR WORKDIR" >&2
    exit 2
fi
ACCESSIM=$1 HAND=$2 WORK=$3
[[ $ACCESSIM != */* ]] || ACCESSIM=$(cd "$(dirname "$ACCESSIM")" && pwd)/$(basename "$ACCESSIM")
rm -rf "$WORK"
mkdir -p "$WORK/logs"
WORK=$(cd "$WORK" && pwd)
cp -r "$HAND" "$WORK/city"
cd "$WORK/city" # scenario paths are relative to the scenario files, which live here
rm -f expected_*.csv
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout 120)
failed=0

# ---- variants: each one change --------------------------------------------------------------
grep -q '^  feeds: gtfs$' hand.yaml || { echo "SETUP FAIL: hand.yaml has no '  feeds: gtfs'"; exit 1; }
with_feed() { # with_feed NAME FEED: NAME.yaml = hand.yaml reading FEED
    sed "s|^  feeds: gtfs$|  feeds: $2|" hand.yaml >"$1.yaml"
}
# edit FILE OLD NEW: replaces the whole line OLD by NEW, which must be there exactly once
edit() {
    [[ $(grep -cxF -- "$2" "$1") -eq 1 ]] || { echo "SETUP FAIL: '$2' not once in $1"; exit 1; }
    OLD=$2 NEW=$3 python3 -c 'import os, sys
p = sys.argv[1]; s = open(p).read().split("\n")
open(p, "w").write("\n".join(os.environ["NEW"] if l == os.environ["OLD"] else l for l in s))' "$1"
}

with_feed missing_feed no_such_feed
echo "this is a text file, not a zip archive" >not_a_zip.zip
with_feed not_a_zip not_a_zip.zip
cp -r gtfs feed_no_stop_times && rm feed_no_stop_times/stop_times.txt
with_feed no_stop_times feed_no_stop_times
# stop_times.txt line 5 (a line 2 trip reaching S4): hour 25 is fine (after midnight), minute 61
# is not; line 7 (a line 3 trip leaving S6): H:MM without seconds
cp -r gtfs feed_time_2561
edit feed_time_2561/stop_times.txt "T2_0745,07:53:00,07:53:00,S4,2" "T2_0745,25:61:00,25:61:00,S4,2"
with_feed time_2561 feed_time_2561
cp -r gtfs feed_time_short
edit feed_time_short/stop_times.txt "T3_0757,08:03:00,08:03:00,S6,2" "T3_0757,08:03:00,7:00,S6,2"
with_feed time_short feed_time_short
[[ $(sed -n 5p feed_time_2561/stop_times.txt) == *25:61:00* && $(sed -n 7p feed_time_short/stop_times.txt) == *,7:00,* ]] ||
    { echo "SETUP FAIL: the malformed times are not on lines 5 and 7"; exit 1; }
# calendar.txt: weekdays of March 2024 only
cp hand.yaml date_outside.yaml
edit date_outside.yaml "  date: 2024-03-05" "  date: 2024-05-01"
cp hand.yaml date_no_service.yaml
edit date_no_service.yaml "  date: 2024-03-05" "  date: 2024-03-10" # a Sunday
cp hand.yaml bad_window.yaml
edit bad_window.yaml '  window: "08:00-08:20"' '  window: "8-8:20"'
cp hand.yaml reversed_window.yaml
edit reversed_window.yaml '  window: "08:00-08:20"' '  window: "08:20-08:00"'
DATE_LINE=$(grep -n '^  date:' hand.yaml | cut -d: -f1)
WINDOW_LINE=$(grep -n '^  window:' hand.yaml | cut -d: -f1)

# ---- checks -----------------------------------------------------------------------------------
report() { # report NAME ARGS...: uses the caller's `problems`
    local name=$1
    shift
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "PASS $name"
    else
        failed=1
        echo "FAIL $name: accessim $*"
        printf '    - %s\n' "${problems[@]}"
        sed 's/^/    stderr: /' "$WORK/logs/$name.stderr" | head -n 5
    fi
}

# bad NAME SCENARIO PATTERN...: `accessim run SCENARIO -o OUT` and `accessim validate SCENARIO`
# must each exit 2 with one stderr line `accessim <command>: ` matching every PATTERN (extended
# regexes); run must leave no OUT and no *.tmp* in its folder.
bad() {
    local name=$1 scen=$2 cmd p n rc
    shift 2
    for cmd in run validate; do
        local log=$WORK/logs/$name-$cmd out=$WORK/out-$name problems=()
        local args=("$cmd" "$scen")
        [[ $cmd == run ]] && args+=(-o "$out" --quiet)
        rc=0
        "${TIMEOUT[@]}" "$ACCESSIM" "${args[@]}" >"$log.stdout" 2>"$log.stderr" || rc=$?
        [[ $rc -eq 2 ]] || problems+=("exit status $rc, expected 2")
        n=$(grep -c . "$log.stderr" || true)
        [[ $n -eq 1 ]] || problems+=("$n non-empty lines on stderr, expected 1")
        grep -q "^accessim $cmd: " "$log.stderr" || problems+=("stderr does not start with 'accessim $cmd: '")
        for p in "$@"; do
            grep -qE -- "$p" "$log.stderr" || problems+=("stderr does not match /$p/")
        done
        if [[ $cmd == run ]]; then
            [[ ! -e $out ]] || problems+=("output folder $out exists afterwards")
            local left
            left=$(find "$WORK" -maxdepth 1 -name '*.tmp*' | head -n 3)
            [[ -z $left ]] || problems+=("leftovers: $left")
            rm -rf "$out" "$WORK"/*.tmp*
        fi
        report "$name-$cmd" "${args[@]}"
    done
}

good() { # good NAME ARGS...: a control that must succeed
    local name=$1 rc=0 problems=()
    shift
    "${TIMEOUT[@]}" "$ACCESSIM" "$@" >"$WORK/logs/$name.stdout" 2>"$WORK/logs/$name.stderr" || rc=$?
    [[ $rc -eq 0 ]] || problems+=("exit status $rc, expected 0 (control: the unchanged copy must be fine)")
    report "$name" "$@"
}

good control_validate validate hand.yaml
good control_matrix matrix hand.yaml --mode transit -o "$WORK/control-matrix.csv" --quiet

bad missing_feed missing_feed.yaml 'no_such_feed' 'no such file or folder'
bad not_a_zip not_a_zip.yaml 'not_a_zip\.zip' 'neither a zip file nor a folder'
bad no_stop_times no_stop_times.yaml 'feed_no_stop_times' 'stop_times\.txt' 'missing'
bad time_2561 time_2561.yaml 'feed_time_2561: stop_times\.txt:5: ' "arrival_time '25:61:00'"
bad time_short time_short.yaml 'feed_time_short: stop_times\.txt:7: ' "departure_time '7:00'"
bad date_outside date_outside.yaml 'gtfs' '2024-05-01' 'outside' '2024-03-01 to 2024-03-31'
bad date_no_service date_no_service.yaml "date_no_service\.yaml:$DATE_LINE:[0-9]+: " '2024-03-10' \
    'no trip' '2024-03-01 to 2024-03-31'
bad bad_window bad_window.yaml "bad_window\.yaml:$WINDOW_LINE:[0-9]+: " 'transit\.window' '"8-8:20"'
bad reversed_window reversed_window.yaml "reversed_window\.yaml:$WINDOW_LINE:[0-9]+: " \
    'transit\.window' 'not after'

echo "logs: $WORK/logs"
if [[ $failed -ne 0 ]]; then
    echo "transit_bad_input: some cases FAILED"
    exit 1
fi
echo "transit_bad_input: all cases passed"
