/*
 * Tests for geo/profile.c: the walking rules of the foot profile, one tag combination per case,
 * and the parser for GDAL's OSM `other_tags` hstore text.
 */
#include "geo/profile.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"

/* Verdict for tags given as "k=v" strings (at most 8). */
static geo_walk_verdict walk_(const char *const *kv, size_t n) {
    static char buf[8][64];
    const char *keys[8], *vals[8];
    for (size_t i = 0; i < n && i < 8; ++i) {
        snprintf(buf[i], sizeof buf[i], "%s", kv[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        keys[i] = buf[i];
        vals[i] = eq + 1;
    }
    geo_tags t = {keys, vals, n};
    return geo_walk_allowed(&t);
}
#define WALK(...)                                                                                  \
    walk_((const char *const[]){__VA_ARGS__},                                                      \
          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void test_tags_get(void) {
    const char *keys[] = {"highway", NULL, "foot"};
    const char *vals[] = {"residential", "ignored", "yes"};
    geo_tags t = {keys, vals, 3};
    CHECK_STR_EQ(geo_tags_get(&t, "highway"), "residential");
    CHECK_STR_EQ(geo_tags_get(&t, "foot"), "yes");
    CHECK(geo_tags_get(&t, "access") == NULL);
    CHECK(geo_tags_get(&t, "Highway") == NULL); /* keys are case-sensitive, as in OSM */
    geo_tags empty = {NULL, NULL, 0};
    CHECK(geo_tags_get(&empty, "highway") == NULL);
}

static void test_ordinary_streets_and_paths(void) {
    static const char *const OK[] = {
        "highway=primary",       "highway=primary_link", "highway=secondary",
        "highway=tertiary",      "highway=unclassified", "highway=residential",
        "highway=living_street", "highway=service",      "highway=track",
        "highway=path",          "highway=steps",        "highway=pedestrian",
        "highway=footway",       "highway=cycleway",     "highway=bridleway",
        "highway=road",
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; ++i) {
        geo_walk_verdict v = walk_(&OK[i], 1);
        if (v != GEO_WALK_OK) fprintf(stderr, "  %s: verdict %d\n", OK[i], (int)v);
        CHECK_EQ_INT(v, GEO_WALK_OK);
    }
}

static void test_fast_roads(void) {
    CHECK_EQ_INT(WALK("highway=motorway"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=motorway_link"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=trunk"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=trunk_link"), GEO_WALK_HIGHWAY_KIND);
    /* an explicit foot permission opens them */
    CHECK_EQ_INT(WALK("highway=motorway", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("foot=designated", "highway=trunk"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=trunk_link", "foot=permissive"), GEO_WALK_OK);
    /* anything else in foot does not */
    CHECK(WALK("highway=motorway", "foot=no") != GEO_WALK_OK);
    CHECK(WALK("highway=trunk", "foot=use_sidepath") != GEO_WALK_OK);
    CHECK(WALK("highway=motorway", "access=yes") != GEO_WALK_OK);
}

static void test_foot_no(void) {
    CHECK_EQ_INT(WALK("highway=residential", "foot=no"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=primary", "foot=use_sidepath"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=footway", "foot=private"), GEO_WALK_FORBIDDEN);
    /* foot=no wins over an access=yes */
    CHECK_EQ_INT(WALK("access=yes", "highway=path", "foot=no"), GEO_WALK_FORBIDDEN);
    /* other foot values leave an ordinary street open */
    CHECK_EQ_INT(WALK("highway=residential", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=residential", "foot=designated"), GEO_WALK_OK);
}

static void test_access(void) {
    CHECK_EQ_INT(WALK("highway=service", "access=private"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=no"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=agricultural"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=forestry"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=service", "access=delivery"), GEO_WALK_FORBIDDEN);
    /* foot overrides access */
    CHECK_EQ_INT(WALK("highway=service", "access=private", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("foot=designated", "access=no", "highway=track"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=permissive"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=destination"), GEO_WALK_OK);
}

static void test_not_streets(void) {
    CHECK_EQ_INT(WALK("highway=construction"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=proposed"), GEO_WALK_HIGHWAY_KIND);
    /* foot=yes on a construction site does not open it */
    CHECK(WALK("highway=construction", "foot=yes") != GEO_WALK_OK);
    CHECK(WALK("highway=proposed", "foot=designated") != GEO_WALK_OK);
    /* unknown values */
    CHECK_EQ_INT(WALK("highway=raceway"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=no_such_value"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=Residential"),
                 GEO_WALK_HIGHWAY_KIND); /* OSM values are lower case */
    /* no highway at all */
    CHECK_EQ_INT(WALK("railway=rail"), GEO_WALK_NO_HIGHWAY);
    CHECK_EQ_INT(WALK("waterway=river", "foot=yes"), GEO_WALK_NO_HIGHWAY);
    CHECK_EQ_INT(WALK("highway="), GEO_WALK_NO_HIGHWAY);
    geo_tags none = {NULL, NULL, 0};
    CHECK_EQ_INT(geo_walk_allowed(&none), GEO_WALK_NO_HIGHWAY);
}

/* ---- geo_hstore_parse -------------------------------------------------------------------------
 */

static int points_into(const char *p, const char *buf, size_t size) {
    return p >= buf && p < buf + size;
}

static void test_hstore_basic(void) {
    char text[] = "\"highway\"=>\"residential\",\"name\"=>\"Rua A\",\"foot\"=>\"yes\"";
    const char *k[8], *v[8];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 8), 3);
    CHECK_STR_EQ(k[0], "highway");
    CHECK_STR_EQ(v[0], "residential");
    CHECK_STR_EQ(k[1], "name");
    CHECK_STR_EQ(v[1], "Rua A");
    CHECK_STR_EQ(k[2], "foot");
    CHECK_STR_EQ(v[2], "yes");
    /* parsed in place: the pointers point into the text */
    for (int i = 0; i < 3; ++i) {
        CHECK(points_into(k[i], text, sizeof text));
        CHECK(points_into(v[i], text, sizeof text));
    }
}

static void test_hstore_escapes_commas_nulls(void) {
    /* GDAL writes ", " between pairs; values may hold commas, "=>", escaped quotes and
     * backslashes; NULL (unquoted) is a value-less key. */
    char text[] = "\"name\"=>\"Rua \\\"A\\\", B\",\"foot\"=>NULL, \"note\"=>\"a\\\\b, c=>d\","
                  "\"empty\"=>\"\",\"access\"=>\"no\"";
    const char *k[8], *v[8];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 8), 5);
    CHECK_STR_EQ(k[0], "name");
    CHECK_STR_EQ(v[0], "Rua \"A\", B");
    CHECK_STR_EQ(k[1], "foot");
    CHECK(v[1] == NULL);
    CHECK_STR_EQ(k[2], "note");
    CHECK_STR_EQ(v[2], "a\\b, c=>d");
    CHECK_STR_EQ(k[3], "empty");
    CHECK_STR_EQ(v[3], "");
    CHECK_STR_EQ(k[4], "access");
    CHECK_STR_EQ(v[4], "no");

    /* the parsed pairs work as tags: access=no forbids, the NULL foot is absent */
    const char *keys[9] = {"highway"}, *vals[9] = {"service"};
    for (int i = 0; i < 5; ++i) {
        keys[i + 1] = k[i];
        vals[i + 1] = v[i];
    }
    geo_tags t = {keys, vals, 6};
    CHECK(geo_tags_get(&t, "foot") == NULL);
    CHECK_EQ_INT(geo_walk_allowed(&t), GEO_WALK_FORBIDDEN);
}

static void test_hstore_escaped_key_and_spaces(void) {
    char text[] = "  \"a\\\"b\" => \"1\" ,  \"c\"=>\"2\"  ";
    const char *k[4], *v[4];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 4), 2);
    CHECK_STR_EQ(k[0], "a\"b");
    CHECK_STR_EQ(v[0], "1");
    CHECK_STR_EQ(k[1], "c");
    CHECK_STR_EQ(v[1], "2");
}

static void test_hstore_max(void) {
    char text[] = "\"a\"=>\"1\",\"b\"=>\"2\",\"c\"=>\"3\"";
    const char *k[4] = {0}, *v[4] = {0};
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 2), 2);
    CHECK_STR_EQ(k[0], "a");
    CHECK_STR_EQ(v[0], "1");
    CHECK_STR_EQ(k[1], "b");
    CHECK_STR_EQ(v[1], "2");
    CHECK(k[2] == NULL && v[2] == NULL); /* nothing written past max */

    char text2[] = "\"a\"=>\"1\"";
    k[0] = NULL;
    CHECK_EQ_INT(geo_hstore_parse(text2, k, v, 0), 0);
    CHECK(k[0] == NULL);
}

static void test_hstore_empty_and_malformed(void) {
    const char *k[4], *v[4];
    char empty[] = "";
    CHECK_EQ_INT(geo_hstore_parse(empty, k, v, 4), 0);
    /* stops at the first malformed pair, keeping what came before */
    char bad1[] = "\"a\"=>\"1\",b=>\"2\"";
    CHECK_EQ_INT(geo_hstore_parse(bad1, k, v, 4), 1);
    CHECK_STR_EQ(k[0], "a");
    char bad2[] = "\"a\"=>\"unterminated";
    CHECK_EQ_INT(geo_hstore_parse(bad2, k, v, 4), 0);
    char bad3[] = "\"a\"->\"1\"";
    CHECK_EQ_INT(geo_hstore_parse(bad3, k, v, 4), 0);
    /* a trailing backslash inside an unterminated value does not read past the text */
    char bad4[] = "\"a\"=>\"x\\";
    CHECK_EQ_INT(geo_hstore_parse(bad4, k, v, 4), 0);
}

int main(void) {
    geo_init();
    test_tags_get();
    test_ordinary_streets_and_paths();
    test_fast_roads();
    test_foot_no();
    test_access();
    test_not_streets();
    test_hstore_basic();
    test_hstore_escapes_commas_nulls();
    test_hstore_escaped_key_and_spaces();
    test_hstore_max();
    test_hstore_empty_and_malformed();
    return CHECK_DONE();
}
