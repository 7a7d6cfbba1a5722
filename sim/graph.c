#include "sim/graph.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct sim_graph {
    uint32_t n_nodes, n_arcs;
    uint32_t *first_out; /* n_nodes + 1; [0] == 0, [n_nodes] == n_arcs, non-decreasing */
    uint32_t *head;      /* n_arcs: target node of each arc */
    uint32_t *time_ds;   /* n_arcs: traversal time of each arc, deciseconds */
};

/* Allocates a graph with zeroed first_out. Arrays get at least one slot so that an empty graph
 * still has valid (non-NULL) pointers and malloc(0) never has to be interpreted. */
static sim_graph *graph_alloc(uint32_t n_nodes, uint32_t n_arcs) {
    sim_graph *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    size_t m = n_arcs ? n_arcs : 1;
    g->n_nodes = n_nodes;
    g->n_arcs = n_arcs;
    g->first_out = calloc((size_t)n_nodes + 1, sizeof *g->first_out);
    g->head = malloc(m * sizeof *g->head);
    g->time_ds = malloc(m * sizeof *g->time_ds);
    if (!g->first_out || !g->head || !g->time_ds) {
        sim_graph_destroy(g);
        return NULL;
    }
    return g;
}

/* Counting sort, step 1: g->first_out[v] holds the out-degree of v on entry (first_out[n] == 0);
 * an exclusive prefix sum turns it into first_out[v] = start of v's arcs for every v in 0..n. */
static void degrees_to_starts(sim_graph *g) {
    uint32_t sum = 0;
    for (size_t v = 0; v <= g->n_nodes; ++v) {
        uint32_t deg = g->first_out[v];
        g->first_out[v] = sum;
        sum += deg;
    }
    assert(sum == g->n_arcs);
}

/* Counting sort, step 3: placing arcs with first_out[from]++ left first_out[v] == start(v + 1),
 * i.e. everything shifted one slot to the left; shift it back. Avoids a separate cursor array. */
static void restore_starts(sim_graph *g) {
    for (size_t v = g->n_nodes; v > 0; --v) g->first_out[v] = g->first_out[v - 1];
    g->first_out[0] = 0;
}

sim_status sim_graph_build(uint32_t n_nodes, const sim_arc *arcs, size_t n_arcs, sim_graph **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    if (n_arcs > (size_t)UINT32_MAX - 1 || (n_arcs && !arcs)) return SIM_EINVAL;
    for (size_t i = 0; i < n_arcs; ++i)
        if (arcs[i].from >= n_nodes || arcs[i].to >= n_nodes) return SIM_EINVAL;

    sim_graph *g = graph_alloc(n_nodes, (uint32_t)n_arcs);
    if (!g) return SIM_ENOMEM;
    for (size_t i = 0; i < n_arcs; ++i) ++g->first_out[arcs[i].from];
    degrees_to_starts(g);
    /* Scanning the input in order keeps arcs leaving one node in input order (stable). */
    for (size_t i = 0; i < n_arcs; ++i) {
        uint32_t a = g->first_out[arcs[i].from]++;
        g->head[a] = arcs[i].to;
        g->time_ds[a] = arcs[i].time_ds;
    }
    restore_starts(g);
    assert(sim_graph_validate(g) == SIM_OK);
    *out = g;
    return SIM_OK;
}

sim_status sim_graph_reverse(const sim_graph *g, sim_graph **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    if (!g) return SIM_EINVAL;
    sim_graph *r = graph_alloc(g->n_nodes, g->n_arcs);
    if (!r) return SIM_ENOMEM;
    for (uint32_t a = 0; a < g->n_arcs; ++a) ++r->first_out[g->head[a]];
    degrees_to_starts(r);
    /* Scanning g in CSR order orders the arcs of each reverse node by their head in r (g's
     * tail), then by g's arc order: a pure function of g. Reversing twice therefore gives g with
     * each node's arcs stably sorted by head. */
    for (uint32_t v = 0; v < g->n_nodes; ++v) {
        for (uint32_t a = g->first_out[v]; a < g->first_out[v + 1]; ++a) {
            uint32_t b = r->first_out[g->head[a]]++;
            r->head[b] = v;
            r->time_ds[b] = g->time_ds[a];
        }
    }
    restore_starts(r);
    assert(sim_graph_validate(r) == SIM_OK);
    *out = r;
    return SIM_OK;
}

