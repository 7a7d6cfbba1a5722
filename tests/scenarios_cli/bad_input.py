#!/usr/bin/env python3
"""scenarios_bad_input: scenarios that are bad input, on the demo city.

Scenario-level errors (the file parses; a change does not fit the data): each case is a file of
its own = demo.yaml's baseline part + a good scenario before the bad one and one after. Each must
exit 2 with exactly one line on stderr (--quiet) that names the file, "scenario 'NAME'" and the
change kind (and what is wrong); OUT/<good>/ folders are written, OUT/<bad>/ is not, and
manifest.json marks the bad one "failed" with its error (the others "ok"); summary.csv and
comparison.csv have no row for it.
  unknown-id      remove_services with an id the clinics do not have
  unknown-kind    add_services of a service kind the city does not have
  unknown-route   set_headway on a route not in the feed
  unknown-stop    add_route through a stop id not in the feed
  bowtie          close_ways within a self-intersecting (bow-tie) polygon
  no-crs-gpkg     remove_population within a GeoPackage polygon layer with an undefined CRS
  no-crs-shp      speed_factor within a shapefile without .prj

File-level errors (nothing runs, nothing is written: no OUT, no temporary folder left): exit 2,
one line naming the file and the culprit.
  unknown-group   add_population naming a group the population does not have (the line must
                  also name the scenario and the change, like the scenario-level errors)
  duplicate       two scenarios whose names differ only in case
  escape          a scenario named "../escape"
  big-sweep       a sweep making 1001 scenarios, without --yes (the message mentions --yes; the
                  sweep is never run with --yes)

Batch: `accessim run good.yaml bad.yaml -o OUT`, bad.yaml not YAML: exit 2, OUT/<good name>/
has its manifest.json, nothing is written for bad.yaml.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

acc, work, T, demo, base_text = common.demo_setup("scenarios_bad_input")

# polygon layers without a CRS, next to the scenario files (areas resolve against the file)
csv_path = os.path.join(demo, "area_nocrs.csv")
with open(csv_path, "w") as fp:
    fp.write('id,WKT\n1,"POLYGON ((14.95 52.33,14.99 52.33,14.99 52.35,14.95 52.35,14.95 52.33))"\n')
common.run(["ogr2ogr", "-f", "GPKG", os.path.join(demo, "area_nocrs.gpkg"), csv_path, "-nln", "area",
            "-nlt", "POLYGON"], expect=0)
common.run(["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(demo, "area_nocrs_shp"), csv_path,
            "-nln", "area", "-nlt", "POLYGON"], expect=0)
info = common.run(["ogrinfo", "-so", os.path.join(demo, "area_nocrs.gpkg"), "area"], expect=0).stdout
T.ok("Undefined" in info or "SRS WKT" not in info,
     "area_nocrs.gpkg has no defined CRS (ogrinfo: %s)"
     % [ln for ln in info.splitlines() if "SRS" in ln or "Undefined" in ln][:2])
T.ok(not os.path.exists(os.path.join(demo, "area_nocrs_shp", "area.prj")),
     "area_nocrs_shp/area.shp has no .prj")

GOOD_FIRST = """  - name: ok-first
    changes:
      - set_capacity: { service: school, factor: 2 }
"""
GOOD_LAST = """  - name: ok-last
    description: "no changes"
