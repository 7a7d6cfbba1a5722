/*
 * accessim-gen-city — a seeded, deterministic synthetic city for the routing benchmark.
 *
 *   accessim-gen-city --nodes N [--seed S] [--services K] [--order shuffled|grid] -o DIR
 *
 * Writes into DIR (created if missing):
 *   nodes.csv    id,lon,lat                        street nodes (WGS84 degrees, 7 decimals)
 *   edges.csv    from,to,length,highway,oneway     one row per street segment; length in metres,
 *                                                  the haversine distance of the written
 * coordinates origins.csv  id,lon,lat,population             centres of a 100 m grid over the city
 *   clinics.csv  id,lon,lat,capacity               a few hundred clinics, placed where people live
 *   city.yaml    a scenario file (network given as node/edge tables, walk) for accessim run|matrix
 * and prints one summary line (counts, radius) to stdout.
 *
 * The city: a street grid warped radially so that blocks are about 60 m across in the centre and
 * 90-120 m at the edge, with jittered junctions, a lobed outline, intermediate shape nodes on
 * about half of the streets (as OSM has on curved streets), missing links, cul-de-sacs, footways,
 * one-way residential streets, and diagonal primary arterials. The 45-degree arterials share a
 * node with every grid junction on their way; the steeper ones (two across, one up) share one
 * every second column and cross the street between without a junction, as bridges and tunnels
 * do: topology comes from shared node ids only.
 * Output depends only on the arguments: every random draw is a hash of (seed, what, where), so
 * nothing depends on loop order. With --order shuffled (the default) node ids and rows come in a
 * random order, as OSM ids are scattered in space, so the benchmark does not profit from a
 * locality that real inputs do not have; --order grid keeps generation order.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EARTH_RADIUS_M 6371008.8
#define CENTRE_LON 9.8765 /* a fictional place on the map; UTM zone 32 */
#define CENTRE_LAT 47.2345
#define BLOCK_CENTRE_M 60.0 /* grid spacing at the centre */
#define ORIGIN_GRID_M 100.0

/* ---- deterministic randomness: a hash of (seed, salt, a, b) ------------------------------- */

static uint64_t mix64(uint64_t z) { /* splitmix64 finaliser */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t g_seed = 42;

static uint64_t hash4(uint64_t salt, int64_t a, int64_t b, uint64_t c) {
    uint64_t h = mix64(g_seed ^ 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ salt);
    h = mix64(h ^ (uint64_t)a);
    h = mix64(h ^ (uint64_t)b);
    return mix64(h ^ c);
}

/* Uniform in [0, 1). */
static double unif(uint64_t salt, int64_t a, int64_t b, uint64_t c) {
    return (double)(hash4(salt, a, b, c) >> 11) * (1.0 / 9007199254740992.0);
}

enum {
    S_JITTER_X = 1,
    S_JITTER_Y,
    S_MISSING,
    S_SHAPES,
    S_SHAPE_OFF,
    S_FOOT,
    S_ONEWAY,
    S_ONEWAY_DIR,
    S_SPUR,
    S_SPUR_DIR,
    S_SPUR_LEN,
    S_DIAG,
    S_POP,
    S_PARK,
    S_SVC,
    S_SVC_J,
    S_SHUFFLE,
    S_CAP
};

/* ---- growable arrays ------------------------------------------------------------------------ */

typedef struct {
    double *x, *y; /* local metres east/north of the centre */
    size_t n, cap;
} nodes;

typedef enum { HW_RESIDENTIAL, HW_TERTIARY, HW_SECONDARY, HW_PRIMARY, HW_FOOTWAY } hw_kind;
static const char *const HW_NAME[] = {"residential", "tertiary", "secondary", "primary", "footway"};

typedef struct {
    uint32_t *u, *v;
    uint8_t *hw;
    int8_t *oneway; /* 0 no, 1 yes (u->v), -1 reverse */
    size_t n, cap;
} edges;

static void *xrealloc(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q) {
        fprintf(stderr, "accessim-gen-city: out of memory (%zu bytes)\n", size);
        exit(1);
    }
    return q;
}

