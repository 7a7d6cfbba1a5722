#!/usr/bin/env python3
"""scenarios_resume: `accessim run A.yaml B.yaml -o OUT --resume` on the demo city.

A batch of two small files (res-a: the demo's baseline, no scenario, reading its own copy of
services.gpkg; res-b: the baseline and one scenario) runs into OUT. Then:
  1. --resume again: both are reported skipped (stderr says "skipped" for each), every file in
     OUT keeps its bytes and modification time, exit 0;
  2. res-b's YAML changes (output.thresholds_min gains 45): --resume recomputes res-b only (its
     outputs now have within_45; res-a's files untouched, reported skipped);
  3. one data input of res-a changes (a clinic's capacity in its own services.gpkg, the YAML
     untouched): --resume recomputes res-a only;
  4. --resume once more: both skipped.
"""
import hashlib
import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

acc, work, T, demo, base_text = common.demo_setup("scenarios_resume")
if "thresholds_min: [15, 30]" not in base_text or "inputs/services.gpkg" not in base_text:
    common.die("demo.yaml's baseline changed: no 'thresholds_min: [15, 30]' or inputs/services.gpkg")

a_inputs = os.path.join(demo, "a_inputs")
os.makedirs(a_inputs)
a_services = os.path.join(a_inputs, "services.gpkg")
shutil.copy(os.path.join(demo, "inputs", "services.gpkg"), a_services)
ya = os.path.join(demo, "res-a.yaml")
yb = os.path.join(demo, "res-b.yaml")
open(ya, "w").write(base_text.replace("name: demo", "name: res-a", 1)
                    .replace("inputs/services.gpkg", "a_inputs/services.gpkg"))
b_text = base_text.replace("name: demo", "name: res-b", 1) + """
scenarios:
  - name: clinics-doubled
    changes:
      - set_capacity: { service: clinic, factor: 2 }
"""
open(yb, "w").write(b_text)
out = os.path.join(work, "out")


def snapshot(folder):
    """{relative path: (sha256, mtime_ns)} of every file under folder."""
    snap = {}
    for f in common.files_under(folder):
        p = os.path.join(folder, f)
        with open(p, "rb") as fp:
            snap[f] = (hashlib.sha256(fp.read()).hexdigest(), os.stat(p).st_mtime_ns)
    return snap


def changed(before, after):
    return sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f))


def run_resume(step):
    p = common.run([acc, "run", ya, yb, "-o", out, "--resume"])
    T.ok(p.returncode == 0, "%s: --resume exits 0 (got %d)" % (step, p.returncode), p.stderr)
    return p


def skipped_line(stderr, yaml_path):
    return [ln for ln in stderr.splitlines() if yaml_path in ln and "skipped" in ln]


p = common.run([acc, "run", ya, yb, "-o", out, "--quiet"])
T.ok(p.returncode == 0, "first run of the batch exits 0", p.stderr)
T.ok(all(os.path.isfile(os.path.join(out, n, "manifest.json")) for n in ("res-a", "res-b")) and
     os.path.isfile(os.path.join(out, "res-b", "clinics-doubled", "origins.csv")),
     "OUT/res-a/ and OUT/res-b/ (with its scenario) are written",
     os.listdir(out) if os.path.isdir(out) else "")
s0a, s0b = snapshot(os.path.join(out, "res-a")), snapshot(os.path.join(out, "res-b"))

print("1. nothing changed")
p = run_resume("1")
T.ok(skipped_line(p.stderr, ya) and skipped_line(p.stderr, yb),
     "1: stderr reports both files skipped", p.stderr)
T.ok("[1/2]" not in p.stderr and "[2/2]" not in p.stderr, "1: neither file runs", p.stderr)
s1a, s1b = snapshot(os.path.join(out, "res-a")), snapshot(os.path.join(out, "res-b"))
T.ok(not changed(s0a, s1a) and not changed(s0b, s1b),
     "1: every output file keeps its bytes and modification time",
     changed(s0a, s1a) + changed(s0b, s1b))

print("2. res-b.yaml: thresholds 15, 30 -> 15, 30, 45")
open(yb, "w").write(b_text.replace("thresholds_min: [15, 30]", "thresholds_min: [15, 30, 45]"))
p = run_resume("2")
T.ok(skipped_line(p.stderr, ya) and not skipped_line(p.stderr, yb),
     "2: res-a reported skipped, res-b not", p.stderr)
T.ok("[2/2] %s" % yb in p.stderr and "[1/2]" not in p.stderr, "2: only res-b runs", p.stderr)
s2a, s2b = snapshot(os.path.join(out, "res-a")), snapshot(os.path.join(out, "res-b"))
T.ok(not changed(s1a, s2a), "2: res-a's outputs untouched", changed(s1a, s2a))
T.ok("manifest.json" in changed(s1b, s2b) and "summary.csv" in changed(s1b, s2b),
     "2: res-b recomputed (manifest.json, summary.csv rewritten)", changed(s1b, s2b))
ch, _ = common.read_csv(os.path.join(out, "res-b", "comparison.csv"))
T.ok("within_45_share" in ch, "2: res-b's new outputs have the 45-minute threshold", ch)

print("3. res-a's own services.gpkg: a clinic's capacity + 1 (res-a.yaml unchanged)")
common.run(["ogrinfo", "-q", a_services, "-sql",
            "UPDATE services SET capacity = capacity + 1 WHERE service_id = "
            "(SELECT MIN(service_id) FROM services WHERE kind = 'clinic')"], expect=0)
p = run_resume("3")
T.ok(skipped_line(p.stderr, yb) and not skipped_line(p.stderr, ya),
     "3: res-b reported skipped, res-a not", p.stderr)
T.ok("[1/2] %s" % ya in p.stderr and "[2/2]" not in p.stderr, "3: only res-a runs", p.stderr)
s3a, s3b = snapshot(os.path.join(out, "res-a")), snapshot(os.path.join(out, "res-b"))
T.ok(not changed(s2b, s3b), "3: res-b's outputs untouched", changed(s2b, s3b))
T.ok("manifest.json" in changed(s2a, s3a) and "baseline/origins.csv" in changed(s2a, s3a),
     "3: res-a recomputed (manifest.json and origins.csv differ: the clinic's new capacity)",
     changed(s2a, s3a))

print("4. nothing changed again")
p = run_resume("4")
T.ok(skipped_line(p.stderr, ya) and skipped_line(p.stderr, yb),
     "4: both files reported skipped", p.stderr)
s4a, s4b = snapshot(os.path.join(out, "res-a")), snapshot(os.path.join(out, "res-b"))
T.ok(not changed(s3a, s4a) and not changed(s3b, s4b), "4: every output file untouched",
     changed(s3a, s4a) + changed(s3b, s4b))

T.done()
