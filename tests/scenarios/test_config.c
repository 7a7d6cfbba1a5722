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
#include "test_util.h"

static char tmp_dir[1024]; /* made by main(), removed at the end */

/* Writes `text` to tmp_dir/name and returns that path (in `path`, PATH_LEN bytes). */
#define PATH_LEN 1200
static const char *write_scenario(const char *name, const char *text, char *path) {
    return tu_write_file(tmp_dir, name, text, path, PATH_LEN);
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
    return tu_path(tmp_dir, rel, out, PATH_LEN);
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
    CHECK_NEAR(c->profile.walk_kmh, 5.0, 0); /* network.walk_speed_kmh */
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
    CHECK_NEAR(c->profile.walk_kmh, 4.5, 0);
    CHECK_NEAR(c->network.snap_distance_m, 500, 0);
    CHECK_NEAR(c->network.join_tolerance_m, 0.5, 0);
    CHECK(c->population.layer == NULL && c->population.id == NULL);
    CHECK(c->population.lon == NULL && c->population.lat == NULL);
    CHECK(c->population.filter == NULL);
    CHECK_NEAR(c->grid_m, 100, 0);
    CHECK_EQ_INT(c->n_thresholds, 4);
    if (c->n_thresholds == 4) {
        CHECK_EQ_U32(c->thresholds_min[0], 15);
        CHECK_EQ_U32(c->thresholds_min[1], 30);
        CHECK_EQ_U32(c->thresholds_min[2], 45);
        CHECK_EQ_U32(c->thresholds_min[3], 60);
    }
    /* measures: nearest only; equity: the first group is the total */
    CHECK_EQ_INT(c->n_measures, 1);
    if (c->n_measures == 1) {
        const scn_measure *m = &c->measures[0];
        CHECK_EQ_INT(m->kind, SCN_MEASURE_NEAREST);
        CHECK_STR_EQ(m->name, "nearest");
        CHECK_EQ_U32(m->k, 1);
        CHECK_EQ_INT(m->use_capacity, 1);
        CHECK(m->demand_group == NULL);
        CHECK_EQ_INT(m->mark.line, 0);
    }
    CHECK_STR_EQ(c->equity.total_group, "all");
    CHECK(c->equity.rank_by == NULL);
    CHECK_NEAR(c->equity.poverty_line_min, 30, 0);
    CHECK_NEAR(c->equity.poverty_share, 0.5, 0);
    CHECK_EQ_INT(c->equity.mark.line, 0);
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
    tu_path(tmp_dir, "sub", sub, sizeof sub);
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
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_BIKE), "bike");
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_CAR), "car");
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_TRANSIT), "transit");
    CHECK_STR_EQ(scn_mode_name(SCN_MODE_COUNT), "unknown");
    CHECK_EQ_INT(SCN_MODE_BIKE, GEO_MODE_BIKE);
    CHECK_EQ_INT(SCN_MODE_CAR, GEO_MODE_CAR);
    scn_config_destroy(NULL);
}

/* Every mode, every profile key, and groups limited to some modes. */
static void test_profiles_and_group_modes(void) {
    scn_config *c = load_ok("prof.yaml",
                            "network:\n"                                                    /* 1 */
                            "  source: n.pbf\n"                                             /* 2 */
                            "  modes: [car, walk, bike]\n"                                  /* 3 */
                            "profiles:\n"                                                   /* 4 */
                            "  walk: {speed_kmh: 3.5}\n"                                    /* 5 */
                            "  bike: {speed_kmh: 12}\n"                                     /* 6 */
                            "  car:\n"                                                      /* 7 */
                            "    speed_factor: 0.7\n"                                       /* 8 */
                            "    use_maxspeed: false\n"                                     /* 9 */
                            "    maxspeed_factor: 0.9\n"                                    /* 10 */
                            "    highway_kmh: {residential: 20, primary: 45.5, track: 8}\n" /* 11 */
                            "population:\n"                                                 /* 12 */
                            "  source: p.csv\n"                                             /* 13 */
                            "  groups:\n"                                                   /* 14 */
                            "    everyone: pop\n"                                           /* 15 */
                            "    migrants: {field: pop_migrant, modes: [walk, bike]}\n"     /* 16 */
                            "    drivers:\n"                                                /* 17 */
                            "      modes: [car]\n"                                          /* 18 */
                            "      field: pop_car\n" SRV);                                  /* 19 */
    if (!c) return;
    CHECK(c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_BIKE] &&
          c->network.modes[SCN_MODE_CAR]);
    const geo_profile *p = &c->profile;
    CHECK_NEAR(p->walk_kmh, 3.5, 0);
    CHECK_NEAR(p->bike_kmh, 12, 0);
    CHECK_NEAR(p->car_factor, 0.7, 0);
    CHECK_EQ_INT(p->use_maxspeed, 0);
    CHECK_NEAR(p->car_maxspeed_factor, 0.9, 0);
    CHECK_NEAR(p->car_highway_kmh[GEO_HW_RESIDENTIAL], 20, 0);
    CHECK_NEAR(p->car_highway_kmh[GEO_HW_PRIMARY], 45.5, 0);
    CHECK_NEAR(p->car_highway_kmh[GEO_HW_TRACK], 8, 0);
    CHECK_NEAR(p->car_highway_kmh[GEO_HW_MOTORWAY], 90, 0); /* untouched: default */
    CHECK_NEAR(p->car_highway_kmh[GEO_HW_FOOTWAY], 0, 0);
    CHECK_EQ_INT(c->n_groups, 3);
    if (c->n_groups == 3) {
        const scn_group *g = c->groups;
        CHECK_STR_EQ(g[0].field, "pop");
        CHECK(g[0].modes[SCN_MODE_WALK] && g[0].modes[SCN_MODE_BIKE] && g[0].modes[SCN_MODE_CAR]);
        CHECK_STR_EQ(g[1].name, "migrants");
        CHECK_STR_EQ(g[1].field, "pop_migrant");
        CHECK(g[1].modes[SCN_MODE_WALK] && g[1].modes[SCN_MODE_BIKE] && !g[1].modes[SCN_MODE_CAR]);
        CHECK_EQ_INT(g[1].mark.line, 16);
        CHECK_EQ_INT(g[1].mark.col, 23); /* the field value */
        CHECK_STR_EQ(g[2].field, "pop_car");
        CHECK(!g[2].modes[SCN_MODE_WALK] && !g[2].modes[SCN_MODE_BIKE] && g[2].modes[SCN_MODE_CAR]);
        CHECK_EQ_INT(g[2].mark.line, 19);
        CHECK_EQ_INT(g[2].mark.col, 14);
    }
    scn_config_destroy(c);
}

/* Without `profiles`, the profile is geo_profile_defaults(); groups use every network mode. */
static void test_profile_defaults_and_booleans(void) {
    geo_profile want;
    geo_profile_defaults(&want);
    scn_config *c = load_ok("pdef.yaml", "network: {source: n.pbf, modes: [bike, walk]}\n" POP SRV);
    if (c) {
        CHECK_EQ_INT(memcmp(&c->profile, &want, sizeof want), 0);
        CHECK(c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_BIKE] &&
              !c->groups[0].modes[SCN_MODE_CAR]);
        CHECK(!c->network.modes[SCN_MODE_CAR]);
    }
    scn_config_destroy(c);
    /* a car profile may be given even when the network does not enable cars */
    c = load_ok("pcar.yaml", NET POP SRV "profiles: {car: {use_maxspeed: no}}\n");
    if (c) CHECK_EQ_INT(c->profile.use_maxspeed, 0);
    scn_config_destroy(c);
    static const struct {
        const char *text;
        int value;
    } BOOLS[] = {{"true", 1}, {"yes", 1}, {"false", 0}, {"no", 0}};
    for (size_t i = 0; i < sizeof BOOLS / sizeof BOOLS[0]; ++i) {
        char text[256];
        snprintf(text, sizeof text, NET POP SRV "profiles: {car: {use_maxspeed: %s}}\n",
                 BOOLS[i].text);
        c = load_ok("pbool.yaml", text);
        if (c) CHECK_EQ_INT(c->profile.use_maxspeed, BOOLS[i].value);
        scn_config_destroy(c);
    }
    /* network.walk_speed_kmh is a shorthand for profiles.walk.speed_kmh */
    c = load_ok("pshort.yaml", "network: {source: n.pbf, walk_speed_kmh: 3}\n" POP SRV
                               "profiles: {bike: {speed_kmh: 18}}\n");
    if (c) {
        CHECK_NEAR(c->profile.walk_kmh, 3, 0);
        CHECK_NEAR(c->profile.bike_kmh, 18, 0);
    }
    scn_config_destroy(c);
}

