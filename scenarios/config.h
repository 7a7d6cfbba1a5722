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
 *   measures:                          # optional, default [nearest]: a name, { name: number }
 *     - nearest                        #   or { name: { parameters } } (docs/SCENARIO.md)
 *     - { cumulative: { cutoff: 30, count: true } }
 *     - { gravity: { decay: exponential, decay_value: 0.1 } }
 *     - { fca2: { decay: binary, cutoff: 30, demand: everyone } }
 *   equity: { total_group: everyone, rank_by: income, poverty_line_min: 30, poverty_share: 0.5 }
 *   transit:                           # optional: public transit (docs/TRANSIT.md); enables
 *     feeds: [eptc.zip, trensurb.zip]  #   the mode `transit` (network.modes must list it when
 *     date: 2019-05-13                 #   given explicitly; by default it is added)
 *     window: "14:00-16:00"            # departure window, start inclusive, end exclusive
 *     step_min: 1                      # optional, default 1: between departure minutes
 *     percentiles: [5, 25, 50, 75, 95] # optional, default [50]; each 1..99, ascending
 *     max_walk_min: 30                 # optional: one number for access, egress and transfers,
 *                                      #   or { access: 30, egress: 30, transfer: 15 }
 *     max_rides: 4                     # optional, 1..16, default 4
 *     max_trip_min: 120                # optional, default 120
 *     board_slack_s: 60                # optional, default 60: least time to board at a stop
 *   output:
 *     grid_m: 100                      # optional raster cell size in metres, > 0
 *     thresholds_min: [15, 30]         # optional, each > 0: share of each group within
 */
#ifndef SCN_CONFIG_H
#define SCN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "geo/profile.h"
#include "sim/measures.h"
#include "sim/status.h"

/** Where a value stood in the scenario file (1-based; 0 when defaulted). */
typedef struct {
    int line, col;
} scn_mark;

/** Travel modes; the street modes share their values with geo_mode (geo/profile.h). */
typedef enum {
    SCN_MODE_WALK = 0,
    SCN_MODE_BIKE = 1,
    SCN_MODE_CAR = 2,
    SCN_MODE_TRANSIT = 3, /* walk + public transit (the `transit:` block); not a geo_mode */
    SCN_MODE_COUNT
} scn_mode;

/** Street modes are the scn_modes below this (equal to their geo_mode). */
#define SCN_STREET_MODE_COUNT 3

/** A population group: a name, the field holding its counts, and the modes it travels by. */
typedef struct {
    char *name;
    char *field;
    int modes[SCN_MODE_COUNT]; /* 1 if the group uses the mode: a subset of network.modes
                                  (default: all of them), never empty */
    scn_mark mark;             /* of the field value */
    double walk_speed_kmh;     /* > 0: the group walks at this speed instead of the profile's
                                  (its own walk layers); 0: the profile's */
    scn_mark walk_mark;
    /* Service eligibility (OGR SQL WHERE clauses on the service layers' fields): eligible_all
     * applies to every kind; otherwise eligible_kind[i] -> eligible_filter[i]. NULL/0: every
     * service. A group with a condition for a kind gets its own layers for that kind. */
    char *eligible_all;
    char **eligible_kind, **eligible_filter;
    scn_mark *eligible_kind_mark;
    size_t n_eligible;
    scn_mark eligible_mark;
} scn_group;

/** The eligibility condition of group `g` for service kind `kind`, or NULL (every service). */
const char *scn_group_eligible(const scn_group *g, const char *kind);

/** Accessibility measures (docs/MEASURES.md), computed per origin x service kind x mode. */
typedef enum {
    SCN_MEASURE_NEAREST = 0,      /* minutes to the k-th nearest service (cost_to_closest) */
    SCN_MEASURE_CUMULATIVE,       /* capacity (or count) within cutoff_min */
    SCN_MEASURE_CUMULATIVE_INTERVAL, /* median over cutoffs from_min..to_min (step 1) */
    SCN_MEASURE_GRAVITY,          /* sum of capacity x decay(t) */
    SCN_MEASURE_FCA2,             /* 2SFCA: demand = the measure's group, supply = capacity */
    SCN_MEASURE_E2SFCA,           /* enhanced 2SFCA: stepped decay */
    SCN_MEASURE_BFCA,             /* balanced FCA */
    SCN_MEASURE_SPATIAL_AVAILABILITY,
    SCN_MEASURE_COUNT
} scn_measure_kind;

