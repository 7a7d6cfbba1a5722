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

python3 - "$A" "$B" <<'PY'
import difflib, filecmp, json, os, sys

a, b = sys.argv[1:3]


def files(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("timings", "threads")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


fa, fb = files(a), files(b)
bad = 0
for f in sorted(fa ^ fb):
    print("FAIL: %s only in %s" % (f, a if f in fa else b))
    bad += 1
for f in sorted(fa & fb):
    pa, pb = os.path.join(a, f), os.path.join(b, f)
    if os.path.basename(f) == "manifest.json":
        try:
            ja, jb = (strip(json.load(open(p))) for p in (pa, pb))
        except ValueError as e:
            print("FAIL: %s: not valid JSON: %s" % (f, e))
            bad += 1
            continue
        if ja != jb:
            sa, sb = (json.dumps(j, indent=1, sort_keys=True).splitlines() for j in (ja, jb))
            print("FAIL: %s differs (timings and threads ignored):" % f)
            print("\n".join("    " + l for l in list(difflib.unified_diff(sa, sb, a, b, lineterm=""))[:40]))
            bad += 1
        continue
    if not filecmp.cmp(pa, pb, shallow=False):
        da, db = open(pa, "rb").read(), open(pb, "rb").read()
        i = next((k for k in range(min(len(da), len(db))) if da[k] != db[k]), min(len(da), len(db)))
        print("FAIL: %s differs: sizes %d and %d, first difference at byte %d" % (f, len(da), len(db), i))
        if f.endswith((".csv", ".json", ".geojson", ".yaml", ".txt")):
            la, lb = (x.decode("utf-8", "replace").splitlines() for x in (da, db))
            print("\n".join("    " + l for l in list(difflib.unified_diff(la, lb, a, b, lineterm=""))[:20]))
        bad += 1
print("determinism: %d files compared, %d differences" % (len(fa & fb), bad))
sys.exit(1 if bad or not fa else 0)
PY