static uint32_t node_add(nodes *ns, double x, double y) {
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 1024;
        ns->x = xrealloc(ns->x, ns->cap * sizeof *ns->x);
        ns->y = xrealloc(ns->y, ns->cap * sizeof *ns->y);
    }
    ns->x[ns->n] = x;
    ns->y[ns->n] = y;
    return (uint32_t)ns->n++;
}

static void edge_add(edges *es, uint32_t u, uint32_t v, hw_kind hw, int oneway) {
    if (es->n == es->cap) {
        es->cap = es->cap ? 2 * es->cap : 1024;
        es->u = xrealloc(es->u, es->cap * sizeof *es->u);
        es->v = xrealloc(es->v, es->cap * sizeof *es->v);
        es->hw = xrealloc(es->hw, es->cap * sizeof *es->hw);
        es->oneway = xrealloc(es->oneway, es->cap * sizeof *es->oneway);
    }
    es->u[es->n] = u;
    es->v[es->n] = v;
    es->hw[es->n] = (uint8_t)hw;
    es->oneway[es->n] = (int8_t)oneway;
    ++es->n;
}

/* ---- geometry: grid index space -> metres ------------------------------------------------- */

typedef struct {
    double rmax; /* outline radius in grid units (before lobes) */
    double b;    /* warp: radius_m = r * (BLOCK_CENTRE_M + b * r) */
    int half;    /* grid spans [-half, half] in both indexes */
} city_shape;

/* Outline radius (grid units) in direction theta: a lobed disc. */
static double outline(const city_shape *c, double theta) {
    return c->rmax * (1.0 + 0.10 * sin(3.0 * theta + 0.7) + 0.05 * sin(5.0 * theta + 2.1));
}

static int inside_index(const city_shape *c, double i, double j) {
    double r = hypot(i, j);
    return r <= outline(c, atan2(j, i));
}

static void warp(const city_shape *c, double i, double j, double *x, double *y) {
    double r = hypot(i, j), f = BLOCK_CENTRE_M + c->b * r;
    *x = i * f;
    *y = j * f;
}

/* Grid index radius of a point at `rad_m` metres from the centre (inverse of the warp). */
static double unwarp_radius(const city_shape *c, double rad_m) {
    if (c->b <= 0) return rad_m / BLOCK_CENTRE_M;
    return (-BLOCK_CENTRE_M + sqrt(BLOCK_CENTRE_M * BLOCK_CENTRE_M + 4.0 * c->b * rad_m)) /
           (2.0 * c->b);
}

static int inside_metres(const city_shape *c, double x, double y) {
    double r = unwarp_radius(c, hypot(x, y));
    return r <= outline(c, atan2(y, x));
}

/* Local grid spacing (metres) at grid radius r, for jitter amplitudes. */
static double spacing_at(const city_shape *c, double r) { return BLOCK_CENTRE_M + c->b * r; }

/* ---- the street network ----------------------------------------------------------------- */

/* Class of grid line k (a row or a column): every 24th primary, 12th secondary, 6th tertiary. */
static hw_kind line_class(int k) {
    int a = k < 0 ? -k : k;
    if (a % 24 == 0) return HW_PRIMARY;
    if (a % 12 == 0) return HW_SECONDARY;
    if (a % 6 == 0) return HW_TERTIARY;
    return HW_RESIDENTIAL;
}

/* A street from junction a to junction b along grid line `line` (axis 0: row, 1: column). The
 * street gets 0-2 intermediate shape nodes with a sideways wiggle. */
static void street(nodes *ns, edges *es, const city_shape *c, uint32_t a, uint32_t b, int axis,
                   int line, int pos, hw_kind hw, int oneway) {
    double u = unif(S_SHAPES, axis * 1000003 + line, pos, 0);
    int k = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    uint32_t prev = a;
    double dx = ns->x[b] - ns->x[a], dy = ns->y[b] - ns->y[a], len = hypot(dx, dy);
    double r = hypot(ns->x[a], ns->y[a]) / spacing_at(c, 0);
    double amp = 0.06 * spacing_at(c, r);
    for (int s = 1; s <= k; ++s) {
        double t = (double)s / (k + 1);
        double off = (unif(S_SHAPE_OFF, axis * 1000003 + line, pos, (uint64_t)s) - 0.5) * 2 * amp;
        double px = ns->x[a] + t * dx - off * dy / len, py = ns->y[a] + t * dy + off * dx / len;
        uint32_t n = node_add(ns, px, py);
        edge_add(es, prev, n, hw, oneway);
        prev = n;
    }
    edge_add(es, prev, b, hw, oneway);
}