static void test_network_tables(void) {
    char want[PATH_LEN];
    scn_config *c = load_ok("tables.yaml", "network:\n"                 /* 1 */
                                           "  modes: [walk, car]\n"     /* 2 */
                                           "  nodes: net/nodes.csv\n"   /* 3 */
                                           "  edges: /abs/edges.gpkg\n" /* 4 */
                                           "  nodes_layer: n\n"         /* 5 */
                                           "  edges_layer: e\n"         /* 6 */
                                           "  node_id: osmid\n"         /* 7 */
                                           "  lon: x\n"                 /* 8 */
                                           "  lat: y\n"                 /* 9 */
                                           "  from: u\n"                /* 10 */
                                           "  to: v\n"                  /* 11 */
                                           "  length: len_m\n"          /* 12 */
                                           "  time: secs\n"             /* 13 */
                                           "  snap_distance_m: 100\n"   /* 14 */
                            POP SRV);
    if (c) {
        CHECK(c->network.source == NULL && c->network.layer == NULL);
        CHECK_STR_EQ(c->network.nodes, in_tmp("net/nodes.csv", want));
        CHECK_STR_EQ(c->network.edges, "/abs/edges.gpkg");
        CHECK_STR_EQ(c->network.nodes_layer, "n");
        CHECK_STR_EQ(c->network.edges_layer, "e");
        CHECK_STR_EQ(c->network.node_id, "osmid");
        CHECK_STR_EQ(c->network.lon, "x");
        CHECK_STR_EQ(c->network.lat, "y");
        CHECK_STR_EQ(c->network.from, "u");
        CHECK_STR_EQ(c->network.to, "v");
        CHECK_STR_EQ(c->network.length, "len_m");
        CHECK_STR_EQ(c->network.time, "secs");
        CHECK_EQ_INT(c->network.mark.line, 3);
        CHECK_EQ_INT(c->network.mark.col, 10);
        CHECK(c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_CAR]);
        CHECK_NEAR(c->network.snap_distance_m, 100, 0);
    }
    scn_config_destroy(c);

    c = load_ok("tables2.yaml", "network: {edges: e.csv, nodes: n.csv}\n" POP SRV);
    if (c) {
        CHECK_STR_EQ(c->network.nodes, in_tmp("n.csv", want));
        CHECK_STR_EQ(c->network.edges, in_tmp("e.csv", want));
        CHECK(c->network.nodes_layer == NULL && c->network.edges_layer == NULL &&
              c->network.node_id == NULL && c->network.lon == NULL &&
              c->network.lat == NULL && c->network.from == NULL &&
              c->network.to == NULL && c->network.length == NULL &&
              c->network.time == NULL);
        CHECK_EQ_INT(c->network.mark.col, 32); /* the nodes value */
    }
    scn_config_destroy(c);

    /* the line-source form leaves the tables empty */
    c = load_ok("tables3.yaml", NET POP SRV);
    if (c) CHECK(c->network.nodes == NULL && c->network.edges == NULL);
    scn_config_destroy(c);
}

/* ---- measures and equity -------------------------------------------------------------------- */

/* Two groups, for `demand` and `total_group`. */
#define POP2 "population: {source: p.csv, groups: {everyone: pop, migrants: mig}}\n"

/* Every measure in every form; names, parameters and marks. */
static void test_measures(void) {
    scn_config *c = load_ok("measures.yaml", NET POP2 SRV /* 1-3 */
                            "measures:\n"                                                 /* 4 */
                            "  - nearest\n"                                               /* 5 */
                            "  - nearest: 3\n"                                            /* 6 */
                            "  - { nearest: { k: 5 } }\n"                                 /* 7 */
                            "  - cumulative: 30\n"                                        /* 8 */
                            "  - cumulative: { cutoff: 45, count: true }\n"               /* 9 */
                            "  - cumulative_interval: { from: 20, to: 40 }\n"             /* 10 */
                            "  - gravity: { decay: exponential, decay_value: 0.1 }\n"     /* 11 */
                            "  - gravity: { decay: power, decay_value: 1.5, count: yes }\n" /* 12 */
                            "  - gravity: { decay: logistic, cutoff: 30, sd: 5 }\n"       /* 13 */
                            "  - gravity: { decay: gaussian, sigma: 10 }\n"               /* 14 */
                            "  - gravity: { decay: linear, cutoff: 30 }\n"                /* 15 */
                            "  - gravity: { decay: binary, cutoff: 20, count: false }\n"  /* 16 */
                            "  - gravity:\n"                                              /* 17 */
                            "      decay: stepped\n"                                      /* 18 */
                            "      steps: [10, 20, 30]\n"                                 /* 19 */
                            "      weights: [0.68, 0.22, 0]\n"                            /* 20 */
                            "  - fca2: 30\n"                                              /* 21 */
                            "  - fca2: { decay: exponential, decay_value: 0.05,"
                            " demand: migrants }\n"                                       /* 22 */
                            "  - e2sfca: { steps: [10, 20, 30], weights: [1, 0.68, 0.22],"
                            " demand: everyone }\n"                                       /* 23 */
                            "  - bfca: { cutoff: 15 }\n"                                  /* 24 */
                            "  - bfca: { decay: gaussian, sigma: 12.5 }\n"                /* 25 */
                            "  - spatial_availability: { decay: binary, cutoff: 30, alpha: 0.5,"
                            " demand: everyone }\n"                                       /* 26 */
                            "  - spatial_availability: 20\n"                              /* 27 */
                            "  - gravity: { decay: exponential, decay_value: 0.00001 }\n" /* 28 */
                            "  - spatial_availability: { decay: exponential, decay_value: 0.1,"
                            " alpha: 0 }\n");                                             /* 29 */
    if (!c) return;
    static const struct {
        scn_measure_kind kind;
        const char *name;
        int line, col;
    } WANT[] = {
        {SCN_MEASURE_NEAREST, "nearest", 5, 5},
        {SCN_MEASURE_NEAREST, "nearest_3", 6, 5},
        {SCN_MEASURE_NEAREST, "nearest_5", 7, 7},
        {SCN_MEASURE_CUMULATIVE, "cumulative_30", 8, 5},
        {SCN_MEASURE_CUMULATIVE, "cumulative_45_count", 9, 5},
        {SCN_MEASURE_CUMULATIVE_INTERVAL, "cumulative_interval_20_40", 10, 5},
        {SCN_MEASURE_GRAVITY, "gravity_exponential_0.1", 11, 5},
        {SCN_MEASURE_GRAVITY, "gravity_power_1.5_count", 12, 5},
        {SCN_MEASURE_GRAVITY, "gravity_logistic_30_5", 13, 5},
        {SCN_MEASURE_GRAVITY, "gravity_gaussian_10", 14, 5},
        {SCN_MEASURE_GRAVITY, "gravity_linear_30", 15, 5},
        {SCN_MEASURE_GRAVITY, "gravity_binary_20", 16, 5},
        {SCN_MEASURE_GRAVITY, "gravity_stepped", 17, 5},
        {SCN_MEASURE_FCA2, "fca2_binary_30", 21, 5},
        {SCN_MEASURE_FCA2, "fca2_exponential_0.05", 22, 5},
        {SCN_MEASURE_E2SFCA, "e2sfca", 23, 5},
        {SCN_MEASURE_BFCA, "bfca_binary_15", 24, 5},
        {SCN_MEASURE_BFCA, "bfca_gaussian_12.5", 25, 5},
        {SCN_MEASURE_SPATIAL_AVAILABILITY, "spatial_availability_binary_30", 26, 5},
        {SCN_MEASURE_SPATIAL_AVAILABILITY, "spatial_availability_binary_20", 27, 5},
        {SCN_MEASURE_GRAVITY, "gravity_exponential_1e-05", 28, 5},
        {SCN_MEASURE_SPATIAL_AVAILABILITY, "spatial_availability_exponential_0.1", 29, 5},
    };
    size_t n = sizeof WANT / sizeof WANT[0];
    CHECK_EQ_INT(c->n_measures, n);
    if (c->n_measures != n) {
        scn_config_destroy(c);
        return;
    }
    const scn_measure *m = c->measures;
    for (size_t i = 0; i < n; ++i) {
        CHECK_EQ_INT(m[i].kind, WANT[i].kind);
        CHECK_STR_EQ(m[i].name, WANT[i].name);
        CHECK_EQ_INT(m[i].mark.line, WANT[i].line);
        CHECK_EQ_INT(m[i].mark.col, WANT[i].col);
    }
    CHECK_EQ_U32(m[0].k, 1);
    CHECK_EQ_U32(m[1].k, 3);
    CHECK_EQ_U32(m[2].k, 5);
    CHECK_NEAR(m[3].cutoff_min, 30, 0);
    CHECK_EQ_INT(m[3].use_capacity, 1);
    CHECK_NEAR(m[4].cutoff_min, 45, 0);
    CHECK_EQ_INT(m[4].use_capacity, 0); /* count: true */
    CHECK_NEAR(m[5].from_min, 20, 0);
    CHECK_NEAR(m[5].to_min, 40, 0);
    CHECK_EQ_INT(m[6].decay.kind, SIM_DECAY_EXPONENTIAL);
    CHECK_NEAR(m[6].decay.decay_value, 0.1, 0);
    CHECK_EQ_INT(m[6].use_capacity, 1);
    CHECK_EQ_INT(m[7].decay.kind, SIM_DECAY_POWER);
    CHECK_NEAR(m[7].decay.decay_value, 1.5, 0);
    CHECK_EQ_INT(m[7].use_capacity, 0);
    CHECK_EQ_INT(m[8].decay.kind, SIM_DECAY_LOGISTIC);
    CHECK_NEAR(m[8].decay.cutoff_min, 30, 0);
    CHECK_NEAR(m[8].decay.sd_min, 5, 0);
    CHECK_EQ_INT(m[9].decay.kind, SIM_DECAY_GAUSSIAN);
    CHECK_NEAR(m[9].decay.sigma_min, 10, 0);
    CHECK_EQ_INT(m[10].decay.kind, SIM_DECAY_LINEAR);
    CHECK_NEAR(m[10].decay.cutoff_min, 30, 0);
    CHECK_EQ_INT(m[11].decay.kind, SIM_DECAY_BINARY);
    CHECK_NEAR(m[11].decay.cutoff_min, 20, 0);
    CHECK_EQ_INT(m[11].use_capacity, 1); /* count: false */
    const sim_decay *d = &m[12].decay;
    CHECK_EQ_INT(d->kind, SIM_DECAY_STEPPED);
    CHECK_EQ_INT(d->n_steps, 3);
    if (d->n_steps == 3 && d->steps_min && d->weights) {
        CHECK_NEAR(d->steps_min[0], 10, 0);
        CHECK_NEAR(d->steps_min[2], 30, 0);
        CHECK_NEAR(d->weights[0], 0.68, 0);
        CHECK_NEAR(d->weights[1], 0.22, 0);
        CHECK_NEAR(d->weights[2], 0, 0);
    }
    /* fca2: 30 is binary decay with that cutoff; demand defaults to NULL (the total group) */
    CHECK_EQ_INT(m[13].decay.kind, SIM_DECAY_BINARY);
    CHECK_NEAR(m[13].decay.cutoff_min, 30, 0);
    CHECK(m[13].demand_group == NULL);
    CHECK_EQ_INT(m[14].decay.kind, SIM_DECAY_EXPONENTIAL);
    CHECK_NEAR(m[14].decay.decay_value, 0.05, 0);
    CHECK_STR_EQ(m[14].demand_group, "migrants");
    d = &m[15].decay;
    CHECK_EQ_INT(d->kind, SIM_DECAY_STEPPED);
    CHECK_EQ_INT(d->n_steps, 3);
    if (d->n_steps == 3 && d->steps_min && d->weights) {
        CHECK_NEAR(d->steps_min[1], 20, 0);
        CHECK_NEAR(d->weights[0], 1, 0);
        CHECK_NEAR(d->weights[2], 0.22, 0);
    }
    CHECK_STR_EQ(m[15].demand_group, "everyone");
    CHECK_EQ_INT(m[16].decay.kind, SIM_DECAY_BINARY); /* the default decay of bfca */
    CHECK_NEAR(m[16].decay.cutoff_min, 15, 0);
    CHECK_NEAR(m[17].decay.sigma_min, 12.5, 0);
    CHECK_NEAR(m[18].alpha, 0.5, 0);
    CHECK_STR_EQ(m[18].demand_group, "everyone");
    CHECK_NEAR(m[19].alpha, 1, 0); /* the default */
    CHECK_NEAR(m[19].decay.cutoff_min, 20, 0);
    CHECK(m[19].demand_group == NULL);
    CHECK_NEAR(m[20].decay.decay_value, 0.00001, 0);
    CHECK_NEAR(m[21].alpha, 0, 0);
    for (size_t i = 0; i < n; ++i) /* every decay that was parsed passes the sim check */
        if (m[i].kind >= SCN_MEASURE_GRAVITY)
            CHECK_EQ_INT(sim_decay_check(&m[i].decay, NULL, 0), SIM_OK);
    scn_config_destroy(c);
}

