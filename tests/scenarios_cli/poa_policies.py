#!/usr/bin/env python3
"""scenarios_poa_policies: scenarios/examples/porto-alegre-policies.yaml on the real Porto Alegre
data (../shared/data/poa), each scenario recomputed from scratch as a baseline.

`accessim run` computes the example's baseline and its scenarios; then, for each scenario, this
test writes a modified copy of poa_hexgrid.csv expressing the same policy as data, and a scenario
file (absolute paths) reading it, runs it, and compares OUT/<scenario>/origins.csv with the
from-scratch OUT2/baseline/origins.csv:

  clinics-in-underserved       healthcare = 1 in the two hexagons: the clinic then sits at the
                               same lon/lat with the hexagon id as its id;
  close-small-clinics          healthcare = 0 for the three removed, doubled for the three others;
  reception-centre             population + 800 in the hexagon;
  close-schools-few-residents  schools = 0 where population < 100 (the `where:` selection).

All must be equal byte for byte, with one caveat for added services. A scenario appends the
services it adds after the baseline's; a baseline lists them in file order. The times, nearest
ids and counts do not depend on that order, but sums over services (gravity, FCA family, spatial
availability) are added in service order, so they may differ in the last printed digit
(docs/MEASURES.md: sums in a fixed index order, reproducible bit for bit, equal "up to rounding"
when reordered). So clinics-in-underserved is rebuilt twice:
  - with the clinic layer read from a copy whose two new clinic rows come last (the scenario's
    service order; population and schools from the unchanged file): byte for byte;
  - with the plain modified file (file order): every column equal as text, except the sum-based
    measure columns, which must agree to 1e-12 relative; the number of cells differing only in
    the last digits is printed.
"""
import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("accessim")
ap.add_argument("shared_data", help="the shared data folder (ACCESSIM_SHARED_DATA)")
ap.add_argument("policies", help="scenarios/examples/porto-alegre-policies.yaml")
ap.add_argument("work")
args = ap.parse_args()
acc = os.path.abspath(args.accessim)
data = os.path.realpath(args.shared_data)
for f in ("poa/poa_osm.pbf", "poa/poa_hexgrid.csv"):
    if not os.path.isfile(os.path.join(data, f)):
        common.die("integration data missing: %s does not exist.\nThis test needs the shared real "
                   "data (Porto Alegre sample). Configure with -DACCESSIM_SHARED_DATA=<folder "
                   "holding poa/poa_osm.pbf>, or leave it out with `ctest -LE integration`."
                   % os.path.join(data, f))
if not os.path.isfile(args.policies):
    common.die("example scenario missing: %s" % args.policies)
work = common.fresh_dir(os.path.abspath(args.work))
T = common.Checks("scenarios_poa_policies")
HEX = os.path.join(data, "poa", "poa_hexgrid.csv")
REL = "../../../shared/data"

text = open(args.policies).read()
if REL not in text:
    common.die("%s does not read its data from %s" % (args.policies, REL))
policies = os.path.join(work, "porto-alegre-policies.yaml")
open(policies, "w").write(text.replace(REL, data))
base_text = common.baseline_part(open(policies).read())
if base_text.count(HEX) != 3:
    common.die("the baseline of %s should read poa_hexgrid.csv three times (population, clinic, "
               "school)" % args.policies)

out = os.path.join(work, "out")
r = common.run([acc, "run", policies, "-o", out, "--quiet"])
T.ok(r.returncode == 0, "accessim run porto-alegre-policies.yaml exits 0", r.stderr)
if r.returncode != 0:
    T.done()

header, rows = common.read_csv(HEX)
H = {c: i for i, c in enumerate(header)}


def num(s):
    return float(s) if s.strip() else 0.0


# The policies of the example file, expressed as edits of poa_hexgrid.csv rows (dicts).
NEW_CLINICS = ["89a9012b04fffff", "89a9012b2b3ffff"]
CLOSED = ["89a901295b7ffff", "89a90129e67ffff", "89a9012884bffff"]
DOUBLED = ["89a90129c53ffff", "89a90128a93ffff", "89a90128a9bffff"]
RECEPTION = "89a9012a3cfffff"


def clinics_in_underserved(r):
    if r["id"] in NEW_CLINICS:
        assert num(r["healthcare"]) == 0 and num(r["population"]) > 0, r
        r["healthcare"] = "1"


def close_small_clinics(r):
    if r["id"] in CLOSED:
        assert r["healthcare"] == "1", r
        r["healthcare"] = "0"
    if r["id"] in DOUBLED:
        assert num(r["healthcare"]) > 1, r
        r["healthcare"] = str(int(r["healthcare"]) * 2)


def reception_centre(r):
    if r["id"] == RECEPTION:
        r["population"] = str(int(r["population"]) + 800)


def close_schools_few_residents(r):
    if num(r["schools"]) > 0 and num(r["population"]) < 100:
        r["schools"] = "0"


POLICY = {"clinics-in-underserved": clinics_in_underserved,
          "close-small-clinics": close_small_clinics,
          "reception-centre": reception_centre,
          "close-schools-few-residents": close_schools_few_residents}

man = common.load_manifest(out)
status = {s["name"]: s["status"] for s in man.get("scenarios", [])}
T.ok(sorted(status) == sorted(POLICY) and set(status.values()) == {"ok"},
     "manifest.json: the example's scenarios are %s, all ok (a new scenario in the example needs "
     "its from-scratch twin here)" % sorted(POLICY), status)
# the ids the test edits are the ones the example names
for name, ids in (("clinics-in-underserved", NEW_CLINICS), ("close-small-clinics", CLOSED + DOUBLED),
                  ("reception-centre", [RECEPTION])):
    block = text.split("- name: %s" % name, 1)[-1].split("\n  - name:", 1)[0]
    T.ok(all(i in block for i in ids), "the example's %s names %s" % (name, ids))

