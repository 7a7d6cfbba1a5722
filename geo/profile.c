#include "geo/profile.h"

#include <stdio.h>
#include <string.h>

const char *geo_tags_get(const geo_tags *t, const char *key) {
    for (size_t i = 0; i < t->n; ++i)
        if (t->keys[i] && strcmp(t->keys[i], key) == 0) return t->values[i];
    return NULL;
}

static int in_list(const char *v, const char *const *list) {
    if (!v) return 0;
    for (; *list; ++list)
        if (strcmp(v, *list) == 0) return 1;
    return 0;
}

static const char *const WALK_HIGHWAYS[] = {
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
    "unclassified", "residential", "road", "living_street", "service", "track", "path", "steps",
    "pedestrian", "footway", "pier", "platform", "corridor", "cycleway", "bridleway", "busway",
    NULL};
static const char *const FAST_HIGHWAYS[] = {"motorway", "motorway_link", "trunk", "trunk_link",
                                            NULL};
static const char *const FOOT_YES[] = {"yes", "designated", "permissive", "official", NULL};
static const char *const FOOT_NO[] = {"no", "use_sidepath", "private", "discouraged", NULL};
static const char *const ACCESS_NO[] = {"no", "private", "agricultural", "forestry", "delivery",
                                        "military", NULL};

geo_walk_verdict geo_walk_allowed(const geo_tags *t) {
    const char *hw = geo_tags_get(t, "highway");
    if (!hw || !*hw) return GEO_WALK_NO_HIGHWAY;
    const char *foot = geo_tags_get(t, "foot");
    if (in_list(foot, FOOT_NO)) return GEO_WALK_FORBIDDEN;
    int foot_yes = in_list(foot, FOOT_YES);
    if (in_list(hw, FAST_HIGHWAYS)) return foot_yes ? GEO_WALK_OK : GEO_WALK_HIGHWAY_KIND;
    if (!in_list(hw, WALK_HIGHWAYS)) return GEO_WALK_HIGHWAY_KIND;
    if (!foot_yes && in_list(geo_tags_get(t, "access"), ACCESS_NO)) return GEO_WALK_FORBIDDEN;
    return GEO_WALK_OK;
}

/* Reads one quoted token starting at *p (which must point at '"'); returns its start. */
static char *hstore_token(char **p) {
    char *s = *p;
    if (*s != '"') return NULL;
    char *start = ++s, *w = s;
    while (*s && *s != '"') {
        if (*s == '\\' && s[1]) ++s;
        *w++ = *s++;
    }
    if (*s != '"') return NULL;
    *w = '\0';
    *p = s + 1;
    return start;
}

size_t geo_hstore_parse(char *text, const char **keys, const char **values, size_t max) {
    size_t n = 0;
    char *p = text;
    while (p && *p) {
        while (*p == ' ' || *p == ',') ++p;
        if (!*p) break;
        char *k = hstore_token(&p);
        if (!k) break;
        while (*p == ' ') ++p;
        if (p[0] != '=' || p[1] != '>') break;
        p += 2;
        while (*p == ' ') ++p;
        char *v = NULL;
        if (strncmp(p, "NULL", 4) == 0) {
            p += 4;
        } else if (!(v = hstore_token(&p))) {
            break;
        }
        if (n < max) {
            keys[n] = k;
            values[n] = v;
            ++n;
        }
    }
    return n;
}

/* ---- highway classes ------------------------------------------------------------------------ */

