#!/usr/bin/env python3
"""Independent count of the trips and stop times that run on a service date, for the real
GTFS feeds in shared/data, with nothing but the standard library (csv + zipfile).

It follows the rules of docs/TRANSIT.md, "Reading GTFS", written again from the text rather
than from geo/gtfs.c:
  - a service runs on a date if calendar.txt says so for that weekday and date range, unless
    calendar_dates.txt removes it (exception_type 2); calendar_dates.txt may also add it (1);
  - a trip counts once for the date if its service runs on the date, and once more if its
    service runs on the previous date and its last arrival is at or after 24:00:00;
  - a trip with frequencies.txt rows counts once per start = start_time, start_time + headway,
    ... < end_time (and for the previous date, only the starts whose last arrival is at or after
    24:00:00);
  - stop_times at a stop that is not a routing stop (location_type 0 or empty) are dropped; a
    trip is dropped if it has fewer than two stop_times left, a duplicate stop_sequence, no time
    at its first or last stop, or times that go backwards.

usage: gtfs_counts.py DATA_DIR                 print the counts
       gtfs_counts.py --check EXE DATA_DIR     also run EXE DATA_DIR (tests/geo/gtfs_real.c)
                                               and fail unless its "feed ..." lines agree
"""
import csv
import datetime
import io
import os
import subprocess
import sys
import zipfile

CASES = [
    ("2019-05-13", ["poa/poa_eptc.zip", "poa/poa_trensurb.zip"]),
    ("2022-02-22", ["helsinki/helsinki_gtfs.zip"]),
    ("2026-03-10", ["porto/metro_do_porto_gtfs.zip"]),
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def rows(zf, name):
    """The rows of one file as dicts with stripped keys and values; None if the file is absent."""
    if name not in zf.namelist():
        return None
    text = io.TextIOWrapper(zf.open(name), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    header = [h.strip() for h in next(reader)]
    out = []
    for rec in reader:
        if not rec:
            continue
        out.append({h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)})
    return out


def seconds(text):
    if not text:
        return None
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def ymd(text):
    return datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def count_feed(path, date):
    day = datetime.date.fromisoformat(date)
    prev = day - datetime.timedelta(days=1)
    zf = zipfile.ZipFile(path)

    runs = {}  # service_id -> set of {"day", "prev"}
    for r in rows(zf, "calendar.txt") or []:
        s = runs.setdefault(r["service_id"], set())
        for which, d in (("day", day), ("prev", prev)):
            if ymd(r["start_date"]) <= d <= ymd(r["end_date"]) and r[WEEKDAYS[d.weekday()]] == "1":
                s.add(which)
    for r in rows(zf, "calendar_dates.txt") or []:
        s = runs.setdefault(r["service_id"], set())
        for which, d in (("day", day), ("prev", prev)):
            if ymd(r["date"]) == d:
                if r["exception_type"] == "1":
                    s.add(which)
                else:
                    s.discard(which)

    stops = {r["stop_id"] for r in rows(zf, "stops.txt") if r.get("location_type", "") in ("", "0")}
    routes = {r["route_id"] for r in rows(zf, "routes.txt")}
    trips = {}
    for r in rows(zf, "trips.txt"):
        days = runs.get(r["service_id"], set())
        if days and r["route_id"] in routes and r["trip_id"] not in trips:
            trips[r["trip_id"]] = days

    freqs = {}
    for r in rows(zf, "frequencies.txt") or []:
        start, end = seconds(r["start_time"]), seconds(r["end_time"])
        if r["trip_id"] in trips and end > start:
            freqs.setdefault(r["trip_id"], []).append((start, end, int(r["headway_secs"])))

    times = {}
    for r in rows(zf, "stop_times.txt"):
        if r["trip_id"] in trips and r["stop_id"] in stops:
            times.setdefault(r["trip_id"], []).append(
                (int(r["stop_sequence"]), seconds(r["arrival_time"]), seconds(r["departure_time"])))

    n_trips = n_st = n_freq = n_prev = 0
    for trip_id, days in trips.items():
        st = sorted(times.get(trip_id, []))
        if len(st) < 2 or len({s[0] for s in st}) != len(st):
            continue
        arr = [a if a is not None else d for _, a, d in st]
        dep = [d if d is not None else a for _, a, d in st]
        if dep[0] is None or dep[-1] is None:
            continue
        known = [t for pair in zip(arr, dep) for t in pair if t is not None]
        if any(b < a for a, b in zip(known, known[1:])):
            continue
        starts = []  # (offset added to the times, from frequencies)
        if trip_id in freqs:
            for start, end, headway in freqs[trip_id]:
                starts += [(s - dep[0], 1) for s in range(start, end, headway)]
        else:
            starts = [(0, 0)]
        for shift, freq in starts:
            for which in ("prev", "day"):
                if which not in days or (which == "prev" and arr[-1] + shift < 86400):
                    continue
                n_trips += 1
                n_st += len(st)
                n_freq += freq
                n_prev += which == "prev"
    name = os.path.basename(path)[:-4]
    return name, {"trips": n_trips, "stop_times": n_st, "frequency_trips": n_freq,
                  "previous_day_trips": n_prev, "stops": len(stops), "routes": len(routes)}


def main(argv):
    exe = None
    if len(argv) == 4 and argv[1] == "--check":
        exe, data = argv[2], argv[3]
    elif len(argv) == 2:
        data = argv[1]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    expected = {}
    for date, files in CASES:
        for f in files:
            path = os.path.join(data, f)
            if not os.path.isfile(path):
                print(f"FAIL: missing real data file {path} (set ACCESSIM_SHARED_DATA)",
                      file=sys.stderr)
                return 1
            name, counts = count_feed(path, date)
            expected[name] = counts
            print("python feed %s %s" % (name, " ".join(f"{k}={v}" for k, v in counts.items())))
    if not exe:
        return 0
    run = subprocess.run([exe, data], capture_output=True, text=True)
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        print(f"FAIL: {exe} exited with {run.returncode}", file=sys.stderr)
        return 1
    got = {}
    for line in run.stdout.splitlines():
        if line.startswith("feed "):
            parts = line.split()
            got[parts[1]] = {k: int(v) for k, v in (p.split("=") for p in parts[2:])}
    failed = 0
    for name, counts in expected.items():
        for key, want in counts.items():
            have = got.get(name, {}).get(key)
            status = "ok" if have == want else "MISMATCH"
            failed += have != want
            print(f"{name} {key}: accessim {have}, python {want}: {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