/* Flow style, `name:` with no value, e2sfca with its decay spelt out, no nearest at all. */
static void test_measures_other_forms(void) {
    scn_config *c = load_ok("mflow.yaml", NET POP SRV
                            "measures: [{nearest: }, {e2sfca: {decay: stepped, steps: [5],"
                            " weights: [0.5]}}]\n");
    if (c) {
        CHECK_EQ_INT(c->n_measures, 2);
        if (c->n_measures == 2) {
            CHECK_STR_EQ(c->measures[0].name, "nearest");
            CHECK_EQ_U32(c->measures[0].k, 1);
            CHECK_EQ_INT(c->measures[0].mark.col, 13);
            CHECK_STR_EQ(c->measures[1].name, "e2sfca");
            CHECK_EQ_INT(c->measures[1].decay.n_steps, 1);
        }
    }
    scn_config_destroy(c);
    c = load_ok("mnone.yaml", NET POP SRV "measures: [{cumulative: 30}]\n");
    if (c) {
        CHECK_EQ_INT(c->n_measures, 1); /* nearest is not added */
        CHECK_STR_EQ(c->measures[0].name, "cumulative_30");
    }
    scn_config_destroy(c);
}

static void test_equity(void) {
    scn_config *c = load_ok("equity.yaml", NET
                            "population: {source: p.csv, groups: {migrants: mig, everyone: pop}}\n"
                            SRV                                /* 3 */
                            "output: {grid_m: 50}\n"           /* 4 */
                            "equity:\n"                        /* 5 */
                            "  total_group: everyone\n"        /* 6 */
                            "  rank_by: income\n"              /* 7 */
                            "  poverty_line_min: 45\n"         /* 8 */
                            "  poverty_share: 0.4\n");         /* 9 */
    if (c) {
        CHECK_STR_EQ(c->equity.total_group, "everyone");
        CHECK_STR_EQ(c->equity.rank_by, "income");
        CHECK_NEAR(c->equity.poverty_line_min, 45, 0);
        CHECK_NEAR(c->equity.poverty_share, 0.4, 0);
        CHECK_EQ_INT(c->equity.mark.line, 6);
        CHECK_EQ_INT(c->equity.mark.col, 3);
    }
    scn_config_destroy(c);
    /* only some keys: the others keep their defaults; the total is the first group */
    c = load_ok("equity2.yaml", NET
                "population: {source: p.csv, groups: {migrants: mig, everyone: pop}}\n" SRV
                "equity: {rank_by: migrant_share}\n");
    if (c) {
        CHECK_STR_EQ(c->equity.total_group, "migrants");
        CHECK_STR_EQ(c->equity.rank_by, "migrant_share");
        CHECK_NEAR(c->equity.poverty_line_min, 30, 0);
        CHECK_NEAR(c->equity.poverty_share, 0.5, 0);
        CHECK_EQ_INT(c->equity.mark.line, 4);
        CHECK_EQ_INT(c->equity.mark.col, 9);
    }
    scn_config_destroy(c);
}

/* ---- errors --------------------------------------------------------------------------------- */

/* ---- transit -------------------------------------------------------------------------------- */

/* The smallest transit block, on line 4 after NET POP SRV. */
#define TRANSIT "transit: {feeds: f.zip, date: 2019-05-13, window: \"07:00-08:00\"}\n"

static void test_transit_full(void) {
    char want[PATH_LEN];
    scn_config *c = load_ok("transit.yaml",
                            "network:\n"                                                /* 1 */
                            "  source: n.pbf\n"                                         /* 2 */
                            "  modes: [walk, transit]\n"                                /* 3 */
                            "population: {source: p.csv, groups: {all: pop}}\n"         /* 4 */
                            "services: {clinic: {source: c.csv}}\n"                     /* 5 */
                            "transit:\n"                                                /* 6 */
                            "  feeds: [gtfs/eptc.zip, /abs/trensurb, ../feeds/porto]\n" /* 7 */
                            "  date: 2020-02-29\n"                                      /* 8 */
                            "  window: 23:30 - 24:45\n"                                 /* 9 */
                            "  step_min: 2.5\n"                                         /* 10 */
                            "  percentiles: [95, 5, 50, 25]\n"                          /* 11 */
                            "  max_walk_min: {access: 20, egress: 10.5, transfer: 5}\n" /* 12 */
                            "  max_rides: 16\n"                                         /* 13 */
                            "  max_trip_min: 90\n"                                      /* 14 */
                            "  board_slack_s: 0\n");                                    /* 15 */
    if (!c) return;
    CHECK(c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_TRANSIT]);
    CHECK(!c->network.modes[SCN_MODE_BIKE] && !c->network.modes[SCN_MODE_CAR]);
    CHECK(c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_TRANSIT]);
    CHECK_EQ_INT(c->transit.set, 1);
    CHECK_EQ_INT(c->transit.mark.line, 6);
    CHECK_EQ_INT(c->transit.mark.col, 1);
    CHECK_EQ_INT(c->transit.n_feeds, 3);
    if (c->transit.n_feeds == 3) {
        CHECK_STR_EQ(c->transit.feeds[0], in_tmp("gtfs/eptc.zip", want));
        CHECK_STR_EQ(c->transit.feeds[1], "/abs/trensurb"); /* absolute: unchanged */
        CHECK_STR_EQ(c->transit.feeds[2], in_tmp("../feeds/porto", want));
        CHECK_EQ_INT(c->transit.feed_marks[0].line, 7);
        CHECK_EQ_INT(c->transit.feed_marks[0].col, 11);
        CHECK_EQ_INT(c->transit.feed_marks[1].col, 26);
        CHECK_EQ_INT(c->transit.feed_marks[2].col, 41);
    }
    CHECK_STR_EQ(c->transit.date, "2020-02-29"); /* 2020 is a leap year */
    CHECK_EQ_INT(c->transit.date_mark.line, 8);
    CHECK_EQ_INT(c->transit.date_mark.col, 9);
    CHECK_EQ_INT(c->transit.window_start_s, 23 * 3600 + 30 * 60);
    CHECK_EQ_INT(c->transit.window_end_s, 24 * 3600 + 45 * 60); /* past midnight */
    CHECK_EQ_INT(c->transit.window_mark.line, 9);
    CHECK_EQ_INT(c->transit.window_mark.col, 11);
    CHECK_EQ_U32(c->transit.step_s, 150);
    CHECK_EQ_INT(c->transit.n_percentiles, 4);
    if (c->transit.n_percentiles == 4) { /* sorted */
        CHECK_EQ_U32(c->transit.percentiles[0], 5);
        CHECK_EQ_U32(c->transit.percentiles[1], 25);
        CHECK_EQ_U32(c->transit.percentiles[2], 50);
        CHECK_EQ_U32(c->transit.percentiles[3], 95);
    }
    CHECK_NEAR(c->transit.max_access_min, 20, 0);
    CHECK_NEAR(c->transit.max_egress_min, 10.5, 0);
    CHECK_NEAR(c->transit.max_transfer_min, 5, 0);
    CHECK_EQ_U32(c->transit.max_rides, 16);
    CHECK_NEAR(c->transit.max_trip_min, 90, 0);
    CHECK_EQ_U32(c->transit.board_slack_s, 0);
    scn_config_destroy(c);
}

