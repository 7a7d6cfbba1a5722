/* OSM loading through GDAL's OSM driver: topology from shared nodes, walk tags, ways cut where
 * nodes are missing from the extract. Fixture: a hand-written .osm file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/network.h"
#include "test_util.h"

/* Nodes on a line of latitude 0 at 0.001 degree steps (111.32 m); node 3 is missing from the
 * file although way 10 references it; way 11 crosses way 10 at node 2 (shared); way 12 is a
 * motorway (not walkable); way 13 is a footway bridge crossing way 11 without a shared node. */
static const char *OSM =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<osm version='0.6' generator='hand'>\n"
    " <node id='1' lat='0' lon='0.000'/>\n"
    " <node id='2' lat='0' lon='0.001'/>\n"
    " <node id='4' lat='0' lon='0.003'/>\n"
    " <node id='5' lat='0' lon='0.004'/>\n"
    " <node id='6' lat='0.001' lon='0.001'/>\n"
    " <node id='7' lat='-0.001' lon='0.001'/>\n"
    " <node id='8' lat='0.001' lon='0.010'/>\n"
    " <node id='9' lat='0.001' lon='0.011'/>\n"
    " <node id='20' lat='0.0005' lon='0.0005'/>\n"
    " <node id='21' lat='0.0005' lon='0.0015'/>\n"
    " <way id='10'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='4'/><nd ref='5'/>"
    "<tag k='highway' v='residential'/></way>\n"
    " <way id='11'><nd ref='6'/><nd ref='2'/><nd ref='7'/><tag k='highway' v='footway'/></way>\n"
    " <way id='12'><nd ref='8'/><nd ref='9'/><tag k='highway' v='motorway'/></way>\n"
    " <way id='13'><nd ref='20'/><nd ref='21'/><tag k='highway' v='footway'/>"
    "<tag k='bridge' v='yes'/><tag k='layer' v='1'/></way>\n"
    "</osm>\n";

int main(void) {
    geo_init();
    char dir[256], path[512];
    CHECK(tu_temp_dir("accessim_test_osm", dir, sizeof dir) != NULL);
    CHECK(tu_write_file(dir, "tiny.osm", OSM, path, sizeof path) != NULL);

    geo_network *net = NULL;
    geo_crs *crs = NULL;
    sim_warnings warn = {0};
    sim_error err = {0};
    geo_network_source src = {.path = path, .join_tolerance_m = 0.5};
    CHECK_EQ_INT(geo_network_load(&src, &net, &crs, &warn, &err), SIM_OK);
    if (!net) {
        fprintf(stderr, "%s\n", err.msg);
        return CHECK_DONE();
    }
    CHECK_EQ_INT(net->stats.is_osm, 1);
    CHECK_EQ_INT(net->stats.lines_read, 4);
    CHECK_EQ_INT(net->stats.lines_usable, 4);      /* the motorway is for cars */
    CHECK_EQ_INT(net->stats.lines_walkable, 3);    /* and not walkable */
    CHECK_EQ_INT(net->stats.ways_truncated, 1);    /* way 10 lost node 3 */
    CHECK_EQ_INT(net->stats.osm_highway_ways, 4);
    CHECK_EQ_INT(net->stats.osm_highway_dropped, 0);
    CHECK_EQ_INT(geo_crs_epsg(crs), 32631);        /* lon 0.005, lat 0: UTM 31N */
    /* Nodes: way 10 keeps 1,2,4,5 (4), way 11 adds 6,7 (shares 2), way 12 adds 8,9, way 13
     * adds 20,21. */
    CHECK_EQ_U32(net->n_nodes, 10);
    /* Segments: way 10 cut at the gap: 1-2 and 4-5 (no 2-4 shortcut); way 11: 6-2, 2-7;
     * way 12: 8-9 (cars only); way 13: 20-21. */
    CHECK_EQ_U32(net->n_segs, 6);
    int shortcut = 0, bridge_joined = 0;
    double total = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        double lu = net->lon[net->seg_u[s]], lv = net->lon[net->seg_v[s]];
        if (fabs(fabs(lu - lv) - 0.002) < 1e-9) shortcut = 1;
        total += net->seg_len_m[s];
        CHECK_EQ_INT(net->seg_connector[s], 0);
    }
    /* The bridge's nodes touch nothing else: each has degree 1. */
    for (uint32_t v = 0; v < net->n_nodes; ++v) {
        if (fabs(net->lat[v] - 0.0005) > 1e-9) continue;
        int deg = 0;
        for (uint32_t s = 0; s < net->n_segs; ++s) deg += net->seg_u[s] == v || net->seg_v[s] == v;
        if (deg != 1) bridge_joined = 1;
    }
    CHECK_EQ_INT(shortcut, 0);
    CHECK_EQ_INT(bridge_joined, 0);
    /* 0.001 deg of longitude on the equator = 111.3195 m (WGS84: a * pi / 180 / 1000);
     * 0.001 deg of latitude there = 110.5743 m (meridian arc). Segments: 1-2, 4-5, 8-9 and
     * 20-21 are longitude steps (off the equator by at most 0.001 deg: < 1 mm shorter), 6-2 and
     * 2-7 latitude steps. */
    CHECK_NEAR(total, 4 * 111.3195 + 2 * 110.5743, 0.01);
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    sim_warnings_clear(&warn);
    tu_remove_tree(dir);
    return CHECK_DONE();
}
