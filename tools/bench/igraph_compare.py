#!/usr/bin/python3
"""Times python3-igraph on the exact walk graph accessim routes, and checks its distances.

    tools/bench/igraph_compare.py EXPORT_DIR [--label NAME] [--tagged]

EXPORT_DIR is written by `accessim-bench CITY --export EXPORT_DIR --export-k K`:
  graph.txt    "n_nodes n_arcs", then one "from to weight" line per arc (weights: integer
               deciseconds), the forward walk graph in accessim's node numbering
  sources.txt  the K source nodes
  check.txt    "source target time_ds" samples of accessim's results (-1: unreachable); the
               first line of each source names its farthest reachable node, flagged "far"
  ours.txt     accessim's single-thread times for the identical K one-to-all searches

Only the distance calls are timed (loading is not), on one thread (igraph's C core is serial),
each the best of R runs where accessim-bench --reps R took the best of R too.
  1. Graph.distances(source=K sources, weights="weight"): one call, as a user writes it; its
     time includes converting the K x n result into Python lists.
  2. The Dijkstra alone: per source, distances(source=[s], target=[its farthest node]) (igraph
     stops once every target is settled, so this settles what a full search does but returns
     one number), minus the same call with target=[s] (weights, set-up, early stop at once).
Every sampled distance must equal accessim's exactly (after rounding away the 1e-6 given to
zero-weight arcs, see load()); the script exits 1 otherwise.
Use the Debian package (apt-get install python3-igraph) with /usr/bin/python3.
"""
import argparse
import os
import statistics
import sys
import time

import igraph as ig
import numpy as np

ZERO_WEIGHT = 1e-6


def load(path):
    with open(os.path.join(path, "graph.txt")) as f:
        n, m = (int(x) for x in f.readline().split())
        data = np.fromstring(f.read(), dtype=np.int64, sep=" ")
    if data.size != 3 * m:
        sys.exit(f"igraph_compare: {path}/graph.txt: expected {m} arcs, read {data.size / 3:g}")
    arcs = data.reshape(m, 3)
    g = ig.Graph(n=n, edges=arcs[:, :2], directed=True)
    # python-igraph 0.10 runs Dijkstra only when every weight is > 0; a single 0 (an origin
    # lying exactly on a street, a split piece under 0.05 m) makes it fall back to Bellman-Ford
    # or Johnson, 10-20x slower. Zero weights become ZERO_WEIGHT so that igraph does the same
    # algorithm as accessim; sums of them stay far below 0.5, so rounding gives exact times.
    w = arcs[:, 2].astype(float)
    zeros = int((w == 0).sum())
    w[w == 0] = ZERO_WEIGHT
    g.es["weight"] = w.tolist()
    return g, zeros


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("export_dir")
    ap.add_argument("--label", default="city")
    ap.add_argument("--tagged", action="store_true")
    a = ap.parse_args()
    d = a.export_dir

    t0 = time.perf_counter()
    g, zeros = load(d)
    print(f"igraph_compare: loaded {g.vcount()} nodes, {g.ecount()} arcs ({zeros} of weight 0, "
          f"given {ZERO_WEIGHT:g}) in {time.perf_counter() - t0:.1f} s (igraph {ig.__version__})",
          file=sys.stderr)
    sources = [int(x) for x in open(os.path.join(d, "sources.txt"))]
    ours = {}
    for line in open(os.path.join(d, "ours.txt")):
        k, v = line.split()
        ours[k] = float(v)
    checks, far = [], {}
    for line in open(os.path.join(d, "check.txt")):
        p = line.split()
        s, t, want = int(p[0]), int(p[1]), int(p[2])
        checks.append((s, t, want))
        if len(p) > 3 and p[3] == "far":
            far[s] = t
    k = len(sources)

    g.distances(source=sources[:1], weights="weight", mode="out")  # warm caches and clocks

    reps = int(ours.get("reps", 1))

    # 1. one call, K sources, full rows (best of `reps` calls, as accessim's side)
    call_s = float("inf")
    for _ in range(reps):
        res = None
        t0 = time.perf_counter()
        res = g.distances(source=sources, weights="weight", mode="out")
        call_s = min(call_s, time.perf_counter() - t0)
    row_of = {s: i for i, s in enumerate(sources)}
    bad = 0
    for s, t, want in checks:
        got = res[row_of[s]][t]
        got = -1 if got == float("inf") else round(got)
        if got != want:
            bad += 1
            if bad <= 5:
                print(f"igraph_compare: MISMATCH source {s} target {t}: igraph {got}, "
                      f"accessim {want}", file=sys.stderr)
    del res
    if bad:
        sys.exit(f"igraph_compare: {bad} of {len(checks)} sampled distances differ")
    print(f"igraph_compare: {len(checks)} sampled distances (incl. {len(far)} farthest nodes) "
          "equal accessim's exactly", file=sys.stderr)

    # 2. the Dijkstra alone, per source
    full, setup = [], []
    for s in sources:
        f = u = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            r = g.distances(source=[s], target=[far[s]], weights="weight", mode="out")
            f = min(f, time.perf_counter() - t0)
            assert r[0][0] != float("inf")
            t0 = time.perf_counter()
            g.distances(source=[s], target=[s], weights="weight", mode="out")
            u = min(u, time.perf_counter() - t0)
        full.append(f)
        setup.append(u)
    core = [max(f - u, 0.0) for f, u in zip(full, setup)]
    early_stop = statistics.median(setup) < 0.5 * statistics.median(full)

    ig_call = call_s / k
    ig_core = statistics.mean(core)
    ours_route, ours_search = ours["route_mean_s"], ours["search_mean_s"]
    header = ("| city | graph nodes | arcs | sources | igraph distances(), per source (ms) | "
              "igraph Dijkstra alone (ms) | accessim sim_route_from, dense (ms) | "
              "accessim sim_search (ms) | igraph call / sim_route_from | "
              "igraph Dijkstra / sim_search |")
    cols = header.count("|") - 1
    core_txt = f"{ig_core * 1e3:.1f}" if early_stop else "n/a (no early stop)"
    ratio_core = f"{ig_core / ours_search:.1f}x" if early_stop else "n/a"
    line = (f"| {a.label} | {g.vcount()} | {g.ecount()} | {k} | {ig_call * 1e3:.1f} | {core_txt} "
            f"| {ours_route * 1e3:.1f} | {ours_search * 1e3:.1f} | "
            f"**{ig_call / ours_route:.1f}x** | {ratio_core} |")
    pre = "igraph\t" if a.tagged else ""
    if not a.tagged:
        print(f"\n### igraph ({a.label})\n")
    print(pre + header)
    print(pre + "|---" * cols + "|")
    print(pre + line)
    print("igraph_compare: igraph per-source times (ms, Dijkstra alone): "
          + " ".join(f"{c * 1e3:.1f}" for c in core), file=sys.stderr)


if __name__ == "__main__":
    main()