static void test_transit_defaults(void) {
    char want[PATH_LEN];
    scn_config *c = load_ok("tdef.yaml", NET POP SRV TRANSIT);
    if (!c) return;
    /* the block adds transit to the default modes, and groups take every network mode */
    CHECK(c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_TRANSIT]);
    CHECK(!c->network.modes[SCN_MODE_BIKE] && !c->network.modes[SCN_MODE_CAR]);
    CHECK(c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_TRANSIT]);
    CHECK_EQ_INT(c->transit.mark.line, 4);
    CHECK_EQ_INT(c->transit.n_feeds, 1); /* one string */
    if (c->transit.n_feeds == 1) {
        CHECK_STR_EQ(c->transit.feeds[0], in_tmp("f.zip", want));
        CHECK_EQ_INT(c->transit.feed_marks[0].line, 4);
        CHECK_EQ_INT(c->transit.feed_marks[0].col, 18);
    }
    CHECK_STR_EQ(c->transit.date, "2019-05-13");
    CHECK_EQ_INT(c->transit.window_start_s, 7 * 3600);
    CHECK_EQ_INT(c->transit.window_end_s, 8 * 3600);
    CHECK_EQ_U32(c->transit.step_s, 60);
    CHECK_EQ_INT(c->transit.n_percentiles, 1);
    if (c->transit.n_percentiles == 1) CHECK_EQ_U32(c->transit.percentiles[0], 50);
    CHECK_NEAR(c->transit.max_access_min, 30, 0);
    CHECK_NEAR(c->transit.max_egress_min, 30, 0);
    CHECK_NEAR(c->transit.max_transfer_min, 15, 0);
    CHECK_EQ_U32(c->transit.max_rides, 4);
    CHECK_NEAR(c->transit.max_trip_min, 120, 0);
    CHECK_EQ_U32(c->transit.board_slack_s, 60);
    scn_config_destroy(c);
    /* without the block: no transit */
    c = load_ok("tnone.yaml", NET POP SRV);
    if (c) {
        CHECK_EQ_INT(c->transit.set, 0);
        CHECK(!c->network.modes[SCN_MODE_TRANSIT] && !c->groups[0].modes[SCN_MODE_TRANSIT]);
        CHECK(c->transit.feeds == NULL && c->transit.percentiles == NULL);
    }
    scn_config_destroy(c);
}

static void test_transit_values(void) {
    static const struct {
        const char *key;      /* a line of the block */
        int32_t start_s, end_s; /* the window, or -1: the default 07:00-08:00 */
        uint32_t step_s;
        double access, egress, transfer;
    } CASES[] = {
        {"max_walk_min: 12.5", -1, -1, 60, 12.5, 12.5, 12.5},
        {"max_walk_min: {egress: 5}", -1, -1, 60, 30, 5, 15},
        {"max_walk_min: {transfer: 3, access: 40}", -1, -1, 60, 40, 30, 3},
        {"step_min: 60", -1, -1, 3600, 30, 30, 15}, /* the whole window: one departure */
        {"step_min: 0.5", -1, -1, 30, 30, 30, 15},
        {"window: \"7:05-8:00\"", 7 * 3600 + 300, 8 * 3600, 60, 30, 30, 15},
        {"window: \"0:00 -47:59\"", 0, 47 * 3600 + 59 * 60, 60, 30, 30, 15},
        {"window: 06:00-07:30", 6 * 3600, 7 * 3600 + 1800, 60, 30, 30, 15},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        char text[512];
        int window = !strncmp(CASES[i].key, "window", 6);
        snprintf(text, sizeof text,
                 NET POP SRV "transit:\n  feeds: f.zip\n  date: 2019-05-13\n%s  %s\n",
                 window ? "" : "  window: \"07:00-08:00\"\n", CASES[i].key);
        scn_config *c = load_ok("tval.yaml", text);
        if (!c) {
            fprintf(stderr, "  ^ with %s\n", CASES[i].key);
            continue;
        }
        CHECK_EQ_INT(c->transit.window_start_s, CASES[i].start_s < 0 ? 7 * 3600 : CASES[i].start_s);
        CHECK_EQ_INT(c->transit.window_end_s, CASES[i].end_s < 0 ? 8 * 3600 : CASES[i].end_s);
        CHECK_EQ_U32(c->transit.step_s, CASES[i].step_s);
        CHECK_NEAR(c->transit.max_access_min, CASES[i].access, 0);
        CHECK_NEAR(c->transit.max_egress_min, CASES[i].egress, 0);
        CHECK_NEAR(c->transit.max_transfer_min, CASES[i].transfer, 0);
        scn_config_destroy(c);
    }
    /* 2000 is a leap year (divisible by 400) */
    scn_config *c = load_ok("tleap.yaml", NET POP SRV
                            "transit: {feeds: f, date: 2000-02-29, window: 7:00-8:00}\n");
    if (c) CHECK_STR_EQ(c->transit.date, "2000-02-29");
    scn_config_destroy(c);
}

/* network.modes and the transit block, in either order in the file, and the groups' modes. */
static void test_transit_modes(void) {
    /* the block first, the groups after it: the default group modes include transit */
    scn_config *c = load_ok("tfirst.yaml", TRANSIT NET
                            "population: {source: p.csv, groups: {all: pop,"
                            " riders: {field: r, modes: [transit]}}}\n" SRV);
    if (c) {
        CHECK(c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_TRANSIT]);
        CHECK(c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_TRANSIT]);
        CHECK(!c->groups[1].modes[SCN_MODE_WALK] && c->groups[1].modes[SCN_MODE_TRANSIT]);
    }
    scn_config_destroy(c);
    /* the block after the groups, which list transit */
    c = load_ok("tlast.yaml", NET
                "population: {source: p.csv, groups: {all: pop, walkers: {field: w, modes: [walk]},"
                " riders: {field: r, modes: [transit, walk]}}}\n" SRV TRANSIT);
    if (c) {
        CHECK(c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_TRANSIT]);
        CHECK(c->groups[1].modes[SCN_MODE_WALK] && !c->groups[1].modes[SCN_MODE_TRANSIT]);
        CHECK(c->groups[2].modes[SCN_MODE_WALK] && c->groups[2].modes[SCN_MODE_TRANSIT]);
    }
    scn_config_destroy(c);
    /* transit alone: walking only reaches the stops */
    c = load_ok("tonly.yaml", "network: {source: n.pbf, modes: [transit]}\n" POP SRV TRANSIT);
    if (c) {
        CHECK(!c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_TRANSIT]);
        CHECK(!c->groups[0].modes[SCN_MODE_WALK] && c->groups[0].modes[SCN_MODE_TRANSIT]);
    }
    scn_config_destroy(c);
    /* explicit modes with transit and other street modes */
    c = load_ok("tall.yaml", TRANSIT "network: {source: n.pbf, modes: [car, transit, bike]}\n" POP
                SRV);
    if (c) {
        CHECK(!c->network.modes[SCN_MODE_WALK] && c->network.modes[SCN_MODE_TRANSIT]);
        CHECK(c->network.modes[SCN_MODE_CAR] && c->network.modes[SCN_MODE_BIKE]);
        CHECK(c->groups[0].modes[SCN_MODE_CAR] && c->groups[0].modes[SCN_MODE_TRANSIT]);
    }
    scn_config_destroy(c);
}

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
                 "profiles, population, services, measures, equity, transit, output, scenarios, sweeps)");
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
    expect_error("network: {source: n.pbf, modes: [walk, boat]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'boat' is not available in this version of accessim; available: walk, "
                 "bike, car, transit");
    expect_error("network: {source: n.pbf, modes: [walk, walk]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'walk' is listed twice");
    expect_error("network: {source: n.pbf, modes: [cars]}\n" POP SRV, SIM_EPARSE, 1, 34,
                 "available: walk, bike, car, transit (did you mean 'car'?)");
    expect_error("network: {source: n.pbf, modes: [bike, Bike]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'Bike' is not available in this version of accessim; available: walk, "
                 "bike, car, transit (did you mean 'bike'?)");
    expect_error("network: {source: n.pbf, modes: [transti]}\n" POP SRV, SIM_EPARSE, 1, 34,
                 "(did you mean 'transit'?)");
}

static void test_profile_errors(void) {
    expect_error(NET POP SRV "profiles: [walk]\n", SIM_EPARSE, 4, 11,
                 "expected a mapping for 'profiles', found a list");
    expect_error(NET POP SRV "profiles: {bicycle: {speed_kmh: 12}}\n", SIM_EPARSE, 4, 12,
                 "unknown key 'bicycle' in 'profiles' (expected one of: walk, bike, car)");
    expect_error(NET POP SRV "profiles: {bkie: {speed_kmh: 12}}\n", SIM_EPARSE, 4, 12,
                 "unknown key 'bkie' (did you mean 'bike'?)");
    expect_error(NET POP SRV "profiles: {walk: 4}\n", SIM_EPARSE, 4, 18,
                 "expected a mapping for profile 'walk', found '4'");
    expect_error(NET POP SRV "profiles: {walk: {speed: 4}}\n", SIM_EPARSE, 4, 19,
                 "unknown key 'speed' (did you mean 'speed_kmh'?)");
    expect_error(NET POP SRV "profiles: {bike: {speed_kmh: 12, colour: red}}\n", SIM_EPARSE, 4, 34,
                 "unknown key 'colour' in profile 'bike' (expected one of: speed_kmh)");
    expect_error(NET POP SRV "profiles:\n  car:\n    speed_factr: 0.5\n", SIM_EPARSE, 6, 5,
                 "unknown key 'speed_factr' (did you mean 'speed_factor'?)");
    expect_error(NET POP SRV "profiles: {car: {speed_kmh: 50}}\n", SIM_EPARSE, 4, 18,
                 "unknown key 'speed_kmh' in profile 'car' (expected one of: speed_factor, "
                 "use_maxspeed, maxspeed_factor, highway_kmh)");
    /* speeds and factors must be > 0 */
    expect_error(NET POP SRV "profiles: {walk: {speed_kmh: 0}}\n", SIM_EPARSE, 4, 30,
                 "'speed_kmh' must be greater than 0, found 0");
    expect_error(NET POP SRV "profiles: {bike: {speed_kmh: -15}}\n", SIM_EPARSE, 4, 30,
                 "'speed_kmh' must be greater than 0, found -15");
    expect_error(NET POP SRV "profiles: {bike: {speed_kmh: fast}}\n", SIM_EPARSE, 4, 30,
                 "expected a number for 'speed_kmh', found 'fast'");
    expect_error(NET POP SRV "profiles: {car: {speed_factor: 0}}\n", SIM_EPARSE, 4, 32,
                 "'speed_factor' must be greater than 0, found 0");
    expect_error(NET POP SRV "profiles: {car: {maxspeed_factor: -0.5}}\n", SIM_EPARSE, 4, 35,
                 "'maxspeed_factor' must be greater than 0, found -0.5");
    /* booleans: true, false, yes or no, unquoted */
    static const char *const bad_bools[] = {"True", "on", "1", "y", "~", "[true]"};
    for (size_t i = 0; i < sizeof bad_bools / sizeof bad_bools[0]; ++i) {
        char text[256];
        snprintf(text, sizeof text, NET POP SRV "profiles: {car: {use_maxspeed: %s}}\n",
                 bad_bools[i]);
        expect_error(text, SIM_EPARSE, 4, 32, "expected true or false for 'use_maxspeed', found");
    }
    expect_error(NET POP SRV "profiles: {car: {use_maxspeed: \"true\"}}\n", SIM_EPARSE, 4, 32,
                 "found the quoted string 'true' (write booleans without quotes)");
}

