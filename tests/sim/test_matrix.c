/* Unit tests for sim/matrix.c: hand cases, sink contract, then FORWARD == BACKWARD == AUTO ==
 * a naive Dijkstra on random graphs, at 1 and 2 threads. */
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "fixture.h"
#include "reference.h"
#include "sim/graph.h"
#include "sim/matrix.h"
#include "sim/route.h"

static void set_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

/* ---- a collecting sink -------------------------------------------------------------------- */

typedef struct {
    sim_od *rows;
    size_t n, cap;
    int calls;
    int fail_at_call; /* 1-based call that returns fail_rc; 0 = never */
    sim_status fail_rc;
    int out_of_order;     /* rows not strictly increasing in (from, to), across calls */
    size_t max_call_rows; /* largest batch seen */
} collector;

static sim_status collect(void *ud, const sim_od *rows, size_t n_rows) {
    collector *c = ud;
    ++c->calls;
    if (n_rows == 0) c->out_of_order = 1; /* empty calls are not part of the contract */
    if (n_rows > c->max_call_rows) c->max_call_rows = n_rows;
    if (c->n + n_rows > c->cap) {
        size_t cap = c->cap ? c->cap : 64;
        while (cap < c->n + n_rows) cap *= 2;
        sim_od *r = realloc(c->rows, cap * sizeof *r);
        if (!r) return SIM_ENOMEM;
        c->rows = r;
        c->cap = cap;
    }
    for (size_t k = 0; k < n_rows; ++k) {
        if (c->n > 0) {
            const sim_od *p = &c->rows[c->n - 1];
            if (rows[k].from < p->from || (rows[k].from == p->from && rows[k].to <= p->to))
                c->out_of_order = 1;
        }
        c->rows[c->n++] = rows[k];
    }
    return c->calls == c->fail_at_call ? c->fail_rc : SIM_OK;
}

static void collector_reset(collector *c) {
    free(c->rows);
    *c = (collector){0};
}

static int same_rows(const collector *a, const sim_od *b, size_t nb) {
    if (a->n != nb) return 0;
    for (size_t k = 0; k < nb; ++k)
        if (a->rows[k].from != b[k].from || a->rows[k].to != b[k].to ||
            a->rows[k].time_ds != b[k].time_ds)
            return 0;
    return 1;
}

static void check_rows(const collector *c, const sim_od *want, size_t n) {
    CHECK_EQ_INT(c->n, n);
    CHECK(!c->out_of_order);
    for (size_t k = 0; k < n && k < c->n; ++k) {
        CHECK_EQ_U32(c->rows[k].from, want[k].from);
        CHECK_EQ_U32(c->rows[k].to, want[k].to);
        CHECK_EQ_U32(c->rows[k].time_ds, want[k].time_ds);
    }
}

/* ---- hand cases ------------------------------------------------------------------------- */

/* 0>1>2>0 cycle, 1<>3 both ways, a slow 0>3. d(0,.) = {0, 10, 20, 17}; d(3,.) = {22, 7, 17, 0}. */
static const char HAND[] = "0>1:10 1>2:10 2>0:5 1>3:7 3>1:7 0>3:30";

