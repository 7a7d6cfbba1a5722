#include "sim/matrix.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/route.h"

/*
 * Rows are carried as 64-bit words (index << 32 | time_ds) while they are collected: the index
 * is the destination (forward) or the source (backward) and the other side is implied by the
 * search that produced them. Sorting such words by their high half sorts by that index.
 */

/* Forward chunks: many sources per chunk let the chunk's distinct nodes be searched in node order,
 * which on a locality-ordered graph (sim/order.h) keeps consecutive searches in warm cache: 1.4x
 * faster for 100 k randomly ordered sources at 16384 per chunk than at 256 (3 M-node grid). */
#define CHUNK_MIN 256u
#define CHUNK_MAX 16384u
#define CHUNK_ROW_BUDGET (1u << 24)              /* target rows per forward chunk (8 B each) */
#define AUTO_BACKWARD_MAX_ROWS ((size_t)1 << 25) /* AUTO falls back to forward above this */
#define AUTO_BACKWARD_RATIO 4u                   /* AUTO: backward if 4 * dst <= src nodes */
#define EMIT_ROWS 65536u                         /* rows per sink call, at most */
#define INSERTION_SORT_MAX 48u

static size_t auto_budget_rows = AUTO_BACKWARD_MAX_ROWS;

size_t sim__matrix_set_auto_budget(size_t rows) {
    size_t old = auto_budget_rows;
    auto_budget_rows = rows ? rows : AUTO_BACKWARD_MAX_ROWS;
    return old;
}

static int max_threads(void) {
#ifdef _OPENMP
    int t = omp_get_max_threads();
    return t > 0 ? t : 1;
#else
    return 1;
#endif
}

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* ---- small containers -------------------------------------------------------------------- */

typedef struct {
    uint64_t *v;
    size_t n, cap;
} u64vec;

/* Makes room for `extra` more words; 0 when out of memory. */
static int u64vec_reserve(u64vec *a, size_t extra) {
    if (a->cap - a->n >= extra) return 1;
    size_t cap = a->cap ? a->cap : 1024;
    while (cap - a->n < extra) {
        if (cap > SIZE_MAX / 2 / sizeof *a->v) return 0;
        cap *= 2;
    }
    uint64_t *v = realloc(a->v, cap * sizeof *v);
    if (!v) return 0;
    a->v = v;
    a->cap = cap;
    return 1;
}

/* Node -> the indices of the list items at that node, ascending (CSR). */
typedef struct {
    uint32_t *first; /* n_nodes + 1 */
    uint32_t *item;  /* n_items */
    uint32_t n_distinct;
} node_index;

static void node_index_free(node_index *ix) {
    free(ix->first);
    free(ix->item);
    memset(ix, 0, sizeof *ix);
}

static sim_status node_index_build(uint32_t n_nodes, const uint32_t *nodes, uint32_t n_items,
                                   node_index *ix) {
    memset(ix, 0, sizeof *ix);
    ix->first = calloc((size_t)n_nodes + 2, sizeof *ix->first);
    ix->item = malloc((n_items ? n_items : 1) * sizeof *ix->item);
    if (!ix->first || !ix->item) {
        node_index_free(ix);
        return SIM_ENOMEM;
    }
    /* Counting sort; scanning items in index order keeps each node's items ascending. */
    for (uint32_t i = 0; i < n_items; ++i) ++ix->first[nodes[i] + 2];
    for (uint32_t v = 0; v < n_nodes; ++v) {
        ix->n_distinct += ix->first[v + 2] != 0;
        ix->first[v + 2] += ix->first[v + 1];
    }
    for (uint32_t i = 0; i < n_items; ++i) ix->item[ix->first[nodes[i] + 1]++] = i;
    assert(ix->first[0] == 0 && ix->first[n_nodes] == n_items);
    return SIM_OK;
}

/* Sorts a[0..n) by the high 32 bits, which are distinct and below 2^bits (bits <= 32): LSD radix
 * sort with 8-bit digits through `tmp` (n slots), or insertion sort when short. */
static void sort_by_high(uint64_t *a, size_t n, uint64_t *tmp, unsigned bits) {
    if (n <= INSERTION_SORT_MAX) {
        for (size_t i = 1; i < n; ++i) {
            uint64_t x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > x; --j) a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = 32; shift < 32 + bits; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; ++i) ++count[((src[i] >> shift) & 0xff) + 1];
        for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
        for (size_t i = 0; i < n; ++i) dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}

