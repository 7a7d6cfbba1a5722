/*
 * Tests for scenarios/config.c: scenario files are written to a fresh temporary folder, loaded,
 * and checked field by field; every error case checks the status, the exact `path:line:col: `
 * prefix (worked out by hand from the YAML text) and a fragment of the message.
 */
#define _POSIX_C_SOURCE 200809L

#include "scenarios/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char tmp_dir[1024]; /* made by main(), removed at the end */

/* Writes `text` to tmp_dir/name and returns that path (in `path`, PATH_LEN bytes). */
#define PATH_LEN 1200
static const char *write_scenario(const char *name, const char *text, char *path) {
    snprintf(path, PATH_LEN, "%s/%s", tmp_dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fwrite(text, 1, strlen(text), fp);
    fclose(fp);
    return path;
}

/* Loads `text` saved as `name`; fails the test (and returns NULL) unless that succeeds. */
static scn_config *load_ok(const char *name, const char *text) {
    char path[PATH_LEN];
    sim_error err = {0};
    scn_config *c = NULL;
    sim_status rc = scn_config_load(write_scenario(name, text, path), &c, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) fprintf(stderr, "  unexpected error: %s\n", err.msg);
    CHECK(rc == SIM_OK ? c != NULL : c == NULL);
    return c;
}

/* `tmp_dir/rel` into `out`, for checking resolved paths. */
static const char *in_tmp(const char *rel, char *out) {
    snprintf(out, PATH_LEN, "%s/%s", tmp_dir, rel);
    return out;
}

static void expect_error_(int src_line, const char *text, sim_status code, int line, int col,
                          const char *fragment) {
    int failed_before = check_failures;
    char path[PATH_LEN], prefix[PATH_LEN + 32];
    sim_error err = {0};
    scn_config *c = (scn_config *)&err; /* any non-NULL value: load must reset it */
    write_scenario("bad.yaml", text, path);
    sim_status rc = scn_config_load(path, &c, &err);
    CHECK_EQ_INT(rc, code);
    CHECK_EQ_INT(err.code, code);
    CHECK(c == NULL);
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, line, col);
    CHECK_EQ_INT(strncmp(err.msg, prefix, strlen(prefix)), 0);
    CHECK_STR_CONTAINS(err.msg, fragment);
    if (check_failures != failed_before)
        fprintf(stderr, "  ^ in the case at line %d; message: %s\n", src_line, err.msg);
}
#define expect_error(text, code, line, col, fragment)                                              \
    expect_error_(__LINE__, text, code, line, col, fragment)

/* Three lines that make a valid file; error cases replace one of them. */
#define NET "network: {source: n.pbf}\n"
#define POP "population: {source: p.csv, groups: {all: pop}}\n"
#define SRV "services: {clinic: {source: c.csv}}\n"

/* ---- valid files ---------------------------------------------------------------------------- */

