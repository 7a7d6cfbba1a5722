/*
 * The demo city. A square street lattice is jittered, bent (its Chebyshev squares pulled towards
 * circles, so lattice "rings" become ring roads and the axes and diagonals become radials) and
 * wobbled; then kept whole in the centre, thinned into 2x2 and 3x3 superblocks further out (the
 * outer ones filled with cul-de-sacs, loops, footpaths and parks), cut by the river and the city
 * edge, joined across the river by a few bridges, and finally merged into junction-to-junction
 * lines. Every edge is a lattice edge or lies inside one lattice cell (diagonals, alleys, park
 * paths), so edges can only meet at nodes: the network is planar except for the bridges, by
 * construction (tests/geo/test_demo_city.c checks it).
 *
 * Coordinates are computed in local metres around the city centre (0, 0) and shifted to UTM only
 * when written, rounded to 1 cm from the one stored node value, so that lines meeting at a node
 * get bit-identical endpoints. Randomness comes from one xoshiro256** stream per stage, seeded
 * by splitmix64 from (seed, stage), so a stage's output does not depend on how many numbers an
 * earlier stage drew.
 */
#define _POSIX_C_SOURCE 200809L

#include "geo/demo_city.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* ---- Where the city is ------------------------------------------------------------------- */

#define CITY_EASTING 500000.0
#define CITY_NORTHING 5800000.0
#define CITY_HALF_WIDTH_M 3000.0
#define CITY_HALF_HEIGHT_M 2500.0
#define CITY_INSET_M 15.0 /* street nodes keep this far inside the city rectangle */

#define TAU 6.283185307179586

/* The lattice: indices -LAT_HALF..LAT_HALF on both axes. Ring roads run along the Chebyshev
 * squares RING_INNER and RING_OUTER, which also bound the zones: every lattice cell inside the
 * inner ring is a block; 2x2 superblocks between the rings; 3x3 superblocks outside. Both ring
 * indices are multiples of 6 so the superblocks of both sizes align with them. */
#define LAT_SPACING_M 65.0
#define LAT_HALF 66
#define LAT_SIDE (2 * LAT_HALF + 1)
#define LAT_NODES ((uint32_t)(LAT_SIDE * LAT_SIDE))
#define LAT_JITTER 0.15 /* fraction of the spacing; < 0.25 keeps every cell convex */
#define RING_INNER 18
#define RING_OUTER 36
#define DIAGONAL_FIRST 3 /* diagonal radials start this many cells out (the old town) */
#define OLD_TOWN 2       /* Chebyshev radius of the pedestrian old town, in cells */
#define LINE_SECTION 16  /* a lattice line changes its street name every 16 cells */
#define LINE_SECTIONS ((LAT_SIDE + LINE_SECTION - 1) / LINE_SECTION)
#define WARP_START_M 600.0 /* the square-to-circle bend starts here (lattice metres) */
#define WARP_FULL_M 2400.0 /* and is complete from here */
#define WARP_MAX 0.85

/* The river: a band RIVER_HALF_WIDTH_M either side of x = river_x(y), in the east third. */
#define RIVER_HALF_WIDTH_M 40.0
#define RIVER_NODE_CLEAR_M 60.0 /* no street node within this of the centreline */
#define RIVER_EDGE_CLEAR_M 48.0 /* no street within this of the centreline (bridges aside) */
#define RIVER_STEP_M 10.0       /* polygon vertices of the river and the areas, in y */
#define BRIDGE_MAX_M 450.0

#define NAME_LEN 64

/* ---- PRNG: splitmix64 seeding xoshiro256** ----------------------------------------------- */

typedef struct {
    uint64_t s[4];
} demo_rng;

enum {
    STREAM_RIVER = 1,
    STREAM_NAMES,
    STREAM_LATTICE,
    STREAM_BLOCKS,
    STREAM_EXTRAS,
    STREAM_BRIDGES,
    STREAM_AREAS,
    STREAM_SERVICES
};

