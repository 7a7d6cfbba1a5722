/* Snapping points to the street network (GEOS STRtree) and attaching them as nodes. */
#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_internal.h"
#include "geo/network.h"

typedef struct {
    double ax, ay, bx, by; /* a segment, or a point when is_point (a == b) */
    uint32_t seg;
    int is_point;
} snap_item;

struct geo_snapper {
    size_t island_segs; /* street segments left out as parts of small islands */
    size_t islands;
    GEOSContextHandle_t ctx;
    GEOSSTRtree *tree;
    snap_item *items;
    uint32_t n_items;
    char msg[256];
};

static void geos_msg_r(const char *message, void *userdata) {
    geo_snapper *s = userdata;
    snprintf(s->msg, sizeof s->msg, "%s", message);
}

/* Nearest point of segment (a, b) to p: fraction along it and distance. */
static double seg_project(double ax, double ay, double bx, double by, double px, double py,
                          double *f_out) {
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, f = 0;
    if (l2 > 0) {
        f = ((px - ax) * dx + (py - ay) * dy) / l2;
        f = f < 0 ? 0 : (f > 1 ? 1 : f);
    }
    double qx = ax + f * dx - px, qy = ay + f * dy - py;
    if (f_out) *f_out = f;
    return sqrt(qx * qx + qy * qy);
}

static int item_distance(const void *i1, const void *i2, double *d, void *ud) {
    (void)ud;
    const snap_item *a = i1, *b = i2;
    if (a->is_point) {
        const snap_item *t = a;
        a = b;
        b = t;
    }
    if (!b->is_point) { /* segment-segment: only used by GEOS for tree-tree queries */
        *d = 0;
        return 1;
    }
    *d = seg_project(a->ax, a->ay, a->bx, a->by, b->ax, b->ay, NULL);
    return 1;
}

void geo_snapper_destroy(geo_snapper *s) {
    if (!s) return;
    if (s->tree) GEOSSTRtree_destroy_r(s->ctx, s->tree);
    if (s->ctx) GEOS_finish_r(s->ctx);
    free(s->items);
    free(s);
}

static uint32_t uf_find(uint32_t *parent, uint32_t v) {
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

/* Marks street segments whose connected component (street segments only) has fewer than
 * GEO_ISLAND_NODES nodes, unless it is the largest component. Such islands (a footway fragment,
 * a courtyard path cut off by the extract) would swallow origins and services that then reach
 * nothing; routers prune them the same way (R5 drops islands under 40 nodes). */
/* Street segments the snapper may use for mode `m`. */
static int usable(const geo_network *net, uint32_t s, geo_mode m) {
    return !net->seg_connector[s] && (net->seg_access[s] & GEO_ACCESS_ANY(m));
}

static sim_status mark_islands(const geo_network *net, geo_mode m, uint8_t *island,
                               size_t *n_island_segs, size_t *n_islands) {
    uint32_t n = net->n_nodes;
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent), *size = calloc(n ? n : 1, sizeof *size);
    if (!parent || !size) {
        free(parent);
        free(size);
        return SIM_ENOMEM;
    }
    for (uint32_t v = 0; v < n; ++v) parent[v] = v;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        if (!usable(net, s, m)) continue;
        uint32_t a = uf_find(parent, net->seg_u[s]), b = uf_find(parent, net->seg_v[s]);
        if (a != b) parent[a < b ? b : a] = a < b ? a : b; /* smaller id wins: deterministic */
    }
    uint8_t *touched = calloc(n ? n : 1, 1);
    if (!touched) {
        free(parent);
        free(size);
        return SIM_ENOMEM;
    }
    for (uint32_t s = 0; s < net->n_segs; ++s)
        if (usable(net, s, m)) touched[net->seg_u[s]] = touched[net->seg_v[s]] = 1;
    uint32_t largest = 0, largest_root = SIM_INVALID_ID;
    for (uint32_t v = 0; v < n; ++v) {
        if (!touched[v]) continue;
        uint32_t r = uf_find(parent, v);
        if (++size[r] > largest) {
            largest = size[r];
            largest_root = r;
        }
    }
    *n_island_segs = 0;
    *n_islands = 0;
    for (uint32_t v = 0; v < n; ++v)
        if (touched[v] && parent[v] == v && v != largest_root && size[v] > 0 &&
            size[v] < GEO_ISLAND_NODES)
            ++*n_islands;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        uint32_t r = uf_find(parent, net->seg_u[s]);
        island[s] = usable(net, s, m) && r != largest_root && size[r] < GEO_ISLAND_NODES;
        *n_island_segs += island[s];
    }
    free(touched);
    free(parent);
    free(size);
    return SIM_OK;
}