static unsigned bits_for(uint32_t n) { /* bits needed for the values 0..n-1 */
    unsigned b = 0;
    while (b < 32 && ((uint64_t)1 << b) < n) ++b;
    return b;
}

/* ---- emission ---------------------------------------------------------------------------- */

typedef struct {
    sim_matrix_sink sink;
    void *ud;
    sim_od *buf; /* EMIT_ROWS */
    size_t n;
    uint64_t rows;
} emitter;

static sim_status emit_flush(emitter *e) {
    if (e->n == 0) return SIM_OK;
    sim_status rc = e->sink(e->ud, e->buf, e->n);
    e->rows += e->n;
    e->n = 0;
    return rc;
}

/* Emits rows (from, word >> 32, word's time) for words[0..n). */
static sim_status emit_words(emitter *e, uint32_t from, const uint64_t *words, size_t n) {
    for (size_t k = 0; k < n; ++k) {
        if (e->n == EMIT_ROWS) {
            sim_status rc = emit_flush(e);
            if (rc) return rc;
        }
        e->buf[e->n++] = (sim_od){from, (uint32_t)(words[k] >> 32), (uint32_t)words[k]};
    }
    return SIM_OK;
}

/* ---- per-thread workers ------------------------------------------------------------------ */

typedef struct {
    sim_scratch *s;
    u64vec rows; /* the rows of this thread's searches in the current batch, back to back */
    u64vec tmp;  /* sort buffer */
    uint64_t searches, settled;
    uint32_t max_settled;
    sim_status rc;
    int over_budget;
    char pad[64]; /* keeps the hot fields of neighbouring workers on different cache lines */
} worker;

/* Where the rows of one search are: worker w's rows.v[off .. off + n). */
typedef struct {
    uint32_t w;
    size_t off, n;
} result;

typedef struct {
    int n;
    worker *w;
} crew;

static void crew_free(crew *c) {
    if (!c->w) return;
    for (int t = 0; t < c->n; ++t) {
        sim_scratch_destroy(c->w[t].s);
        free(c->w[t].rows.v);
        free(c->w[t].tmp.v);
    }
    free(c->w);
    c->w = NULL;
}

static sim_status crew_init(crew *c, int n_threads, uint32_t n_nodes) {
    c->n = n_threads;
    c->w = calloc((size_t)n_threads, sizeof *c->w);
    if (!c->w) return SIM_ENOMEM;
    for (int t = 0; t < n_threads; ++t)
        if (!(c->w[t].s = sim_scratch_create(n_nodes))) return SIM_ENOMEM;
    return SIM_OK;
}

/* The first failure in thread order (each thread records at most its first). */
static sim_status crew_status(const crew *c) {
    for (int t = 0; t < c->n; ++t)
        if (c->w[t].rc) return c->w[t].rc;
    return SIM_OK;
}

/*
 * One search from `node` on `g`; appends a word (item << 32 | time) for every item of `ix` at a
 * settled node, sorted by item if `sort_bits` (the bits of the largest item) is non-zero, and
 * records where they are.
 */
static sim_status search_one(const sim_graph *g, uint32_t node, uint32_t cutoff_ds,
                             const node_index *ix, unsigned sort_bits, worker *wk, uint32_t wid,
                             result *res) {
    sim_status rc = sim_search(g, &node, NULL, 1, cutoff_ds, wk->s);
    if (rc) return rc;
    const uint32_t *nodes, *times;
    uint32_t n_settled = sim_scratch_settled(wk->s, &nodes, &times);
    ++wk->searches;
    wk->settled += n_settled;
    if (n_settled > wk->max_settled) wk->max_settled = n_settled;
    /* The row count stays in a local between reservations: workers sit side by side in memory,
     * and writing wk->rows.n per row would bounce that cache line between threads. */
    size_t start = wk->rows.n, end = start;
    const uint32_t *first = ix->first, *item = ix->item;
    for (uint32_t k = 0; k < n_settled; ++k) {
        uint32_t v = nodes[k];
        uint32_t a = first[v], b = first[v + 1];
        if (a == b) continue;
        if (wk->rows.cap - end < b - a) {
            wk->rows.n = end;
            if (!u64vec_reserve(&wk->rows, b - a)) return SIM_ENOMEM;
        }
        uint64_t t = times[k], *out = wk->rows.v;
        for (uint32_t p = a; p < b; ++p) out[end++] = (uint64_t)item[p] << 32 | t;
    }
    wk->rows.n = end;
    size_t n = end - start;
    if (sort_bits && n > 1) {
        wk->tmp.n = 0;
        if (n > INSERTION_SORT_MAX && !u64vec_reserve(&wk->tmp, n)) return SIM_ENOMEM;
        sort_by_high(wk->rows.v + start, n, wk->tmp.v, sort_bits);
    }
    *res = (result){wid, start, n};
    return SIM_OK;
}

