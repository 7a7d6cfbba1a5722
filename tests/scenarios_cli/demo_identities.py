#!/usr/bin/env python3
"""scenarios_demo_identities: scenarios that must give the baseline again, and the consistency of
summary.csv and comparison.csv.

On the demo city (accessim demo), a scenario file = demo.yaml's baseline part + three scenarios:
  same        no changes: every file of OUT/same/ but the delta rasters is byte-identical to
              OUT/baseline/, and each delta raster is 0 wherever the baseline raster has a value
              and nodata where it has none;
  add-remove  a clinic added at a point, then removed by id: the same identities (the network
              is attached again after the add: the result must still be the baseline's bytes);
  twin        a clinic added at the very coordinates of an existing clinic (read from
              inputs/services.gpkg in WGS 84): every clinic_*_minutes column of origins.csv is
              unchanged (the nearest clinic is no nearer), every non-clinic column is unchanged,
              and at least one clinic fca2 column differs (the two clinics share the demand);
then, on this run and on the demo's own run (demo.yaml's four scenarios, with real changes):
  summary.csv     each scenario row's `baseline` is the baseline row's `value` (same text), and
                  delta = value - baseline to the printed precision; each scenario has the
                  baseline's rows; baseline rows have value = baseline;
  comparison.csv  exactly one row per scenario x service x mode x group for which summary.csv
                  has mean_minutes (baseline included), its mean_minutes / within_T_share /
                  gap_minutes and their deltas equal to summary.csv's figures (same text).
"""
import math
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

acc, work, T, demo, base_text = common.demo_setup("scenarios_demo_identities")
demo_yaml = os.path.join(demo, "demo.yaml")

# an existing clinic: its id and WGS 84 coordinates
lon, lat, twin_of = common.point_lonlat(os.path.join(demo, "inputs", "services.gpkg"), "services",
                                        "kind = 'clinic'")
print("twin clinic: at %s, %s (the place of %s)" % (lon, lat, twin_of["service_id"]))

# a point for the add-remove scenario: the middle of the clinics' extent
p = common.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", os.path.join(demo, "inputs", "services.gpkg"),
                "services", "-t_srs", "EPSG:4326", "-where", "kind = 'clinic'", "-lco",
                "GEOMETRY=AS_XY"], expect=0)
xs = [ln.split(",")[:2] for ln in p.stdout.splitlines()[1:] if ln.strip()]
mid_lon = sum(float(x) for x, _ in xs) / len(xs)
mid_lat = sum(float(y) for _, y in xs) / len(xs)

yaml_path = os.path.join(demo, "identities.yaml")
with open(yaml_path, "w") as fp:
    fp.write(base_text.replace("name: demo", "name: identities", 1))
    fp.write("""
scenarios:
  - name: same
    description: "no changes: the baseline again"
  - name: add-remove
    changes:
      - add_services: { service: clinic, points: [ { id: c-tmp, lon: %.7f, lat: %.7f, capacity: 3 } ] }
      - remove_services: { service: clinic, ids: [c-tmp] }
  - name: twin
    changes:
      - add_services: { service: clinic, points: [ { id: c-twin, lon: %s, lat: %s, capacity: 3 } ] }
""" % (mid_lon, mid_lat, lon, lat))

out = os.path.join(work, "out")
r = common.run([acc, "run", yaml_path, "-o", out, "--quiet"])
T.ok(r.returncode == 0, "accessim run identities.yaml exits 0", r.stderr)
if r.returncode != 0:
    T.done()
man = common.load_manifest(out)
status = {s["name"]: s["status"] for s in man.get("scenarios", [])}
T.ok(status == {"same": "ok", "add-remove": "ok", "twin": "ok"},
     "manifest.json lists the three scenarios, all ok", status)

base_dir = os.path.join(out, "baseline")
base_files = common.files_under(base_dir)
minute_rasters = [f for f in base_files if f.endswith("_minutes.tif")]
T.ok(len(minute_rasters) >= 10 and "origins.csv" in base_files,
     "baseline/ has origins.csv and the minutes rasters (%d)" % len(minute_rasters), base_files)


base_rasters = {}


