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
#include "geo/profile.h"
#include "sim/graph.h"
#include "sim/status.h"
#include "sim/warn.h"

typedef enum { GEO_NODE_STREET = 0, GEO_NODE_ORIGIN = 1, GEO_NODE_SERVICE = 2, GEO_NODE_STOP = 3 } geo_node_kind;

#define GEO_ACCESS_FWD(m) ((uint8_t)(1u << (2 * (m))))
#define GEO_ACCESS_BWD(m) ((uint8_t)(1u << (2 * (m) + 1)))
#define GEO_ACCESS_ANY(m) ((uint8_t)(GEO_ACCESS_FWD(m) | GEO_ACCESS_BWD(m)))

/**
 * A network given as node and edge tables (CSV or any OGR table), as OSMnx and pandana users
 * have them: nodes with an id and coordinates, edges with from/to node ids, a length in metres
 * or a time in seconds, and optional OSM-style tag columns (highway, oneway, maxspeed, access,
 * foot, bicycle, ...) that the mode profiles read like OSM tags. Edges are straight lines
 * between their nodes. An edge is usable in both directions unless its tags make it one-way
 * for a mode.
 */
typedef struct {
    const char *nodes, *edges;             /* paths (required) */
    const char *nodes_layer, *edges_layer; /* NULL: the first layer */
    const char *node_id;                   /* NULL: "id" */
    const char *node_lon, *node_lat;       /* NULL: detect lon/lng/longitude/x, lat/latitude/y */
    const char *edge_from, *edge_to;       /* NULL: "from", "to" (also "u", "v") */
    const char *edge_length;               /* metres; NULL: "length", else "distance" */
    const char *edge_time;                 /* seconds for every mode; NULL: from length/speed */
} geo_table_source;

/** Where the network comes from. */
typedef struct {
    const char *path;        /* .osm / .osm.pbf (OSM driver) or any OGR line source */
    const char *layer;       /* OGR layer; NULL: first line layer (ignored for OSM) */
    const char *crs;         /* working CRS definition; NULL: UTM zone of the network's centre */
    double join_tolerance_m; /* endpoint joining for non-OSM sources */
    const geo_table_source *tables; /* non-NULL: load node/edge tables instead of `path` */
    const geo_profile *profile;     /* speeds and switches; NULL: geo_profile_defaults() */
} geo_network_source;

/** Where a segment lies on the street segment it was cut from by geo_network_attach(): the
 *  fractions f0 < f1 along it, its length and fixed time (NAN: none). An uncut segment is
 *  0, 1, its own length and time. */
typedef struct {
    double f0, f1;
    double full_len_m;
    float full_time_s;
} geo_seg_piece;

