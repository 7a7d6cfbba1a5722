/*
 * ref_nearest: an independent reference for accessim's nearest-service walking times.
 *
 *   ref_nearest [options] GRAPH_DIR ORIGINS_CSV KIND [KIND...]
 *
 * Reads GRAPH_DIR/nodes.csv and GRAPH_DIR/edges.csv (from `accessim graph export --mode walk`)
 * and ORIGINS_CSV (OUTDIR/baseline/origins.csv from `accessim run`), and checks, using nothing
 * of accessim's code (own CSV reader, own binary-heap Dijkstra, own geodesic):
 *
 *   nearest     for every origin row and KIND, a textbook Dijkstra from the origin's node
 *               (kind `origin`, ref = origin_id) over the directed arcs gives the time to the
 *               first settled `service:KIND` node; the printed <KIND>_walk_minutes must agree
 *               within 0.005 min + 1e-9 (the "%.2f" rounding), be empty exactly when no such
 *               service is reachable or the origin has no node, and <KIND>_walk_nearest_id
 *               must name a service of that kind at the same (minimal) time (ties allowed).
 *   snap        snap_m is empty exactly when the origin has no node.
 *   geodesic    for up to 200 street->street arcs picked by a fixed-seed PRNG, seconds ==
 *               Vincenty inverse distance on WGS84 / speed within 0.1 s + 0.05 %.
 *   connector   origin and service nodes have exactly one outgoing arc, to a street node, whose
 *               seconds match the straight connector (geodesic, and snap_m for origins) within
 *               0.1 s + 0.5 % (the connector may be measured in the projected working CRS).
 *   symmetry    walking arcs come in both directions with equal seconds (as multisets).
 *   format      node ids dense and 0-based, arcs between existing nodes, seconds at 0.1 s,
 *               minutes printed with two decimals, ids unique.
 *   coverage    per KIND, at least --min-finite-share (default 0.9) of the origins have a finite
 *               time that was checked (guards against a vacuous pass).
 *
 *   matrix      with --matrix FILE (from `accessim matrix --to origins`): every row's minutes
 *               equal the reference from the from-origin to the to-origin node within the
 *               rounding; every origin pair the reference finds within --matrix-cutoff-min appears
 *               (for the first --matrix-sources origins); with --require-asymmetric, at least
 *               one pair A->B differs from B->A (one-way streets, for cars).
 *
 * Options: --mode M (walk: column names <KIND>_<M>_minutes, <M>_snap_m), --columns TAG (M: the
 *          minutes/nearest_id columns are <KIND>_<TAG>_..., e.g. walk_older for a group's own
 *          layer), --only-services FILE (service refs that count, one per line: a group's
 *          eligible services; the others are ordinary nodes), --speed-mps X (1.25),
 *          --connector-speed-mps X (= speed), --geodesic-samples N (200; 0 for modes whose
 *          speed varies by street), --directed (skip the symmetry check: one-way arcs),
 *          --seed S (20240607), --min-finite-share F (0.9), --cutoff-min M (none: times above
 *          M min are unreachable), --max-examples N (10 per check), --matrix FILE,
 *          --matrix-sources N (50), --require-asymmetric.
 * Exit status: 0 all checks passed, 1 some check failed, 2 usage or unreadable/malformed input.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_PI 3.14159265358979323846
#define REF_UNREACHED INT64_MAX

/* ------------------------------------------------------------------------------------------ */
/* Failure bookkeeping: a count and the first few examples per check.                         */

enum { CHK_FORMAT, CHK_NEAREST, CHK_SNAP, CHK_GEODESIC, CHK_CONNECTOR, CHK_SYMMETRY,
       CHK_COVERAGE, CHK_MATRIX, CHK_COUNT };
static const char *const CHK_NAMES[CHK_COUNT] = {"format",    "nearest",  "snap",    "geodesic",
                                                 "connector", "symmetry", "coverage", "matrix"};
static long chk_failures[CHK_COUNT];
static long max_examples = 10;

static void fail(int check, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(int check, const char *fmt, ...) {
    if (chk_failures[check]++ < max_examples) {
        va_list ap;
        va_start(ap, fmt);
        printf("  FAIL %s: ", CHK_NAMES[check]);
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ref_nearest: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) die("out of memory (%zu bytes)", n);
    return q;
}

/* ------------------------------------------------------------------------------------------ */
/* CSV (RFC 4180): quoted fields with "" escapes, CRLF or LF, optional UTF-8 BOM.             */

typedef struct {
    const char *path;
    char *text;      /* unescaped cells, each NUL-terminated */
    size_t *cell;    /* offsets into text; (n_rows + 1) * n_cols, row 0 is the header */
    size_t *line_no; /* first line of each record, n_rows + 1 */
    size_t n_cols, n_rows;
} csv_table;

static const char *csv_header(const csv_table *t, size_t col) { return t->text + t->cell[col]; }

/* Data row `row` (0-based, header excluded). */
static const char *csv_get(const csv_table *t, size_t row, size_t col) {
    return t->text + t->cell[(row + 1) * t->n_cols + col];
}

static size_t csv_line(const csv_table *t, size_t row) { return t->line_no[row + 1]; }

static long csv_find_col(const csv_table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; ++c)
        if (strcmp(csv_header(t, c), name) == 0) return (long)c;
    return -1;
}

static size_t csv_require_col(const csv_table *t, const char *name) {
    long c = csv_find_col(t, name);
    if (c < 0) die("%s: no column '%s' in the header", t->path, name);
    return (size_t)c;
}