static uint64_t splitmix64_next(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void rng_init(demo_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    for (int k = 0; k < 4; ++k) r->s[k] = splitmix64_next(&x);
}

static uint64_t rotl64(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

static uint64_t rng_u64(demo_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/** Uniform in [0, 1), 53 bits. */
static double rng_unit(demo_rng *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

static double rng_range(demo_rng *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }

/** Uniform in 0..n-1; n > 0. */
static uint32_t rng_below(demo_rng *r, uint32_t n) {
    assert(n > 0);
    return (uint32_t)(rng_unit(r) * (double)n);
}

static int rng_chance(demo_rng *r, double p) { return rng_unit(r) < p; }

/* ---- Invented names ---------------------------------------------------------------------- */

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ROOTS[] = {
    "Alder",   "Ash",     "Aspen",    "Barley", "Beech",    "Birch",   "Bramble", "Brewer",
    "Brook",   "Cedar",   "Chapel",   "Cherry", "Chestnut", "Church",  "Clover",  "Cooper",
    "Copper",  "Dyer",    "Elm",      "Fern",   "Flint",    "Foundry", "Fox",     "Garden",
    "Glebe",   "Granary", "Hawthorn", "Hazel",  "Heather",  "Heron",   "Holly",   "Hop",
    "Juniper", "Kestrel", "Kiln",     "Lark",   "Laurel",   "Lime",    "Linden",  "Maple",
    "Market",  "Meadow",  "Mill",     "Miller", "Mint",     "Orchard", "Osier",   "Pear",
    "Pine",    "Plum",    "Poplar",   "Potter", "Quarry",   "Rope",    "Rowan",   "Saddler",
    "Salt",    "School",  "Sorrel",   "Spring", "Station",  "Swan",    "Tanner",  "Thistle",
    "Timber",  "Tower",   "Vine",     "Walnut", "Weaver",   "Well",    "Willow",  "Wren",
    "Yew",
};
static const char *const ROW_TYPES[] = {"Street", "Street", "Road", "Lane", "Row", "Terrace"};
static const char *const COLUMN_TYPES[] = {"Avenue", "Way", "Street", "Walk", "Hill", "Grove"};
static const char *const CLOSE_TYPES[] = {"Close", "Court", "Mews", "Gardens", "Rise", "Place"};
static const char *const PLACE_HEADS[] = {
    "Ald",  "Ash", "Bar",  "Bex", "Brad", "Brom", "Carl",  "Cran", "Dun",  "Elm",
    "Fair", "Gar", "Hart", "Hol", "Kel",  "Lang", "Lin",   "Mar",  "Nor",  "Oak",
    "Pen",  "Ray", "Ros",  "Sel", "Shel", "Stan", "Thorn", "Wes",  "Whit", "Wick",
};
static const char *const PLACE_TAILS[] = {
    "bury", "by",   "croft", "dale",  "den",  "field", "ford", "gate", "ham",  "hurst",
    "ley",  "mere", "moor",  "stead", "stow", "ton",   "well", "wick", "wood", "worth",
};
static const char *const AREA_WORDS[] = {"Heights", "Park",    "Green", "End",
                                         "Fields",  "Gardens", "Vale",  "Common"};

static void make_place_name(demo_rng *r, char *buf, size_t len) {
    snprintf(buf, len, "%s%s", PLACE_HEADS[rng_below(r, COUNT_OF(PLACE_HEADS))],
             PLACE_TAILS[rng_below(r, COUNT_OF(PLACE_TAILS))]);
}

static const char *pick_root(demo_rng *r) { return ROOTS[rng_below(r, COUNT_OF(ROOTS))]; }

/* ---- The city model ---------------------------------------------------------------------- */

enum { HW_NONE, HW_FOOTWAY, HW_SERVICE, HW_RESIDENTIAL, HW_TERTIARY, HW_SECONDARY, HW_PRIMARY };
static const char *const HW_NAMES[] = {"",         "footway",   "service", "residential",
                                       "tertiary", "secondary", "primary"};

enum { SVC_CLINIC, SVC_SCHOOL, SVC_LANGUAGE, SVC_LEGAL, SVC_EMPLOYMENT, SVC_KINDS };

/* How many of each kind, and where: weight = (base + (1 - base) exp(-r / scale_m)) x the
 * area's wealth x (arrival_factor in arrival areas); no two of a kind within sep_m. */
static const struct {
    const char *kind;
    uint32_t min_count, extra_count;
    double base, scale_m, arrival_factor, sep_m;
    const char *titles[3]; /* "<neighbourhood> <title>" for the 1st, 2nd, 3rd in one area */
} SVC[SVC_KINDS] = {
    /* clang-format off */
    {"clinic",            14, 6, 0.05, 1300.0, 0.0,  350.0,
     {"Health Centre", "Medical Practice", "Family Clinic"}},
    {"school",            20, 9, 0.35, 2000.0, 0.25, 300.0,
     {"Primary School", "Secondary School", "Community School"}},
    {"language_course",    4, 4, 0.02,  900.0, 0.0,  250.0,
     {"Language Centre", "Adult Education College", "Language School"}},
    {"legal_aid",          3, 3, 0.02,  800.0, 0.0,  250.0,
     {"Legal Advice Centre", "Law Centre", "Advice Bureau"}},
    {"employment_office",  3, 3, 0.02, 1200.0, 0.0,  450.0,
     {"Job Centre", "Employment Office", "Work Centre"}},
    /* clang-format on */
};

typedef struct {
    double x, y;
} demo_pt;

typedef struct {
    uint32_t a, b;
    uint8_t hw, bridge;
    int32_t name; /* index into the name pool; -1: no name */
} demo_edge;

typedef struct {
    uint8_t hw;
    int32_t name;
} lattice_slot;

enum { CELL_DIAGONAL = 1, CELL_FOOTBRIDGE = 2 };

typedef struct {
    uint32_t first, count; /* into line_nodes */
    uint8_t hw, bridge;
    int32_t name;
} demo_line;

typedef struct {
    demo_pt centre; /* local metres */
    double u;       /* centre.x minus the river centreline at centre.y */
    int east;       /* across the river */
    int arrival;
    double wealth; /* 0..1, weights services */
    char area_id[8];
    char name[NAME_LEN];
    int pop_total, pop_migrant;
    OGRGeometryH geom; /* UTM */
} demo_area;

typedef struct {
    int kind;
    demo_pt p;
    int capacity;
    char id[32];
    char name[2 * NAME_LEN];
} demo_service;

/* Bus lines: how often they run. Departures from each terminus at start, start + headway, ...
 * before end, in each period; `frequencies` lines are written as one template trip per direction
 * and frequencies.txt rows (exact_times=1), the others as one trip per departure. */
#define BUS_LINES 3
#define BUS_ARRIVAL_LINE 2 /* index of the line from the arrival neighbourhood */
#define BUS_PERIODS 2
#define H_M(h, m) ((h)*3600 + (m)*60)

static const struct {
    const char *route_id, *color;
    int frequencies;
    struct {
        int32_t start_s, end_s, headway_s; /* headway_s 0: no such period */
    } period[BUS_PERIODS];
} BUS[BUS_LINES] = {
    /* clang-format off */
    {"1", "C0392B", 0, {{H_M(6, 0), H_M(20, 0), 480}, {H_M(20, 0), H_M(23, 0), 900}}},
    {"2", "2471A3", 1, {{H_M(6, 0), H_M(20, 0), 600}, {H_M(20, 0), H_M(23, 0), 1200}}},
    {"3", "7D6608", 0, {{H_M(6, 0), H_M(22, 0), 1800}, {0, 0, 0}}},
    /* clang-format on */
};

#define BUS_STOP_SPACING_M 400.0 /* a stop at the first node at least this far past the last */
#define BUS_STOP_SHARE_M 250.0   /* or at another line's stop at least this far past it */
#define BUS_HUB_SHARE_M 150.0    /* the stop before the central crossing is at least this far */
#define BUS_LOOK_AHEAD_M 100.0   /* ... unless a stop lies this close ahead: wait for it */
#define BUS_STOP_END_M 200.0     /* no stop this close before the terminus */
#define BUS_RUN_MPS (27.0 / 3.6)
#define BUS_DWELL_S 20

typedef struct {
    uint32_t node;
    char id[8];
    char name[2 * NAME_LEN + 4];
} demo_stop;

typedef struct {
    uint32_t first, count; /* into bus_stop / bus_stop_s */
    char long_name[2 * NAME_LEN + 4];
    char terminus[2][2 * NAME_LEN + 4]; /* headsigns: direction 0 ends at [0], 1 at [1] */
} demo_bus;

typedef struct {
    uint64_t seed;
    int oom; /* sticky: an allocation failed */

    double river_x0, river_amp[2], river_wave_m[2], river_phase[2];
    char river_name[NAME_LEN];
    double wobble_m[4], wobble_phase[4];

    demo_pt *nodes;
    uint8_t *node_ok;
    size_t n_nodes, cap_nodes, cap_node_ok;

    demo_edge *edges;
    size_t n_edges, cap_edges;

    lattice_slot *h, *v; /* lattice edges (i,j)-(i+1,j) and (i,j)-(i,j+1), at lat_id(i,j) */
    uint8_t *cell_flag;  /* cell with lower-left corner (i,j), at lat_id(i,j) */
    int32_t *line_name;  /* [2][LAT_SIDE][LINE_SECTIONS]: rows, then columns */
    int32_t radial_name[8], ring_name[2];

    char (*names)[NAME_LEN]; /* interned: equal text, equal index */
    size_t n_names, cap_names;
    uint32_t *name_slots; /* open addressing: name index + 1, 0 empty; power-of-two size */
    size_t n_name_slots;

    demo_line *lines;
    size_t n_lines, cap_lines;
    uint32_t *line_nodes;
    size_t n_line_nodes, cap_line_nodes;
    size_t n_bridges;

    demo_area *areas;
    size_t n_areas;
    demo_service *services;
    size_t n_services;

    demo_stop *stops;
    size_t n_stops, cap_stops;
    demo_bus bus[BUS_LINES];
    uint32_t *bus_stop;  /* each line's stops in direction 0, as indices into stops */
    int32_t *bus_stop_s; /* parallel: seconds of driving to the next stop (0 at the last) */
    size_t n_bus_stops, cap_bus_stops, cap_bus_stop_s;
    const demo_area *bus_arrival; /* the arrival neighbourhood BUS_ARRIVAL_LINE starts in */
} demo_city;

/** Grows `p` (elements of `elem` bytes, `*cap` of them) to hold `need`; sets c->oom on failure. */
static void *grow(demo_city *c, void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    void *q = realloc(p, n * elem);
    if (!q) {
        c->oom = 1;
        return p;
    }
    *cap = n;
    return q;
}

static uint32_t lat_id(int i, int j) {
    assert(i >= -LAT_HALF && i <= LAT_HALF && j >= -LAT_HALF && j <= LAT_HALF);
    return (uint32_t)((j + LAT_HALF) * LAT_SIDE + (i + LAT_HALF));
}

static int imax(int a, int b) { return a > b ? a : b; }

static double river_x(const demo_city *c, double y) {
    return c->river_x0 + c->river_amp[0] * sin(TAU * y / c->river_wave_m[0] + c->river_phase[0]) +
           c->river_amp[1] * sin(TAU * y / c->river_wave_m[1] + c->river_phase[1]);
}

/** Signed horizontal distance from the river's centreline: > 0 east of it. */
static double river_offset(const demo_city *c, demo_pt p) { return p.x - river_x(c, p.y); }

static int point_ok(const demo_city *c, demo_pt p) {
    return fabs(p.x) <= CITY_HALF_WIDTH_M - CITY_INSET_M &&
           fabs(p.y) <= CITY_HALF_HEIGHT_M - CITY_INSET_M &&
           fabs(river_offset(c, p)) >= RIVER_NODE_CLEAR_M;
}

/** Whether the segment a-b stays on one side of the river, RIVER_EDGE_CLEAR_M from it. The
 * offset changes by at most 2 m x (1 + max |river_x'|) < 4 m between samples, well inside the
 * 8 m between the edge clearance and the band. */
static int segment_clear_of_river(const demo_city *c, demo_pt a, demo_pt b) {
    double side = river_offset(c, a) > 0 ? 1.0 : -1.0;
    int n = (int)ceil(hypot(b.x - a.x, b.y - a.y) / 2.0);
    for (int k = 0; k <= n; ++k) {
        double t = n ? (double)k / n : 0.0;
        demo_pt p = {a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
        if (side * river_offset(c, p) < RIVER_EDGE_CLEAR_M) return 0;
    }
    return 1;
}

static double to_easting(double x) { return round((CITY_EASTING + x) * 100.0) / 100.0; }
static double to_northing(double y) { return round((CITY_NORTHING + y) * 100.0) / 100.0; }

static int32_t name_add(demo_city *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static size_t name_hash(const char *s) {
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    while (*s) h = (h ^ (unsigned char)*s++) * UINT64_C(1099511628211);
    return (size_t)h;
}

/** The name's index, adding it if new. Interning makes "same name" mean "same index", so that
 * two sections of a line, or a row and a column, that happen to share a name merge into one
 * line at a pass-through node like any other street. */
static int32_t name_add(demo_city *c, const char *fmt, ...) {
    char text[NAME_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (2 * (c->n_names + 1) > c->n_name_slots) { /* keep the table at most half full */
        size_t n = c->n_name_slots ? 2 * c->n_name_slots : 1024;
        uint32_t *slots = calloc(n, sizeof *slots);
        if (!slots) {
            c->oom = 1;
            return -1;
        }
        for (size_t k = 0; k < c->n_names; ++k) {
            size_t h = name_hash(c->names[k]) & (n - 1);
            while (slots[h]) h = (h + 1) & (n - 1);
            slots[h] = (uint32_t)k + 1;
        }
        free(c->name_slots);
        c->name_slots = slots;
        c->n_name_slots = n;
    }
    size_t h = name_hash(text) & (c->n_name_slots - 1);
    for (; c->name_slots[h]; h = (h + 1) & (c->n_name_slots - 1))
        if (!strcmp(c->names[c->name_slots[h] - 1], text)) return (int32_t)(c->name_slots[h] - 1);
    c->names = grow(c, c->names, &c->cap_names, c->n_names + 1, sizeof *c->names);
    if (c->oom) return -1;
    memcpy(c->names[c->n_names], text, sizeof text);
    c->name_slots[h] = (uint32_t)c->n_names + 1;
    return (int32_t)c->n_names++;
}

static uint32_t node_add(demo_city *c, demo_pt p) {
    c->nodes = grow(c, c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof *c->nodes);
    c->node_ok = grow(c, c->node_ok, &c->cap_node_ok, c->n_nodes + 1, sizeof *c->node_ok);
    if (c->oom) return UINT32_MAX;
    c->nodes[c->n_nodes] = p;
    c->node_ok[c->n_nodes] = (uint8_t)point_ok(c, p);
    return (uint32_t)c->n_nodes++;
}

static void edge_add(demo_city *c, uint32_t a, uint32_t b, int hw, int bridge, int32_t name) {
    if (a == UINT32_MAX || b == UINT32_MAX) return; /* node_add failed; c->oom is set */
    c->edges = grow(c, c->edges, &c->cap_edges, c->n_edges + 1, sizeof *c->edges);
    if (c->oom) return;
    c->edges[c->n_edges++] = (demo_edge){a, b, (uint8_t)hw, (uint8_t)bridge, name};
}

static void city_free(demo_city *c) {
    free(c->nodes);
    free(c->node_ok);
    free(c->edges);
    free(c->h);
    free(c->v);
    free(c->cell_flag);
    free(c->line_name);
    free(c->names);
    free(c->name_slots);
    free(c->lines);
    free(c->line_nodes);
    for (size_t k = 0; k < c->n_areas; ++k) OGR_G_DestroyGeometry(c->areas[k].geom);
    free(c->areas);
    free(c->services);
    free(c->stops);
    free(c->bus_stop);
    free(c->bus_stop_s);
}

/* ---- Stage 1: river and names ------------------------------------------------------------ */

static void city_river(demo_city *c) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_RIVER);
    /* The centreline stays within x = 1370..2030: clear of the inner ring (<= ~1250 m out)
     * and leaving a strip of about 1-1.6 km across the river. */
    c->river_x0 = rng_range(&r, 1620.0, 1780.0);
    c->river_amp[0] = rng_range(&r, 120.0, 180.0);
    c->river_wave_m[0] = rng_range(&r, 2600.0, 3400.0);
    c->river_phase[0] = rng_range(&r, 0.0, TAU);
    c->river_amp[1] = rng_range(&r, 40.0, 70.0);
    c->river_wave_m[1] = rng_range(&r, 950.0, 1250.0);
    c->river_phase[1] = rng_range(&r, 0.0, TAU);
    char place[32];
    make_place_name(&r, place, sizeof place);
    snprintf(c->river_name, sizeof c->river_name, "River %s", place);
}

static void city_names(demo_city *c) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_NAMES);
    size_t n = 2 * (size_t)LAT_SIDE * LINE_SECTIONS;
    c->line_name = malloc(n * sizeof *c->line_name);
    if (!c->line_name) {
        c->oom = 1;
        return;
    }
    for (size_t k = 0; k < n; ++k) {
        int column = k >= n / 2;
        const char *const *types = column ? COLUMN_TYPES : ROW_TYPES;
        size_t n_types = column ? COUNT_OF(COLUMN_TYPES) : COUNT_OF(ROW_TYPES);
        const char *root = pick_root(&r);
        c->line_name[k] = name_add(c, "%s %s", root, types[rng_below(&r, (uint32_t)n_types)]);
    }
    /* Radials: east, north, west, south along the axes, then NE, NW, SW, SE diagonals, each
     * named after the town it leads to. */
    for (int k = 0; k < 8; ++k) {
        char place[32];
        make_place_name(&r, place, sizeof place);
        c->radial_name[k] = name_add(c, "%s Road", place);
    }
    c->ring_name[0] = name_add(c, "Inner Ring");
    c->ring_name[1] = name_add(c, "%s Boulevard", pick_root(&r));
}

/** The street name of lattice row j (horizontal) or column i, at position `along` on it. */
static int32_t line_name_at(const demo_city *c, int column, int line, int along) {
    size_t k = ((size_t)column * LAT_SIDE + (size_t)(line + LAT_HALF)) * LINE_SECTIONS +
               (size_t)((along + LAT_HALF) / LINE_SECTION);
    return c->line_name[k];
}

/* ---- Stage 2: the lattice ---------------------------------------------------------------- */

static demo_pt lattice_warp(const demo_city *c, double lx, double ly) {
    double cheb = fmax(fabs(lx), fabs(ly)), eucl = hypot(lx, ly);
    if (eucl > 1e-9) {
        double t = (cheb - WARP_START_M) / (WARP_FULL_M - WARP_START_M);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        /* Along each ray the radius stays monotone (derivative >= ~0.5), so the bend is a
         * homeomorphism and the lattice stays planar. */
        double f = 1.0 - WARP_MAX * t * t * (3.0 - 2.0 * t) * (1.0 - cheb / eucl);
        lx *= f;
        ly *= f;
    }
    const double *a = c->wobble_m, *ph = c->wobble_phase;
    demo_pt p = {
        lx + a[0] * sin(TAU * ly / 2300.0 + ph[0]) + a[1] * sin(TAU * (lx + ly) / 1700.0 + ph[1]),
        ly + a[2] * sin(TAU * lx / 2600.0 + ph[2]) + a[3] * sin(TAU * (lx - ly) / 1900.0 + ph[3])};
    return p;
}

static void city_lattice(demo_city *c) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_LATTICE);
    for (int k = 0; k < 4; ++k) {
        c->wobble_m[k] = k % 2 ? rng_range(&r, 12.0, 25.0) : rng_range(&r, 30.0, 45.0);
        c->wobble_phase[k] = rng_range(&r, 0.0, TAU);
    }
    for (int j = -LAT_HALF; j <= LAT_HALF; ++j)
        for (int i = -LAT_HALF; i <= LAT_HALF; ++i) {
            double jx = rng_range(&r, -LAT_JITTER, LAT_JITTER) * LAT_SPACING_M;
            double jy = rng_range(&r, -LAT_JITTER, LAT_JITTER) * LAT_SPACING_M;
            /* The axes stay straight in lattice space: the main roads are not jittered. */
            if (j == 0) jy = 0;
            if (i == 0) jx = 0;
            uint32_t id =
                node_add(c, lattice_warp(c, i * LAT_SPACING_M + jx, j * LAT_SPACING_M + jy));
            if (c->oom) return;
            assert(id == lat_id(i, j));
            (void)id;
        }
    c->h = calloc(LAT_NODES, sizeof *c->h);
    c->v = calloc(LAT_NODES, sizeof *c->v);
    c->cell_flag = calloc(LAT_NODES, sizeof *c->cell_flag);
    if (!c->h || !c->v || !c->cell_flag) c->oom = 1;
}

/* ---- Stage 3: which lattice edges are streets -------------------------------------------- */

static void slot_keep(lattice_slot *s, int hw, int32_t name) {
    if (hw > s->hw) {
        s->hw = (uint8_t)hw;
        s->name = name;
    }
}

static void slot_set(lattice_slot *s, int hw, int32_t name) {
    s->hw = (uint8_t)hw;
    s->name = name;
}

static lattice_slot *hslot(demo_city *c, int i, int j) {
    assert(i < LAT_HALF);
    return &c->h[lat_id(i, j)];
}

static lattice_slot *vslot(demo_city *c, int i, int j) {
    assert(j < LAT_HALF);
    return &c->v[lat_id(i, j)];
}

/** Keeps lattice edge (i,j)-(i+1,j) (horizontal) or (i,j)-(i,j+1) with the line's name. */
static void keep_h(demo_city *c, int i, int j, int hw) {
    slot_keep(hslot(c, i, j), hw, line_name_at(c, 0, j, i));
}

static void keep_v(demo_city *c, int i, int j, int hw) {
    slot_keep(vslot(c, i, j), hw, line_name_at(c, 1, i, j));
}

static void city_centre_blocks(demo_city *c) {
    for (int j = -RING_INNER; j < RING_INNER; ++j)
        for (int i = -RING_INNER; i < RING_INNER; ++i) {
            keep_h(c, i, j, HW_RESIDENTIAL);
            keep_h(c, i, j + 1, HW_RESIDENTIAL);
            keep_v(c, i, j, HW_RESIDENTIAL);
            keep_v(c, i + 1, j, HW_RESIDENTIAL);
        }
}

/** 2x2 superblocks between the rings: the perimeter, and each arm to the middle node with
 * probability 0.3 (none: one big block; one: a cul-de-sac; two or more: through streets). */
static void city_middle_blocks(demo_city *c, demo_rng *r) {
    for (int J = -RING_OUTER; J < RING_OUTER; J += 2)
        for (int I = -RING_OUTER; I < RING_OUTER; I += 2) {
            if (imax(abs(I + 1), abs(J + 1)) < RING_INNER) continue;
            for (int a = 0; a < 2; ++a) {
                keep_h(c, I + a, J, HW_RESIDENTIAL);
                keep_h(c, I + a, J + 2, HW_RESIDENTIAL);
                keep_v(c, I, J + a, HW_RESIDENTIAL);
                keep_v(c, I + 2, J + a, HW_RESIDENTIAL);
            }
            if (rng_chance(r, 0.3)) keep_h(c, I, J + 1, HW_RESIDENTIAL);
            if (rng_chance(r, 0.3)) keep_h(c, I + 1, J + 1, HW_RESIDENTIAL);
            if (rng_chance(r, 0.3)) keep_v(c, I + 1, J, HW_RESIDENTIAL);
            if (rng_chance(r, 0.3)) keep_v(c, I + 1, J + 1, HW_RESIDENTIAL);
        }
}

/* A 3x3 superblock with corner (I,J) has interior nodes n(a,b) = (I+1+a, J+1+b), a,b in {0,1}.
 * Each has two "arms" to the perimeter (west or east, south or north) and two interior links. */
typedef struct {
    int I, J;
    int32_t name; /* the cul-de-sac's name */
    int hw;       /* residential or service */
} superblock;

static void sb_arm(demo_city *c, const superblock *s, int a, int b, int horizontal, int hw,
                   int32_t name) {
    if (horizontal)
        slot_keep(hslot(c, a ? s->I + 2 : s->I, s->J + 1 + b), hw, name);
    else
        slot_keep(vslot(c, s->I + 1 + a, b ? s->J + 2 : s->J), hw, name);
}

/** The interior link from n(a,b) to its horizontal (or vertical) neighbour n(1-a,b). */
static void sb_link(demo_city *c, const superblock *s, int a, int b, int horizontal) {
    if (horizontal)
        slot_keep(hslot(c, s->I + 1, s->J + 1 + b), s->hw, s->name);
    else
        slot_keep(vslot(c, s->I + 1 + a, s->J + 1), s->hw, s->name);
}

static int sb_has_flagged_cell(const demo_city *c, const superblock *s) {
    for (int b = 0; b < 3; ++b)
        for (int a = 0; a < 3; ++a)
            if (c->cell_flag[lat_id(s->I + a, s->J + b)]) return 1;
    return 0;
}

/** A park: footpaths from the four corners to a new node in the middle. */
static int sb_park(demo_city *c, const superblock *s) {
    uint32_t corner[4] = {lat_id(s->I, s->J), lat_id(s->I + 3, s->J), lat_id(s->I + 3, s->J + 3),
                          lat_id(s->I, s->J + 3)};
    demo_pt mid = {0, 0};
    for (int k = 0; k < 4; ++k) {
        if (!c->node_ok[corner[k]]) return 0;
        mid.x += c->nodes[corner[k]].x / 4;
        mid.y += c->nodes[corner[k]].y / 4;
    }
    if (sb_has_flagged_cell(c, s)) return 0;
    uint32_t m = node_add(c, mid);
    for (int k = 0; k < 4; ++k) edge_add(c, corner[k], m, HW_FOOTWAY, 0, -1);
    return 1;
}

static void city_outer_blocks(demo_city *c, demo_rng *r) {
    for (int J = -LAT_HALF; J + 3 <= LAT_HALF; J += 3)
        for (int I = -LAT_HALF; I + 3 <= LAT_HALF; I += 3) {
            if (imax(abs(2 * I + 3), abs(2 * J + 3)) < 2 * RING_OUTER) continue;
            for (int a = 0; a < 3; ++a) {
                keep_h(c, I + a, J, HW_RESIDENTIAL);
                keep_h(c, I + a, J + 3, HW_RESIDENTIAL);
                keep_v(c, I, J + a, HW_RESIDENTIAL);
                keep_v(c, I + 3, J + a, HW_RESIDENTIAL);
            }
            superblock s = {I, J, -1, rng_chance(r, 0.2) ? HW_SERVICE : HW_RESIDENTIAL};
            if (s.hw == HW_RESIDENTIAL)
                s.name = name_add(c, "%s %s", pick_root(r),
                                  CLOSE_TYPES[rng_below(r, COUNT_OF(CLOSE_TYPES))]);
            double u = rng_unit(r);
            int a = (int)rng_below(r, 2), b = (int)rng_below(r, 2), horiz = (int)rng_below(r, 2);
            int footpath = rng_chance(r, 0.35);
            if (u < 0.12) continue; /* one big block */
            if (u < 0.20) {
                if (!sb_park(c, &s)) sb_arm(c, &s, a, b, horiz, s.hw, s.name);
            } else if (u < 0.40) { /* cul-de-sac, one cell deep */
                sb_arm(c, &s, a, b, horiz, s.hw, s.name);
                if (footpath) sb_arm(c, &s, a, b, !horiz, HW_FOOTWAY, -1);
            } else if (u < 0.65) { /* cul-de-sac, two cells deep, straight or bent */
                int link_h = (int)rng_below(r, 2);
                sb_arm(c, &s, a, b, horiz, s.hw, s.name);
                sb_link(c, &s, a, b, link_h);
                int a2 = link_h ? 1 - a : a, b2 = link_h ? b : 1 - b;
                if (footpath) sb_arm(c, &s, a2, b2, (int)rng_below(r, 2), HW_FOOTWAY, -1);
            } else if (u < 0.77) { /* a loop: the cul-de-sac circles the four interior nodes */
                sb_arm(c, &s, a, b, horiz, s.hw, s.name);
                sb_link(c, &s, 0, 0, 1);
                sb_link(c, &s, 0, 1, 1);
                sb_link(c, &s, 0, 0, 0);
                sb_link(c, &s, 1, 0, 0);
            } else if (u < 0.90) { /* a through street across the block */
                sb_arm(c, &s, a, b, horiz, s.hw, s.name);
                sb_link(c, &s, a, b, horiz);
                sb_arm(c, &s, horiz ? 1 - a : a, horiz ? b : 1 - b, horiz, s.hw, s.name);
            } else { /* two cul-de-sacs from opposite sides */
                sb_arm(c, &s, a, b, horiz, s.hw, s.name);
                sb_arm(c, &s, 1 - a, 1 - b, horiz, s.hw, s.name);
            }
        }
}

/** Classes by line: tertiary every sixth line, rings secondary, axes primary; a pedestrian old
 * town and a few pedestrian streets in the centre. */
static void city_classes(demo_city *c, demo_rng *r) {
    for (int j = -LAT_HALF; j <= LAT_HALF; ++j)
        for (int i = -LAT_HALF; i <= LAT_HALF; ++i) {
            lattice_slot *h = &c->h[lat_id(i, j)], *v = &c->v[lat_id(i, j)];
            if (h->hw == HW_RESIDENTIAL && j % 6 == 0) h->hw = HW_TERTIARY;
            if (v->hw == HW_RESIDENTIAL && i % 6 == 0) v->hw = HW_TERTIARY;
        }
    for (int ring = 0; ring < 2; ++ring) {
        int k = ring ? RING_OUTER : RING_INNER;
        for (int t = -k; t < k; ++t) {
            slot_set(hslot(c, t, -k), HW_SECONDARY, c->ring_name[ring]);
            slot_set(hslot(c, t, k), HW_SECONDARY, c->ring_name[ring]);
            slot_set(vslot(c, -k, t), HW_SECONDARY, c->ring_name[ring]);
            slot_set(vslot(c, k, t), HW_SECONDARY, c->ring_name[ring]);
        }
    }
    for (int t = -LAT_HALF; t < LAT_HALF; ++t) {
        slot_set(hslot(c, t, 0), HW_PRIMARY, c->radial_name[t >= 0 ? 0 : 2]);
        slot_set(vslot(c, 0, t), HW_PRIMARY, c->radial_name[t >= 0 ? 1 : 3]);
    }
    for (int j = -RING_INNER; j <= RING_INNER; ++j)
        for (int i = -RING_INNER; i <= RING_INNER; ++i) {
            int k = imax(abs(i), abs(j));
            if (i < RING_INNER && j != 0) {
                lattice_slot *h = hslot(c, i, j);
                int k2 = imax(abs(i + 1), abs(j));
                if ((imax(k, k2) <= OLD_TOWN && h->hw) ||
                    (h->hw == HW_RESIDENTIAL && rng_chance(r, 0.04)))
                    h->hw = HW_FOOTWAY;
            }
            if (j < RING_INNER && i != 0) {
                lattice_slot *v = vslot(c, i, j);
                int k2 = imax(abs(i), abs(j + 1));
                if ((imax(k, k2) <= OLD_TOWN && v->hw) ||
                    (v->hw == HW_RESIDENTIAL && rng_chance(r, 0.04)))
                    v->hw = HW_FOOTWAY;
            }
        }
}

/* Diagonal directions: NE, NW, SW, SE, named radial_name[4 + d]. */
static const int DIAG_DX[4] = {1, -1, -1, 1}, DIAG_DY[4] = {1, 1, -1, -1};

static void city_flag_diagonals(demo_city *c, int footbridge_k) {
    for (int d = 0; d < 4; ++d)
        for (int k = DIAGONAL_FIRST; k < LAT_HALF; ++k) {
            int ax = DIAG_DX[d] * k, ay = DIAG_DY[d] * k;
            int bx = DIAG_DX[d] * (k + 1), by = DIAG_DY[d] * (k + 1);
            c->cell_flag[lat_id(ax < bx ? ax : bx, ay < by ? ay : by)] |= CELL_DIAGONAL;
        }
    /* The footbridge spans the NW radial inside cell (-k-1, k). */
    c->cell_flag[lat_id(-footbridge_k - 1, footbridge_k)] |= CELL_FOOTBRIDGE;
}

static void city_lattice_edges(demo_city *c) {
    for (int j = -LAT_HALF; j <= LAT_HALF; ++j)
        for (int i = -LAT_HALF; i <= LAT_HALF; ++i) {
            const lattice_slot *h = &c->h[lat_id(i, j)], *v = &c->v[lat_id(i, j)];
            if (h->hw) edge_add(c, lat_id(i, j), lat_id(i + 1, j), h->hw, 0, h->name);
            if (v->hw) edge_add(c, lat_id(i, j), lat_id(i, j + 1), v->hw, 0, v->name);
        }
}

static void city_extra_edges(demo_city *c, demo_rng *r, int footbridge_k) {
    for (int d = 0; d < 4; ++d)
        for (int k = DIAGONAL_FIRST; k < LAT_HALF; ++k)
            edge_add(c, lat_id(DIAG_DX[d] * k, DIAG_DY[d] * k),
                     lat_id(DIAG_DX[d] * (k + 1), DIAG_DY[d] * (k + 1)), HW_PRIMARY, 0,
                     c->radial_name[4 + d]);
    int k = footbridge_k;
    edge_add(c, lat_id(-k - 1, k), lat_id(-k, k + 1), HW_FOOTWAY, 1,
             name_add(c, "%s Footbridge", pick_root(r)));
    /* Service alleys: dead ends from a block corner half way to the block's middle. */
    for (int j = -RING_INNER; j < RING_INNER; ++j)
        for (int i = -RING_INNER; i < RING_INNER; ++i) {
            if (!rng_chance(r, 0.05) || c->cell_flag[lat_id(i, j)]) continue;
            uint32_t corner[4] = {lat_id(i, j), lat_id(i + 1, j), lat_id(i + 1, j + 1),
                                  lat_id(i, j + 1)};
            demo_pt mid = {0, 0};
            for (int q = 0; q < 4; ++q) {
                mid.x += c->nodes[corner[q]].x / 4;
                mid.y += c->nodes[corner[q]].y / 4;
            }
            uint32_t from = corner[rng_below(r, 4)];
            demo_pt p = c->nodes[from];
            demo_pt end = {p.x + 0.55 * (mid.x - p.x), p.y + 0.55 * (mid.y - p.y)};
            edge_add(c, from, node_add(c, end), HW_SERVICE, 0, -1);
        }
}

/** Drops edges outside the city or touching the river. */
static void city_clip(demo_city *c) {
    size_t n = 0;
    for (size_t e = 0; e < c->n_edges; ++e) {
        demo_edge ed = c->edges[e];
        if (c->node_ok[ed.a] && c->node_ok[ed.b] &&
            segment_clear_of_river(c, c->nodes[ed.a], c->nodes[ed.b]))
            c->edges[n++] = ed;
    }
    c->n_edges = n;
}

/* ---- Stage 4: bridges and connectivity --------------------------------------------------- */

static uint32_t uf_find(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b) parent[a < b ? b : a] = a < b ? a : b; /* smaller id wins: deterministic */
}

