/*
 * Tests for geo/tables.c: networks given as node and edge tables. Fixtures are tiny CSV and
 * GeoJSON files written at run time into a temporary folder. The nodes sit in Chicago, in UTM
 * zone 16N (EPSG:32616); expected coordinates and lengths were computed once with PROJ's tools:
 *   echo "41.800 -87.600" | cs2cs -f "%.4f" EPSG:4326 EPSG:32616   -> 450154.0299 4627744.8057
 *   echo "447000 4627000" | cs2cs -f "%.9f" EPSG:32616 EPSG:4326   -> 41.793087405 -87.637896590
 *   echo "41.800 -87.600 41.800 -87.599" | geod +ellps=WGS84 -I   -> 83.110 m
 * Expected speeds come from geo_profile_defaults(): walking and cycling speeds, the car speed of
 * the highway class, or a maxspeed times car_maxspeed_factor.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/geo_internal.h"
#include "geo/network.h"
#include "test_util.h"

static char tmp_dir[256];
static geo_profile P; /* the defaults */

#define PATH_LEN 512
#define WALK GEO_MODE_WALK
#define BIKE GEO_MODE_BIKE
#define CAR GEO_MODE_CAR

static const char *const NODES4 = "id,lon,lat\n"
                                  "10,-87.600,41.800\n"
                                  "20,-87.599,41.800\n"
                                  "30,-87.599,41.801\n"
                                  "40,-87.600,41.801\n";

/* Writes the two tables (NULL: not written) and fills `ts` with their paths. */
typedef struct {
    char nodes[PATH_LEN], edges[PATH_LEN];
    geo_table_source ts;
    geo_network_source src;
} fixture;

static void fixture_init(fixture *fx, const char *nodes_name, const char *nodes_text,
                         const char *edges_name, const char *edges_text) {
    memset(fx, 0, sizeof *fx);
    if (nodes_text)
        tu_write_file(tmp_dir, nodes_name, nodes_text, fx->nodes, sizeof fx->nodes);
    else
        tu_path(tmp_dir, nodes_name, fx->nodes, sizeof fx->nodes);
    if (edges_text)
        tu_write_file(tmp_dir, edges_name, edges_text, fx->edges, sizeof fx->edges);
    else
        tu_path(tmp_dir, edges_name, fx->edges, sizeof fx->edges);
    fx->ts.nodes = fx->nodes;
    fx->ts.edges = fx->edges;
    fx->src.tables = &fx->ts;
}

/* Loads the fixture; NULL (with the error printed) on failure. */
static geo_network *load_(int line, const fixture *fx, geo_crs **crs, sim_warnings *warn) {
    sim_error err = {0};
    geo_network *net = calloc(1, sizeof *net);
    *crs = NULL;
    sim_status rc = geo__network_load_tables(&fx->src, net, crs, warn, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) {
        fprintf(stderr, "  ^ at line %d: unexpected error: %s\n", line, err.msg);
        geo_network_destroy(net);
        return NULL;
    }
    CHECK(*crs != NULL);
    return net;
}
#define load(fx, crs, warn) load_(__LINE__, fx, crs, warn)

/* Expects `code` with a message containing every fragment of the NULL-terminated list. */
static void expect_error_(int line, const fixture *fx, sim_status code, const char *const *frags) {
    int before = check_failures;
    sim_warnings warn = {0};
    sim_error err = {0};
    geo_crs *crs = NULL;
    geo_network *net = calloc(1, sizeof *net);
    CHECK_EQ_INT(geo__network_load_tables(&fx->src, net, &crs, &warn, &err), code);
    CHECK_EQ_INT(err.code, code);
    CHECK(crs == NULL);
    for (; *frags; ++frags) CHECK_STR_CONTAINS(err.msg, *frags);
    if (check_failures != before)
        fprintf(stderr, "  ^ in the case at line %d: %s\n", line, err.msg);
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}
#define expect_error(fx, code, ...)                                                                \
    expect_error_(__LINE__, fx, code, (const char *const[]){__VA_ARGS__, NULL})

