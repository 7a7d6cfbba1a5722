#!/usr/bin/env python3
"""scenarios_demo_from_scratch: a scenario equals a baseline built from the changed inputs.

On the demo city (accessim demo), `accessim run demo.yaml` computes demo.yaml's own scenarios;
then two of them are rebuilt "from scratch" as a plain baseline and compared byte for byte:

  clinic-in-<area>  (add_services: one clinic at a lon/lat) - inputs/services.gpkg copied, the
                    clinic appended with ogr2ogr -append (fields service_id, kind=clinic, name,
                    capacity; reprojected to the layer's EPSG:32633 with -t_srs), a scenario
                    file = demo.yaml's baseline part pointing at the copy. The scenario's
                    origins.csv must equal the from-scratch baseline's origins.csv byte for
                    byte (the runner attaches the network as loaded again, exactly as a fresh
                    load would), and so must every other file (areas.geojson, minutes rasters).
  bus-3-every-10    (set_headway: route "3", 10 minutes) - inputs/gtfs copied with route 3's
                    trips replaced by explicit trips every 600 s, made here from the feed with
                    this test's own reading of docs/SCENARIOS.md and scn_transit_set_headway:
                    per direction (direction_id), the most common stop pattern, its earliest
                    trip's stop-time offsets, departures from the direction's first departure
                    (over all its trips) every 600 s while <= its last departure. origins.csv
                    (transit columns included) and the rasters must equal byte for byte.
"""
import collections
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

acc, work, T, demo, base_text = common.demo_setup("scenarios_demo_from_scratch")
demo_yaml = os.path.join(demo, "demo.yaml")
text = open(demo_yaml).read()
names = common.scenario_names(text)
print("demo.yaml scenarios: %s" % names)

out = os.path.join(work, "out_demo")
common.run([acc, "run", demo_yaml, "-o", out, "--quiet"], expect=0)
man = common.load_manifest(out)
T.ok(all(s["status"] == "ok" for s in man["scenarios"]) and
     [s["name"] for s in man["scenarios"]] == names,
     "accessim run demo.yaml: every scenario of the file ok", man.get("scenarios"))


def compare_outputs(scn, scratch_out, what):
    """OUT/<scn>/ against the from-scratch SCRATCH/baseline/: origins.csv first, then every
    other file of baseline/ (the scenario folder's delta rasters have no counterpart)."""
    sdir = os.path.join(out, scn)
    bdir = os.path.join(scratch_out, "baseline")
    a, b = os.path.join(sdir, "origins.csv"), os.path.join(bdir, "origins.csv")
    same = os.path.exists(a) and os.path.exists(b) and common.same_bytes(a, b)
    T.ok(same, "%s: OUT/%s/origins.csv equals the from-scratch baseline's byte for byte"
         % (what, scn), "" if same or not (os.path.exists(a) and os.path.exists(b))
         else common.table_diff(a, b, limit=40))
    files = common.files_under(bdir)
    differ = [f for f in files if f != "origins.csv" and
              (not os.path.exists(os.path.join(sdir, f)) or
               not common.same_bytes(os.path.join(sdir, f), os.path.join(bdir, f)))]
    T.ok(not differ, "%s: every other file of the from-scratch baseline/ (%d: areas.geojson, "
         "minutes rasters) equals OUT/%s/'s byte for byte" % (what, len(files) - 1, scn), differ)


# ---- clinic-in-<area> -------------------------------------------------------------------------
clinic_scn = [n for n in names if n.startswith("clinic-in-")]
if len(clinic_scn) != 1:
    common.die("demo.yaml has no single clinic-in-<area> scenario: %s" % names)
clinic_scn = clinic_scn[0]
block = text.split("name: %s" % clinic_scn, 1)[1].split("\n  - name:", 1)[0]
m = re.search(r"add_services:\s*\{\s*service:\s*clinic,\s*points:\s*\[\s*\{\s*id:\s*([^,\s]+),\s*"
              r"lon:\s*([-0-9.]+),\s*lat:\s*([-0-9.]+),\s*capacity:\s*([0-9.]+)\s*\}\s*\]\s*\}", block)
