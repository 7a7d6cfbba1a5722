/*
 * accessim — the street network: lines from OSM (GDAL's OSM driver) or any OGR line layer,
 * projected to the working CRS, with topology, walking permissions, and origins/services attached
 * as nodes of their own.
 *
 * Topology: OSM ways are split at every vertex they share with another way (exact coordinate
 * equality, as GDAL gives each OSM node one exact coordinate), never where lines merely cross,
 * so bridges and tunnels do not join the streets below them. Other line sources are joined at
 * their endpoints within `join_tolerance_m`; their interior vertices join nothing.
 * Street nodes are every vertex (no contraction), so each street segment is straight and its
 * length is the geodesic distance (WGS84) between its ends.
 */
#ifndef GEO_NETWORK_H
#define GEO_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "geo/crs.h"
#include "sim/graph.h"
#include "sim/status.h"
#include "sim/warn.h"

typedef enum { GEO_NODE_STREET = 0, GEO_NODE_ORIGIN = 1, GEO_NODE_SERVICE = 2 } geo_node_kind;

/** Where the network comes from. */
typedef struct {
    const char *path;        /* .osm / .osm.pbf (OSM driver) or any OGR line source */
    const char *layer;       /* OGR layer; NULL: first line layer (ignored for OSM) */
    const char *crs;         /* working CRS definition; NULL: UTM zone of the network's centre */
    double join_tolerance_m; /* endpoint joining for non-OSM sources */
} geo_network_source;

/** Read-only once loaded, except through geo_network_attach(). Arrays have n_* entries. */
typedef struct {
    uint32_t n_nodes, cap_nodes;
    double *x, *y;     /* working CRS, metres */
    double *lon, *lat; /* WGS84 degrees */
    uint8_t *kind;     /* geo_node_kind */
    uint32_t *ref;     /* origin or service index for attached nodes; SIM_INVALID_ID otherwise */

    uint32_t n_segs, cap_segs; /* undirected segments, walkable both ways */
    uint32_t *seg_u, *seg_v;
    double *seg_len_m;
    int64_t *seg_way;       /* OSM way id or OGR FID of the source line; -1 for connectors */
    uint8_t *seg_connector; /* 1 for origin/service connectors, 0 for street segments */

    struct {
        size_t lines_read;     /* line features read */
        size_t lines_walkable; /* of which walkable */
        size_t ways_truncated; /* OSM ways cut where nodes were missing */
        size_t highway_lines;  /* line features with a highway tag, as GDAL gave them */
        size_t osm_highway_ways;    /* OSM: linear highway ways in the file (readosm) */
        size_t osm_highway_dropped; /* OSM: of which GDAL dropped (fewer than 2 nodes present) */
        int is_osm;
        char driver[32];
    } stats;
} geo_network;

/**
 * Loads the network. On success *out owns the network and *crs_out the working CRS it chose.
 * Problems that do not stop loading (non-walkable or truncated ways, degenerate lines) are
 * counted in `warn`. Errors name the file, layer and feature: missing/unreadable file (SIM_EIO),
 * no line layer, layer without CRS, no walkable line (SIM_EPARSE), PROJ failures (SIM_EDEP).
 */
sim_status geo_network_load(const geo_network_source *src, geo_network **out, geo_crs **crs_out,
                            sim_warnings *warn, sim_error *err);

void geo_network_destroy(geo_network *net);

/** Where a point attaches: segment `seg` at fraction `f` from seg_u; `dist_m` away (planar). */
typedef struct {
    uint32_t seg; /* SIM_INVALID_ID when nothing lies within the snapping distance */
    double f;
    double dist_m;
} geo_snap;

/**
 * A spatial index (GEOS STRtree) over a network's street segments, as they are when created.
 * Segments on islands (connected parts with fewer than GEO_ISLAND_NODES street nodes, other than
 * the largest part) are left out, so that nothing attaches to a fragment it cannot leave.
 */
typedef struct geo_snapper geo_snapper;

#define GEO_ISLAND_NODES 40

sim_status geo_snapper_create(const geo_network *net, geo_snapper **out, sim_error *err);
void geo_snapper_destroy(geo_snapper *s);

/** Number of islands left out (and, in *segments, their street segments). */
size_t geo_snapper_island_count(const geo_snapper *s, size_t *segments);

/**
 * Snaps n points (working CRS) to the nearest point of the nearest street segment within
 * `max_dist_m`. Ties keep the segment the index returns first (deterministic for one network).
 * Not thread-safe (one GEOS context).
 */
sim_status geo_snapper_snap(geo_snapper *s, const double *x, const double *y, size_t n,
                            double max_dist_m, geo_snap *out, sim_error *err);

/**
 * Attaches n snapped points as nodes of their own: each snapped segment is split at the snapped
 * positions (one new street node per distinct position) and a connector segment joins the point
 * node to it. Points whose snap has seg == SIM_INVALID_ID get no node (node_out = SIM_INVALID_ID).
 * `snaps` must refer to the network as it was before this call. x/y are working coordinates,
 * lon/lat WGS84; kind[i]/ref[i] (geo_node_kind, index) are stored on the new point nodes.
 * Attach origins and services in one call, since every call renumbers split segments.
 */
sim_status geo_network_attach(geo_network *net, const geo_crs *crs, const double *x,
                              const double *y, const double *lon, const double *lat, size_t n,
                              const uint8_t *kind, const uint32_t *ref, const geo_snap *snaps,
                              uint32_t *node_out, sim_error *err);

/**
 * Builds the routing graph: every segment in both directions, time = length / speed, rounded to
 * integer deciseconds. *out owns the graph.
 */
sim_status geo_network_graph(const geo_network *net, double speed_mps, sim_graph **out,
                             sim_error *err);

/** Deciseconds to walk `len_m` at `speed_mps`, rounded to nearest; the one rounding rule. */
uint32_t geo_time_ds(double len_m, double speed_mps);

#endif