/* Runs searches from nodes[0..n) on `g` in parallel; rows land in the workers, res[k] says where.
 * `budget` (0 = none) caps each worker's rows: exceeding it sets over_budget and stops. */
static void search_batch(const sim_graph *g, const uint32_t *nodes, uint32_t n, uint32_t cutoff_ds,
                         const node_index *ix, unsigned sort_bits, size_t budget, crew *c,
                         result *res) {
    int stop = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->n)
    for (int64_t k = 0; k < (int64_t)n; ++k) {
        int halt;
#pragma omp atomic read
        halt = stop;
        if (halt) continue; /* an error elsewhere: the rest is wasted work */
        int t = thread_id();
        worker *wk = &c->w[t];
        sim_status rc = search_one(g, nodes[k], cutoff_ds, ix, sort_bits, wk, (uint32_t)t, &res[k]);
        if (!rc && budget && wk->rows.n > budget) wk->over_budget = 1;
        if (rc && !wk->rc) wk->rc = rc;
        if (rc || wk->over_budget) {
#pragma omp atomic write
            stop = 1;
        }
    }
}

static void crew_reset_rows(crew *c) {
    for (int t = 0; t < c->n; ++t) c->w[t].rows.n = 0;
}

static void stats_add(sim_matrix_stats *st, const crew *c) {
    for (int t = 0; t < c->n; ++t) {
        st->searches += c->w[t].searches;
        st->settled += c->w[t].settled;
        if (c->w[t].max_settled > st->max_settled) st->max_settled = c->w[t].max_settled;
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ---- forward ------------------------------------------------------------------------------ */

static sim_status run_forward(const sim_graph *fwd, const uint32_t *src_nodes, uint32_t n_src,
                              const node_index *dix, uint32_t n_dst, uint32_t cutoff_ds,
                              emitter *em, sim_matrix_stats *st) {
    crew c = {0, NULL};
    uint64_t *pairs = malloc(CHUNK_MAX * sizeof *pairs);
    uint32_t *uniq = malloc(CHUNK_MAX * sizeof *uniq), *which = malloc(CHUNK_MAX * sizeof *which);
    result *res = malloc(CHUNK_MAX * sizeof *res);
    sim_status rc = (pairs && uniq && which && res) ? SIM_OK : SIM_ENOMEM;
    if (!rc) rc = crew_init(&c, max_threads(), sim_graph_node_count(fwd));
    unsigned bits = bits_for(n_dst);
    /* Rows per source: the worst case until a chunk has been seen, then twice the last chunk's
     * mean. Chunk sizes change only the batching, never the rows or their order. */
    uint64_t per_source = n_dst;
    uint32_t n = 0;
    for (uint32_t c0 = 0; c0 < n_src && !rc; c0 += n) {
        uint64_t chunk = CHUNK_ROW_BUDGET / (per_source ? per_source : 1);
        chunk = chunk < CHUNK_MIN ? CHUNK_MIN : chunk > CHUNK_MAX ? CHUNK_MAX : chunk;
        n = n_src - c0 < chunk ? n_src - c0 : (uint32_t)chunk;
        /* Distinct nodes of the chunk, in node order: one search each. */
        for (uint32_t i = 0; i < n; ++i) pairs[i] = (uint64_t)src_nodes[c0 + i] << 32 | i;
        qsort(pairs, n, sizeof *pairs, cmp_u64);
        uint32_t n_uniq = 0;
        for (uint32_t k = 0; k < n; ++k) {
            uint32_t node = (uint32_t)(pairs[k] >> 32);
            if (n_uniq == 0 || uniq[n_uniq - 1] != node) uniq[n_uniq++] = node;
            which[(uint32_t)pairs[k]] = n_uniq - 1;
        }
        crew_reset_rows(&c);
        search_batch(fwd, uniq, n_uniq, cutoff_ds, dix, bits, 0, &c, res);
        if ((rc = crew_status(&c))) break;
        uint64_t rows = 0;
        for (uint32_t i = 0; i < n && !rc; ++i) {
            const result *r = &res[which[i]];
            rc = emit_words(em, c0 + i, c.w[r->w].rows.v + r->off, r->n);
            rows += r->n;
        }
        per_source = 2 * (rows / n) + 1;
    }
    if (c.w) {
        stats_add(st, &c);
        st->threads = c.n;
    }
    crew_free(&c);
    free(pairs);
    free(uniq);
    free(which);
    free(res);
    return rc;
}

/* ---- backward ----------------------------------------------------------------------------- */

/* SIM_EINTERNAL here means "over the AUTO budget": the caller runs forward instead. */
static sim_status run_backward(const sim_graph *rev, const node_index *six, uint32_t n_src,
                               const node_index *dix, uint32_t n_dst, uint32_t cutoff_ds,
                               size_t budget, emitter *em, sim_matrix_stats *st) {
    uint32_t n_nodes = sim_graph_node_count(rev), n_uniq = dix->n_distinct;
    crew c = {0, NULL};
    uint32_t *uniq = malloc((n_uniq ? n_uniq : 1) * sizeof *uniq);
    uint32_t *which = malloc((n_dst ? n_dst : 1) * sizeof *which);
    result *res = malloc((n_uniq ? n_uniq : 1) * sizeof *res);
    size_t *cursor = calloc((size_t)n_src + 1, sizeof *cursor);
    uint64_t *out = NULL;
    sim_status rc = (uniq && which && res && cursor) ? SIM_OK : SIM_ENOMEM;
    if (!rc) rc = crew_init(&c, max_threads(), n_nodes);
    if (rc) goto done;
    /* Distinct destination nodes in node order, and each destination's search. */
    for (uint32_t v = 0, k = 0; v < n_nodes; ++v) {
        if (dix->first[v] == dix->first[v + 1]) continue;
        uniq[k] = v;
        for (uint32_t p = dix->first[v]; p < dix->first[v + 1]; ++p) which[dix->item[p]] = k;
        ++k;
    }
    search_batch(rev, uniq, n_uniq, cutoff_ds, six, 0, budget, &c, res);
    if ((rc = crew_status(&c))) goto done;
    for (int t = 0; t < c.n; ++t)
        if (c.w[t].over_budget) {
            rc = SIM_EINTERNAL;
            goto done;
        }
    /* Counting sort by source; scanning destinations in index order leaves each source's rows
     * sorted by destination. cursor[i + 1] counts, then becomes the start, then the end of i. */
    size_t total = 0;
    for (uint32_t j = 0; j < n_dst; ++j) {
        const result *r = &res[which[j]];
        const uint64_t *w = c.w[r->w].rows.v + r->off;
        for (size_t k = 0; k < r->n; ++k) ++cursor[(w[k] >> 32) + 1];
        total += r->n;
    }
    if (budget && total > budget) {
        rc = SIM_EINTERNAL;
        goto done;
    }
    for (uint32_t i = 0; i < n_src; ++i) cursor[i + 1] += cursor[i];
    if (!(out = malloc((total ? total : 1) * sizeof *out))) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (uint32_t j = 0; j < n_dst; ++j) {
        const result *r = &res[which[j]];
        const uint64_t *w = c.w[r->w].rows.v + r->off;
        for (size_t k = 0; k < r->n; ++k)
            out[cursor[w[k] >> 32]++] = (uint64_t)j << 32 | (uint32_t)w[k];
    }
    /* cursor[i] is now the end of source i's rows, and the start of source i + 1's. */
    for (uint32_t i = 0; i < n_src && !rc; ++i) {
        size_t begin = i ? cursor[i - 1] : 0;
        rc = emit_words(em, i, out + begin, cursor[i] - begin);
    }
done:
    if (c.w) {
        stats_add(st, &c);
        st->threads = c.n;
    }
    crew_free(&c);
    free(out);
    free(uniq);
    free(which);
    free(res);
    free(cursor);
    return rc;
}

/* ---- entry points -------------------------------------------------------------------------- */

static int nodes_in_range(const uint32_t *nodes, uint32_t n, uint32_t n_nodes) {
    for (uint32_t i = 0; i < n; ++i)
        if (nodes[i] >= n_nodes) return 0;
    return 1;
}

sim_status sim_matrix_run_stats(const sim_graph *fwd, const sim_graph *rev,
                                const uint32_t *src_nodes, uint32_t n_src,
                                const uint32_t *dst_nodes, uint32_t n_dst, uint32_t cutoff_ds,
                                sim_matrix_direction dir, sim_matrix_sink sink, void *ud,
                                sim_matrix_stats *stats) {
    sim_matrix_stats st;
    memset(&st, 0, sizeof st);
    st.direction = dir == SIM_MATRIX_BACKWARD ? SIM_MATRIX_BACKWARD : SIM_MATRIX_FORWARD;
    sim_status rc = SIM_OK;
    node_index six = {0}, dix = {0};
    emitter em = {sink, ud, NULL, 0, 0};
    const sim_graph *any = fwd ? fwd : rev;

    if (!sink || !any || (n_src && !src_nodes) || (n_dst && !dst_nodes) ||
        (dir == SIM_MATRIX_FORWARD && !fwd) || (dir == SIM_MATRIX_BACKWARD && !rev) ||
        (dir == SIM_MATRIX_AUTO && !fwd) ||
        (dir != SIM_MATRIX_AUTO && dir != SIM_MATRIX_FORWARD && dir != SIM_MATRIX_BACKWARD) ||
        (fwd && rev &&
         (sim_graph_node_count(fwd) != sim_graph_node_count(rev) ||
          sim_graph_arc_count(fwd) != sim_graph_arc_count(rev)))) {
        rc = SIM_EINVAL;
        goto done;
    }
    uint32_t n_nodes = sim_graph_node_count(any);
    if (!nodes_in_range(src_nodes, n_src, n_nodes) || !nodes_in_range(dst_nodes, n_dst, n_nodes)) {
        rc = SIM_EINVAL;
        goto done;
    }
    if (n_src == 0 || n_dst == 0) goto done; /* nothing to emit */
    if (!(em.buf = malloc(EMIT_ROWS * sizeof *em.buf))) {
        rc = SIM_ENOMEM;
        goto done;
    }
    if ((rc = node_index_build(n_nodes, dst_nodes, n_dst, &dix))) goto done;

    int backward = dir == SIM_MATRIX_BACKWARD;
    if (dir == SIM_MATRIX_AUTO && rev) {
        if ((rc = node_index_build(n_nodes, src_nodes, n_src, &six))) goto done;
        backward = (uint64_t)dix.n_distinct * AUTO_BACKWARD_RATIO <= six.n_distinct;
    }
    if (backward) {
        st.direction = SIM_MATRIX_BACKWARD;
        if (!six.first && (rc = node_index_build(n_nodes, src_nodes, n_src, &six))) goto done;
        size_t budget = dir == SIM_MATRIX_AUTO ? auto_budget_rows : 0;
        rc = run_backward(rev, &six, n_src, &dix, n_dst, cutoff_ds, budget, &em, &st);
        if (rc != SIM_EINTERNAL || !budget) goto flush;
        /* Over the AUTO budget before anything was emitted: run forward. */
        assert(em.rows == 0 && em.n == 0);
        st.fell_back = 1;
        node_index_free(&six);
    }
    st.direction = SIM_MATRIX_FORWARD;
    rc = run_forward(fwd, src_nodes, n_src, &dix, n_dst, cutoff_ds, &em, &st);
flush:
    if (!rc) rc = emit_flush(&em);
done:
    st.rows = em.rows;
    if (stats) *stats = st;
    free(em.buf);
    node_index_free(&six);
    node_index_free(&dix);
    return rc;
}

sim_status sim_matrix_run(const sim_graph *fwd, const sim_graph *rev, const uint32_t *src_nodes,
                          uint32_t n_src, const uint32_t *dst_nodes, uint32_t n_dst,
                          uint32_t cutoff_ds, sim_matrix_direction dir, sim_matrix_sink sink,
                          void *ud) {
    return sim_matrix_run_stats(fwd, rev, src_nodes, n_src, dst_nodes, n_dst, cutoff_ds, dir, sink,
                                ud, NULL);
}
