#!/usr/bin/env python3
"""transit_hand: accessim on Hand Town (tests/transit/hand), checked against hand-made answers.

usage: check_hand.py ACCESSIM HAND_DIR WORKDIR

Runs, with WORKDIR wiped first:
  accessim run HAND_DIR/hand.yaml -o WORKDIR/run              (the GTFS feed as a folder)
  accessim matrix HAND_DIR/hand.yaml --mode transit ...        (plain, --seconds, --cutoff 20,
                                                                --service hospital)
and checks, with nothing but the standard library and the GDAL command-line tools:
  - baseline/origins.csv: every <kind>_<mode>_minutes and _nearest_id of expected_origins.csv
    (the same text: minutes with 2 decimals, empty when unreachable), the population column;
    transit never slower than walking when walking is within transit.max_trip_min;
  - summary.csv: mean_minutes (population-weighted over the people who reach a service; empty
    when nobody does), share_within_<T> and unreachable_share, recomputed from
    expected_origins.csv (tolerance 0.005 min for the means, whose inputs are rounded to 0.01);
  - manifest.json: the transit counts of the hand feed, and the feed folder's hash (computed
    here independently);
  - rasters <kind>_<mode>_minutes.tif for walk and every percentile: they open with gdalinfo,
    Float32, nodata -9999, unit min, band description naming the layer (and the percentile);
    on the transit rasters the cell of each origin holds that origin's expected minutes
    (-9999 where unreachable);
  - the matrix CSVs: header and rows exactly as expected_matrix.csv (and its derived forms).
The same run with the feed zipped (a copy made in WORKDIR) must give the same origins. Prints
PASS/FAIL lines; exits 1 if anything failed.
"""
import csv
import difflib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

KINDS = ["clinic", "hospital"]
PERCENTILES = [5, 10, 50, 90, 95]
MODES = ["walk"] + ["transit_p%d" % p for p in PERCENTILES]
MAX_TRIP_MIN = 60.0
THRESHOLDS = [15, 30]
# manifest.json "transit": 6 stops, all on the streets; 18 instances of line 1's template
# (07:00, 07:10, ..., 09:50) + 11 trips of line 2 + 11 of line 3; 20 departures; S4 <-> S5 is
# the only pair of stops within the 5 min transfer walk (both directions).
MANIFEST = {"stops": 6, "stops_linked": 6, "trips": 40, "frequency_trips": 18,
            "previous_day_trips": 0, "departures": 20, "percentiles": PERCENTILES}
STREET_TRANSFERS = 2

failures = []


def check(ok, what, detail=""):
    if ok:
        print("PASS %s" % what)
    else:
        failures.append(what)
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""))
    return ok


def read_commented_csv(path):
    """Rows (dicts) of a CSV whose '#' lines are comments; also the header."""
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    reader = csv.DictReader(io.StringIO("".join(lines)))
    return reader.fieldnames, list(reader)


def run(args, **kw):
    print("+ " + " ".join(args), flush=True)
    return subprocess.run(args, capture_output=True, text=True, **kw)


def zipped_copy(hand, work):
    """HAND_DIR copied to WORK/zipped with gtfs/ as gtfs.zip; returns the scenario path."""
    dst = os.path.join(work, "zipped")
    shutil.copytree(hand, dst)
    with zipfile.ZipFile(os.path.join(dst, "gtfs.zip"), "w") as z:
        for name in sorted(os.listdir(os.path.join(dst, "gtfs"))):
            z.write(os.path.join(dst, "gtfs", name), name)
    shutil.rmtree(os.path.join(dst, "gtfs"))
    scen = os.path.join(dst, "hand.yaml")
    text = open(scen).read()
    assert "\n  feeds: gtfs\n" in text
    open(scen, "w").write(text.replace("\n  feeds: gtfs\n", "\n  feeds: gtfs.zip\n"))
    return scen


def minutes(text):
    return None if text == "" else float(text)


def check_origins(out, expected):
    path = os.path.join(out, "baseline", "origins.csv")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, {r["origin_id"]: r for r in reader}
    need = ["origin_id", "everyone", "walk_snap_m", "transit_snap_m"]
    for k in KINDS:
        for m in MODES:
            need += ["%s_%s_minutes" % (k, m), "%s_%s_nearest_id" % (k, m)]
    missing = [c for c in need if c not in header]
    check(not missing, "origins.csv has the walk and transit_p<P> columns", "missing %s" % missing)
    check(sorted(rows) == ["A", "B", "C"], "origins.csv has origins A, B, C", str(sorted(rows)))
    bad = []
    for e in expected:
        r = rows.get(e["origin_id"])
        if r is None:
            continue
        if r.get("everyone") != e["population"]:
            bad.append("%s everyone %r, expected %s" % (e["origin_id"], r.get("everyone"),
                                                        e["population"]))
        col = "%s_%s" % (e["kind"], e["mode"])
        got = (r.get(col + "_minutes"), r.get(col + "_nearest_id"))
        want = (e["minutes"], e["nearest_id"])
        if got != want:
            bad.append("%s %s: minutes %r nearest %r, expected %r %r" %
                       (e["origin_id"], col, got[0], got[1], want[0], want[1]))
    check(not bad, "origins.csv equals expected_origins.csv (%d values)" % len(expected),
          "; ".join(bad))
    # transit includes walking all the way (up to max_trip_min): never slower than walking
    slower = []
    for oid, r in rows.items():
        for k in KINDS:
            w = minutes(r.get("%s_walk_minutes" % k, ""))
            for p in PERCENTILES:
                t = minutes(r.get("%s_transit_p%d_minutes" % (k, p), ""))
                if w is not None and w <= MAX_TRIP_MIN and (t is None or t > w):
                    slower.append("%s %s p%d: transit %s, walk %s" % (oid, k, p, t, w))
    check(not slower, "origins.csv: transit never slower than walking within max_trip_min",
          "; ".join(slower))