static void test_matrix_hand_case(void) {
    sim_graph *g = fixture_graph(HAND), *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    const uint32_t src[] = {0, 3, 0}, dst[] = {1, 0, 3, 2};
    const sim_od want20[] = {{0, 0, 10}, {0, 1, 0},  {0, 2, 17}, {0, 3, 20}, {1, 0, 7}, {1, 2, 0},
                             {1, 3, 17}, {2, 0, 10}, {2, 1, 0},  {2, 2, 17}, {2, 3, 20}};
    const sim_od want19[] = {{0, 0, 10}, {0, 1, 0},  {0, 2, 17}, {1, 0, 7}, {1, 2, 0},
                             {1, 3, 17}, {2, 0, 10}, {2, 1, 0},  {2, 2, 17}};
    const sim_matrix_direction dirs[] = {SIM_MATRIX_FORWARD, SIM_MATRIX_BACKWARD, SIM_MATRIX_AUTO};
    for (int d = 0; d < 3; ++d) {
        collector c = {0};
        sim_matrix_stats st;
        /* Cutoff 20 is inclusive: 0 -> node 2 at exactly 20 is in, at 19 it is out. */
        CHECK_EQ_INT(sim_matrix_run_stats(g, r, src, 3, dst, 4, 20, dirs[d], collect, &c, &st),
                     SIM_OK);
        check_rows(&c, want20, sizeof want20 / sizeof *want20);
        CHECK_EQ_INT(c.calls, 1);
        CHECK_EQ_INT(st.rows, 11);
        /* Forward: two distinct source nodes; backward: four destination nodes. */
        CHECK_EQ_INT(st.direction,
                     dirs[d] == SIM_MATRIX_BACKWARD ? SIM_MATRIX_BACKWARD : SIM_MATRIX_FORWARD);
        CHECK_EQ_INT(st.searches, dirs[d] == SIM_MATRIX_BACKWARD ? 4 : 2);
        CHECK(st.threads >= 1);
        collector_reset(&c);
        CHECK_EQ_INT(sim_matrix_run(g, r, src, 3, dst, 4, 19, dirs[d], collect, &c), SIM_OK);
        check_rows(&c, want19, sizeof want19 / sizeof *want19);
        collector_reset(&c);
        /* Cutoff 0: only pairs on the same node. */
        CHECK_EQ_INT(sim_matrix_run(g, r, src, 3, dst, 4, 0, dirs[d], collect, &c), SIM_OK);
        check_rows(&c, (const sim_od[]){{0, 1, 0}, {1, 2, 0}, {2, 1, 0}}, 3);
        collector_reset(&c);
    }
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

static void test_matrix_auto_rule(void) {
    sim_graph *g = fixture_graph(HAND), *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    collector c = {0};
    sim_matrix_stats st;
    /* 4 distinct source nodes, 1 destination node: 1 * 4 <= 4, backward. */
    const uint32_t src[] = {0, 1, 2, 3, 3}, dst[] = {2, 2};
    CHECK_EQ_INT(
        sim_matrix_run_stats(g, r, src, 5, dst, 2, UINT32_MAX, SIM_MATRIX_AUTO, collect, &c, &st),
        SIM_OK);
    CHECK_EQ_INT(st.direction, SIM_MATRIX_BACKWARD);
    CHECK_EQ_INT(st.searches, 1);
    CHECK_EQ_INT(st.fell_back, 0);
    const sim_od want[] = {{0, 0, 20}, {0, 1, 20}, {1, 0, 10}, {1, 1, 10}, {2, 0, 0},
                           {2, 1, 0},  {3, 0, 17}, {3, 1, 17}, {4, 0, 17}, {4, 1, 17}};
    check_rows(&c, want, 10);
    collector_reset(&c);
    /* Without `rev` AUTO stays forward. */
    CHECK_EQ_INT(sim_matrix_run_stats(g, NULL, src, 5, dst, 2, UINT32_MAX, SIM_MATRIX_AUTO, collect,
                                      &c, &st),
                 SIM_OK);
    CHECK_EQ_INT(st.direction, SIM_MATRIX_FORWARD);
    CHECK_EQ_INT(st.searches, 4);
    check_rows(&c, want, 10);
    collector_reset(&c);
    /* 3 source nodes (not >= 4 * 1): forward. */
    CHECK_EQ_INT(
        sim_matrix_run_stats(g, r, src, 3, dst, 2, UINT32_MAX, SIM_MATRIX_AUTO, collect, &c, &st),
        SIM_OK);
    CHECK_EQ_INT(st.direction, SIM_MATRIX_FORWARD);
    check_rows(&c, want, 6);
    collector_reset(&c);
    /* Over the row budget: backward is dropped, forward runs, same rows. */
    size_t old = sim__matrix_set_auto_budget(9);
    CHECK_EQ_INT(
        sim_matrix_run_stats(g, r, src, 5, dst, 2, UINT32_MAX, SIM_MATRIX_AUTO, collect, &c, &st),
        SIM_OK);
    CHECK_EQ_INT(st.direction, SIM_MATRIX_FORWARD);
    CHECK_EQ_INT(st.fell_back, 1);
    CHECK_EQ_INT(st.searches, 1 + 4);
    check_rows(&c, want, 10);
    collector_reset(&c);
    sim__matrix_set_auto_budget(10); /* exactly at the budget: kept */
    CHECK_EQ_INT(
        sim_matrix_run_stats(g, r, src, 5, dst, 2, UINT32_MAX, SIM_MATRIX_AUTO, collect, &c, &st),
        SIM_OK);
    CHECK_EQ_INT(st.direction, SIM_MATRIX_BACKWARD);
    CHECK_EQ_INT(st.fell_back, 0);
    check_rows(&c, want, 10);
    collector_reset(&c);
    CHECK_EQ_INT(sim__matrix_set_auto_budget(old), 10);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

static void test_matrix_invalid_and_empty(void) {
    sim_graph *g = fixture_graph(HAND), *r = NULL, *other = fixture_graph("0>1:1");
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    collector c = {0};
    const uint32_t src[] = {0, 3}, dst[] = {1, 2}, bad[] = {0, 4};
    sim_matrix_stats st;
    CHECK_EQ_INT(sim_matrix_run(g, r, src, 2, dst, 2, 9, SIM_MATRIX_FORWARD, NULL, &c), SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, r, bad, 2, dst, 2, 9, SIM_MATRIX_FORWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, r, src, 2, bad, 2, 9, SIM_MATRIX_BACKWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(NULL, r, src, 2, dst, 2, 9, SIM_MATRIX_FORWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, NULL, src, 2, dst, 2, 9, SIM_MATRIX_BACKWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(NULL, r, src, 2, dst, 2, 9, SIM_MATRIX_AUTO, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, other, src, 2, dst, 2, 9, SIM_MATRIX_AUTO, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, r, NULL, 2, dst, 2, 9, SIM_MATRIX_FORWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, r, src, 2, NULL, 2, 9, SIM_MATRIX_FORWARD, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_matrix_run(g, r, src, 2, dst, 2, 9, (sim_matrix_direction)7, collect, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(c.calls, 0);
    /* Only the needed graph: fine. */
    CHECK_EQ_INT(sim_matrix_run(g, NULL, src, 2, dst, 2, 9, SIM_MATRIX_FORWARD, collect, &c),
                 SIM_OK);
    check_rows(&c, (const sim_od[]){{1, 0, 7}}, 1);
    collector_reset(&c);
    CHECK_EQ_INT(sim_matrix_run(NULL, r, src, 2, dst, 2, 9, SIM_MATRIX_BACKWARD, collect, &c),
                 SIM_OK);
    check_rows(&c, (const sim_od[]){{1, 0, 7}}, 1);
    collector_reset(&c);
    /* Empty lists: no rows, no calls, no searches. */
    for (int d = 0; d < 3; ++d) {
        sim_matrix_direction dir = (sim_matrix_direction)d;
        CHECK_EQ_INT(sim_matrix_run_stats(g, r, NULL, 0, dst, 2, 9, dir, collect, &c, &st), SIM_OK);
        CHECK_EQ_INT(st.searches, 0);
        CHECK_EQ_INT(sim_matrix_run_stats(g, r, src, 2, NULL, 0, 9, dir, collect, &c, &st), SIM_OK);
        CHECK_EQ_INT(st.rows, 0);
    }
    CHECK_EQ_INT(c.calls, 0);
    /* Nothing within the cutoff: no call either. */
    CHECK_EQ_INT(sim_matrix_run(g, r, (const uint32_t[]){1}, 1, (const uint32_t[]){0}, 1, 9,
                                SIM_MATRIX_FORWARD, collect, &c),
                 SIM_OK);
    CHECK_EQ_INT(c.calls, 0);
    sim_graph_destroy(other);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

/* A path 0 - 1 - ... - 399 both ways, 1 ds per arc: 400 x 400 = 160000 rows, three sink calls. */
static sim_graph *line_graph(uint32_t n) {
    sim_arc *arcs = malloc(2 * n * sizeof *arcs);
    size_t m = 0;
    for (uint32_t v = 0; v + 1 < n; ++v) {
        arcs[m++] = (sim_arc){v, v + 1, 1};
        arcs[m++] = (sim_arc){v + 1, v, 1};
    }
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
    free(arcs);
    return g;
}

static void test_matrix_sink_batches_and_abort(void) {
    enum { N = 400 };
    sim_graph *g = line_graph(N), *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    uint32_t *nodes = malloc(N * sizeof *nodes);
    for (uint32_t i = 0; i < N; ++i) nodes[i] = (i * 7u) % N; /* a permutation */
    for (int d = 1; d <= 2; ++d) {
        sim_matrix_direction dir = (sim_matrix_direction)d;
        collector c = {0};
        sim_matrix_stats st;
        CHECK_EQ_INT(
            sim_matrix_run_stats(g, r, nodes, N, nodes, N, UINT32_MAX, dir, collect, &c, &st),
            SIM_OK);
        CHECK_EQ_INT(c.n, N * N);
        CHECK_EQ_INT(st.rows, N * N);
        CHECK_EQ_INT(st.searches, N);
        CHECK_EQ_INT(st.settled, (uint64_t)N * N);
        CHECK_EQ_INT(st.max_settled, N);
        CHECK(!c.out_of_order);
        CHECK_EQ_INT(c.calls, 3);
        int bad = 0;
        for (size_t k = 0; k < c.n; ++k) {
            uint32_t a = nodes[c.rows[k].from], b = nodes[c.rows[k].to];
            bad |= c.rows[k].time_ds != (a > b ? a - b : b - a);
        }
        CHECK(!bad);
        collector_reset(&c);
        /* The sink stops the run on its first, then its second call. */
        for (int at = 1; at <= 2; ++at) {
            c.fail_at_call = at;
            c.fail_rc = SIM_EIO;
            CHECK_EQ_INT(sim_matrix_run(g, r, nodes, N, nodes, N, UINT32_MAX, dir, collect, &c),
                         SIM_EIO);
            CHECK_EQ_INT(c.calls, at);
            CHECK_EQ_INT(c.n, (size_t)at * c.max_call_rows);
            collector_reset(&c);
        }
    }
    free(nodes);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

/* ---- naive reference -------------------------------------------------------------------- */

/* All-pairs table apsp[u * n + v] by n naive searches. */
static uint64_t *ref_all_pairs(uint32_t n, const sim_arc *arcs, size_t m) {
    uint64_t *apsp = malloc((size_t)n * n * sizeof *apsp);
    unsigned char *done = malloc(n);
    for (uint32_t u = 0; u < n; ++u) ref_single(n, arcs, m, u, 0, apsp + (size_t)u * n, done);
    free(done);
    return apsp;
}

/* The expected rows, in (from, to) order; returns the count. */
static size_t ref_rows(const uint64_t *apsp, uint32_t n, const uint32_t *src, uint32_t n_src,
                       const uint32_t *dst, uint32_t n_dst, uint32_t cutoff, sim_od *out) {
    uint64_t limit = cutoff < UINT32_MAX ? cutoff : (uint64_t)UINT32_MAX - 1;
    size_t k = 0;
    for (uint32_t i = 0; i < n_src; ++i)
        for (uint32_t j = 0; j < n_dst; ++j) {
            uint64_t d = apsp[(size_t)src[i] * n + dst[j]];
            if (d <= limit) out[k++] = (sim_od){i, j, (uint32_t)d};
        }
    return k;
}

static uint32_t random_time(void) {
    uint32_t r = rng_below(100);
    if (r < 15) return 0;
    if (r < 85) return rng_below(100);
    if (r < 97) return rng_below(5000);
    return UINT32_MAX - rng_below(1000); /* sums past UINT32_MAX - 1 must be dropped, not wrapped */
}

/* Picks nodes for a list: random, repeats within the list, and nodes of the other list. */
static void random_list(uint32_t n, uint32_t *list, uint32_t count, const uint32_t *other,
                        uint32_t n_other) {
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t r = rng_below(10);
        if (r < 2 && i > 0)
            list[i] = list[rng_below(i)];
        else if (r < 4 && n_other > 0)
            list[i] = other[rng_below(n_other)];
        else
            list[i] = rng_below(n);
    }
}

#define MAX_N 60
#define MAX_LIST 40

static void test_matrix_differential(void) {
    rng_state = 20240612;
    sim_arc *arcs = malloc(6 * MAX_N * sizeof *arcs);
    sim_od *want = malloc(MAX_LIST * MAX_LIST * sizeof *want);
    uint32_t src[MAX_LIST], dst[MAX_LIST];
    int graphs = 0, queries = 0, failed = 0, backward_auto = 0, fell_back = 0;
    size_t total_rows = 0;
    for (int k = 0; k < 150; ++k) {
        uint32_t n = 1 + rng_below(MAX_N);
        size_t m = rng_below(4 * n + 1);
        for (size_t a = 0; a < m; ++a) {
            uint32_t r = rng_below(10);
            if (a > 0 && r == 0) { /* duplicate, maybe with another time */
                arcs[a] = arcs[rng_below((uint32_t)a)];
                if (rng_below(2)) arcs[a].time_ds = random_time();
            } else if (a > 0 && r < 4) { /* the way back of an earlier arc (two-way street) */
                sim_arc b = arcs[rng_below((uint32_t)a)];
                arcs[a] = (sim_arc){b.to, b.from, rng_below(3) ? b.time_ds : random_time()};
            } else { /* one-way arc, sometimes a loop */
                arcs[a].from = rng_below(n);
                arcs[a].to = rng_below(10) == 0 ? arcs[a].from : rng_below(n);
                arcs[a].time_ds = random_time();
            }
        }
        sim_graph *g = NULL, *r = NULL;
        CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
        CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
        uint64_t *apsp = ref_all_pairs(n, arcs, m);
        int bad = 0;
        for (int q = 0; q < 6; ++q) {
            uint32_t n_src = rng_below(MAX_LIST + 1), n_dst = rng_below(MAX_LIST + 1);
            if (q == 0) n_dst = 1 + rng_below(3); /* few destinations: AUTO goes backward */
            random_list(n, src, n_src, NULL, 0);
            random_list(n, dst, n_dst, src, n_src);
            uint32_t cutoff;
            uint32_t cr = rng_below(6);
            if (cr == 0)
                cutoff = UINT32_MAX;
            else if (cr == 1)
                cutoff = rng_below(300);
            else if (cr == 2)
                cutoff = 0;
            else { /* exactly some pair's time, or one less: the boundary is inclusive */
                uint64_t d = n_src && n_dst
                                 ? apsp[(size_t)src[rng_below(n_src)] * n + dst[rng_below(n_dst)]]
                                 : 5;
                cutoff = d >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)d;
                if (cr == 4 && cutoff > 0) --cutoff;
            }
            size_t nw = ref_rows(apsp, n, src, n_src, dst, n_dst, cutoff, want);
            total_rows += nw;
            for (int d = 0; d < 4; ++d) {
                sim_matrix_direction dir = d == 3 ? SIM_MATRIX_AUTO : (sim_matrix_direction)d;
                collector c = {0};
                sim_matrix_stats st;
                if (d == 3) sim__matrix_set_auto_budget(1); /* force the fallback if backward */
                sim_status rc = sim_matrix_run_stats(g, r, src, n_src, dst, n_dst, cutoff, dir,
                                                     collect, &c, &st);
                if (d == 3) sim__matrix_set_auto_budget(0);
                bad |= rc != SIM_OK || c.out_of_order || !same_rows(&c, want, nw);
                bad |= st.rows != nw;
                if (d == 0) backward_auto += st.direction == SIM_MATRIX_BACKWARD;
                if (d == 3) fell_back += st.fell_back;
                bad |= d == 3 && st.fell_back && (nw <= 1 || st.direction != SIM_MATRIX_FORWARD);
                collector_reset(&c);
                ++queries;
            }
        }
        CHECK(!bad);
        if (bad) {
            ++failed;
            fprintf(stderr, "  matrix differential: graph %d (n=%u, m=%zu) differs\n", k, n, m);
        }
        ++graphs;
        free(apsp);
        sim_graph_destroy(r);
        sim_graph_destroy(g);
    }
    CHECK(graphs >= 100);
    CHECK_EQ_INT(failed, 0);
    CHECK(backward_auto > 20); /* the AUTO rule was exercised both ways */
    CHECK(fell_back > 20);
    printf("matrix differential: %d graphs, %d runs, %zu reference rows, AUTO backward %d times, "
           "fallback %d times\n",
           graphs, queries, total_rows, backward_auto, fell_back);
    free(want);
    free(arcs);
}

/* Rows of src x dst within cutoff by sim_route_from (itself checked against the naive reference
 * in test_route.c); naive Dijkstra would be slow at these sizes. */
static sim_od *route_rows(const sim_graph *g, const uint32_t *src, uint32_t n_src,
                          const uint32_t *dst, uint32_t n_dst, uint32_t cutoff, size_t *n_rows) {
    uint32_t n = sim_graph_node_count(g);
    sim_scratch *s = sim_scratch_create(n);
    uint32_t *t = malloc(n * sizeof *t);
    size_t cap = 1 << 16, nw = 0;
    sim_od *want = malloc(cap * sizeof *want);
    for (uint32_t i = 0; i < n_src; ++i) {
        CHECK_EQ_INT(sim_route_from(g, src[i], cutoff, s, t), SIM_OK);
        for (uint32_t j = 0; j < n_dst; ++j) {
            if (t[dst[j]] == SIM_UNREACHABLE) continue;
            if (nw == cap) want = realloc(want, (cap *= 2) * sizeof *want);
            want[nw++] = (sim_od){i, j, t[dst[j]]};
        }
    }
    free(t);
    sim_scratch_destroy(s);
    *n_rows = nw;
    return want;
}

/* FORWARD and BACKWARD at 1 and 2 threads: all four give the reference rows. */
static void check_threads(const sim_graph *g, const sim_graph *r, const uint32_t *src,
                          uint32_t n_src, const uint32_t *dst, uint32_t n_dst, uint32_t cutoff,
                          size_t min_rows) {
    size_t nw;
    sim_od *want = route_rows(g, src, n_src, dst, n_dst, cutoff, &nw);
    CHECK(nw >= min_rows);
    int runs = 0;
    for (int threads = 1; threads <= 2; ++threads) {
        set_threads(threads);
        for (int d = 1; d <= 2; ++d) {
            collector c = {0};
            sim_matrix_stats st;
            CHECK_EQ_INT(sim_matrix_run_stats(g, r, src, n_src, dst, n_dst, cutoff,
                                              (sim_matrix_direction)d, collect, &c, &st),
                         SIM_OK);
            CHECK_EQ_INT(st.threads, threads);
            CHECK(!c.out_of_order);
            CHECK(same_rows(&c, want, nw));
            CHECK_EQ_INT(st.rows, nw);
            collector_reset(&c);
            ++runs;
        }
    }
    CHECK_EQ_INT(runs, 4);
    set_threads(2);
    free(want);
}

/* A W x W grid with random times, some streets one-way. */
static sim_graph *random_grid(uint32_t w) {
    uint32_t n = w * w;
    sim_arc *arcs = malloc(4 * n * sizeof *arcs);
    size_t m = 0;
    for (uint32_t v = 0; v < n; ++v) {
        uint32_t x = v % w, y = v / w;
        if (x + 1 < w) {
            uint32_t t = rng_below(60);
            arcs[m++] = (sim_arc){v, v + 1, t};
            if (rng_below(8)) arcs[m++] = (sim_arc){v + 1, v, t};
        }
        if (y + 1 < w) {
            uint32_t t = rng_below(60);
            arcs[m++] = (sim_arc){v, v + w, t};
            if (rng_below(8)) arcs[m++] = (sim_arc){v + w, v, t};
        }
    }
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
    free(arcs);
    return g;
}

/* Forward chunks hold 256 to 16384 sources: many sources make several chunks (the last one
 * partial, nodes shared across chunks); many destinations make small chunks that then grow.
 * Thread counts and chunking never change the rows. */
static void test_matrix_threads_and_chunks(void) {
    enum { W = 30, N = W * W };
    rng_state = 99;
    sim_graph *g = random_grid(W), *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    uint32_t *src = malloc(40000 * sizeof *src), *dst = malloc(70000 * sizeof *dst);
    /* 40000 sources, 300 destinations: chunks of 16384, 16384, 7232. */
    random_list(N, src, 40000, NULL, 0);
    random_list(N, dst, 300, src, 40000);
    check_threads(g, r, src, 40000, dst, 300, 400, 100000);
    /* 600 sources, 70000 destinations: a first chunk of 256, then larger ones. */
    random_list(N, src, 600, NULL, 0);
    random_list(N, dst, 70000, src, 600);
    check_threads(g, r, src, 600, dst, 70000, 60, 100000);
    free(src);
    free(dst);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

int main(void) {
    test_matrix_hand_case();
    test_matrix_auto_rule();
    test_matrix_invalid_and_empty();
    test_matrix_sink_batches_and_abort();
    test_matrix_differential();
    test_matrix_threads_and_chunks();
    return CHECK_DONE();
}