static void test_full_file(void) {
    scn_config *c = load_ok("full.yaml",
                            "name: poa-health\n"                              /* 1 */
                            "crs: EPSG:31982\n"                               /* 2 */
                            "network:\n"                                      /* 3 */
                            "  source: ../data/city.osm.pbf\n"                /* 4 */
                            "  layer: lines\n"                                /* 5 */
                            "  modes: [walk]\n"                               /* 6 */
                            "  walk_speed_kmh: 5\n"                           /* 7 */
                            "  snap_distance_m: 250.5\n"                      /* 8 */
                            "  join_tolerance_m: 0\n"                         /* 9 */
                            "population:\n"                                   /* 10 */
                            "  source: /abs/areas.gpkg\n"                     /* 11 */
                            "  layer: areas\n"                                /* 12 */
                            "  id: area_id\n"                                 /* 13 */
                            "  lon: x\n"                                      /* 14 */
                            "  lat: y\n"                                      /* 15 */
                            "  filter: \"pop > 0\"\n"                         /* 16 */
                            "  groups: { everyone: pop_total, migrants: pop_migrant }\n" /* 17 */
                            "services:\n"                                     /* 18 */
                            "  clinic: { source: s.csv, layer: l, id: sid, lon: lo, lat: la,"
                            " filter: \"healthcare > 0\", capacity: healthcare }\n" /* 19 */
                            "  school:\n"                                     /* 20 */
                            "    source: sub/schools.geojson\n"               /* 21 */
                            "output:\n"                                       /* 22 */
                            "  grid_m: 50\n"                                  /* 23 */
                            "  thresholds_min: [10, 20, 45]\n");              /* 24 */
    if (!c) return;
    char want[PATH_LEN];
    CHECK_STR_EQ(c->path, in_tmp("full.yaml", want));
    CHECK_STR_EQ(c->dir, tmp_dir);
    CHECK_STR_EQ(c->name, "poa-health");
    CHECK_STR_EQ(c->crs, "EPSG:31982");

    CHECK_STR_EQ(c->network.source, in_tmp("../data/city.osm.pbf", want));
    CHECK_STR_EQ(c->network.layer, "lines");
    CHECK_EQ_INT(c->network.modes[SCN_MODE_WALK], 1);
    CHECK_NEAR(c->network.walk_speed_kmh, 5.0, 0);
    CHECK_NEAR(c->network.snap_distance_m, 250.5, 0);
    CHECK_NEAR(c->network.join_tolerance_m, 0.0, 0);
    CHECK_EQ_INT(c->network.mark.line, 4);
    CHECK_EQ_INT(c->network.mark.col, 11);

    CHECK_STR_EQ(c->population.source, "/abs/areas.gpkg"); /* absolute: unchanged */
    CHECK_STR_EQ(c->population.layer, "areas");
    CHECK_STR_EQ(c->population.id, "area_id");
    CHECK_STR_EQ(c->population.lon, "x");
    CHECK_STR_EQ(c->population.lat, "y");
    CHECK_STR_EQ(c->population.filter, "pop > 0");
    CHECK_EQ_INT(c->population.mark.line, 11);
    CHECK_EQ_INT(c->population.mark.col, 11);
    CHECK_EQ_INT(c->n_groups, 2);
    if (c->n_groups == 2) {
        CHECK_STR_EQ(c->groups[0].name, "everyone");
        CHECK_STR_EQ(c->groups[0].field, "pop_total");
        CHECK_EQ_INT(c->groups[0].mark.line, 17);
        CHECK_EQ_INT(c->groups[0].mark.col, 23); /* the field value */
        CHECK_STR_EQ(c->groups[1].name, "migrants");
        CHECK_STR_EQ(c->groups[1].field, "pop_migrant");
        CHECK_EQ_INT(c->groups[1].mark.col, 44);
    }

    CHECK_EQ_INT(c->n_services, 2);
    if (c->n_services == 2) {
        const scn_service *s = &c->services[0];
        CHECK_STR_EQ(s->kind, "clinic");
        CHECK_STR_EQ(s->layer.source, in_tmp("s.csv", want));
        CHECK_STR_EQ(s->layer.layer, "l");
        CHECK_STR_EQ(s->layer.id, "sid");
        CHECK_STR_EQ(s->layer.lon, "lo");
        CHECK_STR_EQ(s->layer.lat, "la");
        CHECK_STR_EQ(s->layer.filter, "healthcare > 0");
        CHECK_STR_EQ(s->capacity, "healthcare");
        CHECK(s->type_field == NULL);
        CHECK_EQ_INT(s->mark.line, 19);
        CHECK_EQ_INT(s->mark.col, 3);
        CHECK_EQ_INT(s->layer.mark.line, 19);
        CHECK_EQ_INT(s->layer.mark.col, 21);
        s = &c->services[1];
        CHECK_STR_EQ(s->kind, "school");
        CHECK_STR_EQ(s->layer.source, in_tmp("sub/schools.geojson", want));
        CHECK(s->layer.layer == NULL && s->layer.id == NULL && s->capacity == NULL);
        CHECK_EQ_INT(s->mark.line, 20);
    }

    CHECK_NEAR(c->grid_m, 50.0, 0);
    CHECK_EQ_INT(c->n_thresholds, 3);
    if (c->n_thresholds == 3) {
        CHECK_EQ_U32(c->thresholds_min[0], 10);
        CHECK_EQ_U32(c->thresholds_min[1], 20);
        CHECK_EQ_U32(c->thresholds_min[2], 45);
    }
    scn_config_destroy(c);
}

