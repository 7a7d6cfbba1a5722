/*
 * Scenario file parsing: libyaml loads the whole file into a node tree (yaml_parser_load), then
 * one function per mapping of the schema (root, network, profiles, population, services,
 * measures, equity, output) checks its keys against a table and copies the values into a
 * scn_config.
 *
 * Why a node tree rather than events: the schema needs look-ahead (a `services` mapping is form B
 * when it holds `source` or `type_field`, wherever in the mapping they stand) and "missing key"
 * errors point at the parent mapping, which is easy once the whole mapping is at hand.
 *
 * Anchors and aliases are supported as libyaml resolves them: an alias is the same node as its
 * anchor, so an error in an aliased value points at the anchor. Self-referencing aliases cannot
 * loop here because every function walks a fixed depth of the schema and every leaf must be a
 * scalar. Merge keys (`<<`) are not supported: `<<` is an unknown key like any other.
 */
#include "scenarios/config.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "sim/raptor.h"

#if defined(__GNUC__)
#define SCN_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#define SCN_PRINTF(fmt_index, args_index)
#endif

/* Scenario files are hand-written and small; the cap bounds work and memory on hostile input. */
#define MAX_FILE_BYTES ((size_t)4 << 20)
/* Group and service kind names become column and file names: keep them short. */
#define MAX_NAME_LEN 64
/* Accessibility thresholds beyond a day mean nothing for daily trips. */
#define MAX_THRESHOLD_MIN 1440
/* Shares of each group within these minutes (issue 5: 15/30/45/60) unless the file says. */
static const uint32_t DEFAULT_THRESHOLDS_MIN[] = {15, 30, 45, 60};
/* Deeper `[`/`{` nesting than any scenario needs; see check_flow_depth(). */
#define MAX_FLOW_DEPTH 64
/* sim_measure_cumulative_interval() evaluates one cutoff per minute and takes at most this many. */
#define MAX_INTERVAL_CUTOFFS 100000
/* Longest scalar quoted back in an error message. */
#define SHOW_LEN 40

/* ---- modes ---------------------------------------------------------------------------------- */

/* Indexed by scn_mode. A new mode is one enum value in config.h plus one name here (and, for a
 * street mode, a geo_mode with its profile in geo/profile.c). Transit is not a street mode: it
 * needs the `transit:` block instead of a profile. */
static const char *const MODE_NAMES[] = {"walk", "bike", "car", "transit"};
_Static_assert(sizeof MODE_NAMES / sizeof MODE_NAMES[0] == SCN_MODE_COUNT,
               "MODE_NAMES must name every scn_mode");
_Static_assert((int)SCN_MODE_WALK == (int)GEO_MODE_WALK &&
                   (int)SCN_MODE_BIKE == (int)GEO_MODE_BIKE &&
                   (int)SCN_MODE_CAR == (int)GEO_MODE_CAR &&
                   (int)SCN_STREET_MODE_COUNT == (int)GEO_MODE_COUNT,
               "the street modes of scn_mode and geo_mode must agree");
_Static_assert((int)SCN_MODE_TRANSIT >= (int)SCN_STREET_MODE_COUNT,
               "transit must not be a street mode");

const char *scn_group_eligible(const scn_group *g, const char *kind) {
    if (g->eligible_all) return g->eligible_all;
    for (size_t i = 0; i < g->n_eligible; ++i)
        if (!strcmp(g->eligible_kind[i], kind)) return g->eligible_filter[i];
    return NULL;
}

const char *scn_mode_name(scn_mode m) {
    if ((unsigned)m >= (unsigned)SCN_MODE_COUNT) return "unknown";
    return MODE_NAMES[m];
}

/* ---- keys ----------------------------------------------------------------------------------- */

/* Every key of the schema; each mapping allows a subset (the *_KEYS tables below). */
typedef enum {
    K_NAME,
    K_CRS,
    K_NETWORK,
    K_POPULATION,
    K_SERVICES,
    K_OUTPUT,
    K_SOURCE,
    K_LAYER,
    K_MODES,
    K_WALK_SPEED_KMH,
    K_SNAP_DISTANCE_M,
    K_JOIN_TOLERANCE_M,
    K_ID,
    K_LON,
    K_LAT,
    K_FILTER,
    K_GROUPS,
    K_CAPACITY,
    K_TYPE_FIELD,
    K_KINDS,
    K_GRID_M,
    K_THRESHOLDS_MIN,
    K_PROFILES,
    K_WALK,
    K_BIKE,
    K_CAR,
    K_SPEED_KMH,
    K_SPEED_FACTOR,
    K_USE_MAXSPEED,
    K_MAXSPEED_FACTOR,
    K_HIGHWAY_KMH,
    K_FIELD,
    K_NODES,
    K_EDGES,
    K_NODES_LAYER,
    K_EDGES_LAYER,
    K_NODE_ID,
    K_FROM,
    K_TO,
    K_LENGTH,
    K_TIME,
    K_MEASURES,
    K_EQUITY,
    K_K,
    K_CUTOFF,
    K_COUNT_ONLY,
    K_DECAY,
    K_DECAY_VALUE,
    K_SD,
    K_SIGMA,
    K_STEPS,
    K_WEIGHTS,
    K_ALPHA,
    K_DEMAND,
    K_TOTAL_GROUP,
    K_RANK_BY,
    K_POVERTY_LINE_MIN,
    K_POVERTY_SHARE,
    K_ELIGIBLE,
    K_ALLOCATE,
    K_WEIGHT,
    K_TRANSIT,
    K_FEEDS,
    K_DATE,
    K_WINDOW,
    K_STEP_MIN,
    K_PERCENTILES,
    K_MAX_WALK_MIN,
    K_MAX_RIDES,
    K_MAX_TRIP_MIN,
    K_BOARD_SLACK_S,
    K_ACCESS,
    K_EGRESS,
    K_TRANSFER,
    K_SCENARIOS,
    K_SWEEPS,
    K_CHANGES,
    K_DESCRIPTION,
    K_PARAMETERS,
    K_SERVICE,
    K_POINTS,
    K_IDS,
    K_WHERE,
    K_WITHIN,
    K_POLYGON,
    K_FACTOR,
    K_VALUES,
    K_WAYS,
    K_ROUTE,
    K_STOPS,
    K_HEADWAY_MIN,
    K_SPAN,
    K_DEPARTURES,
    K_HOP_MIN,
    K_DWELL_S,
    K_ROUTE_TYPE,
    K_SHARE,
    K_ORIGINS,
    K_COUNT
} key_id;

static const char *const KEY_NAMES[K_COUNT] = {
    [K_NAME] = "name",
    [K_CRS] = "crs",
    [K_NETWORK] = "network",
    [K_POPULATION] = "population",
    [K_SERVICES] = "services",
    [K_OUTPUT] = "output",
    [K_SOURCE] = "source",
    [K_LAYER] = "layer",
    [K_MODES] = "modes",
    [K_WALK_SPEED_KMH] = "walk_speed_kmh",
    [K_SNAP_DISTANCE_M] = "snap_distance_m",
    [K_JOIN_TOLERANCE_M] = "join_tolerance_m",
    [K_ID] = "id",
    [K_LON] = "lon",
    [K_LAT] = "lat",
    [K_FILTER] = "filter",
    [K_GROUPS] = "groups",
    [K_CAPACITY] = "capacity",
    [K_TYPE_FIELD] = "type_field",
    [K_KINDS] = "kinds",
    [K_GRID_M] = "grid_m",
    [K_THRESHOLDS_MIN] = "thresholds_min",
    [K_PROFILES] = "profiles",
    [K_WALK] = "walk",
    [K_BIKE] = "bike",
    [K_CAR] = "car",
    [K_SPEED_KMH] = "speed_kmh",
    [K_SPEED_FACTOR] = "speed_factor",
    [K_USE_MAXSPEED] = "use_maxspeed",
    [K_MAXSPEED_FACTOR] = "maxspeed_factor",
    [K_HIGHWAY_KMH] = "highway_kmh",
    [K_FIELD] = "field",
    [K_NODES] = "nodes",
    [K_EDGES] = "edges",
    [K_NODES_LAYER] = "nodes_layer",
    [K_EDGES_LAYER] = "edges_layer",
    [K_NODE_ID] = "node_id",
    [K_FROM] = "from",
    [K_TO] = "to",
    [K_LENGTH] = "length",
    [K_TIME] = "time",
    [K_MEASURES] = "measures",
    [K_EQUITY] = "equity",
    [K_K] = "k",
    [K_CUTOFF] = "cutoff",
    [K_COUNT_ONLY] = "count",
    [K_DECAY] = "decay",
    [K_DECAY_VALUE] = "decay_value",
    [K_SD] = "sd",
    [K_SIGMA] = "sigma",
    [K_STEPS] = "steps",
    [K_WEIGHTS] = "weights",
    [K_ALPHA] = "alpha",
    [K_DEMAND] = "demand",
    [K_TOTAL_GROUP] = "total_group",
    [K_RANK_BY] = "rank_by",
    [K_POVERTY_LINE_MIN] = "poverty_line_min",
    [K_POVERTY_SHARE] = "poverty_share",
    [K_ELIGIBLE] = "eligible",
    [K_ALLOCATE] = "allocate",
    [K_WEIGHT] = "weight",
    [K_TRANSIT] = "transit",
    [K_FEEDS] = "feeds",
    [K_DATE] = "date",
    [K_WINDOW] = "window",
    [K_STEP_MIN] = "step_min",
    [K_PERCENTILES] = "percentiles",
    [K_MAX_WALK_MIN] = "max_walk_min",
    [K_MAX_RIDES] = "max_rides",
    [K_MAX_TRIP_MIN] = "max_trip_min",
    [K_BOARD_SLACK_S] = "board_slack_s",
    [K_ACCESS] = "access",
    [K_EGRESS] = "egress",
    [K_TRANSFER] = "transfer",
    [K_SCENARIOS] = "scenarios",
    [K_SWEEPS] = "sweeps",
    [K_CHANGES] = "changes",
    [K_DESCRIPTION] = "description",
    [K_PARAMETERS] = "parameters",
    [K_SERVICE] = "service",
    [K_POINTS] = "points",
    [K_IDS] = "ids",
    [K_WHERE] = "where",
    [K_WITHIN] = "within",
    [K_POLYGON] = "polygon",
    [K_FACTOR] = "factor",
    [K_VALUES] = "values",
    [K_WAYS] = "ways",
    [K_ROUTE] = "route",
    [K_STOPS] = "stops",
    [K_HEADWAY_MIN] = "headway_min",
    [K_SPAN] = "span",
    [K_DEPARTURES] = "departures",
    [K_HOP_MIN] = "hop_min",
    [K_DWELL_S] = "dwell_s",
    [K_ROUTE_TYPE] = "route_type",
    [K_SHARE] = "share",
    [K_ORIGINS] = "origins",
};

static const key_id ROOT_KEYS[] = {K_NAME,     K_CRS,      K_NETWORK, K_PROFILES, K_POPULATION,
                                   K_SERVICES, K_MEASURES, K_EQUITY,  K_TRANSIT,  K_OUTPUT,
                                   K_SCENARIOS, K_SWEEPS};
static const key_id NETWORK_KEYS[] = {K_SOURCE,
                                      K_LAYER,
                                      K_NODES,
                                      K_EDGES,
                                      K_NODES_LAYER,
                                      K_EDGES_LAYER,
                                      K_NODE_ID,
                                      K_LON,
                                      K_LAT,
                                      K_FROM,
                                      K_TO,
                                      K_LENGTH,
                                      K_TIME,
                                      K_MODES,
                                      K_WALK_SPEED_KMH,
                                      K_SNAP_DISTANCE_M,
                                      K_JOIN_TOLERANCE_M};
/* Keys that only make sense with one of the two network forms. */
static const key_id NETWORK_TABLE_KEYS[] = {K_NODES_LAYER, K_EDGES_LAYER, K_NODE_ID, K_LON, K_LAT,
                                            K_FROM,        K_TO,          K_LENGTH,  K_TIME};
static const key_id NETWORK_SOURCE_KEYS[] = {K_LAYER, K_JOIN_TOLERANCE_M};
static const key_id PROFILES_KEYS[] = {K_WALK, K_BIKE, K_CAR};
static const key_id WALK_PROFILE_KEYS[] = {K_SPEED_KMH};
static const key_id BIKE_PROFILE_KEYS[] = {K_SPEED_KMH};
static const key_id CAR_PROFILE_KEYS[] = {K_SPEED_FACTOR, K_USE_MAXSPEED, K_MAXSPEED_FACTOR,
                                          K_HIGHWAY_KMH};
static const key_id GROUP_KEYS[] = {K_FIELD, K_MODES, K_WALK_SPEED_KMH, K_ELIGIBLE};
static const key_id POPULATION_KEYS[] = {K_SOURCE, K_LAYER,  K_ID,     K_LON,
                                         K_LAT,    K_FILTER, K_GROUPS, K_ALLOCATE};
static const key_id ALLOCATE_KEYS[] = {K_SOURCE, K_LAYER, K_ID, K_FILTER, K_WEIGHT};
static const key_id SERVICE_A_KEYS[] = {K_SOURCE, K_LAYER,  K_ID,      K_LON,
                                        K_LAT,    K_FILTER, K_CAPACITY};
static const key_id SERVICE_B_KEYS[] = {K_SOURCE, K_TYPE_FIELD, K_KINDS,  K_LAYER,   K_ID,
                                        K_LON,    K_LAT,        K_FILTER, K_CAPACITY};
static const key_id OUTPUT_KEYS[] = {K_GRID_M, K_THRESHOLDS_MIN};
static const key_id EQUITY_KEYS[] = {K_TOTAL_GROUP, K_RANK_BY, K_POVERTY_LINE_MIN,
                                     K_POVERTY_SHARE};
static const key_id TRANSIT_KEYS[] = {K_FEEDS,     K_DATE,        K_WINDOW,
                                      K_STEP_MIN,  K_PERCENTILES, K_MAX_WALK_MIN,
                                      K_MAX_RIDES, K_MAX_TRIP_MIN, K_BOARD_SLACK_S};
static const key_id MAX_WALK_KEYS[] = {K_ACCESS, K_EGRESS, K_TRANSFER};
/* The parameters of each measure (MEASURES below); the decay keys are checked against the
 * chosen decay afterwards (DECAY_PARAMS). */
static const key_id NEAREST_KEYS[] = {K_K};
static const key_id CUMULATIVE_KEYS[] = {K_CUTOFF, K_COUNT_ONLY};
static const key_id INTERVAL_KEYS[] = {K_FROM, K_TO};
static const key_id GRAVITY_KEYS[] = {K_DECAY, K_DECAY_VALUE, K_CUTOFF,  K_SD,
                                      K_SIGMA, K_STEPS,       K_WEIGHTS, K_COUNT_ONLY};
static const key_id FCA_KEYS[] = {K_DECAY, K_DECAY_VALUE, K_CUTOFF,  K_SD,
                                  K_SIGMA, K_STEPS,       K_WEIGHTS, K_DEMAND};
static const key_id E2SFCA_KEYS[] = {K_DECAY, K_STEPS, K_WEIGHTS, K_DEMAND};
static const key_id AVAILABILITY_KEYS[] = {K_DECAY, K_DECAY_VALUE, K_CUTOFF,  K_SD,    K_SIGMA,
                                           K_STEPS, K_WEIGHTS,     K_DEMAND, K_ALPHA};
/* Every key that sets a decay parameter, in the order sim_decay_check() looks at them. */
static const key_id DECAY_KEYS[] = {K_CUTOFF, K_DECAY_VALUE, K_SD, K_SIGMA, K_STEPS, K_WEIGHTS};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- loader state and errors ---------------------------------------------------------------- */

typedef struct {
    const char *path; /* the scenario file, as given: every message starts with it */
    const char *dir;  /* its folder, for relative paths */
    yaml_document_t *doc;
    sim_error *err;
    /* inside a sweep: plain scalars `$name` stand for the parameter's current value */
    size_t n_params;
    const char *const *param_name;
    yaml_node_t *const *param_value;
} loader;

/* The values of one schema mapping, by key; NULL where the key is absent. */
typedef struct {
    yaml_node_t *map;
    yaml_node_t *key[K_COUNT];
    yaml_node_t *val[K_COUNT];
} fields;

static scn_mark mark_from(yaml_mark_t ym) {
    scn_mark m = {(int)ym.line + 1, (int)ym.column + 1};
    return m;
}

static scn_mark mark_of(const yaml_node_t *n) {
    return mark_from(n->start_mark);
}

static sim_status fail_at(const loader *ld, scn_mark m, const char *fmt, ...) SCN_PRINTF(3, 4);