static const char *const HIGHWAY_NAMES[GEO_HW_COUNT] = {
    [GEO_HW_MOTORWAY] = "motorway",
    [GEO_HW_MOTORWAY_LINK] = "motorway_link",
    [GEO_HW_TRUNK] = "trunk",
    [GEO_HW_TRUNK_LINK] = "trunk_link",
    [GEO_HW_PRIMARY] = "primary",
    [GEO_HW_PRIMARY_LINK] = "primary_link",
    [GEO_HW_SECONDARY] = "secondary",
    [GEO_HW_SECONDARY_LINK] = "secondary_link",
    [GEO_HW_TERTIARY] = "tertiary",
    [GEO_HW_TERTIARY_LINK] = "tertiary_link",
    [GEO_HW_UNCLASSIFIED] = "unclassified",
    [GEO_HW_RESIDENTIAL] = "residential",
    [GEO_HW_LIVING_STREET] = "living_street",
    [GEO_HW_SERVICE] = "service",
    [GEO_HW_ROAD] = "road",
    [GEO_HW_TRACK] = "track",
    [GEO_HW_PATH] = "path",
    [GEO_HW_FOOTWAY] = "footway",
    [GEO_HW_CYCLEWAY] = "cycleway",
    [GEO_HW_BRIDLEWAY] = "bridleway",
    [GEO_HW_PEDESTRIAN] = "pedestrian",
    [GEO_HW_STEPS] = "steps",
    [GEO_HW_OTHER] = "other",
};

const char *geo_highway_name(geo_highway h) {
    if ((unsigned)h >= (unsigned)GEO_HW_COUNT) return HIGHWAY_NAMES[GEO_HW_OTHER];
    return HIGHWAY_NAMES[h];
}

geo_highway geo_highway_of(const char *value) {
    if (!value) return GEO_HW_OTHER;
    for (int h = 0; h < GEO_HW_OTHER; ++h)
        if (strcmp(value, HIGHWAY_NAMES[h]) == 0) return (geo_highway)h;
    return GEO_HW_OTHER;
}

/* ---- defaults ------------------------------------------------------------------------------- */

/* A maxspeed of "none" (no general limit, e.g. German motorways) counts as this many km/h: the
 * German advisory speed (Richtgeschwindigkeit). OSRM's car profile uses 140. */
#define UNLIMITED_KMH 130.0

/* Walking pace for maxspeed=walk (German "Schrittgeschwindigkeit", 4-7 km/h in case law). */
#define WALK_PACE_KMH 5.0

/* Implausible maxspeed values are typing errors, not limits. */
#define MAX_MAXSPEED_KMH 300.0

void geo_profile_defaults(geo_profile *p) {
    memset(p, 0, sizeof *p);
    p->walk_kmh = 4.5; /* as the walking slice; OSRM foot.lua uses 5 */
    p->bike_kmh = 15;  /* OSRM bicycle.lua default_speed */
    /* OSRM car.lua `speeds.highway`; road and track are our additions (see docs/PROFILES.md).
     * Classes left at 0 are never driven on. */
    static const struct {
        geo_highway h;
        double kmh;
    } CAR[] = {
        {GEO_HW_MOTORWAY, 90},      {GEO_HW_MOTORWAY_LINK, 45},  {GEO_HW_TRUNK, 85},
        {GEO_HW_TRUNK_LINK, 40},    {GEO_HW_PRIMARY, 65},        {GEO_HW_PRIMARY_LINK, 30},
        {GEO_HW_SECONDARY, 55},     {GEO_HW_SECONDARY_LINK, 25}, {GEO_HW_TERTIARY, 40},
        {GEO_HW_TERTIARY_LINK, 20}, {GEO_HW_UNCLASSIFIED, 25},   {GEO_HW_RESIDENTIAL, 25},
        {GEO_HW_LIVING_STREET, 10}, {GEO_HW_SERVICE, 15},        {GEO_HW_ROAD, 25},
        {GEO_HW_TRACK, 10},
    };
    for (size_t i = 0; i < sizeof CAR / sizeof CAR[0]; ++i)
        p->car_highway_kmh[CAR[i].h] = CAR[i].kmh;
    p->car_factor = 1.0;
    p->car_maxspeed_factor = 0.8; /* OSRM car.lua speed_reduction */
    p->use_maxspeed = 1;
}

/* ---- maxspeed ------------------------------------------------------------------------------- */

/* Country-specific defaults written as maxspeed=CC:type (lower-cased here), where they differ
 * from the generic ones below. From OSRM car.lua's maxspeed_table and the OSM wiki page
 * "Default speed limits"; -1 means no general limit ("none"). */