static void csv_load(const char *path, csv_table *t) {
    FILE *f = fopen(path, "rb");
    if (!f) die("%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *src = xmalloc(cap);
    for (;;) {
        if (len == cap) src = xrealloc(src, cap *= 2);
        size_t got = fread(src + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int read_error = ferror(f);
    fclose(f);
    if (read_error) die("%s: read error", path);

    size_t pos = 0;
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) pos = 3;

    memset(t, 0, sizeof *t);
    t->path = path;
    t->text = xmalloc(2 * len + 2);
    size_t o = 0, n_cells = 0, cells_cap = 1024, lines_cap = 256, n_records = 0;
    t->cell = xmalloc(cells_cap * sizeof *t->cell);
    t->line_no = xmalloc(lines_cap * sizeof *t->line_no);
    size_t line = 1, record_line = 1, record_first_cell = 0, fields = 0;
    int record_quoted = 0;

    while (pos < len) {
        /* One field. */
        size_t start = o;
        if (src[pos] == '"') {
            record_quoted = 1;
            ++pos;
            for (;;) {
                if (pos >= len) die("%s:%zu: unterminated quoted field", path, record_line);
                if (src[pos] == '"') {
                    if (pos + 1 < len && src[pos + 1] == '"') {
                        t->text[o++] = '"';
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    break;
                }
                if (src[pos] == '\n') ++line;
                t->text[o++] = src[pos++];
            }
            if (pos < len && src[pos] != ',' && src[pos] != '\n' && src[pos] != '\r')
                die("%s:%zu: text after a closing quote", path, line);
        } else {
            while (pos < len && src[pos] != ',' && src[pos] != '\n' && src[pos] != '\r')
                t->text[o++] = src[pos++];
        }
        t->text[o++] = '\0';
        if (n_cells == cells_cap) t->cell = xrealloc(t->cell, (cells_cap *= 2) * sizeof *t->cell);
        t->cell[n_cells++] = start;
        ++fields;

        if (pos < len && src[pos] == ',') {
            ++pos;
            if (pos == len) { /* "a,b," at the very end: one more empty field */
                t->text[o++] = '\0';
                if (n_cells == cells_cap)
                    t->cell = xrealloc(t->cell, (cells_cap *= 2) * sizeof *t->cell);
                t->cell[n_cells++] = o - 1;
                ++fields;
            } else {
                continue;
            }
        }
        /* End of record: newline or end of input. */
        if (pos < len && src[pos] == '\r') ++pos;
        if (pos < len && src[pos] == '\n') ++pos;
        int blank = fields == 1 && !record_quoted && t->text[t->cell[record_first_cell]] == '\0';
        if (blank) { /* skip empty lines */
            n_cells = record_first_cell;
        } else {
            if (n_records == 0) t->n_cols = fields;
            else if (fields != t->n_cols)
                die("%s:%zu: %zu fields, but the header has %zu", path, record_line, fields,
                    t->n_cols);
            if (n_records == lines_cap)
                t->line_no = xrealloc(t->line_no, (lines_cap *= 2) * sizeof *t->line_no);
            t->line_no[n_records++] = record_line;
        }
        ++line;
        record_line = line;
        record_first_cell = n_cells;
        fields = 0;
        record_quoted = 0;
    }
    free(src);
    if (n_records == 0) die("%s: empty file (no header)", path);
    t->n_rows = n_records - 1;
}

static void csv_free(csv_table *t) {
    free(t->text);
    free(t->cell);
    free(t->line_no);
}

/* ------------------------------------------------------------------------------------------ */
/* Number parsing.                                                                            */

static int parse_double(const char *s, double *out) {
    if (!*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int parse_u64(const char *s, uint64_t *out) {
    if (*s < '0' || *s > '9') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return 0;
    *out = (uint64_t)v;
    return 1;
}

/* "%.2f" output: optional '-', digits, '.', exactly two digits. */
static int is_two_decimals(const char *s) {
    if (*s == '-') ++s;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') ++s;
    return s[0] == '.' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && !s[3];
}

/* ------------------------------------------------------------------------------------------ */
/* Geodesic distance on the WGS84 ellipsoid: Vincenty's inverse formula (1975).               */

/* Returns metres, or a negative value if the iteration does not converge (near-antipodal). */
static double vincenty_inverse_m(double lat1_deg, double lon1_deg, double lat2_deg,
                                 double lon2_deg) {
    const double a = 6378137.0, f = 1.0 / 298.257223563, b = a * (1.0 - f);
    const double rad = REF_PI / 180.0;
    double L = (lon2_deg - lon1_deg) * rad;
    double U1 = atan((1.0 - f) * tan(lat1_deg * rad));
    double U2 = atan((1.0 - f) * tan(lat2_deg * rad));
    double sinU1 = sin(U1), cosU1 = cos(U1), sinU2 = sin(U2), cosU2 = cos(U2);
    double lambda = L, sin_sigma = 0, cos_sigma = 0, sigma = 0, cos2_alpha = 0, cos_2sm = 0;
    int iter;
    for (iter = 0; iter < 200; ++iter) {
        double sin_l = sin(lambda), cos_l = cos(lambda);
        double p = cosU2 * sin_l, q = cosU1 * sinU2 - sinU1 * cosU2 * cos_l;
        sin_sigma = sqrt(p * p + q * q);
        if (sin_sigma == 0.0) return 0.0; /* coincident points */
        cos_sigma = sinU1 * sinU2 + cosU1 * cosU2 * cos_l;
        sigma = atan2(sin_sigma, cos_sigma);
        double sin_alpha = cosU1 * cosU2 * sin_l / sin_sigma;
        cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        cos_2sm = cos2_alpha != 0.0 ? cos_sigma - 2.0 * sinU1 * sinU2 / cos2_alpha : 0.0;
        double C = f / 16.0 * cos2_alpha * (4.0 + f * (4.0 - 3.0 * cos2_alpha));
        double prev = lambda;
        lambda = L + (1.0 - C) * f * sin_alpha *
                         (sigma + C * sin_sigma *
                                      (cos_2sm + C * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (fabs(lambda - prev) < 1e-13) break;
    }
    if (iter == 200) return -1.0;
    double u2 = cos2_alpha * (a * a - b * b) / (b * b);
    double A = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)));
    double B = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)));
    double d_sigma =
        B * sin_sigma *
        (cos_2sm + B / 4.0 *
                       (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm) -
                        B / 6.0 * cos_2sm * (-3.0 + 4.0 * sin_sigma * sin_sigma) *
                            (-3.0 + 4.0 * cos_2sm * cos_2sm)));
    return b * A * (sigma - d_sigma);
}