/* `PATH:LINE:COL: what`, SIM_EPARSE: the one shape of every error about the file's content. */
static sim_status fail_at(const loader *ld, scn_mark m, const char *fmt, ...) {
    char what[SIM_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sim_error_set(ld->err, SIM_EPARSE, "%s:%d:%d: %s", ld->path, m.line, m.col, what);
}

static sim_status no_memory(const loader *ld) {
    return sim_error_set(ld->err, SIM_ENOMEM, "%s: out of memory",
                         ld->path ? ld->path : "scenario file");
}

static yaml_node_t *node_at(const loader *ld, yaml_node_item_t i) {
    yaml_node_t *n = yaml_document_get_node(ld->doc, i);
    assert(n); /* libyaml only hands out indexes of nodes it created */
    if (ld->n_params && n->type == YAML_SCALAR_NODE &&
        n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n->data.scalar.value[0] == '$')
        for (size_t k = 0; k < ld->n_params; ++k)
            if (!strcmp((const char *)n->data.scalar.value + 1, ld->param_name[k]))
                return ld->param_value[k];
    return n;
}

static const char *scalar_text(const yaml_node_t *n) {
    return (const char *)n->data.scalar.value;
}

static size_t scalar_len(const yaml_node_t *n) {
    return n->data.scalar.length;
}

/* YAML's null: an empty plain value, `~` or `null`. Quoted "" is an (empty) string instead. */
static int is_null(const yaml_node_t *n) {
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = scalar_text(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

/* Copies up to SHOW_LEN bytes of `s` for a one-line message: no control characters, no
 * UTF-8 sequence cut in half, "..." when shortened. `out` has SHOW_LEN + 4 bytes. */
static const char *show_text(const char *s, size_t len, char *out) {
    size_t n = len;
    if (n > SHOW_LEN) {
        n = SHOW_LEN;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) --n;
    }
    for (size_t i = 0; i < n; ++i) out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    strcpy(out + n, n < len ? "..." : "");
    return out;
}

/* What a node is, for "expected X, found Y" messages. `out` has SHOW_LEN + 8 bytes. */
static const char *show_node(const yaml_node_t *n, char *out) {
    if (n->type == YAML_SEQUENCE_NODE) return "a list";
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (is_null(n)) return "nothing";
    char text[SHOW_LEN + 4];
    show_text(scalar_text(n), scalar_len(n), text);
    snprintf(out, SHOW_LEN + 8, "'%s'", text);
    return out;
}

#define SHOW_BUF (SHOW_LEN + 8)

static char *dup_bytes(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *dup_opt(const char *s) {
    return s ? dup_bytes(s, strlen(s)) : NULL;
}

/* ---- did you mean --------------------------------------------------------------------------- */

static int fold(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps), ignoring ASCII case.
 * `b` is a schema key (short); `a` may be anything, so give up past MAX_NAME_LEN. */
static int edit_distance(const char *a, size_t na, const char *b) {
    size_t nb = strlen(b);
    if (na > MAX_NAME_LEN || nb > MAX_NAME_LEN) return MAX_NAME_LEN + 1;
    int rows[3][MAX_NAME_LEN + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= nb; ++j) prev[j] = (int)j;
    for (size_t i = 1; i <= na; ++i) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; ++j) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]) && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

/* The name among `names` the user most likely meant, or NULL: a name within one edit (two for
 * names longer than four letters), else a name that the word starts (`grid` for `grid_m`). */
static const char *suggest_name(const char *word, size_t len, const char *const *names, size_t n) {
    const char *best = NULL;
    int best_d = 3;
    for (size_t i = 0; i < n; ++i) {
        const char *k = names[i];
        int d = edit_distance(word, len, k);
        int limit = strlen(k) > 4 ? 2 : 1;
        if (d <= limit && d < best_d) best = k, best_d = d;
    }
    if (best || len < 3) return best;
    for (size_t i = 0; i < n; ++i) {
        const char *k = names[i];
        size_t j = 0;
        while (j < len && k[j] && fold(word[j]) == fold(k[j])) ++j;
        if (j == len) return k;
    }
    return NULL;
}

static const char *suggest_key(const char *word, size_t len, const key_id *allowed, size_t n) {
    const char *names[K_COUNT] = {0}; /* all set below; {0} quiets GCC -O2 */
    assert(n <= K_COUNT);
    for (size_t i = 0; i < n; ++i) names[i] = KEY_NAMES[allowed[i]];
    return suggest_name(word, len, names, n);
}

/* Appends `word` to the ", "-separated list in `buf` (`size` bytes), truncating safely. */
static void list_append(char *buf, size_t size, const char *word) {
    size_t used = strlen(buf);
    if (used + 1 < size) snprintf(buf + used, size - used, "%s%s", used ? ", " : "", word);
}

/* ---- mappings, strings, numbers ------------------------------------------------------------- */

/* Checks that `map` (the value of `what`, e.g. "'network'") is a mapping whose keys are all in
 * `allowed`, each once, and files the values by key. */
static sim_status read_fields(const loader *ld, yaml_node_t *map, const char *what,
                              const key_id *allowed, size_t n_allowed, fields *f) {
    char shown[SHOW_BUF];
    memset(f, 0, sizeof *f);
    f->map = map;
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(map), "expected a mapping for %s, found %s", what,
                       show_node(map, shown));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         ++p) {
        yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return fail_at(ld, mark_of(k), "expected a key name in %s, found %s", what,
                           show_node(k, shown));
        size_t i = 0;
        while (i < n_allowed && (strlen(KEY_NAMES[allowed[i]]) != scalar_len(k) ||
                                 memcmp(KEY_NAMES[allowed[i]], scalar_text(k), scalar_len(k))))
            ++i;
        char name[SHOW_LEN + 4];
        show_text(scalar_text(k), scalar_len(k), name);
        if (i == n_allowed) {
            const char *hint = suggest_key(scalar_text(k), scalar_len(k), allowed, n_allowed);
            if (hint)
                return fail_at(ld, mark_of(k), "unknown key '%s' (did you mean '%s'?)", name,
                               hint);
            char list[256] = "";
            for (size_t j = 0; j < n_allowed; ++j)
                list_append(list, sizeof list, KEY_NAMES[allowed[j]]);
            return fail_at(ld, mark_of(k), "unknown key '%s' in %s (expected one of: %s)", name,
                           what, list);
        }
        key_id id = allowed[i];
        if (f->key[id]) {
            scn_mark first = mark_of(f->key[id]);
            return fail_at(ld, mark_of(k), "duplicate key '%s' (first at %d:%d)", name,
                           first.line, first.col);
        }
        f->key[id] = k;
        f->val[id] = v;
    }
    return SIM_OK;
}

static sim_status need(const loader *ld, const fields *f, key_id k, const char *what) {
    if (f->val[k]) return SIM_OK;
    return fail_at(ld, mark_of(f->map), "%s needs '%s'", what, KEY_NAMES[k]);
}

/* A non-empty string value of `what` (quoted for messages, e.g. "'layer'") into a new *dst. */
static sim_status node_string(const loader *ld, const yaml_node_t *n, const char *what,
                              char **dst) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_at(ld, mark_of(n), "expected a string for %s, found %s", what,
                       show_node(n, shown));
    if (scalar_len(n) == 0) return fail_at(ld, mark_of(n), "%s must not be empty", what);
    if (memchr(scalar_text(n), '\0', scalar_len(n)))
        return fail_at(ld, mark_of(n), "%s contains a NUL character", what);
    if (!(*dst = dup_bytes(scalar_text(n), scalar_len(n)))) return no_memory(ld);
    return SIM_OK;
}

/* The optional string under key `k` into *dst (left alone when the key is absent). */
static sim_status field_string(const loader *ld, const fields *f, key_id k, char **dst) {
    if (!f->val[k]) return SIM_OK;
    char what[32];
    snprintf(what, sizeof what, "'%s'", KEY_NAMES[k]);
    return node_string(ld, f->val[k], what, dst);
}

/* A number written plainly: decimal digits, sign, point and exponent only (no hex, inf, nan
 * or quotes), all of it consumed by strtod, finite. */
static sim_status node_number(const loader *ld, const yaml_node_t *n, const char *key,
                              double *out) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_at(ld, mark_of(n), "expected a number for '%s', found %s", key,
                       show_node(n, shown));
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail_at(ld, mark_of(n),
                       "expected a number for '%s', found the quoted string %s (write numbers "
                       "without quotes)",
                       key, show_node(n, shown));
    const char *s = scalar_text(n);
    size_t len = scalar_len(n);
    char *end = NULL;
    double v = 0;
    if (len < 64 && strspn(s, "0123456789+-.eE") == len) v = strtod(s, &end);
    if (!end || end != s + len || !isfinite(v))
        return fail_at(ld, mark_of(n), "expected a number for '%s', found %s", key,
                       show_node(n, shown));
    *out = v;
    return SIM_OK;
}

/* The optional number under `k` into *dst; `min_exclusive`: > 0 required, else >= 0. */
static sim_status field_number(const loader *ld, const fields *f, key_id k, int min_exclusive,
                               double *dst) {
    const yaml_node_t *n = f->val[k];
    if (!n) return SIM_OK;
    double v = 0; /* set by node_number() on success; 0 quiets GCC -O3 */
    sim_status rc = node_number(ld, n, KEY_NAMES[k], &v);
    if (rc) return rc;
    if (min_exclusive && !(v > 0))
        return fail_at(ld, mark_of(n), "'%s' must be greater than 0, found %s", KEY_NAMES[k],
                       scalar_text(n));
    if (!min_exclusive && !(v >= 0))
        return fail_at(ld, mark_of(n), "'%s' must be 0 or more, found %s", KEY_NAMES[k],
                       scalar_text(n));
    *dst = v;
    return SIM_OK;
}

/* A boolean written plainly as true, false, yes or no (YAML 1.1's on/off/y/n and other
 * spellings are refused: they are more often typing errors than meant). */
static sim_status field_bool(const loader *ld, const fields *f, key_id k, int *dst) {
    const yaml_node_t *n = f->val[k];
    if (!n) return SIM_OK;
    char shown[SHOW_BUF];
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *v = scalar_text(n);
        if (!strcmp(v, "true") || !strcmp(v, "yes")) return *dst = 1, SIM_OK;
        if (!strcmp(v, "false") || !strcmp(v, "no")) return *dst = 0, SIM_OK;
    }
    if (n->type == YAML_SCALAR_NODE && !is_null(n) &&
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail_at(ld, mark_of(n),
                       "expected true or false for '%s', found the quoted string %s (write "
                       "booleans without quotes)",
                       KEY_NAMES[k], show_node(n, shown));
    return fail_at(ld, mark_of(n), "expected true or false for '%s', found %s", KEY_NAMES[k],
                   show_node(n, shown));
}

/* Group and service kind names name output columns and raster files, so they are restricted
 * to characters that are safe in file names everywhere. */
static sim_status check_name(const loader *ld, const yaml_node_t *n, const char *kind_of_name) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_at(ld, mark_of(n), "expected a %s, found %s", kind_of_name,
                       show_node(n, shown));
    const char *s = scalar_text(n);
    size_t len = scalar_len(n);
    size_t ok = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
    if (len == 0 || len > MAX_NAME_LEN || ok != len)
        return fail_at(ld, mark_of(n),
                       "%s %s must be 1 to %d characters among A-Z, a-z, 0-9, '_' and '-' (it "
                       "becomes part of output file and column names)",
                       kind_of_name, show_node(n, shown), MAX_NAME_LEN);
    return SIM_OK;
}

typedef struct {
    const char *s; /* a name already checked by check_name: ASCII, no NUL */
    scn_mark mark;
    size_t order; /* position in the file */
} name_ref;

static int cmp_exact(const void *pa, const void *pb) {
    const name_ref *a = pa, *b = pb;
    int c = strcmp(a->s, b->s);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int cmp_folded(const void *pa, const void *pb) {
    const name_ref *a = pa, *b = pb;
    const char *x = a->s, *y = b->s;
    while (*x && fold(*x) == fold(*y)) ++x, ++y;
    int c = fold(*x) - fold(*y);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* Reports the first name (in file order) that repeats an earlier one; with `fold_case`, names
 * differing only in case repeat too, since output files named after them would collide on
 * case-insensitive file systems. Sorting keeps this O(n log n) on hostile input. */
static sim_status check_unique(const loader *ld, name_ref *refs, size_t n, int fold_case,
                               const char *kind_of_name) {
    if (n < 2) return SIM_OK;
    int (*cmp)(const void *, const void *) = fold_case ? cmp_folded : cmp_exact;
    qsort(refs, n, sizeof *refs, cmp);
    const name_ref *first = NULL, *again = NULL;
    for (size_t i = 1; i < n; ++i) {
        name_ref a = refs[i - 1], b = refs[i];
        a.order = b.order = 0; /* compare names only */
        if (cmp(&a, &b) != 0) continue;
        /* refs[i - 1] is the earliest of its run only if the run starts there */
        if (i >= 2) {
            name_ref z = refs[i - 2];
            z.order = 0;
            if (cmp(&z, &a) == 0) continue;
        }
        if (!again || refs[i].order < again->order) first = &refs[i - 1], again = &refs[i];
    }
    if (!again) return SIM_OK;
    if (!strcmp(first->s, again->s))
        return fail_at(ld, again->mark, "duplicate %s '%s' (first at %d:%d)", kind_of_name,
                       again->s, first->mark.line, first->mark.col);
    return fail_at(ld, again->mark,
                   "%s '%s' clashes with '%s' at %d:%d (output file names must differ in more "
                   "than letter case)",
                   kind_of_name, again->s, first->s, first->mark.line, first->mark.col);
}

/* ---- paths ---------------------------------------------------------------------------------- */

/* The folder of `path`: "." without a slash, "/" at the root. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return dup_opt(".");
    while (slash > path && slash[-1] == '/') --slash;
    if (slash == path) return dup_opt("/");
    return dup_bytes(path, (size_t)(slash - path));
}

/* The file name of `path` without its last extension ("a/poa.health.yaml" -> "poa.health"). */
static char *stem_of(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return dup_bytes(base, n);
}

/* `rel` as seen from the scenario file's folder; absolute paths and a scenario in the current
 * folder leave it unchanged. No normalisation: "a/../b" is as good as "b" to every loader. */
static char *resolve_path(const char *dir, const char *rel) {
    if (rel[0] == '/' || !strcmp(dir, ".")) return dup_opt(rel);
    size_t nd = strlen(dir), nr = strlen(rel);
    int sep = dir[nd - 1] != '/';
    char *p = malloc(nd + (size_t)sep + nr + 1);
    if (!p) return NULL;
    memcpy(p, dir, nd);
    if (sep) p[nd] = '/';
    memcpy(p + nd + (size_t)sep, rel, nr + 1);
    return p;
}

/* The path under `k` (required), resolved, into *dst; its mark into *mark. */
static sim_status field_path(const loader *ld, const fields *f, key_id k, char **dst,
                             scn_mark *mark) {
    char *raw = NULL;
    sim_status rc = field_string(ld, f, k, &raw);
    if (rc) return rc;
    assert(raw); /* callers check need() first */
    *dst = resolve_path(ld->dir, raw);
    free(raw);
    if (!*dst) return no_memory(ld);
    *mark = mark_of(f->val[k]);
    return SIM_OK;
}

/* ---- sections ------------------------------------------------------------------------------- */

/* The layer keys common to population and services; `what` names the mapping for messages. */
static sim_status parse_layer(const loader *ld, const fields *f, const char *what,
                              scn_layer *l) {
    sim_status rc;
    if ((rc = need(ld, f, K_SOURCE, what)) || (rc = field_path(ld, f, K_SOURCE, &l->source,
                                                               &l->mark)) ||
        (rc = field_string(ld, f, K_LAYER, &l->layer)) ||
        (rc = field_string(ld, f, K_ID, &l->id)) || (rc = field_string(ld, f, K_LON, &l->lon)) ||
        (rc = field_string(ld, f, K_LAT, &l->lat)) ||
        (rc = field_string(ld, f, K_FILTER, &l->filter)))
        return rc;
    /* one coordinate column alone cannot locate anything */
    if (!l->lon != !l->lat)
        return fail_at(ld, mark_of(f->map), "%s needs both 'lon' and 'lat', or neither", what);
    return SIM_OK;
}

/* A list of mode names into modes[] (1 where listed); each item's place into marks[] (may be
 * NULL). */
static sim_status parse_modes(const loader *ld, const yaml_node_t *n, int *modes, scn_mark *marks) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for 'modes', found %s",
                       show_node(n, shown));
    if (n->data.sequence.items.start == n->data.sequence.items.top)
        return fail_at(ld, mark_of(n), "'modes' needs at least one mode");
    char available[128] = "";
    for (int m = 0; m < SCN_MODE_COUNT; ++m)
        list_append(available, sizeof available, MODE_NAMES[m]);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         ++it) {
        const yaml_node_t *item = node_at(ld, *it);
        if (item->type != YAML_SCALAR_NODE || is_null(item))
            return fail_at(ld, mark_of(item), "expected a mode name in 'modes', found %s",
                           show_node(item, shown));
        int m = 0;
        while (m < SCN_MODE_COUNT && (strlen(MODE_NAMES[m]) != scalar_len(item) ||
                                      memcmp(MODE_NAMES[m], scalar_text(item), scalar_len(item))))
            ++m;
        if (m == SCN_MODE_COUNT) {
            const char *hint =
                suggest_name(scalar_text(item), scalar_len(item), MODE_NAMES, SCN_MODE_COUNT);
            char also[48] = "";
            if (hint) snprintf(also, sizeof also, " (did you mean '%s'?)", hint);
            return fail_at(ld, mark_of(item),
                           "mode %s is not available in this version of accessim; available: "
                           "%s%s",
                           show_node(item, shown), available, also);
        }
        if (modes[m])
            return fail_at(ld, mark_of(item), "mode '%s' is listed twice", MODE_NAMES[m]);
        modes[m] = 1;
        if (marks) marks[m] = mark_of(item);
    }
    return SIM_OK;
}

/* Of `keys`, the one present in `f` that comes first in the file; K_COUNT if none is. */
static key_id first_in_file(const fields *f, const key_id *keys, size_t n) {
    key_id best = K_COUNT;
    for (size_t i = 0; i < n; ++i) {
        const yaml_node_t *k = f->key[keys[i]];
        if (!k) continue;
        if (best == K_COUNT || k->start_mark.index < f->key[best]->start_mark.index) best = keys[i];
    }
    return best;
}

/* The node/edge table form: `nodes` and `edges` paths plus optional layer and column names. */
static sim_status parse_network_tables(const loader *ld, const fields *f, scn_config *c) {
    sim_status rc;
    scn_mark edges_mark;
    if ((rc = need(ld, f, K_NODES, "'network' with 'edges'")) ||
        (rc = need(ld, f, K_EDGES, "'network' with 'nodes'")))
        return rc;
    key_id wrong = first_in_file(f, NETWORK_SOURCE_KEYS, COUNT_OF(NETWORK_SOURCE_KEYS));
    if (wrong == K_LAYER)
        return fail_at(ld, mark_of(f->key[wrong]),
                       "'layer' is for a 'source'; node and edge tables take 'nodes_layer' and "
                       "'edges_layer'");
    if (wrong != K_COUNT)
        return fail_at(ld, mark_of(f->key[wrong]),
                       "'%s' is for line sources ('source'); node and edge tables name the "
                       "nodes that edges join",
                       KEY_NAMES[wrong]);
    if ((rc = field_path(ld, f, K_NODES, &c->network.nodes, &c->network.mark)) ||
        (rc = field_path(ld, f, K_EDGES, &c->network.edges, &edges_mark)) ||
        (rc = field_string(ld, f, K_NODES_LAYER, &c->network.nodes_layer)) ||
        (rc = field_string(ld, f, K_EDGES_LAYER, &c->network.edges_layer)) ||
        (rc = field_string(ld, f, K_NODE_ID, &c->network.node_id)) ||
        (rc = field_string(ld, f, K_LON, &c->network.lon)) ||
        (rc = field_string(ld, f, K_LAT, &c->network.lat)) ||
        (rc = field_string(ld, f, K_FROM, &c->network.from)) ||
        (rc = field_string(ld, f, K_TO, &c->network.to)) ||
        (rc = field_string(ld, f, K_LENGTH, &c->network.length)) ||
        (rc = field_string(ld, f, K_TIME, &c->network.time)))
        return rc;
    if (!c->network.lon != !c->network.lat)
        return fail_at(ld, mark_of(f->map), "'network' needs both 'lon' and 'lat', or neither");
    return SIM_OK;
}

/* Places in `network` that later sections check; line 0 where the key (or mode) is absent. */
typedef struct {
    scn_mark walk_speed;           /* walk_speed_kmh, which profiles.walk must not repeat */
    scn_mark modes;                /* the `modes` list (line 0: the default modes) */
    scn_mark mode[SCN_MODE_COUNT]; /* each mode listed in it */
} network_marks;

static sim_status parse_network(const loader *ld, yaml_node_t *n, scn_config *c,
                                network_marks *nm) {
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'network'", NETWORK_KEYS, COUNT_OF(NETWORK_KEYS), &f))) return rc;
    int tables = f.val[K_NODES] || f.val[K_EDGES];
    if (f.val[K_SOURCE] && tables)
        return fail_at(ld, mark_of(f.key[f.val[K_NODES] ? K_NODES : K_EDGES]),
                       "'network' takes either 'source' or 'nodes' and 'edges', not both");
    if (!f.val[K_SOURCE] && !tables)
        return fail_at(ld, mark_of(f.map),
                       "'network' needs 'source' (or 'nodes' and 'edges' for node and edge "
                       "tables)");
    if (tables) {
        if ((rc = parse_network_tables(ld, &f, c))) return rc;
    } else {
        key_id wrong = first_in_file(&f, NETWORK_TABLE_KEYS, COUNT_OF(NETWORK_TABLE_KEYS));
        if (wrong != K_COUNT)
            return fail_at(ld, mark_of(f.key[wrong]),
                           "'%s' is for node and edge tables ('nodes' and 'edges'), not for a "
                           "'source'",
                           KEY_NAMES[wrong]);
        if ((rc = field_path(ld, &f, K_SOURCE, &c->network.source, &c->network.mark)) ||
            (rc = field_string(ld, &f, K_LAYER, &c->network.layer)))
            return rc;
    }
    if ((rc = field_number(ld, &f, K_WALK_SPEED_KMH, 1, &c->profile.walk_kmh)) ||
        (rc = field_number(ld, &f, K_SNAP_DISTANCE_M, 1, &c->network.snap_distance_m)) ||
        (rc = field_number(ld, &f, K_JOIN_TOLERANCE_M, 0, &c->network.join_tolerance_m)))
        return rc;
    if (f.val[K_WALK_SPEED_KMH]) nm->walk_speed = mark_of(f.val[K_WALK_SPEED_KMH]);
    if (f.val[K_MODES]) {
        memset(c->network.modes, 0, sizeof c->network.modes);
        nm->modes = mark_of(f.val[K_MODES]);
        return parse_modes(ld, f.val[K_MODES], c->network.modes, nm->mode);
    }
    return SIM_OK;
}