def check_summary(out, expected):
    path = os.path.join(out, "summary.csv")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = {(r["service"], r["mode"], r["group"], r["measure"]): r for r in reader
                if r["scenario"] == "baseline"}
    check(header[:6] == ["scenario", "service", "mode", "group", "measure", "value"],
          "summary.csv header", str(header))
    bad = []
    n = 0
    for k in KINDS:
        for m in MODES:
            es = [e for e in expected if e["kind"] == k and e["mode"] == m]
            pop = sum(float(e["population"]) for e in es)
            reach = [(float(e["population"]), float(e["minutes"])) for e in es if e["minutes"]]
            wsum = sum(w for w, _ in reach)
            want = {"mean_minutes": sum(w * t for w, t in reach) / wsum if wsum else None,
                    "unreachable_share": (pop - wsum) / pop}
            for t in THRESHOLDS:
                want["share_within_%d" % t] = sum(w for w, x in reach if x <= t) / pop
            for measure, value in want.items():
                n += 1
                r = rows.get((k, m, "everyone", measure))
                if r is None:
                    bad.append("no row %s,%s,everyone,%s" % (k, m, measure))
                    continue
                tol = 0.005 if measure == "mean_minutes" else 1e-4
                got = r["value"]
                if value is None:
                    ok = got == ""
                else:
                    ok = got != "" and abs(float(got) - value) <= tol
                if not ok:
                    bad.append("%s,%s,everyone,%s = %r, expected %s" %
                               (k, m, measure, got, "empty" if value is None else "%.4f" % value))
    check(not bad, "summary.csv mean_minutes, share_within, unreachable_share (%d rows) from "
          "expected_origins.csv with population weights" % n, "; ".join(bad))
    # the headline, spelt out: (100 x 18 + 200 x 5 + 300 x 25) / 600
    r = rows.get(("clinic", "transit_p50", "everyone", "mean_minutes"))
    check(r is not None and r["value"] != "" and abs(float(r["value"]) - 10300 / 600) < 1e-4,
          "summary.csv clinic transit_p50 mean_minutes = 17.1667",
          repr(r and r["value"]))


