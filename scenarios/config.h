/*
 * accessim — the scenario file: YAML parsed with libyaml into plain C structs.
 *
 * Every path is resolved relative to the scenario file's folder (absolute paths stay as they
 * are). Each value keeps the line and column (1-based) where it was written, so that later
 * checks against the data (a missing field, say) can point at the scenario file too.
 * Schema (see docs/SCENARIO.md):
 *
 *   name: porto-alegre                 # optional; default: the file name without extension
 *   crs: EPSG:31982                    # optional working CRS; default: UTM zone of the study area
 *   network:
 *     source: ../data/city.osm.pbf     # .osm/.pbf (GDAL OSM driver) or any OGR lines; or:
 *     layer: roads                     # optional OGR layer name (default: first line layer)
 *     nodes: nodes.csv                 # node and edge tables instead of `source` (both needed;
 *     edges: edges.csv                 #   exactly one of `source` or these two)
 *     nodes_layer, edges_layer, node_id, lon, lat, from, to, length, time   # table options
 *     modes: [walk, bike, car]         # optional, default [walk]
 *     walk_speed_kmh: 4.5              # optional, > 0: shorthand for profiles.walk.speed_kmh
 *     snap_distance_m: 500             # optional, > 0: farthest an origin/service/cell may attach
 *     join_tolerance_m: 0.5            # optional, >= 0: endpoint joining for non-OSM line sources
 *   profiles:                          # optional overrides of geo_profile_defaults()
 *     walk: { speed_kmh: 4 }
 *     bike: { speed_kmh: 12 }
 *     car: { speed_factor: 0.7, use_maxspeed: true, maxspeed_factor: 0.8,
 *            highway_kmh: { residential: 20, primary: 40 } }
 *   population:
 *     source: areas.gpkg               # required: polygons or points (any OGR source; CSV with
 *     layer: areas                     #   lon/lat columns)
 *     id: area_id                      # optional id field (default: the source FID)
 *     lon: lon                         # optional CSV coordinate columns (default: detected)
 *     lat: lat
 *     groups: { everyone: pop_total, migrants: { field: pop_migrant, modes: [walk, bike] } }
 *   services:                          # form A: one entry per service kind
 *     clinic: { source: s.gpkg, layer: l, filter: "healthcare > 0", capacity: healthcare,
 *               id: id, lon: lon, lat: lat }
 *   services:                          # form B: one source with a type field
 *     source: services.gpkg
 *     type_field: kind
 *     kinds: [clinic, school]          # optional: default every distinct value, sorted
 *     capacity: capacity               # optional; likewise layer, filter, id, lon, lat
 *   output:
 *     grid_m: 100                      # optional raster cell size in metres, > 0
 *     thresholds_min: [15, 30]         # optional, each > 0: share of each group within
 */
#ifndef SCN_CONFIG_H
#define SCN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "geo/profile.h"
#include "sim/status.h"

/** Where a value stood in the scenario file (1-based; 0 when defaulted). */
typedef struct {
    int line, col;
} scn_mark;

/** Travel modes; the street modes share their values with geo_mode (geo/profile.h). */
typedef enum { SCN_MODE_WALK = 0, SCN_MODE_BIKE = 1, SCN_MODE_CAR = 2, SCN_MODE_COUNT } scn_mode;

/** A population group: a name, the field holding its counts, and the modes it travels by. */
typedef struct {
    char *name;
    char *field;
    int modes[SCN_MODE_COUNT]; /* 1 if the group uses the mode: a subset of network.modes
                                  (default: all of them), never empty */
    scn_mark mark;             /* of the field value */
} scn_group;

/** Where a vector layer comes from, shared by population and services. */
typedef struct {
    char *source; /* resolved path; required */
    char *layer;  /* NULL: the first layer */
    char *id;     /* NULL: the source FID (CSV: data row from 1) */
    char *lon;    /* CSV coordinate columns; NULL: detect */
    char *lat;
    char *filter; /* OGR SQL WHERE clause; NULL: none */
    scn_mark mark; /* of the `source` value */
} scn_layer;

/** One kind of service. In form B, `type_field` is set and `kind` may be NULL (all kinds). */
typedef struct {
    char *kind;       /* e.g. "clinic"; NULL only in form B without `kinds` */
    scn_layer layer;
    char *capacity;   /* field name; NULL: capacity 1 each */
    char *type_field; /* form B: the field whose value is the kind; NULL in form A */
    scn_mark mark;    /* of the kind's key */
} scn_service;

typedef struct {
    char *path; /* the scenario file as given */
    char *dir;  /* its folder, used to resolve relative paths */
    char *name;
    char *crs; /* NULL: automatic UTM */

    struct {
        char *source; /* resolved path; NULL when the network is given as tables */
        char *layer;  /* NULL: the first line layer */
        /* The node/edge table form, in the order of geo_table_source (geo/network.h), whose
         * node_lon/node_lat/edge_from/edge_to/edge_length/edge_time are lon ... time here.
         * nodes and edges are resolved paths, set together and only without `source`; the
         * others are column or layer names, NULL unless given (lon/lat both or neither). */
        char *nodes, *edges;
        char *nodes_layer, *edges_layer;
        char *node_id;
        char *lon, *lat;
        char *from, *to;
        char *length; /* edge length column, metres */
        char *time;   /* edge time column, seconds */
        int modes[SCN_MODE_COUNT]; /* 1 if the mode is enabled; default walk only */
        double snap_distance_m;    /* default 500 */
        double join_tolerance_m;   /* default 0.5 */
        scn_mark mark;             /* of the `source` (or `nodes`) value */
    } network;

    geo_profile profile; /* geo_profile_defaults() overridden by `profiles:` (and the walking
                            speed by network.walk_speed_kmh) */

    scn_layer population;
    scn_group *groups;
    size_t n_groups;

    scn_service *services;
    size_t n_services;

    double grid_m;            /* default 100 */
    uint32_t *thresholds_min; /* default {15, 30} */
    size_t n_thresholds;
} scn_config;

/**
 * Parses the scenario file at `path`. On success *out owns a new config (free with
 * scn_config_destroy). On failure *out is NULL and `err` says `path:line:col: what is wrong`
 * (unknown keys suggest the nearest known key). Returns SIM_OK, SIM_EIO (unreadable file),
 * SIM_EPARSE (invalid YAML, unknown key, wrong type, missing required key) or SIM_ENOMEM.
 */
sim_status scn_config_load(const char *path, scn_config **out, sim_error *err);

/** Frees `c`; NULL is a no-op. */
void scn_config_destroy(scn_config *c);

/** Mode name ("walk", "bike", "car") for `m`; "unknown" out of range. */
const char *scn_mode_name(scn_mode m);

#endif