if not m:
    common.die("cannot read the clinic of scenario %s from demo.yaml:\n%s" % (clinic_scn, block))
cid, clon, clat, ccap = m.groups()
print("%s: clinic %s at %s, %s, capacity %s" % (clinic_scn, cid, clon, clat, ccap))

sc = os.path.join(work, "scratch_clinic")
os.makedirs(sc)
svc = os.path.join(sc, "services.gpkg")
shutil.copy(os.path.join(demo, "inputs", "services.gpkg"), svc)
with open(os.path.join(sc, "new_clinic.geojson"), "w") as fp:
    # the coordinates as demo.yaml writes them (the same text, hence the same doubles)
    fp.write('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
             '{"service_id": "%s", "kind": "clinic", "name": "New clinic", "capacity": %s}, '
             '"geometry": {"type": "Point", "coordinates": [%s, %s]}}]}\n'
             % (cid, ccap, clon, clat))
common.run(["ogr2ogr", "-append", "-nln", "services", "-t_srs", "EPSG:32633", svc,
            os.path.join(sc, "new_clinic.geojson")], expect=0)
n = common.run(["ogrinfo", "-q", "-sql", "SELECT COUNT(*) FROM services", svc], expect=0).stdout
n0 = common.run(["ogrinfo", "-q", "-sql", "SELECT COUNT(*) FROM services",
                 os.path.join(demo, "inputs", "services.gpkg")], expect=0).stdout
cnt = [int(x) for x in re.findall(r"= (\d+)", n)] + [int(x) for x in re.findall(r"= (\d+)", n0)]
T.ok(len(cnt) == 2 and cnt[0] == cnt[1] + 1, "the copy of services.gpkg has one more service", cnt)
y = os.path.join(demo, "scratch_clinic.yaml")  # next to demo.yaml: the other inputs as they are
yt = base_text.replace("inputs/services.gpkg", svc)
if yt == base_text:
    common.die("demo.yaml's baseline does not name inputs/services.gpkg")
open(y, "w").write(yt)
out2 = os.path.join(work, "out_scratch_clinic")
common.run([acc, "run", y, "-o", out2, "--quiet"], expect=0)
compare_outputs(clinic_scn, out2, clinic_scn)


# ---- bus-3-every-10 ---------------------------------------------------------------------------
BUS = "bus-3-every-10"
if BUS not in names or not re.search(r"set_headway:\s*\{\s*route:\s*\"3\",\s*headway_min:\s*10\s*\}",
                                     text.split("name: %s" % BUS, 1)[1].split("\n  - name:", 1)[0]):
    common.die("demo.yaml has no scenario %s with set_headway route \"3\" every 10 min" % BUS)
HEADWAY = 600
ROUTE = "3"


def secs(t):
    h, m, s = (int(x) for x in t.strip().split(":"))
    return h * 3600 + m * 60 + s


def hms(s):
    return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


src = os.path.join(demo, "inputs", "gtfs")
bus = os.path.join(work, "scratch_bus", "gtfs")  # same folder name: the feed name is "gtfs"
shutil.copytree(src, bus)
th, trips = common.read_csv(os.path.join(src, "trips.txt"))
sh, times = common.read_csv(os.path.join(src, "stop_times.txt"))
fh, freqs = common.read_csv(os.path.join(src, "frequencies.txt")) \
    if os.path.exists(os.path.join(src, "frequencies.txt")) else ([], [])
T_ = {c: i for i, c in enumerate(th)}
S_ = {c: i for i, c in enumerate(sh)}
r3 = [t for t in trips if t[T_["route_id"]] == ROUTE]
r3ids = {t[T_["trip_id"]] for t in r3}
if not r3:
    common.die("route 3 has no trip in trips.txt")
if freqs and any(f[fh.index("trip_id")] in r3ids for f in freqs):
    common.die("route 3 is in frequencies.txt: this test expects explicit trips")
st_of = collections.defaultdict(list)
for r in times:
    if r[S_["trip_id"]] in r3ids:
        st_of[r[S_["trip_id"]]].append(r)