/* The warning whose text contains `what`, or NULL. */
static const sim_warning *find_warning(const sim_warnings *w, const char *what) {
    for (size_t i = 0; i < w->n; ++i)
        if (strstr(w->items[i].what, what)) return &w->items[i];
    return NULL;
}

static size_t warning_count(const sim_warnings *w, const char *what) {
    const sim_warning *it = find_warning(w, what);
    return it ? it->count : 0;
}

static float speed(const geo_network *net, uint32_t s, int m) {
    return net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT + (size_t)m];
}

/* Access bits of mode m on segment s: 'F'orward, 'B'ackward, both "FB", or "" (none). */
static const char *dirs(const geo_network *net, uint32_t s, int m) {
    uint8_t a = net->seg_access[s];
    int f = (a & GEO_ACCESS_FWD(m)) != 0, b = (a & GEO_ACCESS_BWD(m)) != 0;
    return f ? (b ? "FB" : "F") : (b ? "B" : "");
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void test_tags_lengths_and_crs(void) {
    fixture fx;
    fixture_init(&fx, "basic_nodes.csv", NODES4, "basic_edges.csv",
                 "from,to,length,highway,oneway,maxspeed,name\n"
                 "10,20,100.5,residential,yes,,Oneway Street\n" /* 1: car one-way */
                 "20,30,111.25,footway,,,\n"                    /* 2: no car */
                 "30,40,80,primary,,,\n"                        /* 3: every mode both ways */
                 "40,10,120,motorway,no,,\n"                    /* 4: car only */
                 "30,30,5,residential,,,Loop\n"                 /* 5: self-loop */
                 "10,30,150,proposed,,,\n"                      /* 6: no mode */
                 "40,20,130,tertiary,-1,30 mph,\n"              /* 7: car against the drawing */
                 "20,40,125,secondary,,fast,\n");               /* 8: maxspeed not understood */
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (!net) return;
    CHECK_EQ_INT(geo_crs_epsg(crs), 32616); /* UTM zone of the nodes */
    CHECK_EQ_U32(net->n_nodes, 4);
    CHECK_NEAR(net->x[0], 450154.0299, 0.01);
    CHECK_NEAR(net->y[0], 4627744.8057, 0.01);
    CHECK_NEAR(net->lon[2], -87.599, 1e-12);
    CHECK_NEAR(net->lat[2], 41.801, 1e-12);
    CHECK_EQ_INT(net->kind[3], GEO_NODE_STREET);
    CHECK_EQ_U32(net->ref[3], SIM_INVALID_ID);

    CHECK_EQ_U32(net->n_segs, 6);
    if (net->n_segs == 6) {
        static const int64_t rows[6] = {1, 2, 3, 4, 7, 8};
        static const double lens[6] = {100.5, 111.25, 80, 120, 130, 125};
        static const uint32_t u[6] = {0, 1, 2, 3, 3, 1}, v[6] = {1, 2, 3, 0, 1, 3};
        for (uint32_t s = 0; s < 6; ++s) {
            CHECK_EQ_INT(net->seg_way[s], rows[s]);
            CHECK_NEAR(net->seg_len_m[s], lens[s], 0);
            CHECK_EQ_U32(net->seg_u[s], u[s]);
            CHECK_EQ_U32(net->seg_v[s], v[s]);
            CHECK_EQ_INT(net->seg_connector[s], 0);
            CHECK(isnan(net->seg_time_s[s]));
        }
        /* residential, oneway=yes: walking both ways, cars only forward */
        CHECK_STR_EQ(dirs(net, 0, WALK), "FB");
        CHECK_STR_EQ(dirs(net, 0, CAR), "F");
        CHECK_NEAR(speed(net, 0, WALK), P.walk_kmh, 1e-5);
        CHECK_NEAR(speed(net, 0, CAR), P.car_highway_kmh[GEO_HW_RESIDENTIAL] * P.car_factor, 1e-4);
        /* footway: walking, no car */
        CHECK_STR_EQ(dirs(net, 1, WALK), "FB");
        CHECK_STR_EQ(dirs(net, 1, CAR), "");
        CHECK_NEAR(speed(net, 1, WALK), P.walk_kmh, 1e-5);
        CHECK_NEAR(speed(net, 1, CAR), 0, 0);
        /* primary: every mode, both ways */
        CHECK_STR_EQ(dirs(net, 2, WALK), "FB");
        CHECK_STR_EQ(dirs(net, 2, BIKE), "FB");
        CHECK_STR_EQ(dirs(net, 2, CAR), "FB");
        CHECK_NEAR(speed(net, 2, BIKE), P.bike_kmh, 1e-5);
        CHECK_NEAR(speed(net, 2, CAR), P.car_highway_kmh[GEO_HW_PRIMARY] * P.car_factor, 1e-4);
        /* motorway: cars only */
        CHECK_STR_EQ(dirs(net, 3, WALK), "");
        CHECK_STR_EQ(dirs(net, 3, BIKE), "");
        CHECK_STR_EQ(dirs(net, 3, CAR), "FB");
        CHECK_NEAR(speed(net, 3, CAR), P.car_highway_kmh[GEO_HW_MOTORWAY] * P.car_factor, 1e-4);
        /* tertiary, oneway=-1, maxspeed 30 mph */
        CHECK_STR_EQ(dirs(net, 4, CAR), "B");
        CHECK_STR_EQ(dirs(net, 4, WALK), "FB");
        CHECK_NEAR(speed(net, 4, CAR), 30 * 1.609344 * P.car_maxspeed_factor * P.car_factor, 1e-3);
        /* secondary with maxspeed=fast: the class speed */
        CHECK_STR_EQ(dirs(net, 5, CAR), "FB");
        CHECK_NEAR(speed(net, 5, CAR), P.car_highway_kmh[GEO_HW_SECONDARY] * P.car_factor, 1e-4);
    }
    CHECK_EQ_INT(warning_count(&warn, "self-loop"), 1);
    CHECK_EQ_INT(warning_count(&warn, "no mode may use"), 1);
    const sim_warning *nm = find_warning(&warn, "no mode may use");
    if (nm) CHECK_STR_CONTAINS(nm->examples[0], "row 6");
    if (nm) CHECK_STR_CONTAINS(nm->examples[0], "highway=proposed");
    CHECK_EQ_INT(warning_count(&warn, "maxspeed"), 1);
    const sim_warning *ms = find_warning(&warn, "maxspeed");
    if (ms) CHECK_STR_CONTAINS(ms->examples[0], "'fast'");
    CHECK(find_warning(&warn, "highway=road") == NULL);
    CHECK(find_warning(&warn, "nodes no usable edge") == NULL);
    CHECK_EQ_INT(net->stats.lines_read, 8);
    CHECK_EQ_INT(net->stats.lines_usable, 6);
    CHECK_EQ_INT(net->stats.lines_walkable, 5);
    CHECK_EQ_INT(net->stats.highway_lines, 8);
    CHECK_STR_EQ(net->stats.driver, "CSV");
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* 64-bit ids that a double cannot tell apart, and ids written in different ways. */
static void test_ids(void) {
    fixture fx;
    fixture_init(&fx, "big_nodes.csv",
                 "id,lon,lat\n"
                 "9007199254740992,-87.600,41.800\n"
                 "9007199254740993,-87.599,41.800\n"
                 "9007199254740995,-87.599,41.801\n",
                 "big_edges.csv",
                 "from,to,length\n"
                 "9007199254740993,9007199254740995,10\n"
                 "9007199254740995,9007199254740992,20\n");
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net) {
        CHECK_EQ_U32(net->n_segs, 2);
        CHECK_EQ_U32(net->seg_u[0], 1);
        CHECK_EQ_U32(net->seg_v[0], 2);
        CHECK_EQ_U32(net->seg_u[1], 2);
        CHECK_EQ_U32(net->seg_v[1], 0);
        CHECK_EQ_INT(warning_count(&warn, "self-loop"), 0);
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);

    /* text ids, and integers with leading zeros, a sign or a decimal point */
    fixture_init(&fx, "text_nodes.csv",
                 "id,lon,lat\n"
                 "a-1,-87.600,41.800\n"
                 "0012,-87.599,41.800\n"
                 " b ,-87.599,41.801\n",
                 "text_edges.csv",
                 "from,to,length\n"
                 "a-1,+12,10\n"
                 "12.0,b,20\n");
    warn = (sim_warnings){0};
    net = load(&fx, &crs, &warn);
    if (net) {
        CHECK_EQ_U32(net->n_segs, 2);
        CHECK_EQ_U32(net->seg_u[0], 0);
        CHECK_EQ_U32(net->seg_v[0], 1);
        CHECK_EQ_U32(net->seg_u[1], 1);
        CHECK_EQ_U32(net->seg_v[1], 2);
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

static void test_missing_columns(void) {
    fixture fx;
    fixture_init(&fx, "mc_nodes.csv", NODES4, "mc_edges.csv",
                 "from,length,highway\n10,5,residential\n");
    expect_error(&fx, SIM_EPARSE, "mc_edges.csv", "'to' or 'v'",
                 "(columns: from, length, highway)");

    fixture_init(&fx, "mc_nodes.csv", NODES4, "mc_edges2.csv", "source,target,length\n10,20,5\n");
    expect_error(&fx, SIM_EPARSE, "mc_edges2.csv", "'from' or 'u'", "source, target, length");
    fx.ts.edge_from = "source";
    fx.ts.edge_to = "target";
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net) CHECK_EQ_U32(net->n_segs, 1);
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);

    fixture_init(&fx, "mc_nodes.csv", NODES4, "mc_edges3.csv", "from,to,len_m\n10,20,5\n");
    fx.ts.edge_length = "len_m";
    warn = (sim_warnings){0};
    net = load(&fx, &crs, &warn);
    if (net) CHECK_NEAR(net->seg_len_m[0], 5, 0);
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
    fx.ts.edge_length = "metres";
    expect_error(&fx, SIM_EPARSE, "mc_edges3.csv", "edge length column 'metres'",
                 "(columns: from, to, len_m)");
    fx.ts.edge_length = NULL;
    fx.ts.edge_time = "seconds";
    expect_error(&fx, SIM_EPARSE, "mc_edges3.csv", "edge time column 'seconds'");

    fixture_init(&fx, "mc_nodes2.csv", "id,lon,height\n1,-87.6,3\n", "mc_edges3.csv", NULL);
    expect_error(&fx, SIM_EPARSE, "mc_nodes2.csv", "latitude column 'lat' or 'latitude' or 'y'",
                 "(columns: id, lon, height)");
    fixture_init(&fx, "mc_nodes3.csv", "node,lon,lat\n1,-87.6,41.8\n", "mc_edges3.csv", NULL);
    expect_error(&fx, SIM_EPARSE, "mc_nodes3.csv", "node id column 'id' or 'osmid'",
                 "(columns: node, lon, lat)");
    fx.ts.node_id = "nid";
    expect_error(&fx, SIM_EPARSE, "mc_nodes3.csv", "node id column 'nid'");
}

static void test_unknown_and_duplicate_ids(void) {
    fixture fx;
    fixture_init(&fx, "uk_nodes.csv", NODES4, "uk_edges.csv", "from,to,length\n10,20,5\n30,99,7\n");
    expect_error(&fx, SIM_EPARSE, "uk_edges.csv", "edge row 2 (line 3)", "node id '99'",
                 "column 'to'", "uk_nodes.csv");

    fixture_init(&fx, "uk_nodes.csv", NODES4, "uk_edges2.csv", "from,to,length\n10,,5\n");
    expect_error(&fx, SIM_EPARSE, "uk_edges2.csv", "edge row 1", "no node id in column 'to'");

    fixture_init(&fx, "dup_nodes.csv",
                 "id,lon,lat\n10,-87.600,41.800\n20,-87.599,41.800\n10,-87.599,41.801\n",
                 "uk_edges.csv", NULL);
    expect_error(&fx, SIM_EPARSE, "dup_nodes.csv", "node id '10' appears twice", "rows 1 and 3");
}

static void test_bad_values(void) {
    fixture fx;
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges.csv",
                 "from,to,length\n10,20,5\n20,30,abc\n");
    expect_error(&fx, SIM_EPARSE, "bv_edges.csv", "edge row 2 (line 3)", "column 'length'", "'abc'",
                 "not a number from 0 to 4e+07 (metres)");
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges2.csv", "from,to,length\n10,20,-3\n");
    expect_error(&fx, SIM_EPARSE, "bv_edges2.csv", "edge row 1", "'-3'");
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges3.csv", "from,to,length\n10,20,\n");
    expect_error(&fx, SIM_EPARSE, "bv_edges3.csv", "edge row 1", "no value in column 'length'");
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges4.csv", "from,to,distance\n10,20,inf\n");
    expect_error(&fx, SIM_EPARSE, "bv_edges4.csv", "column 'distance'", "'inf'");
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges5.csv", "from,to,t\n10,20,1e400\n");
    fx.ts.edge_time = "t";
    expect_error(&fx, SIM_EPARSE, "bv_edges5.csv", "column 't'", "(seconds)");
    fixture_init(&fx, "bv_nodes.csv", NODES4, "bv_edges6.csv", "from,to,t\n10,20,2e9\n");
    fx.ts.edge_time = "t";
    expect_error(&fx, SIM_EPARSE, "bv_edges6.csv", "'2e9', not a number from 0 to 1e+09 (seconds)");

    fixture_init(&fx, "bv_nodes2.csv", "id,lon,lat\n1,-87.6,41.8\n2,-87.6,95\n", "bv_edges.csv",
                 NULL);
    expect_error(&fx, SIM_EPARSE, "bv_nodes2.csv", "row 2 (line 3)", "node '2'",
                 "not a WGS84 longitude/latitude");
    fixture_init(&fx, "bv_nodes3.csv", "id,lon,lat\n1,-87.6,41.8\n2,abc,41.8\n", "bv_edges.csv",
                 NULL);
    expect_error(&fx, SIM_EPARSE, "bv_nodes3.csv", "row 2", "node '2'",
                 "longitude or latitude missing or not a number");
    fixture_init(&fx, "bv_nodes4.csv", "id,lon,lat\n1,-87.6,41.8\n,-87.5,41.8\n", "bv_edges.csv",
                 NULL);
    expect_error(&fx, SIM_EPARSE, "bv_nodes4.csv", "row 2", "no node id in column 'id'");
}