sim_status sim_graph_permute(const sim_graph *g, const uint32_t *new_of_old, sim_graph **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    if (!g || (g->n_nodes && !new_of_old)) return SIM_EINVAL;
    uint32_t n = g->n_nodes;
    /* old_of_new doubles as the permutation check: each new id must be hit exactly once. */
    uint32_t *old_of_new = malloc((n ? n : 1) * sizeof *old_of_new);
    if (!old_of_new) return SIM_ENOMEM;
    for (uint32_t u = 0; u < n; ++u) old_of_new[u] = UINT32_MAX;
    for (uint32_t v = 0; v < n; ++v) {
        uint32_t u = new_of_old[v];
        if (u >= n || old_of_new[u] != UINT32_MAX) {
            free(old_of_new);
            return SIM_EINVAL;
        }
        old_of_new[u] = v;
    }
    sim_graph *r = graph_alloc(n, g->n_arcs);
    if (!r) {
        free(old_of_new);
        return SIM_ENOMEM;
    }
    /* Walking new ids in order writes the arc arrays sequentially; reads of g jump around. */
    uint32_t a_out = 0;
    for (uint32_t u = 0; u < n; ++u) {
        uint32_t v = old_of_new[u];
        r->first_out[u] = a_out;
        for (uint32_t a = g->first_out[v]; a < g->first_out[v + 1]; ++a, ++a_out) {
            r->head[a_out] = new_of_old[g->head[a]];
            r->time_ds[a_out] = g->time_ds[a];
        }
    }
    r->first_out[n] = a_out;
    free(old_of_new);
    assert(sim_graph_validate(r) == SIM_OK);
    *out = r;
    return SIM_OK;
}

sim_status sim_graph_copy(const sim_graph *g, sim_graph **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    if (!g) return SIM_EINVAL;
    sim_graph *c = graph_alloc(g->n_nodes, g->n_arcs);
    if (!c) return SIM_ENOMEM;
    memcpy(c->first_out, g->first_out, ((size_t)g->n_nodes + 1) * sizeof *c->first_out);
    if (g->n_arcs) {
        memcpy(c->head, g->head, (size_t)g->n_arcs * sizeof *c->head);
        memcpy(c->time_ds, g->time_ds, (size_t)g->n_arcs * sizeof *c->time_ds);
    }
    assert(sim_graph_validate(c) == SIM_OK);
    *out = c;
    return SIM_OK;
}

sim_status sim_graph_set_times(sim_graph *g, const uint32_t *time_ds) {
    if (!g || (g->n_arcs && !time_ds)) return SIM_EINVAL;
    if (g->n_arcs) memcpy(g->time_ds, time_ds, (size_t)g->n_arcs * sizeof *g->time_ds);
    return SIM_OK;
}

void sim_graph_destroy(sim_graph *g) {
    if (!g) return;
    free(g->first_out);
    free(g->head);
    free(g->time_ds);
    free(g);
}

uint32_t sim_graph_node_count(const sim_graph *g) {
    assert(g);
    return g->n_nodes;
}

uint32_t sim_graph_arc_count(const sim_graph *g) {
    assert(g);
    return g->n_arcs;
}

const uint32_t *sim_graph_first_out(const sim_graph *g) {
    assert(g);
    return g->first_out;
}

const uint32_t *sim_graph_head(const sim_graph *g) {
    assert(g);
    return g->head;
}

const uint32_t *sim_graph_time_ds(const sim_graph *g) {
    assert(g);
    return g->time_ds;
}

sim_status sim_graph_validate(const sim_graph *g) {
    /* A NULL graph is not a valid graph; report it within the documented codes. */
    if (!g || !g->first_out || !g->head || !g->time_ds) return SIM_EINTERNAL;
    if (g->n_arcs == UINT32_MAX) return SIM_EINTERNAL;
    if (g->first_out[0] != 0 || g->first_out[g->n_nodes] != g->n_arcs) return SIM_EINTERNAL;
    for (uint32_t v = 0; v < g->n_nodes; ++v)
        if (g->first_out[v] > g->first_out[v + 1]) return SIM_EINTERNAL;
    for (uint32_t a = 0; a < g->n_arcs; ++a)
        if (g->head[a] >= g->n_nodes) return SIM_EINTERNAL;
    return SIM_OK;
}