def check_identity(name):
    sdir = os.path.join(out, name)
    files = common.files_under(sdir)
    want = sorted(base_files + [f[:-len("_minutes.tif")] + "_delta_minutes.tif"
                                for f in minute_rasters])
    T.ok(files == want, "%s/ has the baseline's files plus one delta raster per minutes raster"
         % name, "missing: %s\nextra: %s" % (sorted(set(want) - set(files)),
                                             sorted(set(files) - set(want))))
    differ = [f for f in base_files
              if f in files and not common.same_bytes(os.path.join(base_dir, f),
                                                      os.path.join(sdir, f))]
    detail = ""
    if "origins.csv" in differ:
        detail = common.table_diff(os.path.join(base_dir, "origins.csv"),
                                   os.path.join(sdir, "origins.csv"))
    T.ok(not differ, "%s/: every non-delta file is byte-identical to baseline/" % name,
         "differ: %s\n%s" % (differ, detail))
    bad = []
    for f in minute_rasters:
        if f not in base_rasters:
            base_rasters[f] = common.raster_values(os.path.join(base_dir, f))
        bnod, bvals = base_rasters[f]
        dpath = os.path.join(sdir, f[:-len("_minutes.tif")] + "_delta_minutes.tif")
        if not os.path.exists(dpath):
            continue
        dnod, dvals = common.raster_values(dpath)
        if len(bvals) != len(dvals):
            bad.append("%s: %d cells, baseline %d" % (dpath, len(dvals), len(bvals)))
            continue
        n_nonzero = n_nod_mismatch = 0
        for bv, dv in zip(bvals, dvals):
            b_is_nod = bnod is not None and (bv == bnod or math.isnan(bv))
            d_is_nod = dnod is not None and (dv == dnod or math.isnan(dv))
            if b_is_nod != d_is_nod:
                n_nod_mismatch += 1
            elif not d_is_nod and dv != 0.0:
                n_nonzero += 1
        if n_nonzero or n_nod_mismatch:
            bad.append("%s: %d cells not 0, %d cells nodata in one of delta/baseline only"
                       % (os.path.basename(dpath), n_nonzero, n_nod_mismatch))
    T.ok(not bad, "%s/: every delta raster is 0 where the baseline has a time, nodata elsewhere"
         % name, "\n".join(bad))


print("(a) a scenario without changes")
check_identity("same")
print("(b) a clinic added, then removed by id")
check_identity("add-remove")

print("(c) a clinic added at the coordinates of %s" % twin_of["service_id"])
bh, brows = common.read_csv(os.path.join(base_dir, "origins.csv"))
th, trows = common.read_csv(os.path.join(out, "twin", "origins.csv"))
T.ok(bh == th and [r[0] for r in brows] == [r[0] for r in trows],
     "twin/origins.csv has the baseline's columns and origins", (bh, th))
minutes_cols = [c for c in bh if re.fullmatch(r"clinic_.+_minutes", c)]
fca2_cols = [c for c in bh if c.startswith("clinic_") and "fca2" in c]
other_cols = [c for c in bh if not c.startswith("clinic_")]
T.ok(len(minutes_cols) >= 3 and fca2_cols,
     "origins.csv has clinic minutes columns %s and fca2 columns %s" % (minutes_cols, fca2_cols))
d = common.table_diff(os.path.join(base_dir, "origins.csv"), os.path.join(out, "twin", "origins.csv"),
                      columns=set(minutes_cols))
T.ok(not d, "twin: every clinic_*_minutes column is unchanged (nearest-clinic times)", d)
d = common.table_diff(os.path.join(base_dir, "origins.csv"), os.path.join(out, "twin", "origins.csv"),
                      columns=set(other_cols))
T.ok(not d, "twin: every column of the other services (and snapping, population) is unchanged", d)
changed = [c for c in fca2_cols if any(b[bh.index(c)] != t[th.index(c)] for b, t in zip(brows, trows))]
T.ok(changed, "twin: at least one clinic fca2 column differs (competition for the new capacity): %s"
     % changed)


# ---- (d) summary.csv and comparison.csv -------------------------------------------------------

def unit(s):
    """One unit of the last printed digit of a number as printed ("0.0012" -> 1e-4)."""
    m = re.fullmatch(r"-?(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", s)
    if not m:
        return None
    return 10.0 ** (int(m.group(3) or 0) - len(m.group(2) or ""))


