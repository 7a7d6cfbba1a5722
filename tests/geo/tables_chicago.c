/*
 * Integration: the Chicago South Side networks given as pandana/OSMnet node and edge tables
 * (chicago/south_side_network/{walk,drive}_{nodes,edges}.csv in ../shared/data) load completely,
 * checked against the counts in shared/data/README.md and against the files themselves, read
 * here with a plain CSV parser that shares nothing with accessim:
 *   - every row of the nodes file is a node, at its own coordinates, in EPSG:32616 (UTM 16N);
 *   - every edge row is a segment, or was skipped and reported (self-loop, no mode may use it);
 *   - each segment's ends are the coordinates of its row's from/to nodes, its length is the
 *     row's `distance`, and the total matches the file's;
 *   - oneway=yes rows are one-way forward for cars, oneway=-1 rows one-way backward.
 * usage: tables_chicago DATA_DIR      (fails loudly when the files are missing)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/network.h"

/* ---- a plain CSV reader (RFC 4180 quotes; no embedded newlines in these files) ----------------
 */

#define MAX_COLS 32

/* Splits `line` in place into at most MAX_COLS fields; returns how many. */
static int csv_split(char *line, char **fields) {
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    for (;;) {
        char *w = p, *start = p;
        if (*p == '"') {
            ++p;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    ++p;
                    break;
                } else if (!*p) {
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',') ++p;
        } else {
            while (*p && *p != ',') *w++ = *p++;
        }
        int last = *p == '\0';
        *w = '\0';
        if (n < MAX_COLS) fields[n++] = start;
        if (last) break;
        ++p;
    }
    return n;
}

static int column(char **head, int n, const char *name) {
    for (int i = 0; i < n; ++i)
        if (strcmp(head[i], name) == 0) return i;
    fprintf(stderr, "no column '%s'\n", name);
    exit(1);
}

typedef struct {
    long long id;
    double lon, lat;
} csv_node;

typedef struct {
    long long from, to;
    double distance;
    char oneway[8];
    char highway[32];
} csv_edge;

static int by_id(const void *a, const void *b) {
    long long x = ((const csv_node *)a)->id, y = ((const csv_node *)b)->id;
    return (x > y) - (x < y);
}

static FILE *open_or_die(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "tables_chicago: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fp;
}

static csv_node *read_nodes(const char *path, size_t *n_out) {
    FILE *fp = open_or_die(path);
    static char line[4096];
    char *f[MAX_COLS];
    if (!fgets(line, sizeof line, fp)) exit(1);
    int nc = csv_split(line, f);
    int ci = column(f, nc, "id"), cx = column(f, nc, "lon"), cy = column(f, nc, "lat");
    size_t n = 0, cap = 1024;
    csv_node *v = malloc(cap * sizeof *v);
    while (v && fgets(line, sizeof line, fp)) {
        if (csv_split(line, f) != nc) exit(1);
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v) break;
        v[n++] = (csv_node){strtoll(f[ci], NULL, 10), strtod(f[cx], NULL), strtod(f[cy], NULL)};
    }
    fclose(fp);
    if (!v) exit(1);
    qsort(v, n, sizeof *v, by_id);
    *n_out = n;
    return v;
}

static csv_edge *read_edges(const char *path, size_t *n_out) {
    FILE *fp = open_or_die(path);
    static char line[4096];
    char *f[MAX_COLS];
    if (!fgets(line, sizeof line, fp)) exit(1);
    int nc = csv_split(line, f);
    int cf = column(f, nc, "from"), ct = column(f, nc, "to"), cd = column(f, nc, "distance");
    int co = column(f, nc, "oneway"), ch = column(f, nc, "highway");
    size_t n = 0, cap = 1024;
    csv_edge *v = malloc(cap * sizeof *v);
    while (v && fgets(line, sizeof line, fp)) {
        if (csv_split(line, f) != nc) {
            fprintf(stderr, "%s: row %zu: field count differs from the header's\n", path, n + 1);
            exit(1);
        }
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v) break;
        csv_edge *e = &v[n++];
        e->from = strtoll(f[cf], NULL, 10);
        e->to = strtoll(f[ct], NULL, 10);
        e->distance = strtod(f[cd], NULL);
        snprintf(e->oneway, sizeof e->oneway, "%s", f[co]);
        snprintf(e->highway, sizeof e->highway, "%s", f[ch]);
    }
    fclose(fp);
    if (!v) exit(1);
    *n_out = n;
    return v;
}

static const csv_node *node_of(const csv_node *nodes, size_t n, long long id) {
    csv_node key = {id, 0, 0};
    return bsearch(&key, nodes, n, sizeof *nodes, by_id);
}

static size_t warning_count(const sim_warnings *w, const char *what) {
    for (size_t i = 0; i < w->n; ++i)
        if (strstr(w->items[i].what, what)) return w->items[i].count;
    return 0;
}

/* ---- one network ---------------------------------------------------------------------------- */