static void test_defaults(void) {
    scn_config *c = load_ok("my.city.yaml", NET POP SRV);
    if (!c) return;
    CHECK_STR_EQ(c->name, "my.city"); /* file name without its last extension */
    CHECK(c->crs == NULL);
    CHECK(c->network.layer == NULL);
    CHECK_EQ_INT(c->network.modes[SCN_MODE_WALK], 1);
    CHECK_NEAR(c->network.walk_speed_kmh, 4.5, 0);
    CHECK_NEAR(c->network.snap_distance_m, 500, 0);
    CHECK_NEAR(c->network.join_tolerance_m, 0.5, 0);
    CHECK(c->population.layer == NULL && c->population.id == NULL);
    CHECK(c->population.lon == NULL && c->population.lat == NULL);
    CHECK(c->population.filter == NULL);
    CHECK_NEAR(c->grid_m, 100, 0);
    CHECK_EQ_INT(c->n_thresholds, 2);
    if (c->n_thresholds == 2) {
        CHECK_EQ_U32(c->thresholds_min[0], 15);
        CHECK_EQ_U32(c->thresholds_min[1], 30);
    }
    CHECK_EQ_INT(c->n_services, 1);
    CHECK(c->services[0].capacity == NULL && c->services[0].type_field == NULL);
    scn_config_destroy(c);
}

/* Relative scenario paths: the folder is kept as given, "." means "leave sources alone". */
static void test_relative_scenario_path(void) {
    char old_cwd[PATH_LEN], path[PATH_LEN];
    int moved = getcwd(old_cwd, sizeof old_cwd) && chdir(tmp_dir) == 0;
    CHECK(moved);
    if (!moved) return;
    char sub[PATH_LEN + 8];
    snprintf(sub, sizeof sub, "%s/sub", tmp_dir);
    mkdir(sub, 0700);
    write_scenario("sub/rel.yaml", NET POP SRV, path);
    write_scenario("rel.yaml", NET POP SRV, path);
    sim_error err = {0};
    scn_config *c = NULL;
    CHECK_EQ_INT(scn_config_load("sub//rel.yaml", &c, &err), SIM_OK);
    if (c) {
        CHECK_STR_EQ(c->dir, "sub");
        CHECK_STR_EQ(c->network.source, "sub/n.pbf");
        CHECK_STR_EQ(c->name, "rel");
        scn_config_destroy(c);
    }
    c = NULL;
    CHECK_EQ_INT(scn_config_load("rel.yaml", &c, &err), SIM_OK);
    if (c) {
        CHECK_STR_EQ(c->dir, ".");
        CHECK_STR_EQ(c->network.source, "n.pbf");
        CHECK_STR_EQ(c->population.source, "p.csv");
        scn_config_destroy(c);
    }
    remove("sub/rel.yaml");
    remove("rel.yaml");
    rmdir(sub);
    CHECK_EQ_INT(chdir(old_cwd), 0);
}

static void test_services_form_a_keeps_order(void) {
    scn_config *c = load_ok("a.yaml", NET POP
                            "services:\n"
                            "  zeta: {source: z.csv}\n"
                            "  alpha: {source: a.csv, capacity: beds}\n"
                            "  mid-1: {source: m.csv}\n");
    if (!c) return;
    CHECK_EQ_INT(c->n_services, 3);
    if (c->n_services == 3) {
        CHECK_STR_EQ(c->services[0].kind, "zeta");
        CHECK_STR_EQ(c->services[1].kind, "alpha");
        CHECK_STR_EQ(c->services[1].capacity, "beds");
        CHECK_STR_EQ(c->services[2].kind, "mid-1");
        CHECK_EQ_INT(c->services[2].mark.line, 6);
    }
    scn_config_destroy(c);
}