typedef struct {
    city_shape shape;
    nodes ns;
    edges es;
    size_t junctions;
} city;

static void city_free(city *c) {
    free(c->ns.x);
    free(c->ns.y);
    free(c->es.u);
    free(c->es.v);
    free(c->es.hw);
    free(c->es.oneway);
    memset(c, 0, sizeof *c);
}

static void city_build(city *c, double rmax) {
    city_shape *sh = &c->shape;
    sh->rmax = rmax;
    sh->b = 0.5 * BLOCK_CENTRE_M / rmax; /* radial spacing 60 -> 120 m, tangential 60 -> 90 m */
    sh->half = (int)ceil(rmax * 1.2) + 2;
    int half = sh->half, w = 2 * half + 1;
    int64_t *at = xrealloc(NULL, (size_t)w * (size_t)w * sizeof *at);
    nodes *ns = &c->ns;
    edges *es = &c->es;

    /* Junctions. */
    for (int j = -half; j <= half; ++j)
        for (int i = -half; i <= half; ++i) {
            int64_t *slot = &at[(size_t)(j + half) * (size_t)w + (size_t)(i + half)];
            *slot = -1;
            if (!inside_index(sh, i, j)) continue;
            double x, y;
            warp(sh, i, j, &x, &y);
            double amp = 0.15 * spacing_at(sh, hypot(i, j));
            x += (unif(S_JITTER_X, i, j, 0) - 0.5) * 2 * amp;
            y += (unif(S_JITTER_Y, i, j, 0) - 0.5) * 2 * amp;
            *slot = node_add(ns, x, y);
        }
    c->junctions = ns->n;
#define AT(i, j)                                                                                   \
    (((i) < -half || (i) > half || (j) < -half || (j) > half)                                      \
         ? -1                                                                                      \
         : at[(size_t)((j) + half) * (size_t)w + (size_t)((i) + half)])

    /* Grid streets: rows (axis 0, along i) and columns (axis 1, along j). About 20% of the
     * residential lines are one-way for their whole length (one direction per line, 1 in 6 of
     * them tagged oneway=-1 and drawn the other way); 6% of links are missing; 5% of the
     * residential links are footways. */
    for (int axis = 0; axis < 2; ++axis)
        for (int line = -half; line <= half; ++line) {
            hw_kind cls = line_class(line);
            int oneway = 0;
            if (cls == HW_RESIDENTIAL && unif(S_ONEWAY, axis, line, 0) < 0.20) {
                double d = unif(S_ONEWAY_DIR, axis, line, 0);
                oneway = d < 1.0 / 6 ? -1 : d < 0.58 ? 1 : 2; /* 2: yes, drawn backwards */
            }
            for (int pos = -half; pos < half; ++pos) {
                int64_t a = axis == 0 ? AT(pos, line) : AT(line, pos);
                int64_t b = axis == 0 ? AT(pos + 1, line) : AT(line, pos + 1);
                if (a < 0 || b < 0) continue;
                double miss = cls == HW_RESIDENTIAL ? 0.07 : 0.01;
                if (unif(S_MISSING, axis * 1000003 + line, pos, 0) < miss) continue;
                hw_kind hw = cls;
                int ow = oneway;
                if (cls == HW_RESIDENTIAL && unif(S_FOOT, axis * 1000003 + line, pos, 0) < 0.05) {
                    hw = HW_FOOTWAY;
                    ow = 0;
                }
                if (ow == 2)
                    street(ns, es, sh, (uint32_t)b, (uint32_t)a, axis, line, pos, hw, 1);
                else
                    street(ns, es, sh, (uint32_t)a, (uint32_t)b, axis, line, pos, hw, ow);
            }
        }

    /* Cul-de-sacs: 6% of junctions get a short spur (1-2 segments) into a block. */
    for (int j = -half; j <= half; ++j)
        for (int i = -half; i <= half; ++i) {
            int64_t a = AT(i, j);
            if (a < 0 || unif(S_SPUR, i, j, 0) >= 0.06) continue;
            double d = unif(S_SPUR_DIR, i, j, 0);
            double di = d < 0.5 ? 0.5 : -0.5, dj = (d < 0.25 || d >= 0.75) ? 0.5 : -0.5;
            int segs = unif(S_SPUR_LEN, i, j, 0) < 0.5 ? 1 : 2;
            hw_kind hw = unif(S_SPUR_LEN, i, j, 1) < 0.2 ? HW_FOOTWAY : HW_RESIDENTIAL;
            uint32_t prev = (uint32_t)a;
            for (int s = 1; s <= segs; ++s) {
                double x, y, f = 0.8 * s / segs; /* the tip lies 0.4 grid units into the block */
                warp(sh, i + di * f, j + dj * f, &x, &y);
                if (!inside_metres(sh, x, y)) break;
                uint32_t n = node_add(ns, x, y);
                edge_add(es, prev, n, hw, 0);
                prev = n;
            }
        }

    /* Diagonal arterials through the centre region: directions (1,1), (1,-1), (2,1), (1,-2).
     * Steps join grid junctions, so they meet the grid only at those shared nodes. */
    int n_diag = 4 + (int)(rmax / 50.0);
    static const int DIRS[4][2] = {{1, 1}, {1, -1}, {2, 1}, {1, -2}};
    for (int d = 0; d < n_diag; ++d) {
        const int *dir = DIRS[d % 4];
        int i0 = (int)((unif(S_DIAG, d, 0, 0) - 0.5) * rmax),
            j0 = (int)((unif(S_DIAG, d, 1, 0) - 0.5) * rmax);
        /* walk back to the edge, then forward across the city */
        while (AT(i0 - dir[0], j0 - dir[1]) >= 0) {
            i0 -= dir[0];
            j0 -= dir[1];
        }
        for (int i = i0, j = j0; AT(i, j) >= 0 && AT(i + dir[0], j + dir[1]) >= 0;
             i += dir[0], j += dir[1])
            edge_add(es, (uint32_t)AT(i, j), (uint32_t)AT(i + dir[0], j + dir[1]), HW_PRIMARY, 0);
    }
#undef AT
    free(at);
}