static void test_highway_kmh_errors(void) {
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: 50}}\n", SIM_EPARSE, 4, 31,
                 "expected a mapping for 'highway_kmh', found '50'");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {}}}\n", SIM_EPARSE, 4, 31,
                 "'highway_kmh' needs at least one class");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {primry: 50}}}\n", SIM_EPARSE, 4, 32,
                 "unknown highway class 'primry' (did you mean 'primary'?)");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {spaceway: 50}}}\n", SIM_EPARSE, 4, 32,
                 "unknown highway class 'spaceway' (expected one of: motorway, motorway_link, "
                 "trunk, trunk_link, primary, primary_link, secondary, secondary_link, tertiary, "
                 "tertiary_link, unclassified, residential, living_street, service, road, "
                 "track)");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {footway: 5}}}\n", SIM_EPARSE, 4, 32,
                 "cars do not use highway=footway; 'highway_kmh' takes: motorway,");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {other: 5}}}\n", SIM_EPARSE, 4, 32,
                 "unknown highway class 'other'");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {primary: 0}}}\n", SIM_EPARSE, 4, 41,
                 "'primary' must be greater than 0, found 0");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {primary: fast}}}\n", SIM_EPARSE, 4, 41,
                 "expected a number for 'primary', found 'fast'");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {primary: 50, primary: 60}}}\n",
                 SIM_EPARSE, 4, 45, "duplicate highway class 'primary' (first at 4:32)");
    expect_error(NET POP SRV "profiles: {car: {highway_kmh: {[a]: 60}}}\n", SIM_EPARSE, 4, 32,
                 "expected a highway class in 'highway_kmh', found a list");
}

static void test_walk_speed_given_twice(void) {
    /* reported at the later of the two */
    expect_error("network: {source: n.pbf, walk_speed_kmh: 5}\n" POP SRV
                 "profiles: {walk: {speed_kmh: 4}}\n",
                 SIM_EPARSE, 4, 30,
                 "the walking speed is given twice: network.walk_speed_kmh and "
                 "profiles.walk.speed_kmh (other at 1:42); keep one");
    expect_error("profiles: {walk: {speed_kmh: 4}}\n"
                 "network: {source: n.pbf, walk_speed_kmh: 5}\n" POP SRV,
                 SIM_EPARSE, 2, 42, "the walking speed is given twice");
    expect_error("profiles: {walk: {speed_kmh: 4}}\n"
                 "network: {source: n.pbf, walk_speed_kmh: 5}\n" POP SRV,
                 SIM_EPARSE, 2, 42, "(other at 1:30)");
}

static void test_group_mode_errors(void) {
    /* the network enables walk only (the default) */
    expect_error(
        NET "population: {source: p.csv, groups: {all: {field: pop, modes: [walk, car]}}}\n" SRV,
        SIM_EPARSE, 2, 70,
        "group 'all' uses mode 'car', which the network does not enable (network.modes: "
        "[walk])");
    expect_error("network: {source: n.pbf, modes: [walk, bike]}\n"
                 "population:\n"
                 "  source: p.csv\n"
                 "  groups:\n"
                 "    all: pop\n"
                 "    drivers:\n"
                 "      field: pop\n"
                 "      modes: [car, bike]\n" SRV,
                 SIM_EPARSE, 8, 15,
                 "group 'drivers' uses mode 'car', which the network does not enable "
                 "(network.modes: [walk, bike])");
    expect_error(NET "population: {source: p.csv, groups: {all: {field: pop, modes: []}}}\n" SRV,
                 SIM_EPARSE, 2, 63, "'modes' needs at least one mode");
    expect_error(NET "population: {source: p.csv, groups: {all: {field: pop, modes: walk}}}\n" SRV,
                 SIM_EPARSE, 2, 63, "expected a list for 'modes', found 'walk'");
    expect_error(NET
                 "population: {source: p.csv, groups: {all: {field: pop, modes: [boat]}}}\n" SRV,
                 SIM_EPARSE, 2, 64, "mode 'boat' is not available");
    expect_error(
        NET "population: {source: p.csv, groups: {all: {field: p, modes: [walk, walk]}}}\n" SRV,
        SIM_EPARSE, 2, 68, "mode 'walk' is listed twice");
    expect_error(NET "population: {source: p.csv, groups: {all: {modes: [walk]}}}\n" SRV,
                 SIM_EPARSE, 2, 43, "group 'all' needs 'field'");
    expect_error(NET "population: {source: p.csv, groups: {all: {feild: pop}}}\n" SRV, SIM_EPARSE,
                 2, 44, "unknown key 'feild' (did you mean 'field'?)");
    expect_error(NET "population: {source: p.csv, groups: {all: {field: [a]}}}\n" SRV, SIM_EPARSE,
                 2, 51, "expected a string for 'field', found a list");
    expect_error(NET "population: {source: p.csv, groups: {all: {}}}\n" SRV, SIM_EPARSE, 2, 43,
                 "group 'all' needs 'field'");
}