size_t geo_snapper_island_count(const geo_snapper *s, size_t *segments) {
    if (segments) *segments = s->island_segs;
    return s->islands;
}

sim_status geo_snapper_create(const geo_network *net, geo_mode mode, geo_snapper **out,
                              sim_error *err) {
    sim_status rc = SIM_OK;
    uint8_t *island = NULL;
    *out = NULL;
    geo_snapper *s = calloc(1, sizeof *s);
    if (!s) return sim_error_set(err, SIM_ENOMEM, "spatial index");
    s->ctx = GEOS_init_r();
    if (!s->ctx) {
        rc = sim_error_set(err, SIM_EDEP, "cannot create a GEOS context");
        goto done;
    }
    GEOSContext_setErrorMessageHandler_r(s->ctx, geos_msg_r, s);
    s->items = malloc((net->n_segs ? net->n_segs : 1) * sizeof *s->items);
    s->tree = GEOSSTRtree_create_r(s->ctx, 10);
    if (!s->items || !s->tree) {
        rc = sim_error_set(err, SIM_ENOMEM, "spatial index");
        goto done;
    }
    island = malloc(net->n_segs ? net->n_segs : 1);
    if (!island || mark_islands(net, mode, island, &s->island_segs, &s->islands)) {
        rc = sim_error_set(err, SIM_ENOMEM, "spatial index");
        goto done;
    }
    for (uint32_t i = 0; i < net->n_segs; ++i) {
        if (!usable(net, i, mode) || island[i]) continue;
        snap_item *it = &s->items[s->n_items++];
        uint32_t u = net->seg_u[i], v = net->seg_v[i];
        *it = (snap_item){net->x[u], net->y[u], net->x[v], net->y[v], i, 0};
        GEOSCoordSequence *cs = GEOSCoordSeq_create_r(s->ctx, 2, 2);
        GEOSCoordSeq_setXY_r(s->ctx, cs, 0, fmin(it->ax, it->bx), fmin(it->ay, it->by));
        GEOSCoordSeq_setXY_r(s->ctx, cs, 1, fmax(it->ax, it->bx), fmax(it->ay, it->by));
        GEOSGeometry *env = GEOSGeom_createLineString_r(s->ctx, cs);
        if (!env) {
            rc = sim_error_set(err, SIM_EDEP, "GEOS: %s", s->msg);
            goto done;
        }
        GEOSSTRtree_insert_r(s->ctx, s->tree, env, it);
        GEOSGeom_destroy_r(s->ctx, env); /* the tree keeps only the envelope */
    }
    *out = s;
    s = NULL;
done:
    free(island);
    geo_snapper_destroy(s);
    return rc;
}

sim_status geo_snapper_snap(geo_snapper *s, const double *x, const double *y, size_t n,
                            double max_dist_m, geo_snap *out, sim_error *err) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = (geo_snap){SIM_INVALID_ID, 0, INFINITY};
        if (s->n_items == 0 || !isfinite(x[i]) || !isfinite(y[i])) continue;
        snap_item q = {x[i], y[i], x[i], y[i], SIM_INVALID_ID, 1};
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(s->ctx, x[i], y[i]);
        if (!pt) return sim_error_set(err, SIM_EDEP, "GEOS: %s", s->msg);
        const snap_item *hit =
            GEOSSTRtree_nearest_generic_r(s->ctx, s->tree, &q, pt, item_distance, NULL);
        GEOSGeom_destroy_r(s->ctx, pt);
        if (!hit) return sim_error_set(err, SIM_EDEP, "GEOS nearest-neighbour query failed: %s",
                                       s->msg);
        double f;
        double d = seg_project(hit->ax, hit->ay, hit->bx, hit->by, x[i], y[i], &f);
        if (d <= max_dist_m) out[i] = (geo_snap){hit->seg, f, d};
        else out[i].dist_m = d;
    }
    return SIM_OK;
}