/* Generates a city with about `target` street nodes: the outline radius is refined from the
 * node count of a first attempt (node count grows with its square). */
static void city_generate(city *c, size_t target) {
    double rmax = sqrt((double)target / (M_PI * 2.1)); /* about 2.1 nodes per junction */
    for (int it = 0; it < 4; ++it) {
        city_build(c, rmax);
        double ratio = (double)target / (double)c->ns.n;
        if (fabs(ratio - 1.0) < 0.01 || it == 3) break;
        city_free(c);
        rmax *= sqrt(ratio);
    }
}

/* ---- output --------------------------------------------------------------------------------- */

static void to_lonlat(double x, double y, double *lon, double *lat) {
    const double deg = 180.0 / M_PI, lat0 = CENTRE_LAT / deg;
    *lat = CENTRE_LAT + (y / EARTH_RADIUS_M) * deg;
    *lon = CENTRE_LON + (x / (EARTH_RADIUS_M * cos(lat0))) * deg;
}

static double round7(double v) { return round(v * 1e7) / 1e7; }

static double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_M * asin(fmin(1.0, sqrt(h)));
}

static FILE *open_out(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "accessim-gen-city: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    static char *bufs[8];
    static int nb;
    if (nb < 8 && (bufs[nb] = malloc(1 << 20))) setvbuf(fp, bufs[nb++], _IOFBF, 1 << 20);
    return fp;
}

static void close_out(FILE *fp, const char *name) {
    if (ferror(fp) | fclose(fp)) {
        fprintf(stderr, "accessim-gen-city: cannot write %s\n", name);
        exit(1);
    }
}