/* ---- profiles ------------------------------------------------------------------------------- */

/* `highway_kmh: {primary: 50, ...}`: car speeds by highway class, for the classes cars use. */
static sim_status parse_highway_kmh(const loader *ld, const yaml_node_t *n, geo_profile *p) {
    char shown[SHOW_BUF];
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(n), "expected a mapping for 'highway_kmh', found %s",
                       show_node(n, shown));
    if (n->data.mapping.pairs.start == n->data.mapping.pairs.top)
        return fail_at(ld, mark_of(n),
                       "'highway_kmh' needs at least one class (class: km/h), or leave it out");
    /* the classes cars may use are those with a default speed */
    geo_profile defaults;
    geo_profile_defaults(&defaults);
    const char *names[GEO_HW_COUNT];
    char list[256] = "";
    size_t n_names = 0;
    for (int h = 0; h < GEO_HW_COUNT; ++h)
        if (defaults.car_highway_kmh[h] > 0) {
            names[n_names++] = geo_highway_name((geo_highway)h);
            list_append(list, sizeof list, geo_highway_name((geo_highway)h));
        }
    const yaml_node_t *seen[GEO_HW_COUNT] = {0};
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; ++pr) {
        const yaml_node_t *k = node_at(ld, pr->key), *v = node_at(ld, pr->value);
        if (k->type != YAML_SCALAR_NODE || is_null(k))
            return fail_at(ld, mark_of(k), "expected a highway class in 'highway_kmh', found %s",
                           show_node(k, shown));
        char name[SHOW_LEN + 4];
        show_text(scalar_text(k), scalar_len(k), name);
        geo_highway h =
            strlen(scalar_text(k)) == scalar_len(k) ? geo_highway_of(scalar_text(k)) : GEO_HW_OTHER;
        if (h == GEO_HW_OTHER || !(defaults.car_highway_kmh[h] > 0)) {
            const char *hint = suggest_name(scalar_text(k), scalar_len(k), names, n_names);
            if (h != GEO_HW_OTHER)
                return fail_at(ld, mark_of(k),
                               "cars do not use highway=%s; 'highway_kmh' takes: %s", name, list);
            if (hint)
                return fail_at(ld, mark_of(k), "unknown highway class '%s' (did you mean '%s'?)",
                               name, hint);
            return fail_at(ld, mark_of(k), "unknown highway class '%s' (expected one of: %s)", name,
                           list);
        }
        if (seen[h]) {
            scn_mark first = mark_of(seen[h]);
            return fail_at(ld, mark_of(k), "duplicate highway class '%s' (first at %d:%d)", name,
                           first.line, first.col);
        }
        seen[h] = k;
        double kmh;
        sim_status rc = node_number(ld, v, geo_highway_name(h), &kmh);
        if (rc) return rc;
        if (!(kmh > 0))
            return fail_at(ld, mark_of(v), "'%s' must be greater than 0, found %s",
                           geo_highway_name(h), scalar_text(v));
        p->car_highway_kmh[h] = kmh;
    }
    return SIM_OK;
}

/* `profiles: {walk: {...}, bike: {...}, car: {...}}` over the defaults in c->profile. */
static sim_status parse_profiles(const loader *ld, yaml_node_t *n, scn_config *c,
                                 scn_mark walk_mark) {
    fields f, m;
    sim_status rc;
    geo_profile *p = &c->profile;
    if ((rc = read_fields(ld, n, "'profiles'", PROFILES_KEYS, COUNT_OF(PROFILES_KEYS), &f)))
        return rc;
    if (f.val[K_WALK]) {
        if ((rc = read_fields(ld, f.val[K_WALK], "profile 'walk'", WALK_PROFILE_KEYS,
                              COUNT_OF(WALK_PROFILE_KEYS), &m)) ||
            (rc = field_number(ld, &m, K_SPEED_KMH, 1, &p->walk_kmh)))
            return rc;
        /* network.walk_speed_kmh is a shorthand for this: the two must not both be given */
        if (m.val[K_SPEED_KMH] && walk_mark.line) {
            scn_mark here = mark_of(m.val[K_SPEED_KMH]);
            int later = here.line > walk_mark.line ||
                        (here.line == walk_mark.line && here.col > walk_mark.col);
            scn_mark at = later ? here : walk_mark, other = later ? walk_mark : here;
            return fail_at(ld, at,
                           "the walking speed is given twice: network.walk_speed_kmh and "
                           "profiles.walk.speed_kmh (other at %d:%d); keep one",
                           other.line, other.col);
        }
    }
    if (f.val[K_BIKE] && ((rc = read_fields(ld, f.val[K_BIKE], "profile 'bike'", BIKE_PROFILE_KEYS,
                                            COUNT_OF(BIKE_PROFILE_KEYS), &m)) ||
                          (rc = field_number(ld, &m, K_SPEED_KMH, 1, &p->bike_kmh))))
        return rc;
    if (f.val[K_CAR]) {
        if ((rc = read_fields(ld, f.val[K_CAR], "profile 'car'", CAR_PROFILE_KEYS,
                              COUNT_OF(CAR_PROFILE_KEYS), &m)) ||
            (rc = field_number(ld, &m, K_SPEED_FACTOR, 1, &p->car_factor)) ||
            (rc = field_bool(ld, &m, K_USE_MAXSPEED, &p->use_maxspeed)) ||
            (rc = field_number(ld, &m, K_MAXSPEED_FACTOR, 1, &p->car_maxspeed_factor)))
            return rc;
        if (m.val[K_HIGHWAY_KMH] && (rc = parse_highway_kmh(ld, m.val[K_HIGHWAY_KMH], p)))
            return rc;
    }
    return SIM_OK;
}

/* ---- transit -------------------------------------------------------------------------------- */

/* GTFS times pass 24:00 for trips after midnight; a window may too, by up to a day. */
#define MAX_WINDOW_HOUR 47
/* A trip (or a walk within one) longer than a day means nothing for daily accessibility. */
#define MAX_TRIP_MIN 1440
/* More boarding slack than an hour is surely minutes written as seconds. */
#define MAX_BOARD_SLACK_S 3600
/* The examples quoted in messages about the form of a value. */
#define DATE_FORM "expected \"YYYY-MM-DD\" such as \"2019-05-13\""
#define WINDOW_FORM "expected \"HH:MM-HH:MM\" such as \"07:00-08:00\""

/* The optional whole number under `k`, from `lo` to `hi`, into *dst. */
static sim_status field_whole(const loader *ld, const fields *f, key_id k, uint32_t lo,
                              uint32_t hi, uint32_t *dst) {
    const yaml_node_t *n = f->val[k];
    if (!n) return SIM_OK;
    double v = 0; /* set by node_number() on success */
    sim_status rc = node_number(ld, n, KEY_NAMES[k], &v);
    if (rc) return rc;
    if (!(v >= lo && v <= hi && v == floor(v)))
        return fail_at(ld, mark_of(n), "'%s' must be a whole number from %u to %u, found %s",
                       KEY_NAMES[k], (unsigned)lo, (unsigned)hi, scalar_text(n));
    *dst = (uint32_t)v;
    return SIM_OK;
}

/* The optional minutes under `k`, > 0 and at most a day, into *dst. */
static sim_status field_minutes(const loader *ld, const fields *f, key_id k, double *dst) {
    double v = *dst;
    sim_status rc = field_number(ld, f, k, 1, &v);
    if (rc) return rc;
    if (v > MAX_TRIP_MIN)
        return fail_at(ld, mark_of(f->val[k]), "'%s' must be at most %d minutes, found %s",
                       KEY_NAMES[k], MAX_TRIP_MIN, scalar_text(f->val[k]));
    *dst = v;
    return SIM_OK;
}

/* `feeds`: one path or a list of them (GTFS zip files or folders), each resolved. */
static sim_status parse_feeds(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    int list = n->type == YAML_SEQUENCE_NODE;
    if (!list && (n->type != YAML_SCALAR_NODE || is_null(n)))
        return fail_at(ld, mark_of(n), "expected a path or a list of paths for 'feeds', found %s",
                       show_node(n, shown));
    size_t count = list ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start) : 1;
    if (count == 0)
        return fail_at(ld, mark_of(n),
                       "'feeds' needs at least one GTFS feed (a .zip file or a folder)");
    if (!(c->transit.feeds = calloc(count, sizeof *c->transit.feeds)) ||
        !(c->transit.feed_marks = calloc(count, sizeof *c->transit.feed_marks)))
        return no_memory(ld);
    c->transit.n_feeds = count;
    for (size_t i = 0; i < count; ++i) {
        const yaml_node_t *item = list ? node_at(ld, n->data.sequence.items.start[i]) : n;
        char *raw = NULL;
        sim_status rc = node_string(ld, item, "'feeds'", &raw);
        if (rc) return rc;
        c->transit.feeds[i] = resolve_path(ld->dir, raw);
        free(raw);
        if (!c->transit.feeds[i]) return no_memory(ld);
        c->transit.feed_marks[i] = mark_of(item);
        /* the same feed twice would run every trip twice */
        for (size_t j = 0; j < i; ++j)
            if (!strcmp(c->transit.feeds[j], c->transit.feeds[i]))
                return fail_at(ld, mark_of(item), "feed %s is listed twice (first at %d:%d)",
                               show_node(item, shown), c->transit.feed_marks[j].line,
                               c->transit.feed_marks[j].col);
    }
    return SIM_OK;
}

static int is_digit(char ch) {
    return ch >= '0' && ch <= '9';
}

static int leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* `date: YYYY-MM-DD`, a day of the (proleptic Gregorian) calendar, into c->transit.date. */
static sim_status parse_date(const loader *ld, const yaml_node_t *n, scn_config *c) {
    static const char *const MONTHS[12] = {"January", "February", "March",     "April",
                                           "May",     "June",     "July",      "August",
                                           "September", "October", "November", "December"};
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char shown[SHOW_BUF], text[SHOW_LEN + 4];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_at(ld, mark_of(n), "transit.date: " DATE_FORM ", found %s",
                       show_node(n, shown));
    const char *s = scalar_text(n);
    int ok = scalar_len(n) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; ok && i < 10; ++i)
        if (i != 4 && i != 7 && !is_digit(s[i])) ok = 0;
    if (!ok)
        return fail_at(ld, mark_of(n), "transit.date: " DATE_FORM ", found \"%s\"",
                       show_text(s, scalar_len(n), text));
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12)
        return fail_at(ld, mark_of(n), "transit.date: %s is not a calendar date (month %02d; "
                                       "months are 01 to 12)",
                       s, month);
    int days = DAYS[month - 1] + (month == 2 && leap_year(year));
    if (day < 1 || day > days)
        return fail_at(ld, mark_of(n), "transit.date: %s is not a calendar date (%s %d has %d "
                                       "days)",
                       s, MONTHS[month - 1], year, days);
    memcpy(c->transit.date, s, 10);
    c->transit.date[10] = '\0';
    c->transit.date_mark = mark_of(n);
    return SIM_OK;
}

/* A time of day "H:MM" or "HH:MM" at *p (before `end`) into *hours and *minutes, unchecked;
 * *p moves past it. 0 if the text there is not of that form. */
static int scan_clock(const char **p, const char *end, int *hours, int *minutes) {
    const char *s = *p;
    int digits = 0;
    *hours = 0;
    while (s < end && is_digit(*s) && digits < 3) *hours = *hours * 10 + (*s++ - '0'), ++digits;
    if (digits < 1 || digits > 2 || end - s < 3 || s[0] != ':' || !is_digit(s[1]) ||
        !is_digit(s[2]))
        return 0;
    *minutes = (s[1] - '0') * 10 + (s[2] - '0');
    *p = s + 3;
    return 1;
}

/* One end of the window, `from` pointing at its text as scan_clock() read it: seconds after
 * midnight, or -1 with *rc set if it is not a time of the window. */
static int32_t window_time(const loader *ld, const yaml_node_t *n, const char *from, int hours,
                           int minutes, sim_status *rc) {
    char text[SHOW_LEN + 4];
    show_text(from, is_digit(from[1]) ? 5 : 4, text); /* HH:MM or H:MM */
    if (minutes > 59)
        *rc = fail_at(ld, mark_of(n), "transit.window: %s is not a time (minutes are 00 to 59)",
                      text);
    else if (hours > MAX_WINDOW_HOUR)
        *rc = fail_at(ld, mark_of(n),
                      "transit.window: %s is past %d:59 (a window may pass midnight by up to "
                      "a day)",
                      text, MAX_WINDOW_HOUR);
    else
        return (int32_t)(hours * 3600 + minutes * 60);
    return -1;
}

/* `window: "HH:MM-HH:MM"`, the departure times (start included, end excluded), into seconds. */
static sim_status parse_window(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF], text[SHOW_LEN + 4];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_at(ld, mark_of(n), "transit.window: " WINDOW_FORM ", found %s",
                       show_node(n, shown));
    const char *s = scalar_text(n), *end = s + scalar_len(n), *p = s;
    const char *start_at = p, *end_at = NULL;
    int h0 = 0, m0 = 0, h1 = 0, m1 = 0;
    int ok = scan_clock(&p, end, &h0, &m0);
    while (ok && p < end && *p == ' ') ++p;
    ok = ok && p < end && *p++ == '-';
    while (ok && p < end && *p == ' ') ++p;
    end_at = p;
    ok = ok && scan_clock(&p, end, &h1, &m1) && p == end;
    if (!ok)
        return fail_at(ld, mark_of(n), "transit.window: " WINDOW_FORM ", found \"%s\"",
                       show_text(s, scalar_len(n), text));
    sim_status rc = SIM_OK;
    int32_t from_s = window_time(ld, n, start_at, h0, m0, &rc);
    if (rc) return rc;
    int32_t to_s = window_time(ld, n, end_at, h1, m1, &rc);
    if (rc) return rc;
    if (to_s <= from_s)
        return fail_at(ld, mark_of(n), "transit.window: window end %02d:%02d is not after its "
                                       "start %02d:%02d",
                       h1, m1, h0, m0);
    c->transit.window_start_s = from_s;
    c->transit.window_end_s = to_s;
    c->transit.window_mark = mark_of(n);
    return SIM_OK;
}

/* `step_min`, once the window is known: whole seconds, at least one, at most the window. */
static sim_status parse_step(const loader *ld, const fields *f, scn_config *c) {
    double step_min = 1;
    sim_status rc = field_number(ld, f, K_STEP_MIN, 1, &step_min);
    if (rc) return rc;
    int32_t window_s = c->transit.window_end_s - c->transit.window_start_s;
    double step_s = step_min * 60;
    if (step_s < 0.5)
        return fail_at(ld, mark_of(f->val[K_STEP_MIN]),
                       "'step_min' must be at least one second (1/60 minute), found %s",
                       scalar_text(f->val[K_STEP_MIN]));
    if (step_s >= (double)window_s + 0.5)
        return fail_at(ld, mark_of(f->val[K_STEP_MIN]),
                       "'step_min' must not be longer than the window (%d minutes), found %s",
                       (int)(window_s / 60), scalar_text(f->val[K_STEP_MIN]));
    c->transit.step_s = (uint32_t)llround(step_s);
    return SIM_OK;
}

/* `percentiles`: whole numbers 1 to 99 in any order, each once, stored ascending. */
static sim_status parse_percentiles(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for 'percentiles', found %s (e.g. [50] "
                                       "or [25, 50, 75])",
                       show_node(n, shown));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0) return fail_at(ld, mark_of(n), "'percentiles' needs at least one value");
    scn_mark seen[100] = {{0, 0}}; /* by percentile: where it was written (line 0: not) */
    for (size_t i = 0; i < count; ++i) {
        const yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        double v = 0;
        sim_status rc = node_number(ld, item, "percentiles", &v);
        if (rc) return rc;
        if (!(v >= 1 && v <= 99 && v == floor(v)))
            return fail_at(ld, mark_of(item),
                           "'percentiles' values must be whole numbers from 1 to 99, found %s",
                           scalar_text(item));
        int p = (int)v;
        if (seen[p].line)
            return fail_at(ld, mark_of(item), "percentile %d is listed twice (first at %d:%d)",
                           p, seen[p].line, seen[p].col);
        seen[p] = mark_of(item);
    }
    free(c->transit.percentiles); /* the default */
    c->transit.n_percentiles = 0;
    if (!(c->transit.percentiles = calloc(count, sizeof *c->transit.percentiles)))
        return no_memory(ld);
    for (int p = 1; p <= 99; ++p)
        if (seen[p].line) c->transit.percentiles[c->transit.n_percentiles++] = (uint32_t)p;
    return SIM_OK;
}

/* `max_walk_min`: one number for access, egress and transfers, or a mapping of some of them. */
static sim_status parse_max_walk(const loader *ld, const fields *f, scn_config *c) {
    yaml_node_t *n = f->val[K_MAX_WALK_MIN];
    char shown[SHOW_BUF];
    if (!n) return SIM_OK;
    if (n->type == YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n),
                       "expected a number or a mapping { access, egress, transfer } for "
                       "'max_walk_min', found %s",
                       show_node(n, shown));
    if (n->type == YAML_SCALAR_NODE) {
        double v = 0;
        sim_status rc = field_minutes(ld, f, K_MAX_WALK_MIN, &v);
        if (rc) return rc;
        c->transit.max_access_min = c->transit.max_egress_min = c->transit.max_transfer_min = v;
        return SIM_OK;
    }
    fields w;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'max_walk_min'", MAX_WALK_KEYS,
                          COUNT_OF(MAX_WALK_KEYS), &w)) ||
        (rc = field_minutes(ld, &w, K_ACCESS, &c->transit.max_access_min)) ||
        (rc = field_minutes(ld, &w, K_EGRESS, &c->transit.max_egress_min)) ||
        (rc = field_minutes(ld, &w, K_TRANSFER, &c->transit.max_transfer_min)))
        return rc;
    return SIM_OK;
}