"""

# name, scenario name, change kind, a fragment the message must contain, the change
SCENARIO_CASES = [
    ("unknown-id", "bad-id", "remove_services", "no-such-clinic",
     "remove_services: { service: clinic, ids: [clinic-01, no-such-clinic] }"),
    ("unknown-kind", "bad-kind", "add_services", "hospital",
     "add_services: { service: hospital, points: [ { id: h1, lon: 14.97, lat: 52.34, capacity: 2 } ] }"),
    ("unknown-route", "bad-route", "set_headway", "99",
     "set_headway: { route: \"99\", headway_min: 10 }"),
    ("unknown-stop", "bad-stop", "add_route", "S999",
     "add_route: { route: X1, stops: [S001, S999], headway_min: 10, span: \"07:00-10:00\", "
     "speed_kmh: 20 }"),
    ("bowtie", "bow-tie", "close_ways", "ntersect",
     "close_ways: { within: { polygon: [[14.95, 52.33], [14.99, 52.35], [14.99, 52.33], "
     "[14.95, 52.35]] } }"),
    ("no-crs-gpkg", "area-without-crs", "remove_population", "CRS",
     "remove_population: { within: { source: area_nocrs.gpkg, layer: area }, share: 0.5 }"),
    ("no-crs-shp", "shapefile-without-prj", "speed_factor", "CRS",
     "speed_factor: { within: { source: area_nocrs_shp/area.shp }, factor: 0.5 }"),
]


def write_case(case, scenarios_text):
    path = os.path.join(demo, "%s.yaml" % case)
    with open(path, "w") as fp:
        fp.write(base_text.replace("name: demo", "name: %s" % case, 1))
        fp.write(scenarios_text)
    return path


def stderr_lines(p):
    return [ln for ln in p.stderr.splitlines() if ln.strip()]


for case, bad, kind, frag, change in SCENARIO_CASES:
    print("[%s] %s" % (case, change))
    y = write_case(case, "scenarios:\n%s  - name: %s\n    changes:\n      - %s\n%s"
                   % (GOOD_FIRST, bad, change, GOOD_LAST))
    out = os.path.join(work, "o_" + case)
    v = common.run([acc, "validate", y, "--quiet"])
    T.ok(v.returncode == 2 and "scenario '%s'" % bad in v.stderr and frag in v.stderr,
         "%s: validate finds it too (exit 2, names the scenario and %s)" % (case, frag), v.stderr)
    p = common.run([acc, "run", y, "-o", out, "--quiet"])
    lines = stderr_lines(p)
    T.ok(p.returncode == 2, "%s: exit status 2 (got %d)" % (case, p.returncode), p.stderr)
    T.ok(len(lines) == 1, "%s: exactly one line on stderr" % case, p.stderr)
    line = lines[0] if lines else ""
    need = [y, "scenario '%s'" % bad, kind, frag]
    T.ok(all(n in line for n in need), "%s: the line names the file, the scenario, the change and "
         "the culprit %s" % (case, need[1:]), line)
    T.ok("change 1 (%s)" % kind in line, "%s: the line says 'change 1 (%s)'" % (case, kind), line)
    T.ok(os.path.isdir(os.path.join(out, "ok-first")) and os.path.isdir(os.path.join(out, "ok-last"))
         and os.path.isfile(os.path.join(out, "ok-first", "origins.csv")),
         "%s: the other scenarios' folders are written" % case,
         os.listdir(out) if os.path.isdir(out) else "no %s" % out)
    T.ok(not os.path.exists(os.path.join(out, bad)), "%s: no folder for the failed scenario" % case)
    if not os.path.isfile(os.path.join(out, "manifest.json")):
        T.ok(False, "%s: manifest.json written" % case)
        continue
    man = common.load_manifest(out)
    st = {s["name"]: s for s in man.get("scenarios", [])}
    T.ok([s["name"] for s in man.get("scenarios", [])] == ["ok-first", bad, "ok-last"] and
         st["ok-first"]["status"] == "ok" and st["ok-last"]["status"] == "ok" and
         st[bad]["status"] == "failed" and kind in str(st[bad].get("error", "")),
         "%s: manifest.json marks %s failed (with its error), the others ok" % (case, bad),
         json.dumps(man.get("scenarios"), indent=1))
    rows = common.read_dicts(os.path.join(out, "summary.csv")) + \
        common.read_dicts(os.path.join(out, "comparison.csv"))
    T.ok(not [r for r in rows if r["scenario"] == bad] and
         {r["scenario"] for r in rows} == {"baseline", "ok-first", "ok-last"},
         "%s: summary.csv and comparison.csv have the baseline and the good scenarios only" % case,
         sorted({r["scenario"] for r in rows}))

FILE_CASES = [
    ("unknown-group", "scenarios:\n%s  - name: refugee-centre\n    changes:\n      - add_population: "
     "{ origins: [N05], groups: { everyone: 200, refugees: 150 } }\n" % GOOD_FIRST,
     ["refugees", "scenario 'refugee-centre'", "add_population"]),
    ("duplicate", "scenarios:\n  - name: same-name\n%s  - name: Same-Name\n" % GOOD_FIRST,
     ["Same-Name", "duplicate"]),
    ("escape", "scenarios:\n%s  - name: ../escape\n" % GOOD_FIRST, ["../escape"]),
    ("big-sweep", "sweeps:\n  - name: cap-$a-$b\n    parameters: { a: [%s], b: [%s] }\n"
     "    changes: [ { set_capacity: { service: clinic, factor: $a } } ]\n"
     % (", ".join(str(i) for i in range(1, 12)), ", ".join(str(i) for i in range(1, 92))),
     ["1001", "--yes"]),
]
for case, scen, need in FILE_CASES:
    print("[%s]" % case)
    y = write_case(case, scen)
    parent = os.path.join(work, "o_" + case)
    os.makedirs(parent)
    out = os.path.join(parent, "out")
    p = common.run([acc, "run", y, "-o", out, "--quiet"])
    lines = stderr_lines(p)
    T.ok(p.returncode == 2, "%s: exit status 2 (got %d)" % (case, p.returncode), p.stderr)
    T.ok(len(lines) == 1, "%s: exactly one line on stderr" % case, p.stderr)
    line = lines[0] if lines else ""
    T.ok(y in line and all(n in line for n in need), "%s: the line names the file and %s"
         % (case, need), line)
    T.ok(os.listdir(parent) == [], "%s: nothing written (no OUT, no temporary folder)" % case,
         os.listdir(parent))

print("[batch] a good file and a file that does not parse")
good = write_case("batch-good", "")
bad = os.path.join(demo, "batch-bad.yaml")
with open(bad, "w") as fp:
    fp.write("name: batch-bad\nnetwork: { source: inputs/streets.gpkg\npopulation: [\n")
out = os.path.join(work, "o_batch")
p = common.run([acc, "run", good, bad, "-o", out, "--quiet"])
T.ok(p.returncode == 2, "batch: exit status 2 (got %d)" % p.returncode, p.stderr)
T.ok(os.path.isfile(os.path.join(out, "batch-good", "manifest.json")),
     "batch: OUT/batch-good/manifest.json exists",
     os.listdir(out) if os.path.isdir(out) else "no %s" % out)
T.ok(bad in p.stderr, "batch: stderr names %s" % bad, p.stderr)
T.ok(os.path.isdir(out) and sorted(os.listdir(out)) == ["batch-good"],
     "batch: nothing else in OUT", os.listdir(out) if os.path.isdir(out) else "")

T.done()