/* Known answers (Vincenty 1975 / PROJ's geod), so a broken geodesic cannot pass silently. */
static void geodesic_selftest(void) {
    struct { double lat1, lon1, lat2, lon2, m; } cases[] = {
        {-37.95103341666667, 144.42486788888889, -37.65282113888889, 143.92649552777778,
         54972.271}, /* Flinders Peak -> Buninyong */
        {0.0, 0.0, 1.0, 0.0, 110574.389},         /* one degree of meridian at the equator */
        {-30.0, -51.2, -30.0001, -51.2001, 14.696}, /* ~15 m in Porto Alegre */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        double m = vincenty_inverse_m(cases[i].lat1, cases[i].lon1, cases[i].lat2, cases[i].lon2);
        if (!(fabs(m - cases[i].m) <= 0.0015))
            die("internal geodesic self-test %zu failed: %.4f m, expected %.3f m", i, m,
                cases[i].m);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Binary min-heap of (time, node), ties broken by node id; lazy deletion.                    */

typedef struct {
    int64_t key;
    uint32_t node;
} heap_item;

typedef struct {
    heap_item *a;
    size_t n, cap;
} heap;

static int heap_less(heap_item x, heap_item y) {
    return x.key < y.key || (x.key == y.key && x.node < y.node);
}

static void heap_push(heap *h, int64_t key, uint32_t node) {
    if (h->n == h->cap) h->a = xrealloc(h->a, (h->cap = h->cap ? 2 * h->cap : 1024) * sizeof *h->a);
    size_t i = h->n++;
    heap_item it = {key, node};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(it, h->a[parent])) break;
        h->a[i] = h->a[parent];
        i = parent;
    }
    h->a[i] = it;
}

static heap_item heap_pop(heap *h) {
    heap_item top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && heap_less(h->a[c + 1], h->a[c])) ++c;
        if (!heap_less(h->a[c], last)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n) h->a[i] = last;
    return top;
}

/* ------------------------------------------------------------------------------------------ */
/* The exported graph.                                                                        */

enum { KIND_STREET, KIND_ORIGIN, KIND_SERVICE };

typedef struct {
    const char *ref;
    uint32_t node;
    int kind_idx; /* requested KIND index for services, -1 for origins */
} ref_entry;

typedef struct {
    uint32_t n_nodes, n_arcs;
    double *lon, *lat;
    unsigned char *kind;
    int *svc_kind;      /* index into the requested KINDs, or -1 */
    const char **ref;   /* into the nodes table */
    uint32_t *first_out; /* CSR, n_nodes + 1 */
    uint32_t *head;
    int64_t *ds; /* deciseconds */
    uint32_t *arc_from, *arc_to; /* arcs in file order */
    int64_t *arc_ds;
    ref_entry *origins;
    size_t n_origins;
    ref_entry *services;
    size_t n_services;
} graph;

static int ref_entry_cmp(const void *pa, const void *pb) {
    const ref_entry *a = pa, *b = pb;
    if (a->kind_idx != b->kind_idx) return a->kind_idx < b->kind_idx ? -1 : 1;
    return strcmp(a->ref, b->ref);
}

static const ref_entry *ref_find(const ref_entry *v, size_t n, int kind_idx, const char *ref) {
    ref_entry key = {ref, 0, kind_idx};
    return bsearch(&key, v, n, sizeof *v, ref_entry_cmp);
}

/* --only-services FILE: the service refs that count (one per line); NULL: all of them. */
static char **only_refs;
static size_t n_only_refs;

static int cmp_cstrp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int service_allowed(const char *ref) {
    if (!only_refs) return 1;
    return bsearch(&ref, only_refs, n_only_refs, sizeof *only_refs, cmp_cstrp) != NULL;
}

static void load_only_refs(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) die("%s: cannot open", path);
    char line[512];
    size_t cap = 64;
    only_refs = xmalloc(cap * sizeof *only_refs);
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line) continue;
        if (n_only_refs == cap) {
            cap *= 2;
            char **p = realloc(only_refs, cap * sizeof *p);
            if (!p) die("out of memory");
            only_refs = p;
        }
        size_t len = strlen(line) + 1;
        only_refs[n_only_refs] = xmalloc(len);
        memcpy(only_refs[n_only_refs++], line, len);
    }
    fclose(fp);
    if (!n_only_refs) die("%s: no service ref listed", path);
    qsort(only_refs, n_only_refs, sizeof *only_refs, cmp_cstrp);
}