static void test_missing_and_empty(void) {
    fixture fx;
    fixture_init(&fx, "absent_nodes.csv", NULL, "absent_edges.csv", NULL);
    expect_error(&fx, SIM_EIO, "absent_nodes.csv", "cannot read");
    fixture_init(&fx, "me_nodes.csv", NODES4, "absent_edges.csv", NULL);
    expect_error(&fx, SIM_EIO, "absent_edges.csv", "cannot read");
    fixture_init(&fx, "me_nodes0.csv", "id,lon,lat\n", "absent_edges.csv", NULL);
    expect_error(&fx, SIM_EPARSE, "me_nodes0.csv", "empty");
    fixture_init(&fx, "me_nodes.csv", NODES4, "me_edges0.csv", "from,to,length\n");
    expect_error(&fx, SIM_EPARSE, "me_edges0.csv", "empty");
    fixture_init(&fx, "me_nodes.csv", NODES4, "me_edges1.csv",
                 "from,to,highway\n10,20,proposed\n30,30,residential\n");
    expect_error(&fx, SIM_EPARSE, "me_edges1.csv", "no edge among its 2 that any mode may use");
    fixture_init(&fx, "me_nodes.csv", NODES4, "me_edges1.csv", NULL);
    fx.ts.nodes = NULL;
    expect_error(&fx, SIM_EINVAL, "needs both a nodes and an edges table");
    fixture_init(&fx, "me_nodes.csv", NODES4, "me_edges1.csv", NULL);
    fx.ts.nodes_layer = "streets";
    expect_error(&fx, SIM_EPARSE, "me_nodes.csv", "no layer named 'streets'");
}

