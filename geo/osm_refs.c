#include "geo/osm_refs.h"

#include <readosm.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t way_id;
    uint32_t first_gap, n_gaps, n_present;
} way_gaps;

struct geo_osm_gaps {
    way_gaps *ways; /* sorted by way_id */
    size_t n_ways;
    uint32_t *gaps;
};

typedef struct {
    int64_t *node_ids;
    size_t n_nodes, cap_nodes;
    int64_t *way_ids;
    size_t *way_first; /* n_ways + 1 offsets into refs */
    size_t cap_first;
    size_t n_ways, cap_ways;
    int64_t *refs;
    size_t n_refs, cap_refs;
    int oom;
} collect;

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return 0;
    *p = q;
    *cap = c;
    return 1;
}

static int on_node(const void *ud, const readosm_node *node) {
    collect *c = (collect *)ud;
    if (!grow((void **)&c->node_ids, &c->cap_nodes, c->n_nodes + 1, sizeof *c->node_ids)) {
        c->oom = 1;
        return READOSM_ABORT;
    }
    c->node_ids[c->n_nodes++] = node->id;
    return READOSM_OK;
}

static int on_way(const void *ud, const readosm_way *way) {
    collect *c = (collect *)ud;
    size_t nr = (size_t)(way->node_ref_count > 0 ? way->node_ref_count : 0);
    if (!grow((void **)&c->way_ids, &c->cap_ways, c->n_ways + 1, sizeof *c->way_ids) ||
        !grow((void **)&c->way_first, &c->cap_first, c->n_ways + 2, sizeof *c->way_first) ||
        !grow((void **)&c->refs, &c->cap_refs, c->n_refs + nr, sizeof *c->refs)) {
        c->oom = 1;
        return READOSM_ABORT;
    }
    if (c->n_ways == 0) c->way_first[0] = 0;
    c->way_ids[c->n_ways] = way->id;
    if (nr) memcpy(c->refs + c->n_refs, way->node_refs, nr * sizeof *c->refs);
    c->n_refs += nr;
    c->way_first[++c->n_ways] = c->n_refs;
    return READOSM_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_way(const void *a, const void *b) {
    return cmp_i64(&((const way_gaps *)a)->way_id, &((const way_gaps *)b)->way_id);
}

static int has_node(const collect *c, int64_t id) {
    return bsearch(&id, c->node_ids, c->n_nodes, sizeof *c->node_ids, cmp_i64) != NULL;
}

static void collect_free(collect *c) {
    free(c->node_ids);
    free(c->way_ids);
    free(c->way_first);
    free(c->refs);
}

void geo_osm_gaps_destroy(geo_osm_gaps *g) {
    if (!g) return;
    free(g->ways);
    free(g->gaps);
    free(g);
}

sim_status geo_osm_gaps_load(const char *path, geo_osm_gaps **out, sim_error *err) {
    sim_status rc = SIM_OK;
    collect c = {0};
    const void *h = NULL;
    *out = NULL;
    geo_osm_gaps *g = calloc(1, sizeof *g);
    if (!g) return sim_error_set(err, SIM_ENOMEM, "%s", path);
    int r = readosm_open(path, &h);
    if (r != READOSM_OK) {
        rc = sim_error_set(err, SIM_EIO, "%s: readosm cannot open the file (code %d)", path, r);
        goto done;
    }
    r = readosm_parse(h, &c, on_node, on_way, NULL);
    if (c.oom) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s: reading node references", path);
        goto done;
    }
    if (r != READOSM_OK) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: malformed OSM data (readosm code %d)", path, r);
        goto done;
    }
    qsort(c.node_ids, c.n_nodes, sizeof *c.node_ids, cmp_i64);
    size_t cap_w = 0, cap_g = 0, n_g = 0;
    for (size_t w = 0; w < c.n_ways; ++w) {
        size_t a = c.way_first[w], b = c.way_first[w + 1];
        uint32_t present = 0, first_gap = (uint32_t)n_g, ng = 0;
        int missing_any = 0, pending_gap = 0;
        for (size_t i = a; i < b; ++i) {
            if (has_node(&c, c.refs[i])) {
                if (pending_gap && present > 0) {
                    if (!grow((void **)&g->gaps, &cap_g, n_g + 1, sizeof *g->gaps)) {
                        rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
                        goto done;
                    }
                    g->gaps[n_g++] = present - 1;
                    ++ng;
                }
                pending_gap = 0;
                ++present;
            } else {
                missing_any = 1;
                pending_gap = 1;
            }
        }
        if (!missing_any) continue;
        if (!grow((void **)&g->ways, &cap_w, g->n_ways + 1, sizeof *g->ways)) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
            goto done;
        }
        g->ways[g->n_ways++] = (way_gaps){c.way_ids[w], first_gap, ng, present};
    }
    qsort(g->ways, g->n_ways, sizeof *g->ways, cmp_way);
    *out = g;
    g = NULL;
done:
    if (h) readosm_close(h);
    collect_free(&c);
    geo_osm_gaps_destroy(g);
    return rc;
}

size_t geo_osm_gaps_way_count(const geo_osm_gaps *g) { return g ? g->n_ways : 0; }

int geo_osm_gaps_find(const geo_osm_gaps *g, int64_t way_id, const uint32_t **gaps,
                      uint32_t *n_gaps, uint32_t *n_present) {
    *gaps = NULL;
    *n_gaps = 0;
    if (!g || !g->n_ways) return 0;
    way_gaps key = {.way_id = way_id};
    const way_gaps *w = bsearch(&key, g->ways, g->n_ways, sizeof *g->ways, cmp_way);
    if (!w) return 0;
    *n_gaps = w->n_gaps;
    *n_present = w->n_present;
    if (w->n_gaps) *gaps = g->gaps + w->first_gap;
    return 1;
}