static void graph_load(char **kinds, int n_kinds, graph *g, csv_table *nodes,
                       csv_table *edges, char *path_nodes, char *path_edges) {
    csv_load(path_nodes, nodes);
    csv_load(path_edges, edges);
    size_t c_id = csv_require_col(nodes, "node_id"), c_lon = csv_require_col(nodes, "lon"),
           c_lat = csv_require_col(nodes, "lat"), c_kind = csv_require_col(nodes, "kind"),
           c_ref = csv_require_col(nodes, "ref");
    if (nodes->n_rows >= UINT32_MAX) die("%s: too many nodes", nodes->path);
    memset(g, 0, sizeof *g);
    uint32_t n = g->n_nodes = (uint32_t)nodes->n_rows;
    g->lon = xmalloc(n * sizeof *g->lon);
    g->lat = xmalloc(n * sizeof *g->lat);
    g->kind = xmalloc(n);
    g->svc_kind = xmalloc(n * sizeof *g->svc_kind);
    g->ref = xmalloc(n * sizeof *g->ref);
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!seen) die("out of memory");
    g->origins = xmalloc(n * sizeof *g->origins);
    g->services = xmalloc(n * sizeof *g->services);

    for (size_t r = 0; r < nodes->n_rows; ++r) {
        uint64_t id;
        const char *s = csv_get(nodes, r, c_id);
        if (!parse_u64(s, &id) || id >= n)
            die("%s:%zu: node_id '%s' is not in 0..%" PRIu32 " (ids must be dense and 0-based)",
                nodes->path, csv_line(nodes, r), s, n - 1);
        if (seen[id]) die("%s:%zu: node_id %s appears twice", nodes->path, csv_line(nodes, r), s);
        seen[id] = 1;
        double lon, lat;
        if (!parse_double(csv_get(nodes, r, c_lon), &lon) ||
            !parse_double(csv_get(nodes, r, c_lat), &lat) || fabs(lon) > 180.0 ||
            fabs(lat) > 90.0)
            die("%s:%zu: bad lon/lat '%s','%s'", nodes->path, csv_line(nodes, r),
                csv_get(nodes, r, c_lon), csv_get(nodes, r, c_lat));
        g->lon[id] = lon;
        g->lat[id] = lat;
        g->ref[id] = csv_get(nodes, r, c_ref);
        g->svc_kind[id] = -1;
        const char *k = csv_get(nodes, r, c_kind);
        if (strcmp(k, "street") == 0) {
            g->kind[id] = KIND_STREET;
        } else if (strcmp(k, "origin") == 0) {
            g->kind[id] = KIND_ORIGIN;
            g->origins[g->n_origins++] = (ref_entry){g->ref[id], (uint32_t)id, -1};
        } else if (strncmp(k, "service:", 8) == 0 && k[8]) {
            g->kind[id] = KIND_SERVICE;
            for (int i = 0; i < n_kinds; ++i)
                if (strcmp(k + 8, kinds[i]) == 0 && service_allowed(g->ref[id]))
                    g->svc_kind[id] = i;
            if (g->svc_kind[id] >= 0)
                g->services[g->n_services++] = (ref_entry){g->ref[id], (uint32_t)id,
                                                           g->svc_kind[id]};
        } else {
            die("%s:%zu: kind '%s' is none of street, origin, service:<kind>", nodes->path,
                csv_line(nodes, r), k);
        }
    }
    free(seen); /* n rows with distinct ids in 0..n-1: every id is present */

    qsort(g->origins, g->n_origins, sizeof *g->origins, ref_entry_cmp);
    for (size_t i = 1; i < g->n_origins; ++i)
        if (ref_entry_cmp(&g->origins[i - 1], &g->origins[i]) == 0)
            fail(CHK_FORMAT, "two origin nodes (%" PRIu32 ", %" PRIu32 ") have ref '%s'",
                 g->origins[i - 1].node, g->origins[i].node, g->origins[i].ref);
    qsort(g->services, g->n_services, sizeof *g->services, ref_entry_cmp);
    for (size_t i = 1; i < g->n_services; ++i)
        if (ref_entry_cmp(&g->services[i - 1], &g->services[i]) == 0)
            fail(CHK_FORMAT, "two service:%s nodes (%" PRIu32 ", %" PRIu32 ") have ref '%s'",
                 kinds[g->services[i].kind_idx], g->services[i - 1].node, g->services[i].node,
                 g->services[i].ref);

    size_t c_from = csv_require_col(edges, "from"), c_to = csv_require_col(edges, "to"),
           c_sec = csv_require_col(edges, "seconds");
    if (edges->n_rows >= UINT32_MAX) die("%s: too many edges", edges->path);
    uint32_t m = g->n_arcs = (uint32_t)edges->n_rows;
    g->arc_from = xmalloc(m * sizeof *g->arc_from);
    g->arc_to = xmalloc(m * sizeof *g->arc_to);
    g->arc_ds = xmalloc(m * sizeof *g->arc_ds);
    for (size_t r = 0; r < edges->n_rows; ++r) {
        uint64_t u, v;
        double sec;
        const char *su = csv_get(edges, r, c_from), *sv = csv_get(edges, r, c_to),
                   *ss = csv_get(edges, r, c_sec);
        if (!parse_u64(su, &u) || !parse_u64(sv, &v) || u >= n || v >= n)
            die("%s:%zu: arc %s->%s names a node that is not in nodes.csv", edges->path,
                csv_line(edges, r), su, sv);
        if (!parse_double(ss, &sec) || sec < 0.0)
            die("%s:%zu: seconds '%s' is not a non-negative number", edges->path,
                csv_line(edges, r), ss);
        double tenths = sec * 10.0;
        int64_t ds = (int64_t)llround(tenths);
        if (fabs(tenths - (double)ds) > 1e-6)
            fail(CHK_FORMAT, "%s:%zu: seconds '%s' is not a multiple of 0.1 s", edges->path,
                 csv_line(edges, r), ss);
        g->arc_from[r] = (uint32_t)u;
        g->arc_to[r] = (uint32_t)v;
        g->arc_ds[r] = ds;
    }
    g->first_out = calloc((size_t)n + 1, sizeof *g->first_out);
    if (!g->first_out) die("out of memory");
    for (uint32_t a = 0; a < m; ++a) ++g->first_out[g->arc_from[a] + 1];
    for (uint32_t v = 0; v < n; ++v) g->first_out[v + 1] += g->first_out[v];
    uint32_t *fill = xmalloc(((size_t)n + 1) * sizeof *fill);
    memcpy(fill, g->first_out, ((size_t)n + 1) * sizeof *fill);
    g->head = xmalloc(m * sizeof *g->head);
    g->ds = xmalloc(m * sizeof *g->ds);
    for (uint32_t a = 0; a < m; ++a) {
        uint32_t slot = fill[g->arc_from[a]]++;
        g->head[slot] = g->arc_to[a];
        g->ds[slot] = g->arc_ds[a];
    }
    free(fill);
}

static void graph_free(graph *g) {
    free(g->lon);
    free(g->lat);
    free(g->kind);
    free(g->svc_kind);
    free(g->ref);
    free(g->first_out);
    free(g->head);
    free(g->ds);
    free(g->arc_from);
    free(g->arc_to);
    free(g->arc_ds);
    free(g->origins);
    free(g->services);
}

/* ------------------------------------------------------------------------------------------ */
/* Checks on the graph alone.                                                                 */

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void check_geodesic(const graph *g, double speed_mps, long samples, uint64_t seed) {
    uint32_t *street = xmalloc((size_t)g->n_arcs * sizeof *street);
    uint32_t n_street = 0;
    for (uint32_t a = 0; a < g->n_arcs; ++a)
        if (g->kind[g->arc_from[a]] == KIND_STREET && g->kind[g->arc_to[a]] == KIND_STREET)
            street[n_street++] = a;
    uint32_t k = samples < 0 || (uint64_t)samples > n_street ? n_street : (uint32_t)samples;
    uint64_t state = seed;
    double max_diff = 0.0;
    for (uint32_t i = 0; i < k; ++i) { /* partial Fisher-Yates: k distinct arcs */
        uint32_t j = i + (uint32_t)(splitmix64(&state) % (n_street - i));
        uint32_t tmp = street[i];
        street[i] = street[j];
        street[j] = tmp;
        uint32_t a = street[i], u = g->arc_from[a], v = g->arc_to[a];
        double m = vincenty_inverse_m(g->lat[u], g->lon[u], g->lat[v], g->lon[v]);
        if (m < 0) {
            fail(CHK_GEODESIC, "arc %" PRIu32 "->%" PRIu32 ": geodesic did not converge", u, v);
            continue;
        }
        double want_s = m / speed_mps, got_s = (double)g->arc_ds[a] / 10.0;
        double diff = fabs(got_s - want_s);
        if (diff > max_diff) max_diff = diff;
        if (!(diff <= 0.1 + 0.0005 * want_s))
            fail(CHK_GEODESIC,
                 "street arc %" PRIu32 "->%" PRIu32 " (%.7f,%.7f)->(%.7f,%.7f): %.1f s, but "
                 "%.3f m / %g m/s = %.2f s",
                 u, v, g->lon[u], g->lat[u], g->lon[v], g->lat[v], got_s, m, speed_mps, want_s);
    }
    printf("geodesic: %" PRIu32 " of %" PRIu32 " street->street arcs checked (seed %" PRIu64
           "), max |diff| %.3f s, %ld failures\n",
           k, n_street, seed, max_diff, chk_failures[CHK_GEODESIC]);
    if (n_street == 0) fail(CHK_GEODESIC, "no street->street arcs at all");
    free(street);
}