/* `transit:` (docs/SCENARIO.md); `key` is the `transit` key, the block's mark. */
static sim_status parse_transit(const loader *ld, const yaml_node_t *key, yaml_node_t *n,
                                scn_config *c) {
    fields f;
    sim_status rc;
    c->transit.set = 1;
    c->transit.mark = mark_of(key);
    c->transit.max_access_min = 30;
    c->transit.max_egress_min = 30;
    c->transit.max_transfer_min = 15;
    c->transit.max_rides = 4;
    c->transit.max_trip_min = 120;
    c->transit.board_slack_s = 60;
    if (!(c->transit.percentiles = malloc(sizeof *c->transit.percentiles))) return no_memory(ld);
    c->transit.percentiles[0] = 50;
    c->transit.n_percentiles = 1;
    if ((rc = read_fields(ld, n, "'transit'", TRANSIT_KEYS, COUNT_OF(TRANSIT_KEYS), &f)) ||
        (rc = need(ld, &f, K_FEEDS, "'transit'")) || (rc = need(ld, &f, K_DATE, "'transit'")) ||
        (rc = need(ld, &f, K_WINDOW, "'transit'")) ||
        (rc = parse_feeds(ld, f.val[K_FEEDS], c)) || (rc = parse_date(ld, f.val[K_DATE], c)) ||
        (rc = parse_window(ld, f.val[K_WINDOW], c)) || (rc = parse_step(ld, &f, c)) ||
        (f.val[K_PERCENTILES] && (rc = parse_percentiles(ld, f.val[K_PERCENTILES], c))) ||
        (rc = parse_max_walk(ld, &f, c)) ||
        (rc = field_whole(ld, &f, K_MAX_RIDES, 1, SIM_RAPTOR_MAX_RIDES, &c->transit.max_rides)) ||
        (rc = field_minutes(ld, &f, K_MAX_TRIP_MIN, &c->transit.max_trip_min)) ||
        (rc = field_whole(ld, &f, K_BOARD_SLACK_S, 0, MAX_BOARD_SLACK_S,
                          &c->transit.board_slack_s)))
        return rc;
    return SIM_OK;
}

/* The modes that `transit:` and network.modes give together, settled before the groups take
 * the network's modes as their default (the two keys may come in either order in the file):
 * the block adds transit to the default modes, and explicit modes must agree with the block. */
static sim_status settle_transit_mode(const loader *ld, const network_marks *nm, scn_config *c) {
    int listed = c->network.modes[SCN_MODE_TRANSIT];
    if (listed && !c->transit.set)
        return fail_at(ld, nm->mode[SCN_MODE_TRANSIT],
                       "mode 'transit' needs a 'transit:' block (feeds, date, window; "
                       "docs/TRANSIT.md)");
    if (c->transit.set && nm->modes.line && !listed)
        return fail_at(ld, c->transit.mark,
                       "a 'transit:' block is given but network.modes does not list transit "
                       "(add it to the list at %d:%d, or leave 'modes' out for walk and transit)",
                       nm->modes.line, nm->modes.col);
    if (c->transit.set) c->network.modes[SCN_MODE_TRANSIT] = 1;
    return SIM_OK;
}

/* ---- population ----------------------------------------------------------------------------- */

/* A group's `modes` list: only modes that network.modes enables. */
static sim_status parse_group_modes(const loader *ld, const yaml_node_t *n, const char *group,
                                    const scn_config *c, int *modes) {
    scn_mark marks[SCN_MODE_COUNT];
    sim_status rc = parse_modes(ld, n, modes, marks);
    if (rc) return rc;
    char enabled[128] = "";
    for (int m = 0; m < SCN_MODE_COUNT; ++m)
        if (c->network.modes[m]) list_append(enabled, sizeof enabled, MODE_NAMES[m]);
    /* report the first offending mode in file order */
    int bad = -1;
    for (int m = 0; m < SCN_MODE_COUNT; ++m)
        if (modes[m] && !c->network.modes[m] &&
            (bad < 0 || marks[m].line < marks[bad].line ||
             (marks[m].line == marks[bad].line && marks[m].col < marks[bad].col)))
            bad = m;
    if (bad >= 0)
        return fail_at(ld, marks[bad],
                       "group '%s' uses mode '%s', which the network does not enable "
                       "(network.modes: [%s]%s)",
                       group, MODE_NAMES[bad], enabled,
                       bad == SCN_MODE_TRANSIT ? "; transit needs a 'transit:' block" : "");
    return SIM_OK;
}

/* A group's `eligible`: one OGR SQL WHERE clause for every service kind, or a mapping
 * kind: clause. Kind names are checked against the services when they are loaded (a kind may
 * come from a type field). */
static sim_status parse_eligible(const loader *ld, const yaml_node_t *n, const char *group,
                                 scn_group *g) {
    char what[MAX_NAME_LEN + 40], shown[SHOW_BUF];
    snprintf(what, sizeof what, "'eligible' of group '%s'", group);
    if (n->type == YAML_SCALAR_NODE) {
        sim_status rc = node_string(ld, n, what, &g->eligible_all);
        if (!rc && !*g->eligible_all)
            return fail_at(ld, mark_of(n), "%s is empty: give an OGR SQL condition such as "
                                           "\"languages LIKE '%%ar%%'\"", what);
        g->eligible_mark = mark_of(n);
        return rc;
    }
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(n),
                       "expected a condition or a mapping (service kind: condition) for %s, "
                       "found %s",
                       what, show_node(n, shown));
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    g->eligible_kind = calloc(count ? count : 1, sizeof *g->eligible_kind);
    g->eligible_filter = calloc(count ? count : 1, sizeof *g->eligible_filter);
    g->eligible_kind_mark = calloc(count ? count : 1, sizeof *g->eligible_kind_mark);
    if (!g->eligible_kind || !g->eligible_filter || !g->eligible_kind_mark) return no_memory(ld);
    g->eligible_mark = mark_of(n);
    for (size_t i = 0; i < count; ++i) {
        const yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        const yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        sim_status rc;
        if ((rc = check_name(ld, k, "service kind"))) return rc;
        for (size_t j = 0; j < i; ++j)
            if (!strcmp(g->eligible_kind[j], scalar_text(k)))
                return fail_at(ld, mark_of(k), "service kind '%s' is given twice in %s",
                               scalar_text(k), what);
        if (!(g->eligible_kind[i] = dup_bytes(scalar_text(k), scalar_len(k)))) return no_memory(ld);
        g->eligible_kind_mark[i] = mark_of(k);
        ++g->n_eligible;
        if ((rc = node_string(ld, v, what, &g->eligible_filter[i]))) return rc;
        if (!*g->eligible_filter[i])
            return fail_at(ld, mark_of(v), "the condition for '%s' in %s is empty",
                           scalar_text(k), what);
    }
    return SIM_OK;
}

/* One group: `name: field` or `name: {field: f, modes: [...], walk_speed_kmh, eligible}`. */
static sim_status parse_group(const loader *ld, const yaml_node_t *k, yaml_node_t *v,
                              const scn_config *c, scn_group *g) {
    char what[MAX_NAME_LEN + 16];
    snprintf(what, sizeof what, "group '%s'", scalar_text(k));
    memcpy(g->modes, c->network.modes, sizeof g->modes);
    if (v->type != YAML_MAPPING_NODE) {
        g->mark = mark_of(v);
        return node_string(ld, v, what, &g->field);
    }
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, v, what, GROUP_KEYS, COUNT_OF(GROUP_KEYS), &f)) ||
        (rc = need(ld, &f, K_FIELD, what)) || (rc = field_string(ld, &f, K_FIELD, &g->field)))
        return rc;
    g->mark = mark_of(f.val[K_FIELD]);
    if (f.val[K_MODES]) {
        memset(g->modes, 0, sizeof g->modes);
        if ((rc = parse_group_modes(ld, f.val[K_MODES], scalar_text(k), c, g->modes))) return rc;
    }
    if (f.val[K_WALK_SPEED_KMH]) {
        if ((rc = field_number(ld, &f, K_WALK_SPEED_KMH, 1, &g->walk_speed_kmh))) return rc;
        g->walk_mark = mark_of(f.val[K_WALK_SPEED_KMH]);
        if (!c->network.modes[SCN_MODE_WALK])
            return fail_at(ld, g->walk_mark,
                           "group '%s' has a walking speed, but the network does not enable "
                           "mode 'walk'",
                           scalar_text(k));
    }
    return f.val[K_ELIGIBLE] ? parse_eligible(ld, f.val[K_ELIGIBLE], scalar_text(k), g) : SIM_OK;
}

static sim_status parse_groups(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(n), "expected a mapping for 'groups', found %s",
                       show_node(n, shown));
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count == 0)
        return fail_at(ld, mark_of(n),
                       "'groups' needs at least one group (name: population field)");
    name_ref *refs = calloc(count, sizeof *refs);
    if (!refs || !(c->groups = calloc(count, sizeof *c->groups))) {
        free(refs);
        return no_memory(ld);
    }
    c->n_groups = count;
    sim_status rc = SIM_OK;
    for (size_t i = 0; i < count && !rc; ++i) {
        const yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        const yaml_node_t *k = node_at(ld, p->key);
        if ((rc = check_name(ld, k, "group name")) ||
            (rc = parse_group(ld, k, node_at(ld, p->value), c, &c->groups[i])))
            break;
        if (!(c->groups[i].name = dup_bytes(scalar_text(k), scalar_len(k)))) rc = no_memory(ld);
        refs[i] = (name_ref){c->groups[i].name, mark_of(k), i};
    }
    if (!rc) rc = check_unique(ld, refs, count, 0, "key");
    free(refs);
    return rc;
}

static sim_status parse_population(const loader *ld, yaml_node_t *n, scn_config *c) {
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'population'", POPULATION_KEYS, COUNT_OF(POPULATION_KEYS),
                          &f)) ||
        (rc = parse_layer(ld, &f, "'population'", &c->population)) ||
        (rc = need(ld, &f, K_GROUPS, "'population'")))
        return rc;
    if (f.val[K_ALLOCATE]) {
        /* the groups' counts come from coarser areas and are shared out to these origins */
        fields a;
        if ((rc = read_fields(ld, f.val[K_ALLOCATE], "'population.allocate'", ALLOCATE_KEYS,
                              COUNT_OF(ALLOCATE_KEYS), &a)) ||
            (rc = parse_layer(ld, &a, "'population.allocate'", &c->allocate.layer)) ||
            (rc = field_string(ld, &a, K_WEIGHT, &c->allocate.weight)))
            return rc;
        c->allocate.set = 1;
    }
    return parse_groups(ld, f.val[K_GROUPS], c);
}

/* Form A: `kind: {source, ...}` per service kind, in file order. */
static sim_status parse_services_by_kind(const loader *ld, yaml_node_t *n, scn_config *c) {
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count == 0)
        return fail_at(ld, mark_of(n),
                       "'services' needs at least one service kind (kind: {source: ...})");
    name_ref *refs = calloc(count, sizeof *refs);
    if (!refs || !(c->services = calloc(count, sizeof *c->services))) {
        free(refs);
        return no_memory(ld);
    }
    c->n_services = count;
    sim_status rc = SIM_OK;
    for (size_t i = 0; i < count && !rc; ++i) {
        const yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        const yaml_node_t *k = node_at(ld, p->key);
        scn_service *s = &c->services[i];
        fields f;
        char what[MAX_NAME_LEN + 16];
        if ((rc = check_name(ld, k, "service kind"))) break;
        snprintf(what, sizeof what, "service '%s'", scalar_text(k));
        if ((rc = read_fields(ld, node_at(ld, p->value), what, SERVICE_A_KEYS,
                              COUNT_OF(SERVICE_A_KEYS), &f)) ||
            (rc = parse_layer(ld, &f, what, &s->layer)) ||
            (rc = field_string(ld, &f, K_CAPACITY, &s->capacity)))
            break;
        if (!(s->kind = dup_bytes(scalar_text(k), scalar_len(k)))) rc = no_memory(ld);
        s->mark = mark_of(k);
        refs[i] = (name_ref){s->kind, s->mark, i};
    }
    if (!rc) rc = check_unique(ld, refs, count, 1, "service kind");
    free(refs);
    return rc;
}

static sim_status copy_service(const scn_service *from, scn_service *to) {
    const scn_layer *a = &from->layer;
    scn_layer *b = &to->layer;
    b->mark = a->mark;
    to->mark = from->mark;
    if (!(b->source = dup_opt(a->source)) || (a->layer && !(b->layer = dup_opt(a->layer))) ||
        (a->id && !(b->id = dup_opt(a->id))) || (a->lon && !(b->lon = dup_opt(a->lon))) ||
        (a->lat && !(b->lat = dup_opt(a->lat))) ||
        (a->filter && !(b->filter = dup_opt(a->filter))) ||
        (from->capacity && !(to->capacity = dup_opt(from->capacity))) ||
        !(to->type_field = dup_opt(from->type_field)))
        return SIM_ENOMEM;
    return SIM_OK;
}

/* Form B: one source whose `type_field` gives each feature's kind; `kinds` picks and orders
 * them, one scn_service each, else a single entry with kind NULL (every value, found later). */
static sim_status parse_services_by_type(const loader *ld, yaml_node_t *n, scn_config *c) {
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'services'", SERVICE_B_KEYS, COUNT_OF(SERVICE_B_KEYS), &f)) ||
        (rc = need(ld, &f, K_TYPE_FIELD, "'services'")))
        return rc;
    const yaml_node_t *kinds = f.val[K_KINDS];
    size_t count = 1;
    char shown[SHOW_BUF];
    if (kinds) {
        if (kinds->type != YAML_SEQUENCE_NODE)
            return fail_at(ld, mark_of(kinds), "expected a list for 'kinds', found %s",
                           show_node(kinds, shown));
        count = (size_t)(kinds->data.sequence.items.top - kinds->data.sequence.items.start);
        if (count == 0)
            return fail_at(ld, mark_of(kinds),
                           "'kinds' needs at least one kind (or leave it out for every kind)");
    }
    if (!(c->services = calloc(count, sizeof *c->services))) return no_memory(ld);
    c->n_services = count;
    scn_service *s0 = &c->services[0];
    if ((rc = parse_layer(ld, &f, "'services'", &s0->layer)) ||
        (rc = field_string(ld, &f, K_CAPACITY, &s0->capacity)) ||
        (rc = field_string(ld, &f, K_TYPE_FIELD, &s0->type_field)))
        return rc;
    s0->mark = mark_of(f.val[K_TYPE_FIELD]);
    if (!kinds) return SIM_OK;

    name_ref *refs = calloc(count, sizeof *refs);
    if (!refs) return no_memory(ld);
    for (size_t i = 0; i < count && !rc; ++i) {
        const yaml_node_t *item = node_at(ld, kinds->data.sequence.items.start[i]);
        scn_service *s = &c->services[i];
        if ((rc = check_name(ld, item, "service kind"))) break;
        if ((i > 0 && copy_service(s0, s) != SIM_OK) ||
            !(s->kind = dup_bytes(scalar_text(item), scalar_len(item)))) {
            rc = no_memory(ld);
            break;
        }
        s->mark = mark_of(item);
        refs[i] = (name_ref){s->kind, s->mark, i};
    }
    if (!rc) rc = check_unique(ld, refs, count, 1, "service kind");
    free(refs);
    return rc;
}

static sim_status parse_services(const loader *ld, yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(n), "expected a mapping for 'services', found %s",
                       show_node(n, shown));
    /* `source` or `type_field` directly under `services` means form B; so neither can be the
     * name of a service kind. */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; ++p) {
        const yaml_node_t *k = node_at(ld, p->key);
        if (k->type == YAML_SCALAR_NODE &&
            (!strcmp(scalar_text(k), "source") || !strcmp(scalar_text(k), "type_field")))
            return parse_services_by_type(ld, n, c);
    }
    return parse_services_by_kind(ld, n, c);
}

/* ---- measures and equity -------------------------------------------------------------------- */

/* How a measure takes its decay function. */
typedef enum {
    DECAY_NONE,     /* none: nearest, cumulative, cumulative_interval */
    DECAY_REQUIRED, /* `decay` must be given: gravity */
    DECAY_BINARY,   /* `decay` defaults to binary, the classic catchment: fca2, bfca, ... */
    DECAY_STEPPED,  /* always stepped: e2sfca */
} decay_use;

typedef struct {
    const char *name;    /* as written in the file, and the start of the output name */
    const key_id *keys;  /* its parameters */
    size_t n_keys;
    key_id shorthand;    /* the parameter that a plain number sets (`{ cumulative: 30 }`);
                            K_COUNT: none, the parameters must be a mapping */
    decay_use decay;
    const char *example; /* of the mapping form, for messages */
} measure_spec;

/* Indexed by scn_measure_kind. A new measure is one enum value in config.h, one line here and
 * its parameters in parse_measure(). */
static const measure_spec MEASURES[] = {
    [SCN_MEASURE_NEAREST] = {"nearest", NEAREST_KEYS, COUNT_OF(NEAREST_KEYS), K_K, DECAY_NONE,
                             "{ nearest: { k: 3 } }"},
    [SCN_MEASURE_CUMULATIVE] = {"cumulative", CUMULATIVE_KEYS, COUNT_OF(CUMULATIVE_KEYS),
                                K_CUTOFF, DECAY_NONE, "{ cumulative: { cutoff: 30 } }"},
    [SCN_MEASURE_CUMULATIVE_INTERVAL] = {"cumulative_interval", INTERVAL_KEYS,
                                         COUNT_OF(INTERVAL_KEYS), K_COUNT, DECAY_NONE,
                                         "{ cumulative_interval: { from: 20, to: 40 } }"},
    [SCN_MEASURE_GRAVITY] = {"gravity", GRAVITY_KEYS, COUNT_OF(GRAVITY_KEYS), K_COUNT,
                             DECAY_REQUIRED,
                             "{ gravity: { decay: exponential, decay_value: 0.1 } }"},
    [SCN_MEASURE_FCA2] = {"fca2", FCA_KEYS, COUNT_OF(FCA_KEYS), K_CUTOFF, DECAY_BINARY,
                          "{ fca2: { decay: binary, cutoff: 30 } }"},
    [SCN_MEASURE_E2SFCA] = {"e2sfca", E2SFCA_KEYS, COUNT_OF(E2SFCA_KEYS), K_COUNT, DECAY_STEPPED,
                            "{ e2sfca: { steps: [10, 20, 30], weights: [1, 0.68, 0.22] } }"},
    [SCN_MEASURE_BFCA] = {"bfca", FCA_KEYS, COUNT_OF(FCA_KEYS), K_CUTOFF, DECAY_BINARY,
                          "{ bfca: { decay: binary, cutoff: 30 } }"},
    [SCN_MEASURE_SPATIAL_AVAILABILITY] = {"spatial_availability", AVAILABILITY_KEYS,
                                          COUNT_OF(AVAILABILITY_KEYS), K_CUTOFF, DECAY_BINARY,
                                          "{ spatial_availability: { cutoff: 30, alpha: 1 } }"},
};
_Static_assert(COUNT_OF(MEASURES) == SCN_MEASURE_COUNT, "MEASURES must describe every measure");

/* The parameters each decay reads (sim/measures.h), in the order sim_decay_check() checks them. */
static const struct {
    key_id keys[2];
    size_t n;
} DECAY_PARAMS[SIM_DECAY_KIND_COUNT] = {
    [SIM_DECAY_BINARY] = {{K_CUTOFF}, 1},
    [SIM_DECAY_EXPONENTIAL] = {{K_DECAY_VALUE}, 1},
    [SIM_DECAY_POWER] = {{K_DECAY_VALUE}, 1},
    [SIM_DECAY_LOGISTIC] = {{K_CUTOFF, K_SD}, 2},
    [SIM_DECAY_GAUSSIAN] = {{K_SIGMA}, 1},
    [SIM_DECAY_LINEAR] = {{K_CUTOFF}, 1},
    [SIM_DECAY_STEPPED] = {{K_STEPS, K_WEIGHTS}, 2},
};

