#include "sim/stoplinks.h"

#include <stdlib.h>
#include <string.h>

/* One item's search results: (other item, seconds) pairs, collected per item in parallel and
 * concatenated in item order afterwards. */
typedef struct {
    uint32_t n;
    uint32_t *id, *walk_s;
} hits;

static void hits_free(hits *h, uint32_t n) {
    if (!h) return;
    for (uint32_t i = 0; i < n; ++i) {
        free(h[i].id);
        free(h[i].walk_s);
    }
    free(h);
}

/* For every item i with a node, searches `g` from node[i] within max_ds and records the stops
 * settled (through stop_at), excluding `skip_self` stop i itself when set. */
static sim_status search_all(const sim_graph *g, const uint32_t *node, uint32_t n_items,
                             const uint32_t *stop_at, int skip_self, uint32_t max_ds, hits *h) {
    uint32_t nn = sim_graph_node_count(g);
    sim_status rc = SIM_OK;
#pragma omp parallel
    {
        sim_scratch *s = sim_scratch_create(nn);
        sim_status my = s ? SIM_OK : SIM_ENOMEM;
#pragma omp for schedule(dynamic, 16)
        for (int64_t i = 0; i < (int64_t)n_items; ++i) {
            if (my || node[i] == SIM_INVALID_ID) continue;
            uint32_t v = node[i];
            sim_status st = sim_search(g, &v, NULL, 1, max_ds, s);
            if (st) {
                my = st;
                continue;
            }
            const uint32_t *nodes, *times;
            uint32_t ns = sim_scratch_settled(s, &nodes, &times), cnt = 0;
            for (uint32_t k = 0; k < ns; ++k) {
                uint32_t t = stop_at[nodes[k]];
                if (t != SIM_INVALID_ID && !(skip_self && t == (uint32_t)i)) ++cnt;
            }
            if (!cnt) continue;
            h[i].id = malloc(cnt * sizeof *h[i].id);
            h[i].walk_s = malloc(cnt * sizeof *h[i].walk_s);
            if (!h[i].id || !h[i].walk_s) {
                my = SIM_ENOMEM;
                continue;
            }
            for (uint32_t k = 0; k < ns; ++k) {
                uint32_t t = stop_at[nodes[k]];
                if (t == SIM_INVALID_ID || (skip_self && t == (uint32_t)i)) continue;
                h[i].id[h[i].n] = t;
                h[i].walk_s[h[i].n++] = sim_walk_s(times[k]);
            }
        }
        sim_scratch_destroy(s);
        if (my) {
#pragma omp critical(sim_stoplinks_rc)
            if (!rc) rc = my;
        }
    }
    return rc;
}

/* stop_at[v] = the stop at graph node v, or SIM_INVALID_ID. */
static uint32_t *stop_index(uint32_t n_nodes, const uint32_t *stop_node, uint32_t n_stops,
                            sim_status *rc) {
    uint32_t *at = malloc((n_nodes ? n_nodes : 1) * sizeof *at);
    if (!at) {
        *rc = SIM_ENOMEM;
        return NULL;
    }
    memset(at, 0xff, (size_t)n_nodes * sizeof *at);
    for (uint32_t s = 0; s < n_stops; ++s) {
        uint32_t v = stop_node[s];
        if (v == SIM_INVALID_ID) continue;
        if (v >= n_nodes || at[v] != SIM_INVALID_ID) {
            free(at);
            *rc = SIM_EINVAL;
            return NULL;
        }
        at[v] = s;
    }
    *rc = SIM_OK;
    return at;
}

/* Sorts one stop's hits by target (insertion sort on small lists, stable). */
static void sort_hits(hits *h) {
    for (uint32_t i = 1; i < h->n; ++i) {
        uint32_t id = h->id[i], w = h->walk_s[i], j = i;
        while (j > 0 && h->id[j - 1] > id) {
            h->id[j] = h->id[j - 1];
            h->walk_s[j] = h->walk_s[j - 1];
            --j;
        }
        h->id[j] = id;
        h->walk_s[j] = w;
    }
}

sim_status sim_stoplinks_transfers(const sim_graph *fwd, const uint32_t *stop_node, uint32_t n_stops,
                                   uint32_t max_ds, sim_transfer **out, size_t *n_out) {
    if (!fwd || (n_stops && !stop_node) || !out || !n_out) return SIM_EINVAL;
    *out = NULL;
    *n_out = 0;
    sim_status rc;
    uint32_t *at = stop_index(sim_graph_node_count(fwd), stop_node, n_stops, &rc);
    if (!at) return rc;
    hits *h = calloc(n_stops ? n_stops : 1, sizeof *h);
    if (!h) {
        free(at);
        return SIM_ENOMEM;
    }
    rc = search_all(fwd, stop_node, n_stops, at, 1, max_ds, h);
    size_t total = 0;
    for (uint32_t s = 0; !rc && s < n_stops; ++s) total += h[s].n;
    if (!rc && total) {
        sim_transfer *t = malloc(total * sizeof *t);
        if (!t) {
            rc = SIM_ENOMEM;
        } else {
            size_t k = 0;
            for (uint32_t s = 0; s < n_stops; ++s) {
                sort_hits(&h[s]);
                for (uint32_t i = 0; i < h[s].n; ++i)
                    t[k++] = (sim_transfer){s, h[s].id[i], h[s].walk_s[i]};
            }
            *out = t;
            *n_out = total;
        }
    }
    hits_free(h, n_stops);
    free(at);
    return rc;
}