typedef struct {
    uint32_t a, b;
    int64_t ds;
} arc_key;

static int arc_key_cmp(const void *pa, const void *pb) {
    const arc_key *x = pa, *y = pb;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    if (x->b != y->b) return x->b < y->b ? -1 : 1;
    return x->ds < y->ds ? -1 : x->ds > y->ds;
}

/* Every arc u->v (s) needs a reverse v->u with the same s: the multiset of arcs equals the
 * multiset of reversed arcs. */
static void check_symmetry(const graph *g) {
    uint32_t m = g->n_arcs;
    arc_key *fwd = xmalloc((size_t)m * sizeof *fwd), *rev = xmalloc((size_t)m * sizeof *rev);
    for (uint32_t a = 0; a < m; ++a) {
        fwd[a] = (arc_key){g->arc_from[a], g->arc_to[a], g->arc_ds[a]};
        rev[a] = (arc_key){g->arc_to[a], g->arc_from[a], g->arc_ds[a]};
    }
    qsort(fwd, m, sizeof *fwd, arc_key_cmp);
    qsort(rev, m, sizeof *rev, arc_key_cmp);
    size_t i = 0, j = 0, lonely = 0;
    while (i < m || j < m) {
        int c = i == m ? 1 : j == m ? -1 : arc_key_cmp(&fwd[i], &rev[j]);
        if (c == 0) {
            ++i, ++j;
        } else if (c < 0) { /* fwd[i] = u->v has no v->u with equal seconds */
            ++lonely;
            fail(CHK_SYMMETRY, "arc %" PRIu32 "->%" PRIu32 " (%.1f s) has no reverse arc with "
                               "equal seconds",
                 fwd[i].a, fwd[i].b, (double)fwd[i].ds / 10.0);
            ++i;
        } else { /* rev[j] = reversal of an arc b->a: a->b is missing */
            ++lonely;
            fail(CHK_SYMMETRY, "arc %" PRIu32 "->%" PRIu32 " (%.1f s) has no reverse arc with "
                               "equal seconds",
                 rev[j].b, rev[j].a, (double)rev[j].ds / 10.0);
            ++j;
        }
    }
    printf("symmetry: %" PRIu32 " arcs, %zu without an equal reverse\n", m, lonely);
    free(fwd);
    free(rev);
}

/* Origin and service nodes hang off the street network by one connector arc. Returns the
 * connector's time in deciseconds for `node`, or -1 if it is malformed. */
static int64_t check_connector(const graph *g, uint32_t node, double speed_mps,
                               double *max_diff) {
    uint32_t deg = g->first_out[node + 1] - g->first_out[node];
    const char *what = g->kind[node] == KIND_ORIGIN ? "origin" : "service";
    if (deg != 1) {
        fail(CHK_CONNECTOR, "%s node %" PRIu32 " (ref '%s') has %" PRIu32
                            " outgoing arcs, expected 1 connector",
             what, node, g->ref[node], deg);
        return -1;
    }
    uint32_t a = g->first_out[node], v = g->head[a];
    if (g->kind[v] != KIND_STREET) {
        fail(CHK_CONNECTOR, "%s node %" PRIu32 " (ref '%s') connects to node %" PRIu32
                            ", which is not a street node",
             what, node, g->ref[node], v);
        return -1;
    }
    double m = vincenty_inverse_m(g->lat[node], g->lon[node], g->lat[v], g->lon[v]);
    double want_s = m / speed_mps, got_s = (double)g->ds[a] / 10.0, diff = fabs(got_s - want_s);
    if (diff > *max_diff) *max_diff = diff;
    if (!(diff <= 0.1 + 0.005 * want_s))
        fail(CHK_CONNECTOR, "%s node %" PRIu32 " (ref '%s'): connector %.1f s, but its straight "
                            "length %.2f m / %g m/s = %.2f s",
             what, node, g->ref[node], got_s, m, speed_mps, want_s);
    return g->ds[a];
}

/* ------------------------------------------------------------------------------------------ */
/* Dijkstra from one origin to the nearest service of every requested kind.                  */

typedef struct {
    int64_t *dist;
    unsigned char *settled;
    uint32_t *touched;
    size_t n_touched;
    heap h;
} search;

/* On return found[k] is the time (ds) of the nearest service:KIND k, or REF_UNREACHED; every
 * node at or below max(found) is settled with its exact distance in s->dist. */
static void search_run(const graph *g, search *s, uint32_t source, int n_kinds, int64_t cutoff_ds,
                       int64_t *found) {
    for (size_t i = 0; i < s->n_touched; ++i) {
        s->dist[s->touched[i]] = REF_UNREACHED;
        s->settled[s->touched[i]] = 0;
    }
    s->n_touched = 0;
    s->h.n = 0;
    for (int k = 0; k < n_kinds; ++k) found[k] = REF_UNREACHED;
    int n_found = 0;
    int64_t max_found = 0;

    s->dist[source] = 0;
    s->touched[s->n_touched++] = source;
    heap_push(&s->h, 0, source);
    while (s->h.n) {
        heap_item it = heap_pop(&s->h);
        uint32_t u = it.node;
        if (s->settled[u] || it.key != s->dist[u]) continue; /* stale entry */
        if (n_kinds > 0 && n_found == n_kinds && it.key > max_found) break; /* ties settled */
        if (it.key > cutoff_ds) break;
        s->settled[u] = 1;
        int k = g->svc_kind[u];
        if (k >= 0 && found[k] == REF_UNREACHED) {
            found[k] = it.key;
            ++n_found;
            if (it.key > max_found) max_found = it.key;
        }
        for (uint32_t a = g->first_out[u]; a < g->first_out[u + 1]; ++a) {
            uint32_t v = g->head[a];
            int64_t d = it.key + g->ds[a];
            if (d < s->dist[v]) {
                if (s->dist[v] == REF_UNREACHED) s->touched[s->n_touched++] = v;
                s->dist[v] = d;
                heap_push(&s->h, d, v);
            }
        }
    }
}