/**
 * One measure as written in the file, e.g. `{ gravity: { decay: exponential, decay_value: 0.1 } }`
 * or `{ cumulative: 30 }` or `nearest`. `name` is the column suffix used in outputs
 * (<kind>_<mode>_<name>): nearest, nearest_3, cumulative_30, cumulative_interval_20_40,
 * gravity_exponential_0.1, fca2_binary_30, e2sfca, bfca_exponential_0.05,
 * spatial_availability_binary_30 ... (unique within the file; the parser rejects two measures
 * with the same name). Decay parameters are checked with sim_decay_check().
 */
typedef struct {
    scn_measure_kind kind;
    char *name;
    uint32_t k;                 /* nearest: k >= 1 (default 1) */
    double cutoff_min;          /* cumulative: > 0 */
    double from_min, to_min;    /* cumulative_interval: 0 < from < to */
    int use_capacity;           /* cumulative/gravity: 1 sums capacity (default), 0 counts */
    sim_decay decay;            /* gravity, fca2, e2sfca, bfca, spatial_availability; steps and
                                   weights arrays owned by the config */
    double alpha;               /* spatial_availability: >= 0 (default 1) */
    char *demand_group;         /* FCA family / spatial availability: the group whose
                                   population is demand, one of `groups`; NULL: the total
                                   group */
    scn_mark mark;              /* of the measure's name; line 0 for the default nearest */
} scn_measure;

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

/** An area a change applies to: an inline ring of WGS84 lon/lat points, or a polygon layer. */
typedef struct {
    double *lon, *lat; /* inline ring (n >= 3), or NULL */
    size_t n;
    char *source, *layer; /* a polygon file (resolved path) and layer, or NULL */
    scn_mark mark;
} scn_area;

/** The changes a scenario may make to the baseline (docs/SCENARIOS.md). */
typedef enum {
    SCN_CHANGE_ADD_SERVICES = 0,
    SCN_CHANGE_REMOVE_SERVICES,
    SCN_CHANGE_MOVE_SERVICE,
    SCN_CHANGE_SET_CAPACITY,
    SCN_CHANGE_SET_ATTRIBUTES,
    SCN_CHANGE_CLOSE_WAYS,
    SCN_CHANGE_SPEED_FACTOR,
    SCN_CHANGE_ADD_LINK,
    SCN_CHANGE_ADD_ROUTE,
    SCN_CHANGE_SET_HEADWAY,
    SCN_CHANGE_REMOVE_ROUTE,
    SCN_CHANGE_ADD_POPULATION,
    SCN_CHANGE_REMOVE_POPULATION,
    SCN_CHANGE_COUNT
} scn_change_kind;

/** The name of a change as written in the file ("add_services", ...). */
const char *scn_change_name(scn_change_kind k);

/**
 * One change. Which fields are set depends on the kind; selections of services are by `ids`,
 * `where` (OGR SQL on the service layer's fields) or `area` (has_area), or all of the kind.
 */
typedef struct {
    scn_change_kind kind;
    scn_mark mark; /* of the change's name */
    char *service; /* service kind (services changes) */
    /* add_services: inline points, or a layer (has_layer) with `capacity` naming its field */
    size_t n_points;
    char **point_id;
    double *point_lon, *point_lat, *point_cap;
    int has_layer;
    scn_layer layer;
    char *capacity_field;
    /* selections */
    char **ids;
    size_t n_ids;
    char *where;
    int has_area;
    scn_area area;
    /* move_service: the new place; add_link: from (lon, lat) to (lon2, lat2) */
    double lon, lat, lon2, lat2;
    /* set_capacity: capacity (>= 0) or factor (> 0; NAN when not given); speed_factor: factor */
    double capacity, factor;
    /* set_attributes: field = value pairs (values as text, as OGR SQL compares them) */
    char **attr_name, **attr_value;
    size_t n_attrs;
    /* network changes: the modes (bit m = scn_mode m; every street mode when not given) */
    unsigned modes;
    int64_t *way_ids;
    size_t n_ways;
    double speed_kmh; /* add_link (0: each mode's profile speed) / add_route (0: use hop_s) */
    /* transit */
    char *route;
    int route_type;
    size_t n_stops;
    char **stop_ids;              /* NULL entries: a new stop at stop_lon/stop_lat */
    double *stop_lon, *stop_lat;
    uint32_t headway_s;           /* 0: explicit departures */
    int32_t start_s, end_s;       /* the span; -1 when not given */
    int32_t *departures_s;
    size_t n_departures;
    uint32_t *hop_s;              /* n_stops - 1 hops, or NULL */
    uint32_t dwell_s;
    /* population: per group of the file, people to add (or remove); NAN: not given; share:
     * remove_population's fraction of everyone in the area (NAN: by counts) */
    double *group_count;
    double share;
    char **origin_ids; /* instead of an area: these origins (equal shares) */
    size_t n_origin_ids;
} scn_change;