/* ---- attaching ------------------------------------------------------------------------- */

typedef struct {
    uint32_t seg;
    double f;
    size_t point;
    uint32_t mode;
} split_req;

static int cmp_split(const void *a, const void *b) {
    const split_req *p = a, *q = b;
    if (p->seg != q->seg) return p->seg < q->seg ? -1 : 1;
    if (p->f != q->f) return p->f < q->f ? -1 : 1;
    if (p->point != q->point) return p->point < q->point ? -1 : 1;
    return (p->mode > q->mode) - (p->mode < q->mode);
}

/* Appends piece [f0, f1] of segment s (whose attributes it copies) from node a to node b. */
/* The part [f0, f1] of segment `whole` (itself possibly a piece) as a piece of the uncut
 * segment. */
static geo_seg_piece piece_of(geo_seg_piece whole, double f0, double f1) {
    double span = whole.f1 - whole.f0;
    geo_seg_piece p = whole;
    p.f0 = whole.f0 + f0 * span;
    p.f1 = f1 >= 1.0 ? whole.f1 : whole.f0 + f1 * span;
    return p;
}

static uint32_t add_piece(geo_network *net, uint32_t s, geo_seg_piece whole, uint32_t a,
                          uint32_t b, double f0, double f1, double len, float time_s) {
    float speed[GEO_MODE_COUNT];
    memcpy(speed, net->seg_speed_kmh + (size_t)s * GEO_MODE_COUNT, sizeof speed);
    uint32_t id = geo__network_add_seg(net, a, b, (f1 - f0) * len, net->seg_way[s], 0,
                                       net->seg_access[s], speed,
                                       isfinite(time_s) ? (float)((f1 - f0) * time_s) : NAN);
    if (id != SIM_INVALID_ID) net->seg_piece[id] = piece_of(whole, f0, f1);
    return id;
}