static uint32_t *components(demo_city *c) {
    uint32_t *parent = malloc(c->n_nodes * sizeof *parent);
    if (!parent) {
        c->oom = 1;
        return NULL;
    }
    for (size_t k = 0; k < c->n_nodes; ++k) parent[k] = (uint32_t)k;
    for (size_t e = 0; e < c->n_edges; ++e) uf_union(parent, c->edges[e].a, c->edges[e].b);
    return parent;
}

/** The root of the component with the most nodes on one side of the river (east or west). */
static uint32_t largest_component(const demo_city *c, uint32_t *parent, const uint32_t *degree,
                                  int east, uint32_t *count) {
    memset(count, 0, c->n_nodes * sizeof *count);
    uint32_t best = UINT32_MAX;
    for (size_t k = 0; k < c->n_nodes; ++k) {
        if (!degree[k] || (river_offset(c, c->nodes[k]) > 0) != east) continue;
        uint32_t root = uf_find(parent, (uint32_t)k);
        ++count[root];
        if (best == UINT32_MAX || count[root] > count[best] ||
            (count[root] == count[best] && root < best))
            best = root;
    }
    return best;
}

static double orient(demo_pt a, demo_pt b, demo_pt p) {
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
}

static int on_segment(demo_pt a, demo_pt b, demo_pt p) {
    return fmin(a.x, b.x) <= p.x && p.x <= fmax(a.x, b.x) && fmin(a.y, b.y) <= p.y &&
           p.y <= fmax(a.y, b.y);
}

/** Whether closed segments a-b and p-q share any point. */
static int segments_meet(demo_pt a, demo_pt b, demo_pt p, demo_pt q) {
    double d1 = orient(p, q, a), d2 = orient(p, q, b), d3 = orient(a, b, p), d4 = orient(a, b, q);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return 1;
    return (d1 == 0 && on_segment(p, q, a)) || (d2 == 0 && on_segment(p, q, b)) ||
           (d3 == 0 && on_segment(a, b, p)) || (d4 == 0 && on_segment(a, b, q));
}

/** Tries to bridge lattice row j: from the last street node of the main west component to the
 * first of the main east component, if the span is short and crosses no street. */
static int try_bridge(demo_city *c, int j, uint32_t *parent, const uint32_t *degree,
                      uint32_t west_root, uint32_t east_root, int hw, int32_t name) {
    uint32_t a = UINT32_MAX, b = UINT32_MAX;
    for (int i = -LAT_HALF; i <= LAT_HALF; ++i) {
        uint32_t id = lat_id(i, j);
        if (!degree[id]) continue;
        int east = river_offset(c, c->nodes[id]) > 0;
        if (!east && uf_find(parent, id) == west_root &&
            (a == UINT32_MAX || c->nodes[id].x > c->nodes[a].x))
            a = id;
        if (east && uf_find(parent, id) == east_root &&
            (b == UINT32_MAX || c->nodes[id].x < c->nodes[b].x))
            b = id;
    }
    if (a == UINT32_MAX || b == UINT32_MAX) return 0;
    demo_pt pa = c->nodes[a], pb = c->nodes[b];
    if (hypot(pb.x - pa.x, pb.y - pa.y) > BRIDGE_MAX_M) return 0;
    for (size_t e = 0; e < c->n_edges; ++e) {
        const demo_edge *ed = &c->edges[e];
        if (ed->a == a || ed->b == a || ed->a == b || ed->b == b) continue;
        if (segments_meet(pa, pb, c->nodes[ed->a], c->nodes[ed->b])) return 0;
    }
    edge_add(c, a, b, hw, 1, name);
    return !c->oom;
}