/* ------------------------------------------------------------------------------------------ */

/* qsort context for the matrix rows (the checker is single-threaded) */
static const csv_table *mx_sort_table;
static size_t mx_sort_from, mx_sort_to;

static int mx_cmp(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(csv_get(mx_sort_table, x, mx_sort_from), csv_get(mx_sort_table, y, mx_sort_from));
    if (!c) c = strcmp(csv_get(mx_sort_table, x, mx_sort_to), csv_get(mx_sort_table, y, mx_sort_to));
    return c;
}

static void usage(void) {
    fprintf(stderr,
            "usage: ref_nearest [--mode M] [--speed-mps X] [--connector-speed-mps X]\n"
            "                   [--geodesic-samples N] [--directed] [--seed S]\n"
            "                   [--min-finite-share F] [--cutoff-min M] [--max-examples N]\n"
            "                   [--matrix FILE [--matrix-cutoff-min M] [--matrix-sources N]\n"
            "                                  [--require-asymmetric]]\n"
            "                   [--columns TAG] [--only-services FILE]\n"
            "                   GRAPH_DIR ORIGINS_CSV KIND [KIND...]\n");
    exit(2);
}

static double opt_double(const char *name, const char *v) {
    double x;
    if (!v || !parse_double(v, &x)) die("%s needs a number", name);
    return x;
}