static void test_services_form_b_with_kinds(void) {
    char want[PATH_LEN];
    scn_config *c = load_ok("b.yaml", NET POP
                            "services:\n"                  /* 3 */
                            "  source: pois/all.gpkg\n"    /* 4 */
                            "  layer: pois\n"              /* 5 */
                            "  kinds: [clinic, school]\n"  /* 6 */
                            "  type_field: amenity\n"      /* 7 */
                            "  capacity: beds\n"           /* 8 */
                            "  filter: \"open = 1\"\n"     /* 9 */
                            "  id: osm_id\n");             /* 10 */
    if (!c) return;
    CHECK_EQ_INT(c->n_services, 2);
    for (size_t i = 0; i < c->n_services && i < 2; ++i) {
        const scn_service *s = &c->services[i];
        CHECK_STR_EQ(s->kind, i == 0 ? "clinic" : "school");
        CHECK_STR_EQ(s->type_field, "amenity");
        CHECK_STR_EQ(s->capacity, "beds");
        CHECK_STR_EQ(s->layer.source, in_tmp("pois/all.gpkg", want));
        CHECK_STR_EQ(s->layer.layer, "pois");
        CHECK_STR_EQ(s->layer.filter, "open = 1");
        CHECK_STR_EQ(s->layer.id, "osm_id");
        CHECK(s->layer.lon == NULL && s->layer.lat == NULL);
        CHECK_EQ_INT(s->layer.mark.line, 4);
        CHECK_EQ_INT(s->mark.line, 6);
        CHECK_EQ_INT(s->mark.col, i == 0 ? 11 : 19); /* the kind in the list */
    }
    scn_config_destroy(c);
}

static void test_services_form_b_without_kinds(void) {
    scn_config *c = load_ok("b2.yaml", NET POP
                            "services: {type_field: kind, source: s.csv, lon: x, lat: y}\n");
    if (!c) return;
    CHECK_EQ_INT(c->n_services, 1);
    if (c->n_services == 1) {
        CHECK(c->services[0].kind == NULL);
        CHECK_STR_EQ(c->services[0].type_field, "kind");
        CHECK_STR_EQ(c->services[0].layer.lon, "x");
        CHECK_STR_EQ(c->services[0].layer.lat, "y");
        CHECK(c->services[0].capacity == NULL);
        CHECK_EQ_INT(c->services[0].mark.line, 3); /* the type_field value */
        CHECK_EQ_INT(c->services[0].mark.col, 24);
    }
    scn_config_destroy(c);
}

static void test_anchors_and_aliases(void) {
    char want[PATH_LEN];
    scn_config *c = load_ok("alias.yaml",
                            "network: {source: n.pbf}\n"
                            "population: {source: &grid hex.csv, id: &id cell,"
                            " groups: {all: pop}}\n"
                            "services:\n"
                            "  clinic: {source: *grid, id: *id, capacity: healthcare}\n"
                            "  school: {source: *grid, id: *id, capacity: schools}\n");
    if (!c) return;
    CHECK_STR_EQ(c->population.source, in_tmp("hex.csv", want));
    CHECK_EQ_INT(c->n_services, 2);
    if (c->n_services == 2) {
        CHECK_STR_EQ(c->services[0].layer.source, want);
        CHECK_STR_EQ(c->services[1].layer.source, want);
        CHECK_STR_EQ(c->services[1].layer.id, "cell");
    }
    scn_config_destroy(c);
}

static void test_modes_and_destroy(void) {
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_WALK), "walk");
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_COUNT), "unknown");
    scn_config_destroy(NULL);
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_unreadable_file(void) {
    char path[PATH_LEN], want[PATH_LEN + 64];
    sim_error err = {0};
    scn_config *c = (scn_config *)&err;
    in_tmp("missing.yaml", path);
    CHECK_EQ_INT(scn_config_load(path, &c, &err), SIM_EIO);
    CHECK(c == NULL);
    snprintf(want, sizeof want, "%s: cannot open: %s", path, strerror(ENOENT));
    CHECK_STR_EQ(err.msg, want);

    /* a folder opens on POSIX but cannot be read */
    sim_error err2 = {0};
    c = (scn_config *)&err2;
    CHECK_EQ_INT(scn_config_load(tmp_dir, &c, &err2), SIM_EIO);
    CHECK(c == NULL);
    CHECK_STR_CONTAINS(err2.msg, tmp_dir);
}

static void test_invalid_yaml(void) {
    expect_error("network: [a, b\n", SIM_EPARSE, 2, 1,
                 "invalid YAML: did not find expected ',' or ']' (while parsing a flow "
                 "sequence at 1:10)");
    expect_error("network: x\n  source: y\n", SIM_EPARSE, 2, 9,
                 "invalid YAML: mapping values are not allowed in this context");
    expect_error(NET "name: \xff\n", SIM_EPARSE, 2, 7, "invalid leading UTF-8 octet (byte 0xFF)");
    expect_error(NET "population: {source: *nowhere}\n", SIM_EPARSE, 2, 22,
                 "found undefined alias");
    expect_error("", SIM_EPARSE, 1, 1, "the scenario file is empty");
    expect_error("# only a comment\n", SIM_EPARSE, 1, 1, "the scenario file is empty");
    expect_error(NET POP SRV "---\n" NET, SIM_EPARSE, 4, 1, "only one YAML document");
}