static void city_bridges(demo_city *c) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_BRIDGES);
    uint32_t *degree = calloc(c->n_nodes, sizeof *degree);
    uint32_t *count = malloc(c->n_nodes * sizeof *count);
    uint32_t *parent = components(c);
    if (!degree || !count || !parent) {
        c->oom = 1;
        goto done;
    }
    for (size_t e = 0; e < c->n_edges; ++e) {
        ++degree[c->edges[e].a];
        ++degree[c->edges[e].b];
    }
    uint32_t west_root = largest_component(c, parent, degree, 0, count);
    uint32_t east_root = largest_component(c, parent, degree, 1, count);
    if (west_root == UINT32_MAX || east_root == UINT32_MAX) goto done;

    /* The East Road bridge, then two or three more spread north and south of it; with four,
     * the last is a footbridge. Targets are northings; rows are tertiary lines (j % 6 == 0). */
    uint32_t n_extra = 2 + rng_below(&r, 2);
    double sign = rng_chance(&r, 0.5) ? 1.0 : -1.0;
    double targets[3] = {-1350.0, 1350.0, 0.0};
    if (n_extra == 3) {
        targets[0] = -1700.0;
        targets[1] = -800.0;
        targets[2] = 1350.0;
    }
    int used[4], n_used = 0;
    char place[32];
    make_place_name(&r, place, sizeof place);
    if (try_bridge(c, 0, parent, degree, west_root, east_root, HW_PRIMARY,
                   name_add(c, "%s Bridge", place)))
        used[n_used++] = 0;
    static const int EXTRA_HW[3] = {HW_SECONDARY, HW_TERTIARY, HW_FOOTWAY};
    for (uint32_t t = 0; t < n_extra; ++t) {
        double y = sign * (targets[t] + rng_range(&r, -200.0, 200.0));
        int j0 = (int)lround(y / LAT_SPACING_M / 6.0) * 6;
        int hw = EXTRA_HW[t];
        int32_t name =
            name_add(c, "%s %s", pick_root(&r), hw == HW_FOOTWAY ? "Footbridge" : "Bridge");
        /* Rows nearest the target first: j0, j0+6, j0-6, j0+12, ... */
        for (int step = 0; step < 2 * LAT_HALF / 6; ++step) {
            int j = j0 + (step % 2 ? 1 : -1) * ((step + 1) / 2) * 6;
            if (j <= -LAT_HALF || j >= LAT_HALF) continue;
            int near_used = 0;
            for (int u = 0; u < n_used; ++u) near_used |= abs(used[u] - j) < 8;
            if (near_used) continue;
            if (try_bridge(c, j, parent, degree, west_root, east_root, hw, name)) {
                used[n_used++] = j;
                break;
            }
        }
    }
    c->n_bridges = (size_t)n_used;
done:
    free(degree);
    free(count);
    free(parent);
}

/** Keeps only the largest connected component (by edge count; ties to the smallest root). */
static void city_connect(demo_city *c) {
    uint32_t *parent = components(c);
    uint32_t *count = calloc(c->n_nodes, sizeof *count);
    if (!parent || !count) {
        c->oom = 1;
        goto done;
    }
    uint32_t best = UINT32_MAX;
    for (size_t e = 0; e < c->n_edges; ++e) {
        uint32_t root = uf_find(parent, c->edges[e].a);
        ++count[root];
        if (best == UINT32_MAX || count[root] > count[best] ||
            (count[root] == count[best] && root < best))
            best = root;
    }
    size_t n = 0;
    for (size_t e = 0; e < c->n_edges; ++e)
        if (uf_find(parent, c->edges[e].a) == best) c->edges[n++] = c->edges[e];
    c->n_edges = n;
done:
    free(parent);
    free(count);
}

/* ---- Stage 5: junction-to-junction lines ------------------------------------------------- */

static int same_attrs(const demo_edge *e, const demo_edge *f) {
    return e->hw == f->hw && e->bridge == f->bridge && e->name == f->name;
}

static void line_emit(demo_city *c, const uint32_t *nodes, size_t n, const demo_edge *attrs) {
    assert(n >= 2);
    c->line_nodes =
        grow(c, c->line_nodes, &c->cap_line_nodes, c->n_line_nodes + n, sizeof *c->line_nodes);
    c->lines = grow(c, c->lines, &c->cap_lines, c->n_lines + 1, sizeof *c->lines);
    if (c->oom) return;
    memcpy(c->line_nodes + c->n_line_nodes, nodes, n * sizeof *nodes);
    c->lines[c->n_lines++] =
        (demo_line){(uint32_t)c->n_line_nodes, (uint32_t)n, attrs->hw, attrs->bridge, attrs->name};
    c->n_line_nodes += n;
}

/** Emits a chain; a closed one (a loop back to its junction) is split in two at its middle, so
 * that no line starts and ends at the same point. */
static void chain_emit(demo_city *c, const uint32_t *nodes, size_t n, const demo_edge *attrs) {
    if (nodes[0] == nodes[n - 1]) {
        assert(n >= 4);
        size_t m = (n - 1) / 2;
        line_emit(c, nodes, m + 1, attrs);
        line_emit(c, nodes + m, n - m, attrs);
    } else {
        line_emit(c, nodes, n, attrs);
    }
}

static void city_lines(demo_city *c) {
    size_t nn = c->n_nodes, ne = c->n_edges;
    uint32_t *first = calloc(nn + 1, sizeof *first);
    uint32_t *inc = malloc((2 * ne + 1) * sizeof *inc);
    uint32_t *fill = calloc(nn, sizeof *fill);
    uint8_t *done = calloc(ne + 1, 1);
    uint32_t *chain = malloc((ne + 2) * sizeof *chain);
    if (!first || !inc || !fill || !done || !chain) {
        c->oom = 1;
        goto out;
    }
    /* Incident edges per node (CSR), in edge order. */
    for (size_t e = 0; e < ne; ++e) {
        ++first[c->edges[e].a + 1];
        ++first[c->edges[e].b + 1];
    }
    for (size_t k = 0; k < nn; ++k) first[k + 1] += first[k];
    for (size_t e = 0; e < ne; ++e) {
        uint32_t a = c->edges[e].a, b = c->edges[e].b;
        inc[first[a] + fill[a]++] = (uint32_t)e;
        inc[first[b] + fill[b]++] = (uint32_t)e;
    }
    for (int pass = 0; pass < 2; ++pass)
        for (size_t v0 = 0; v0 < nn; ++v0) {
            uint32_t deg = first[v0 + 1] - first[v0];
            if (!deg) continue;
            /* Pass 0 starts at junctions, dead ends and attribute changes; pass 1 at whatever
             * is left, which can only be closed rings of pass-through nodes. */
            int terminal =
                deg != 2 || !same_attrs(&c->edges[inc[first[v0]]], &c->edges[inc[first[v0] + 1]]);
            if (pass == 0 && !terminal) continue;
            for (uint32_t q = first[v0]; q < first[v0 + 1]; ++q) {
                uint32_t e = inc[q];
                if (done[e]) continue;
                size_t n = 0;
                uint32_t v = (uint32_t)v0;
                chain[n++] = v;
                const demo_edge *attrs = &c->edges[e];
                for (;;) {
                    done[e] = 1;
                    v = c->edges[e].a == v ? c->edges[e].b : c->edges[e].a;
                    chain[n++] = v;
                    if (first[v + 1] - first[v] != 2) break;
                    uint32_t next = inc[first[v]] == e ? inc[first[v] + 1] : inc[first[v]];
                    if (done[next] || !same_attrs(attrs, &c->edges[next])) break;
                    e = next;
                }
                chain_emit(c, chain, n, attrs);
            }
        }
out:
    free(first);
    free(inc);
    free(fill);
    free(done);
    free(chain);
}

/* ---- Stage 6: neighbourhoods --------------------------------------------------------------- */

/** Voronoi cells are built in river coordinates (u, y) with u = x - river_x(y), where the
 * river's centreline is the straight line u = 0: each side's cells are convex there and end at
 * u = 0, so no neighbourhood straddles the river, and mapping back follows the river's curves. */
#define CELL_MAX_VERTS 128

typedef struct {
    demo_pt p[CELL_MAX_VERTS];
    int n;
} demo_poly;

/** Clips convex `in` to the half-plane (p - m) . d <= 0 (Sutherland-Hodgman). */
static void poly_clip(const demo_poly *in, demo_pt m, demo_pt d, demo_poly *out) {
    out->n = 0;
    for (int k = 0; k < in->n; ++k) {
        demo_pt p = in->p[k], q = in->p[(k + 1) % in->n];
        double sp = (p.x - m.x) * d.x + (p.y - m.y) * d.y,
               sq = (q.x - m.x) * d.x + (q.y - m.y) * d.y;
        if (sp <= 0) {
            assert(out->n < CELL_MAX_VERTS);
            out->p[out->n++] = p;
        }
        if ((sp < 0 && sq > 0) || (sp > 0 && sq < 0)) {
            double t = sp / (sp - sq);
            assert(out->n < CELL_MAX_VERTS);
            out->p[out->n++] = (demo_pt){p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
        }
    }
}

static void ring_add(const demo_city *c, OGRGeometryH ring, double u, double y) {
    OGR_G_AddPoint_2D(ring, to_easting(u + river_x(c, y)), to_northing(y));
}

/** The cell (in u, y) mapped back to a UTM polygon, with a vertex at every multiple of
 * RIVER_STEP_M in y along each edge, so that shared edges get the same vertices on both sides. */
static OGRGeometryH cell_polygon(const demo_city *c, const demo_poly *cell) {
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (int k = 0; k < cell->n; ++k) {
        demo_pt p = cell->p[k], q = cell->p[(k + 1) % cell->n];
        ring_add(c, ring, p.x, p.y);
        if (q.y > p.y) {
            for (double y = (floor(p.y / RIVER_STEP_M) + 1) * RIVER_STEP_M; y < q.y;
                 y += RIVER_STEP_M)
                ring_add(c, ring, p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x), y);
        } else if (q.y < p.y) {
            for (double y = (ceil(p.y / RIVER_STEP_M) - 1) * RIVER_STEP_M; y > q.y;
                 y -= RIVER_STEP_M)
                ring_add(c, ring, p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x), y);
        }
    }
    OGR_G_CloseRings(ring);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    return poly;
}

static OGRGeometryH city_rectangle(void) {
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    OGR_G_AddPoint_2D(ring, to_easting(-CITY_HALF_WIDTH_M), to_northing(-CITY_HALF_HEIGHT_M));
    OGR_G_AddPoint_2D(ring, to_easting(CITY_HALF_WIDTH_M), to_northing(-CITY_HALF_HEIGHT_M));
    OGR_G_AddPoint_2D(ring, to_easting(CITY_HALF_WIDTH_M), to_northing(CITY_HALF_HEIGHT_M));
    OGR_G_AddPoint_2D(ring, to_easting(-CITY_HALF_WIDTH_M), to_northing(CITY_HALF_HEIGHT_M));
    OGR_G_CloseRings(ring);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    return poly;
}

/** The largest polygon of `g` (a clone), or NULL if it has none. */
static OGRGeometryH largest_polygon(OGRGeometryH g) {
    if (!g || OGR_G_IsEmpty(g)) return NULL;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon) return OGR_G_Clone(g);
    if (t != wkbMultiPolygon && t != wkbGeometryCollection) return NULL;
    OGRGeometryH best = NULL;
    double best_area = 0;
    for (int k = 0; k < OGR_G_GetGeometryCount(g); ++k) {
        OGRGeometryH part = OGR_G_GetGeometryRef(g, k);
        if (wkbFlatten(OGR_G_GetGeometryType(part)) != wkbPolygon) continue;
        double area = OGR_G_Area(part);
        if (!best || area > best_area) {
            best = part;
            best_area = area;
        }
    }
    return best ? OGR_G_Clone(best) : NULL;
}

static int area_by_distance(const void *pa, const void *pb) {
    const demo_area *a = pa, *b = pb;
    double ra = hypot(a->centre.x, a->centre.y), rb = hypot(b->centre.x, b->centre.y);
    if (ra != rb) return ra < rb ? -1 : 1;
    return (a->centre.x > b->centre.x) - (a->centre.x < b->centre.x);
}

/** Seeded centres, denser towards the middle (dart throwing with a distance-dependent
 * spacing), on each side of the river. */
static void area_centres(demo_city *c, demo_rng *r, int east, size_t quota, demo_area *out,
                         size_t *n) {
    size_t start = *n;
    for (int attempt = 0; attempt < 40000 && *n - start < quota; ++attempt) {
        demo_pt p = {rng_range(r, -CITY_HALF_WIDTH_M + 200, CITY_HALF_WIDTH_M - 200),
                     rng_range(r, -CITY_HALF_HEIGHT_M + 200, CITY_HALF_HEIGHT_M - 200)};
        double u = river_offset(c, p), rad = hypot(p.x, p.y);
        if (east ? u < 250 : u > -250) continue;
        if (!rng_chance(r, 0.3 + 0.7 * exp(-rad / 1500.0))) continue;
        double sep = east ? 650.0 : 430.0 + 0.2 * rad;
        int ok = 1;
        for (size_t k = start; k < *n && ok; ++k)
            ok = hypot(out[k].centre.x - p.x, out[k].centre.y - p.y) >= sep;
        if (!ok) continue;
        out[*n] = (demo_area){.centre = p, .u = u, .east = east};
        ++*n;
    }
}