/** A named scenario: the baseline with its changes, applied in order. */
typedef struct {
    char *name; /* safe for a folder name; never "baseline" */
    char *description;
    scn_mark mark;
    scn_change *changes;
    size_t n_changes;
    int sweep; /* index + 1 of the sweep that made it; 0: written out */
} scn_scenario;

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

    /* `transit:` (set = 1 when the block is given). Times of day are seconds after midnight of
     * `date`; the window may pass 24:00 ("23:30-24:30"). Walking uses profile.walk_kmh. */
    struct {
        int set;
        char **feeds; /* resolved paths (zip files or folders), n_feeds >= 1 */
        scn_mark *feed_marks;
        size_t n_feeds;
        char date[11];                        /* "YYYY-MM-DD", a valid calendar date */
        int32_t window_start_s, window_end_s; /* start < end, both multiples of 60 */
        uint32_t step_s;                      /* step_min * 60, > 0 */
        uint32_t *percentiles;                /* strictly ascending, each 1..99 */
        size_t n_percentiles;                 /* >= 1 (default {50}) */
        double max_access_min, max_egress_min, max_transfer_min; /* > 0; default 30, 30, 15 */
        uint32_t max_rides;                   /* 1..SIM_RAPTOR_MAX_RIDES (16), default 4 */
        double max_trip_min;                  /* > 0, default 120 */
        uint32_t board_slack_s;               /* default 60 */
        scn_mark mark;                        /* of the `transit` key */
        scn_mark date_mark, window_mark;
    } transit;

    scn_layer population;
    /* population.allocate: the groups' fields are read from these areas (polygons) and each
     * area's counts are shared out to the origins inside it, in proportion to the origins'
     * `weight` field (NULL: equal shares). docs/SCENARIO.md. */
    struct {
        int set;
        scn_layer layer;
        char *weight;
    } allocate;
    scn_group *groups;
    size_t n_groups;

    scn_service *services;
    size_t n_services;

    double grid_m;            /* default 100 */
    uint32_t *thresholds_min; /* default {15, 30, 45, 60} */
    size_t n_thresholds;

    /* `measures:` in file order; default: just nearest (k = 1) */
    scn_measure *measures;
    size_t n_measures;

    /* `equity:` */
    struct {
        char *total_group;   /* the group holding everyone, one of `groups` (never NULL: the
                                parser fills in the first group's name when not given); gaps
                                compare each other group with total minus that group */
        char *rank_by;       /* population field ranking origins for Palma and the
                                concentration index (e.g. income); NULL: rank by the share of
                                the first non-total group (e.g. migrant share), and with one
                                group only, Palma/concentration are not computed */
        double poverty_line_min; /* FGT on travel times: time poverty above this; default 30 */
        double poverty_share;    /* FGT on accessibility measures: poor below this share of
                                    the population-weighted mean; default 0.5 */
        scn_mark mark;
    } equity;

    /* `scenarios:` then the scenarios the `sweeps:` make, in file order; names unique */
    scn_scenario *scenarios;
    size_t n_scenarios;
    size_t largest_sweep; /* scenarios made by the largest sweep (runs need --yes past 1000) */
    scn_mark largest_sweep_mark;
} scn_config;

/** Sweeps making more scenarios than this need the user's confirmation (`--yes`). */
#define SCN_SWEEP_CONFIRM 1000

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