void sim_egress_table_free(sim_egress_table *t) {
    if (!t) return;
    free(t->first);
    free(t->dest);
    free(t->walk_s);
    memset(t, 0, sizeof *t);
}

sim_raptor_egress sim_egress_table_view(const sim_egress_table *t) {
    sim_raptor_egress e = {t->n_stops, t->n_dest, t->first, t->dest, t->walk_s};
    return e;
}

sim_status sim_stoplinks_egress(const sim_graph *rev, const uint32_t *stop_node, uint32_t n_stops,
                                const uint32_t *dest_node, uint32_t n_dest, uint32_t max_ds,
                                sim_egress_table *out) {
    if (!rev || !out || (n_stops && !stop_node) || (n_dest && !dest_node)) return SIM_EINVAL;
    memset(out, 0, sizeof *out);
    sim_status rc;
    uint32_t *at = stop_index(sim_graph_node_count(rev), stop_node, n_stops, &rc);
    if (!at) return rc;
    hits *h = calloc(n_dest ? n_dest : 1, sizeof *h);
    out->first = calloc((size_t)n_stops + 1, sizeof *out->first);
    if (!h || !out->first) {
        rc = SIM_ENOMEM;
        goto done;
    }
    if ((rc = search_all(rev, dest_node, n_dest, at, 0, max_ds, h))) goto done;
    /* counting sort by stop; destinations arrive in ascending order within each stop */
    size_t total = 0;
    for (uint32_t d = 0; d < n_dest; ++d) {
        total += h[d].n;
        for (uint32_t i = 0; i < h[d].n; ++i) ++out->first[h[d].id[i] + 1];
    }
    if (total > UINT32_MAX) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (uint32_t s = 0; s < n_stops; ++s) out->first[s + 1] += out->first[s];
    out->dest = malloc((total ? total : 1) * sizeof *out->dest);
    out->walk_s = malloc((total ? total : 1) * sizeof *out->walk_s);
    uint32_t *fill = malloc(((size_t)n_stops + 1) * sizeof *fill);
    if (!out->dest || !out->walk_s || !fill) {
        free(fill);
        rc = SIM_ENOMEM;
        goto done;
    }
    memcpy(fill, out->first, (size_t)n_stops * sizeof *fill);
    for (uint32_t d = 0; d < n_dest; ++d)
        for (uint32_t i = 0; i < h[d].n; ++i) {
            uint32_t s = h[d].id[i], k = fill[s]++;
            out->dest[k] = d;
            out->walk_s[k] = h[d].walk_s[i];
        }
    free(fill);
    out->n_stops = n_stops;
    out->n_dest = n_dest;
done:
    hits_free(h, n_dest);
    free(at);
    if (rc) sim_egress_table_free(out);
    return rc;
}

uint32_t sim_stoplinks_access(const sim_graph *fwd, uint32_t origin_node, const uint32_t *stop_at_node,
                              uint32_t max_access_ds, uint32_t max_direct_ds,
                              const uint32_t *dest_node, uint32_t n_dest, sim_scratch *s,
                              sim_raptor_access *access, uint32_t *direct_ds, sim_status *rc) {
    *rc = SIM_OK;
    if (direct_ds)
        for (uint32_t d = 0; d < n_dest; ++d) direct_ds[d] = SIM_UNREACHABLE;
    if (origin_node == SIM_INVALID_ID) return 0;
    uint32_t bound = max_access_ds > max_direct_ds ? max_access_ds : max_direct_ds;
    if ((*rc = sim_search(fwd, &origin_node, NULL, 1, bound, s))) return 0;
    const uint32_t *nodes, *times;
    uint32_t ns = sim_scratch_settled(s, &nodes, &times), n = 0;
    for (uint32_t k = 0; k < ns && times[k] <= max_access_ds; ++k) {
        uint32_t st = stop_at_node[nodes[k]];
        if (st != SIM_INVALID_ID) access[n++] = (sim_raptor_access){st, sim_walk_s(times[k])};
    }
    if (direct_ds)
        for (uint32_t d = 0; d < n_dest; ++d) {
            if (dest_node[d] == SIM_INVALID_ID) continue;
            uint32_t t = sim_scratch_time(s, dest_node[d]);
            if (t != SIM_UNREACHABLE && t <= max_direct_ds) direct_ds[d] = t;
        }
    return n;
}
