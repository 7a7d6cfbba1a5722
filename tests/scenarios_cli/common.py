"""Shared helpers of the scenario command-line tests (tests/scenarios_cli/*.py).

Only the Python standard library and the GDAL command-line tools (gdalinfo, gdal_translate,
ogr2ogr) are used; no GDAL Python bindings.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys


class Checks:
    """Collects failed checks; every failure is printed with what differed."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.passed = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("  ok   %s" % what)
        else:
            self.failures.append(what)
            print("  FAIL %s" % what)
            if detail:
                for line in str(detail).rstrip("\n").split("\n"):
                    print("         " + line)
        sys.stdout.flush()
        return bool(cond)

    def done(self):
        print("%s: %d checks passed, %d failed" % (self.name, self.passed, len(self.failures)))
        for f in self.failures:
            print("  failed: " + f)
        sys.exit(1 if self.failures else 0)


def die(msg):
    print("ERROR: " + msg)
    sys.stdout.flush()
    sys.exit(1)


def fresh_dir(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return path


def run(cmd, cwd=None, expect=None):
    """Runs cmd (a list); returns the CompletedProcess (text). When `expect` is given and the
    exit status differs, prints the command and its output and stops the test."""
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if expect is not None and p.returncode != expect:
        die("%s\n  exit status %d, expected %d\n  stdout:\n%s\n  stderr:\n%s" %
            (" ".join(map(str, cmd)), p.returncode, expect, p.stdout[-4000:], p.stderr[-4000:]))
    return p


def make_demo(accessim, dest):
    """accessim demo -o dest: the demo city, its demo.yaml and the demo's own outputs."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    run([accessim, "demo", "-o", dest, "--quiet", "--overwrite"], expect=0)
    if not os.path.isfile(os.path.join(dest, "demo.yaml")):
        die("accessim demo wrote no %s/demo.yaml" % dest)
    return os.path.join(dest, "demo.yaml")


def baseline_part(yaml_text):
    """Everything before the top-level `scenarios:` (or `sweeps:`) line."""
    lines = yaml_text.split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^(scenarios|sweeps)\s*:", line):
            return "\n".join(lines[:i]).rstrip("\n") + "\n"
    die("no top-level 'scenarios:' line in the scenario file")


def scenario_names(yaml_text):
    """The names of the `scenarios:` list (`  - name: x` lines after `scenarios:`)."""
    part = yaml_text.split("\nscenarios:", 1)
    if len(part) < 2:
        return []
    return re.findall(r"^\s*-\s*name:\s*\"?([A-Za-z0-9_.-]+)\"?\s*$", part[1], re.M)


def read_csv(path):
    with open(path, newline="") as fp:
        rows = list(csv.reader(fp))
    if not rows:
        die("%s is empty" % path)
    return rows[0], rows[1:]


def read_dicts(path):
    with open(path, newline="") as fp:
        return list(csv.DictReader(fp))


def write_csv(path, header, rows):
    with open(path, "w", newline="") as fp:
        w = csv.writer(fp, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def files_under(root):
    """Relative paths of every file under root, sorted."""
    out = []
    for d, _, fs in os.walk(root):
        for f in fs:
            out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def table_diff(path_a, path_b, key="origin_id", columns=None, limit=12):
    """Differences between two CSV tables with one row per key: a text report ('' when equal).
    Compares the header, the keys, then each cell as a string (columns: only those)."""
    ha, ra = read_csv(path_a)
    hb, rb = read_csv(path_b)
    msgs = []
    if ha != hb:
        only_a = [c for c in ha if c not in hb]
        only_b = [c for c in hb if c not in ha]
        msgs.append("headers differ (only in first: %s; only in second: %s; order differs: %s)"
                    % (only_a, only_b, not only_a and not only_b))
    ka = [r[ha.index(key)] for r in ra]
    kb = [r[hb.index(key)] for r in rb]
    if ka != kb:
        msgs.append("rows differ: %d vs %d rows, keys %s" %
                    (len(ka), len(kb), "in another order" if sorted(ka) == sorted(kb)
                     else "differ"))
    da = {r[ha.index(key)]: dict(zip(ha, r)) for r in ra}
    db = {r[hb.index(key)]: dict(zip(hb, r)) for r in rb}
    cols = [c for c in ha if c in hb and (columns is None or c in columns)]
    per_col = {}
    for k in ka:
        if k not in db:
            continue
        for c in cols:
            if da[k][c] != db[k][c]:
                per_col.setdefault(c, []).append((k, da[k][c], db[k][c]))
    for c, d in per_col.items():
        msgs.append("column %s: %d rows differ, e.g. %s" % (c, len(d), d[:3]))
    return "\n".join(msgs[:limit] + (["... (%d more)" % (len(msgs) - limit)]
                                     if len(msgs) > limit else []))


def raster_values(path):
    """(nodata, [values]) of band 1, every cell, in one gdal_translate -of AAIGrid call."""
    p = run(["gdal_translate", "-q", "-of", "AAIGrid", path, "/vsistdout/"], expect=0)
    head, vals = {}, []
    for line in p.stdout.splitlines():
        parts = line.split()
        if not parts:
            continue
        key = parts[0].lower()
        if key in ("ncols", "nrows", "xllcorner", "yllcorner", "xllcenter", "yllcenter",
                   "cellsize", "dx", "dy", "nodata_value"):
            head[key] = float(parts[1])
        elif len(parts) == 1 and key.startswith(("projcs", "geogcs", "projcrs", "geogcrs")):
            continue  # the .prj, which GDAL also writes to /vsistdout/
        else:
            vals.extend(float(v) for v in parts)
    n = int(head.get("ncols", 0)) * int(head.get("nrows", 0))
    if not n or len(vals) != n:
        die("%s: %d values read, %d cells" % (path, len(vals), n))
    return head.get("nodata_value"), vals


def load_manifest(out):
    with open(os.path.join(out, "manifest.json")) as fp:
        return json.load(fp)


def point_lonlat(layer_path, layer, where):
    """(lon, lat) text of the first feature of a point layer matching `where` (OGR SQL), in
    WGS 84, as ogr2ogr prints it (15 significant digits), and its attributes."""
    p = run(["ogr2ogr", "-f", "CSV", "/vsistdout/", layer_path, layer, "-t_srs", "EPSG:4326",
             "-where", where, "-lco", "GEOMETRY=AS_XY"], expect=0)
    rows = list(csv.DictReader(p.stdout.splitlines()))
    if not rows:
        die("%s: no feature where %s" % (layer_path, where))
    return rows[0]["X"], rows[0]["Y"], rows[0]


def demo_setup(test_name):
    """The start every demo-based test shares: its arguments (ACCESSIM WORK), a fresh WORK, the
    checks object, the demo city generated in WORK/demo and demo.yaml's baseline part."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("accessim")
    ap.add_argument("work")
    args = ap.parse_args()
    acc = os.path.abspath(args.accessim)
    work = fresh_dir(os.path.abspath(args.work))
    checks = Checks(test_name)
    demo = os.path.join(work, "demo")
    make_demo(acc, demo)
    base_text = baseline_part(open(os.path.join(demo, "demo.yaml")).read())
    return acc, work, checks, demo, base_text