def check_tables(out_dir, label):
    srows = common.read_dicts(os.path.join(out_dir, "summary.csv"))
    man = common.load_manifest(out_dir)
    names = [s["name"] for s in man.get("scenarios", []) if s.get("status") == "ok"]
    base = {}
    for r in srows:
        if r["scenario"] == "baseline":
            base[(r["service"], r["mode"], r["group"], r["measure"])] = r
    T.ok(len(base) > 100, "%s: summary.csv has baseline rows (%d)" % (label, len(base)))
    bad_base = [r for r in base.values()
                if r["value"] != r["baseline"] or (r["delta"] and float(r["delta"]) != 0)]
    T.ok(not bad_base, "%s: baseline rows have value = baseline and delta 0" % label, bad_base[:5])
    per = {}
    bad_b, bad_d, bad_fmt, worst = [], [], [], 0.0
    for r in srows:
        if r["scenario"] == "baseline":
            continue
        k = (r["service"], r["mode"], r["group"], r["measure"])
        per.setdefault(r["scenario"], set()).add(k)
        b = base.get(k)
        if b is None or r["baseline"] != b["value"]:
            bad_b.append((r, b and b["value"]))
            continue
        v, bs, dl = r["value"], r["baseline"], r["delta"]
        if not v or not bs:
            if dl:
                bad_d.append((r, "delta given without value or baseline"))
            continue
        uv, ub, ud = unit(v), unit(bs), unit(dl) if dl else None
        if None in (uv, ub, ud):
            bad_fmt.append(r)
            continue
        # Each of the three printed numbers is rounded to its last digit (at most half a unit
        # each), so value - baseline - delta can be off by up to half a unit of each: 1.5 units
        # when they print with the same decimals (a 1-unit tolerance fails on correct output:
        # e.g. 0.00357687333159778 - 0.00228018441820008 vs 0.00129668891339769, 1.02 units).
        err = abs(float(v) - float(bs) - float(dl))
        tol = 0.5 * (uv + ub + ud) * (1 + 1e-9) + 1e-15 * max(abs(float(v)), abs(float(bs)))
        worst = max(worst, err / max(uv, ub, ud))
        if err > tol:
            bad_d.append((r, "value - baseline = %.17g" % (float(v) - float(bs))))
    T.ok(not bad_b, "%s: every scenario row's baseline equals the baseline row's value" % label,
         "\n".join(str(x) for x in bad_b[:8]))
    T.ok(not bad_fmt, "%s: value, baseline and delta are numbers (or empty)" % label, bad_fmt[:5])
    T.ok(not bad_d, "%s: delta = value - baseline to the printed precision (worst: %.2f units of "
         "the last digit)" % (label, worst), "\n".join(str(x) for x in bad_d[:8]))
    T.ok(sorted(per) == sorted(names),
         "%s: summary.csv has rows for exactly the scenarios that are ok in manifest.json" % label,
         (sorted(per), sorted(names)))
    miss = {s: len(set(base) - ks) for s, ks in per.items() if set(base) != ks}
    T.ok(not miss, "%s: every scenario has the baseline's rows (service, mode, group, measure)"
         % label, miss)

    # comparison.csv
    crow = common.read_dicts(os.path.join(out_dir, "comparison.csv"))
    ch, _ = common.read_csv(os.path.join(out_dir, "comparison.csv"))
    need = ["scenario", "service", "mode", "group", "mean_minutes", "mean_minutes_delta",
            "gain_15", "lose_15", "gain_30", "lose_30", "gap_minutes", "gap_minutes_delta"]
    T.ok(all(c in ch for c in need) and ch[:6] == need[:6],
         "%s: comparison.csv header has %s" % (label, need), ch)
    thresholds = [m.group(1) for m in (re.fullmatch(r"within_(\d+(?:\.\d+)?)_share", c) for c in ch)
                  if m]
    T.ok(thresholds, "%s: comparison.csv has within_<T>_share columns (%s)" % (label, thresholds))
    summ = {(r["scenario"], r["service"], r["mode"], r["group"], r["measure"]): r for r in srows}
    want = sorted({k[:4] for k in summ if k[4] == "mean_minutes"})
    keys = [(r["scenario"], r["service"], r["mode"], r["group"]) for r in crow]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    T.ok(not dups and sorted(keys) == want,
         "%s: comparison.csv has one row per scenario x service x mode x group with mean_minutes "
         "in summary.csv (%d rows)" % (label, len(want)),
         "duplicates: %s\nmissing: %s\nextra: %s" % (dups[:5], sorted(set(want) - set(keys))[:5],
                                                     sorted(set(keys) - set(want))[:5]))
    mism = []
    for r in crow:
        k = (r["scenario"], r["service"], r["mode"], r["group"])
        pairs = [("mean_minutes", "mean_minutes")] + \
                [("within_%s_share" % t, "share_within_%s" % t) for t in thresholds]
        for col, meas in pairs:
            s = summ.get(k + (meas,))
            if s is None or r[col] != s["value"] or r[col + "_delta"] != s["delta"]:
                mism.append((k, col, r[col], r[col + "_delta"], s and (s["value"], s["delta"])))
        g = summ.get(k + ("gap_mean_minutes_difference",))
        if (g is None and (r["gap_minutes"] or r["gap_minutes_delta"])) or \
           (g is not None and (r["gap_minutes"] != g["value"] or r["gap_minutes_delta"] != g["delta"])):
            mism.append((k, "gap_minutes", r["gap_minutes"], r["gap_minutes_delta"],
                         g and (g["value"], g["delta"])))
        if r["scenario"] == "baseline":
            zero = [c for c in ch if (c.endswith("_delta") or c[:5] in ("gain_", "lose_"))
                    and r[c] and float(r[c]) != 0]
            if zero:
                mism.append((k, "baseline row with non-zero", zero))
    T.ok(not mism, "%s: comparison.csv figures equal summary.csv's (mean, shares, gap, deltas); "
         "baseline rows have zero deltas" % label, "\n".join(str(x) for x in mism[:8]))


print("(d) summary.csv and comparison.csv")
check_tables(out, "identities run")
check_tables(demo, "demo.yaml run")

T.done()