static int area_name_taken(const demo_city *c, size_t n, const char *name) {
    for (size_t k = 0; k < n; ++k)
        if (!strcmp(c->areas[k].name, name)) return 1;
    return 0;
}

static sim_status city_areas(demo_city *c, sim_error *err) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_AREAS);
    size_t west_quota = 22 + rng_below(&r, 7), east_quota = 5 + rng_below(&r, 2);
    c->areas = calloc(west_quota + east_quota, sizeof *c->areas);
    if (!c->areas) return sim_error_set(err, SIM_ENOMEM, "demo city: neighbourhoods");
    size_t n = 0;
    area_centres(c, &r, 0, west_quota, c->areas, &n);
    area_centres(c, &r, 1, east_quota, c->areas, &n);
    qsort(c->areas, n, sizeof *c->areas, area_by_distance);

    OGRGeometryH rect = city_rectangle();
    sim_status rc = SIM_OK;
    for (size_t k = 0; k < n; ++k) {
        demo_area *a = &c->areas[k];
        demo_poly cell[2];
        double u_lo = a->east ? 0.0 : -CITY_HALF_WIDTH_M - 2500.0;
        double u_hi = a->east ? CITY_HALF_WIDTH_M : 0.0;
        cell[0].n = 4;
        cell[0].p[0] = (demo_pt){u_lo, -CITY_HALF_HEIGHT_M};
        cell[0].p[1] = (demo_pt){u_hi, -CITY_HALF_HEIGHT_M};
        cell[0].p[2] = (demo_pt){u_hi, CITY_HALF_HEIGHT_M};
        cell[0].p[3] = (demo_pt){u_lo, CITY_HALF_HEIGHT_M};
        int cur = 0;
        for (size_t o = 0; o < n; ++o) {
            const demo_area *b = &c->areas[o];
            if (o == k || b->east != a->east) continue;
            demo_pt m = {(a->u + b->u) / 2, (a->centre.y + b->centre.y) / 2};
            demo_pt d = {b->u - a->u, b->centre.y - a->centre.y};
            poly_clip(&cell[cur], m, d, &cell[1 - cur]);
            cur = 1 - cur;
        }
        if (cell[cur].n < 3) {
            rc = sim_error_set(err, SIM_EINTERNAL, "demo city: empty neighbourhood cell");
            break;
        }
        OGRGeometryH poly = cell_polygon(c, &cell[cur]);
        CPLErrorReset();
        OGRGeometryH clipped = OGR_G_Intersection(poly, rect);
        a->geom = largest_polygon(clipped);
        OGR_G_DestroyGeometry(poly);
        OGR_G_DestroyGeometry(clipped);
        if (!a->geom) {
            rc = sim_error_set(err, SIM_EDEP, "demo city: clipping a neighbourhood failed: %s",
                               CPLGetLastErrorMsg());
            break;
        }
        c->n_areas = k + 1;
    }
    OGR_G_DestroyGeometry(rect);
    if (rc != SIM_OK) return rc;

    /* Arrival neighbourhoods: the two remotest across the river, then the remotest others. */
    uint32_t n_arrival = 3 + rng_below(&r, 3), chosen = 0;
    for (int east = 1; east >= 0; --east)
        for (size_t k = n; k-- > 0 && chosen < n_arrival;) {
            demo_area *a = &c->areas[k];
            if (a->east != east || a->arrival) continue;
            if (east && chosen >= 2) break;
            a->arrival = 1;
            ++chosen;
        }
    for (size_t k = 0; k < n; ++k) {
        demo_area *a = &c->areas[k];
        snprintf(a->area_id, sizeof a->area_id, "N%02u", (unsigned)(k + 1));
        char name[NAME_LEN];
        do {
            if (k == 0) {
                snprintf(name, sizeof name, "Old Town");
            } else if (rng_chance(&r, 0.35)) {
                snprintf(name, sizeof name, "%s %s", pick_root(&r),
                         AREA_WORDS[rng_below(&r, COUNT_OF(AREA_WORDS))]);
            } else {
                make_place_name(&r, name, sizeof name);
            }
        } while (area_name_taken(c, k, name));
        memcpy(a->name, name, sizeof name);
        double rad = hypot(a->centre.x, a->centre.y);
        double density_km2 = (2000.0 + 14000.0 * exp(-rad / 1200.0)) * rng_range(&r, 0.85, 1.15);
        if (a->arrival) density_km2 *= 1.25;
        a->pop_total = (int)lround(OGR_G_Area(a->geom) / 1e6 * density_km2);
        double share = a->arrival ? rng_range(&r, 0.37, 0.58) : rng_range(&r, 0.05, 0.18);
        a->pop_migrant = (int)lround(share * a->pop_total);
        a->wealth = a->arrival ? 0.0 : rng_range(&r, 0.5, 1.0);
    }
    return SIM_OK;
}

/** The neighbourhood holding local point p: the nearest centre, in river coordinates, on p's
 * side of the river. */
static const demo_area *area_at(const demo_city *c, demo_pt p) {
    double u = river_offset(c, p);
    const demo_area *best = NULL;
    double best_d = 0;
    for (size_t k = 0; k < c->n_areas; ++k) {
        const demo_area *a = &c->areas[k];
        if (a->east != (u > 0)) continue;
        double d = hypot(a->u - u, a->centre.y - p.y);
        if (!best || d < best_d) {
            best = a;
            best_d = d;
        }
    }
    return best;
}

/* ---- Stage 7: services --------------------------------------------------------------------- */

/** Where a service at street node v goes: beside the street edge e, 12-26 m off it. */
static demo_pt service_spot(const demo_city *c, demo_rng *r, uint32_t v, const demo_edge *e) {
    demo_pt a = c->nodes[v], b = c->nodes[e->a == v ? e->b : e->a];
    double len = hypot(b.x - a.x, b.y - a.y), dx = (b.x - a.x) / len, dy = (b.y - a.y) / len;
    double along = fmin(0.4 * len, rng_range(r, 8.0, 23.0)), off = rng_range(r, 12.0, 26.0);
    double side = rng_chance(r, 0.5) ? 1.0 : -1.0;
    for (int attempt = 0; attempt < 2; ++attempt, side = -side) {
        demo_pt p = {a.x + dx * along - dy * off * side, a.y + dy * along + dx * off * side};
        if (fabs(p.x) < CITY_HALF_WIDTH_M - 5 && fabs(p.y) < CITY_HALF_HEIGHT_M - 5 &&
            fabs(river_offset(c, p)) > RIVER_HALF_WIDTH_M + 5)
            return p;
    }
    return (demo_pt){a.x + dx * along, a.y + dy * along}; /* on the street itself */
}

static sim_status city_services(demo_city *c, sim_error *err) {
    demo_rng r;
    rng_init(&r, c->seed, STREAM_SERVICES);
    sim_status rc = SIM_OK;
    /* Candidate sites: street nodes on a road (not only footpaths or bridges). */
    uint32_t *site = malloc(c->n_nodes * sizeof *site);
    uint32_t *site_edge = malloc(c->n_nodes * sizeof *site_edge);
    size_t cap = 0;
    for (int k = 0; k < SVC_KINDS; ++k) cap += SVC[k].min_count + SVC[k].extra_count;
    c->services = calloc(cap, sizeof *c->services);
    if (!site || !site_edge || !c->services) {
        rc = sim_error_set(err, SIM_ENOMEM, "demo city: services");
        goto done;
    }
    for (size_t k = 0; k < c->n_nodes; ++k) site_edge[k] = UINT32_MAX;
    for (size_t e = 0; e < c->n_edges; ++e) {
        const demo_edge *ed = &c->edges[e];
        if (ed->bridge || ed->hw == HW_FOOTWAY) continue;
        if (site_edge[ed->a] == UINT32_MAX) site_edge[ed->a] = (uint32_t)e;
        if (site_edge[ed->b] == UINT32_MAX) site_edge[ed->b] = (uint32_t)e;
    }
    size_t n_sites = 0;
    for (size_t k = 0; k < c->n_nodes; ++k)
        if (site_edge[k] != UINT32_MAX) site[n_sites++] = (uint32_t)k;
    if (!n_sites) {
        rc = sim_error_set(err, SIM_EINTERNAL, "demo city: no street to put services on");
        goto done;
    }
    for (int kind = 0; kind < SVC_KINDS; ++kind) {
        uint32_t count = SVC[kind].min_count + rng_below(&r, SVC[kind].extra_count);
        for (uint32_t s = 0; s < count; ++s) {
            demo_pt p = {0, 0};
            for (int attempt = 0;; ++attempt) {
                uint32_t v = site[rng_below(&r, (uint32_t)n_sites)];
                /* Judge the spot itself, which may lie across an area boundary from v. */
                demo_pt q = service_spot(c, &r, v, &c->edges[site_edge[v]]);
                const demo_area *a = area_at(c, q);
                double rad = hypot(q.x, q.y);
                double w = (SVC[kind].base + (1 - SVC[kind].base) * exp(-rad / SVC[kind].scale_m)) *
                           (a ? a->wealth : 0.5);
                if (a && a->arrival)
                    w = SVC[kind].arrival_factor * (0.3 + 0.7 * exp(-rad / 2500.0));
                /* After many refusals relax the spacing, then take any spot allowed at all
                 * (w > 0: anywhere outside the arrival areas); the last resort always ends. */
                double sep = attempt < 50000    ? SVC[kind].sep_m
                             : attempt < 100000 ? SVC[kind].sep_m / 2
                                                : 0;
                int last_resort = attempt >= 1000000;
                if (!last_resort && (attempt < 150000 ? !rng_chance(&r, w) : !(w > 0))) continue;
                int ok = 1;
                for (size_t o = 0; o < c->n_services && ok; ++o)
                    ok = c->services[o].kind != kind ||
                         hypot(c->services[o].p.x - q.x, c->services[o].p.y - q.y) >= sep;
                if (!ok && !last_resort) continue;
                p = q;
                break;
            }
            demo_service *sv = &c->services[c->n_services++];
            sv->kind = kind;
            sv->p = p;
            snprintf(sv->id, sizeof sv->id, "%s-%02u", SVC[kind].kind, (unsigned)(s + 1));
            const demo_area *a = area_at(c, p);
            unsigned same = 0;
            for (size_t o = 0; o + 1 < c->n_services; ++o)
                same += c->services[o].kind == kind && area_at(c, c->services[o].p) == a;
            const char *where = a ? a->name : "City";
            if (same < 3)
                snprintf(sv->name, sizeof sv->name, "%s %s", where, SVC[kind].titles[same]);
            else
                snprintf(sv->name, sizeof sv->name, "%s %s %u", where, SVC[kind].titles[0],
                         same - 1);
            double central = exp(-hypot(p.x, p.y) / 1500.0);
            switch (kind) {
            case SVC_CLINIC:
                sv->capacity = 2 + (int)rng_below(&r, 9) + (int)lround(4 * central);
                break;
            case SVC_SCHOOL:
                sv->capacity = 150 + 50 * (int)rng_below(&r, 15);
                break;
            case SVC_LANGUAGE:
                sv->capacity = 12 + 4 * (int)rng_below(&r, 13);
                break;
            case SVC_LEGAL:
                sv->capacity = 2 + (int)rng_below(&r, 7);
                break;
            default:
                sv->capacity = 6 + (int)rng_below(&r, 25);
                break;
            }
        }
    }
done:
    free(site);
    free(site_edge);
    return rc;
}

/* ---- Stage 8: bus lines -------------------------------------------------------------------- */

/* Each line follows the cheapest path a bus may take between its termini: footways and service
 * roads are out, and main roads cost less per metre, so that lines keep to them where they can.
 * Stops go on the path's nodes (junctions and vertices of the streets), about every 400 m, and
 * are shared where a later line passes an earlier line's stop. */

/** Cost per metre of a street class for a bus; 0: buses do not use it. */
static double bus_cost_factor(int hw) {
    switch (hw) {
    case HW_PRIMARY:
        return 1.0;
    case HW_SECONDARY:
        return 1.15;
    case HW_TERTIARY:
        return 1.4;
    case HW_RESIDENTIAL:
        return 3.0;
    default:
        return 0.0;
    }
}

typedef struct {
    double d;
    uint32_t v;
} heap_item;

/* Ties by node id, so that paths do not depend on the heap's internal order. */
static int heap_before(heap_item a, heap_item b) { return a.d < b.d || (a.d == b.d && a.v < b.v); }

