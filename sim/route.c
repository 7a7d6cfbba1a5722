#include "sim/route.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/*
 * Dijkstra with a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) on 32-bit times.
 *
 * The heap keeps entries (key, node) in 33 buckets relative to `last`, the key of the latest
 * pop: bucket 0 holds keys equal to `last`, bucket b >= 1 keys whose highest bit differing from
 * `last` is bit b - 1. Dijkstra's keys never go below `last`, so when bucket 0 runs dry the
 * lowest non-empty bucket b holds the next minimum; making it the new `last` sends every entry of
 * b to a bucket below b. Each entry therefore moves at most 32 times, with sequential memory
 * access, and no per-node position array is needed: a decreased key is pushed again and the old
 * entry is dropped when met (lazy deletion). On road-like graphs this beat a 4-ary heap with
 * decrease-key; the measurement is in docs/PERFORMANCE.md.
 *
 * Tie-breaking by source index (sim_route_multi's `nearest`) is kept out of the keys so that the
 * hot time-only search stays on 32-bit keys. Instead each label carries its source index and,
 * among equal times, the lowest index wins. With positive arc times every tight predecessor is
 * settled before its successor, so the successor sees its final index. Zero-time arcs can tie a
 * node with an already settled one; then an improved index re-queues the settled node at the
 * current key (allowed: it equals `last`) so that it passes the index on. Each re-queue strictly
 * lowers an index, so this terminates, and at the end every tight arc u->v has
 * index(v) <= index(u): the lexicographic minimum of (time, source index) over sources.
 */

#define N_BUCKETS 33
#define BUCKET_MIN_CAP 64u

typedef struct {
    uint32_t time_ds; /* tentative or final time; meaningful only when gen is current */
    uint16_t gen;     /* == cur: labelled in this search; == cur + 1: settled; else stale */
    uint16_t unused;  /* pads to 8 bytes: one label, one cache access */
} label;

typedef struct {
    uint32_t key, node;
} entry;

typedef struct {
    entry *e;
    uint32_t size, cap;
} bucket;

struct sim_scratch {
    uint32_t cap; /* largest node count this scratch serves */
    /* Generation counter: steps by 2 (even values), so that cur + 1 can mark "settled" in the
     * same 16 bits. It wraps every 32767 searches, when one reset of every label (amortised to
     * nothing) prevents a stale generation from looking current. */
    uint16_t cur;
    label *lab;    /* cap labels */
    uint32_t *src; /* cap: source index of each label, for sim_route_multi's `nearest` */
    uint32_t *settled_node, *settled_time; /* settle order of the last sim_search() */
    uint32_t n_settled;
    /* radix heap */
    uint32_t last;     /* key of the latest pop; every queued key is >= last */
    uint64_t nonempty; /* bit b set iff bucket[b] (b >= 1) may hold entries */
    bucket bucket[N_BUCKETS];
};

sim_scratch *sim_scratch_create(uint32_t n_nodes) {
    sim_scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t n = n_nodes ? n_nodes : 1; /* never rely on what malloc(0) returns */
    s->cap = n_nodes;
    s->lab = calloc(n, sizeof *s->lab); /* gen 0 is never current: cur starts at 2 */
    s->src = malloc(n * sizeof *s->src);
    s->settled_node = malloc(n * sizeof *s->settled_node);
    s->settled_time = malloc(n * sizeof *s->settled_time);
    int ok = s->lab && s->src && s->settled_node && s->settled_time;
    for (int b = 0; b < N_BUCKETS && ok; ++b) {
        s->bucket[b].e = malloc(BUCKET_MIN_CAP * sizeof *s->bucket[b].e);
        s->bucket[b].cap = BUCKET_MIN_CAP;
        ok = s->bucket[b].e != NULL;
    }
    if (!ok) {
        sim_scratch_destroy(s);
        return NULL;
    }
    return s;
}

void sim_scratch_destroy(sim_scratch *s) {
    if (!s) return;
    free(s->lab);
    free(s->src);
    free(s->settled_node);
    free(s->settled_time);
    for (int b = 0; b < N_BUCKETS; ++b) free(s->bucket[b].e);
    free(s);
}

/* Starts a new search: every label becomes stale in O(1), except once per 32767 searches. */
static void scratch_begin(sim_scratch *s) {
    s->cur = (uint16_t)(s->cur + 2);
    if (s->cur == 0) {
        memset(s->lab, 0, (s->cap ? s->cap : 1) * sizeof *s->lab);
        s->cur = 2;
    }
    s->n_settled = 0;
    s->last = 0;
    s->nonempty = 0;
    for (int b = 0; b < N_BUCKETS; ++b) s->bucket[b].size = 0; /* an aborted search leaves some */
}

static unsigned bucket_of(uint32_t key, uint32_t last) {
    assert(key >= last);
    uint32_t x = key ^ last;
#if defined(__GNUC__)
    return x ? 32u - (unsigned)__builtin_clz(x) : 0u;
#else
    unsigned b = 0;
    while (x) {
        ++b;
        x >>= 1;
    }
    return b;
#endif
}

static unsigned lowest_bit(uint64_t x) {
    assert(x);
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned b = 0;
    while (!(x & 1)) {
        ++b;
        x >>= 1;
    }
    return b;
#endif
}

#if defined(__GNUC__)
#define SIM_INLINE static inline __attribute__((always_inline))
#define SIM_COLD static __attribute__((noinline, cold))
#else
#define SIM_INLINE static inline
#define SIM_COLD static
#endif

/* Doubles bucket b's capacity. Only the first searches on a scratch get here: capacity is kept. */
SIM_COLD int bucket_grow(bucket *bk) {
    if (bk->cap > UINT32_MAX / 2) return 0;
    uint32_t cap = bk->cap * 2;
    entry *e = realloc(bk->e, (size_t)cap * sizeof *e);
    if (!e) return 0;
    bk->e = e;
    bk->cap = cap;
    return 1;
}

/* Queues (key, node); 0 when out of memory. */
SIM_INLINE int heap_push(sim_scratch *s, uint32_t key, uint32_t node) {
    unsigned b = bucket_of(key, s->last);
    bucket *bk = &s->bucket[b];
    if (bk->size == bk->cap && !bucket_grow(bk)) return 0;
    bk->e[bk->size++] = (entry){key, node};
    s->nonempty |= (uint64_t)1 << b;
    return 1;
}

/* An entry is live if its node is labelled (not settled) in this search with exactly its key.
 * Older entries of a node whose key has since decreased, and entries of settled nodes, are dead.
 * Dropping them at each redistribution keeps the buckets small; it measured as fast as carrying
 * them down to bucket 0 (the labels read here are mostly in cache: they were just written). */
static int entry_live(const sim_scratch *s, entry x) {
    label l = s->lab[x.node];
    return l.gen == s->cur && l.time_ds == x.key;
}

/* Refills bucket 0 from the lowest non-empty bucket: 1, or 0 when the heap is empty, or -1 when
 * out of memory. */
static int heap_refill(sim_scratch *s) {
    assert(s->bucket[0].size == 0);
    while (s->nonempty) {
        unsigned b = lowest_bit(s->nonempty);
        s->nonempty &= ~((uint64_t)1 << b);
        bucket *bk = &s->bucket[b];
        /* Drop dead entries and find the minimum of the live ones. */
        uint32_t live = 0, min = UINT32_MAX;
        for (uint32_t i = 0; i < bk->size; ++i) {
            entry x = bk->e[i];
            if (!entry_live(s, x)) continue;
            if (x.key < min) min = x.key;
            bk->e[live++] = x;
        }
        bk->size = 0;
        if (!live) continue;
        /* Every live key k in bucket b agrees with `last` above bit b - 1 and is >= min, so it
         * agrees with min above bit b - 1 as well: it lands in a bucket below b, whose capacity
         * may have to grow. */
        s->last = min;
        for (uint32_t i = 0; i < live; ++i) {
            entry x = bk->e[i];
            unsigned c = bucket_of(x.key, min);
            assert(c < b);
            bucket *to = &s->bucket[c];
            /* Out of memory abandons the search; the next scratch_begin() empties the buckets. */
            if (to->size == to->cap && !bucket_grow(to)) return -1;
            to->e[to->size++] = x;
            if (c) s->nonempty |= (uint64_t)1 << c;
        }
        return 1;
    }
    return 0;
}

/*
 * The search kernel. With `track` == 0 it records settled nodes in the settled list (times
 * only). With `track` != 0 it maintains source indices and writes time_out[v] and near_out[v]
 * each time v is settled (a zero-time tie may settle v again with a lower index).
 * Arguments are checked by the callers.
 */
SIM_INLINE sim_status search_run(const sim_graph *g, const uint32_t *src_nodes,
                                 const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                                 sim_scratch *s, int track, uint32_t *time_out,
                                 uint32_t *near_out) {
    const uint32_t *first_out = sim_graph_first_out(g);
    const uint32_t *head = sim_graph_head(g);
    const uint32_t *arc_time = sim_graph_time_ds(g);
    /* SIM_UNREACHABLE is itself a uint32_t time, so the largest reachable time is one less.
     * Sums are formed in 64 bits and compared with this cutoff before narrowing: they never wrap,
     * and a label above the cutoff is never stored or queued, so the search stops when the heap
     * runs dry. */
    uint64_t cutoff = cutoff_ds < SIM_UNREACHABLE ? cutoff_ds : SIM_UNREACHABLE - 1;
    label *lab = s->lab;
    uint32_t *srcof = s->src;
    /* Local copies: stores through the uint32_t arrays could otherwise alias these counters. */
    uint32_t *settled_node = s->settled_node, *settled_time = s->settled_time;
    uint32_t n_settled = 0;

    scratch_begin(s);
    const uint16_t cur = s->cur, done = (uint16_t)(cur + 1);
    for (uint32_t i = 0; i < n_src; ++i) {
        uint32_t v = src_nodes[i];
        uint32_t off = src_offset_ds ? src_offset_ds[i] : 0;
        if (off > cutoff) continue;
        label *l = &lab[v];
        /* Another source already starts here: the lower offset wins, then the lower index,
         * which is the earlier one since sources are taken in index order. */
        if (l->gen == cur && off >= l->time_ds) continue;
        l->gen = cur;
        l->time_ds = off;
        srcof[v] = i;
        if (!heap_push(s, off, v)) return SIM_ENOMEM;
    }

    bucket *b0 = &s->bucket[0];
    for (;;) {
        if (b0->size == 0) {
            int r = heap_refill(s);
            if (r == 0) break;
            if (r < 0) goto nomem;
        }
        entry x = b0->e[--b0->size];
#if defined(__GNUC__)
        /* Prefetch the next pop's label and arcs: their cache misses overlap with this node's. */
        if (b0->size) {
            uint32_t nx = b0->e[b0->size - 1].node;
            __builtin_prefetch(&lab[nx]);
            __builtin_prefetch(&first_out[nx]);
        }
#endif
        uint32_t v = x.node;
        label *lv = &lab[v];
        if (lv->gen != cur || lv->time_ds != x.key) continue; /* dead entry */
        lv->gen = done;
        uint32_t t = x.key;
        uint32_t sv = 0;
        if (track) {
            sv = srcof[v];
            time_out[v] = t;
            near_out[v] = sv;
        } else {
            settled_node[n_settled] = v;
            settled_time[n_settled] = t;
            ++n_settled;
        }
        for (uint32_t a = first_out[v], end = first_out[v + 1]; a < end; ++a) {
            uint64_t nt64 = (uint64_t)t + arc_time[a];
            if (nt64 > cutoff) continue;
            uint32_t nt = (uint32_t)nt64, w = head[a];
            label *lw = &lab[w];
            if (lw->gen == cur) {
                if (nt >= lw->time_ds) {
                    if (track && nt == lw->time_ds && sv < srcof[w]) srcof[w] = sv;
                    continue;
                }
            } else if (lw->gen == done) {
                /* Settled: only a zero-time tie with a lower index matters (see top). */
                if (track && nt == lw->time_ds && sv < srcof[w]) {
                    srcof[w] = sv;
                    lw->gen = cur;
                    if (!heap_push(s, nt, w)) goto nomem;
                }
                continue;
            } else {
                lw->gen = cur;
            }
            lw->time_ds = nt;
            if (track) srcof[w] = sv;
            if (!heap_push(s, nt, w)) goto nomem;
        }
    }
    s->n_settled = n_settled;
    return SIM_OK;
nomem:
    s->n_settled = n_settled;
    return SIM_ENOMEM;
}

/* The two instances of the kernel, so that each compiles without the other's branches. */
static sim_status search_times(const sim_graph *g, const uint32_t *src_nodes,
                               const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                               sim_scratch *s) {
    return search_run(g, src_nodes, src_offset_ds, n_src, cutoff_ds, s, 0, NULL, NULL);
}

static sim_status search_nearest(const sim_graph *g, const uint32_t *src_nodes,
                                 const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                                 sim_scratch *s, uint32_t *time_out, uint32_t *near_out) {
    return search_run(g, src_nodes, src_offset_ds, n_src, cutoff_ds, s, 1, time_out, near_out);
}

static sim_status check_query(const sim_graph *g, const uint32_t *src_nodes, uint32_t n_src,
                              const sim_scratch *s) {
    if (!g || !s || (n_src && !src_nodes)) return SIM_EINVAL;
    uint32_t n = sim_graph_node_count(g);
    if (s->cap < n) return SIM_EINVAL;
    for (uint32_t i = 0; i < n_src; ++i)
        if (src_nodes[i] >= n) return SIM_EINVAL;
    return SIM_OK;
}

sim_status sim_search(const sim_graph *g, const uint32_t *src_nodes, const uint32_t *src_offset_ds,
                      uint32_t n_src, uint32_t cutoff_ds, sim_scratch *s) {
    sim_status rc = check_query(g, src_nodes, n_src, s);
    if (rc) {
        if (s) scratch_begin(s); /* an empty result, not the previous search's */
        return rc;
    }
    return search_times(g, src_nodes, src_offset_ds, n_src, cutoff_ds, s);
}

uint32_t sim_scratch_settled(const sim_scratch *s, const uint32_t **nodes,
                             const uint32_t **times_ds) {
    assert(s);
    if (nodes) *nodes = s->settled_node;
    if (times_ds) *times_ds = s->settled_time;
    return s->n_settled;
}

uint32_t sim_scratch_time(const sim_scratch *s, uint32_t v) {
    assert(s);
    if (v >= s->cap || s->lab[v].gen != (uint16_t)(s->cur + 1)) return SIM_UNREACHABLE;
    return s->lab[v].time_ds;
}

sim_status sim_route_multi(const sim_graph *g, const uint32_t *src_nodes,
                           const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                           sim_scratch *s, uint32_t *time_ds, uint32_t *nearest) {
    sim_status rc = check_query(g, src_nodes, n_src, s);
    if (rc || !time_ds) return rc ? rc : SIM_EINVAL;
    uint32_t n = sim_graph_node_count(g);
    for (uint32_t v = 0; v < n; ++v) time_ds[v] = SIM_UNREACHABLE;
    if (nearest) {
        for (uint32_t v = 0; v < n; ++v) nearest[v] = SIM_INVALID_ID;
        rc = search_nearest(g, src_nodes, src_offset_ds, n_src, cutoff_ds, s, time_ds, nearest);
        s->n_settled = 0; /* the settled list is not kept by this form */
        return rc;
    }
    rc = search_times(g, src_nodes, src_offset_ds, n_src, cutoff_ds, s);
    for (uint32_t k = 0; k < s->n_settled; ++k) time_ds[s->settled_node[k]] = s->settled_time[k];
    return rc;
}

sim_status sim_route_from(const sim_graph *g, uint32_t origin, uint32_t cutoff_ds, sim_scratch *s,
                          uint32_t *time_ds) {
    return sim_route_multi(g, &origin, NULL, 1, cutoff_ds, s, time_ds, NULL);
}
