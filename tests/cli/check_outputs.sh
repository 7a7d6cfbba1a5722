#!/usr/bin/env bash
# check_outputs.sh OUTDIR EPSG [--require-groups G1,G2] [--require-kinds K1,K2]
#
# Checks the output contract of `accessim run` / `accessim demo` in OUTDIR:
#   baseline/*_minutes.tif  opens (GTiff), working CRS is EPSG:<EPSG>, 1 band, Float32, nodata
#                           set, tiled (TIFF TileWidth/TileOffsets tags, not strips), DEFLATE,
#                           band description non-empty, some valid pixels, none negative
#   baseline/areas.geojson  opens with ogrinfo, EPSG:4326, same columns and rows as origins.csv,
#                           minutes are numbers or null (null exactly where origins.csv is empty,
#                           equal within the 0.005 min rounding), lon/lat order (the extent
#                           overlaps the rasters' WGS84 extent), RFC 7946 (no other crs)
#   summary.csv             exact header; modes walk|bike|car; every (scenario,service,mode,group) has the
#                           measures mean_minutes, median_minutes, share_within_15,
#                           share_within_30, unreachable_share
#   baseline/origins.csv    header: origin_id, group columns, <mode>_snap_m per mode, then
#                           <kind>_<mode>_minutes,<kind>_<mode>_nearest_id for every raster's layer;
#                           minutes printed "%.2f" or empty
#   manifest.json           valid JSON (python3's json, as json.tool) with tool + version, inputs (each path, size, sha256; the
#                           size and hash are verified when the path can be found), crs (naming
#                           EPSG), counts, timings
# --require-groups / --require-kinds: these groups are columns of origins.csv and summary.csv
# has rows for every group x kind; every kind has its raster.
# Needs gdalinfo, ogrinfo, gdalsrsinfo and python3 (stdlib only). Prints each failure; exits 1
# if any check failed, 2 on usage errors.
set -euo pipefail

usage() {
    echo "usage: $0 OUTDIR EPSG [--require-groups G1,G2] [--require-kinds K1,K2]" >&2
    exit 2
}
[[ $# -ge 2 ]] || usage
OUTDIR=$1 EPSG=$2
shift 2
GROUPS_REQ="" KINDS_REQ=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --require-groups) GROUPS_REQ=${2:?}; shift 2 ;;
    --require-kinds) KINDS_REQ=${2:?}; shift 2 ;;
    *) usage ;;
    esac
done
[[ $EPSG =~ ^[0-9]+$ ]] || usage
for tool in gdalinfo ogrinfo gdalsrsinfo python3; do
    command -v "$tool" >/dev/null || { echo "check_outputs: $tool not found" >&2; exit 2; }
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Never let a check write .aux.xml files into the folder under test.
export GDAL_PAM_ENABLED=NO