/* libyaml is quadratic in flow nesting depth, so deep nesting is refused up front. */
static void test_deep_nesting(void) {
    char text[512];
    int n = snprintf(text, sizeof text, NET "name: ");
    for (int i = 0; i < 65; ++i) text[n++] = '[';
    text[n] = '\0';
    expect_error(text, SIM_EPARSE, 2, 71, "'[' or '{' nested more than 64 deep");

    /* brackets in quotes, comments and plain words do not count */
    char many[80];
    memset(many, '[', 70);
    many[70] = '\0';
    snprintf(text, sizeof text,
             NET POP SRV "name: \"%s\"\ncrs: '%s'' x'\n# %s\noutput: {thresholds_min: [5]} # %s\n",
             many, many, many, many);
    scn_config *c = load_ok("deep.yaml", text);
    if (c) CHECK_EQ_INT(strlen(c->name), 70);
    scn_config_destroy(c);
}

static void test_top_level_not_mapping(void) {
    expect_error("- network\n- population\n", SIM_EPARSE, 1, 1,
                 "the scenario file must be a mapping of keys");
    expect_error("just text\n", SIM_EPARSE, 1, 1, "found 'just text'");
}

static void test_unknown_keys(void) {
    expect_error("netwrk: {source: n.pbf}\n" POP SRV, SIM_EPARSE, 1, 1,
                 "unknown key 'netwrk' (did you mean 'network'?)");
    expect_error(NET POP
                 "services:\n"
                 "  clinic:\n"
                 "    source: c.csv\n"
                 "    capcity: doctors\n",
                 SIM_EPARSE, 6, 5, "unknown key 'capcity' (did you mean 'capacity'?)");
    expect_error("network: {source: n.pbf, walk_speed: 5}\n" POP SRV, SIM_EPARSE, 1, 26,
                 "unknown key 'walk_speed' (did you mean 'walk_speed_kmh'?)");
    expect_error(NET POP SRV "output: {grid: 50}\n", SIM_EPARSE, 4, 10,
                 "unknown key 'grid' (did you mean 'grid_m'?)");
    expect_error(NET POP SRV "colour: blue\n", SIM_EPARSE, 4, 1,
                 "unknown key 'colour' in the scenario (expected one of: name, crs, network, "
                 "population, services, output)");
    expect_error(NET "population: {source: p.csv, groups: {all: pop}, weight: w}\n" SRV,
                 SIM_EPARSE, 2, 49, "unknown key 'weight' in 'population'");
    /* form B has its own keys */
    expect_error(NET POP "services: {source: s.csv, type_field: t, kind: [a]}\n", SIM_EPARSE, 3,
                 42, "unknown key 'kind' (did you mean 'kinds'?)");
}

static void test_wrong_types(void) {
    expect_error("network: n.pbf\n" POP SRV, SIM_EPARSE, 1, 10,
                 "expected a mapping for 'network', found 'n.pbf'");
    expect_error("network: {source: n.pbf, modes: walk}\n" POP SRV, SIM_EPARSE, 1, 33,
                 "expected a list for 'modes', found 'walk'");
    expect_error("network: {source: n.pbf, layer: [a, b]}\n" POP SRV, SIM_EPARSE, 1, 33,
                 "expected a string for 'layer', found a list");
    expect_error("network: {source: n.pbf, layer: }\n" POP SRV, SIM_EPARSE, 1, 33,
                 "expected a string for 'layer', found nothing");
    expect_error("network: {source: \"\"}\n" POP SRV, SIM_EPARSE, 1, 19,
                 "'source' must not be empty");
    expect_error("network: {source: n.pbf, walk_speed_kmh: fast}\n" POP SRV, SIM_EPARSE, 1, 42,
                 "expected a number for 'walk_speed_kmh', found 'fast'");
    expect_error(NET POP SRV "output: {grid_m: \"100\"}\n", SIM_EPARSE, 4, 18,
                 "found the quoted string '100' (write numbers without quotes)");
    expect_error(NET POP SRV "output: {thresholds_min: 30}\n", SIM_EPARSE, 4, 26,
                 "expected a list for 'thresholds_min', found '30'");
    expect_error(NET POP "services: [clinic]\n", SIM_EPARSE, 3, 11,
                 "expected a mapping for 'services', found a list");
    expect_error(NET POP "services: {clinic: c.csv}\n", SIM_EPARSE, 3, 20,
                 "expected a mapping for service 'clinic', found 'c.csv'");
    expect_error(NET "population: {source: p.csv, groups: {all: [a]}}\n" SRV, SIM_EPARSE, 2, 43,
                 "expected a string for group 'all', found a list");
    expect_error(NET "population: {source: p.csv, groups: [all]}\n" SRV, SIM_EPARSE, 2, 37,
                 "expected a mapping for 'groups', found a list");
    expect_error("{[a]: b}\n", SIM_EPARSE, 1, 2, "expected a key name in the scenario, found a list");
}