static void check_network(const char *dir, const char *kind, size_t want_nodes, size_t want_edges) {
    char nodes_path[1024], edges_path[1024];
    snprintf(nodes_path, sizeof nodes_path, "%s/chicago/south_side_network/%s_nodes.csv", dir,
             kind);
    snprintf(edges_path, sizeof edges_path, "%s/chicago/south_side_network/%s_edges.csv", dir,
             kind);
    size_t n_nodes, n_edges;
    csv_node *nodes = read_nodes(nodes_path, &n_nodes);
    csv_edge *edges = read_edges(edges_path, &n_edges);
    CHECK_EQ_INT(n_nodes, want_nodes); /* the README's counts, as the plain parser sees them */
    CHECK_EQ_INT(n_edges, want_edges);

    geo_table_source ts = {.nodes = nodes_path, .edges = edges_path};
    geo_network_source src = {.tables = &ts};
    geo_network *net = NULL;
    geo_crs *crs = NULL;
    sim_warnings warn = {0};
    sim_error err = {0};
    sim_status rc = geo_network_load(&src, &net, &crs, &warn, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) {
        fprintf(stderr, "tables_chicago: %s: %s\n", kind, err.msg);
        goto done;
    }
    CHECK_EQ_INT(geo_crs_epsg(crs), 32616);
    CHECK_EQ_INT(net->n_nodes, want_nodes);

    size_t loops = warning_count(&warn, "self-loop"), unusable = warning_count(&warn, "no mode");
    CHECK_EQ_INT((size_t)net->n_segs + loops + unusable, want_edges);
    CHECK_EQ_INT(net->stats.lines_read, want_edges);

    /* every segment against its row of the file */
    double sum_loaded = 0, sum_rows = 0, sum_file = 0;
    size_t bad_ends = 0, bad_len = 0, bad_row = 0, oneway_car = 0, oneway_wrong = 0, shorter = 0;
    size_t walk_segs = 0;
    for (size_t i = 0; i < n_edges; ++i) sum_file += edges[i].distance;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        int64_t row = net->seg_way[s];
        if (row < 1 || (size_t)row > n_edges) {
            ++bad_row;
            continue;
        }
        const csv_edge *e = &edges[row - 1];
        const csv_node *a = node_of(nodes, n_nodes, e->from), *b = node_of(nodes, n_nodes, e->to);
        uint32_t u = net->seg_u[s], v = net->seg_v[s];
        if (!a || !b || net->lon[u] != a->lon || net->lat[u] != a->lat || net->lon[v] != b->lon ||
            net->lat[v] != b->lat)
            ++bad_ends;
        if (net->seg_len_m[s] != e->distance) ++bad_len;
        /* simplified edges follow the street: never (much) shorter than the straight line */
        if (a && b && e->distance < 0.99 * geo_geodesic_m(a->lon, a->lat, b->lon, b->lat) - 0.5)
            ++shorter;
        sum_loaded += net->seg_len_m[s];
        sum_rows += e->distance;
        uint8_t acc = net->seg_access[s];
        int fwd = (acc & GEO_ACCESS_FWD(GEO_MODE_CAR)) != 0;
        int bwd = (acc & GEO_ACCESS_BWD(GEO_MODE_CAR)) != 0;
        if (fwd != bwd) ++oneway_car;
        if (strcmp(e->oneway, "yes") == 0 && !(fwd && !bwd) && (fwd || bwd)) ++oneway_wrong;
        if (strcmp(e->oneway, "-1") == 0 && !(bwd && !fwd) && (fwd || bwd)) ++oneway_wrong;
        if (acc & GEO_ACCESS_ANY(GEO_MODE_WALK)) ++walk_segs;
        if (!isnan(net->seg_time_s[s])) ++bad_len;
    }
    CHECK_EQ_INT(bad_row, 0);
    CHECK_EQ_INT(bad_ends, 0);
    CHECK_EQ_INT(bad_len, 0);
    CHECK_EQ_INT(oneway_wrong, 0);
    CHECK(shorter * 100 <= net->n_segs); /* at most 1 % (rounding in the files) */
    CHECK_NEAR(sum_loaded, sum_rows, 1e-9 * sum_rows);
    CHECK(sum_loaded >= 0.98 * sum_file && sum_loaded <= sum_file);
    printf("%s: %zu nodes, %zu edge rows -> %u segments (%zu self-loops, %zu no mode may use); "
           "%zu walkable, %zu one-way for cars; %zu shorter than the straight line; "
           "length %.1f m of the file's %.1f m; %zu unparsed maxspeed; %zu nodes unused\n",
           kind, n_nodes, n_edges, net->n_segs, loops, unusable, walk_segs, oneway_car, shorter,
           sum_loaded, sum_file, warning_count(&warn, "maxspeed"),
           warning_count(&warn, "nodes no usable edge"));
    for (size_t i = 0; i < warn.n; ++i)
        printf("  warning: %s (%zu)%s%s\n", warn.items[i].what, warn.items[i].count,
               warn.items[i].n_examples ? ", e.g. " : "",
               warn.items[i].n_examples ? warn.items[i].examples[0] : "");
    if (strcmp(kind, "drive") == 0) {
        CHECK(oneway_car > 1000); /* 3,165 oneway=yes and 325 oneway=-1 rows, plus motorways */
    } else {
        CHECK(walk_segs > 20000);
    }
done:
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    sim_warnings_clear(&warn);
    free(nodes);
    free(edges);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tables_chicago DATA_DIR\n");
        return 2;
    }
    geo_init();
    check_network(argv[1], "walk", 15798, 24166);
    check_network(argv[1], "drive", 4976, 7714);
    return CHECK_DONE();
}