static const struct {
    const char *key;
    double kmh;
} COUNTRY_KMH[] = {
    {"at:rural", 100},
    {"at:trunk", 100},
    {"be:motorway", 120},
    {"be-vlg:rural", 70},
    {"be-bru:rural", 70},
    {"be-bru:urban", 30},
    {"ch:rural", 80},
    {"ch:trunk", 100},
    {"ch:motorway", 120},
    {"cz:trunk", 110},
    {"cz:motorway", 130},
    {"de:living_street", 7},
    {"de:rural", 100},
    {"de:bicycle_road", 30},
    {"de:motorway", -1},
    {"dk:rural", 80},
    {"es:motorway", 120},
    {"fi:rural", 80},
    {"fi:motorway", 120},
    {"fr:rural", 80},
    {"gb:nsl_restricted", 30 * 1.609344},
    {"gb:nsl_single", 60 * 1.609344},
    {"gb:nsl_dual", 70 * 1.609344},
    {"gb:motorway", 70 * 1.609344},
    {"uk:nsl_restricted", 30 * 1.609344},
    {"uk:nsl_single", 60 * 1.609344},
    {"uk:nsl_dual", 70 * 1.609344},
    {"uk:motorway", 70 * 1.609344},
    {"nl:rural", 80},
    {"nl:trunk", 100},
    {"pl:rural", 90},
    {"pl:trunk", 120},
    {"pl:motorway", 140},
    {"pt:trunk", 100},
    {"pt:motorway", 120},
    {"ru:living_street", 20},
    {"ru:urban", 60},
    {"ru:motorway", 110},
};

/* The defaults for any country not listed above (OSRM's maxspeed_table_default, plus
 * living_street, which is 20 km/h in most countries that define it). */
static const struct {
    const char *type;
    double kmh;
} GENERIC_KMH[] = {
    {"urban", 50}, {"rural", 90}, {"trunk", 110}, {"motorway", 130}, {"living_street", 20},
};

/* Reads a plain decimal number ("50", "7.5") at *s, advancing past it; -1 if there is none.
 * Hand-rolled rather than strtod, which depends on the locale and accepts hex and "inf". */
static double read_decimal(const char **s) {
    const char *p = *s;
    double v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; ++p, ++digits) v = v * 10 + (*p - '0');
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        double scale = 0.1;
        for (++p; *p >= '0' && *p <= '9'; ++p, scale /= 10) v += (*p - '0') * scale;
    }
    if (!digits) return -1;
    *s = p;
    return v;
}

/* "cc:type" or "cc-region:type" (lower case): the country table, then the country without its
 * region, then the generic type. Zones ("de:zone30", "fr:zone:30") carry their number. */
static double country_kmh(const char *key, int *unlimited) {
    const char *colon = strchr(key, ':');
    if (!colon || colon == key) return -1;
    const char *type = colon + 1;
    if (strncmp(type, "zone", 4) == 0) {
        const char *p = type + 4;
        if (*p == ':') ++p;
        double v = read_decimal(&p);
        return *p == '\0' ? v : -1;
    }
    char shorter[64];
    const char *dash = memchr(key, '-', (size_t)(colon - key));
    const char *tries[2] = {key, NULL};
    if (dash && snprintf(shorter, sizeof shorter, "%.*s%s", (int)(dash - key), key, colon) <
                    (int)sizeof shorter)
        tries[1] = shorter;
    for (int t = 0; t < 2 && tries[t]; ++t)
        for (size_t i = 0; i < sizeof COUNTRY_KMH / sizeof COUNTRY_KMH[0]; ++i)
            if (strcmp(tries[t], COUNTRY_KMH[i].key) == 0) {
                if (COUNTRY_KMH[i].kmh > 0) return COUNTRY_KMH[i].kmh;
                *unlimited = 1;
                return 0;
            }
    for (size_t i = 0; i < sizeof GENERIC_KMH / sizeof GENERIC_KMH[0]; ++i)
        if (strcmp(type, GENERIC_KMH[i].type) == 0) return GENERIC_KMH[i].kmh;
    return -1;
}