static void test_strict_numbers(void) {
    static const char *const bad[] = {"12abc", "0x10", "inf", "nan", "1e999", "1_000", "--1",
                                      "1.2.3", "+",     "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        char text[256];
        snprintf(text, sizeof text, NET POP SRV "output: {grid_m: %s}\n", bad[i]);
        expect_error(text, SIM_EPARSE, 4, 18, "expected a number for 'grid_m'");
    }
    scn_config *c = load_ok("num.yaml", NET POP SRV "output: {grid_m: +2.5e1}\n");
    if (c) CHECK_NEAR(c->grid_m, 25.0, 0);
    scn_config_destroy(c);
}

static void test_non_positive_numbers(void) {
    expect_error("network: {source: n.pbf, walk_speed_kmh: 0}\n" POP SRV, SIM_EPARSE, 1, 42,
                 "'walk_speed_kmh' must be greater than 0, found 0");
    expect_error("network: {source: n.pbf, snap_distance_m: -10}\n" POP SRV, SIM_EPARSE, 1, 43,
                 "'snap_distance_m' must be greater than 0, found -10");
    expect_error("network: {source: n.pbf, join_tolerance_m: -0.1}\n" POP SRV, SIM_EPARSE, 1, 44,
                 "'join_tolerance_m' must be 0 or more, found -0.1");
    expect_error(NET POP SRV "output: {grid_m: -0.0}\n", SIM_EPARSE, 4, 18,
                 "'grid_m' must be greater than 0");
    expect_error(NET POP SRV "output: {thresholds_min: [15, 0]}\n", SIM_EPARSE, 4, 31,
                 "'thresholds_min' values must be whole minutes from 1 to 1440, found 0");
    expect_error(NET POP SRV "output: {thresholds_min: [7.5]}\n", SIM_EPARSE, 4, 27,
                 "whole minutes from 1 to 1440, found 7.5");
    expect_error(NET POP SRV "output: {thresholds_min: [15, 30, 15]}\n", SIM_EPARSE, 4, 35,
                 "threshold 15 minutes is listed twice");
    expect_error(NET POP SRV "output: {thresholds_min: []}\n", SIM_EPARSE, 4, 26,
                 "'thresholds_min' needs at least one value");
}

static void test_missing_keys(void) {
    expect_error(POP SRV, SIM_EPARSE, 1, 1, "the scenario needs 'network'");
    expect_error(NET SRV, SIM_EPARSE, 1, 1, "the scenario needs 'population'");
    expect_error(NET POP, SIM_EPARSE, 1, 1, "the scenario needs 'services'");
    expect_error("network: {layer: x}\n" POP SRV, SIM_EPARSE, 1, 10,
                 "'network' needs 'source'");
    expect_error(NET
                 "population:\n"
                 "  source: p.csv\n"
                 "  id: cell\n" SRV,
                 SIM_EPARSE, 3, 3, "'population' needs 'groups'");
    expect_error(NET POP "services: {clinic: {capacity: beds}}\n", SIM_EPARSE, 3, 20,
                 "service 'clinic' needs 'source'");
    expect_error(NET POP "services: {source: s.csv, kinds: [a]}\n", SIM_EPARSE, 3, 11,
                 "'services' needs 'type_field'");
    expect_error(NET "population: {source: p.csv, lon: x, groups: {all: pop}}\n" SRV, SIM_EPARSE,
                 2, 13, "'population' needs both 'lon' and 'lat', or neither");
}