/* A random permutation of 0..n-1 (Fisher-Yates on hashed draws), or the identity. */
static uint32_t *permutation(size_t n, int shuffled, uint64_t salt) {
    uint32_t *p = xrealloc(NULL, (n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; ++i) p[i] = (uint32_t)i;
    if (shuffled)
        for (size_t i = n; i > 1; --i) {
            size_t k = (size_t)(hash4(S_SHUFFLE, (int64_t)salt, (int64_t)i, 0) % i);
            uint32_t t = p[i - 1];
            p[i - 1] = p[k];
            p[k] = t;
        }
    return p;
}

static void usage(FILE *fp) {
    fputs("usage: accessim-gen-city --nodes N [--seed S] [--services K] [--order shuffled|grid]"
          " -o DIR\n"
          "Writes a synthetic city of about N street nodes (nodes.csv, edges.csv, origins.csv on\n"
          "a 100 m grid, clinics.csv, city.yaml) into DIR. Deterministic for given arguments.\n",
          fp);
}

int main(int argc, char **argv) {
    size_t target = 0, n_svc = 300;
    const char *dir = NULL;
    int shuffled = 1;
    for (int a = 1; a < argc; ++a) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        ++a;
        if (!strcmp(o, "--nodes"))
            target = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(o, "--seed"))
            g_seed = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--services"))
            n_svc = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(o, "--order") && !strcmp(v, "grid"))
            shuffled = 0;
        else if (!strcmp(o, "--order") && !strcmp(v, "shuffled"))
            shuffled = 1;
        else if (!strcmp(o, "-o"))
            dir = v;
        else {
            fprintf(stderr, "accessim-gen-city: unknown option '%s %s'\n", o, v);
            usage(stderr);
            return 2;
        }
    }
    if (target < 100 || !dir || n_svc < 1) {
        usage(stderr);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "accessim-gen-city: %s: %s\n", dir, strerror(errno));
        return 1;
    }

    city c = {0};
    city_generate(&c, target);
    const city_shape *sh = &c.shape;
    size_t nn = c.ns.n, ne = c.es.n;

    /* Coordinates as written (7 decimals), so that lengths agree with the file. */
    double *lon = xrealloc(NULL, nn * sizeof *lon), *lat = xrealloc(NULL, nn * sizeof *lat);
    for (size_t i = 0; i < nn; ++i) {
        to_lonlat(c.ns.x[i], c.ns.y[i], &lon[i], &lat[i]);
        lon[i] = round7(lon[i]);
        lat[i] = round7(lat[i]);
    }
    /* Node perm[r] is written on row r with id r + 1, so ids follow the file order. */
    uint32_t *perm = permutation(nn, shuffled, 1), *id = xrealloc(NULL, nn * sizeof *id);
    for (size_t r = 0; r < nn; ++r) id[perm[r]] = (uint32_t)(r + 1);
    FILE *fp = open_out(dir, "nodes.csv");
    fputs("id,lon,lat\n", fp);
    for (size_t r = 0; r < nn; ++r)
        fprintf(fp, "%u,%.7f,%.7f\n", (unsigned)(r + 1), lon[perm[r]], lat[perm[r]]);
    close_out(fp, "nodes.csv");
    free(perm);

    perm = permutation(ne, shuffled, 2);
    fp = open_out(dir, "edges.csv");
    fputs("from,to,length,highway,oneway\n", fp);
    double total_m = 0;
    size_t n_oneway = 0;
    for (size_t r = 0; r < ne; ++r) {
        size_t e = perm[r];
        uint32_t u = c.es.u[e], v = c.es.v[e];
        double len = haversine_m(lon[u], lat[u], lon[v], lat[v]);
        total_m += len;
        int ow = c.es.oneway[e];
        n_oneway += ow != 0; /* -1: one-way from `to` to `from`, as OSM's oneway=-1 */
        fprintf(fp, "%u,%u,%.2f,%s,%s\n", (unsigned)id[u], (unsigned)id[v], len,
                HW_NAME[c.es.hw[e]],
                ow == 1    ? "yes"
                : ow == -1 ? "-1"
                           : "no");
    }
    close_out(fp, "edges.csv");
    free(perm);

    /* Origins: the centres of a 100 m grid over the city outline. Population per hectare falls
     * off from 150 in the centre over 8 km, with noise; 8% of cells are parks or water (0). */
    double reach_m = 0;
    for (size_t i = 0; i < nn; ++i) reach_m = fmax(reach_m, hypot(c.ns.x[i], c.ns.y[i]));
    int cells = (int)ceil(reach_m / ORIGIN_GRID_M);
    size_t n_orig = 0, cap_orig = 0;
    double *ox = NULL, *oy = NULL, *opop = NULL;
    for (int cj = -cells; cj < cells; ++cj)
        for (int ci = -cells; ci < cells; ++ci) {
            double x = (ci + 0.5) * ORIGIN_GRID_M, y = (cj + 0.5) * ORIGIN_GRID_M;
            if (!inside_metres(sh, x, y)) continue;
            if (n_orig == cap_orig) {
                cap_orig = cap_orig ? 2 * cap_orig : 4096;
                ox = xrealloc(ox, cap_orig * sizeof *ox);
                oy = xrealloc(oy, cap_orig * sizeof *oy);
                opop = xrealloc(opop, cap_orig * sizeof *opop);
            }
            double pop =
                (150.0 * exp(-hypot(x, y) / 8000.0) + 2.0) * (0.5 + unif(S_POP, ci, cj, 0));
            if (unif(S_PARK, ci, cj, 0) < 0.08) pop = 0;
            ox[n_orig] = x;
            oy[n_orig] = y;
            opop[n_orig] = round(pop);
            ++n_orig;
        }
    fp = open_out(dir, "origins.csv");
    fputs("id,lon,lat,population\n", fp);
    double pop_total = 0;
    for (size_t k = 0; k < n_orig; ++k) {
        double lo, la;
        to_lonlat(ox[k], oy[k], &lo, &la);
        pop_total += opop[k];
        fprintf(fp, "%zu,%.7f,%.7f,%.0f\n", k + 1, lo, la, opop[k]);
    }
    close_out(fp, "origins.csv");

    /* Clinics: origins drawn with probability proportional to population, jittered 40 m. */
    double *cum = xrealloc(NULL, (n_orig ? n_orig : 1) * sizeof *cum);
    double acc = 0;
    for (size_t k = 0; k < n_orig; ++k) cum[k] = (acc += opop[k]);
    fp = open_out(dir, "clinics.csv");
    fputs("id,lon,lat,capacity\n", fp);
    for (size_t s = 0; s < n_svc && acc > 0; ++s) {
        double t = unif(S_SVC, (int64_t)s, 0, 0) * acc;
        size_t lo = 0, hi = n_orig - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cum[mid] > t)
                hi = mid;
            else
                lo = mid + 1;
        }
        double x = ox[lo] + (unif(S_SVC_J, (int64_t)s, 0, 0) - 0.5) * 80,
               y = oy[lo] + (unif(S_SVC_J, (int64_t)s, 1, 0) - 0.5) * 80, lo_, la_;
        to_lonlat(x, y, &lo_, &la_);
        fprintf(fp, "c%zu,%.7f,%.7f,%d\n", s + 1, lo_, la_,
                1 + (int)(unif(S_CAP, (int64_t)s, 0, 0) * 5));
    }
    close_out(fp, "clinics.csv");

    fp = open_out(dir, "city.yaml");
    fprintf(fp,
            "# Synthetic city from accessim-gen-city --nodes %zu --seed %llu (tools/bench).\n"
            "name: synthetic-%zu\n"
            "network:\n"
            "  nodes: nodes.csv\n"
            "  edges: edges.csv\n"
            "  modes: [walk]\n"
            "population:\n"
            "  source: origins.csv\n"
            "  id: id\n"
            "  lon: lon\n"
            "  lat: lat\n"
            "  groups: { everyone: population }\n"
            "services:\n"
            "  clinic: { source: clinics.csv, id: id, lon: lon, lat: lat, capacity: capacity }\n"
            "output:\n"
            "  grid_m: 100\n"
            "  thresholds_min: [15, 30]\n",
            target, (unsigned long long)g_seed, target);
    close_out(fp, "city.yaml");

    printf("nodes %zu junctions %zu edges %zu oneway_edges %zu street_km %.0f radius_km %.1f "
           "origins %zu population %.0f clinics %zu\n",
           nn, c.junctions, ne, n_oneway, total_m / 1000, reach_m / 1000, n_orig, pop_total, n_svc);
    free(lon);
    free(lat);
    free(id);
    free(ox);
    free(oy);
    free(opop);
    free(cum);
    city_free(&c);
    return 0;
}