double geo_maxspeed_kmh(const char *value, int *unlimited) {
    int unused;
    if (!unlimited) unlimited = &unused;
    *unlimited = 0;
    if (!value) return -1;
    /* the first of a ';' list, without surrounding blanks, lower-cased */
    while (*value == ' ') ++value;
    size_t n = strcspn(value, ";");
    while (n > 0 && value[n - 1] == ' ') --n;
    char v[64];
    if (n == 0 || n >= sizeof v) return -1;
    for (size_t i = 0; i < n; ++i)
        v[i] = (char)(value[i] >= 'A' && value[i] <= 'Z' ? value[i] - 'A' + 'a' : value[i]);
    v[n] = '\0';

    if (strcmp(v, "none") == 0) {
        *unlimited = 1;
        return 0;
    }
    if (strcmp(v, "walk") == 0) return WALK_PACE_KMH;
    if (v[0] >= '0' && v[0] <= '9') {
        const char *p = v;
        double kmh = read_decimal(&p);
        while (*p == ' ') ++p;
        if (strcmp(p, "mph") == 0)
            kmh *= 1.609344;
        else if (strcmp(p, "knots") == 0)
            kmh *= 1.852;
        else if (*p && strcmp(p, "km/h") != 0 && strcmp(p, "kmh") != 0 && strcmp(p, "kph") != 0)
            return -1;
        return kmh > 0 && kmh <= MAX_MAXSPEED_KMH ? kmh : -1;
    }
    double kmh = country_kmh(v, unlimited);
    return *unlimited || (kmh > 0 && kmh <= MAX_MAXSPEED_KMH) ? kmh : -1;
}

/* ---- tag helpers ---------------------------------------------------------------------------- */

/* The value of the first of `keys` present on the way (the most specific one, listed first). */
static const char *first_tag(const geo_tags *t, const char *const *keys) {
    for (; *keys; ++keys) {
        const char *v = geo_tags_get(t, *keys);
        if (v && *v) return v;
    }
    return NULL;
}

typedef enum {
    ONEWAY_UNSET = 0, /* absent or not understood: the way's class decides */
    ONEWAY_NO,
    ONEWAY_FWD,
    ONEWAY_BWD,
    ONEWAY_REVERSIBLE, /* direction changes a few times a day */
    ONEWAY_ALTERNATING /* direction changes every few minutes (signals at a narrow bridge) */
} oneway_kind;

/* "True"/"False" are not OSM values but Python's, as OSMnx/pandas write them into edge tables. */
static oneway_kind oneway_of(const char *v) {
    static const char *const FWD[] = {"yes", "true", "1", "True", NULL};
    static const char *const BWD[] = {"-1", "reverse", NULL};
    static const char *const NO[] = {"no", "false", "0", "False", NULL};
    if (in_list(v, FWD)) return ONEWAY_FWD;
    if (in_list(v, BWD)) return ONEWAY_BWD;
    if (in_list(v, NO)) return ONEWAY_NO;
    if (v && strcmp(v, "reversible") == 0) return ONEWAY_REVERSIBLE;
    if (v && strcmp(v, "alternating") == 0) return ONEWAY_ALTERNATING;
    return ONEWAY_UNSET;
}

/* Roundabouts and motorways are one-way without a oneway tag (OSRM's implied oneway). */
static int implied_oneway(const geo_tags *t, geo_highway hw) {
    static const char *const CIRCLES[] = {"roundabout", "circular", NULL};
    return hw == GEO_HW_MOTORWAY || in_list(geo_tags_get(t, "junction"), CIRCLES);
}

static void set_direction(geo_way_access *out, oneway_kind k) {
    out->fwd = k != ONEWAY_BWD;
    out->bwd = k != ONEWAY_FWD;
}

/* ---- walk ----------------------------------------------------------------------------------- */

static void walk_access(const geo_tags *t, const geo_profile *p, geo_way_access *out) {
    if (geo_walk_allowed(t) != GEO_WALK_OK) return;
    /* Pedestrians ignore oneway=*, which binds vehicles; only oneway:foot binds them. */
    oneway_kind k = oneway_of(geo_tags_get(t, "oneway:foot"));
    set_direction(out, k == ONEWAY_FWD || k == ONEWAY_BWD ? k : ONEWAY_NO);
    out->speed_kmh = p->walk_kmh;
}

