/*
 * Integration: every highway way of the real OSM files in ../shared/data is accounted for,
 * checked against an independent reader (osmium-tool, Debian's osmium). GDAL's OSM driver
 * silently loses ways on unsorted files unless configured (geo_init does it); on clipped
 * extracts it drops ways with fewer than two nodes present. So for each file:
 *   highway lines GDAL gave us + ways dropped for missing nodes == osmium's linear highway ways.
 * usage: osm_counts DATA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/network.h"

/* GDAL's closed_ways_are_polygons rule, read from its osmconf.ini (the driver's own config). */
static char rules_buf[4096];
static char *rules[128];
static int n_rules = 0;

static void load_rules(void) {
    FILE *p = popen("gdal-config --datadir", "r");
    char dir[512] = "/usr/share/gdal", path[600];
    if (p) {
        if (fgets(dir, sizeof dir, p)) dir[strcspn(dir, "\n")] = '\0';
        pclose(p);
    }
    snprintf(path, sizeof path, "%s/osmconf.ini", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "cannot read %s\n", path);
        return;
    }
    char line[4096];
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "closed_ways_are_polygons=", 25) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(rules_buf, sizeof rules_buf, "%s", line + 25);
            for (char *tok = strtok(rules_buf, ","); tok && n_rules < 128; tok = strtok(NULL, ","))
                rules[n_rules++] = tok;
            break;
        }
    fclose(fp);
}

/* osmium's count of linear highway ways: highway=*, not area=yes, and not a closed way carrying
 * one of the keys that make GDAL's OSM driver (default osmconf.ini) build a polygon. */
static long osmium_highway_ways(const char *path) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "osmium tags-filter -R -o - -f opl '%s' w/highway 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    static char line[1 << 20];
    long n = 0;
    while (fgets(line, sizeof line, p)) {
        if (line[0] != 'w') continue;
        /* OPL: "w123 v1 ... T<k>=<v>,<k>=<v> N..." ; find the tag field */
        char *t = strstr(line, " T");
        int area_yes = 0, area_no = 0, area_key = 0, hw = 0, closed = 0;
        char *nodes = strstr(line, " N");
        if (nodes) {
            /* closed: first node ref equals the last one, with at least 3 refs */
            char *first = nodes + 2, *last = strrchr(first, ',');
            size_t flen = strcspn(first, ", \n");
            int commas = 0;
            for (char *q = first; *q && *q != ' ' && *q != '\n'; ++q) commas += *q == ',';
            if (last && commas >= 2) {
                ++last;
                closed = strcspn(last, " \n") == flen && strncmp(first, last, flen) == 0;
            }
        }
        if (t) {
            t += 2;
            char *end = strchr(t, ' ');
            if (end) *end = '\0';
            for (char *tok = strtok(t, ","); tok; tok = strtok(NULL, ",")) {
                if (strcmp(tok, "area=yes") == 0) area_yes = 1;
                if (strcmp(tok, "area=no") == 0) area_no = 1;
                if (strncmp(tok, "highway=", 8) == 0 && tok[8]) hw = 1;
                /* an entry "key" matches key=anything, "key=value" matches exactly */
                for (int k = 0; k < n_rules; ++k) {
                    size_t rl = strlen(rules[k]);
                    if (strchr(rules[k], '=') ? strcmp(tok, rules[k]) == 0
                                              : (strncmp(tok, rules[k], rl) == 0 && tok[rl] == '='))
                        area_key = 1;
                }
            }
        }
        int area = closed && (area_yes || (area_key && !area_no));
        n += hw && !area;
    }
    return pclose(p) == 0 ? n : -1;
}

static void check_file(const char *dir, const char *rel, int expect_truncated) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "MISSING shared data file %s (set ACCESSIM_SHARED_DATA)\n", path);
        CHECK(0);
        return;
    }
    long expect = osmium_highway_ways(path);
    CHECK(expect > 0);
    geo_network *net = NULL;
    geo_crs *crs = NULL;
    sim_warnings warn = {0};
    sim_error err = {0};
    geo_network_source src = {.path = path, .join_tolerance_m = 0.5};
    CHECK_EQ_INT(geo_network_load(&src, &net, &crs, &warn, &err), SIM_OK);
    if (net) {
        printf("%-40s osmium %ld | GDAL highway lines %zu + dropped %zu | readosm %zu | "
               "truncated %zu | %u nodes %u segments\n",
               rel, expect, net->stats.highway_lines, net->stats.osm_highway_dropped,
               net->stats.osm_highway_ways, net->stats.ways_truncated, net->n_nodes, net->n_segs);
        CHECK_EQ_INT((long)(net->stats.highway_lines + net->stats.osm_highway_dropped), expect);
        CHECK_EQ_INT((long)net->stats.osm_highway_ways, expect);
        if (expect_truncated) CHECK(net->stats.ways_truncated > 0);
        else CHECK_EQ_INT(net->stats.ways_truncated, 0);
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    sim_warnings_clear(&warn);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: osm_counts DATA_DIR\n");
        return 2;
    }
    geo_init();
    load_rules();
    CHECK(n_rules > 0);
    check_file(argv[1], "poa/poa_osm.pbf", 0);
    check_file(argv[1], "chicago/chicago_logan_square.osm", 0); /* unsorted XML */
    check_file(argv[1], "chicago/chicago_logan_square.osm.pbf", 0);
    check_file(argv[1], "helsinki/helsinki_centre.osm.pbf", 1); /* clipped: missing nodes */
    check_file(argv[1], "porto/porto_portugal.osm.pbf", 0);
    return CHECK_DONE();
}