sim_status geo_network_attach(geo_network *net, const geo_crs *crs, const double *x,
                              const double *y, const double *lon, const double *lat, size_t n,
                              const uint8_t *kind, const uint32_t *ref,
                              const geo_snap *const *snaps, double connector_kmh,
                              uint32_t *node_out, sim_error *err) {
    sim_status rc = SIM_OK;
    size_t cap = n * GEO_MODE_COUNT;
    split_req *req = malloc((cap ? cap : 1) * sizeof *req);
    uint32_t *split_node = malloc((cap ? cap : 1) * sizeof *split_node);
    double *sx = malloc((cap ? cap : 1) * sizeof *sx), *sy = malloc((cap ? cap : 1) * sizeof *sy);
    double *slon = NULL, *slat = NULL;
    size_t nr = 0;
    if (!req || !split_node || !sx || !sy) goto oom;
    for (size_t i = 0; i < n; ++i) node_out[i] = SIM_INVALID_ID;
    for (uint32_t m = 0; m < GEO_MODE_COUNT; ++m) {
        if (!snaps[m]) continue;
        for (size_t i = 0; i < n; ++i) {
            const geo_snap *sn = &snaps[m][i];
            if (sn->seg == SIM_INVALID_ID) continue;
            /* within a millimetre of a segment end, attach to that end rather than split off
             * a sliver (a point level with a vertex projects to f = 1 - 1e-10 or so) */
            uint32_t s = sn->seg, u = net->seg_u[s], v = net->seg_v[s];
            double len = hypot(net->x[v] - net->x[u], net->y[v] - net->y[u]), f = sn->f;
            if (f * len < 1e-3) f = 0;
            else if ((1.0 - f) * len < 1e-3) f = 1;
            req[nr++] = (split_req){s, f, i, m};
        }
    }
    if (nr) qsort(req, nr, sizeof *req, cmp_split);
    /* Planar positions of the split points, then their lon/lat in one PROJ call. */
    for (size_t k = 0; k < nr; ++k) {
        uint32_t s = req[k].seg, u = net->seg_u[s], v = net->seg_v[s];
        sx[k] = net->x[u] + req[k].f * (net->x[v] - net->x[u]);
        sy[k] = net->y[u] + req[k].f * (net->y[v] - net->y[u]);
    }
    slon = malloc((nr ? nr : 1) * sizeof *slon);
    slat = malloc((nr ? nr : 1) * sizeof *slat);
    if (!slon || !slat) goto oom;
    memcpy(slon, sx, nr * sizeof *slon);
    memcpy(slat, sy, nr * sizeof *slat);
    if ((rc = geo_crs_inverse(crs, slon, slat, nr, err))) goto done;
    for (size_t k = 0; k < nr;) {
        size_t e = k;
        uint32_t s = req[k].seg;
        while (e < nr && req[e].seg == s) ++e;
        uint32_t u = net->seg_u[s], v = net->seg_v[s];
        double len = net->seg_len_m[s];
        float time_s = net->seg_time_s[s];
        geo_seg_piece whole = net->seg_piece[s];
        /* One node per distinct fraction; the ends reuse u and v. */
        uint32_t prev = u;
        double prev_f = 0;
        int first_piece = 1;
        for (size_t j = k; j < e; ++j) {
            double f = req[j].f;
            uint32_t node;
            if (j > k && f == req[j - 1].f) {
                node = split_node[j - 1];
            } else if (f <= 0) {
                node = u;
            } else if (f >= 1) {
                node = v;
            } else {
                node = geo__network_add_node(net, sx[j], sy[j], slon[j], slat[j],
                                             GEO_NODE_STREET, SIM_INVALID_ID);
                if (node == SIM_INVALID_ID) goto oom;
            }
            split_node[j] = node;
            if (node != prev && node != u) {
                /* piece prev..node: the first piece reuses segment s, the rest are appended */
                if (first_piece) {
                    net->seg_v[s] = node;
                    net->seg_len_m[s] = (f - prev_f) * len;
                    if (isfinite(time_s)) net->seg_time_s[s] = (float)((f - prev_f) * time_s);
                    net->seg_piece[s] = piece_of(whole, prev_f, f);
                    first_piece = 0;
                } else if (add_piece(net, s, whole, prev, node, prev_f, f, len, time_s) ==
                           SIM_INVALID_ID) {
                    goto oom;
                }
                prev = node;
                prev_f = f;
            }
        }
        if (prev != v && !first_piece &&
            add_piece(net, s, whole, prev, v, prev_f, 1.0, len, time_s) == SIM_INVALID_ID)
            goto oom;
        k = e;
    }
    /* The points themselves, in input order (deterministic node ids), with one connector per
     * mode that snapped them, usable by that mode only and walked at connector_kmh. */
    {
        float speed[GEO_MODE_COUNT];
        for (int m = 0; m < GEO_MODE_COUNT; ++m) speed[m] = (float)connector_kmh;
        size_t *first_req = malloc((n ? n : 1) * sizeof *first_req);
        size_t *next_req = malloc((nr ? nr : 1) * sizeof *next_req);
        if (!first_req || !next_req) {
            free(first_req);
            free(next_req);
            goto oom;
        }
        for (size_t i = 0; i < n; ++i) first_req[i] = SIZE_MAX;
        for (size_t k = nr; k-- > 0;) { /* chains in (mode) order per point */
            next_req[k] = first_req[req[k].point];
            first_req[req[k].point] = k;
        }
        for (size_t i = 0; i < n && !rc; ++i) {
            if (first_req[i] == SIZE_MAX) continue;
            uint32_t p = geo__network_add_node(net, x[i], y[i], lon[i], lat[i], kind[i], ref[i]);
            if (p == SIM_INVALID_ID) {
                rc = SIM_ENOMEM;
                break;
            }
            node_out[i] = p;
            for (size_t k = first_req[i]; k != SIZE_MAX; k = next_req[k]) {
                double clen = geo_geodesic_m(lon[i], lat[i], slon[k], slat[k]);
                if (geo__network_add_seg(net, p, split_node[k], clen, -1, 1,
                                         GEO_ACCESS_ANY(req[k].mode), speed,
                                         NAN) == SIM_INVALID_ID) {
                    rc = SIM_ENOMEM;
                    break;
                }
            }
        }
        free(first_req);
        free(next_req);
        if (rc) goto oom;
    }
    goto done;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "attaching points");
done:
    free(slon);
    free(slat);
    free(req);
    free(split_node);
    free(sx);
    free(sy);
    return rc;
}