static int decay_reads(sim_decay_kind kind, key_id k) {
    for (size_t i = 0; i < DECAY_PARAMS[kind].n; ++i)
        if (DECAY_PARAMS[kind].keys[i] == k) return 1;
    return 0;
}

/* The field of `d` that the scalar parameter `k` sets; NULL for the step lists. */
static double *decay_scalar(sim_decay *d, key_id k) {
    switch (k) {
    case K_CUTOFF: return &d->cutoff_min;
    case K_DECAY_VALUE: return &d->decay_value;
    case K_SD: return &d->sd_min;
    case K_SIGMA: return &d->sigma_min;
    default: return NULL;
    }
}

/* Does the scalar node `n` say exactly `s`? (Scalars may hold NUL bytes.) */
static int scalar_is(const yaml_node_t *n, const char *s) {
    return strlen(s) == scalar_len(n) && !memcmp(s, scalar_text(n), scalar_len(n));
}

/* A list of numbers under `key` into a new array, attached to *owned as soon as it exists so
 * that the config frees it whatever happens next. */
static sim_status number_list(const loader *ld, const yaml_node_t *n, const char *key,
                              const double **owned, size_t *count) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for '%s', found %s", key,
                       show_node(n, shown));
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len == 0) return fail_at(ld, mark_of(n), "'%s' needs at least one value", key);
    double *a = calloc(len, sizeof *a);
    if (!a) return no_memory(ld);
    *owned = a;
    *count = len;
    for (size_t i = 0; i < len; ++i) {
        sim_status rc = node_number(ld, node_at(ld, n->data.sequence.items.start[i]), key, &a[i]);
        if (rc) return rc;
    }
    return SIM_OK;
}

/* Where the parameter that sim_decay_check() rejects was written. The check is asked again
 * about each parameter alone (the others replaced by valid values, in its own order), so the
 * place always agrees with its message; `fallback` if no single parameter is at fault. */
static scn_mark decay_fault(const loader *ld, const fields *f, const sim_decay *d,
                            scn_mark fallback) {
    if (d->kind == SIM_DECAY_STEPPED) {
        static const double NO_WEIGHTS[2] = {0, 0};
        for (size_t k = 1; k <= d->n_steps; ++k) {
            sim_decay p = *d;
            p.n_steps = k;
            if (sim_decay_check(&p, NULL, 0) == SIM_OK) continue;
            /* steps 1 .. k-1 and their weights are fine: step k (after step k-1), or weight k */
            size_t first = k >= 2 ? k - 2 : 0;
            p.steps_min = d->steps_min + first;
            p.weights = NO_WEIGHTS;
            p.n_steps = k - first;
            key_id list = sim_decay_check(&p, NULL, 0) != SIM_OK ? K_STEPS : K_WEIGHTS;
            return mark_of(node_at(ld, f->val[list]->data.sequence.items.start[k - 1]));
        }
        return fallback;
    }
    sim_decay given = *d;
    for (size_t i = 0; i < DECAY_PARAMS[d->kind].n; ++i) {
        key_id k = DECAY_PARAMS[d->kind].keys[i];
        sim_decay probe = {.kind = d->kind, .cutoff_min = 1, .decay_value = 1, .sd_min = 1,
                           .sigma_min = 1};
        *decay_scalar(&probe, k) = *decay_scalar(&given, k);
        if (sim_decay_check(&probe, NULL, 0) != SIM_OK) return mark_of(f->val[k]);
    }
    return fallback;
}

/* The decay of a measure and its parameters from `f`; `at` is where a missing parameter is
 * reported (the parameters' mapping, or the measure's name when there is none). */
static sim_status parse_decay(const loader *ld, const fields *f, const measure_spec *spec,
                              scn_mark at, sim_decay *d) {
    char shown[SHOW_BUF], kinds[128] = "";
    const char *names[SIM_DECAY_KIND_COUNT];
    for (int k = 0; k < SIM_DECAY_KIND_COUNT; ++k) {
        names[k] = sim_decay_kind_name((sim_decay_kind)k);
        list_append(kinds, sizeof kinds, names[k]);
    }
    const yaml_node_t *dn = f->val[K_DECAY];
    if (!dn) {
        if (spec->decay == DECAY_REQUIRED)
            return fail_at(ld, at, "measure '%s' needs 'decay' (one of: %s)", spec->name, kinds);
        d->kind = spec->decay == DECAY_STEPPED ? SIM_DECAY_STEPPED : SIM_DECAY_BINARY;
    } else {
        if (dn->type != YAML_SCALAR_NODE || is_null(dn))
            return fail_at(ld, mark_of(dn), "expected a decay name for 'decay', found %s",
                           show_node(dn, shown));
        int k = 0;
        while (k < SIM_DECAY_KIND_COUNT && !scalar_is(dn, names[k])) ++k;
        if (k == SIM_DECAY_KIND_COUNT) {
            const char *hint =
                suggest_name(scalar_text(dn), scalar_len(dn), names, SIM_DECAY_KIND_COUNT);
            char also[48] = "";
            if (hint) snprintf(also, sizeof also, "did you mean '%s'? ", hint);
            return fail_at(ld, mark_of(dn), "unknown decay %s (%sexpected one of: %s)",
                           show_node(dn, shown), also, kinds);
        }
        d->kind = (sim_decay_kind)k;
        if (spec->decay == DECAY_STEPPED && d->kind != SIM_DECAY_STEPPED)
            return fail_at(ld, mark_of(dn),
                           "measure '%s' always uses stepped decay, found %s (leave 'decay' "
                           "out)",
                           spec->name, show_node(dn, shown));
    }
    const char *dname = sim_decay_kind_name(d->kind);

    /* a parameter of another decay is a mistake, not something to ignore */
    key_id other[COUNT_OF(DECAY_KEYS)];
    size_t n_other = 0;
    for (size_t i = 0; i < COUNT_OF(DECAY_KEYS); ++i)
        if (!decay_reads(d->kind, DECAY_KEYS[i])) other[n_other++] = DECAY_KEYS[i];
    key_id wrong = first_in_file(f, other, n_other);
    if (wrong != K_COUNT) {
        char takes[64] = "", why[96] = "";
        for (size_t i = 0; i < DECAY_PARAMS[d->kind].n; ++i)
            list_append(takes, sizeof takes, KEY_NAMES[DECAY_PARAMS[d->kind].keys[i]]);
        if (!dn)
            snprintf(why, sizeof why, "; measure '%s' uses %s decay unless 'decay' says otherwise",
                     spec->name, dname);
        return fail_at(ld, mark_of(f->key[wrong]),
                       "'%s' is not a parameter of %s decay (it takes: %s)%s", KEY_NAMES[wrong],
                       dname, takes, why);
    }
    for (size_t i = 0; i < DECAY_PARAMS[d->kind].n; ++i) {
        key_id k = DECAY_PARAMS[d->kind].keys[i];
        if (!f->val[k])
            return fail_at(ld, at, "measure '%s' with %s decay needs '%s'", spec->name, dname,
                           KEY_NAMES[k]);
    }

    sim_status rc;
    if (d->kind == SIM_DECAY_STEPPED) {
        size_t n_weights = 0;
        if ((rc = number_list(ld, f->val[K_STEPS], "steps", &d->steps_min, &d->n_steps)) ||
            (rc = number_list(ld, f->val[K_WEIGHTS], "weights", &d->weights, &n_weights)))
            return rc;
        if (n_weights != d->n_steps)
            return fail_at(ld, mark_of(f->val[K_WEIGHTS]),
                           "'weights' needs one weight per step: %zu steps, %zu weights",
                           d->n_steps, n_weights);
    } else {
        for (size_t i = 0; i < DECAY_PARAMS[d->kind].n; ++i) {
            key_id k = DECAY_PARAMS[d->kind].keys[i];
            if ((rc = node_number(ld, f->val[k], KEY_NAMES[k], decay_scalar(d, k)))) return rc;
        }
    }
    char why[SIM_ERROR_MSG_LEN];
    if (sim_decay_check(d, why, sizeof why) != SIM_OK)
        return fail_at(ld, decay_fault(ld, f, d, at), "%s", why);
    return SIM_OK;
}

/* The group named under `k` into a new *dst: one of population.groups. */
static sim_status field_group(const loader *ld, const fields *f, key_id k, const scn_config *c,
                              char **dst) {
    sim_status rc = field_string(ld, f, k, dst);
    if (rc || !*dst) return rc;
    for (size_t i = 0; i < c->n_groups; ++i)
        if (!strcmp(c->groups[i].name, *dst)) return SIM_OK;
    const char **names = malloc(c->n_groups * sizeof *names);
    if (!names) return no_memory(ld);
    char list[256] = "", shown[SHOW_LEN + 4];
    for (size_t i = 0; i < c->n_groups; ++i) {
        names[i] = c->groups[i].name;
        list_append(list, sizeof list, names[i]);
    }
    const char *hint = suggest_name(*dst, strlen(*dst), names, c->n_groups);
    show_text(*dst, strlen(*dst), shown);
    if (hint)
        rc = fail_at(ld, mark_of(f->val[k]),
                     "'%s' names group '%s', which is not a population group (did you mean "
                     "'%s'?)",
                     KEY_NAMES[k], shown, hint);
    else
        rc = fail_at(ld, mark_of(f->val[k]),
                     "'%s' names group '%s', which is not a population group (groups: %s)",
                     KEY_NAMES[k], shown, list);
    free(names);
    return rc;
}

/* The output name of a decay: its name and main parameter(s), e.g. exponential_0.1. */
static void decay_label(const sim_decay *d, char *buf, size_t n) {
    const char *name = sim_decay_kind_name(d->kind);
    switch (d->kind) {
    case SIM_DECAY_EXPONENTIAL:
    case SIM_DECAY_POWER: snprintf(buf, n, "%s_%g", name, d->decay_value); break;
    case SIM_DECAY_LOGISTIC: snprintf(buf, n, "%s_%g_%g", name, d->cutoff_min, d->sd_min); break;
    case SIM_DECAY_GAUSSIAN: snprintf(buf, n, "%s_%g", name, d->sigma_min); break;
    case SIM_DECAY_STEPPED: snprintf(buf, n, "%s", name); break;
    case SIM_DECAY_BINARY:
    case SIM_DECAY_LINEAR:
    default: snprintf(buf, n, "%s_%g", name, d->cutoff_min); break;
    }
}

/* One item of `measures`: `name`, `{ name: number }` or `{ name: { parameters } }`. Everything
 * the item owns is attached to `m` at once, for scn_config_destroy(). */
static sim_status parse_measure(const loader *ld, yaml_node_t *item, const scn_config *c,
                                scn_measure *m) {
    char shown[SHOW_BUF];
    yaml_node_t *name = item, *value = NULL;
    if (item->type == YAML_MAPPING_NODE) {
        size_t n_pairs = (size_t)(item->data.mapping.pairs.top - item->data.mapping.pairs.start);
        if (n_pairs != 1)
            return fail_at(ld, mark_of(item),
                           "a measure is a name or a mapping with one key ({ name: "
                           "parameters }), found a mapping with %zu keys",
                           n_pairs);
        name = node_at(ld, item->data.mapping.pairs.start->key);
        value = node_at(ld, item->data.mapping.pairs.start->value);
        if (is_null(value)) value = NULL; /* `- nearest:` is `- nearest` */
    }
    if (name->type != YAML_SCALAR_NODE || is_null(name))
        return fail_at(ld, mark_of(name), "expected a measure name, found %s",
                       show_node(name, shown));
    int kind = 0;
    while (kind < SCN_MEASURE_COUNT && !scalar_is(name, MEASURES[kind].name)) ++kind;
    if (kind == SCN_MEASURE_COUNT) {
        const char *names[SCN_MEASURE_COUNT];
        char list[192] = "", also[48] = "";
        for (int k = 0; k < SCN_MEASURE_COUNT; ++k) {
            names[k] = MEASURES[k].name;
            list_append(list, sizeof list, names[k]);
        }
        const char *hint = suggest_name(scalar_text(name), scalar_len(name), names,
                                        SCN_MEASURE_COUNT);
        if (hint) snprintf(also, sizeof also, "did you mean '%s'? ", hint);
        return fail_at(ld, mark_of(name), "unknown measure %s (%sexpected one of: %s)",
                       show_node(name, shown), also, list);
    }
    const measure_spec *spec = &MEASURES[kind];
    m->kind = (scn_measure_kind)kind;
    m->mark = mark_of(name);

    /* The three forms end up as one set of fields; a number is the shorthand's value. */
    fields f;
    memset(&f, 0, sizeof f);
    sim_status rc;
    char what[48];
    snprintf(what, sizeof what, "measure '%s'", spec->name);
    if (value && value->type == YAML_MAPPING_NODE) {
        if ((rc = read_fields(ld, value, what, spec->keys, spec->n_keys, &f))) return rc;
    } else if (value && (value->type != YAML_SCALAR_NODE || spec->shorthand == K_COUNT)) {
        if (spec->shorthand == K_COUNT)
            return fail_at(ld, mark_of(value),
                           "expected a mapping of parameters for %s, found %s (e.g. %s)", what,
                           show_node(value, shown), spec->example);
        return fail_at(ld, mark_of(value),
                       "expected a number or a mapping of parameters for %s, found %s (e.g. %s)",
                       what, show_node(value, shown), spec->example);
    } else if (value) {
        f.key[spec->shorthand] = name;
        f.val[spec->shorthand] = value;
    }
    scn_mark at = f.map ? mark_of(f.map) : m->mark; /* where a missing parameter is reported */

    int count_only = 0;
    char label[96], buf[160];
    switch (m->kind) {
    case SCN_MEASURE_NEAREST:
        if (f.val[K_K]) {
            double v;
            if ((rc = node_number(ld, f.val[K_K], "k", &v))) return rc;
            if (!(v >= 1 && v <= UINT32_MAX && v == floor(v)))
                return fail_at(ld, mark_of(f.val[K_K]),
                               "'k' must be a whole number, 1 or more, found %s",
                               scalar_text(f.val[K_K]));
            m->k = (uint32_t)v;
        }
        if (m->k == 1) snprintf(buf, sizeof buf, "nearest");
        else snprintf(buf, sizeof buf, "nearest_%u", (unsigned)m->k);
        break;
    case SCN_MEASURE_CUMULATIVE:
        if (!f.val[K_CUTOFF])
            return fail_at(ld, at, "measure 'cumulative' needs 'cutoff' (minutes)");
        if ((rc = field_number(ld, &f, K_CUTOFF, 1, &m->cutoff_min)) ||
            (rc = field_bool(ld, &f, K_COUNT_ONLY, &count_only)))
            return rc;
        m->use_capacity = !count_only;
        snprintf(buf, sizeof buf, "cumulative_%g%s", m->cutoff_min, count_only ? "_count" : "");
        break;
    case SCN_MEASURE_CUMULATIVE_INTERVAL:
        if (!f.val[K_FROM] || !f.val[K_TO])
            return fail_at(ld, at, "measure 'cumulative_interval' needs '%s' (minutes)",
                           f.val[K_FROM] ? "to" : "from");
        if ((rc = field_number(ld, &f, K_FROM, 1, &m->from_min)) ||
            (rc = field_number(ld, &f, K_TO, 1, &m->to_min)))
            return rc;
        if (!(m->to_min > m->from_min))
            return fail_at(ld, mark_of(f.val[K_TO]),
                           "'to' must be greater than 'from' (%g), found %s", m->from_min,
                           scalar_text(f.val[K_TO]));
        /* one cumulative measure per minute of the interval: sim caps them at 100000 */
        if (floor(m->to_min - m->from_min + 1e-10) >= MAX_INTERVAL_CUTOFFS)
            return fail_at(ld, mark_of(f.val[K_TO]),
                           "the interval from %g to %g minutes is too long (at most %d minutes)",
                           m->from_min, m->to_min, MAX_INTERVAL_CUTOFFS - 1);
        snprintf(buf, sizeof buf, "cumulative_interval_%g_%g", m->from_min, m->to_min);
        break;
    case SCN_MEASURE_GRAVITY:
    case SCN_MEASURE_FCA2:
    case SCN_MEASURE_E2SFCA:
    case SCN_MEASURE_BFCA:
    case SCN_MEASURE_SPATIAL_AVAILABILITY:
    default:
        if ((rc = parse_decay(ld, &f, spec, at, &m->decay)) ||
            (rc = field_group(ld, &f, K_DEMAND, c, &m->demand_group)) ||
            (rc = field_number(ld, &f, K_ALPHA, 0, &m->alpha)) ||
            (rc = field_bool(ld, &f, K_COUNT_ONLY, &count_only)))
            return rc;
        m->use_capacity = !count_only;
        decay_label(&m->decay, label, sizeof label);
        if (m->kind == SCN_MEASURE_E2SFCA) snprintf(buf, sizeof buf, "e2sfca");
        else
            snprintf(buf, sizeof buf, "%s_%s%s", spec->name, label, count_only ? "_count" : "");
        break;
    }
    if (!(m->name = dup_opt(buf))) return no_memory(ld);
    return SIM_OK;
}

/* The defaults of a measure before its parameters are read. */
static void measure_defaults(scn_measure *m) {
    memset(m, 0, sizeof *m);
    m->k = 1;
    m->use_capacity = 1;
    m->alpha = 1;
}

static sim_status parse_measures(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for 'measures', found %s (e.g. "
                       "[nearest, { cumulative: 30 }])",
                       show_node(n, shown));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0)
        return fail_at(ld, mark_of(n),
                       "'measures' needs at least one measure (or leave it out for nearest "
                       "only)");
    name_ref *refs = calloc(count, sizeof *refs);
    if (!refs || !(c->measures = calloc(count, sizeof *c->measures))) {
        free(refs);
        return no_memory(ld);
    }
    c->n_measures = count;
    sim_status rc = SIM_OK;
    for (size_t i = 0; i < count && !rc; ++i) {
        scn_measure *m = &c->measures[i];
        measure_defaults(m);
        rc = parse_measure(ld, node_at(ld, n->data.sequence.items.start[i]), c, m);
        refs[i] = (name_ref){m->name, m->mark, i};
    }
    if (!rc) rc = check_unique(ld, refs, count, 0, "measure");
    free(refs);
    return rc;
}

/* Without `measures:`, the time to the nearest service only. */
static sim_status default_measures(const loader *ld, scn_config *c) {
    if (!(c->measures = calloc(1, sizeof *c->measures))) return no_memory(ld);
    c->n_measures = 1;
    measure_defaults(&c->measures[0]);
    c->measures[0].kind = SCN_MEASURE_NEAREST;
    if (!(c->measures[0].name = dup_opt("nearest"))) return no_memory(ld);
    return SIM_OK;
}

static sim_status parse_equity(const loader *ld, yaml_node_t *n, scn_config *c) {
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'equity'", EQUITY_KEYS, COUNT_OF(EQUITY_KEYS), &f)) ||
        (rc = field_group(ld, &f, K_TOTAL_GROUP, c, &c->equity.total_group)) ||
        (rc = field_string(ld, &f, K_RANK_BY, &c->equity.rank_by)) ||
        (rc = field_number(ld, &f, K_POVERTY_LINE_MIN, 1, &c->equity.poverty_line_min)))
        return rc;
    c->equity.mark = mark_of(n);
    const yaml_node_t *share = f.val[K_POVERTY_SHARE];
    if (!share) return SIM_OK;
    double v;
    if ((rc = node_number(ld, share, "poverty_share", &v))) return rc;
    if (!(v > 0 && v < 1))
        return fail_at(ld, mark_of(share),
                       "'poverty_share' must be between 0 and 1 (both excluded), found %s",
                       scalar_text(share));
    c->equity.poverty_share = v;
    return SIM_OK;
}