int main(int argc, char **argv) {
    double speed_mps = 1.25, conn_speed_mps = -1.0, min_share = 0.9, cutoff_min = -1.0;
    long samples = 200, matrix_sources = 50;
    double matrix_cutoff_min = -1.0;
    int directed = 0, require_asym = 0;
    const char *mode = "walk", *matrix_path = NULL, *columns = NULL;
    uint64_t seed = 20240607;
    char **pos = xmalloc((size_t)argc * sizeof *pos);
    int n_pos = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--speed-mps") == 0) speed_mps = opt_double(a, v), ++i;
        else if (strcmp(a, "--connector-speed-mps") == 0) conn_speed_mps = opt_double(a, v), ++i;
        else if (strcmp(a, "--mode") == 0) {
            if (!v) die("--mode needs a name");
            mode = v;
            ++i;
        } else if (strcmp(a, "--columns") == 0) {
            if (!v) die("--columns needs a name");
            columns = v;
            ++i;
        } else if (strcmp(a, "--only-services") == 0) {
            if (!v) die("--only-services needs a file");
            load_only_refs(v);
            ++i;
        } else if (strcmp(a, "--matrix") == 0) {
            if (!v) die("--matrix needs a file");
            matrix_path = v;
            ++i;
        } else if (strcmp(a, "--matrix-sources") == 0) matrix_sources = (long)opt_double(a, v), ++i;
        else if (strcmp(a, "--matrix-cutoff-min") == 0) matrix_cutoff_min = opt_double(a, v), ++i;
        else if (strcmp(a, "--directed") == 0) directed = 1;
        else if (strcmp(a, "--require-asymmetric") == 0) require_asym = 1;
        else if (strcmp(a, "--geodesic-samples") == 0) samples = (long)opt_double(a, v), ++i;
        else if (strcmp(a, "--seed") == 0) {
            if (!v || !parse_u64(v, &seed)) die("--seed needs a non-negative integer");
            ++i;
        } else if (strcmp(a, "--min-finite-share") == 0) min_share = opt_double(a, v), ++i;
        else if (strcmp(a, "--cutoff-min") == 0) cutoff_min = opt_double(a, v), ++i;
        else if (strcmp(a, "--max-examples") == 0) max_examples = (long)opt_double(a, v), ++i;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) usage();
        else if (a[0] == '-' && a[1] == '-') die("unknown option %s", a);
        else pos[n_pos++] = argv[i];
    }
    if (n_pos < 3) usage();
    if (!(speed_mps > 0.0)) die("--speed-mps must be > 0");
    if (conn_speed_mps < 0) conn_speed_mps = speed_mps;
    geodesic_selftest();

    const char *dir = pos[0], *origins_path = pos[1];
    char **kinds = pos + 2;
    int n_kinds = n_pos - 2;
    if (n_kinds > 64) die("at most 64 kinds");
    size_t dlen = strlen(dir);
    char *path_nodes = xmalloc(dlen + 16), *path_edges = xmalloc(dlen + 16);
    snprintf(path_nodes, dlen + 16, "%s/nodes.csv", dir);
    snprintf(path_edges, dlen + 16, "%s/edges.csv", dir);

    graph g;
    csv_table nodes, edges, orig;
    graph_load(kinds, n_kinds, &g, &nodes, &edges, path_nodes, path_edges);
    size_t n_svc_by_kind[64] = {0};
    for (size_t i = 0; i < g.n_services; ++i) ++n_svc_by_kind[g.services[i].kind_idx];
    printf("graph %s: %" PRIu32 " nodes (%zu origin", dir, g.n_nodes, g.n_origins);
    for (int k = 0; k < n_kinds; ++k) printf(", %zu service:%s", n_svc_by_kind[k], kinds[k]);
    printf("), %" PRIu32 " arcs\n", g.n_arcs);

    if (samples > 0) check_geodesic(&g, speed_mps, samples, seed);
    if (!directed) check_symmetry(&g);

    csv_load(origins_path, &orig);
    char snap_col[128];
    snprintf(snap_col, sizeof snap_col, "%s_snap_m", mode);
    size_t c_oid = csv_require_col(&orig, "origin_id"), c_snap = csv_require_col(&orig, snap_col);
    size_t *c_min = xmalloc((size_t)n_kinds * sizeof *c_min);
    size_t *c_near = xmalloc((size_t)n_kinds * sizeof *c_near);
    for (int k = 0; k < n_kinds; ++k) {
        char name[256];
        snprintf(name, sizeof name, "%s_%s_minutes", kinds[k], columns ? columns : mode);
        c_min[k] = csv_require_col(&orig, name);
        snprintf(name, sizeof name, "%s_%s_nearest_id", kinds[k], columns ? columns : mode);
        c_near[k] = csv_require_col(&orig, name);
    }

    /* Connectors: services here, origins below together with snap_m. */
    double conn_max_diff = 0.0, snap_max_diff = 0.0;
    for (uint32_t v = 0; v < g.n_nodes; ++v)
        if (g.kind[v] == KIND_SERVICE) check_connector(&g, v, conn_speed_mps, &conn_max_diff);

    search s = {0};
    s.dist = xmalloc((size_t)g.n_nodes * sizeof *s.dist);
    s.settled = calloc(g.n_nodes ? g.n_nodes : 1, 1);
    s.touched = xmalloc(((size_t)g.n_nodes + 1) * sizeof *s.touched);
    if (!s.settled) die("out of memory");
    for (uint32_t v = 0; v < g.n_nodes; ++v) s.dist[v] = REF_UNREACHED;
    int64_t cutoff_ds = cutoff_min < 0 ? INT64_MAX - 1 : (int64_t)llround(cutoff_min * 600.0);

    int64_t *found = xmalloc((size_t)n_kinds * sizeof *found);
    size_t *finite = calloc((size_t)n_kinds, sizeof *finite);
    size_t *reachable = calloc((size_t)n_kinds, sizeof *reachable);
    double *max_diff = calloc((size_t)n_kinds, sizeof *max_diff);
    unsigned char *origin_used = calloc(g.n_origins ? g.n_origins : 1, 1);
    if (!finite || !reachable || !max_diff || !origin_used) die("out of memory");
    size_t with_node = 0;

    for (size_t r = 0; r < orig.n_rows; ++r) {
        const char *oid = csv_get(&orig, r, c_oid), *snap = csv_get(&orig, r, c_snap);
        size_t line = csv_line(&orig, r);
        const ref_entry *e = ref_find(g.origins, g.n_origins, -1, oid);
        if (e) {
            size_t idx = (size_t)(e - g.origins);
            if (origin_used[idx])
                fail(CHK_FORMAT, "%s:%zu: origin_id '%s' appears on more than one row",
                     origins_path, line, oid);
            origin_used[idx] = 1;
            ++with_node;
        }
        /* snap_m: empty exactly when the origin could not attach. */
        double snap_m = 0.0;
        if (e && !*snap)
            fail(CHK_SNAP, "%s:%zu: origin '%s' has node %" PRIu32 " but an empty snap_m",
                 origins_path, line, oid, e->node);
        else if (!e && *snap)
            fail(CHK_SNAP, "%s:%zu: origin '%s' has no origin node but snap_m '%s'",
                 origins_path, line, oid, snap);
        else if (e && (!parse_double(snap, &snap_m) || snap_m < 0))
            fail(CHK_SNAP, "%s:%zu: origin '%s': snap_m '%s' is not a distance", origins_path,
                 line, oid, snap);
        else if (e) {
            int64_t conn = check_connector(&g, e->node, conn_speed_mps, &conn_max_diff);
            if (conn >= 0) {
                double want_s = snap_m / conn_speed_mps, got_s = (double)conn / 10.0;
                double diff = fabs(got_s - want_s);
                if (diff > snap_max_diff) snap_max_diff = diff;
                if (!(diff <= 0.1 + 0.005 * want_s))
                    fail(CHK_SNAP, "%s:%zu: origin '%s': snap_m %s m / %g m/s = %.2f s, but "
                                   "its connector takes %.1f s",
                         origins_path, line, oid, snap, conn_speed_mps, want_s, got_s);
            }
        }

        if (e) search_run(&g, &s, e->node, n_kinds, cutoff_ds, found);
        for (int k = 0; k < n_kinds; ++k) {
            const char *printed = csv_get(&orig, r, c_min[k]);
            const char *nearest = csv_get(&orig, r, c_near[k]);
            int64_t ref_ds = e ? found[k] : REF_UNREACHED;
            if (ref_ds != REF_UNREACHED) ++reachable[k];
            if (ref_ds == REF_UNREACHED) {
                if (*printed || *nearest)
                    fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: printed '%s' (nearest '%s'), but "
                                      "%s",
                         origins_path, line, oid, kinds[k], printed, nearest,
                         e ? "no service is reachable" : "the origin has no node");
                continue;
            }
            double minutes;
            if (!*printed) {
                fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: empty, but the reference reaches a "
                                  "service in %.4f min",
                     origins_path, line, oid, kinds[k], (double)ref_ds / 600.0);
                continue;
            }
            if (!parse_double(printed, &minutes)) {
                fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: '%s' is not a number", origins_path,
                     line, oid, kinds[k], printed);
                continue;
            }
            if (!is_two_decimals(printed))
                fail(CHK_FORMAT, "%s:%zu: origin '%s' %s: '%s' is not printed with %%.2f",
                     origins_path, line, oid, kinds[k], printed);
            double diff = fabs((double)ref_ds / 600.0 - minutes);
            if (diff > max_diff[k]) max_diff[k] = diff;
            if (!(diff <= 0.005 + 1e-9)) {
                fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: printed %s min, reference %.4f min "
                                  "(diff %.4f)",
                     origins_path, line, oid, kinds[k], printed, (double)ref_ds / 600.0, diff);
                continue;
            }
            /* The named nearest service must be of this kind and at the minimal time. */
            const ref_entry *se = ref_find(g.services, g.n_services, k, nearest);
            if (!se) {
                fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: nearest_id '%s' is no service:%s node",
                     origins_path, line, oid, kinds[k], nearest, kinds[k]);
                continue;
            }
            if (!s.settled[se->node] || s.dist[se->node] != ref_ds) {
                fail(CHK_NEAREST, "%s:%zu: origin '%s' %s: nearest_id '%s' is %s, but the "
                                  "nearest is %.4f min away",
                     origins_path, line, oid, kinds[k], nearest,
                     s.dist[se->node] == REF_UNREACHED ? "farther" : "not at that time",
                     (double)ref_ds / 600.0);
                continue;
            }
            ++finite[k];
        }
    }
    for (size_t i = 0; i < g.n_origins; ++i)
        if (!origin_used[i])
            fail(CHK_FORMAT, "origin node %" PRIu32 " (ref '%s') has no row in %s",
                 g.origins[i].node, g.origins[i].ref, origins_path);

    printf("connectors: max |diff| vs straight length %.3f s, vs snap_m %.3f s\n", conn_max_diff,
           snap_max_diff);
    printf("origins: %zu rows, %zu with an origin node\n", orig.n_rows, with_node);
    for (int k = 0; k < n_kinds; ++k) {
        double share = orig.n_rows ? (double)finite[k] / (double)orig.n_rows : 0.0;
        printf("nearest %s: %zu of %zu origins checked with a finite time (%.1f %%), "
               "%zu reachable by the reference, max |diff| %.4f min\n",
               kinds[k], finite[k], orig.n_rows, 100.0 * share, reachable[k], max_diff[k]);
        if (n_svc_by_kind[k] == 0)
            fail(CHK_COVERAGE, "no service:%s node in %s", kinds[k], path_nodes);
        if (!(share >= min_share))
            fail(CHK_COVERAGE, "%s: only %.1f %% of origins checked with a finite time (need "
                               "%.1f %%): the comparison would be vacuous",
                 kinds[k], 100.0 * share, 100.0 * min_share);
    }

    if (matrix_path) {
        /* The matrix: rows equal the reference pairwise; pairs within the cutoff all present. */
        csv_table mx;
        csv_load(matrix_path, &mx);
        size_t c_from = csv_require_col(&mx, "from_id"), c_to = csv_require_col(&mx, "to_id"),
               c_m = csv_require_col(&mx, "minutes");
        size_t checked = 0, asym = 0, pairs_both = 0;
        double mx_max = 0;
        int64_t *dummy = xmalloc((size_t)(n_kinds > 0 ? n_kinds : 1) * sizeof *dummy);
        /* rows are grouped by from_id: search once per group */
        const char *prev_from = NULL;
        const ref_entry *fe = NULL;
        int64_t mcut = matrix_cutoff_min < 0 ? INT64_MAX - 1
                                             : (int64_t)llround(matrix_cutoff_min * 600.0);
        for (size_t r = 0; r < mx.n_rows; ++r) {
            const char *from = csv_get(&mx, r, c_from), *to = csv_get(&mx, r, c_to);
            const char *mins = csv_get(&mx, r, c_m);
            if (!prev_from || strcmp(prev_from, from) != 0) {
                prev_from = from;
                fe = ref_find(g.origins, g.n_origins, -1, from);
                if (fe) search_run(&g, &s, fe->node, 0, mcut, dummy);
            }
            const ref_entry *te = ref_find(g.origins, g.n_origins, -1, to);
            double m;
            if (!fe || !te || !parse_double(mins, &m)) {
                fail(CHK_MATRIX, "%s:%zu: row %s -> %s (%s) names no origin node or no number",
                     matrix_path, csv_line(&mx, r), from, to, mins);
                continue;
            }
            int64_t ref = s.settled[te->node] ? s.dist[te->node] : REF_UNREACHED;
            double diff = ref == REF_UNREACHED ? INFINITY : fabs((double)ref / 600.0 - m);
            if (diff > mx_max) mx_max = diff;
            if (!(diff <= 0.005 + 1e-9))
                fail(CHK_MATRIX, "%s:%zu: %s -> %s: printed %s min, reference %s%.4f min",
                     matrix_path, csv_line(&mx, r), from, to, mins,
                     ref == REF_UNREACHED ? "unreachable " : "",
                     ref == REF_UNREACHED ? 0.0 : (double)ref / 600.0);
            ++checked;
        }
        /* completeness for the first origins, and asymmetry over the pairs printed */
        long done_src = 0;
        for (size_t i = 0; i < g.n_origins && done_src < matrix_sources; ++i, ++done_src) {
            search_run(&g, &s, g.origins[i].node, 0, mcut, dummy);
            size_t expect = 0, got = 0;
            for (size_t j = 0; j < g.n_origins; ++j)
                if (s.settled[g.origins[j].node] && s.dist[g.origins[j].node] <= mcut)
                    ++expect;
            for (size_t r = 0; r < mx.n_rows; ++r)
                if (strcmp(csv_get(&mx, r, c_from), g.origins[i].ref) == 0) ++got;
            if (got != expect)
                fail(CHK_MATRIX, "%s: origin '%s' has %zu rows, the reference reaches %zu origins "
                                 "within the cutoff",
                     matrix_path, g.origins[i].ref, got, expect);
        }
        /* asymmetry: rows sorted by (from, to); look each pair's reverse up by bisection */
        size_t *idx = xmalloc((mx.n_rows ? mx.n_rows : 1) * sizeof *idx);
        for (size_t r = 0; r < mx.n_rows; ++r) idx[r] = r;
        mx_sort_table = &mx;
        mx_sort_from = c_from;
        mx_sort_to = c_to;
        qsort(idx, mx.n_rows, sizeof *idx, mx_cmp);
        for (size_t r = 0; r < mx.n_rows; ++r) {
            const char *from = csv_get(&mx, r, c_from), *to = csv_get(&mx, r, c_to);
            if (strcmp(from, to) >= 0) continue;
            size_t lo = 0, hi = mx.n_rows;
            while (lo < hi) { /* first row >= (to, from) */
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(csv_get(&mx, idx[mid], c_from), to);
                if (!c) c = strcmp(csv_get(&mx, idx[mid], c_to), from);
                if (c < 0) lo = mid + 1;
                else hi = mid;
            }
            if (lo < mx.n_rows && strcmp(csv_get(&mx, idx[lo], c_from), to) == 0 &&
                strcmp(csv_get(&mx, idx[lo], c_to), from) == 0) {
                ++pairs_both;
                if (strcmp(csv_get(&mx, idx[lo], c_m), csv_get(&mx, r, c_m)) != 0) ++asym;
            }
        }
        free(idx);
        printf("matrix %s: %zu rows checked, max |diff| %.4f min; completeness checked for %ld "
               "origins; %zu of %zu pairs printed both ways differ\n",
               matrix_path, checked, mx_max, done_src, asym, pairs_both);
        if (!checked) fail(CHK_MATRIX, "%s: no row", matrix_path);
        if (require_asym && !asym)
            fail(CHK_MATRIX, "%s: no pair A->B differs from B->A", matrix_path);
        free(dummy);
        csv_free(&mx);
    }

    long total = 0;
    for (int c = 0; c < CHK_COUNT; ++c) {
        if (chk_failures[c]) printf("%s: %ld failures\n", CHK_NAMES[c], chk_failures[c]);
        total += chk_failures[c];
    }
    printf("RESULT: %s (%ld failures)\n", total ? "FAIL" : "PASS", total);

    free(found);
    free(finite);
    free(reachable);
    free(max_diff);
    free(origin_used);
    free(s.dist);
    free(s.settled);
    free(s.touched);
    free(s.h.a);
    free(c_min);
    free(c_near);
    graph_free(&g);
    csv_free(&nodes);
    csv_free(&edges);
    csv_free(&orig);
    free(path_nodes);
    free(path_edges);
    free(pos);
    return total ? 1 : 0;
}