/* A time column: fixed times for every mode; lengths read, or geodesic without a column. */
static void test_time_column(void) {
    fixture fx;
    fixture_init(&fx, "tc_nodes.csv", NODES4, "tc_edges.csv",
                 "from,to,length,secs,highway\n10,20,90,12.5,residential\n20,30,110,0,footway\n");
    fx.ts.edge_time = "secs";
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 2) {
        CHECK_NEAR(net->seg_time_s[0], 12.5, 0);
        CHECK_NEAR(net->seg_time_s[1], 0, 0);
        CHECK_NEAR(net->seg_len_m[0], 90, 0);
        CHECK_NEAR(net->seg_len_m[1], 110, 0);
        CHECK_STR_EQ(dirs(net, 1, CAR), ""); /* tags still decide who may go */
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);

    fixture_init(&fx, "tc_nodes.csv", NODES4, "tc_edges2.csv", "from,to,secs\n10,20,30\n");
    fx.ts.edge_time = "secs";
    warn = (sim_warnings){0};
    net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 1) {
        CHECK_NEAR(net->seg_time_s[0], 30, 0);
        CHECK_NEAR(net->seg_len_m[0], 83.110, 0.001); /* geodesic, from geod */
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* No highway column: every edge is highway=road for every mode, both ways; geodesic lengths;
 * nodes no edge uses are counted. */
static void test_plain_street_table(void) {
    fixture fx;
    fixture_init(&fx, "ps_nodes.csv", NODES4, "ps_edges.csv", "from,to,name\n10,20,A\n20,30,B\n");
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 2) {
        for (int m = 0; m < GEO_MODE_COUNT; ++m) CHECK_STR_EQ(dirs(net, 0, m), "FB");
        CHECK_NEAR(speed(net, 0, CAR), P.car_highway_kmh[GEO_HW_ROAD] * P.car_factor, 1e-4);
        CHECK_NEAR(net->seg_len_m[0], 83.110, 0.001);
        CHECK_NEAR(net->seg_len_m[1], 111.069, 0.001);
        CHECK_EQ_INT(warning_count(&warn, "highway=road"), 1);
        CHECK_EQ_INT(warning_count(&warn, "nodes no usable edge"), 1);
        const sim_warning *w = find_warning(&warn, "nodes no usable edge");
        if (w) CHECK_STR_CONTAINS(w->examples[0], "node '40'");
        CHECK_EQ_INT(net->stats.highway_lines, 0);
        CHECK_EQ_U32(net->n_nodes, 4); /* kept */
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* OSMnx's CSV export: u/v, osmid/x/y, Python booleans and lists. */
static void test_osmnx_csv(void) {
    fixture fx;
    fixture_init(
        &fx, "ox_nodes.csv",
        "osmid,y,x,street_count\n"
        "10,41.800,-87.600,3\n20,41.800,-87.599,3\n30,41.801,-87.599,3\n",
        "ox_edges.csv",
        "u,v,key,osmid,highway,oneway,reversed,length,geometry\n"
        "10,20,0,111,residential,True,False,83.1,\"LINESTRING (-87.6 41.8, -87.599 41.8)\"\n"
        "20,30,0,\"[112, 113]\",\"['residential', 'primary']\",False,False,111.1,\n");
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 2) {
        CHECK_STR_EQ(dirs(net, 0, CAR), "F");
        CHECK_STR_EQ(dirs(net, 1, CAR), "FB");
        CHECK_NEAR(speed(net, 1, CAR), P.car_highway_kmh[GEO_HW_RESIDENTIAL] * P.car_factor, 1e-4);
        CHECK_NEAR(net->seg_len_m[1], 111.1, 0);
        CHECK_NEAR(net->lat[2], 41.801, 1e-12);
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* Non-CSV tables: GeoJSON nodes in UTM 16N (transformed to WGS84), GeoJSON edges with typed
 * fields (a JSON boolean oneway, a numeric length); an explicit working CRS. */
static void test_geojson_and_explicit_crs(void) {
    fixture fx;
    fixture_init(&fx, "gj_nodes.geojson",
                 "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                 "{\"name\":\"urn:ogc:def:crs:EPSG::32616\"}},\"features\":["
                 "{\"type\":\"Feature\",\"properties\":{\"id\":1},\"geometry\":"
                 "{\"type\":\"Point\",\"coordinates\":[447000,4627000]}},"
                 "{\"type\":\"Feature\",\"properties\":{\"id\":2},\"geometry\":"
                 "{\"type\":\"Point\",\"coordinates\":[447100,4627000]}}]}",
                 "gj_edges.geojson",
                 "{\"type\":\"FeatureCollection\",\"features\":["
                 "{\"type\":\"Feature\",\"properties\":{\"u\":1,\"v\":2,\"length\":100.25,"
                 "\"highway\":\"residential\",\"oneway\":true},\"geometry\":null},"
                 "{\"type\":\"Feature\",\"properties\":{\"u\":2,\"v\":1,\"length\":100,"
                 "\"highway\":\"residential\",\"oneway\":false},\"geometry\":null}]}");
    fx.src.crs = "EPSG:32617";
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 2) {
        CHECK_EQ_INT(geo_crs_epsg(crs), 32617);
        CHECK_NEAR(net->lon[0], -87.637896590, 1e-8);
        CHECK_NEAR(net->lat[0], 41.793087405, 1e-8);
        CHECK_NEAR(net->seg_len_m[0], 100.25, 0);
        CHECK_STR_EQ(dirs(net, 0, CAR), "F");
        CHECK_STR_EQ(dirs(net, 1, CAR), "FB");
        CHECK_STR_EQ(net->stats.driver, "GeoJSON");
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* A byte-order mark, CRLF line endings and blanks around numbers (as in other shared files). */
static void test_bom_crlf_blanks(void) {
    fixture fx;
    fixture_init(&fx, "bom_nodes.csv",
                 "\xEF\xBB\xBFid,lon,lat\r\n10,  -87.600 ,41.800\r\n20,-87.599, 41.800\r\n",
                 "bom_edges.csv",
                 "\xEF\xBB\xBF"
                 "from,to,length,highway\r\n10,20, 5.5 ,residential\r\n");
    sim_warnings warn = {0};
    geo_crs *crs;
    geo_network *net = load(&fx, &crs, &warn);
    if (net && net->n_segs == 1) {
        CHECK_NEAR(net->seg_len_m[0], 5.5, 0);
        CHECK_NEAR(net->lon[0], -87.6, 1e-9);
        CHECK_STR_EQ(dirs(net, 0, CAR), "FB");
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

/* Through the public entry point: geo_network_load with src.tables set. */
static void test_public_entry(void) {
    fixture fx;
    fixture_init(&fx, "pe_nodes.csv", NODES4, "pe_edges.csv",
                 "from,to,distance,highway\n10,20,50,residential\n20,30,60,footway\n");
    sim_warnings warn = {0};
    sim_error err = {0};
    geo_network *net = NULL;
    geo_crs *crs = NULL;
    CHECK_EQ_INT(geo_network_load(&fx.src, &net, &crs, &warn, &err), SIM_OK);
    if (err.msg[0]) fprintf(stderr, "  ^ %s\n", err.msg);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 4);
        CHECK_EQ_U32(net->n_segs, 2);
        CHECK_NEAR(net->seg_len_m[1], 60, 0);
        CHECK_EQ_INT(geo_crs_epsg(crs), 32616);
    }
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
}

int main(void) {
    geo_init();
    geo_profile_defaults(&P);
    if (!tu_temp_dir("accessim_test_tables", tmp_dir, sizeof tmp_dir)) return 1;
    test_tags_lengths_and_crs();
    test_ids();
    test_missing_columns();
    test_unknown_and_duplicate_ids();
    test_bad_values();
    test_missing_and_empty();
    test_time_column();
    test_plain_street_table();
    test_osmnx_csv();
    test_geojson_and_explicit_crs();
    test_bom_crlf_blanks();
    test_public_entry();
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