static sim_status parse_thresholds(const loader *ld, const yaml_node_t *n, scn_config *c) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for 'thresholds_min', found %s",
                       show_node(n, shown));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0) return fail_at(ld, mark_of(n), "'thresholds_min' needs at least one value");
    free(c->thresholds_min); /* the default */
    c->n_thresholds = 0;
    if (!(c->thresholds_min = calloc(count, sizeof *c->thresholds_min))) return no_memory(ld);
    c->n_thresholds = count;
    unsigned char seen[MAX_THRESHOLD_MIN + 1] = {0};
    for (size_t i = 0; i < count; ++i) {
        const yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        double v;
        sim_status rc = node_number(ld, item, "thresholds_min", &v);
        if (rc) return rc;
        if (!(v >= 1 && v <= MAX_THRESHOLD_MIN && v == (double)(uint32_t)v))
            return fail_at(ld, mark_of(item),
                           "'thresholds_min' values must be whole minutes from 1 to %d, found %s",
                           MAX_THRESHOLD_MIN, scalar_text(item));
        uint32_t t = (uint32_t)v;
        if (seen[t])
            return fail_at(ld, mark_of(item), "threshold %u minutes is listed twice", (unsigned)t);
        seen[t] = 1;
        c->thresholds_min[i] = t;
    }
    return SIM_OK;
}

static sim_status parse_output(const loader *ld, yaml_node_t *n, scn_config *c) {
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, n, "'output'", OUTPUT_KEYS, COUNT_OF(OUTPUT_KEYS), &f)) ||
        (rc = field_number(ld, &f, K_GRID_M, 1, &c->grid_m)))
        return rc;
    return f.val[K_THRESHOLDS_MIN] ? parse_thresholds(ld, f.val[K_THRESHOLDS_MIN], c) : SIM_OK;
}

static sim_status parse_scenarios(loader *ld, const yaml_node_t *scen, const yaml_node_t *sweeps,
                                  scn_config *c);

static sim_status parse_root(const loader *ld, yaml_node_t *root, scn_config *c) {
    char shown[SHOW_BUF];
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(root),
                       "the scenario file must be a mapping of keys (network:, population:, "
                       "services:, ...), found %s",
                       show_node(root, shown));
    fields f;
    sim_status rc;
    if ((rc = read_fields(ld, root, "the scenario", ROOT_KEYS, COUNT_OF(ROOT_KEYS), &f)) ||
        (rc = need(ld, &f, K_NETWORK, "the scenario")) ||
        (rc = need(ld, &f, K_POPULATION, "the scenario")) ||
        (rc = need(ld, &f, K_SERVICES, "the scenario")))
        return rc;
    if (f.val[K_NAME]) {
        free(c->name); /* the default */
        c->name = NULL;
        if ((rc = field_string(ld, &f, K_NAME, &c->name))) return rc;
    }
    /* network and transit before profiles (walk_speed_kmh) and population (the groups' modes
     * default to the network's, transit included) */
    network_marks nm;
    memset(&nm, 0, sizeof nm);
    if ((rc = field_string(ld, &f, K_CRS, &c->crs)) ||
        (rc = parse_network(ld, f.val[K_NETWORK], c, &nm)) ||
        (f.val[K_TRANSIT] && (rc = parse_transit(ld, f.key[K_TRANSIT], f.val[K_TRANSIT], c))) ||
        (rc = settle_transit_mode(ld, &nm, c)) ||
        (f.val[K_PROFILES] && (rc = parse_profiles(ld, f.val[K_PROFILES], c, nm.walk_speed))) ||
        (rc = parse_population(ld, f.val[K_POPULATION], c)) ||
        (rc = parse_services(ld, f.val[K_SERVICES], c)))
        return rc;
    /* after population: measures and equity name its groups */
    if ((rc = f.val[K_MEASURES] ? parse_measures(ld, f.val[K_MEASURES], c)
                                : default_measures(ld, c)) ||
        (f.val[K_EQUITY] && (rc = parse_equity(ld, f.val[K_EQUITY], c))))
        return rc;
    if (!c->equity.total_group && !(c->equity.total_group = dup_opt(c->groups[0].name)))
        return no_memory(ld);
    if (f.val[K_OUTPUT] && (rc = parse_output(ld, f.val[K_OUTPUT], c))) return rc;
    /* last: changes name groups, services and modes */
    return parse_scenarios((loader *)ld, f.val[K_SCENARIOS], f.val[K_SWEEPS], c);
}

/* ---- scenarios and sweeps ------------------------------------------------------------------- */

static const char *const CHANGE_NAMES[SCN_CHANGE_COUNT] = {
    [SCN_CHANGE_ADD_SERVICES] = "add_services",   [SCN_CHANGE_REMOVE_SERVICES] = "remove_services",
    [SCN_CHANGE_MOVE_SERVICE] = "move_service",   [SCN_CHANGE_SET_CAPACITY] = "set_capacity",
    [SCN_CHANGE_SET_ATTRIBUTES] = "set_attributes", [SCN_CHANGE_CLOSE_WAYS] = "close_ways",
    [SCN_CHANGE_SPEED_FACTOR] = "speed_factor",   [SCN_CHANGE_ADD_LINK] = "add_link",
    [SCN_CHANGE_ADD_ROUTE] = "add_route",         [SCN_CHANGE_SET_HEADWAY] = "set_headway",
    [SCN_CHANGE_REMOVE_ROUTE] = "remove_route",   [SCN_CHANGE_ADD_POPULATION] = "add_population",
    [SCN_CHANGE_REMOVE_POPULATION] = "remove_population",
};

const char *scn_change_name(scn_change_kind k) {
    return k < SCN_CHANGE_COUNT ? CHANGE_NAMES[k] : "unknown";
}

static const key_id SCENARIO_KEYS[] = {K_NAME, K_DESCRIPTION, K_CHANGES};
static const key_id SWEEP_KEYS[] = {K_NAME, K_DESCRIPTION, K_PARAMETERS, K_CHANGES};
static const key_id POINT_KEYS[] = {K_ID, K_LON, K_LAT, K_CAPACITY};
static const key_id AREA_KEYS[] = {K_POLYGON, K_SOURCE, K_LAYER};
/* The keys each change takes (parse_change). */
static const key_id ADD_SERVICES_KEYS[] = {K_SERVICE, K_POINTS, K_SOURCE, K_LAYER,   K_ID,
                                           K_LON,     K_LAT,    K_FILTER, K_CAPACITY};
static const key_id REMOVE_SERVICES_KEYS[] = {K_SERVICE, K_IDS, K_WHERE, K_WITHIN};
static const key_id MOVE_SERVICE_KEYS[] = {K_SERVICE, K_ID, K_LON, K_LAT};
static const key_id SET_CAPACITY_KEYS[] = {K_SERVICE, K_IDS, K_WHERE, K_WITHIN, K_CAPACITY, K_FACTOR};
static const key_id SET_ATTRIBUTES_KEYS[] = {K_SERVICE, K_IDS, K_WHERE, K_WITHIN, K_VALUES};
static const key_id CLOSE_WAYS_KEYS[] = {K_WAYS, K_WITHIN, K_MODES};
static const key_id SPEED_FACTOR_KEYS[] = {K_WITHIN, K_FACTOR, K_MODES};
static const key_id ADD_LINK_KEYS[] = {K_FROM, K_TO, K_MODES, K_SPEED_KMH};
static const key_id ADD_ROUTE_KEYS[] = {K_ROUTE,      K_ROUTE_TYPE, K_STOPS,   K_HEADWAY_MIN, K_SPAN,
                                        K_DEPARTURES, K_SPEED_KMH,  K_HOP_MIN, K_DWELL_S};
static const key_id SET_HEADWAY_KEYS[] = {K_ROUTE, K_HEADWAY_MIN, K_SPAN};
static const key_id REMOVE_ROUTE_KEYS[] = {K_ROUTE, K_SPAN};
static const key_id ADD_POPULATION_KEYS[] = {K_GROUPS, K_WITHIN, K_ORIGINS};
static const key_id REMOVE_POPULATION_KEYS[] = {K_GROUPS, K_WITHIN, K_ORIGINS, K_SHARE};
static const struct {
    const key_id *keys;
    size_t n;
} CHANGE_KEYS[SCN_CHANGE_COUNT] = {
    [SCN_CHANGE_ADD_SERVICES] = {ADD_SERVICES_KEYS, COUNT_OF(ADD_SERVICES_KEYS)},
    [SCN_CHANGE_REMOVE_SERVICES] = {REMOVE_SERVICES_KEYS, COUNT_OF(REMOVE_SERVICES_KEYS)},
    [SCN_CHANGE_MOVE_SERVICE] = {MOVE_SERVICE_KEYS, COUNT_OF(MOVE_SERVICE_KEYS)},
    [SCN_CHANGE_SET_CAPACITY] = {SET_CAPACITY_KEYS, COUNT_OF(SET_CAPACITY_KEYS)},
    [SCN_CHANGE_SET_ATTRIBUTES] = {SET_ATTRIBUTES_KEYS, COUNT_OF(SET_ATTRIBUTES_KEYS)},
    [SCN_CHANGE_CLOSE_WAYS] = {CLOSE_WAYS_KEYS, COUNT_OF(CLOSE_WAYS_KEYS)},
    [SCN_CHANGE_SPEED_FACTOR] = {SPEED_FACTOR_KEYS, COUNT_OF(SPEED_FACTOR_KEYS)},
    [SCN_CHANGE_ADD_LINK] = {ADD_LINK_KEYS, COUNT_OF(ADD_LINK_KEYS)},
    [SCN_CHANGE_ADD_ROUTE] = {ADD_ROUTE_KEYS, COUNT_OF(ADD_ROUTE_KEYS)},
    [SCN_CHANGE_SET_HEADWAY] = {SET_HEADWAY_KEYS, COUNT_OF(SET_HEADWAY_KEYS)},
    [SCN_CHANGE_REMOVE_ROUTE] = {REMOVE_ROUTE_KEYS, COUNT_OF(REMOVE_ROUTE_KEYS)},
    [SCN_CHANGE_ADD_POPULATION] = {ADD_POPULATION_KEYS, COUNT_OF(ADD_POPULATION_KEYS)},
    [SCN_CHANGE_REMOVE_POPULATION] = {REMOVE_POPULATION_KEYS, COUNT_OF(REMOVE_POPULATION_KEYS)},
};

static size_t seq_len(const yaml_node_t *n) {
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static sim_status need_seq(const loader *ld, const yaml_node_t *n, const char *what) {
    char shown[SHOW_BUF];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, mark_of(n), "expected a list for %s, found %s", what,
                       show_node(n, shown));
    if (seq_len(n) == 0) return fail_at(ld, mark_of(n), "%s must not be empty", what);
    return SIM_OK;
}

/* A list of strings (ids) into a new array. */
static sim_status string_list(const loader *ld, const yaml_node_t *n, const char *what,
                              char ***out, size_t *n_out) {
    sim_status rc = need_seq(ld, n, what);
    if (rc) return rc;
    size_t k = seq_len(n);
    if (!(*out = calloc(k, sizeof **out))) return no_memory(ld);
    *n_out = k;
    for (size_t i = 0; i < k; ++i) {
        const yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        if ((rc = node_string(ld, item, what, &(*out)[i]))) return rc;
    }
    return SIM_OK;
}

/* A point written [lon, lat] or { lon: x, lat: y }, checked to be a WGS84 coordinate. */
static sim_status lonlat_point(const loader *ld, yaml_node_t *n, const char *what, double *lon,
                               double *lat) {
    char shown[SHOW_BUF];
    sim_status rc;
    if (n->type == YAML_SEQUENCE_NODE && seq_len(n) == 2) {
        if ((rc = node_number(ld, node_at(ld, n->data.sequence.items.start[0]), "lon", lon)) ||
            (rc = node_number(ld, node_at(ld, n->data.sequence.items.start[1]), "lat", lat)))
            return rc;
    } else if (n->type == YAML_MAPPING_NODE) {
        static const key_id keys[] = {K_LON, K_LAT};
        fields f;
        if ((rc = read_fields(ld, n, what, keys, COUNT_OF(keys), &f)) ||
            (rc = need(ld, &f, K_LON, what)) || (rc = need(ld, &f, K_LAT, what)) ||
            (rc = node_number(ld, f.val[K_LON], "lon", lon)) ||
            (rc = node_number(ld, f.val[K_LAT], "lat", lat)))
            return rc;
    } else {
        return fail_at(ld, mark_of(n), "expected a point [lon, lat] or { lon: ..., lat: ... } "
                       "for %s, found %s", what, show_node(n, shown));
    }
    if (!(*lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90))
        return fail_at(ld, mark_of(n), "%s: (%g, %g) is not a longitude, latitude in degrees",
                       what, *lon, *lat);
    return SIM_OK;
}

static sim_status parse_area(const loader *ld, yaml_node_t *n, scn_area *a) {
    fields f;
    sim_status rc;
    a->mark = mark_of(n);
    if ((rc = read_fields(ld, n, "'within' (an area: { polygon: [[lon, lat], ...] } or "
                          "{ source: file, layer: name })", AREA_KEYS, COUNT_OF(AREA_KEYS), &f)))
        return rc;
    if (!f.val[K_POLYGON] == !f.val[K_SOURCE])
        return fail_at(ld, mark_of(n), "'within' needs exactly one of 'polygon' (inline lon/lat "
                       "points) or 'source' (a polygon file)");
    if (f.val[K_SOURCE]) {
        scn_mark m;
        if ((rc = field_path(ld, &f, K_SOURCE, &a->source, &m)) ||
            (rc = field_string(ld, &f, K_LAYER, &a->layer)))
            return rc;
        return SIM_OK;
    }
    if (f.val[K_LAYER]) return fail_at(ld, mark_of(f.key[K_LAYER]), "'layer' goes with 'source'");
    const yaml_node_t *p = f.val[K_POLYGON];
    if ((rc = need_seq(ld, p, "'polygon'"))) return rc;
    size_t k = seq_len(p);
    if (k < 3)
        return fail_at(ld, mark_of(p), "'polygon' needs at least 3 points [lon, lat], found %zu",
                       k);
    if (!(a->lon = malloc(k * sizeof *a->lon)) || !(a->lat = malloc(k * sizeof *a->lat)))
        return no_memory(ld);
    a->n = k;
    for (size_t i = 0; i < k; ++i)
        if ((rc = lonlat_point(ld, node_at(ld, p->data.sequence.items.start[i]), "a polygon point",
                               &a->lon[i], &a->lat[i])))
            return rc;
    return SIM_OK;
}

/* Times of day "HH:MM" (up to 47:59) into seconds. */
static sim_status clock_value(const loader *ld, const yaml_node_t *n, const char *what,
                              int32_t *out) {
    char shown[SHOW_BUF];
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        const char *s = scalar_text(n), *end = s + scalar_len(n), *p = s;
        int h = 0, m = 0;
        if (scan_clock(&p, end, &h, &m) && p == end && m < 60 && h <= MAX_WINDOW_HOUR) {
            *out = (int32_t)(h * 3600 + m * 60);
            return SIM_OK;
        }
    }
    return fail_at(ld, mark_of(n), "%s: expected a time of day \"HH:MM\", found %s", what,
                   show_node(n, shown));
}

/* A span "HH:MM-HH:MM" (start inclusive, end exclusive). */
static sim_status span_value(const loader *ld, const yaml_node_t *n, int32_t *from,
                             int32_t *to) {
    char shown[SHOW_BUF];
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        const char *s = scalar_text(n), *end = s + scalar_len(n), *p = s;
        int h0 = 0, m0 = 0, h1 = 0, m1 = 0;
        int ok = scan_clock(&p, end, &h0, &m0);
        while (ok && p < end && *p == ' ') ++p;
        ok = ok && p < end && *p++ == '-';
        while (ok && p < end && *p == ' ') ++p;
        ok = ok && scan_clock(&p, end, &h1, &m1) && p == end && m0 < 60 && m1 < 60 &&
             h0 <= MAX_WINDOW_HOUR && h1 <= MAX_WINDOW_HOUR;
        if (ok) {
            *from = (int32_t)(h0 * 3600 + m0 * 60);
            *to = (int32_t)(h1 * 3600 + m1 * 60);
            if (*to <= *from)
                return fail_at(ld, mark_of(n), "'span': its end is not after its start");
            return SIM_OK;
        }
    }
    return fail_at(ld, mark_of(n), "'span': expected \"HH:MM-HH:MM\", found %s",
                   show_node(n, shown));
}

/* The service selection keys: at most one of ids, where, within. */
static sim_status parse_selection(const loader *ld, const fields *f, scn_change *ch,
                                  int required) {
    int n = !!f->val[K_IDS] + !!f->val[K_WHERE] + !!f->val[K_WITHIN];
    if (n > 1)
        return fail_at(ld, mark_of(f->map), "%s selects services by one of 'ids', 'where' or "
                       "'within', not several", CHANGE_NAMES[ch->kind]);
    if (n == 0 && required)
        return fail_at(ld, mark_of(f->map), "%s needs one of 'ids', 'where' or 'within' (which "
                       "services)", CHANGE_NAMES[ch->kind]);
    sim_status rc;
    if (f->val[K_IDS] && (rc = string_list(ld, f->val[K_IDS], "'ids'", &ch->ids, &ch->n_ids)))
        return rc;
    if ((rc = field_string(ld, f, K_WHERE, &ch->where))) return rc;
    if (f->val[K_WITHIN]) {
        ch->has_area = 1;
        return parse_area(ld, f->val[K_WITHIN], &ch->area);
    }
    return SIM_OK;
}

static sim_status change_modes(const loader *ld, const fields *f, const scn_config *c,
                               scn_change *ch) {
    ch->modes = 0;
    if (!f->val[K_MODES]) {
        for (int m = 0; m < SCN_STREET_MODE_COUNT; ++m) ch->modes |= 1u << m;
        return SIM_OK;
    }
    int modes[SCN_MODE_COUNT] = {0};
    scn_mark marks[SCN_MODE_COUNT];
    sim_status rc = parse_modes(ld, f->val[K_MODES], modes, marks);
    if (rc) return rc;
    for (int m = 0; m < SCN_MODE_COUNT; ++m) {
        if (!modes[m]) continue;
        if (m == SCN_MODE_TRANSIT)
            return fail_at(ld, marks[m], "%s applies to street modes (walk, bike, car), not "
                           "transit", CHANGE_NAMES[ch->kind]);
        if (!c->network.modes[m])
            return fail_at(ld, marks[m], "mode '%s' is not one of network.modes",
                           MODE_NAMES[m]);
        ch->modes |= 1u << m;
    }
    return SIM_OK;
}