/* ---- bike ----------------------------------------------------------------------------------- */

static const char *const BIKE_ACCESS_KEYS[] = {"bicycle", "vehicle", "access", NULL};
static const char *const BIKE_NO[] = {"no",       "private",      "agricultural", "forestry",
                                      "delivery", "use_sidepath", "military",     NULL};
static const char *const BIKE_YES[] = {"yes", "designated", "permissive", "official", NULL};
/* Where a cyclist cannot ride but may walk the bicycle (OSRM's pedestrian_speeds and
 * platform/pier); highway=corridor is indoors, like a footway. */
static const char *const PUSH_OTHER[] = {"platform", "pier", "corridor", NULL};
static const char *const CYCLEWAY_KEYS[] = {"cycleway", "cycleway:left", "cycleway:right",
                                            "cycleway:both", NULL};

/* cycleway[:side]=opposite, opposite_lane, opposite_track, ...: cycling against the oneway. */
static int has_contraflow(const geo_tags *t) {
    for (const char *const *k = CYCLEWAY_KEYS; *k; ++k) {
        const char *v = geo_tags_get(t, *k);
        if (v && strncmp(v, "opposite", 8) == 0) return 1;
    }
    return 0;
}

static void bike_access(const geo_tags *t, geo_highway hw, const geo_profile *p,
                        geo_way_access *out) {
    if (in_list(first_tag(t, BIKE_ACCESS_KEYS), BIKE_NO)) return;
    const char *bicycle = geo_tags_get(t, "bicycle");
    int bicycle_yes = in_list(bicycle, BIKE_YES);
    int ride = 0, push = 0;
    switch (hw) {
    case GEO_HW_MOTORWAY:
    case GEO_HW_MOTORWAY_LINK:
    case GEO_HW_TRUNK:
    case GEO_HW_TRUNK_LINK:
    case GEO_HW_BRIDLEWAY:
        ride = bicycle_yes;
        break;
    case GEO_HW_FOOTWAY:
    case GEO_HW_PEDESTRIAN:
        ride = bicycle_yes;
        push = !bicycle_yes;
        break;
    case GEO_HW_STEPS: /* carried or pushed up a ramp, even with bicycle=yes */
        push = 1;
        break;
    case GEO_HW_OTHER:
        push = in_list(geo_tags_get(t, "highway"), PUSH_OTHER);
        break;
    default: /* the ordinary streets, service roads, tracks, paths and cycleways */
        ride = 1;
        break;
    }
    if (bicycle && strcmp(bicycle, "dismount") == 0) ride = 0, push = 1;

    if (ride) {
        oneway_kind k = oneway_of(geo_tags_get(t, "oneway:bicycle"));
        if (k != ONEWAY_FWD && k != ONEWAY_BWD && k != ONEWAY_NO) {
            k = oneway_of(geo_tags_get(t, "oneway"));
            /* reversible and alternating ways stay two-way for bicycles, as in OSRM */
            if (k != ONEWAY_FWD && k != ONEWAY_BWD && k != ONEWAY_NO)
                k = implied_oneway(t, hw) ? ONEWAY_FWD : ONEWAY_NO;
            if (has_contraflow(t)) k = ONEWAY_NO;
        }
        set_direction(out, k);
        out->speed_kmh = p->bike_kmh;
    } else if (push) {
        walk_access(t, p, out); /* pushing a bicycle is walking */
    }
}

/* ---- car ------------------------------------------------------------------------------------ */

static const char *const CAR_ACCESS_KEYS[] = {"motorcar", "motor_vehicle", "vehicle", "access",
                                              NULL};
static const char *const CAR_NO[] = {"no",  "private", "agricultural", "forestry", "emergency",
                                     "psv", "bus",     "delivery",     "military", "use_sidepath",
                                     NULL};
/* A track is driven on only with one of these (OSRM drives on any highway=* whose access tag is
 * not blacklisted, at its default 10 km/h). */
