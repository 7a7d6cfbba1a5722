#include "sim/route.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/*
 * Labels are 64-bit keys (time_ds << 32 | source index), so comparing two keys compares
 * (time, source index) lexicographically. Extending a path adds a non-negative time and keeps
 * the source, which preserves that order, so Dijkstra on these keys settles every node with the
 * lexicographic minimum over sources i of (offset_i + d(src_i, v), i): ties go to the lowest
 * source index whatever the order of arcs or heap pops.
 */
#define KEY_NONE UINT64_MAX
#define POS_NONE UINT32_MAX /* node not in the heap (never pushed, or already settled) */

static uint64_t key_make(uint32_t time_ds, uint32_t src) { return ((uint64_t)time_ds << 32) | src; }
static uint32_t key_time(uint64_t k) { return (uint32_t)(k >> 32); }
static uint32_t key_src(uint64_t k) { return (uint32_t)(k & UINT32_MAX); }

struct sim_scratch {
    uint32_t cap; /* largest node count this scratch serves */
    /* gen[v] == cur means key[v] and pos[v] belong to the current search; anything else is stale.
     * 16 bits keep the array small; the counter wraps every 65535 searches, when a full reset
     * (one memset, amortised to nothing) prevents a stale entry from looking current. */
    uint16_t cur;
    uint16_t *gen;
    uint64_t *key;  /* best label found so far */
    uint32_t *pos;  /* index in heap[], or POS_NONE */
    uint32_t *heap; /* 4-ary min-heap of node ids ordered by key[] */
    uint32_t size;  /* nodes in heap[] */
};

sim_scratch *sim_scratch_create(uint32_t n_nodes) {
    sim_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t n = n_nodes ? n_nodes : 1; /* never rely on what malloc(0) returns */
    s->cap = n_nodes;
    s->gen = calloc(n, sizeof *s->gen); /* all 0 == cur: nothing is current yet */
    s->key = malloc(n * sizeof *s->key);
    s->pos = malloc(n * sizeof *s->pos);
    s->heap = malloc(n * sizeof *s->heap);
    if (!s->gen || !s->key || !s->pos || !s->heap) {
        sim_scratch_destroy(s);
        return NULL;
    }
    return s;
}

void sim_scratch_destroy(sim_scratch *s) {
    if (!s) return;
    free(s->gen);
    free(s->key);
    free(s->pos);
    free(s->heap);
    free(s);
}

/* Starts a new search: every node becomes stale in O(1), except once per 65535 searches. */
static void scratch_begin(sim_scratch *s) {
    s->size = 0;
    if (++s->cur == 0) {
        memset(s->gen, 0, (s->cap ? s->cap : 1) * sizeof *s->gen);
        s->cur = 1;
    }
}

static void heap_sift_up(sim_scratch *s, uint32_t i) {
    uint32_t v = s->heap[i];
    uint64_t k = s->key[v];
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        uint32_t u = s->heap[p];
        if (s->key[u] <= k) break;
        s->heap[i] = u;
        s->pos[u] = i;
        i = p;
    }
    s->heap[i] = v;
    s->pos[v] = i;
}

static void heap_sift_down(sim_scratch *s, uint32_t i) {
    uint32_t v = s->heap[i];
    uint64_t k = s->key[v];
    for (;;) {
        uint64_t c = (uint64_t)i * 4 + 1; /* 64-bit: 4i+1 can exceed UINT32_MAX */
        if (c >= s->size) break;
        uint64_t end = c + 4 < s->size ? c + 4 : s->size;
        uint32_t best = (uint32_t)c;
        for (uint32_t j = best + 1; j < end; ++j)
            if (s->key[s->heap[j]] < s->key[s->heap[best]]) best = j;
        uint32_t u = s->heap[best];
        if (s->key[u] >= k) break;
        s->heap[i] = u;
        s->pos[u] = i;
        i = best;
    }
    s->heap[i] = v;
    s->pos[v] = i;
}

static uint32_t heap_pop(sim_scratch *s) {
    assert(s->size > 0);
    uint32_t top = s->heap[0];
    uint32_t last = s->heap[--s->size];
    s->pos[top] = POS_NONE;
    if (s->size > 0) {
        s->heap[0] = last;
        s->pos[last] = 0;
        heap_sift_down(s, 0);
    }
    return top;
}

/* Offers label k to node v: inserts v or decreases its key if k is lexicographically smaller. */
static void relax(sim_scratch *s, uint32_t v, uint64_t k) {
    if (s->gen[v] != s->cur) {
        s->gen[v] = s->cur;
        s->key[v] = KEY_NONE;
        s->pos[v] = POS_NONE;
    }
    if (k >= s->key[v]) return;
    /* A settled node (labelled, yet out of the heap) holds its minimum label already, so only
     * unsettled nodes get here; if the heap order were broken, this is where it would show. */
    assert(s->pos[v] != POS_NONE || s->key[v] == KEY_NONE);
    s->key[v] = k;
    if (s->pos[v] == POS_NONE) {
        s->pos[v] = s->size;
        s->heap[s->size++] = v;
    }
    heap_sift_up(s, s->pos[v]);
}

sim_status sim_route_multi(const sim_graph *g, const uint32_t *src_nodes,
                           const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                           sim_scratch *s, uint32_t *time_ds, uint32_t *nearest) {
    if (!g || !s || !time_ds || (n_src && !src_nodes)) return SIM_EINVAL;
    uint32_t n = sim_graph_node_count(g);
    if (s->cap < n) return SIM_EINVAL;
    for (uint32_t i = 0; i < n_src; ++i)
        if (src_nodes[i] >= n) return SIM_EINVAL;

    const uint32_t *first_out = sim_graph_first_out(g);
    const uint32_t *head = sim_graph_head(g);
    const uint32_t *arc_time = sim_graph_time_ds(g);
    /* SIM_UNREACHABLE is itself a uint32_t time, so the largest reachable time is one less.
     * Sums are formed in 64 bits and compared with this cutoff before narrowing: they never wrap,
     * and a label above the cutoff is never stored or pushed, so the heap only ever pops times
     * within the cutoff and the search stops when it runs dry. */
    uint64_t cutoff = cutoff_ds < SIM_UNREACHABLE ? cutoff_ds : SIM_UNREACHABLE - 1;

    for (uint32_t v = 0; v < n; ++v) time_ds[v] = SIM_UNREACHABLE;
    if (nearest)
        for (uint32_t v = 0; v < n; ++v) nearest[v] = SIM_INVALID_ID;

    scratch_begin(s);
    for (uint32_t i = 0; i < n_src; ++i) {
        uint32_t off = src_offset_ds ? src_offset_ds[i] : 0;
        if (off <= cutoff) relax(s, src_nodes[i], key_make(off, i));
    }
    while (s->size > 0) {
        uint32_t v = heap_pop(s);
        uint64_t k = s->key[v];
        uint32_t t = key_time(k);
        assert(t <= cutoff);
        time_ds[v] = t;
        if (nearest) nearest[v] = key_src(k);
        for (uint32_t a = first_out[v]; a < first_out[v + 1]; ++a) {
            uint64_t nt = (uint64_t)t + arc_time[a];
            if (nt <= cutoff) relax(s, head[a], key_make((uint32_t)nt, key_src(k)));
        }
    }
    return SIM_OK;
}

sim_status sim_route_from(const sim_graph *g, uint32_t origin, uint32_t cutoff_ds, sim_scratch *s,
                          uint32_t *time_ds) {
    return sim_route_multi(g, &origin, NULL, 1, cutoff_ds, s, time_ds, NULL);
}