static sim_status parse_points(const loader *ld, const yaml_node_t *n, scn_change *ch) {
    sim_status rc = need_seq(ld, n, "'points'");
    if (rc) return rc;
    size_t k = seq_len(n);
    if (!(ch->point_id = calloc(k, sizeof *ch->point_id)) ||
        !(ch->point_lon = malloc(k * sizeof(double))) ||
        !(ch->point_lat = malloc(k * sizeof(double))) ||
        !(ch->point_cap = malloc(k * sizeof(double))))
        return no_memory(ld);
    ch->n_points = k;
    for (size_t i = 0; i < k; ++i) {
        yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        fields f;
        if ((rc = read_fields(ld, item, "a point of 'points'", POINT_KEYS, COUNT_OF(POINT_KEYS),
                              &f)) ||
            (rc = need(ld, &f, K_ID, "a point of 'points'")) ||
            (rc = field_string(ld, &f, K_ID, &ch->point_id[i])) ||
            (rc = need(ld, &f, K_LON, "a point of 'points'")) ||
            (rc = need(ld, &f, K_LAT, "a point of 'points'")) ||
            (rc = node_number(ld, f.val[K_LON], "lon", &ch->point_lon[i])) ||
            (rc = node_number(ld, f.val[K_LAT], "lat", &ch->point_lat[i])))
            return rc;
        if (!(fabs(ch->point_lon[i]) <= 180 && fabs(ch->point_lat[i]) <= 90))
            return fail_at(ld, mark_of(item), "a point of 'points': (%g, %g) is not a longitude, "
                           "latitude in degrees", ch->point_lon[i], ch->point_lat[i]);
        ch->point_cap[i] = 1;
        if ((rc = field_number(ld, &f, K_CAPACITY, 0, &ch->point_cap[i]))) return rc;
    }
    return SIM_OK;
}

/* lonlat_point() reads a whole mapping with lon/lat only; points also carry id and capacity. */

static sim_status parse_stops(const loader *ld, const yaml_node_t *n, scn_change *ch) {
    sim_status rc = need_seq(ld, n, "'stops'");
    if (rc) return rc;
    size_t k = seq_len(n);
    if (k < 2) return fail_at(ld, mark_of(n), "'stops' needs at least 2 stops, found %zu", k);
    if (!(ch->stop_ids = calloc(k, sizeof *ch->stop_ids)) ||
        !(ch->stop_lon = calloc(k, sizeof(double))) || !(ch->stop_lat = calloc(k, sizeof(double))))
        return no_memory(ld);
    ch->n_stops = k;
    for (size_t i = 0; i < k; ++i) {
        yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        if (item->type == YAML_SCALAR_NODE) {
            if ((rc = node_string(ld, item, "a stop id", &ch->stop_ids[i]))) return rc;
        } else if ((rc = lonlat_point(ld, item, "a new stop", &ch->stop_lon[i],
                                      &ch->stop_lat[i]))) {
            return rc;
        }
    }
    return SIM_OK;
}

static sim_status parse_group_counts(const loader *ld, const yaml_node_t *n, const scn_config *c,
                                     scn_change *ch) {
    char shown[SHOW_BUF];
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(ld, mark_of(n), "expected a mapping { group: people, ... } for 'groups', "
                       "found %s", show_node(n, shown));
    if (!(ch->group_count = malloc((c->n_groups ? c->n_groups : 1) * sizeof(double))))
        return no_memory(ld);
    for (size_t g = 0; g < c->n_groups; ++g) ch->group_count[g] = NAN;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; ++p) {
        yaml_node_t *k = node_at(ld, p->key), *v = node_at(ld, p->value);
        size_t g = 0;
        while (g < c->n_groups && !scalar_is(k, c->groups[g].name)) ++g;
        if (g == c->n_groups) {
            char list[256] = "";
            for (size_t q = 0; q < c->n_groups; ++q) list_append(list, sizeof list, c->groups[q].name);
            return fail_at(ld, mark_of(k), "%s: group %s is not one of the population's groups "
                           "(%s)", CHANGE_NAMES[ch->kind], show_node(k, shown), list);
        }
        double people = 0;
        sim_status rc = node_number(ld, v, c->groups[g].name, &people);
        if (rc) return rc;
        if (!(people >= 0))
            return fail_at(ld, mark_of(v), "people to %s must be 0 or more, found %g",
                           ch->kind == SCN_CHANGE_ADD_POPULATION ? "add" : "remove", people);
        ch->group_count[g] = people;
    }
    return SIM_OK;
}

static sim_status parse_change(const loader *ld, yaml_node_t *item, const scn_config *c,
                               scn_change *ch) {
    char shown[SHOW_BUF];
    ch->capacity = ch->factor = ch->share = NAN;
    ch->start_s = ch->end_s = -1;
    ch->route_type = 3;
    if (item->type != YAML_MAPPING_NODE ||
        item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
        return fail_at(ld, mark_of(item), "a change is a mapping with one key ({ add_services: "
                       "{ ... } }), found %s", show_node(item, shown));
    yaml_node_t *name = node_at(ld, item->data.mapping.pairs.start->key);
    yaml_node_t *val = node_at(ld, item->data.mapping.pairs.start->value);
    int kind = 0;
    while (kind < SCN_CHANGE_COUNT && !scalar_is(name, CHANGE_NAMES[kind])) ++kind;
    if (kind == SCN_CHANGE_COUNT) {
        char list[400] = "", also[48] = "";
        for (int k = 0; k < SCN_CHANGE_COUNT; ++k) list_append(list, sizeof list, CHANGE_NAMES[k]);
        const char *hint = name->type == YAML_SCALAR_NODE
                               ? suggest_name(scalar_text(name), scalar_len(name), CHANGE_NAMES,
                                              SCN_CHANGE_COUNT)
                               : NULL;
        if (hint) snprintf(also, sizeof also, "did you mean '%s'? ", hint);
        return fail_at(ld, mark_of(name), "unknown change %s (%sexpected one of: %s)",
                       show_node(name, shown), also, list);
    }
    ch->kind = (scn_change_kind)kind;
    ch->mark = mark_of(name);
    const key_id *keys = CHANGE_KEYS[kind].keys;
    size_t nk = CHANGE_KEYS[kind].n;
    char what[48];
    snprintf(what, sizeof what, "'%s'", CHANGE_NAMES[kind]);
    fields f;
    sim_status rc = read_fields(ld, val, what, keys, nk, &f);
    if (rc) return rc;
    switch (ch->kind) {
    case SCN_CHANGE_ADD_SERVICES:
    case SCN_CHANGE_REMOVE_SERVICES:
    case SCN_CHANGE_MOVE_SERVICE:
    case SCN_CHANGE_SET_CAPACITY:
    case SCN_CHANGE_SET_ATTRIBUTES:
        if ((rc = need(ld, &f, K_SERVICE, what)) ||
            (rc = field_string(ld, &f, K_SERVICE, &ch->service)))
            return rc;
        break;
    default:
        break;
    }
    switch (ch->kind) {
    case SCN_CHANGE_ADD_SERVICES:
        if (!f.val[K_POINTS] == !f.val[K_SOURCE])
            return fail_at(ld, mark_of(val), "add_services needs exactly one of 'points' (inline) "
                           "or 'source' (a layer of new services)");
        if (f.val[K_POINTS]) {
            key_id wrong = first_in_file(&f, (const key_id[]){K_LAYER, K_ID, K_LON, K_LAT,
                                                              K_FILTER, K_CAPACITY}, 6);
            if (wrong != K_COUNT)
                return fail_at(ld, mark_of(f.key[wrong]), "'%s' goes with 'source', not with "
                               "'points' (give each point its own id and capacity)",
                               KEY_NAMES[wrong]);
            return parse_points(ld, f.val[K_POINTS], ch);
        }
        ch->has_layer = 1;
        if ((rc = parse_layer(ld, &f, what, &ch->layer))) return rc;
        return field_string(ld, &f, K_CAPACITY, &ch->capacity_field);
    case SCN_CHANGE_REMOVE_SERVICES:
        return parse_selection(ld, &f, ch, 1);
    case SCN_CHANGE_MOVE_SERVICE:
        if ((rc = need(ld, &f, K_ID, what)) || (rc = need(ld, &f, K_LON, what)) ||
            (rc = need(ld, &f, K_LAT, what)))
            return rc;
        if (!(ch->ids = calloc(1, sizeof *ch->ids))) return no_memory(ld);
        ch->n_ids = 1;
        if ((rc = field_string(ld, &f, K_ID, &ch->ids[0])) ||
            (rc = node_number(ld, f.val[K_LON], "lon", &ch->lon)) ||
            (rc = node_number(ld, f.val[K_LAT], "lat", &ch->lat)))
            return rc;
        if (!(fabs(ch->lon) <= 180 && fabs(ch->lat) <= 90))
            return fail_at(ld, mark_of(val), "move_service: (%g, %g) is not a longitude, latitude",
                           ch->lon, ch->lat);
        return SIM_OK;
    case SCN_CHANGE_SET_CAPACITY:
        if (!f.val[K_CAPACITY] == !f.val[K_FACTOR])
            return fail_at(ld, mark_of(val), "set_capacity needs exactly one of 'capacity' (the "
                           "new value) or 'factor' (a multiplier)");
        if ((rc = field_number(ld, &f, K_CAPACITY, 0, &ch->capacity)) ||
            (rc = field_number(ld, &f, K_FACTOR, 0, &ch->factor)))
            return rc;
        return parse_selection(ld, &f, ch, 0);
    case SCN_CHANGE_SET_ATTRIBUTES: {
        if ((rc = need(ld, &f, K_VALUES, what))) return rc;
        const yaml_node_t *v = f.val[K_VALUES];
        if (v->type != YAML_MAPPING_NODE || v->data.mapping.pairs.top == v->data.mapping.pairs.start)
            return fail_at(ld, mark_of(v), "'values' must be a mapping { field: value, ... }");
        size_t k = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        if (!(ch->attr_name = calloc(k, sizeof *ch->attr_name)) ||
            !(ch->attr_value = calloc(k, sizeof *ch->attr_value)))
            return no_memory(ld);
        ch->n_attrs = k;
        for (size_t i = 0; i < k; ++i) {
            yaml_node_t *kn = node_at(ld, v->data.mapping.pairs.start[i].key);
            yaml_node_t *vn = node_at(ld, v->data.mapping.pairs.start[i].value);
            if ((rc = node_string(ld, kn, "a field name", &ch->attr_name[i])) ||
                (rc = node_string(ld, vn, "a field value", &ch->attr_value[i])))
                return rc;
        }
        return parse_selection(ld, &f, ch, 1);
    }
    case SCN_CHANGE_CLOSE_WAYS:
        if (!f.val[K_WAYS] == !f.val[K_WITHIN])
            return fail_at(ld, mark_of(val), "close_ways needs exactly one of 'ways' (OSM way ids "
                           "or feature ids) or 'within' (an area)");
        if ((rc = change_modes(ld, &f, c, ch))) return rc;
        if (f.val[K_WITHIN]) {
            ch->has_area = 1;
            return parse_area(ld, f.val[K_WITHIN], &ch->area);
        }
        if ((rc = need_seq(ld, f.val[K_WAYS], "'ways'"))) return rc;
        ch->n_ways = seq_len(f.val[K_WAYS]);
        if (!(ch->way_ids = malloc(ch->n_ways * sizeof *ch->way_ids))) return no_memory(ld);
        for (size_t i = 0; i < ch->n_ways; ++i) {
            const yaml_node_t *w = node_at(ld, f.val[K_WAYS]->data.sequence.items.start[i]);
            double id = 0;
            if ((rc = node_number(ld, w, "ways", &id))) return rc;
            if (id != floor(id) || fabs(id) > 9e15)
                return fail_at(ld, mark_of(w), "'ways': %s is not a whole way id", scalar_text(w));
            ch->way_ids[i] = (int64_t)id;
        }
        return SIM_OK;
    case SCN_CHANGE_SPEED_FACTOR:
        if ((rc = need(ld, &f, K_WITHIN, what)) || (rc = need(ld, &f, K_FACTOR, what)) ||
            (rc = field_number(ld, &f, K_FACTOR, 1, &ch->factor)) ||
            (rc = change_modes(ld, &f, c, ch)))
            return rc;
        ch->has_area = 1;
        return parse_area(ld, f.val[K_WITHIN], &ch->area);
    case SCN_CHANGE_ADD_LINK:
        if ((rc = need(ld, &f, K_FROM, what)) || (rc = need(ld, &f, K_TO, what)) ||
            (rc = lonlat_point(ld, f.val[K_FROM], "'from'", &ch->lon, &ch->lat)) ||
            (rc = lonlat_point(ld, f.val[K_TO], "'to'", &ch->lon2, &ch->lat2)) ||
            (rc = change_modes(ld, &f, c, ch)))
            return rc;
        ch->speed_kmh = 0;
        return field_number(ld, &f, K_SPEED_KMH, 1, &ch->speed_kmh);
    case SCN_CHANGE_ADD_ROUTE:
    case SCN_CHANGE_SET_HEADWAY:
    case SCN_CHANGE_REMOVE_ROUTE: {
        if (!c->transit.set)
            return fail_at(ld, mark_of(name), "%s changes public transit, but the file has no "
                           "'transit:' block", CHANGE_NAMES[kind]);
        if ((rc = need(ld, &f, K_ROUTE, what)) || (rc = field_string(ld, &f, K_ROUTE, &ch->route)))
            return rc;
        if (f.val[K_SPAN] && (rc = span_value(ld, f.val[K_SPAN], &ch->start_s, &ch->end_s)))
            return rc;
        double headway = 0;
        if (f.val[K_HEADWAY_MIN]) {
            if ((rc = field_number(ld, &f, K_HEADWAY_MIN, 1, &headway))) return rc;
            if (headway * 60 != floor(headway * 60))
                return fail_at(ld, mark_of(f.val[K_HEADWAY_MIN]), "'headway_min' must be whole "
                               "seconds (e.g. 7.5)");
            ch->headway_s = (uint32_t)(headway * 60);
        }
        if (ch->kind == SCN_CHANGE_SET_HEADWAY) return need(ld, &f, K_HEADWAY_MIN, what);
        if (ch->kind == SCN_CHANGE_REMOVE_ROUTE) return SIM_OK;
        double rt = 3, dwell = 0;
        if ((rc = need(ld, &f, K_STOPS, what)) || (rc = parse_stops(ld, f.val[K_STOPS], ch)) ||
            (rc = field_number(ld, &f, K_ROUTE_TYPE, 0, &rt)) ||
            (rc = field_number(ld, &f, K_DWELL_S, 0, &dwell)) ||
            (rc = field_number(ld, &f, K_SPEED_KMH, 1, &ch->speed_kmh)))
            return rc;
        ch->route_type = (int)rt;
        ch->dwell_s = (uint32_t)lround(dwell);
        if (!f.val[K_HEADWAY_MIN] == !f.val[K_DEPARTURES])
            return fail_at(ld, mark_of(val), "add_route needs exactly one of 'headway_min' (with "
                           "'span') or 'departures' (a list of \"HH:MM\")");
        if (f.val[K_HEADWAY_MIN] && !f.val[K_SPAN])
            return fail_at(ld, mark_of(val), "add_route with 'headway_min' needs 'span' "
                           "(\"HH:MM-HH:MM\": when it runs)");
        if (!f.val[K_SPEED_KMH] == !f.val[K_HOP_MIN])
            return fail_at(ld, mark_of(val), "add_route needs exactly one of 'speed_kmh' or "
                           "'hop_min' (minutes between consecutive stops)");
        if (f.val[K_DEPARTURES]) {
            const yaml_node_t *d = f.val[K_DEPARTURES];
            if ((rc = need_seq(ld, d, "'departures'"))) return rc;
            ch->n_departures = seq_len(d);
            if (!(ch->departures_s = malloc(ch->n_departures * sizeof *ch->departures_s)))
                return no_memory(ld);
            for (size_t i = 0; i < ch->n_departures; ++i) {
                const yaml_node_t *t = node_at(ld, d->data.sequence.items.start[i]);
                if ((rc = clock_value(ld, t, "'departures'", &ch->departures_s[i]))) return rc;
                if (i && ch->departures_s[i] <= ch->departures_s[i - 1])
                    return fail_at(ld, mark_of(t), "'departures' must be in increasing order");
            }
        }
        if (f.val[K_HOP_MIN]) {
            const yaml_node_t *h = f.val[K_HOP_MIN];
            if ((rc = need_seq(ld, h, "'hop_min'"))) return rc;
            if (seq_len(h) != ch->n_stops - 1)
                return fail_at(ld, mark_of(h), "'hop_min' needs %zu values (one per hop between "
                               "the %zu stops), found %zu", ch->n_stops - 1, ch->n_stops,
                               seq_len(h));
            if (!(ch->hop_s = malloc((ch->n_stops - 1) * sizeof *ch->hop_s))) return no_memory(ld);
            for (size_t i = 0; i + 1 < ch->n_stops; ++i) {
                const yaml_node_t *t = node_at(ld, h->data.sequence.items.start[i]);
                double v = 0;
                if ((rc = node_number(ld, t, "hop_min", &v))) return rc;
                if (!(v > 0)) return fail_at(ld, mark_of(t), "'hop_min' values must be > 0");
                ch->hop_s[i] = (uint32_t)lround(v * 60);
            }
        }
        return SIM_OK;
    }
    case SCN_CHANGE_ADD_POPULATION:
    case SCN_CHANGE_REMOVE_POPULATION:
        if (!f.val[K_WITHIN] == !f.val[K_ORIGINS])
            return fail_at(ld, mark_of(val), "%s needs exactly one of 'within' (an area) or "
                           "'origins' (origin ids)", CHANGE_NAMES[kind]);
        if (ch->kind == SCN_CHANGE_REMOVE_POPULATION && !f.val[K_GROUPS] == !f.val[K_SHARE])
            return fail_at(ld, mark_of(val), "remove_population needs exactly one of 'groups' "
                           "(people per group) or 'share' (a fraction of everyone there)");
        if (ch->kind == SCN_CHANGE_ADD_POPULATION && (rc = need(ld, &f, K_GROUPS, what)))
            return rc;
        if (f.val[K_GROUPS] && (rc = parse_group_counts(ld, f.val[K_GROUPS], c, ch))) return rc;
        if (f.val[K_SHARE]) {
            if ((rc = field_number(ld, &f, K_SHARE, 1, &ch->share))) return rc;
            if (ch->share > 1)
                return fail_at(ld, mark_of(f.val[K_SHARE]), "'share' is a fraction 0 to 1");
        }
        if (f.val[K_ORIGINS])
            return string_list(ld, f.val[K_ORIGINS], "'origins'", &ch->origin_ids,
                               &ch->n_origin_ids);
        ch->has_area = 1;
        return parse_area(ld, f.val[K_WITHIN], &ch->area);
    case SCN_CHANGE_COUNT:
        break;
    }
    return SIM_OK;
}

static sim_status grow_scenarios(const loader *ld, scn_config *c, size_t *cap) {
    if (c->n_scenarios < *cap) return SIM_OK;
    size_t nc = *cap ? 2 * *cap : 8;
    scn_scenario *p = realloc(c->scenarios, nc * sizeof *p);
    if (!p) return no_memory(ld);
    memset(p + *cap, 0, (nc - *cap) * sizeof *p);
    c->scenarios = p;
    *cap = nc;
    return SIM_OK;
}

static sim_status parse_changes(const loader *ld, const yaml_node_t *n, const scn_config *c,
                                scn_scenario *s) {
    sim_status rc = need_seq(ld, n, "'changes'");
    if (rc) return rc;
    size_t k = seq_len(n);
    if (!(s->changes = calloc(k, sizeof *s->changes))) return no_memory(ld);
    for (size_t i = 0; i < k; ++i) {
        s->n_changes = i + 1;
        yaml_node_t *item = node_at(ld, n->data.sequence.items.start[i]);
        if ((rc = parse_change(ld, item, c, &s->changes[i]))) {
            /* name the scenario and the change in front of the message */
            char msg[SIM_ERROR_MSG_LEN];
            snprintf(msg, sizeof msg, "%s", ld->err->msg);
            if (s->changes[i].mark.line) /* the change's kind was read */
                sim_error_reset(ld->err, rc, "%s (scenario '%s', change %zu: %s)", msg, s->name,
                              i + 1, CHANGE_NAMES[s->changes[i].kind]);
            else
                sim_error_reset(ld->err, rc, "%s (scenario '%s', change %zu)", msg, s->name, i + 1);
            return rc;
        }
    }
    return SIM_OK;
}

static sim_status scenario_name(const loader *ld, const yaml_node_t *n, const char *text,
                                char **dst) {
    size_t len = strlen(text);
    size_t ok = strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
    if (len == 0 || len > MAX_NAME_LEN || ok != len || text[0] == '.')
        return fail_at(ld, mark_of(n), "scenario name \"%.*s\" must be 1 to %d characters among "
                       "A-Z, a-z, 0-9, '_', '-' and '.', not starting with '.' (it names the "
                       "scenario's output folder inside OUTDIR; no '/' or '..')",
                       (int)(len > SHOW_LEN ? SHOW_LEN : len), text, MAX_NAME_LEN);
    if (!strcmp(text, "baseline"))
        return fail_at(ld, mark_of(n), "'baseline' is the name of the unmodified city; give the "
                       "scenario another name");
    if (!(*dst = dup_opt(text))) return no_memory(ld);
    return SIM_OK;
}

static sim_status parse_scenario_list(const loader *ld, const yaml_node_t *n, scn_config *c,
                                      size_t *cap) {
    sim_status rc = need_seq(ld, n, "'scenarios'");
    if (rc) return rc;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         ++it) {
        yaml_node_t *item = node_at(ld, *it);
        fields f;
        if ((rc = read_fields(ld, item, "a scenario", SCENARIO_KEYS, COUNT_OF(SCENARIO_KEYS), &f)) ||
            (rc = need(ld, &f, K_NAME, "a scenario")) || (rc = grow_scenarios(ld, c, cap)))
            return rc;
        scn_scenario *s = &c->scenarios[c->n_scenarios++];
        char *raw = NULL;
        if ((rc = node_string(ld, f.val[K_NAME], "'name'", &raw))) return rc;
        rc = scenario_name(ld, f.val[K_NAME], raw, &s->name);
        free(raw);
        s->mark = mark_of(f.val[K_NAME]);
        if (rc || (rc = field_string(ld, &f, K_DESCRIPTION, &s->description))) return rc;
        /* a scenario without changes is the baseline again (useful as a check) */
        if (f.val[K_CHANGES] && !is_null(f.val[K_CHANGES]) &&
            (rc = parse_changes(ld, f.val[K_CHANGES], c, s)))
            return rc;
    }
    return SIM_OK;
}