static const char *const CAR_OPEN[] = {"yes",         "designated", "permissive", "official",
                                       "destination", "customers",  NULL};
static const char *const CAR_ONEWAY_KEYS[] = {"oneway:motorcar", "oneway:motor_vehicle",
                                              "oneway:vehicle", "oneway", NULL};

/* The parsed maxspeed for one direction: `dir_key` (maxspeed:forward/backward) or maxspeed.
 * Returns km/h (UNLIMITED_KMH for "none"), 0 when untagged, -1 when not understood. */
static double direction_maxspeed(const geo_tags *t, const char *dir_key, const char **raw) {
    const char *v = geo_tags_get(t, dir_key);
    if (!v || !*v) v = geo_tags_get(t, "maxspeed");
    *raw = v;
    if (!v || !*v) return 0;
    int unlimited;
    double kmh = geo_maxspeed_kmh(v, &unlimited);
    return unlimited ? UNLIMITED_KMH : kmh;
}

static void car_access(const geo_tags *t, geo_highway hw, const geo_profile *p, geo_way_access *out,
                       geo_profile_stats *stats) {
    const char *access = first_tag(t, CAR_ACCESS_KEYS);
    if (!(p->car_highway_kmh[hw] > 0) || in_list(access, CAR_NO)) return;
    if (hw == GEO_HW_TRACK && !in_list(access, CAR_OPEN)) return;
    const char *service = geo_tags_get(t, "service");
    if (service && strcmp(service, "emergency_access") == 0) return;

    oneway_kind k = oneway_of(first_tag(t, CAR_ONEWAY_KEYS));
    /* Reversible ways change direction with the time of day; like OSRM, do not use them.
     * Alternating ones (every few minutes) are two-way, the wait unmodelled, as in OSRM. */
    if (k == ONEWAY_REVERSIBLE) return;
    if (k != ONEWAY_FWD && k != ONEWAY_BWD && k != ONEWAY_NO)
        k = implied_oneway(t, hw) ? ONEWAY_FWD : ONEWAY_NO;
    set_direction(out, k);

    double kmh = p->car_highway_kmh[hw];
    if (p->use_maxspeed) {
        /* One speed per way: the slower of the open directions' limits (maxspeed:forward and
         * :backward only differ on a few two-way roads). */
        const char *raw[2], *bad = NULL;
        double limit[2] = {direction_maxspeed(t, "maxspeed:forward", &raw[0]),
                           direction_maxspeed(t, "maxspeed:backward", &raw[1])};
        uint8_t open[2] = {out->fwd, out->bwd};
        double best = 0;
        for (int d = 0; d < 2; ++d) {
            if (!open[d]) continue;
            if (limit[d] < 0 && !bad) bad = raw[d];
            if (limit[d] > 0 && (best == 0 || limit[d] < best)) best = limit[d];
        }
        if (bad && stats) {
            if (stats->maxspeed_unparsed++ == 0)
                snprintf(stats->maxspeed_example, sizeof stats->maxspeed_example, "%s", bad);
        }
        if (best > 0) kmh = best * p->car_maxspeed_factor;
    }
    out->speed_kmh = kmh * p->car_factor;
}

/* ---- every mode ----------------------------------------------------------------------------- */

void geo_way_access_for(const geo_tags *t, geo_mode m, const geo_profile *p, geo_way_access *out,
                        geo_profile_stats *stats) {
    out->fwd = out->bwd = 0;
    out->speed_kmh = 0;
    const char *hw_value = geo_tags_get(t, "highway");
    if (!hw_value || !*hw_value) return;
    geo_highway hw = geo_highway_of(hw_value);
    switch (m) {
    case GEO_MODE_WALK:
        walk_access(t, p, out);
        break;
    case GEO_MODE_BIKE:
        bike_access(t, hw, p, out);
        break;
    case GEO_MODE_CAR:
        car_access(t, hw, p, out, stats);
        break;
    default:
        break;
    }
    if (!out->fwd && !out->bwd) out->speed_kmh = 0;
}