# Run the GDAL tools here; python parses their output below. A tool that fails leaves its
# status in a .rc file instead of stopping the script, so every problem gets reported.
shopt -s nullglob
for tif in "$OUTDIR"/baseline/*_minutes.tif; do
    name=$(basename "$tif" .tif)
    rc=0
    gdalinfo -json -stats "$tif" >"$TMP/$name.gdalinfo.json" 2>"$TMP/$name.gdalinfo.err" || rc=$?
    echo "$rc" >"$TMP/$name.gdalinfo.rc"
done
if [[ -f $OUTDIR/baseline/areas.geojson ]]; then
    rc=0
    ogrinfo -ro -so -al "$OUTDIR/baseline/areas.geojson" >"$TMP/areas.ogrinfo" 2>&1 || rc=$?
    echo "$rc" >"$TMP/areas.ogrinfo.rc"
fi

python3 - "$OUTDIR" "$EPSG" "$TMP" "$GROUPS_REQ" "$KINDS_REQ" <<'PY'
import csv, glob, hashlib, json, math, os, re, struct, subprocess, sys

outdir, epsg, tmp, groups_req, kinds_req = sys.argv[1:6]
MODES = r"walk|bike|car|transit_p\d+"  # transit: one layer per percentile
epsg = int(epsg)
groups_req = [g for g in groups_req.split(",") if g]
kinds_req = [k for k in kinds_req.split(",") if k]
base = os.path.join(outdir, "baseline")
failures = []
n_checks = 0


def check(ok, what):
    global n_checks
    n_checks += 1
    if not ok:
        failures.append(what)
        print("FAIL " + what)
    return ok


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def tiff_first_ifd(path):
    """Tags of the first IFD: {tag: (type, count, raw value bytes)}; classic TIFF and BigTIFF."""
    with open(path, "rb") as f:
        hdr = f.read(16)
        bo = {b"II": "<", b"MM": ">"}.get(hdr[:2])
        if bo is None:
            raise ValueError("not a TIFF file")
        magic = struct.unpack(bo + "H", hdr[2:4])[0]
        if magic == 42:
            f.seek(struct.unpack(bo + "I", hdr[4:8])[0])
            n, size, fmt = struct.unpack(bo + "H", f.read(2))[0], 12, "HHI4s"
        elif magic == 43:
            f.seek(struct.unpack(bo + "Q", hdr[8:16])[0])
            n, size, fmt = struct.unpack(bo + "Q", f.read(8))[0], 20, "HHQ8s"
        else:
            raise ValueError("bad TIFF magic %d" % magic)
        tags = {}
        for _ in range(n):
            t, typ, cnt, val = struct.unpack(bo + fmt, f.read(size))
            tags[t] = (typ, cnt, val)
        return bo, tags


def tiff_short_or_long(bo, entry):
    typ, _, val = entry
    return struct.unpack(bo + ("H" if typ == 3 else "I"), val[: 2 if typ == 3 else 4])[0]


# ---- rasters -------------------------------------------------------------------------------
tifs = sorted(glob.glob(os.path.join(base, "*_minutes.tif")))
check(os.path.isdir(base), "%s: no baseline/ folder" % outdir)
check(len(tifs) > 0, "%s: no *_minutes.tif rasters" % base)
raster_kinds = []
wgs84_boxes = []
for tif in tifs:
    name = os.path.basename(tif)[: -len(".tif")]
    m = re.fullmatch(r"(.+)_(" + MODES + r")_minutes", name)
    if check(m is not None, "%s: name is not <kind>_<mode>_minutes.tif" % tif):
        raster_kinds.append(m.group(1) + "_" + m.group(2))
    rc = int(read(os.path.join(tmp, name + ".gdalinfo.rc")))
    if not check(rc == 0, "%s: gdalinfo failed: %s" % (tif, read(os.path.join(tmp, name + ".gdalinfo.err")).strip())):
        continue
    try:
        info = json.loads(read(os.path.join(tmp, name + ".gdalinfo.json")))
    except ValueError as e:
        check(False, "%s: gdalinfo -json output does not parse: %s" % (tif, e))
        continue
    check(info.get("driverShortName") == "GTiff", "%s: driver %s, expected GTiff" % (tif, info.get("driverShortName")))
    got = info.get("stac", {}).get("proj:epsg")
    if got is None:  # GDAL without the stac block: ask gdalsrsinfo
        srs = subprocess.run(["gdalsrsinfo", "-o", "epsg", tif], capture_output=True, text=True).stdout
        mm = re.search(r"EPSG:(\d+)", srs)
        got = int(mm.group(1)) if mm else None
    check(got == epsg, "%s: CRS is EPSG:%s, expected EPSG:%d" % (tif, got, epsg))
    bands = info.get("bands", [])
    if not check(len(bands) == 1, "%s: %d bands, expected 1" % (tif, len(bands))):
        continue
    b = bands[0]
    check(b.get("type") == "Float32", "%s: band type %s, expected Float32" % (tif, b.get("type")))
    check(b.get("noDataValue") is not None, "%s: no nodata value set" % tif)
    check(bool(str(b.get("description", "")).strip()), "%s: band has no description" % tif)
    comp = info.get("metadata", {}).get("IMAGE_STRUCTURE", {}).get("COMPRESSION")
    check(comp == "DEFLATE", "%s: IMAGE_STRUCTURE COMPRESSION=%s, expected DEFLATE" % (tif, comp))
    width, height = info.get("size", [0, 0])
    block = b.get("block", [0, 0])
    try:
        bo, tags = tiff_first_ifd(tif)
        tiled = 322 in tags and 323 in tags and 324 in tags
        check(tiled, "%s: not tiled (strips: block %s for a %dx%d raster)" % (tif, block, width, height))
        if tiled:
            tw, th = tiff_short_or_long(bo, tags[322]), tiff_short_or_long(bo, tags[323])
            check(tw % 16 == 0 and th % 16 == 0 and [tw, th] == block,
                  "%s: tile %dx%d, gdalinfo block %s" % (tif, tw, th, block))
        if 259 in tags:
            c = tiff_short_or_long(bo, tags[259])
            check(c in (8, 32946), "%s: TIFF Compression tag %d, expected 8 (Deflate)" % (tif, c))
        if 339 in tags:
            check(tiff_short_or_long(bo, tags[339]) == 3, "%s: SampleFormat is not IEEE float" % tif)
    except (OSError, ValueError, struct.error) as e:
        check(False, "%s: cannot read TIFF tags: %s" % (tif, e))
    # Some valid pixels (-stats ignores nodata), and travel times are never negative.
    mn, mx = b.get("minimum"), b.get("maximum")
    check(mn is not None and mx is not None, "%s: no valid pixels (all nodata?)" % tif)
    if mn is not None:
        check(mn >= 0, "%s: minimum %s minutes is negative" % (tif, mn))
    ext = info.get("wgs84Extent", {}).get("coordinates")
    if ext:
        xs = [p[0] for p in ext[0]]
        ys = [p[1] for p in ext[0]]
        wgs84_boxes.append((min(xs), min(ys), max(xs), max(ys)))

# ---- origins.csv -------------------------------------------------------------------------------
origins_path = os.path.join(base, "origins.csv")
header, rows = [], []
if check(os.path.isfile(origins_path), "%s: missing" % origins_path):
    with open(origins_path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r, [])
        rows = list(r)
    check(header[:1] == ["origin_id"], "%s: header starts with %s, expected origin_id" % (origins_path, header[:1]))
    check(len(rows) > 0, "%s: no rows" % origins_path)
    check(all(len(x) == len(header) for x in rows), "%s: rows with a different number of fields than the header" % origins_path)
    check(len(set(header)) == len(header), "%s: duplicate column names in %s" % (origins_path, header))
    snap_cols = [h for h in header if re.fullmatch(r"(walk|bike|car|transit)_snap_m", h)]
    if check(bool(snap_cols), "%s: no <mode>_snap_m column" % origins_path):
        first_snap = header.index(snap_cols[0])
        group_cols = header[1:first_snap]
        check(len(group_cols) >= 1, "%s: no population group columns between origin_id and the snap columns" % origins_path)
        for g in groups_req:
            check(g in group_cols, "%s: no column for group %s (groups: %s)" % (origins_path, g, group_cols))
        check(header[first_snap:first_snap + len(snap_cols)] == snap_cols,
              "%s: the <mode>_snap_m columns are not together: %s" % (origins_path, header))
        kind_cols = header[first_snap + len(snap_cols):]
        # each layer: <kind>_<mode>_minutes, <kind>_<mode>_nearest_id, then its measures
        # <kind>_<mode>_<measure> (docs/OUTPUTS.md)
        kinds_in_csv = []
        i = 0
        while i < len(kind_cols):
            mm = re.fullmatch(r"(.+)_(" + MODES + r")_minutes", kind_cols[i])
            ok = mm is not None and i + 1 < len(kind_cols) and \
                kind_cols[i + 1] == "%s_%s_nearest_id" % (mm.group(1), mm.group(2))
            if not check(ok, "%s: expected <kind>_<mode>_minutes,<kind>_<mode>_nearest_id, got %s" % (origins_path, kind_cols[i : i + 2])):
                break
            layer = mm.group(1) + "_" + mm.group(2)
            kinds_in_csv.append(layer)
            snap = "transit" if mm.group(2).startswith("transit_p") else mm.group(2)
            check("%s_snap_m" % snap in snap_cols, "%s: no %s_snap_m column" % (origins_path, snap))
            i += 2
            while i < len(kind_cols) and kind_cols[i].startswith(layer + "_") and \
                    not re.fullmatch(r"(.+)_(" + MODES + r")_minutes", kind_cols[i]):
                i += 1
        check(sorted(kinds_in_csv) == sorted(raster_kinds), "%s: layers %s, but rasters for %s" % (origins_path, kinds_in_csv, raster_kinds))
    for k in kinds_req:
        check(any(rk.startswith(k + "_") for rk in raster_kinds), "%s: no raster %s_<mode>_minutes.tif" % (base, k))
    bad = [(x[0], header[i], x[i]) for x in rows for i, h in enumerate(header)
           if re.search(r"_(" + MODES + r")_minutes$", h) and i < len(x) and x[i] and not re.fullmatch(r"\d+\.\d\d", x[i])]
    check(not bad, "%s: minutes not printed as %%.2f (or empty), e.g. %s" % (origins_path, bad[:3]))
    bad = [(x[0], c, x[header.index(c)]) for x in rows for c in snap_cols
           if x[header.index(c)] and not re.fullmatch(r"\d+\.\d", x[header.index(c)])]
    check(not bad, "%s: snap distances not printed with 1 decimal (or empty), e.g. %s" % (origins_path, bad[:3]))
    ids = [x[0] for x in rows]
    check(len(set(ids)) == len(ids), "%s: duplicate origin_id values" % origins_path)

# ---- areas.geojson -------------------------------------------------------------------------------
areas = os.path.join(base, "areas.geojson")
if check(os.path.isfile(areas), "%s: missing" % areas):
    rc = int(read(os.path.join(tmp, "areas.ogrinfo.rc")))
    out = read(os.path.join(tmp, "areas.ogrinfo"))
    if check(rc == 0, "%s: ogrinfo cannot open it: %s" % (areas, out.strip()[-300:])):
        check(re.search(r'ID\["EPSG",4326\]\]\s*$', out.split("Data axis")[0]) is not None,
              "%s: layer SRS is not EPSG:4326 (ogrinfo -so)" % areas)
        fields = re.findall(r"^(\S[^:\n]*): \w+ \(", out.split("Data axis to CRS axis mapping", 1)[-1], re.M)
        check(sorted(fields) == sorted(header), "%s: ogrinfo fields %s differ from origins.csv columns %s" % (areas, fields, header))
        mm = re.search(r"^Feature Count: (\d+)", out, re.M)
        check(mm is not None and int(mm.group(1)) == len(rows),
              "%s: %s features, origins.csv has %d rows" % (areas, mm.group(1) if mm else "?", len(rows)))
    try:
        with open(areas, encoding="utf-8") as f:
            gj = json.load(f)
    except ValueError as e:
        gj = None
        check(False, "%s: not valid JSON: %s" % (areas, e))
    if gj is not None:
        check(gj.get("type") == "FeatureCollection", "%s: type %s, expected FeatureCollection" % (areas, gj.get("type")))
        crs = json.dumps(gj.get("crs", "")).upper()
        check("crs" not in gj or "CRS84" in crs or "4326" in crs, "%s: crs member names another CRS: %s" % (areas, crs))
        feats = gj.get("features", [])
        by_id = {x[0]: x for x in rows}

        def idstr(v):
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v)

        xs, ys, mism = [], [], []
        for ft in feats:
            props = ft.get("properties") or {}
            if sorted(props) != sorted(header):
                mism.append("feature %s has properties %s" % (props.get("origin_id"), sorted(props)))
                continue
            row = by_id.get(idstr(props["origin_id"]))
            if row is None:
                mism.append("origin_id %r is not in origins.csv" % props["origin_id"])
                continue
            for i, h in enumerate(header):
                if not re.search(r"_(" + MODES + r")_minutes$", h):
                    continue
                v, c = props[h], row[i]
                if v is None or c == "":
                    if not (v is None and c == ""):
                        mism.append("%s %s: geojson %r, csv %r" % (row[0], h, v, c))
                elif isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v - float(c)) > 0.005 + 1e-9:
                    mism.append("%s %s: geojson %r, csv %r" % (row[0], h, v, c))

            def walk(c):
                if isinstance(c, (int, float)):
                    return
                if c and isinstance(c[0], (int, float)):
                    xs.append(c[0])
                    ys.append(c[1])
                else:
                    for s in c or []:
                        walk(s)

            walk((ft.get("geometry") or {}).get("coordinates"))
        check(not mism, "%s: %d mismatches with origins.csv, e.g. %s" % (areas, len(mism), mism[:3]))
        check(len(feats) == len(rows), "%s: %d features, origins.csv has %d rows" % (areas, len(feats), len(rows)))
        if check(bool(xs), "%s: no coordinates" % areas):
            check(all(-180 <= x <= 180 for x in xs) and all(-90 <= y <= 90 for y in ys),
                  "%s: coordinates outside lon/lat range" % areas)
            box = (min(xs), min(ys), max(xs), max(ys))
            for rb in wgs84_boxes:  # lon/lat order: the areas overlap the rasters' footprint
                pad = 0.05
                check(box[0] <= rb[2] + pad and rb[0] - pad <= box[2] and box[1] <= rb[3] + pad and rb[1] - pad <= box[3],
                      "%s: extent %s does not overlap the rasters' WGS84 extent %s (lat/lon swapped?)" % (areas, box, rb))
                break

# ---- summary.csv -------------------------------------------------------------------------------
summary = os.path.join(outdir, "summary.csv")
want = "scenario,service,mode,group,measure,value,baseline,delta"
if check(os.path.isfile(summary), "%s: missing" % summary):
    with open(summary, newline="", encoding="utf-8") as f:
        first = f.readline().rstrip("\r\n")
        f.seek(0)
        srows = list(csv.DictReader(f))
    check(first == want, "%s: header %r, expected %r" % (summary, first, want))
    if first == want:
        check(len(srows) > 0, "%s: no rows" % summary)
        modes = sorted({x["mode"] for x in srows})
        check(all(re.fullmatch(MODES, m_) for m_ in modes), "%s: modes %s, expected walk, bike, car, transit_p<N>" % (summary, modes))
        measures = {}
        for x in srows:
            measures.setdefault((x["scenario"], x["service"], x["mode"], x["group"]), set()).add(x["measure"])
        need = {"mean_minutes", "median_minutes", "share_within_15", "share_within_30", "unreachable_share"}
        missing = [(k, sorted(need - v)) for k, v in sorted(measures.items()) if not need <= v]
        check(not missing, "%s: missing measures, e.g. %s" % (summary, missing[:3]))
        for g in groups_req:
            for k in kinds_req:
                check(any(x["group"] == g and x["service"] == k for x in srows),
                      "%s: no rows for group %s, service %s" % (summary, g, k))
        badv = []
        for x in srows:
            for col in ("value", "baseline", "delta"):
                try:
                    if x[col] != "" and not math.isfinite(float(x[col])):
                        badv.append((x["measure"], col, x[col]))
                except ValueError:
                    badv.append((x["measure"], col, x[col]))
        check(not badv, "%s: non-numeric values, e.g. %s" % (summary, badv[:3]))

# ---- manifest.json -------------------------------------------------------------------------------
manifest = os.path.join(outdir, "manifest.json")
if check(os.path.isfile(manifest), "%s: missing" % manifest):
    try:  # the parser behind python3 -m json.tool
        with open(manifest, encoding="utf-8") as f:
            mf = json.load(f)
        parsed = True
    except ValueError as e:
        parsed = False
        check(False, "%s: not valid JSON (python3 -m json.tool rejects it): %s" % (manifest, e))
    if parsed:
        check(isinstance(mf, dict), "%s: not a JSON object" % manifest)
        mf = mf if isinstance(mf, dict) else {}
        tool = mf.get("tool")
        version = mf.get("version", tool.get("version") if isinstance(tool, dict) else None)
        check(tool is not None, "%s: no 'tool' key" % manifest)
        check(bool(version), "%s: no version ('version' or 'tool.version')" % manifest)
        inputs = mf.get("inputs")
        if isinstance(inputs, dict):
            inputs = list(inputs.values())
        if check(isinstance(inputs, list) and len(inputs) > 0, "%s: 'inputs' is missing or empty" % manifest):
            for it in inputs:
                if not check(isinstance(it, dict) and {"path", "size", "sha256"} <= set(it),
                             "%s: input %s lacks path/size/sha256" % (manifest, it)):
                    continue
                check(isinstance(it["size"], int) and it["size"] >= 0, "%s: input %s: bad size %r" % (manifest, it["path"], it["size"]))
                check(isinstance(it["sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", it["sha256"]) is not None,
                      "%s: input %s: sha256 %r is not 64 lower-case hex digits" % (manifest, it["path"], it["sha256"]))
                p = str(it["path"])
                cands = [p] if os.path.isabs(p) else [os.path.join(outdir, p), p]
                found = next((c for c in cands if os.path.isfile(c)), None)
                if found is None:
                    print("note: %s: input %s not found from here; size and sha256 not verified" % (manifest, p))
                    continue
                with open(found, "rb") as f:
                    data = f.read()
                check(len(data) == it["size"], "%s: input %s: size %r, file has %d bytes" % (manifest, p, it["size"], len(data)))
                check(hashlib.sha256(data).hexdigest() == it["sha256"], "%s: input %s: sha256 does not match the file" % (manifest, p))
        check("crs" in mf and str(epsg) in json.dumps(mf.get("crs")), "%s: 'crs' missing or does not name EPSG:%d: %r" % (manifest, epsg, mf.get("crs")))
        check(isinstance(mf.get("counts"), dict) and len(mf["counts"]) > 0, "%s: 'counts' missing or empty" % manifest)
        check("timings" in mf, "%s: no 'timings' key" % manifest)

print("check_outputs %s: %d checks, %d failed" % (outdir, n_checks, len(failures)))
sys.exit(1 if failures else 0)
PY