static void heap_push(heap_item *h, size_t *n, heap_item it) {
    size_t k = (*n)++;
    while (k > 0 && heap_before(it, h[(k - 1) / 2])) {
        h[k] = h[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h[k] = it;
}

static heap_item heap_pop(heap_item *h, size_t *n) {
    heap_item top = h[0], last = h[--*n];
    size_t k = 0;
    for (;;) {
        size_t l = 2 * k + 1;
        if (l >= *n) break;
        if (l + 1 < *n && heap_before(h[l + 1], h[l])) ++l;
        if (!heap_before(h[l], last)) break;
        h[k] = h[l];
        k = l;
    }
    if (*n) h[k] = last;
    return top;
}

typedef struct {
    uint32_t *first, *inc; /* incident edges of each node (every class), CSR in edge order */
    double *cost;          /* search results: cost from the source, INFINITY: not reached */
    uint32_t *prev_edge;   /* the edge the cheapest path arrives by; UINT32_MAX at the source */
    heap_item *heap;
    uint32_t *stop_of_node; /* stop index + 1; 0: no stop */
    uint32_t *path;         /* nodes of the current path */
    double *along_m;        /* distance along it */
    uint32_t *chosen;       /* positions on the path that get a stop */
} bus_net;

static void bus_net_free(bus_net *n) {
    free(n->first);
    free(n->inc);
    free(n->cost);
    free(n->prev_edge);
    free(n->heap);
    free(n->stop_of_node);
    free(n->path);
    free(n->along_m);
    free(n->chosen);
}

static int bus_net_init(const demo_city *c, bus_net *n) {
    size_t nn = c->n_nodes, ne = c->n_edges;
    memset(n, 0, sizeof *n);
    n->first = calloc(nn + 1, sizeof *n->first);
    n->inc = malloc((2 * ne + 1) * sizeof *n->inc);
    n->cost = malloc(nn * sizeof *n->cost);
    n->prev_edge = malloc(nn * sizeof *n->prev_edge);
    n->heap = malloc((2 * ne + 1) * sizeof *n->heap);
    n->stop_of_node = calloc(nn, sizeof *n->stop_of_node);
    n->path = malloc(nn * sizeof *n->path);
    n->along_m = malloc(nn * sizeof *n->along_m);
    n->chosen = malloc(nn * sizeof *n->chosen);
    if (!n->first || !n->inc || !n->cost || !n->prev_edge || !n->heap || !n->stop_of_node ||
        !n->path || !n->along_m || !n->chosen)
        return 0;
    for (size_t e = 0; e < ne; ++e) {
        ++n->first[c->edges[e].a + 1];
        ++n->first[c->edges[e].b + 1];
    }
    for (size_t k = 0; k < nn; ++k) n->first[k + 1] += n->first[k];
    uint32_t *fill = n->prev_edge; /* borrowed as a counter until the first search */
    memset(fill, 0, nn * sizeof *fill);
    for (size_t e = 0; e < ne; ++e) {
        uint32_t a = c->edges[e].a, b = c->edges[e].b;
        n->inc[n->first[a] + fill[a]++] = (uint32_t)e;
        n->inc[n->first[b] + fill[b]++] = (uint32_t)e;
    }
    return 1;
}

static double edge_length_m(const demo_city *c, const demo_edge *e) {
    demo_pt a = c->nodes[e->a], b = c->nodes[e->b];
    return hypot(b.x - a.x, b.y - a.y);
}

/** Dijkstra over the bus streets from `from`, until `to` is settled (UINT32_MAX: everywhere). */
static void bus_search(const demo_city *c, bus_net *n, uint32_t from, uint32_t to) {
    size_t n_heap = 0;
    for (size_t k = 0; k < c->n_nodes; ++k) {
        n->cost[k] = INFINITY;
        n->prev_edge[k] = UINT32_MAX;
    }
    n->cost[from] = 0;
    heap_push(n->heap, &n_heap, (heap_item){0, from});
    while (n_heap) {
        heap_item it = heap_pop(n->heap, &n_heap);
        if (it.d > n->cost[it.v]) continue; /* stale */
        if (it.v == to) break;
        for (uint32_t q = n->first[it.v]; q < n->first[it.v + 1]; ++q) {
            const demo_edge *e = &c->edges[n->inc[q]];
            double f = bus_cost_factor(e->hw);
            if (f <= 0) continue;
            uint32_t w = e->a == it.v ? e->b : e->a;
            double d = it.d + f * edge_length_m(c, e);
            if (d < n->cost[w]) {
                n->cost[w] = d;
                n->prev_edge[w] = n->inc[q];
                heap_push(n->heap, &n_heap, (heap_item){d, w}); /* at most one per relaxation */
            }
        }
    }
}

/** The end of lattice row 0 (column = 0) or column 0 with the lowest (last = 0) or highest
 * index that buses reach from the centre (n->cost after a search from it). */
static uint32_t axis_end(const bus_net *n, int column, int last) {
    for (int k = 0; k < LAT_SIDE; ++k) {
        int t = last ? LAT_HALF - k : k - LAT_HALF;
        uint32_t v = column ? lat_id(0, t) : lat_id(t, 0);
        if (isfinite(n->cost[v])) return v;
    }
    return UINT32_MAX;
}

/** The node on a tertiary or more important road, reached by buses from the centre, nearest to
 * p (ties: lowest id): a terminus on a through road, not in a close. */
static uint32_t bus_node_near(const demo_city *c, const bus_net *n, demo_pt p) {
    uint32_t best = UINT32_MAX;
    double best_d = INFINITY;
    for (size_t v = 0; v < c->n_nodes; ++v) {
        if (!isfinite(n->cost[v])) continue;
        int main_road = 0;
        for (uint32_t q = n->first[v]; q < n->first[v + 1]; ++q)
            main_road |= c->edges[n->inc[q]].hw >= HW_TERTIARY;
        if (!main_road) continue;
        double d = hypot(c->nodes[v].x - p.x, c->nodes[v].y - p.y);
        if (d < best_d) {
            best = (uint32_t)v;
            best_d = d;
        }
    }
    return best;
}

/** "Main Street / Cross Street" at node v, where the line runs along edge `along`: the cross
 * street is the most important other street named there. */
static void stop_name(const demo_city *c, const bus_net *n, uint32_t v, uint32_t along, char *buf,
                      size_t len) {
    int32_t main = c->edges[along].name, cross = -1;
    int cross_hw = -1;
    for (uint32_t q = n->first[v]; q < n->first[v + 1]; ++q) {
        const demo_edge *e = &c->edges[n->inc[q]];
        if (e->name < 0 || e->name == main || e->hw <= cross_hw) continue;
        cross = e->name;
        cross_hw = e->hw;
    }
    const demo_area *a = area_at(c, c->nodes[v]);
    if (main >= 0 && cross >= 0)
        snprintf(buf, len, "%s / %s", c->names[main], c->names[cross]);
    else if (main >= 0 || cross >= 0)
        snprintf(buf, len, "%s", c->names[main >= 0 ? main : cross]);
    else
        snprintf(buf, len, "%s", a ? a->name : "City");
}

/** Whether a stop, or the hub, lies on the path within BUS_LOOK_AHEAD_M after position k (the
 * terminus aside): a line then waits for it rather than stopping just short of it. */
static int stop_ahead(const bus_net *n, size_t k, size_t m, uint32_t hub) {
    for (size_t q = k + 1; q + 1 < m && n->along_m[q] - n->along_m[k] <= BUS_LOOK_AHEAD_M; ++q)
        if (n->stop_of_node[n->path[q]] || n->path[q] == hub) return 1;
    return 0;
}

/** The stop at node v, added if new. */
static uint32_t stop_at(demo_city *c, bus_net *n, uint32_t v, uint32_t along) {
    if (n->stop_of_node[v]) return n->stop_of_node[v] - 1;
    c->stops = grow(c, c->stops, &c->cap_stops, c->n_stops + 1, sizeof *c->stops);
    if (c->oom) return 0;
    demo_stop *s = &c->stops[c->n_stops];
    s->node = v;
    snprintf(s->id, sizeof s->id, "S%03u", (unsigned)(c->n_stops + 1));
    stop_name(c, n, v, along, s->name, sizeof s->name);
    n->stop_of_node[v] = (uint32_t)++c->n_stops;
    return (uint32_t)(c->n_stops - 1);
}

/** Line `line` from node `from` to node `to` (both reached by buses from `hub`): its path, its
 * stops and the running times between them. */
static sim_status bus_line(demo_city *c, bus_net *n, int line, uint32_t from, uint32_t to,
                           uint32_t hub, sim_error *err) {
    bus_search(c, n, from, to);
    if (from == to || !isfinite(n->cost[to]))
        return sim_error_set(err, SIM_EINTERNAL, "demo city: no path for bus line %s",
                             BUS[line].route_id);
    /* The path from `from` to `to`: path[0] = from; prev_edge[path[k]] joins path[k - 1] to
     * path[k]. */
    size_t m = 0;
    for (uint32_t v = to;; v = c->edges[n->prev_edge[v]].a == v ? c->edges[n->prev_edge[v]].b
                                                                : c->edges[n->prev_edge[v]].a) {
        n->path[m++] = v;
        if (v == from) break;
    }
    for (size_t k = 0; k < m / 2; ++k) {
        uint32_t t = n->path[k];
        n->path[k] = n->path[m - 1 - k];
        n->path[m - 1 - k] = t;
    }
    n->along_m[0] = 0;
    for (size_t k = 1; k < m; ++k)
        n->along_m[k] = n->along_m[k - 1] + edge_length_m(c, &c->edges[n->prev_edge[n->path[k]]]);

    /* Which path positions get a stop: the first and the last; the central crossing, always
     * (dropping a stop just before it); another line's stop once BUS_STOP_SHARE_M have passed;
     * otherwise the first node BUS_STOP_SPACING_M past the last stop, unless a stop lies just
     * ahead. */
    uint32_t *chosen = n->chosen;
    size_t n_chosen = 0;
    chosen[n_chosen++] = 0;
    for (size_t k = 1; k + 1 < m; ++k) {
        double since = n->along_m[k] - n->along_m[chosen[n_chosen - 1]];
        uint32_t v = n->path[k];
        if (v == hub) {
            if (n_chosen > 1 && since < BUS_HUB_SHARE_M) --n_chosen;
            chosen[n_chosen++] = (uint32_t)k;
        } else if ((n->stop_of_node[v] && since >= BUS_STOP_SHARE_M) ||
                   (since >= BUS_STOP_SPACING_M && !stop_ahead(n, k, m, hub))) {
            chosen[n_chosen++] = (uint32_t)k;
        }
    }
    if (n_chosen > 1 && n->path[chosen[n_chosen - 1]] != hub &&
        n->along_m[m - 1] - n->along_m[chosen[n_chosen - 1]] < BUS_STOP_END_M)
        --n_chosen;
    chosen[n_chosen++] = (uint32_t)(m - 1);

    size_t need = c->n_bus_stops + n_chosen;
    c->bus_stop = grow(c, c->bus_stop, &c->cap_bus_stops, need, sizeof *c->bus_stop);
    c->bus_stop_s = grow(c, c->bus_stop_s, &c->cap_bus_stop_s, need, sizeof *c->bus_stop_s);
    if (c->oom) return sim_error_set(err, SIM_ENOMEM, "demo city: bus lines");
    demo_bus *b = &c->bus[line];
    b->first = (uint32_t)c->n_bus_stops;
    b->count = (uint32_t)n_chosen;
    for (size_t k = 0; k < n_chosen; ++k) {
        size_t at = chosen[k];
        /* The street the line runs along at this stop: the edge it leaves by (arrives by, at the
         * terminus). */
        uint32_t along = n->prev_edge[n->path[at + (at + 1 < m ? 1 : 0)]];
        uint32_t s = stop_at(c, n, n->path[at], along);
        if (c->oom) return sim_error_set(err, SIM_ENOMEM, "demo city: bus stops");
        c->bus_stop[c->n_bus_stops] = s;
        c->bus_stop_s[c->n_bus_stops++] =
            k + 1 < n_chosen
                ? (int32_t)lround((n->along_m[chosen[k + 1]] - n->along_m[at]) / BUS_RUN_MPS)
                : 0;
    }
    const demo_area *a0 = area_at(c, c->nodes[n->path[0]]), *a1 = area_at(c, c->nodes[to]);
    const char *name0 = a0 ? a0->name : "City", *name1 = a1 ? a1->name : "City";
    snprintf(b->long_name, sizeof b->long_name, "%s - %s", name0, name1);
    snprintf(b->terminus[0], sizeof b->terminus[0], "%s", name1);
    snprintf(b->terminus[1], sizeof b->terminus[1], "%s", name0);
    return SIM_OK;
}

static sim_status city_buses(demo_city *c, sim_error *err) {
    bus_net n;
    sim_status rc = SIM_OK;
    if (!bus_net_init(c, &n)) {
        rc = sim_error_set(err, SIM_ENOMEM, "demo city: bus lines");
        goto done;
    }
    /* Where buses can go: everything they reach from the central crossing. */
    uint32_t hub = lat_id(0, 0);
    bus_search(c, &n, hub, UINT32_MAX);
    uint32_t ends[BUS_LINES][2] = {
        {axis_end(&n, 0, 0), axis_end(&n, 0, 1)}, /* west to east */
        {axis_end(&n, 1, 1), axis_end(&n, 1, 0)}, /* north to south */
        {UINT32_MAX, UINT32_MAX},
    };
    /* The arrival line starts in the arrival neighbourhood with the most migrants and crosses
     * the city to the point opposite its centre. */
    for (size_t k = 0; k < c->n_areas; ++k)
        if (c->areas[k].arrival &&
            (!c->bus_arrival || c->areas[k].pop_migrant > c->bus_arrival->pop_migrant))
            c->bus_arrival = &c->areas[k];
    if (c->bus_arrival) {
        demo_pt p = c->bus_arrival->centre, q = {-p.x, -p.y};
        ends[BUS_ARRIVAL_LINE][0] = bus_node_near(c, &n, p);
        ends[BUS_ARRIVAL_LINE][1] = bus_node_near(c, &n, q);
    }
    for (int line = 0; line < BUS_LINES && rc == SIM_OK; ++line) {
        if (ends[line][0] == UINT32_MAX || ends[line][1] == UINT32_MAX)
            rc = sim_error_set(err, SIM_EINTERNAL, "demo city: no termini for bus line %s",
                               BUS[line].route_id);
        else
            rc = bus_line(c, &n, line, ends[line][0], ends[line][1], hub, err);
    }
done:
    bus_net_free(&n);
    return rc;
}

/* ---- Building it all ----------------------------------------------------------------------- */

static sim_status city_build(demo_city *c, sim_error *err) {
    city_river(c);
    city_names(c);
    if (!c->oom) city_lattice(c);
    if (c->oom) return sim_error_set(err, SIM_ENOMEM, "demo city: lattice");
    demo_rng blocks, extras;
    rng_init(&blocks, c->seed, STREAM_BLOCKS);
    rng_init(&extras, c->seed, STREAM_EXTRAS);
    int footbridge_k = 8 + (int)rng_below(&extras, 5);
    city_flag_diagonals(c, footbridge_k);
    city_centre_blocks(c);
    city_middle_blocks(c, &blocks);
    city_outer_blocks(c, &blocks);
    city_classes(c, &blocks);
    city_lattice_edges(c);
    city_extra_edges(c, &extras, footbridge_k);
    if (c->oom) return sim_error_set(err, SIM_ENOMEM, "demo city: streets");
    city_clip(c);
    city_bridges(c);
    city_connect(c);
    city_lines(c);
    if (c->oom) return sim_error_set(err, SIM_ENOMEM, "demo city: streets");
    if (c->n_bridges < 3)
        return sim_error_set(err, SIM_EINTERNAL, "demo city: only %zu river bridges fit",
                             c->n_bridges);
    sim_status rc = city_areas(c, err);
    if (rc == SIM_OK) rc = city_services(c, err);
    if (rc == SIM_OK) rc = city_buses(c, err);
    return rc;
}

/* ---- Writing --------------------------------------------------------------------------------- */

static char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/** mkdir -p. */
static sim_status make_dirs(const char *path, sim_error *err) {
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p) return sim_error_set(err, SIM_ENOMEM, "%s", path);
    memcpy(p, path, n + 1);
    sim_status rc = SIM_OK;
    for (size_t k = 1; k <= n && rc == SIM_OK; ++k) {
        if (p[k] != '/' && p[k] != '\0') continue;
        char saved = p[k];
        p[k] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = sim_error_set(err, SIM_EIO, "%s: cannot create folder: %s", p, strerror(errno));
        p[k] = saved;
    }
    struct stat st;
    if (rc == SIM_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = sim_error_set(err, SIM_EIO, "%s: not a folder", path);
    free(p);
    return rc;
}

typedef struct {
    char *path; /* final */
    char *tmp;  /* written first, then renamed to path */
    GDALDatasetH ds;
    OGRLayerH layer;
} gpkg_out;

/** Removes `tmp` and SQLite's side files next to it, if present. */
static void remove_temporaries(const char *tmp) {
    static const char *const SIDECARS[] = {"", "-journal", "-wal", "-shm"};
    for (size_t k = 0; k < COUNT_OF(SIDECARS); ++k) {
        size_t n = strlen(tmp) + strlen(SIDECARS[k]) + 1;
        char *f = malloc(n);
        if (!f) continue;
        snprintf(f, n, "%s%s", tmp, SIDECARS[k]);
        remove(f); /* ENOENT is the usual, harmless answer */
        free(f);
    }
}

/** Closes `o` and removes its temporary file (renamed away already on success). */
static void gpkg_discard(gpkg_out *o) {
    if (o->ds) GDALClose(o->ds);
    o->ds = NULL;
    if (o->tmp) remove_temporaries(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
}

/** Creates `dir/stem.tmp.gpkg` with one layer `stem`, to be renamed to `dir/stem.gpkg`. */
static sim_status gpkg_open(gpkg_out *o, const char *dir, const char *stem, OGRwkbGeometryType type,
                            OGRSpatialReferenceH srs, sim_error *err) {
    char name[64];
    memset(o, 0, sizeof *o);
    snprintf(name, sizeof name, "%s.gpkg", stem);
    o->path = path_join(dir, name);
    snprintf(name, sizeof name, "%s.tmp.gpkg", stem);
    o->tmp = path_join(dir, name);
    if (!o->path || !o->tmp) return sim_error_set(err, SIM_ENOMEM, "%s", dir);
    remove_temporaries(o->tmp); /* a stale one from an earlier crash */
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) return sim_error_set(err, SIM_EDEP, "%s: GDAL has no GPKG driver", o->path);
    CPLErrorReset();
    o->ds = GDALCreate(drv, o->tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!o->ds)
        return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", o->tmp, CPLGetLastErrorMsg());
    o->layer = GDALDatasetCreateLayer(o->ds, stem, srs, type, NULL);
    if (!o->layer)
        return sim_error_set(err, SIM_EDEP, "%s: cannot create layer %s: %s", o->path, stem,
                             CPLGetLastErrorMsg());
    return SIM_OK;
}

static sim_status gpkg_field(gpkg_out *o, const char *name, OGRFieldType type, sim_error *err) {
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    OGRErr e = OGR_L_CreateField(o->layer, f, TRUE);
    OGR_Fld_Destroy(f);
    if (e != OGRERR_NONE)
        return sim_error_set(err, SIM_EDEP, "%s: cannot create field %s: %s", o->path, name,
                             CPLGetLastErrorMsg());
    return SIM_OK;
}

static sim_status gpkg_begin(gpkg_out *o, sim_error *err) {
    if (GDALDatasetStartTransaction(o->ds, FALSE) != OGRERR_NONE)
        return sim_error_set(err, SIM_EDEP, "%s: cannot start a transaction: %s", o->path,
                             CPLGetLastErrorMsg());
    return SIM_OK;
}

/** Writes `f` (with geometry `g`, taken over) and destroys it. */
static sim_status gpkg_put(gpkg_out *o, OGRFeatureH f, OGRGeometryH g, sim_error *err) {
    OGR_F_SetGeometryDirectly(f, g);
    OGRErr e = OGR_L_CreateFeature(o->layer, f);
    OGR_F_Destroy(f);
    if (e != OGRERR_NONE)
        return sim_error_set(err, SIM_EIO, "%s: cannot write a feature: %s", o->path,
                             CPLGetLastErrorMsg());
    return SIM_OK;
}

/** Commits, closes and renames into place. */
static sim_status gpkg_finish(gpkg_out *o, sim_error *err) {
    if (GDALDatasetCommitTransaction(o->ds) != OGRERR_NONE)
        return sim_error_set(err, SIM_EIO, "%s: cannot commit: %s", o->path, CPLGetLastErrorMsg());
    CPLErrorReset();
    GDALClose(o->ds);
    o->ds = NULL;
    if (CPLGetLastErrorType() >= CE_Failure)
        return sim_error_set(err, SIM_EIO, "%s: cannot close: %s", o->path, CPLGetLastErrorMsg());
    if (rename(o->tmp, o->path) != 0)
        return sim_error_set(err, SIM_EIO, "%s: cannot rename %s into place: %s", o->path, o->tmp,
                             strerror(errno));
    return SIM_OK;
}

static OGRGeometryH point_geom(demo_pt p) {
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, to_easting(p.x), to_northing(p.y));
    return g;
}

static sim_status write_streets(const demo_city *c, const char *dir, OGRSpatialReferenceH srs,
                                sim_error *err) {
    gpkg_out o;
    sim_status rc = gpkg_open(&o, dir, "streets", wkbLineString, srs, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "id", OFTInteger, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "highway", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "name", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "bridge", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_begin(&o, err);
    for (size_t k = 0; k < c->n_lines && rc == SIM_OK; ++k) {
        const demo_line *l = &c->lines[k];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
        OGR_F_SetFieldInteger(f, 0, (int)(k + 1));
        OGR_F_SetFieldString(f, 1, HW_NAMES[l->hw]);
        if (l->name >= 0) OGR_F_SetFieldString(f, 2, c->names[l->name]);
        if (l->bridge) OGR_F_SetFieldString(f, 3, "yes");
        OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
        for (uint32_t q = 0; q < l->count; ++q) {
            demo_pt p = c->nodes[c->line_nodes[l->first + q]];
            OGR_G_AddPoint_2D(g, to_easting(p.x), to_northing(p.y));
        }
        rc = gpkg_put(&o, f, g, err);
    }
    if (rc == SIM_OK) rc = gpkg_finish(&o, err);
    gpkg_discard(&o);
    return rc;
}

static sim_status write_areas(const demo_city *c, const char *dir, OGRSpatialReferenceH srs,
                              sim_error *err) {
    gpkg_out o;
    sim_status rc = gpkg_open(&o, dir, "neighbourhoods", wkbPolygon, srs, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "area_id", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "name", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "pop_total", OFTInteger, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "pop_migrant", OFTInteger, err);
    if (rc == SIM_OK) rc = gpkg_begin(&o, err);
    for (size_t k = 0; k < c->n_areas && rc == SIM_OK; ++k) {
        const demo_area *a = &c->areas[k];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
        OGR_F_SetFieldString(f, 0, a->area_id);
        OGR_F_SetFieldString(f, 1, a->name);
        OGR_F_SetFieldInteger(f, 2, a->pop_total);
        OGR_F_SetFieldInteger(f, 3, a->pop_migrant);
        rc = gpkg_put(&o, f, OGR_G_Clone(a->geom), err);
    }
    if (rc == SIM_OK) rc = gpkg_finish(&o, err);
    gpkg_discard(&o);
    return rc;
}

static sim_status write_services(const demo_city *c, const char *dir, OGRSpatialReferenceH srs,
                                 sim_error *err) {
    gpkg_out o;
    sim_status rc = gpkg_open(&o, dir, "services", wkbPoint, srs, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "service_id", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "kind", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "name", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "capacity", OFTInteger, err);
    if (rc == SIM_OK) rc = gpkg_begin(&o, err);
    for (size_t k = 0; k < c->n_services && rc == SIM_OK; ++k) {
        const demo_service *s = &c->services[k];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
        OGR_F_SetFieldString(f, 0, s->id);
        OGR_F_SetFieldString(f, 1, SVC[s->kind].kind);
        OGR_F_SetFieldString(f, 2, s->name);
        OGR_F_SetFieldInteger(f, 3, s->capacity);
        rc = gpkg_put(&o, f, point_geom(s->p), err);
    }
    if (rc == SIM_OK) rc = gpkg_finish(&o, err);
    gpkg_discard(&o);
    return rc;
}

static sim_status write_river(const demo_city *c, const char *dir, OGRSpatialReferenceH srs,
                              sim_error *err) {
    gpkg_out o;
    sim_status rc = gpkg_open(&o, dir, "river", wkbPolygon, srs, err);
    if (rc == SIM_OK) rc = gpkg_field(&o, "name", OFTString, err);
    if (rc == SIM_OK) rc = gpkg_begin(&o, err);
    if (rc == SIM_OK) {
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        int steps = (int)lround(2 * CITY_HALF_HEIGHT_M / RIVER_STEP_M);
        for (int k = 0; k <= steps; ++k) {
            double y = -CITY_HALF_HEIGHT_M + k * RIVER_STEP_M;
            OGR_G_AddPoint_2D(ring, to_easting(river_x(c, y) - RIVER_HALF_WIDTH_M), to_northing(y));
        }
        for (int k = steps; k >= 0; --k) {
            double y = -CITY_HALF_HEIGHT_M + k * RIVER_STEP_M;
            OGR_G_AddPoint_2D(ring, to_easting(river_x(c, y) + RIVER_HALF_WIDTH_M), to_northing(y));
        }
        OGR_G_CloseRings(ring);
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
        OGR_F_SetFieldString(f, 0, c->river_name);
        rc = gpkg_put(&o, f, poly, err);
    }
    if (rc == SIM_OK) rc = gpkg_finish(&o, err);
    gpkg_discard(&o);
    return rc;
}

/** A text file written under `<path>.tmp` and renamed into place by text_finish(). */
typedef struct {
    char *path, *tmp;
    FILE *f;
} text_out;

static sim_status text_open(text_out *o, const char *dir, const char *name, sim_error *err) {
    memset(o, 0, sizeof *o);
    o->path = path_join(dir, name);
    size_t n = o->path ? strlen(o->path) + 5 : 0;
    if (o->path) o->tmp = malloc(n);
    if (!o->tmp) return sim_error_set(err, SIM_ENOMEM, "%s", dir);
    snprintf(o->tmp, n, "%s.tmp", o->path);
    if (!(o->f = fopen(o->tmp, "w")))
        return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", o->tmp, strerror(errno));
    return SIM_OK;
}

/** Closes and renames into place. */
static sim_status text_finish(text_out *o, sim_error *err) {
    int bad = ferror(o->f);
    int closed = fclose(o->f) == 0;
    o->f = NULL;
    if (bad || !closed)
        return sim_error_set(err, SIM_EIO, "%s: cannot write: %s", o->tmp, strerror(errno));
    if (rename(o->tmp, o->path) != 0)
        return sim_error_set(err, SIM_EIO, "%s: cannot rename %s into place: %s", o->path, o->tmp,
                             strerror(errno));
    return SIM_OK;
}

/** Closes `o` and removes its temporary file (renamed away already on success). */
static void text_discard(text_out *o) {
    if (o->f) fclose(o->f);
    if (o->tmp) remove(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

/** H:MM:SS, hours past 24 allowed. */
static const char *gtfs_time(int32_t s, char buf[16]) {
    snprintf(buf, 16, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    return buf;
}

/** A CSV field: quoted, with quotes doubled, if it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/** Stop k of `b` in direction `way` (1: from the last stop back). */
static uint32_t bus_stop_in(const demo_city *c, const demo_bus *b, int way, uint32_t k) {
    return c->bus_stop[b->first + (way ? b->count - 1 - k : k)];
}

/** Running seconds from stop k to stop k + 1 of `b` in direction `way`. */
static int32_t bus_run_s(const demo_city *c, const demo_bus *b, int way, uint32_t k) {
    return c->bus_stop_s[b->first + (way ? b->count - 2 - k : k)];
}

/** stop_times.txt rows of one trip of `b` leaving its first stop at `start_s`. */
static void write_stop_times(FILE *f, const demo_city *c, const demo_bus *b, int way,
                             const char *trip_id, int32_t start_s) {
    int32_t t = start_s;
    for (uint32_t k = 0; k < b->count; ++k) {
        char arr[16], dep[16];
        if (k > 0) t += bus_run_s(c, b, way, k - 1);
        int32_t leave = t + (k > 0 && k + 1 < b->count ? BUS_DWELL_S : 0);
        fprintf(f, "%s,%s,%s,%s,%u\n", trip_id, gtfs_time(t, arr), gtfs_time(leave, dep),
                c->stops[bus_stop_in(c, b, way, k)].id, (unsigned)(k + 1));
        t = leave;
    }
}

/** The feed: agency, stops (lon/lat through `to_wgs84`), routes, the weekday calendar with one
 * holiday, trips, stop_times and frequencies. */
static sim_status write_gtfs(const demo_city *c, const char *dir,
                             OGRCoordinateTransformationH to_wgs84, sim_error *err) {
    enum { AGENCY, STOPS, ROUTES, CALENDAR, CALENDAR_DATES, TRIPS, STOP_TIMES, FREQUENCIES, FILES };
    static const char *const NAMES[FILES] = {"agency.txt",     "stops.txt",          "routes.txt",
                                             "calendar.txt",   "calendar_dates.txt", "trips.txt",
                                             "stop_times.txt", "frequencies.txt"};
    text_out o[FILES];
    memset(o, 0, sizeof o);
    double *lon = malloc((c->n_stops + 1) * sizeof *lon),
           *lat = malloc((c->n_stops + 1) * sizeof *lat);
    sim_status rc = SIM_OK;
    if (!lon || !lat) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", dir);
        goto done;
    }
    if ((rc = make_dirs(dir, err))) goto done;
    for (size_t k = 0; k < c->n_stops; ++k) {
        lon[k] = to_easting(c->nodes[c->stops[k].node].x);
        lat[k] = to_northing(c->nodes[c->stops[k].node].y);
    }
    CPLErrorReset();
    if (c->n_stops && !OCTTransform(to_wgs84, (int)c->n_stops, lon, lat, NULL)) {
        rc = sim_error_set(err, SIM_EDEP, "%s: cannot convert the stops to WGS 84: %s", dir,
                           CPLGetLastErrorMsg());
        goto done;
    }
    for (int k = 0; k < FILES && rc == SIM_OK; ++k) rc = text_open(&o[k], dir, NAMES[k], err);
    if (rc) goto done;

    fputs("agency_id,agency_name,agency_url,agency_timezone,agency_lang\n"
          "demo,Demo City Buses,https://example.org/accessim-demo,Europe/Berlin,en\n",
          o[AGENCY].f);
    fputs("stop_id,stop_name,stop_lat,stop_lon\n", o[STOPS].f);
    for (size_t k = 0; k < c->n_stops; ++k) {
        fprintf(o[STOPS].f, "%s,", c->stops[k].id);
        csv_field(o[STOPS].f, c->stops[k].name);
        fprintf(o[STOPS].f, ",%.7f,%.7f\n", lat[k], lon[k]);
    }
    fputs("route_id,agency_id,route_short_name,route_long_name,route_type,route_color\n",
          o[ROUTES].f);
    fputs("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
          "end_date\nweekday,1,1,1,1,1,0,0,20260101,20261231\n",
          o[CALENDAR].f);
    fputs("service_id,date,exception_type\nweekday,20261225,2\n", o[CALENDAR_DATES].f);
    fputs("route_id,service_id,trip_id,trip_headsign,direction_id\n", o[TRIPS].f);
    fputs("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n", o[STOP_TIMES].f);
    fputs("trip_id,start_time,end_time,headway_secs,exact_times\n", o[FREQUENCIES].f);
    for (int line = 0; line < BUS_LINES; ++line) {
        const demo_bus *b = &c->bus[line];
        fprintf(o[ROUTES].f, "%s,demo,%s,", BUS[line].route_id, BUS[line].route_id);
        csv_field(o[ROUTES].f, b->long_name);
        fprintf(o[ROUTES].f, ",3,%s\n", BUS[line].color);
        for (int way = 0; way < 2; ++way) {
            char trip_id[32];
            if (BUS[line].frequencies) { /* one template trip, run by frequencies.txt */
                snprintf(trip_id, sizeof trip_id, "%s-%d", BUS[line].route_id, way);
                fprintf(o[TRIPS].f, "%s,weekday,%s,", BUS[line].route_id, trip_id);
                csv_field(o[TRIPS].f, b->terminus[way]);
                fprintf(o[TRIPS].f, ",%d\n", way);
                write_stop_times(o[STOP_TIMES].f, c, b, way, trip_id, BUS[line].period[0].start_s);
            }
            for (int p = 0; p < BUS_PERIODS; ++p) {
                int32_t start = BUS[line].period[p].start_s, end = BUS[line].period[p].end_s;
                int32_t headway = BUS[line].period[p].headway_s;
                if (!headway) continue;
                if (BUS[line].frequencies) {
                    char t0[16], t1[16];
                    fprintf(o[FREQUENCIES].f, "%s,%s,%s,%d,1\n", trip_id, gtfs_time(start, t0),
                            gtfs_time(end, t1), (int)headway);
                    continue;
                }
                for (int32_t t = start; t < end; t += headway) {
                    snprintf(trip_id, sizeof trip_id, "%s-%d-%02d%02d", BUS[line].route_id, way,
                             (int)(t / 3600), (int)(t / 60 % 60));
                    fprintf(o[TRIPS].f, "%s,weekday,%s,", BUS[line].route_id, trip_id);
                    csv_field(o[TRIPS].f, b->terminus[way]);
                    fprintf(o[TRIPS].f, ",%d\n", way);
                    write_stop_times(o[STOP_TIMES].f, c, b, way, trip_id, t);
                }
            }
        }
    }
    for (int k = 0; k < FILES && rc == SIM_OK; ++k) rc = text_finish(&o[k], err);
done:
    for (int k = 0; k < FILES; ++k) text_discard(&o[k]);
    free(lon);
    free(lat);
    return rc;
}

/* The demo's scenarios: what a planner would try for the arrival neighbourhood of bus line 3
 * (a clinic and a language course there, the bus every 10 minutes) and a closure of the river
 * bridge nearest to it. Places are that line's first stops (street junctions). */
static sim_status write_scenarios(const demo_city *c, FILE *f, OGRCoordinateTransformationH to_wgs84,
                                  sim_error *err) {
    const demo_area *a = c->bus_arrival;
    const demo_bus *b = &c->bus[BUS_ARRIVAL_LINE];
    if (!a || b->count < 3) return SIM_OK;
    double lon[2], lat[2];
    for (int k = 0; k < 2; ++k) {
        demo_pt p = c->nodes[c->stops[c->bus_stop[b->first + (uint32_t)k * 2]].node];
        lon[k] = to_easting(p.x);
        lat[k] = to_northing(p.y);
    }
    CPLErrorReset();
    if (!OCTTransform(to_wgs84, 2, lon, lat, NULL))
        return sim_error_set(err, SIM_EDEP, "demo city: scenario places: %s", CPLGetLastErrorMsg());
    /* the river bridge (a bridge line not over an arterial) nearest the neighbourhood */
    size_t best = SIZE_MAX;
    double best_d = INFINITY;
    for (size_t k = 0; k < c->n_lines; ++k) {
        const demo_line *l = &c->lines[k];
        if (!l->bridge) continue;
        demo_pt p = c->nodes[c->line_nodes[l->first + l->count / 2]];
        if (fabs(river_offset(c, p)) > 120) continue; /* the footbridge over an arterial */
        double d = hypot(p.x - a->centre.x, p.y - a->centre.y);
        if (d < best_d) best_d = d, best = k;
    }
    fprintf(f,
            "# Policy options (docs/SCENARIOS.md); each is compared with the baseline in\n"
            "# comparison.csv, summary.csv and report.html.\n"
            "scenarios:\n"
            "  - name: clinic-in-%s\n"
            "    description: \"A new clinic (3 doctors) in %s, an arrival neighbourhood without "
            "one\"\n"
            "    changes:\n"
            "      - add_services: { service: clinic, points: [ { id: clinic-new, lon: %.7f, "
            "lat: %.7f, capacity: 3 } ] }\n"
            "  - name: language-course-in-%s\n"
            "    description: \"A language course (40 seats) in %s\"\n"
            "    changes:\n"
            "      - add_services: { service: language_course, points: [ { id: course-new, "
            "lon: %.7f, lat: %.7f, capacity: 40 } ] }\n"
            "  - name: bus-%s-every-10\n"
            "    description: \"Bus line %s every 10 minutes instead of 30\"\n"
            "    changes:\n"
            "      - set_headway: { route: \"%s\", headway_min: 10 }\n",
            a->area_id, a->name, lon[0], lat[0], a->area_id, a->name, lon[1], lat[1],
            BUS[BUS_ARRIVAL_LINE].route_id, BUS[BUS_ARRIVAL_LINE].route_id,
            BUS[BUS_ARRIVAL_LINE].route_id);
    if (best != SIZE_MAX) {
        const demo_line *l = &c->lines[best];
        fprintf(f,
                "  - name: bridge-closed\n"
                "    description: \"Roadworks close %s (street %zu) to every street mode\"\n"
                "    changes:\n"
                "      - close_ways: { ways: [%zu], modes: [walk, bike, car] }\n",
                l->name >= 0 ? c->names[l->name] : "the bridge", best + 1, best + 1);
    }
    return SIM_OK;
}

static sim_status write_scenario(const demo_city *c, const char *dir,
                                 OGRCoordinateTransformationH to_wgs84, sim_error *err) {
    text_out o;
    sim_status rc = text_open(&o, dir, "demo.yaml", err);
    if (rc) goto done;
    FILE *f = o.f;
    fprintf(f,
            "# Demo city scenario, generated by accessim demo with seed %" PRIu64 ".\n"
            "# A synthetic city: streets, neighbourhoods with population, services and a river\n"
            "# in inputs/ (EPSG:32633), and its buses as a GTFS feed in inputs/gtfs/. The same\n"
            "# seed always gives the same city.\n"
            "name: demo\n"
            "# Most newly arrived migrants have no car: their group walks, cycles and takes the "
            "bus.\n"
            "network: { source: inputs/streets.gpkg, layer: streets, "
            "modes: [walk, bike, car, transit] }\n"
            "population:\n"
            "  source: inputs/neighbourhoods.gpkg\n"
            "  layer: neighbourhoods\n"
            "  id: area_id\n"
            "  groups:\n"
            "    everyone: pop_total\n"
            "    migrants: { field: pop_migrant, modes: [walk, bike, transit] }\n"
            "services: { source: inputs/services.gpkg, layer: services, type_field: kind, "
            "id: service_id, capacity: capacity, "
            "kinds: [clinic, school, language_course, legal_aid, employment_office] }\n"
            "measures: [nearest, { cumulative: 15 }, { fca2: 15 },\n"
            "           { gravity: { decay: exponential, decay_value: 0.1 } }]\n"
            "# Buses on weekdays; at 08:00:\n",
            c->seed);
    for (int line = 0; line < BUS_LINES; ++line) {
        fprintf(f, "#   line %s, %s: every %d minutes", BUS[line].route_id, c->bus[line].long_name,
                (int)(BUS[line].period[0].headway_s / 60));
        if (line == BUS_ARRIVAL_LINE && c->bus_arrival) {
            const demo_bus *b = &c->bus[line];
            const demo_area *end =
                area_at(c, c->nodes[c->stops[c->bus_stop[b->first + b->count - 1]].node]);
            if (end && end->arrival && end != c->bus_arrival)
                fprintf(f, " (the bus of %s and %s, arrival neighbourhoods)", c->bus_arrival->name,
                        end->name);
            else
                fprintf(f, " (the bus of %s, an arrival neighbourhood)", c->bus_arrival->name);
        }
        fputc('\n', f);
    }
    fputs("# Mode transit_p50: for each departure minute from 08:00 to 08:59, the door-to-door\n"
          "# time (walk, wait, ride, change, walk; or walk all the way when that is faster),\n"
          "# and the median (percentile 50) of those 60 times.\n"
          "transit:\n"
          "  feeds: [inputs/gtfs]\n"
          "  date: " GEO_DEMO_CITY_SERVICE_DATE " # a Tuesday\n"
          "  window: \"08:00-09:00\"\n"
          "  percentiles: [50]\n"
          "output: { grid_m: 100, thresholds_min: [15, 30] }\n",
          f);
    if ((rc = write_scenarios(c, f, to_wgs84, err))) goto done;
    rc = text_finish(&o, err);
done:
    text_discard(&o);
    return rc;
}

sim_status geo_demo_city_write(const char *dir, uint64_t seed, sim_error *err) {
    if (!dir || !*dir) return sim_error_set(err, SIM_EINVAL, "demo city: no output folder");
    demo_city c = {.seed = seed};
    OGRSpatialReferenceH srs = NULL;
    OGRSpatialReferenceH wgs84 = NULL;
    OGRCoordinateTransformationH to_wgs84 = NULL;
    char *inputs = path_join(dir, "inputs"), *gtfs = path_join(dir, "inputs/gtfs");
    char *saved_date = NULL;
    sim_status rc = SIM_OK;

    CPLPushErrorHandler(CPLQuietErrorHandler);
    /* Pin the GeoPackage's gpkg_contents.last_change so that files depend only on the seed. */
    const char *old_date = CPLGetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    if (old_date) saved_date = CPLStrdup(old_date);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    if (!inputs || !gtfs) rc = sim_error_set(err, SIM_ENOMEM, "%s", dir);
    if (rc == SIM_OK) rc = make_dirs(inputs, err);
    if (rc == SIM_OK) rc = city_build(&c, err);
    if (rc == SIM_OK && !GDALGetDriverByName("GPKG")) GDALAllRegister();
    if (rc == SIM_OK) {
        CPLErrorReset();
        srs = OSRNewSpatialReference(NULL);
        if (!srs || OSRImportFromEPSG(srs, GEO_DEMO_CITY_EPSG) != OGRERR_NONE)
            rc = sim_error_set(err, SIM_EDEP, "demo city: EPSG:%d: %s", GEO_DEMO_CITY_EPSG,
                               CPLGetLastErrorMsg());
        else
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    if (rc == SIM_OK) {
        CPLErrorReset();
        wgs84 = OSRNewSpatialReference(NULL);
        if (wgs84 && OSRImportFromEPSG(wgs84, 4326) == OGRERR_NONE) {
            OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER); /* lon, lat */
            to_wgs84 = OCTNewCoordinateTransformation(srs, wgs84);
        }
        if (!to_wgs84)
            rc = sim_error_set(err, SIM_EDEP, "demo city: EPSG:%d to WGS 84: %s",
                               GEO_DEMO_CITY_EPSG, CPLGetLastErrorMsg());
    }
    if (rc == SIM_OK) rc = write_streets(&c, inputs, srs, err);
    if (rc == SIM_OK) rc = write_areas(&c, inputs, srs, err);
    if (rc == SIM_OK) rc = write_services(&c, inputs, srs, err);
    if (rc == SIM_OK) rc = write_river(&c, inputs, srs, err);
    if (rc == SIM_OK) rc = write_gtfs(&c, gtfs, to_wgs84, err);
    if (rc == SIM_OK) rc = write_scenario(&c, dir, to_wgs84, err);

    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", saved_date);
    CPLFree(saved_date);
    CPLPopErrorHandler();
    if (to_wgs84) OCTDestroyCoordinateTransformation(to_wgs84);
    if (wgs84) OSRDestroySpatialReference(wgs84);
    if (srs) OSRDestroySpatialReference(srs);
    city_free(&c);
    free(inputs);
    free(gtfs);
    return rc;
}
