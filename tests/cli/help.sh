#!/usr/bin/env bash
# help.sh ACCESSIM [VERSION]
#
# `accessim --help` exits 0 and lists the commands demo, run, validate and graph on stdout;
# `accessim <command> --help` exits 0 with text on stdout; `accessim --version` exits 0 and
# prints accessim's VERSION (if given) and the GDAL, PROJ and GEOS versions; an unknown command
# exits 2 with one line on stderr naming it. Prints PASS/FAIL per case; exits 1 on any failure.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 ACCESSIM [VERSION]" >&2
    exit 2
fi
ACCESSIM=$1 VERSION=${2:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

# run NAME WANT_STATUS ARGS...: leaves stdout/stderr in $TMP/NAME.{out,err}; records problems.
run() {
    local name=$1 want=$2 rc=0
    shift 2
    "$ACCESSIM" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
    problems=()
    [[ $rc -eq $want ]] || problems+=("exit status $rc, expected $want")
}
need() { # need NAME FILE(out|err) REGEX DESCRIPTION
    grep -qE -- "$3" "$TMP/$1.$2" || problems+=("std$2 lacks $4 (/$3/)")
}
report() {
    local name=$1
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "PASS $name"
    else
        failed=1
        echo "FAIL $name"
        printf '    - %s\n' "${problems[@]}"
        sed 's/^/    stdout: /' "$TMP/$name.out" | head -n 20
        sed 's/^/    stderr: /' "$TMP/$name.err" | head -n 5
    fi
}

run help 0 --help
for c in demo run validate graph; do need help out "(^|[^a-z_-])$c([^a-z_-]|$)" "the command '$c'"; done
need help out '(^|[^0-9])2[^0-9].*([Bb]ad|[Uu]sage)' "the exit codes (a line: 2 ... bad input or usage)"
report help

for c in demo run validate "graph export"; do
    name=help_${c// /_}
    # shellcheck disable=SC2086 # "graph export" is two words on purpose
    run "$name" 0 $c --help
    [[ -s $TMP/$name.out ]] || problems+=("nothing on stdout")
    report "$name"
done

run version 0 --version
for lib in GDAL PROJ GEOS; do need version out "${lib}[^0-9]{0,20}[0-9]+\.[0-9]+(\.[0-9]+)?" "the $lib version"; done
[[ -z $VERSION ]] || need version out "(^|[^0-9.])${VERSION//./\\.}([^0-9.]|$)" "accessim's version $VERSION"
report version

run unknown_command 2 nosuchcommand
[[ $(grep -c . "$TMP/unknown_command.err" || true) -eq 1 ]] || problems+=("stderr should be one line")
need unknown_command err "^accessim" "the 'accessim' prefix"
need unknown_command err "nosuchcommand" "the unknown command's name"
report unknown_command

if [[ $failed -ne 0 ]]; then
    echo "help: some cases FAILED"
    exit 1
fi
echo "help: all cases passed"