/* `name` with every `$param` replaced by the parameter's current text. */
static sim_status expand_name(const loader *ld, const yaml_node_t *n, const char *tmpl,
                              char *out, size_t size) {
    size_t w = 0;
    for (const char *p = tmpl; *p;) {
        if (*p == '$') {
            size_t best = 0, len = 0;
            for (size_t k = 0; k < ld->n_params; ++k) {
                size_t l = strlen(ld->param_name[k]);
                if (!strncmp(p + 1, ld->param_name[k], l) && l > len) best = k, len = l;
            }
            if (len) {
                const yaml_node_t *v = ld->param_value[best];
                w += (size_t)snprintf(out + w, w < size ? size - w : 0, "%s", scalar_text(v));
                p += 1 + len;
                continue;
            }
        }
        if (w + 1 < size) out[w] = *p;
        ++w;
        ++p;
    }
    if (w >= size) return fail_at(ld, mark_of(n), "sweep name too long once expanded");
    out[w] = '\0';
    return SIM_OK;
}

static sim_status parse_sweep(loader *ld, yaml_node_t *item, scn_config *c, size_t sweep_no,
                              size_t *cap) {
    fields f;
    sim_status rc;
    char shown[SHOW_BUF];
    if ((rc = read_fields(ld, item, "a sweep", SWEEP_KEYS, COUNT_OF(SWEEP_KEYS), &f)) ||
        (rc = need(ld, &f, K_NAME, "a sweep")) || (rc = need(ld, &f, K_PARAMETERS, "a sweep")) ||
        (rc = need(ld, &f, K_CHANGES, "a sweep")))
        return rc;
    const yaml_node_t *pm = f.val[K_PARAMETERS], *nm = f.val[K_NAME];
    if (pm->type != YAML_MAPPING_NODE || pm->data.mapping.pairs.top == pm->data.mapping.pairs.start)
        return fail_at(ld, mark_of(pm), "'parameters' must be a mapping { name: [values], ... }");
    size_t np = (size_t)(pm->data.mapping.pairs.top - pm->data.mapping.pairs.start);
    if (np > 8) return fail_at(ld, mark_of(pm), "a sweep has at most 8 parameters");
    const char *names[8];
    yaml_node_t *lists[8], *cur[8];
    size_t len[8], idx[8] = {0}, total = 1;
    for (size_t k = 0; k < np; ++k) {
        yaml_node_t *kn = node_at(ld, pm->data.mapping.pairs.start[k].key);
        lists[k] = node_at(ld, pm->data.mapping.pairs.start[k].value);
        if (kn->type != YAML_SCALAR_NODE || is_null(kn) ||
            strspn(scalar_text(kn), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                scalar_len(kn))
            return fail_at(ld, mark_of(kn), "sweep parameter names are letters, digits and '_', "
                           "found %s", show_node(kn, shown));
        names[k] = scalar_text(kn);
        if ((rc = need_seq(ld, lists[k], "a sweep parameter's values"))) return rc;
        len[k] = seq_len(lists[k]);
        for (size_t i = 0; i < len[k]; ++i) {
            const yaml_node_t *v = node_at(ld, lists[k]->data.sequence.items.start[i]);
            if (v->type != YAML_SCALAR_NODE || is_null(v))
                return fail_at(ld, mark_of(v), "sweep values are numbers or strings, found %s",
                               show_node(v, shown));
        }
        total = total > SIZE_MAX / len[k] ? SIZE_MAX : total * len[k];
    }
    if (nm->type != YAML_SCALAR_NODE || !strchr(scalar_text(nm), '$'))
        return fail_at(ld, mark_of(nm), "a sweep's 'name' must use its parameters ($name) so "
                       "that each scenario it makes has a name of its own");
    if (total > c->largest_sweep) {
        c->largest_sweep = total;
        c->largest_sweep_mark = mark_of(item);
    }
    if (total > 100000)
        return fail_at(ld, mark_of(pm), "the sweep makes %zu scenarios; at most 100000", total);
    ld->n_params = np;
    ld->param_name = names;
    ld->param_value = cur;
    for (size_t made = 0; made < total && !rc; ++made) {
        for (size_t k = 0; k < np; ++k) cur[k] = node_at(ld, lists[k]->data.sequence.items.start[idx[k]]);
        char name[MAX_NAME_LEN * 2 + 8];
        if ((rc = expand_name(ld, nm, scalar_text(nm), name, sizeof name)) ||
            (rc = grow_scenarios(ld, c, cap)))
            break;
        scn_scenario *s = &c->scenarios[c->n_scenarios++];
        s->sweep = (int)sweep_no + 1;
        s->mark = mark_of(nm);
        if ((rc = scenario_name(ld, nm, name, &s->name)) ||
            (rc = field_string(ld, &f, K_DESCRIPTION, &s->description)) ||
            (rc = parse_changes(ld, f.val[K_CHANGES], c, s)))
            break;
        for (size_t k = np; k-- > 0;) { /* the last parameter varies fastest */
            if (++idx[k] < len[k]) break;
            idx[k] = 0;
        }
    }
    ld->n_params = 0;
    ld->param_name = NULL;
    ld->param_value = NULL;
    return rc;
}

static sim_status parse_scenarios(loader *ld, const yaml_node_t *scen, const yaml_node_t *sweeps,
                                  scn_config *c) {
    size_t cap = 0;
    sim_status rc;
    if (scen && !is_null(scen) && (rc = parse_scenario_list(ld, scen, c, &cap))) return rc;
    if (sweeps && !is_null(sweeps)) {
        if ((rc = need_seq(ld, sweeps, "'sweeps'"))) return rc;
        for (size_t i = 0; i < seq_len(sweeps); ++i)
            if ((rc = parse_sweep(ld, node_at(ld, sweeps->data.sequence.items.start[i]), c, i,
                                  &cap)))
                return rc;
    }
    /* names are folder names: unique, also where file systems fold case */
    for (size_t i = 0; i < c->n_scenarios; ++i)
        for (size_t j = 0; j < i; ++j)
            if (!strcasecmp(c->scenarios[i].name, c->scenarios[j].name))
                return fail_at(ld, c->scenarios[i].mark, "duplicate scenario name '%s' (first at "
                               "%d:%d%s)", c->scenarios[i].name, c->scenarios[j].mark.line,
                               c->scenarios[j].mark.col,
                               strcmp(c->scenarios[i].name, c->scenarios[j].name)
                                   ? "; names differing only in case would share a folder"
                                   : "");
    return SIM_OK;
}

static void area_free(scn_area *a) {
    free(a->lon);
    free(a->lat);
    free(a->source);
    free(a->layer);
}

static void strings_free(char **s, size_t n) {
    if (!s) return;
    for (size_t i = 0; i < n; ++i) free(s[i]);
    free(s);
}

static void change_free(scn_change *ch) {
    free(ch->service);
    strings_free(ch->point_id, ch->n_points);
    free(ch->point_lon);
    free(ch->point_lat);
    free(ch->point_cap);
    free(ch->layer.source);
    free(ch->layer.layer);
    free(ch->layer.id);
    free(ch->layer.lon);
    free(ch->layer.lat);
    free(ch->layer.filter);
    free(ch->capacity_field);
    strings_free(ch->ids, ch->n_ids);
    free(ch->where);
    area_free(&ch->area);
    strings_free(ch->attr_name, ch->n_attrs);
    strings_free(ch->attr_value, ch->n_attrs);
    free(ch->way_ids);
    free(ch->route);
    strings_free(ch->stop_ids, ch->n_stops);
    free(ch->stop_lon);
    free(ch->stop_lat);
    free(ch->departures_s);
    free(ch->hop_s);
    free(ch->group_count);
    strings_free(ch->origin_ids, ch->n_origin_ids);
}

/* ---- file and YAML -------------------------------------------------------------------------- */

static sim_status read_file(const char *path, char **text, size_t *len, sim_error *err) {
    *text = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return sim_error_set(err, SIM_EIO, "%s: cannot open: %s", path, strerror(errno));
    sim_status rc = SIM_OK;
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap ? cap * 2 : 4096);
            if (!bigger) {
                rc = sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = bigger;
            cap = cap ? cap * 2 : 4096;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        if (got == 0) {
            if (ferror(fp))
                rc = sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
        n += got;
        if (n > MAX_FILE_BYTES) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: too large for a scenario file (more than %zu MiB)", path,
                               MAX_FILE_BYTES >> 20);
            break;
        }
    }
    fclose(fp);
    if (rc) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return SIM_OK;
}

/* Can `c` come just before the start of a YAML token (so a quote or bracket there is syntax,
 * not part of a plain scalar such as `it's` or `a[1]`)? */
static int before_token(char c) {
    return c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '[' || c == '{' || c == ',' ||
           c == ':' || c == '-' || c == '?';
}

/* libyaml's scanner takes time quadratic in the depth of flow collections (`[[[[...`): a few
 * MiB of brackets would hang it. No scenario nests more than a few levels, so refuse deep flow
 * nesting before libyaml sees the text. The count skips comments and quoted text and counts
 * only brackets that start a token; it is approximate, but can only err on files nested far
 * deeper than the schema allows, and libyaml still judges everything else. */
static sim_status check_flow_depth(const loader *ld, const char *text, size_t len) {
    scn_mark m = {1, 1};
    int depth = 0;
    char prev = '\n';
    for (size_t i = 0; i < len; prev = text[i], ++i) {
        char ch = text[i];
        if (before_token(prev) && (ch == '"' || ch == '\'')) {
            /* skip to the closing quote: \x escapes in "...", '' in '...' */
            for (++i; i < len && text[i] != ch; ++i) {
                if (ch == '"' && text[i] == '\\' && i + 1 < len) ++i;
                if (ch == '\'' && text[i] == '\'' && i + 1 < len && text[i + 1] == '\'') ++i;
            }
            if (i >= len) break;
        } else if (ch == '#' && (prev == ' ' || prev == '\t' || prev == '\n' || prev == '\r')) {
            while (i + 1 < len && text[i + 1] != '\n') ++i;
        } else if ((ch == '[' || ch == '{') && before_token(prev)) {
            if (++depth > MAX_FLOW_DEPTH) {
                /* the mark of text[i], counted in characters like libyaml's */
                for (size_t j = 0; j < i; ++j) {
                    if (text[j] == '\n') m.line++, m.col = 1;
                    else if (((unsigned char)text[j] & 0xC0) != 0x80) m.col++;
                }
                return fail_at(ld, m, "'[' or '{' nested more than %d deep", MAX_FLOW_DEPTH);
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            --depth;
        }
    }
    return SIM_OK;
}

/* libyaml's own words and place. Reader errors (bad encoding) only give a byte offset. */
static sim_status yaml_failure(const loader *ld, const yaml_parser_t *p, const char *text) {
    if (p->error == YAML_MEMORY_ERROR) return no_memory(ld);
    scn_mark m = mark_from(p->problem_mark);
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        m.line = m.col = 1;
        for (size_t i = 0; i < p->problem_offset && text[i]; ++i) {
            if (text[i] == '\n') m.line++, m.col = 1;
            else if (((unsigned char)text[i] & 0xC0) != 0x80) m.col++;
        }
        if (p->problem_value != -1)
            return fail_at(ld, m, "invalid YAML: %s (byte 0x%02X)", problem,
                           (unsigned)p->problem_value);
        return fail_at(ld, m, "invalid YAML: %s", problem);
    }
    if (p->context) {
        scn_mark cm = mark_from(p->context_mark);
        return fail_at(ld, m, "invalid YAML: %s (%s at %d:%d)", problem, p->context, cm.line,
                       cm.col);
    }
    return fail_at(ld, m, "invalid YAML: %s", problem);
}

sim_status scn_config_load(const char *path, scn_config **out, sim_error *err) {
    assert(path && out);
    *out = NULL;
    scn_config *c = NULL;
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    int have_parser = 0, have_doc = 0, have_extra = 0;
    loader ld = {path, NULL, &doc, err, 0, NULL, NULL};
    char *text = NULL;
    size_t len = 0;
    sim_status rc = read_file(path, &text, &len, err);
    if (rc) goto done;

    if (!yaml_parser_initialize(&parser)) {
        rc = no_memory(&ld);
        goto done;
    }
    have_parser = 1;
    if ((rc = check_flow_depth(&ld, text, len))) goto done;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) { /* libyaml frees the partial document */
        rc = yaml_failure(&ld, &parser, text);
        goto done;
    }
    have_doc = 1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        rc = fail_at(&ld, (scn_mark){1, 1}, "the scenario file is empty");
        goto done;
    }
    /* A second document would be silently ignored: refuse it (and report YAML errors in it). */
    if (!yaml_parser_load(&parser, &extra)) {
        rc = yaml_failure(&ld, &parser, text);
        goto done;
    }
    have_extra = 1;
    if (yaml_document_get_root_node(&extra)) {
        rc = fail_at(&ld, mark_from(extra.start_mark),
                     "only one YAML document is allowed in a scenario file");
        goto done;
    }

    if (!(c = calloc(1, sizeof *c)) || !(c->path = dup_opt(path)) ||
        !(c->dir = dir_of(path)) || !(c->name = stem_of(path)) ||
        !(c->thresholds_min = malloc(COUNT_OF(DEFAULT_THRESHOLDS_MIN) *
                                     sizeof *c->thresholds_min))) {
        rc = no_memory(&ld);
        goto done;
    }
    ld.dir = c->dir;
    c->network.modes[SCN_MODE_WALK] = 1;
    geo_profile_defaults(&c->profile);
    c->network.snap_distance_m = 500;
    c->network.join_tolerance_m = 0.5;
    c->grid_m = 100;
    memcpy(c->thresholds_min, DEFAULT_THRESHOLDS_MIN, sizeof DEFAULT_THRESHOLDS_MIN);
    c->n_thresholds = COUNT_OF(DEFAULT_THRESHOLDS_MIN);
    c->equity.poverty_line_min = 30;
    c->equity.poverty_share = 0.5;
    if ((rc = parse_root(&ld, root, c))) goto done;

    *out = c;
    c = NULL;
done:
    scn_config_destroy(c);
    if (have_extra) yaml_document_delete(&extra);
    if (have_doc) yaml_document_delete(&doc);
    if (have_parser) yaml_parser_delete(&parser);
    free(text);
    return rc;
}

static void layer_free(scn_layer *l) {
    free(l->source);
    free(l->layer);
    free(l->id);
    free(l->lon);
    free(l->lat);
    free(l->filter);
}

void scn_config_destroy(scn_config *c) {
    if (!c) return;
    free(c->path);
    free(c->dir);
    free(c->name);
    free(c->crs);
    free(c->network.source);
    free(c->network.layer);
    free(c->network.nodes);
    free(c->network.edges);
    free(c->network.nodes_layer);
    free(c->network.edges_layer);
    free(c->network.node_id);
    free(c->network.lon);
    free(c->network.lat);
    free(c->network.from);
    free(c->network.to);
    free(c->network.length);
    free(c->network.time);
    layer_free(&c->population);
    layer_free(&c->allocate.layer);
    free(c->allocate.weight);
    for (size_t i = 0; i < c->n_groups; ++i) {
        free(c->groups[i].name);
        free(c->groups[i].field);
        free(c->groups[i].eligible_all);
        for (size_t j = 0; j < c->groups[i].n_eligible; ++j) {
            free(c->groups[i].eligible_kind[j]);
            free(c->groups[i].eligible_filter[j]);
        }
        free(c->groups[i].eligible_kind);
        free(c->groups[i].eligible_filter);
        free(c->groups[i].eligible_kind_mark);
    }
    free(c->groups);
    for (size_t i = 0; i < c->n_services; ++i) {
        free(c->services[i].kind);
        layer_free(&c->services[i].layer);
        free(c->services[i].capacity);
        free(c->services[i].type_field);
    }
    free(c->services);
    free(c->thresholds_min);
    for (size_t i = 0; i < c->n_measures; ++i) {
        scn_measure *m = &c->measures[i];
        free(m->name);
        free((void *)m->decay.steps_min); /* owned by the config (config.h) */
        free((void *)m->decay.weights);
        free(m->demand_group);
    }
    free(c->measures);
    free(c->equity.total_group);
    free(c->equity.rank_by);
    for (size_t i = 0; i < c->transit.n_feeds; ++i) free(c->transit.feeds[i]);
    free(c->transit.feeds);
    free(c->transit.feed_marks);
    free(c->transit.percentiles);
    for (size_t i = 0; i < c->n_scenarios; ++i) {
        scn_scenario *sc = &c->scenarios[i];
        free(sc->name);
        free(sc->description);
        for (size_t j = 0; j < sc->n_changes; ++j) change_free(&sc->changes[j]);
        free(sc->changes);
    }
    free(c->scenarios);
    free(c);
}