static void test_network_form_errors(void) {
    expect_error("network: {source: n.pbf, nodes: n.csv, edges: e.csv}\n" POP SRV, SIM_EPARSE, 1,
                 26, "'network' takes either 'source' or 'nodes' and 'edges', not both");
    expect_error("network: {edges: e.csv, source: n.pbf}\n" POP SRV, SIM_EPARSE, 1, 11,
                 "'network' takes either 'source' or 'nodes' and 'edges', not both");
    expect_error("network: {modes: [walk]}\n" POP SRV, SIM_EPARSE, 1, 10,
                 "'network' needs 'source' (or 'nodes' and 'edges' for node and edge tables)");
    expect_error("network: {nodes: n.csv}\n" POP SRV, SIM_EPARSE, 1, 10,
                 "'network' with 'nodes' needs 'edges'");
    expect_error("network: {edges: e.csv}\n" POP SRV, SIM_EPARSE, 1, 10,
                 "'network' with 'edges' needs 'nodes'");
    /* keys of the other form: the first one in the file is reported */
    expect_error("network: {source: n.pbf, from: u, node_id: id}\n" POP SRV, SIM_EPARSE, 1, 26,
                 "'from' is for node and edge tables ('nodes' and 'edges'), not for a 'source'");
    expect_error("network: {node_id: id, source: n.pbf, lon: x}\n" POP SRV, SIM_EPARSE, 1, 11,
                 "'node_id' is for node and edge tables");
    expect_error("network: {nodes: n.csv, edges: e.csv, layer: roads}\n" POP SRV, SIM_EPARSE, 1, 39,
                 "'layer' is for a 'source'; node and edge tables take 'nodes_layer' and "
                 "'edges_layer'");
    expect_error("network: {nodes: n.csv, edges: e.csv, join_tolerance_m: 1}\n" POP SRV, SIM_EPARSE,
                 1, 39, "'join_tolerance_m' is for line sources ('source')");
    expect_error("network: {nodes: n.csv, edges: e.csv, lat: y}\n" POP SRV, SIM_EPARSE, 1, 10,
                 "'network' needs both 'lon' and 'lat', or neither");
    expect_error("network: {nodes: \"\", edges: e.csv}\n" POP SRV, SIM_EPARSE, 1, 18,
                 "'nodes' must not be empty");
    expect_error("network: {nodes: n.csv, edges: e.csv, time: [a]}\n" POP SRV, SIM_EPARSE, 1, 45,
                 "expected a string for 'time', found a list");
    expect_error("network: {nodes: n.csv, edges: e.csv, node: id}\n" POP SRV, SIM_EPARSE, 1, 39,
                 "unknown key 'node' (did you mean 'nodes'?)");
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

/* Measures on line 4 after NET POP2 SRV: "measures: [" is 11 characters, so the first item
 * starts at column 12 and a name inside "{" at 13. */
#define M4 NET POP2 SRV

static void test_measure_names(void) {
    expect_error(M4 "measures: [nearset]\n", SIM_EPARSE, 4, 12,
                 "unknown measure 'nearset' (did you mean 'nearest'? expected one of: nearest, "
                 "cumulative, cumulative_interval, gravity, fca2, e2sfca, bfca, "
                 "spatial_availability)");
    expect_error(M4 "measures: [{gravty: {decay: binary, cutoff: 3}}]\n", SIM_EPARSE, 4, 13,
                 "unknown measure 'gravty' (did you mean 'gravity'?");
    expect_error(M4 "measures: [{accessibility: 30}]\n", SIM_EPARSE, 4, 13,
                 "unknown measure 'accessibility' (expected one of: nearest, cumulative,");
    expect_error(M4 "measures: [{gravity: {decay: expo, decay_value: 0.1}}]\n", SIM_EPARSE, 4, 30,
                 "unknown decay 'expo' (did you mean 'exponential'? expected one of: binary, "
                 "exponential, power, logistic, gaussian, linear, stepped)");
    expect_error(M4 "measures: [{gravity: {decay: cubic}}]\n", SIM_EPARSE, 4, 30,
                 "unknown decay 'cubic' (expected one of: binary, exponential,");
    expect_error(M4 "measures: [{gravity: {decay: [a]}}]\n", SIM_EPARSE, 4, 30,
                 "expected a decay name for 'decay', found a list");
    expect_error(M4 "measures: [[nearest]]\n", SIM_EPARSE, 4, 12,
                 "expected a measure name, found a list");
    expect_error(M4 "measures: [~]\n", SIM_EPARSE, 4, 12, "expected a measure name, found nothing");
    /* the second of two equal output names */
    expect_error(M4 "measures: [nearest, {nearest: 1}]\n", SIM_EPARSE, 4, 22,
                 "duplicate measure 'nearest' (first at 4:12)");
    expect_error(M4 "measures: [{fca2: 30},"
                    " {fca2: {decay: binary, cutoff: 30, demand: everyone}}]\n",
                 SIM_EPARSE, 4, 25, "duplicate measure 'fca2_binary_30' (first at 4:13)");
    expect_error(M4 "measures:\n"
                    "  - e2sfca: {steps: [10], weights: [0.5]}\n"
                    "  - nearest\n"
                    "  - e2sfca: {steps: [5], weights: [0.2]}\n",
                 SIM_EPARSE, 7, 5, "duplicate measure 'e2sfca' (first at 5:5)");
}

static void test_measure_shapes(void) {
    expect_error(M4 "measures: nearest\n", SIM_EPARSE, 4, 11,
                 "expected a list for 'measures', found 'nearest'");
    expect_error(M4 "measures: []\n", SIM_EPARSE, 4, 11,
                 "'measures' needs at least one measure (or leave it out for nearest only)");
    expect_error(M4 "measures: [{nearest: 1, cumulative: 30}]\n", SIM_EPARSE, 4, 12,
                 "a measure is a name or a mapping with one key ({ name: parameters }), found a "
                 "mapping with 2 keys");
    expect_error(M4 "measures: [{}]\n", SIM_EPARSE, 4, 12, "found a mapping with 0 keys");
    expect_error(M4 "measures: [{gravity: 0.1}]\n", SIM_EPARSE, 4, 22,
                 "expected a mapping of parameters for measure 'gravity', found '0.1' (e.g. { "
                 "gravity: { decay: exponential, decay_value: 0.1 } })");
    expect_error(M4 "measures: [{e2sfca: 30}]\n", SIM_EPARSE, 4, 21,
                 "expected a mapping of parameters for measure 'e2sfca'");
    expect_error(M4 "measures: [{cumulative_interval: 30}]\n", SIM_EPARSE, 4, 34,
                 "(e.g. { cumulative_interval: { from: 20, to: 40 } })");
    expect_error(M4 "measures: [{nearest: [3]}]\n", SIM_EPARSE, 4, 22,
                 "expected a number or a mapping of parameters for measure 'nearest', found a "
                 "list");
    /* keys of the measure's own table */
    expect_error(M4 "measures: [{gravity: {decay: binary, cuttoff: 30}}]\n", SIM_EPARSE, 4, 38,
                 "unknown key 'cuttoff' (did you mean 'cutoff'?)");
    expect_error(M4 "measures: [{nearest: {n: 3}}]\n", SIM_EPARSE, 4, 23,
                 "unknown key 'n' (did you mean 'k'?)");
    expect_error(M4 "measures: [{nearest: {count: true}}]\n", SIM_EPARSE, 4, 23,
                 "unknown key 'count' in measure 'nearest' (expected one of: k)");
    expect_error(M4 "measures: [{fca2: {cutoff: 30, alpha: 1}}]\n", SIM_EPARSE, 4, 32,
                 "unknown key 'alpha' in measure 'fca2' (expected one of: decay, decay_value, "
                 "cutoff, sd, sigma, steps, weights, demand)");
    expect_error(M4 "measures: [{cumulative: {cutoff: 30, cutoff: 40}}]\n", SIM_EPARSE, 4, 38,
                 "duplicate key 'cutoff' (first at 4:26)");
}

static void test_measure_parameters(void) {
    /* k */
    expect_error(M4 "measures: [{nearest: 0}]\n", SIM_EPARSE, 4, 22,
                 "'k' must be a whole number, 1 or more, found 0");
    expect_error(M4 "measures: [{nearest: {k: 2.5}}]\n", SIM_EPARSE, 4, 26,
                 "'k' must be a whole number, 1 or more, found 2.5");
    expect_error(M4 "measures: [{nearest: three}]\n", SIM_EPARSE, 4, 22,
                 "expected a number for 'k', found 'three'");
    /* cumulative: cutoff > 0, strict numbers */
    expect_error(M4 "measures: [{cumulative: -5}]\n", SIM_EPARSE, 4, 25,
                 "'cutoff' must be greater than 0, found -5");
    expect_error(M4 "measures: [{cumulative: {cutoff: 0}}]\n", SIM_EPARSE, 4, 34,
                 "'cutoff' must be greater than 0, found 0");
    expect_error(M4 "measures: [{cumulative: \"30\"}]\n", SIM_EPARSE, 4, 25,
                 "found the quoted string '30' (write numbers without quotes)");
    expect_error(M4 "measures: [{cumulative: 30min}]\n", SIM_EPARSE, 4, 25,
                 "expected a number for 'cutoff', found '30min'");
    expect_error(M4 "measures: [{cumulative: {cutoff: 30, count: 1}}]\n", SIM_EPARSE, 4, 45,
                 "expected true or false for 'count', found '1'");
    /* cumulative_interval: 0 < from < to */
    expect_error(M4 "measures: [{cumulative_interval: {from: 40, to: 20}}]\n", SIM_EPARSE, 4, 49,
                 "'to' must be greater than 'from' (40), found 20");
    expect_error(M4 "measures: [{cumulative_interval: {from: 20, to: 20}}]\n", SIM_EPARSE, 4, 49,
                 "'to' must be greater than 'from' (20), found 20");
    expect_error(M4 "measures: [{cumulative_interval: {from: 0, to: 20}}]\n", SIM_EPARSE, 4, 41,
                 "'from' must be greater than 0, found 0");
    expect_error(M4 "measures: [{cumulative_interval: {from: 1, to: 200000}}]\n", SIM_EPARSE, 4,
                 48, "the interval from 1 to 200000 minutes is too long (at most 99999 minutes)");
    /* alpha >= 0 */
    expect_error(M4 "measures: [{spatial_availability: {cutoff: 30, alpha: -1}}]\n", SIM_EPARSE,
                 4, 55, "'alpha' must be 0 or more, found -1");
}

static void test_measure_missing_parameters(void) {
    /* reported at the parameters' mapping, or at the name when there is none */
    expect_error(M4 "measures: [cumulative]\n", SIM_EPARSE, 4, 12,
                 "measure 'cumulative' needs 'cutoff' (minutes)");
    expect_error(M4 "measures: [{cumulative: {count: true}}]\n", SIM_EPARSE, 4, 25,
                 "measure 'cumulative' needs 'cutoff' (minutes)");
    expect_error(M4 "measures: [{cumulative_interval: {from: 20}}]\n", SIM_EPARSE, 4, 34,
                 "measure 'cumulative_interval' needs 'to' (minutes)");
    expect_error(M4 "measures: [cumulative_interval]\n", SIM_EPARSE, 4, 12,
                 "measure 'cumulative_interval' needs 'from' (minutes)");
    expect_error(M4 "measures: [gravity]\n", SIM_EPARSE, 4, 12,
                 "measure 'gravity' needs 'decay' (one of: binary, exponential, power, logistic, "
                 "gaussian, linear, stepped)");
    expect_error(M4 "measures: [{gravity: {decay_value: 0.1}}]\n", SIM_EPARSE, 4, 22,
                 "measure 'gravity' needs 'decay'");
    expect_error(M4 "measures: [{gravity: {decay: exponential}}]\n", SIM_EPARSE, 4, 22,
                 "measure 'gravity' with exponential decay needs 'decay_value'");
    expect_error(M4 "measures: [{gravity: {decay: logistic, cutoff: 30}}]\n", SIM_EPARSE, 4, 22,
                 "measure 'gravity' with logistic decay needs 'sd'");
    expect_error(M4 "measures: [{e2sfca: {steps: [10]}}]\n", SIM_EPARSE, 4, 21,
                 "measure 'e2sfca' with stepped decay needs 'weights'");
    expect_error(M4 "measures: [e2sfca]\n", SIM_EPARSE, 4, 12,
                 "measure 'e2sfca' with stepped decay needs 'steps'");
    expect_error(M4 "measures: [fca2]\n", SIM_EPARSE, 4, 12,
                 "measure 'fca2' with binary decay needs 'cutoff'");
    /* a parameter of another decay */
    expect_error(M4 "measures: [{gravity: {decay: exponential, decay_value: 0.1, cutoff: 30}}]\n",
                 SIM_EPARSE, 4, 61,
                 "'cutoff' is not a parameter of exponential decay (it takes: decay_value)");
    expect_error(M4 "measures: [{gravity: {sd: 3, decay: linear, sigma: 2, cutoff: 30}}]\n",
                 SIM_EPARSE, 4, 23, "'sd' is not a parameter of linear decay (it takes: cutoff)");
    expect_error(M4 "measures: [{fca2: {decay_value: 0.1}}]\n", SIM_EPARSE, 4, 20,
                 "'decay_value' is not a parameter of binary decay (it takes: cutoff); measure "
                 "'fca2' uses binary decay unless 'decay' says otherwise");
    expect_error(M4 "measures: [{e2sfca: {decay: binary}}]\n", SIM_EPARSE, 4, 29,
                 "measure 'e2sfca' always uses stepped decay, found 'binary' (leave 'decay' out)");
}

/* sim_decay_check() judges the values; its message is reported at the value at fault. */
static void test_decay_ranges(void) {
    expect_error(M4 "measures: [{gravity: {decay: exponential, decay_value: 0}}]\n", SIM_EPARSE, 4,
                 56, "exponential decay: decay_value must be > 0 (got 0)");
    expect_error(M4 "measures: [{gravity: {decay: power, decay_value: -2}}]\n", SIM_EPARSE, 4, 50,
                 "power decay: decay_value must be > 0 (got -2)");
    expect_error(M4 "measures: [{fca2: -30}]\n", SIM_EPARSE, 4, 19,
                 "binary decay: cutoff must be >= 0 minutes (got -30)");
    expect_error(M4 "measures: [{gravity: {decay: linear, cutoff: 0}}]\n", SIM_EPARSE, 4, 46,
                 "linear decay: cutoff must be > 0 minutes (got 0)");
    expect_error(M4 "measures: [{gravity: {decay: logistic, cutoff: 30, sd: -1}}]\n", SIM_EPARSE,
                 4, 56, "logistic decay: sd must be > 0 minutes (got -1)");
    expect_error(M4 "measures: [{gravity: {decay: logistic, cutoff: 0, sd: 0}}]\n", SIM_EPARSE, 4,
                 48, "logistic decay: cutoff must be > 0 minutes (got 0)");
    expect_error(M4 "measures: [{bfca: {decay: gaussian, sigma: 0}}]\n", SIM_EPARSE, 4, 44,
                 "gaussian decay: sigma must be > 0 minutes (got 0)");
    expect_error(M4 "measures: [{gravity: {decay: exponential, decay_value: 1e-400}}]\n",
                 SIM_EPARSE, 4, 56, "exponential decay: decay_value must be > 0 (got 0)");
    /* stepped: each step and weight at its place in the lists */
#define E2 M4 "measures:\n  - e2sfca:\n"
    expect_error(E2 "      steps: [10, 20, 30]\n      weights: [1, 1.5, 0.2]\n", SIM_EPARSE, 7, 20,
                 "stepped decay: weight 2 must be in [0, 1] (got 1.5)");
    expect_error(E2 "      steps: [10, 20, 15]\n      weights: [1, 0.5, 0.2]\n", SIM_EPARSE, 6, 23,
                 "stepped decay: steps must be strictly increasing (step 3 is 15 after 20)");
    expect_error(E2 "      steps: [0.5, 2]\n      weights: [1, 0.5]\n", SIM_EPARSE, 6, 15,
                 "stepped decay: step 1 must be >= 1 minute (got 0.5)");
    expect_error(E2 "      steps: [5, 10]\n      weights: [-0.1, 0.5]\n", SIM_EPARSE, 7, 17,
                 "stepped decay: weight 1 must be in [0, 1] (got -0.1)");
    expect_error(E2 "      steps: [10, 20, 30]\n      weights: [1, 0.5]\n", SIM_EPARSE, 7, 16,
                 "'weights' needs one weight per step: 3 steps, 2 weights");
    expect_error(E2 "      steps: []\n      weights: []\n", SIM_EPARSE, 6, 14,
                 "'steps' needs at least one value");
    expect_error(E2 "      steps: 10\n      weights: [1]\n", SIM_EPARSE, 6, 14,
                 "expected a list for 'steps', found '10'");
    expect_error(E2 "      steps: [10, x]\n      weights: [1, 1]\n", SIM_EPARSE, 6, 19,
                 "expected a number for 'steps', found 'x'");
#undef E2
}

static void test_measure_groups(void) {
    expect_error(M4 "measures: [{fca2: {cutoff: 30, demand: migrant}}]\n", SIM_EPARSE, 4, 40,
                 "'demand' names group 'migrant', which is not a population group (did you mean "
                 "'migrants'?)");
    expect_error(M4 "measures: [{bfca: {cutoff: 30, demand: kids}}]\n", SIM_EPARSE, 4, 40,
                 "'demand' names group 'kids', which is not a population group (groups: "
                 "everyone, migrants)");
    expect_error(M4 "measures: [{e2sfca: {steps: [10], weights: [1], demand: ~}}]\n", SIM_EPARSE,
                 4, 57, "expected a string for 'demand', found nothing");
}

static void test_equity_errors(void) {
    expect_error(M4 "equity: {rank: income}\n", SIM_EPARSE, 4, 10,
                 "unknown key 'rank' (did you mean 'rank_by'?)");
    expect_error(M4 "equity: {colour: red}\n", SIM_EPARSE, 4, 10,
                 "unknown key 'colour' in 'equity' (expected one of: total_group, rank_by, "
                 "poverty_line_min, poverty_share)");
    expect_error(M4 "equity: [a]\n", SIM_EPARSE, 4, 9,
                 "expected a mapping for 'equity', found a list");
    expect_error(M4 "equity: {total_group: everyon}\n", SIM_EPARSE, 4, 23,
                 "'total_group' names group 'everyon', which is not a population group (did you "
                 "mean 'everyone'?)");
    expect_error(M4 "equity: {total_group: people}\n", SIM_EPARSE, 4, 23,
                 "'total_group' names group 'people', which is not a population group (groups: "
                 "everyone, migrants)");
    expect_error(M4 "equity: {poverty_line_min: 0}\n", SIM_EPARSE, 4, 28,
                 "'poverty_line_min' must be greater than 0, found 0");
    expect_error(M4 "equity: {poverty_share: 1}\n", SIM_EPARSE, 4, 25,
                 "'poverty_share' must be between 0 and 1 (both excluded), found 1");
    expect_error(M4 "equity: {poverty_share: 0}\n", SIM_EPARSE, 4, 25,
                 "'poverty_share' must be between 0 and 1 (both excluded), found 0");
    expect_error(M4 "equity: {poverty_share: half}\n", SIM_EPARSE, 4, 25,
                 "expected a number for 'poverty_share', found 'half'");
    expect_error(M4 "equity: {rank_by: \"\"}\n", SIM_EPARSE, 4, 19, "'rank_by' must not be empty");
}

/* A transit block on lines 4 to 7 with the given date and window, then `extra` (from line 8). */
static const char *transit_file(const char *date, const char *window, const char *extra,
                                char *text, size_t size) {
    snprintf(text, size, NET POP SRV "transit:\n  feeds: [f.zip]\n  date: %s\n  window: %s\n%s",
             date, window, extra);
    return text;
}

/* transit_file() with one thing changed, into the caller's `text`. */
#define WITH_DATE(date) transit_file(date, "\"07:00-08:00\"", "", text, sizeof text)
#define WITH_WINDOW(window) transit_file("2019-05-13", window, "", text, sizeof text)
#define WITH_LINE8(extra) transit_file("2019-05-13", "\"07:00-08:00\"", extra, text, sizeof text)

static void test_transit_errors(void) {
    char text[512];
    /* dates (line 6, the value at column 9) */
    expect_error(WITH_DATE("2019-02-29"), SIM_EPARSE, 6, 9,
                 "transit.date: 2019-02-29 is not a calendar date (February 2019 has 28 days)");
    expect_error(WITH_DATE("2020-02-30"), SIM_EPARSE, 6, 9,
                 "transit.date: 2020-02-30 is not a calendar date (February 2020 has 29 days)");
    expect_error(WITH_DATE("1900-02-29"), SIM_EPARSE, 6, 9, "(February 1900 has 28 days)");
    expect_error(WITH_DATE("2019-04-31"), SIM_EPARSE, 6, 9, "(April 2019 has 30 days)");
    expect_error(WITH_DATE("2019-05-00"), SIM_EPARSE, 6, 9, "2019-05-00 is not a calendar date");
    expect_error(WITH_DATE("2019-13-01"), SIM_EPARSE, 6, 9,
                 "2019-13-01 is not a calendar date (month 13; months are 01 to 12)");
    expect_error(WITH_DATE("\"2019-5-13\""), SIM_EPARSE, 6, 9,
                 "transit.date: expected \"YYYY-MM-DD\" such as \"2019-05-13\", found "
                 "\"2019-5-13\"");
    expect_error(WITH_DATE("20190513"), SIM_EPARSE, 6, 9, "found \"20190513\"");
    expect_error(WITH_DATE("[2019, 5, 13]"), SIM_EPARSE, 6, 9,
                 "transit.date: expected \"YYYY-MM-DD\" such as \"2019-05-13\", found a list");
    /* windows (line 7, the value at column 11) */
    expect_error(WITH_WINDOW("7-8"), SIM_EPARSE, 7, 11,
                 "transit.window: expected \"HH:MM-HH:MM\" such as \"07:00-08:00\", found "
                 "\"7-8\"");
    expect_error(WITH_WINDOW("\"08:00-07:00\""), SIM_EPARSE, 7, 11,
                 "transit.window: window end 07:00 is not after its start 08:00");
    expect_error(WITH_WINDOW("\"08:00-08:00\""), SIM_EPARSE, 7, 11,
                 "window end 08:00 is not after its start 08:00");
    expect_error(WITH_WINDOW("\"08:60-09:00\""), SIM_EPARSE, 7, 11,
                 "transit.window: 08:60 is not a time (minutes are 00 to 59)");
    expect_error(WITH_WINDOW("\"8:00-9:75\""), SIM_EPARSE, 7, 11,
                 "transit.window: 9:75 is not a time");
    expect_error(WITH_WINDOW("\"25:61\""), SIM_EPARSE, 7, 11,
                 "expected \"HH:MM-HH:MM\" such as \"07:00-08:00\", found \"25:61\"");
    expect_error(WITH_WINDOW("\"47:00-48:00\""), SIM_EPARSE, 7, 11,
                 "transit.window: 48:00 is past 47:59");
    static const char *const bad_windows[] = {"\"07:0-08:00\"",       "\"007:00-08:00\"",
                                              "\"07:00-08:00 \"",     "\"07:00--08:00\"",
                                              "\"07:00-08:00-09:00\"", "\"07.00-08.00\"",
                                              "~",                    "[\"07:00\", \"08:00\"]"};
    for (size_t i = 0; i < sizeof bad_windows / sizeof bad_windows[0]; ++i)
        expect_error(WITH_WINDOW(bad_windows[i]), SIM_EPARSE, 7, 11,
                     "transit.window: expected \"HH:MM-HH:MM\"");
    /* step_min (value at column 13) */
    expect_error(WITH_LINE8("  step_min: 0\n"), SIM_EPARSE, 8, 13,
                 "'step_min' must be greater than 0, found 0");
    expect_error(WITH_LINE8("  step_min: 61\n"), SIM_EPARSE, 8, 13,
                 "'step_min' must not be longer than the window (60 minutes), found 61");
    expect_error(WITH_LINE8("  step_min: 0.001\n"), SIM_EPARSE, 8, 13,
                 "'step_min' must be at least one second");
    /* percentiles (the list at column 16, its first item at 17) */
    expect_error(WITH_LINE8("  percentiles: [0]\n"), SIM_EPARSE, 8, 17,
                 "'percentiles' values must be whole numbers from 1 to 99, found 0");
    expect_error(WITH_LINE8("  percentiles: [50, 100]\n"), SIM_EPARSE, 8, 21,
                 "'percentiles' values must be whole numbers from 1 to 99, found 100");
    expect_error(WITH_LINE8("  percentiles: [5.5]\n"), SIM_EPARSE, 8, 17,
                 "whole numbers from 1 to 99, found 5.5");
    expect_error(WITH_LINE8("  percentiles: [50, 25, 50]\n"), SIM_EPARSE, 8, 25,
                 "percentile 50 is listed twice (first at 8:17)");
    expect_error(WITH_LINE8("  percentiles: []\n"), SIM_EPARSE, 8, 16,
                 "'percentiles' needs at least one value");
    expect_error(WITH_LINE8("  percentiles: 50\n"), SIM_EPARSE, 8, 16,
                 "expected a list for 'percentiles', found '50'");
    expect_error(WITH_LINE8("  percentiles: [median]\n"), SIM_EPARSE, 8, 17,
                 "expected a number for 'percentiles', found 'median'");
    /* max_rides (column 14), max_trip_min (17), board_slack_s (18) */
    expect_error(WITH_LINE8("  max_rides: 0\n"), SIM_EPARSE, 8, 14,
                 "'max_rides' must be a whole number from 1 to 16, found 0");
    expect_error(WITH_LINE8("  max_rides: 17\n"), SIM_EPARSE, 8, 14,
                 "'max_rides' must be a whole number from 1 to 16, found 17");
    expect_error(WITH_LINE8("  max_rides: 2.5\n"), SIM_EPARSE, 8, 14, "found 2.5");
    expect_error(WITH_LINE8("  max_trip_min: 0\n"), SIM_EPARSE, 8, 17,
                 "'max_trip_min' must be greater than 0, found 0");
    expect_error(WITH_LINE8("  max_trip_min: 1441\n"), SIM_EPARSE, 8, 17,
                 "'max_trip_min' must be at most 1440 minutes, found 1441");
    expect_error(WITH_LINE8("  board_slack_s: -1\n"), SIM_EPARSE, 8, 18,
                 "'board_slack_s' must be a whole number from 0 to 3600, found -1");
    expect_error(WITH_LINE8("  board_slack_s: 3601\n"), SIM_EPARSE, 8, 18,
                 "from 0 to 3600, found 3601");
    expect_error(WITH_LINE8("  board_slack_s: \"60\"\n"), SIM_EPARSE, 8, 18,
                 "found the quoted string '60' (write numbers without quotes)");
    /* max_walk_min (column 17): a number or a mapping */
    expect_error(WITH_LINE8("  max_walk_min: 0\n"), SIM_EPARSE, 8, 17,
                 "'max_walk_min' must be greater than 0, found 0");
    expect_error(WITH_LINE8("  max_walk_min: [10]\n"), SIM_EPARSE, 8, 17,
                 "expected a number or a mapping { access, egress, transfer } for "
                 "'max_walk_min', found a list");
    expect_error(WITH_LINE8("  max_walk_min: {acess: 10}\n"), SIM_EPARSE, 8, 18,
                 "unknown key 'acess' (did you mean 'access'?)");
    expect_error(WITH_LINE8("  max_walk_min: {transfer: 0}\n"), SIM_EPARSE, 8, 28,
                 "'transfer' must be greater than 0, found 0");
    expect_error(WITH_LINE8("  max_walk_min: {egress: 2000}\n"), SIM_EPARSE, 8, 26,
                 "'egress' must be at most 1440 minutes, found 2000");
    /* feeds ("transit: {feeds: " is 17 characters: the value at column 18) */
    expect_error(NET POP SRV "transit: {feeds: [], date: 2019-05-13, window: \"07:00-08:00\"}\n",
                 SIM_EPARSE, 4, 18, "'feeds' needs at least one GTFS feed");
    expect_error(NET POP SRV "transit: {feeds: {a: b}, date: 2019-05-13, window: \"7:00-8:00\"}\n",
                 SIM_EPARSE, 4, 18,
                 "expected a path or a list of paths for 'feeds', found a mapping");
    expect_error(NET POP SRV
                 "transit: {feeds: [a.zip, \"\"], date: 2019-05-13, window: \"7:00-8:00\"}\n",
                 SIM_EPARSE, 4, 26, "'feeds' must not be empty");
    expect_error(NET POP SRV
                 "transit: {feeds: [a.zip, b, a.zip], date: 2019-05-13, window: \"7:00-8:00\"}\n",
                 SIM_EPARSE, 4, 29, "feed 'a.zip' is listed twice (first at 4:19)");
}

static void test_transit_keys(void) {
    char text[512];
    /* unknown keys get the nearest known key, or the list */
    expect_error(WITH_LINE8("  feed: g.zip\n"), SIM_EPARSE, 8, 3,
                 "unknown key 'feed' (did you mean 'feeds'?)");
    expect_error(WITH_LINE8("  max_walk: 5\n"), SIM_EPARSE, 8, 3,
                 "unknown key 'max_walk' (did you mean 'max_walk_min'?)");
    expect_error(WITH_LINE8("  percentile: [5]\n"), SIM_EPARSE, 8, 3,
                 "unknown key 'percentile' (did you mean 'percentiles'?)");
    expect_error(WITH_LINE8("  max_transfers: 3\n"), SIM_EPARSE, 8, 3,
                 "unknown key 'max_transfers' in 'transit' (expected one of: feeds, date, window, "
                 "step_min, percentiles, max_walk_min, max_rides, max_trip_min, board_slack_s)");
    expect_error(WITH_LINE8("  date: 2019-05-14\n"), SIM_EPARSE, 8, 3,
                 "duplicate key 'date' (first at 6:3)");
    expect_error(NET POP SRV "transt: {feeds: f.zip}\n", SIM_EPARSE, 4, 1,
                 "unknown key 'transt' (did you mean 'transit'?)");
    /* the block's shape and its required keys */
    expect_error(NET POP SRV "transit: [f.zip]\n", SIM_EPARSE, 4, 10,
                 "expected a mapping for 'transit', found a list");
    expect_error(NET POP SRV "transit:\n", SIM_EPARSE, 4, 9,
                 "expected a mapping for 'transit', found nothing");
    expect_error(NET POP SRV "transit: {date: 2019-05-13, window: \"07:00-08:00\"}\n", SIM_EPARSE,
                 4, 10, "'transit' needs 'feeds'");
    expect_error(NET POP SRV "transit: {feeds: f.zip, window: \"07:00-08:00\"}\n", SIM_EPARSE, 4,
                 10, "'transit' needs 'date'");
    expect_error(NET POP SRV "transit: {feeds: f.zip, date: 2019-05-13}\n", SIM_EPARSE, 4, 10,
                 "'transit' needs 'window'");
}

static void test_transit_mode_errors(void) {
    /* explicit modes without transit, and a block: reported at the block's key */
    expect_error("network: {source: n.pbf, modes: [walk, bike]}\n" POP SRV TRANSIT, SIM_EPARSE, 4,
                 1,
                 "a 'transit:' block is given but network.modes does not list transit (add it to "
                 "the list at 1:33");
    expect_error(TRANSIT "network: {source: n.pbf, modes: [walk]}\n" POP SRV, SIM_EPARSE, 1, 1,
                 "a 'transit:' block is given but network.modes does not list transit");
    /* transit without the block: reported at the mode */
    expect_error("network: {source: n.pbf, modes: [walk, transit]}\n" POP SRV, SIM_EPARSE, 1, 40,
                 "mode 'transit' needs a 'transit:' block (feeds, date, window; docs/TRANSIT.md)");
    expect_error("network:\n  source: n.pbf\n  modes:\n    - transit\n" POP SRV, SIM_EPARSE, 4, 7,
                 "mode 'transit' needs a 'transit:' block");
    /* a group with transit when the network has none */
    expect_error(NET "population: {source: p.csv, groups: {all: {field: pop, modes: [transit]}}}\n"
                 SRV,
                 SIM_EPARSE, 2, 64,
                 "group 'all' uses mode 'transit', which the network does not enable "
                 "(network.modes: [walk]; transit needs a 'transit:' block)");
    /* a group with a mode the block does not add */
    expect_error(NET "population: {source: p.csv, groups: {all: {field: pop, modes: [bike]}}}\n"
                 SRV TRANSIT,
                 SIM_EPARSE, 2, 64,
                 "group 'all' uses mode 'bike', which the network does not enable "
                 "(network.modes: [walk, transit])");
}

int main(void) {
    if (!tu_temp_dir("accessim_cfg", tmp_dir, sizeof tmp_dir)) return 1;

    test_full_file();
    test_defaults();
    test_relative_scenario_path();
    test_services_form_a_keeps_order();
    test_services_form_b_with_kinds();
    test_services_form_b_without_kinds();
    test_anchors_and_aliases();
    test_modes_and_destroy();
    test_profiles_and_group_modes();
    test_profile_defaults_and_booleans();
    test_network_tables();
    test_measures();
    test_measures_other_forms();
    test_equity();
    test_transit_full();
    test_transit_defaults();
    test_transit_values();
    test_transit_modes();

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
    test_profile_errors();
    test_highway_kmh_errors();
    test_walk_speed_given_twice();
    test_group_mode_errors();
    test_network_form_errors();
    test_names();
    test_measure_names();
    test_measure_shapes();
    test_measure_parameters();
    test_measure_missing_parameters();
    test_decay_ranges();
    test_measure_groups();
    test_equity_errors();
    test_transit_errors();
    test_transit_keys();
    test_transit_mode_errors();

    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