/** Read-only once loaded, except through geo_network_attach(). Arrays have n_* entries. */
typedef struct {
    uint32_t n_nodes, cap_nodes;
    double *x, *y;     /* working CRS, metres */
    double *lon, *lat; /* WGS84 degrees */
    uint8_t *kind;     /* geo_node_kind */
    uint32_t *ref;     /* origin or service index for attached nodes; SIM_INVALID_ID otherwise */

    uint32_t n_segs, cap_segs; /* segments, each drawn from seg_u to seg_v */
    uint32_t *seg_u, *seg_v;
    double *seg_len_m;
    int64_t *seg_way;       /* OSM way id or OGR FID of the source line; -1 for connectors */
    uint8_t *seg_connector; /* 1 for origin/service connectors, 0 for street segments */
    uint8_t *seg_access;    /* bit 2m: mode m may go u->v; bit 2m+1: v->u (GEO_ACCESS_*) */
    float *seg_speed_kmh;   /* n_segs x GEO_MODE_COUNT: speed of each mode on the segment */
    float *seg_time_s;      /* fixed traversal time for every mode (tables with a time
                               column), NAN otherwise */
    geo_seg_piece *seg_piece; /* where attaching cut it from (routing graphs round a piece's
                                 time as the difference of the uncut segment's rounded times
                                 at its two ends, so cutting never changes a time through it) */

    struct {
        size_t lines_read;     /* line features read */
        size_t lines_usable;   /* of which some mode may use */
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

/**
 * Deep copy of `net`: every node and segment array (n_* entries each; the copy's capacities are
 * its counts) and the stats, so that the copy can be modified (geo/modify.h) or attached to
 * without touching `net`, which is only read. On success *out owns the copy (free it with
 * geo_network_destroy); on failure *out is NULL and the status is SIM_ENOMEM.
 */
sim_status geo_network_copy(const geo_network *net, geo_network **out, sim_error *err);

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

/** Index over the street segments mode `mode` may use (in either direction). */
sim_status geo_snapper_create(const geo_network *net, geo_mode mode, geo_snapper **out,
                              sim_error *err);
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
 * Attaches n points as nodes of their own. snaps[m] (NULL for modes not attached) says where
 * point i attaches for mode m (seg == SIM_INVALID_ID: nowhere). Each snapped segment is split at
 * the snapped positions (one new street node per distinct position, pieces keeping the
 * segment's attributes) and each point gets one node, joined to its position for mode m by a
 * connector usable by mode m only, travelled at `connector_kmh` (walking to the street).
 * node_out[i] = the point's node, or SIM_INVALID_ID if no mode snapped it. All snaps must refer
 * to the network as it was before this call, so attach everything in one call. x/y are working
 * coordinates, lon/lat WGS84; kind[i]/ref[i] (geo_node_kind, index) are stored on the node.
 */
sim_status geo_network_attach(geo_network *net, const geo_crs *crs, const double *x,
                              const double *y, const double *lon, const double *lat, size_t n,
                              const uint8_t *kind, const uint32_t *ref,
                              const geo_snap *const *snaps, double connector_kmh,
                              uint32_t *node_out, sim_error *err);

/**
 * The routing graph of one mode: the network nodes the mode's arcs touch, numbered compactly;
 * an arc for each direction the mode may travel on each segment, time = length / the mode's
 * speed on it (or the segment's fixed time), rounded to integer deciseconds.
 */
typedef struct {
    geo_mode mode;
    sim_graph *fwd, *rev; /* the graph and its reverse (for times *to* a place) */
    uint32_t n_nodes;
    uint32_t *node_of;  /* graph node -> network node */
    uint32_t *graph_of; /* network node -> graph node; SIM_INVALID_ID if the mode never goes there */
    uint32_t *arc_seg;  /* arc of `fwd` -> network segment */
    uint32_t n_net_nodes; /* entries of graph_of: the network's node count when built */
} geo_mode_graph;

sim_status geo_mode_graph_build(const geo_network *net, geo_mode m, geo_mode_graph **out,
                                sim_error *err);

/**
 * As geo_mode_graph_build(), with every arc's unrounded time multiplied by `time_factor` (> 0)
 * before rounding: the same nodes, numbering and arcs at another speed (e.g. a group that walks
 * at 4 km/h where the profile says 5: factor 5/4). Connectors scale too.
 */
sim_status geo_mode_graph_build_scaled(const geo_network *net, geo_mode m, double time_factor,
                                       geo_mode_graph **out, sim_error *err);
void geo_mode_graph_destroy(geo_mode_graph *g);

/**
 * Deep copy of a mode graph (both CSR graphs and the node and arc maps), e.g. to re-weight it for
 * a scenario while the baseline's graph stays in use. `g` is only read. On success *out owns the
 * copy (free it with geo_mode_graph_destroy); on failure *out is NULL (SIM_ENOMEM).
 */
sim_status geo_mode_graph_copy(const geo_mode_graph *g, geo_mode_graph **out, sim_error *err);

/**
 * Re-computes every arc time of `g` (built from `net` by geo_mode_graph_build, or by
 * geo_mode_graph_build_scaled with `time_factor`) from the network's current segment speeds and
 * fixed times, exactly as a fresh build would (geo_seg_time_ds times `time_factor`, rounded
 * once), and rebuilds its reverse graph. Only speeds may have changed since the build
 * (geo_network_speed_factor): the same segments must still give the same arcs between the same
 * nodes. Afterwards g equals geo_mode_graph_build_scaled(net, g->mode, time_factor) arc for arc
 * (first_out, head, time_ds of fwd and rev; node_of, graph_of, arc_seg unchanged).
 * Errors: SIM_EINVAL if `time_factor` is not a positive finite number, or if the topology no
 * longer matches (a segment closed, added or split, a node moved into or out of the mode's
 * graph, a speed dropped to 0); `g` is then unchanged. SIM_ENOMEM likewise leaves `g` unchanged.
 * Modifies `g` in place: nothing may search it meanwhile.
 */
sim_status geo_mode_graph_reweight(geo_mode_graph *g, const geo_network *net, double time_factor,
                                   sim_error *err);

/** Unrounded traversal time of segment s for mode m in deciseconds (its fixed time, else length
 *  / the mode's speed); INFINITY if the mode has no speed on it. */
double geo_seg_time_ds(const geo_network *net, uint32_t s, geo_mode m);

/** Deciseconds to walk `len_m` at `speed_mps`, rounded to nearest; the one rounding rule. */
uint32_t geo_time_ds(double len_m, double speed_mps);

#endif
