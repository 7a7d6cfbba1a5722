#!/usr/bin/env python3
"""compare_outputs.py A B: two output folders hold the same files, byte for byte, except
manifest.json, compared as JSON without its `timings` and `threads` keys (at any depth).
Exits 1 on any difference (used by determinism.sh and mpi.sh)."""
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