# (i) the clinics' lon/lat in the example are the hexagons' centroids, as text
block = text.split("- name: clinics-in-underserved", 1)[-1].split("\n  - name:", 1)[0]
for i in NEW_CLINICS:
    row = next(r for r in rows if r[H["id"]] == i)
    T.ok(re.search(r"id:\s*%s,\s*lon:\s*%s,\s*lat:\s*%s," % (i, re.escape(row[H["lon"]]),
                                                              re.escape(row[H["lat"]])), block),
         "clinic %s is at its hexagon's centroid (%s, %s)" % (i, row[H["lon"]], row[H["lat"]]))


def scratch(name, edit, clinic_rows_last=None):
    """Writes the modified hexgrid and a scenario file reading it; runs it; returns OUT2."""
    d = os.path.join(work, "scratch_" + name)
    os.makedirs(d, exist_ok=True)
    changed, body = 0, []
    for r in rows:
        rec = dict(zip(header, r))
        edit(rec)
        new = [rec[c] for c in header]
        changed += new != r
        body.append(new)
    csv_path = os.path.join(d, "poa_hexgrid.csv")
    common.write_csv(csv_path, header, body)
    yt = base_text.replace(HEX, csv_path)
    if clinic_rows_last:
        # clinics from a copy with these rows moved to the end (population and schools: the
        # modified file, where they are as in poa_hexgrid.csv)
        last = [b for b in body if b[H["id"]] in clinic_rows_last]
        last.sort(key=lambda b: clinic_rows_last.index(b[H["id"]]))
        lpath = os.path.join(d, "clinics_last.csv")
        common.write_csv(lpath, header, [b for b in body if b[H["id"]] not in clinic_rows_last] + last)
        pre, rest = yt.split("\n  clinic:\n", 1)
        clinic, post = rest.split("\n  school:\n", 1)
        yt = pre + "\n  clinic:\n" + clinic.replace(csv_path, lpath) + "\n  school:\n" + post
        if yt.count(lpath) != 1 or yt.count(csv_path) != 2:
            common.die("could not point only the clinic layer at %s" % lpath)
    y = os.path.join(d, "scratch.yaml")
    open(y, "w").write(yt)
    o = os.path.join(d, "out")
    common.run([acc, "run", y, "-o", o, "--quiet"], expect=0)
    print("%s: from scratch with %d hexagon rows changed%s" %
          (name, changed, " (clinic rows %s last)" % clinic_rows_last if clinic_rows_last else ""))
    return o, changed


for name, edit in POLICY.items():
    if status.get(name) != "ok":
        continue
    a = os.path.join(out, name, "origins.csv")
    if name == "clinics-in-underserved":
        o2, changed = scratch(name + "-same-order", edit, NEW_CLINICS)
    else:
        o2, changed = scratch(name, edit)
    T.ok(changed > 0, "%s: the from-scratch file differs from poa_hexgrid.csv (%d rows)"
         % (name, changed))
    b = os.path.join(o2, "baseline", "origins.csv")
    same = common.same_bytes(a, b)
    T.ok(same, "%s: OUT/%s/origins.csv equals the from-scratch baseline's byte for byte"
         % (name, name), "" if same else common.table_diff(a, b, limit=40))
    files = [f for f in common.files_under(os.path.join(o2, "baseline")) if f != "origins.csv"]
    differ = [f for f in files if not os.path.exists(os.path.join(out, name, f)) or
              not common.same_bytes(os.path.join(out, name, f), os.path.join(o2, "baseline", f))]
    T.ok(files and not differ, "%s: every other file of the from-scratch baseline/ (%d: "
         "areas.geojson, minutes rasters) equals OUT/%s/'s byte for byte"
         % (name, len(files), name), differ)
    bh, brows = common.read_csv(os.path.join(out, "baseline", "origins.csv"))
    sh, srows = common.read_csv(a)
    T.ok(bh == sh and any(x != y for x, y in zip(brows, srows)),
         "%s: the scenario changes origins.csv compared with the baseline" % name)

# (i) again, services in file order: text-equal but for rounding in service-order sums
name = "clinics-in-underserved"
if status.get(name) == "ok":
    o2, _ = scratch(name + "-file-order", clinics_in_underserved)
    a = os.path.join(out, name, "origins.csv")
    b = os.path.join(o2, "baseline", "origins.csv")
    ha, ra = common.read_csv(a)
    hb, rb = common.read_csv(b)
    T.ok(ha == hb and [x[0] for x in ra] == [x[0] for x in rb],
         "%s (file order): same columns and origins" % name, (ha, hb))
    summed = re.compile(r"_(gravity|fca2|e2sfca|bfca|spatial_availability)")
    exact_bad, near_bad, rounding = [], [], 0
    for x, y in zip(ra, rb):
        for c, u, v in zip(ha, x, y):
            if u == v:
                continue
            if not summed.search(c):
                exact_bad.append((x[0], c, u, v))
                continue
            try:
                fu, fv = float(u), float(v)
                if abs(fu - fv) <= 1e-12 * max(abs(fu), abs(fv)):
                    rounding += 1
                    continue
            except ValueError:
                pass
            near_bad.append((x[0], c, u, v))
    T.ok(not exact_bad, "%s (file order): times, nearest ids, counts equal as text (service order "
         "changes no tie)" % name, "\n".join(map(str, exact_bad[:10])))
    T.ok(not near_bad, "%s (file order): sum-based measures equal to 1e-12 relative" % name,
         "\n".join(map(str, near_bad[:10])))
    print("  note: %d sum-based cells differ only in the last digits between the scenario "
          "(new clinics last) and the file-order baseline" % rounding)

T.done()