for k in st_of:
    st_of[k].sort(key=lambda r: int(r[S_["stop_sequence"]]))


def pattern(tid):
    def flag(r, c):
        return r[S_[c]] if c in S_ and r[S_[c]] else "0"
    return tuple((r[S_["stop_id"]], flag(r, "pickup_type"), flag(r, "drop_off_type"))
                 for r in st_of[tid])


def dep0(tid):
    return secs(st_of[tid][0][S_["departure_time"]])


if max(secs(r[S_["arrival_time"]]) for v in st_of.values() for r in v) >= 24 * 3600:
    common.die("route 3 runs past midnight: this generator does not handle that")
by_dir = collections.defaultdict(list)
for t in r3:
    by_dir[t[T_["direction_id"]]].append(t[T_["trip_id"]])
new_trips, new_times = [], []
for d in sorted(by_dir):
    tids = by_dir[d]
    count = collections.Counter(pattern(t) for t in tids)
    # most common pattern; a tie goes to the pattern whose first trip departs first
    best = min(count, key=lambda p: (-count[p], min(dep0(t) for t in tids if pattern(t) == p)))
    tpl = min((t for t in tids if pattern(t) == best), key=dep0)
    first = min(dep0(t) for t in tids)
    last = max(dep0(t) for t in tids)
    t0 = dep0(tpl)
    trow = next(t for t in r3 if t[T_["trip_id"]] == tpl)
    k, dep = 0, first
    while dep <= last:
        nid = "3-%s-every10-%03d" % (d, k)
        row = list(trow)
        row[T_["trip_id"]] = nid
        new_trips.append(row)
        for r in st_of[tpl]:
            nr = list(r)
            nr[S_["trip_id"]] = nid
            nr[S_["arrival_time"]] = hms(dep + secs(r[S_["arrival_time"]]) - t0)
            nr[S_["departure_time"]] = hms(dep + secs(r[S_["departure_time"]]) - t0)
            new_times.append(nr)
        k += 1
        dep = first + k * HEADWAY
    print("route 3 direction %s: %d trips, %d patterns; template %s; %s-%s every %d s -> %d trips"
          % (d, len(tids), len(count), tpl, hms(first), hms(last), HEADWAY, k))
common.write_csv(os.path.join(bus, "trips.txt"), th,
                 [t for t in trips if t[T_["trip_id"]] not in r3ids] + new_trips)
common.write_csv(os.path.join(bus, "stop_times.txt"), sh,
                 [r for r in times if r[S_["trip_id"]] not in r3ids] + new_times)
y = os.path.join(demo, "scratch_bus.yaml")
yt = re.sub(r"feeds:\s*\[\s*inputs/gtfs\s*\]", "feeds: [%s]" % bus, base_text)
if yt == base_text:
    common.die("demo.yaml's transit block does not read feeds: [inputs/gtfs]")
open(y, "w").write(yt)
out3 = os.path.join(work, "out_scratch_bus")
common.run([acc, "run", y, "-o", out3, "--quiet"], expect=0)
m3 = common.load_manifest(out3)
print("from-scratch feed: %s" % json.dumps(m3["transit"]["feeds"]))
compare_outputs(BUS, out3, BUS)

# the scenario really changed something (else the comparison above proves little)
bh, brows = common.read_csv(os.path.join(out, "baseline", "origins.csv"))
_, srows = common.read_csv(os.path.join(out, BUS, "origins.csv"))
tcols = [i for i, c in enumerate(bh) if "_transit_" in c and c.endswith("_minutes")]
T.ok(any(a[i] != b[i] for a, b in zip(brows, srows) for i in tcols),
     "%s changes some transit minutes compared with the baseline" % BUS)
_, crows = common.read_csv(os.path.join(out, clinic_scn, "origins.csv"))
ccols = [i for i, c in enumerate(bh) if c.startswith("clinic_") and c.endswith("_minutes")]
T.ok(any(a[i] != b[i] for a, b in zip(brows, crows) for i in ccols),
     "%s changes some clinic minutes compared with the baseline" % clinic_scn)

T.done()
