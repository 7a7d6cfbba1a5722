#!/usr/bin/env python3
"""scenarios_set_attributes: changing a service's fields changes who may use it.

On the demo city, services.gpkg gets a field `arabic` (0 everywhere) and migrants may use only
clinics with `arabic = 1` (none in the baseline). The scenario sets `arabic: 1` on two clinics;
the from-scratch run is a baseline whose services.gpkg has arabic = 1 on those two clinics. The
scenario's folder must equal the from-scratch baseline byte for byte, and migrants must reach a
clinic in it (they reach none in the baseline). A field the layer does not have fails the
scenario with a message naming it."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

acc, work, T, demo, base_text = common.demo_setup("scenarios_set_attributes")
src = os.path.join(demo, "inputs", "services.gpkg")
CLINICS = ("clinic-02", "clinic-05")


def services_copy(path, arabic_ids):
    ids = ",".join("'%s'" % i for i in arabic_ids) or "''"
    common.run(["ogr2ogr", "-f", "GPKG", path, src, "-nln", "services", "-sql",
                "SELECT *, CASE WHEN service_id IN (%s) THEN 1 ELSE 0 END AS arabic FROM services"
                % ids], expect=0)


def yaml_with(services, scenarios=""):
    text = base_text.replace("inputs/services.gpkg", services)
    old = "migrants: { field: pop_migrant, modes: [walk, bike, transit] }"
    if old not in text:
        common.die("demo.yaml's migrants group changed: %s not found" % old)
    text = text.replace(old, "migrants: { field: pop_migrant, modes: [walk, bike, transit], "
                             "eligible: { clinic: \"arabic = 1\" } }")
    return text.replace("inputs/", os.path.join(demo, "inputs") + "/") + scenarios


none = os.path.join(work, "services_none.gpkg")
two = os.path.join(work, "services_two.gpkg")
services_copy(none, [])
services_copy(two, CLINICS)

scen = ("scenarios:\n  - name: arabic-staff\n    changes:\n      - set_attributes: "
        "{ service: clinic, ids: [%s], values: { arabic: 1 } }\n"
        "  - name: bad-field\n    changes:\n      - set_attributes: "
        "{ service: clinic, ids: [%s], values: { urdu: 1 } }\n" % (", ".join(CLINICS), CLINICS[0]))
ya = os.path.join(work, "scenario.yaml")
yb = os.path.join(work, "scratch.yaml")
open(ya, "w").write(yaml_with(none, scen))
open(yb, "w").write(yaml_with(two))
oa, ob = os.path.join(work, "o_scenario"), os.path.join(work, "o_scratch")
pa = common.run([acc, "run", ya, "-o", oa, "--quiet"])
T.ok(pa.returncode == 2, "exit 2: one scenario (bad-field) fails", pa.stderr)
T.ok("scenario 'bad-field'" in pa.stderr and "urdu" in pa.stderr,
     "the message names the scenario and the missing field", pa.stderr)
common.run([acc, "run", yb, "-o", ob, "--quiet"], expect=0)

files = sorted(f for f in common.files_under(os.path.join(oa, "arabic-staff"))
               if "_delta_" not in f)
T.ok(len(files) > 10, "the scenario folder has its files", files)
diff = [f for f in files
        if not common.same_bytes(os.path.join(oa, "arabic-staff", f), os.path.join(ob, "baseline", f))]
T.ok(not diff, "arabic-staff equals the from-scratch baseline byte for byte", diff)
base = common.read_dicts(os.path.join(oa, "baseline", "origins.csv"))
scen_rows = common.read_dicts(os.path.join(oa, "arabic-staff", "origins.csv"))
col = "clinic_walk_migrants_minutes"
T.ok(col in base[0], "origins.csv has %s (migrants' own clinic layer)" % col, list(base[0])[:30])
if col in base[0]:
    T.ok(all(r[col] == "" for r in base), "baseline: migrants reach no clinic on foot")
    T.ok(sum(1 for r in scen_rows if r[col] != "") > 0, "scenario: migrants reach a clinic")
man = common.load_manifest(oa)
st = {s["name"]: s["status"] for s in man["scenarios"]}
T.ok(st == {"arabic-staff": "ok", "bad-field": "failed"}, "manifest statuses", st)
T.done()