static void test_duplicate_keys(void) {
    expect_error(NET POP SRV NET, SIM_EPARSE, 4, 1, "duplicate key 'network' (first at 1:1)");
    expect_error("network: {source: a, source: b}\n" POP SRV, SIM_EPARSE, 1, 22,
                 "duplicate key 'source' (first at 1:11)");
    expect_error(NET "population: {source: p.csv, groups: {all: a, kids: k, all: b}}\n" SRV,
                 SIM_EPARSE, 2, 55, "duplicate key 'all' (first at 2:38)");
    expect_error(NET POP "services: {clinic: {source: a}, clinic: {source: b}}\n", SIM_EPARSE, 3,
                 33, "duplicate service kind 'clinic' (first at 3:12)");
}

static void test_empty_collections(void) {
    expect_error(NET "population: {source: p.csv, groups: {}}\n" SRV, SIM_EPARSE, 2, 37,
                 "'groups' needs at least one group");
    expect_error(NET POP "services: {}\n", SIM_EPARSE, 3, 11,
                 "'services' needs at least one service kind");
    expect_error(NET POP "services: {source: s.csv, type_field: t, kinds: []}\n", SIM_EPARSE, 3,
                 49, "'kinds' needs at least one kind");
    expect_error("network: {source: n.pbf, modes: []}\n" POP SRV, SIM_EPARSE, 1, 33,
                 "'modes' needs at least one mode");
}

static void test_modes(void) {
    expect_error("network: {source: n.pbf, modes: [walk, transit]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'transit' is not available in this version of accessim; available: walk");
    expect_error("network: {source: n.pbf, modes: [walk, walk]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'walk' is listed twice");
}

static void test_names(void) {
    expect_error(NET POP "services: {source: s.csv, type_field: t, kinds: [a, b, a]}\n",
                 SIM_EPARSE, 3, 56, "duplicate service kind 'a' (first at 3:50)");
    expect_error(NET POP "services: {clinic: {source: a}, Clinic: {source: b}}\n", SIM_EPARSE, 3,
                 33, "service kind 'Clinic' clashes with 'clinic' at 3:12");
    expect_error(NET POP "services: {health/clinic: {source: a}}\n", SIM_EPARSE, 3, 12,
                 "service kind 'health/clinic' must be 1 to 64 characters among A-Z, a-z, 0-9, "
                 "'_' and '-'");
    expect_error(NET POP "services: {source: s.csv, type_field: t, kinds: [\"day care\"]}\n",
                 SIM_EPARSE, 3, 50, "service kind 'day care' must be");
    expect_error(NET "population: {source: p.csv, groups: {all people: pop}}\n" SRV, SIM_EPARSE,
                 2, 38, "group name 'all people' must be");
    expect_error(NET "population: {source: p.csv, groups: {\"\": pop}}\n" SRV, SIM_EPARSE, 2, 38,
                 "group name '' must be");
    expect_error(NET "population: {source: p.csv, groups: {~: pop}}\n" SRV, SIM_EPARSE, 2, 38,
                 "expected a group name, found nothing");
}

int main(void) {
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/accessim_cfg_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmp_dir, strerror(errno));
        return 1;
    }

    test_full_file();
    test_defaults();
    test_relative_scenario_path();
    test_services_form_a_keeps_order();
    test_services_form_b_with_kinds();
    test_services_form_b_without_kinds();
    test_anchors_and_aliases();
    test_modes_and_destroy();

    test_unreadable_file();
    test_invalid_yaml();
    test_deep_nesting();
    test_top_level_not_mapping();
    test_unknown_keys();
    test_wrong_types();
    test_strict_numbers();
    test_non_positive_numbers();
    test_missing_keys();
    test_duplicate_keys();
    test_empty_collections();
    test_modes();
    test_names();

    static const char *const files[] = {"full.yaml", "my.city.yaml", "a.yaml",     "b.yaml",
                                        "b2.yaml",   "alias.yaml",   "num.yaml",   "bad.yaml", "deep.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        char path[PATH_LEN];
        remove(in_tmp(files[i], path));
    }
    rmdir(tmp_dir);
    return CHECK_DONE();
}