def folder_sha256(folder):
    """The manifest's hash of a folder input, computed here independently: SHA-256 over one line
    '<name> NUL <sha256 hex> LF' per regular file, in byte order of the names."""
    h, total = hashlib.sha256(), 0
    for name in sorted(os.listdir(folder), key=lambda n: n.encode()):
        path = os.path.join(folder, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        data = open(path, "rb").read()
        total += len(data)
        h.update(name.encode() + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\n")
    return h.hexdigest(), total


def check_manifest(out, hand=None):
    try:
        man = json.load(open(os.path.join(out, "manifest.json")))
    except (OSError, ValueError) as e:
        check(False, "manifest.json is valid JSON", str(e))
        return
    tr = man.get("transit", {})
    got = {k: tr.get(k) for k in MANIFEST}
    check(got == MANIFEST, "manifest.json transit counts", "got %s, expected %s" % (got, MANIFEST))
    street = tr.get("transfers", {}).get("street")
    check(street == STREET_TRANSFERS, "manifest.json transit.transfers.street = %d" %
          STREET_TRANSFERS, repr(street))
    if hand:
        feed = [i for i in man.get("inputs", []) if i.get("role") == "transit feed"]
        want, size = folder_sha256(os.path.join(hand, "gtfs"))
        got = feed[0] if feed else {}
        check(got.get("sha256") == want and got.get("size") == size,
              "manifest.json inputs: the feed folder's sha256 and size", "got %s, expected %s %d"
              % (got, want, size))


def check_rasters(out, expected, origins_lonlat):
    for k in KINDS:
        for m in MODES:
            name = "%s_%s_minutes" % (k, m)
            path = os.path.join(out, "baseline", name + ".tif")
            if not check(os.path.isfile(path), "%s.tif exists" % name):
                continue
            r = run(["gdalinfo", "-json", path])
            if not check(r.returncode == 0, "gdalinfo opens %s.tif" % name, r.stderr.strip()):
                continue
            info = json.loads(r.stdout)
            b = info["bands"][0] if info.get("bands") else {}
            problems = []
            if len(info.get("bands", [])) != 1:
                problems.append("%d bands" % len(info.get("bands", [])))
            if b.get("type") != "Float32":
                problems.append("type %s" % b.get("type"))
            if b.get("noDataValue") != -9999:
                problems.append("nodata %r" % b.get("noDataValue"))
            if b.get("unit") != "min":
                problems.append("unit %r" % b.get("unit"))
            desc = b.get("description", "")
            if not desc.startswith(name + ": travel time by "):
                problems.append("description %r" % desc)
            if m.startswith("transit_p"):
                p = m[len("transit_p"):]
                if "walk + transit, percentile %s of the departure window" % p not in desc:
                    problems.append("description %r does not name percentile %s" % (desc, p))
            check(not problems, "%s.tif: Float32, nodata -9999, unit min, band description" %
                  name, "; ".join(problems))
            if not m.startswith("transit_p"):
                continue
            # each origin's cell is painted with that origin's own value
            bad = []
            for e in expected:
                if e["kind"] != k or e["mode"] != m:
                    continue
                lon, lat = origins_lonlat[e["origin_id"]]
                r = run(["gdallocationinfo", "-valonly", "-wgs84", path, lon, lat])
                try:
                    v = float(r.stdout.strip())
                except ValueError:
                    bad.append("%s: gdallocationinfo gave %r %r" % (e["origin_id"], r.stdout,
                                                                   r.stderr))
                    continue
                want = float(e["minutes"]) if e["minutes"] else -9999.0
                if abs(v - want) > 0.005:
                    bad.append("%s: %g, expected %g" % (e["origin_id"], v, want))
            check(not bad, "%s.tif: the cell of each origin holds its minutes" % name,
                  "; ".join(bad))


def check_matrix(accessim, scenario, work, hand):
    header, rows = read_commented_csv(os.path.join(hand, "expected_matrix.csv"))
    want = [",".join(header)] + [",".join(r[h] for h in header) for r in rows]
    cases = [
        ("matrix", [], want),
        # --seconds: seconds_p<P> columns, 0.1 s steps
        ("matrix --seconds", ["--seconds"],
         [want[0].replace("travel_time_p", "seconds_p")] +
         [",".join(l.split(",")[:2] + ["%.1f" % (float(x) * 60) for x in l.split(",")[2:]])
          for l in want[1:]]),
        # --cutoff applies to the smallest percentile (p5): C -> C2 (21), B -> C2 (55) and
        # C -> C1 (51) go, A -> C1 (14) and B -> C1 (5) stay
        ("matrix --cutoff 20", ["--cutoff", "20"],
         [want[0]] + [l for l in want[1:] if float(l.split(",")[2]) <= 20]),
        # nobody reaches the hospital within max_trip_min: the header alone
        ("matrix --service hospital", ["--service", "hospital"], [want[0]]),
    ]
    for i, (what, extra, expect) in enumerate(cases):
        path = os.path.join(work, "matrix%d.csv" % i)
        r = run([accessim, "matrix", scenario, "--mode", "transit", "--quiet", "-o", path] + extra)
        if not check(r.returncode == 0, "%s exits 0" % what, r.stderr.strip()):
            continue
        got = open(path).read().splitlines()
        diff = difflib.unified_diff(expect, got, "expected", "accessim", lineterm="", n=0)
        check(got == expect, "%s output equals the expected rows" % what,
              "\n    " + "\n    ".join(list(diff)[2:]))


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    accessim, hand, work = argv[1], os.path.abspath(argv[2]), os.path.abspath(argv[3])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    scenario = os.path.join(hand, "hand.yaml")
    _, expected = read_commented_csv(os.path.join(hand, "expected_origins.csv"))
    with open(os.path.join(hand, "population.csv"), newline="") as f:
        origins_lonlat = {r["id"]: (r["lon"], r["lat"]) for r in csv.DictReader(f)}

    out = os.path.join(work, "run")
    r = run([accessim, "run", scenario, "-o", out, "--quiet"])
    ok = check(r.returncode == 0, "accessim run hand.yaml (GTFS feed as a folder) exits 0",
               "exit %d: %s" % (r.returncode, r.stderr.strip()))
    if ok:
        check(r.stderr == "", "accessim run --quiet writes nothing on stderr", r.stderr.strip())
        check_origins(out, expected)
        check_summary(out, expected)
        check_manifest(out, hand)
        check_rasters(out, expected, origins_lonlat)
    # the same run with the feed zipped: the same results
    out_zip = os.path.join(work, "run_zipped")
    r = run([accessim, "run", zipped_copy(hand, work), "-o", out_zip, "--quiet"])
    if check(r.returncode == 0, "accessim run with the feed zipped exits 0",
             "exit %d: %s" % (r.returncode, r.stderr.strip())):
        check_origins(out_zip, expected)
    check_matrix(accessim, scenario, work, hand)
    if failures:
        print("transit_hand: %d check(s) FAILED: %s" % (len(failures), "; ".join(failures)))
        return 1
    print("transit_hand: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
