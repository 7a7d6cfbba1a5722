/*
 * Unit tests for sim/stoplinks.c: a hand-made graph with its walks worked out in the comments,
 * then a differential test against all-pairs shortest paths (Floyd-Warshall on an adjacency
 * matrix, 64-bit sums, its own rounding) on random small graphs, with 1 and 2 threads.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "sim/graph.h"
#include "sim/route.h"
#include "sim/stoplinks.h"

#define U SIM_UNREACHABLE
#define X SIM_INVALID_ID
#define REF_INF UINT64_MAX
#define MAX_N 40 /* nodes of the random graphs */

/* ---- the reference ------------------------------------------------------------------------- */

/* d[u * n + v] = shortest time u -> v in deciseconds, REF_INF if none. Loops and duplicate
 * arcs count as they are (a loop never shortens anything). */
static uint64_t *ref_all_pairs(uint32_t n, const sim_arc *arcs, size_t m) {
    size_t nn = (size_t)n * n;
    uint64_t *d = malloc((nn ? nn : 1) * sizeof *d);
    if (!d) exit(2);
    for (size_t i = 0; i < nn; ++i) d[i] = REF_INF;
    for (uint32_t v = 0; v < n; ++v) d[(size_t)v * n + v] = 0;
    for (size_t a = 0; a < m; ++a) {
        uint64_t *x = &d[(size_t)arcs[a].from * n + arcs[a].to];
        if (arcs[a].time_ds < *x) *x = arcs[a].time_ds;
    }
    for (uint32_t k = 0; k < n; ++k)
        for (uint32_t i = 0; i < n; ++i) {
            if (d[(size_t)i * n + k] == REF_INF) continue;
            for (uint32_t j = 0; j < n; ++j) {
                uint64_t kj = d[(size_t)k * n + j];
                if (kj != REF_INF && d[(size_t)i * n + k] + kj < d[(size_t)i * n + j])
                    d[(size_t)i * n + j] = d[(size_t)i * n + k] + kj;
            }
        }
    return d;
}

/* Deciseconds to seconds, nearest, halves up: 14 -> 1, 15 -> 2, 25 -> 3. */
static uint32_t ref_round_s(uint64_t ds) { return (uint32_t)(ds / 10 + (ds % 10 >= 5)); }

/* Expected transfers, in (from, to) order; returns the count. `out` has n_stops^2 slots. */
static size_t ref_transfers(const uint64_t *d, uint32_t n, const uint32_t *stop_node,
                            uint32_t n_stops, uint32_t max_ds, sim_transfer *out) {
    size_t k = 0;
    for (uint32_t s = 0; s < n_stops; ++s)
        for (uint32_t t = 0; t < n_stops; ++t) {
            if (s == t || stop_node[s] == X || stop_node[t] == X) continue;
            uint64_t x = d[(size_t)stop_node[s] * n + stop_node[t]];
            if (x <= max_ds) out[k++] = (sim_transfer){s, t, ref_round_s(x)};
        }
    return k;
}

/* Expected egress CSR: first[] n_stops + 1, dest[]/walk[] n_stops * n_dest slots. */
static void ref_egress(const uint64_t *d, uint32_t n, const uint32_t *stop_node, uint32_t n_stops,
                       const uint32_t *dest_node, uint32_t n_dest, uint32_t max_ds, uint32_t *first,
                       uint32_t *dest, uint32_t *walk) {
    uint32_t k = 0;
    for (uint32_t s = 0; s < n_stops; ++s) {
        first[s] = k;
        for (uint32_t e = 0; e < n_dest && stop_node[s] != X; ++e) {
            if (dest_node[e] == X) continue;
            uint64_t x = d[(size_t)stop_node[s] * n + dest_node[e]];
            if (x > max_ds) continue;
            dest[k] = e;
            walk[k++] = ref_round_s(x);
        }
    }
    first[n_stops] = k;
}

/* ---- comparisons ----------------------------------------------------------------------------- */

static void check_transfers(const sim_transfer *got, size_t n_got, const sim_transfer *want,
                            size_t n_want) {
    CHECK_EQ_INT(n_got, n_want);
    for (size_t i = 0; i < n_got && i < n_want; ++i) {
        CHECK_EQ_U32(got[i].from, want[i].from);
        CHECK_EQ_U32(got[i].to, want[i].to);
        CHECK_EQ_U32(got[i].walk_s, want[i].walk_s);
    }
}

static void check_egress(const sim_egress_table *t, uint32_t n_stops, uint32_t n_dest,
                         const uint32_t *first, const uint32_t *dest, const uint32_t *walk) {
    CHECK_EQ_U32(t->n_stops, n_stops);
    CHECK_EQ_U32(t->n_dest, n_dest);
    if (!t->first) {
        CHECK(t->first != NULL);
        return;
    }
    for (uint32_t s = 0; s <= n_stops; ++s) CHECK_EQ_U32(t->first[s], first[s]);
    for (uint32_t k = 0; k < first[n_stops] && k < t->first[n_stops]; ++k) {
        CHECK_EQ_U32(t->dest[k], dest[k]);
        CHECK_EQ_U32(t->walk_s[k], walk[k]);
    }
    sim_raptor_egress v = sim_egress_table_view(t);
    CHECK_EQ_INT(sim_raptor_egress_validate(&v, n_stops), SIM_OK);
}

/* Access list (any order) equals want[0..n_want-1] as a set, each stop once, and comes in
 * non-decreasing walk order (settle order). */
static void check_access(const sim_raptor_access *got, uint32_t n_got,
                         const sim_raptor_access *want, uint32_t n_want, uint32_t n_stops) {
    CHECK_EQ_U32(n_got, n_want);
    unsigned char *seen = calloc(n_stops ? n_stops : 1, 1);
    if (!seen) exit(2);
    for (uint32_t i = 0; i < n_got; ++i) {
        if (i > 0) CHECK(got[i - 1].walk_s <= got[i].walk_s);
        if (got[i].stop >= n_stops) {
            CHECK(got[i].stop < n_stops);
            continue;
        }
        CHECK(!seen[got[i].stop]);
        seen[got[i].stop] = 1;
        uint32_t j = 0;
        while (j < n_want && want[j].stop != got[i].stop) ++j;
        if (j == n_want) {
            CHECK_FAIL_("access stop %u not expected", got[i].stop);
            continue;
        }
        CHECK_EQ_U32(got[i].walk_s, want[j].walk_s);
    }
    free(seen);
}

/* ---- the hand-made graph --------------------------------------------------------------------
 *
 *   0 <-14-> 1 <-1-> 2 --10--> 3 (one-way)   3 --100--> 0 (one-way)
 *   0 <-40-> 4 <-200-> 5                     6 (no arcs)
 *
 * Shortest times (deciseconds): 0->1 14, 0->2 15, 0->3 25, 0->4 40, 0->5 240; 2->3 10,
 * 1->3 11; 3->0 100 (so 0->3 != 3->0); 4->3 65; 6 reaches and is reached by nothing.
 * Stops: S0@0 S1@3 S2@4 S3@none S4@5 S5@2 S6@1. */
#define HAND_ARCS "0>1:14 1>0:14 1>2:1 2>1:1 2>3:10 3>0:100 0>4:40 4>0:40 4>5:200 5>4:200"
static const uint32_t hand_stop_node[7] = {0, 3, 4, X, 5, 2, 1};

static sim_graph *hand_graph(void) { return fixture_graph_n(7, HAND_ARCS); }

static void test_hand_transfers(void) {
    sim_graph *g = hand_graph();
    sim_transfer *t = NULL;
    size_t n = 0;
    /* within 40 ds (inclusive): S0->S1 25 ds = 3 s, S0->S2 40 = 4 s, S0->S5 15 = 2 s,
     * S0->S6 14 = 1 s; S1 reaches nothing (3->0 is 100); S2->S0 40 = 4 s; S4 nothing;
     * S5->S0 15 = 2 s, S5->S1 10 = 1 s, S5->S6 1 = 0 s; S6->S0 14 = 1 s, S6->S1 11 = 1 s,
     * S6->S5 1 = 0 s. S3 has no node: no transfer from or to it. */
    static const sim_transfer want40[] = {{0, 1, 3}, {0, 2, 4}, {0, 5, 2}, {0, 6, 1},
                                          {2, 0, 4}, {5, 0, 2}, {5, 1, 1}, {5, 6, 0},
                                          {6, 0, 1}, {6, 1, 1}, {6, 5, 0}};
    CHECK_EQ_INT(sim_stoplinks_transfers(g, hand_stop_node, 7, 40, &t, &n), SIM_OK);
    check_transfers(t, n, want40, sizeof want40 / sizeof *want40);
    free(t);
    /* one decisecond less: the 40 ds walks S0<->S2 go */
    static const sim_transfer want39[] = {{0, 1, 3}, {0, 5, 2}, {0, 6, 1}, {5, 0, 2}, {5, 1, 1},
                                          {5, 6, 0}, {6, 0, 1}, {6, 1, 1}, {6, 5, 0}};
    t = NULL;
    CHECK_EQ_INT(sim_stoplinks_transfers(g, hand_stop_node, 7, 39, &t, &n), SIM_OK);
    check_transfers(t, n, want39, sizeof want39 / sizeof *want39);
    free(t);
    /* bound 0: only walks of 0 ds, and there are none between distinct nodes here */
    t = NULL;
    n = 99;
    CHECK_EQ_INT(sim_stoplinks_transfers(g, hand_stop_node, 7, 0, &t, &n), SIM_OK);
    CHECK_EQ_INT(n, 0);
    free(t);
    /* no stops at all */
    t = NULL;
    CHECK_EQ_INT(sim_stoplinks_transfers(g, NULL, 0, 40, &t, &n), SIM_OK);
    CHECK_EQ_INT(n, 0);
    free(t);
    sim_graph_destroy(g);
}

static void test_hand_egress(void) {
    sim_graph *g = hand_graph(), *rev = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &rev), SIM_OK);
    /* Destinations D0@3 D1@0 D2@none D3@6 (isolated) D4@5 D5@3 (same node as D0). Within 40 ds
     * of D0/D5 (times *to* node 3): S1 0, S5 10 -> 1 s, S6 11 -> 1 s, S0 25 -> 3 s (S2 65);
     * of D1 (to node 0): S0 0, S6 14 -> 1 s, S5 15 -> 2 s, S2 40 -> 4 s (S1 100);
     * of D4 (to node 5): S4 0 (S2 200). */
    const uint32_t dest_node[6] = {3, 0, X, 6, 5, 3};
    const uint32_t first[8] = {0, 3, 5, 6, 6, 7, 10, 13};
    /* by stop: S0 {D0 D1 D5}, S1 {D0 D5}, S2 {D1}, S3 {}, S4 {D4}, S5 {D0 D1 D5}, S6 {D0 D1 D5} */
    const uint32_t dest[13] = {0, 1, 5, 0, 5, 1, 4, 0, 1, 5, 0, 1, 5};
    const uint32_t walk[13] = {3, 0, 3, 0, 0, 4, 0, 1, 2, 1, 1, 1, 1};
    sim_egress_table e;
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, dest_node, 6, 40, &e), SIM_OK);
    check_egress(&e, 7, 6, first, dest, walk);
    sim_egress_table_free(&e);
    CHECK(e.first == NULL && e.dest == NULL && e.walk_s == NULL);
    /* at 39 ds the S2 -> D1 walk (40) goes */
    const uint32_t first39[8] = {0, 3, 5, 5, 5, 6, 9, 12};
    const uint32_t dest39[12] = {0, 1, 5, 0, 5, 4, 0, 1, 5, 0, 1, 5};
    const uint32_t walk39[12] = {3, 0, 3, 0, 0, 0, 1, 2, 1, 1, 1, 1};
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, dest_node, 6, 39, &e), SIM_OK);
    check_egress(&e, 7, 6, first39, dest39, walk39);
    sim_egress_table_free(&e);
    /* no destinations: every stop has an empty range */
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, NULL, 0, 40, &e), SIM_OK);
    const uint32_t zeros[8] = {0};
    check_egress(&e, 7, 0, zeros, NULL, NULL);
    sim_egress_table_free(&e);
    sim_graph_destroy(rev);
    sim_graph_destroy(g);
}

static void test_hand_access(void) {
    sim_graph *g = hand_graph();
    sim_scratch *s = sim_scratch_create(7);
    /* node -> stop: 0 S0, 1 S6, 2 S5, 3 S1, 4 S2, 5 S4, 6 none */
    const uint32_t stop_at[7] = {0, 6, 5, 1, 2, 4, X};
    const uint32_t dest_node[6] = {3, 0, X, 6, 5, 3};
    sim_raptor_access acc[7];
    uint32_t direct[6];
    sim_status rc = SIM_EINTERNAL;
    /* from node 0, access within 25 ds (inclusive), direct within 40:
     * S0 0 s, S6 14 ds -> 1 s, S5 15 -> 2 s, S1 25 -> 3 s; S2 (40) is beyond 25.
     * Direct (deciseconds, unrounded): D0 25, D1 0, D2 none, D3 isolated, D4 240 > 40, D5 25. */
    uint32_t n = sim_stoplinks_access(g, 0, stop_at, 25, 40, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    check_access(acc, n, (const sim_raptor_access[]){{0, 0}, {6, 1}, {5, 2}, {1, 3}}, 4, 7);
    const uint32_t want_direct[6] = {25, 0, U, U, U, 25};
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], want_direct[d]);
    /* access within 40 but direct within 14: S2 joins at 4 s; only D1 (0 ds) is direct */
    n = sim_stoplinks_access(g, 0, stop_at, 40, 14, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    check_access(acc, n, (const sim_raptor_access[]){{0, 0}, {6, 1}, {5, 2}, {1, 3}, {2, 4}}, 5, 7);
    const uint32_t want_direct14[6] = {U, 0, U, U, U, U};
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], want_direct14[d]);
    /* from node 3 (one-way street): 3->0 is 100 ds, so S0 at 10 s; direct D1 100, D0/D5 0 */
    n = sim_stoplinks_access(g, 3, stop_at, 100, 100, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    check_access(acc, n, (const sim_raptor_access[]){{1, 0}, {0, 10}}, 2, 7);
    const uint32_t want_direct3[6] = {0, 100, U, U, U, 0};
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], want_direct3[d]);
    /* direct may be NULL */
    n = sim_stoplinks_access(g, 2, stop_at, 10, 10, dest_node, 6, s, acc, NULL, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    check_access(acc, n, (const sim_raptor_access[]){{5, 0}, {6, 0}, {1, 1}}, 3, 7);
    /* from the isolated node 6: nothing but itself, which is no stop */
    n = sim_stoplinks_access(g, 6, stop_at, 1000, 1000, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    CHECK_EQ_U32(n, 0);
    const uint32_t want_direct6[6] = {U, U, U, 0, U, U};
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], want_direct6[d]);
    /* an origin that is not on the graph reaches nothing */
    memset(direct, 0, sizeof direct);
    n = sim_stoplinks_access(g, X, stop_at, 1000, 1000, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_OK);
    CHECK_EQ_U32(n, 0);
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], U);
    /* an origin out of range is the search's error */
    memset(direct, 0, sizeof direct);
    n = sim_stoplinks_access(g, 7, stop_at, 1000, 1000, dest_node, 6, s, acc, direct, &rc);
    CHECK_EQ_INT(rc, SIM_EINVAL);
    CHECK_EQ_U32(n, 0);
    for (int d = 0; d < 6; ++d) CHECK_EQ_U32(direct[d], U);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_walk_rounding(void) {
    CHECK_EQ_U32(sim_walk_s(0), 0);
    CHECK_EQ_U32(sim_walk_s(4), 0);
    CHECK_EQ_U32(sim_walk_s(5), 1);
    CHECK_EQ_U32(sim_walk_s(14), 1);
    CHECK_EQ_U32(sim_walk_s(15), 2);
    CHECK_EQ_U32(sim_walk_s(25), 3);
    CHECK_EQ_U32(sim_walk_s(U - 1), 429496729u); /* 4294967294 ds: no 32-bit overflow */
    CHECK_EQ_U32(sim_walk_s(U), U);
}

static void test_bad_arguments(void) {
    sim_graph *g = hand_graph(), *rev = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &rev), SIM_OK);
    sim_transfer *t = NULL;
    size_t n = 0;
    sim_egress_table e;
    const uint32_t dup[3] = {0, 2, 0}, out_of_range[3] = {0, 7, 2}, dest_ok[2] = {0, 3};
    const uint32_t dest_bad[2] = {0, 7};
    CHECK_EQ_INT(sim_stoplinks_transfers(g, dup, 3, 40, &t, &n), SIM_EINVAL);
    CHECK(t == NULL);
    CHECK_EQ_INT(sim_stoplinks_transfers(g, out_of_range, 3, 40, &t, &n), SIM_EINVAL);
    CHECK(t == NULL);
    CHECK_EQ_INT(sim_stoplinks_transfers(NULL, dest_ok, 2, 40, &t, &n), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_transfers(g, NULL, 2, 40, &t, &n), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_transfers(g, dest_ok, 2, 40, NULL, &n), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_transfers(g, dest_ok, 2, 40, &t, NULL), SIM_EINVAL);

    CHECK_EQ_INT(sim_stoplinks_egress(rev, dup, 3, dest_ok, 2, 40, &e), SIM_EINVAL);
    CHECK(e.first == NULL && e.dest == NULL && e.walk_s == NULL);
    CHECK_EQ_INT(sim_stoplinks_egress(rev, out_of_range, 3, dest_ok, 2, 40, &e), SIM_EINVAL);
    CHECK(e.first == NULL && e.dest == NULL && e.walk_s == NULL);
    /* a destination node out of range */
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, dest_bad, 2, 40, &e), SIM_EINVAL);
    CHECK(e.first == NULL && e.dest == NULL && e.walk_s == NULL);
    CHECK_EQ_INT(sim_stoplinks_egress(NULL, hand_stop_node, 7, dest_ok, 2, 40, &e), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_egress(rev, NULL, 7, dest_ok, 2, 40, &e), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, NULL, 2, 40, &e), SIM_EINVAL);
    CHECK_EQ_INT(sim_stoplinks_egress(rev, hand_stop_node, 7, dest_ok, 2, 40, NULL), SIM_EINVAL);
    sim_egress_table_free(NULL);
    sim_graph_destroy(rev);
    sim_graph_destroy(g);
}

/* ---- random graphs --------------------------------------------------------------------------- */

/* Runs the table builders with `threads` threads. */
static void build_tables(int threads, const sim_graph *g, const sim_graph *rev,
                         const uint32_t *stop_node, uint32_t n_stops, const uint32_t *dest_node,
                         uint32_t n_dest, uint32_t max_tr, uint32_t max_eg, sim_transfer **tr,
                         size_t *n_tr, sim_egress_table *eg) {
    omp_set_num_threads(threads);
    *tr = NULL;
    CHECK_EQ_INT(sim_stoplinks_transfers(g, stop_node, n_stops, max_tr, tr, n_tr), SIM_OK);
    CHECK_EQ_INT(sim_stoplinks_egress(rev, stop_node, n_stops, dest_node, n_dest, max_eg, eg),
                 SIM_OK);
}

static uint32_t random_bound(void) {
    switch (rng_below(4)) {
    case 0:
        return rng_below(30);
    case 1:
        return rng_below(300);
    case 2:
        return rng_below(3000);
    default:
        return U - 1; /* everything reachable */
    }
}

static void test_differential(void) {
    int cases = 0;
    size_t n_tr_total = 0, n_eg_total = 0, n_acc_total = 0, n_direct_total = 0;
    for (uint64_t seed = 1; seed <= 400; ++seed) {
        rng_state = 0x5709u * seed;
        uint32_t n = 1 + rng_below(MAX_N);
        size_t m = rng_below(4 * n + 1);
        sim_arc *arcs = malloc((m ? m : 1) * sizeof *arcs);
        if (!arcs) exit(2);
        uint32_t tmax = 1 + rng_below(rng_below(2) ? 30 : 200);
        for (size_t a = 0; a < m; ++a) {
            arcs[a].from = rng_below(n);
            arcs[a].to = rng_below(n);
            /* zero-time arcs and ties make settle order matter */
            arcs[a].time_ds = rng_below(8) == 0 ? 0 : rng_below(tmax + 1);
        }
        sim_graph *g = NULL, *rev = NULL;
        CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
        CHECK_EQ_INT(sim_graph_reverse(g, &rev), SIM_OK);
        uint64_t *d = ref_all_pairs(n, arcs, m);

        /* stops on distinct nodes (a random subset, in random order), some not linked */
        uint32_t perm[MAX_N], stop_node[MAX_N], stop_at[MAX_N];
        for (uint32_t v = 0; v < n; ++v) perm[v] = v;
        for (uint32_t v = n; v > 1; --v) {
            uint32_t j = rng_below(v), x = perm[v - 1];
            perm[v - 1] = perm[j];
            perm[j] = x;
        }
        uint32_t n_stops = rng_below(n + 1);
        for (uint32_t v = 0; v < n; ++v) stop_at[v] = X;
        for (uint32_t s = 0; s < n_stops; ++s) {
            stop_node[s] = rng_below(6) == 0 ? X : perm[s];
            if (stop_node[s] != X) stop_at[stop_node[s]] = s;
        }
        /* destinations anywhere, repeats allowed, some not linked */
        uint32_t n_dest = rng_below(2 * MAX_N), dest_node[2 * MAX_N];
        for (uint32_t e = 0; e < n_dest; ++e) dest_node[e] = rng_below(8) == 0 ? X : rng_below(n);
        uint32_t max_tr = random_bound(), max_eg = random_bound();

        /* transfers and egress, 1 and 2 threads */
        sim_transfer *tr1 = NULL, *tr2 = NULL;
        size_t n_tr1 = 0, n_tr2 = 0;
        sim_egress_table eg1, eg2;
        build_tables(1, g, rev, stop_node, n_stops, dest_node, n_dest, max_tr, max_eg, &tr1, &n_tr1,
                     &eg1);
        build_tables(2, g, rev, stop_node, n_stops, dest_node, n_dest, max_tr, max_eg, &tr2, &n_tr2,
                     &eg2);
        sim_transfer want_tr[MAX_N * MAX_N];
        size_t n_want = ref_transfers(d, n, stop_node, n_stops, max_tr, want_tr);
        check_transfers(tr1, n_tr1, want_tr, n_want);
        check_transfers(tr2, n_tr2, want_tr, n_want);
        n_tr_total += n_want;
        static uint32_t first[MAX_N + 1], dest[MAX_N * 2 * MAX_N], walk[MAX_N * 2 * MAX_N];
        ref_egress(d, n, stop_node, n_stops, dest_node, n_dest, max_eg, first, dest, walk);
        check_egress(&eg1, n_stops, n_dest, first, dest, walk);
        check_egress(&eg2, n_stops, n_dest, first, dest, walk);
        n_eg_total += first[n_stops];

        /* access and direct walks from every node and from no node */
        sim_scratch *s = sim_scratch_create(n);
        uint32_t max_acc = random_bound(), max_dir = random_bound();
        for (uint32_t o = 0; o <= n; ++o) {
            uint32_t origin = o == n ? X : o;
            sim_raptor_access acc[MAX_N], want[MAX_N];
            uint32_t direct[2 * MAX_N], n_w = 0;
            sim_status rc = SIM_EINTERNAL;
            uint32_t na = sim_stoplinks_access(g, origin, stop_at, max_acc, max_dir, dest_node,
                                               n_dest, s, acc, direct, &rc);
            CHECK_EQ_INT(rc, SIM_OK);
            for (uint32_t st = 0; st < n_stops && origin != X; ++st) {
                if (stop_node[st] == X) continue;
                uint64_t x = d[(size_t)origin * n + stop_node[st]];
                if (x <= max_acc) want[n_w++] = (sim_raptor_access){st, ref_round_s(x)};
            }
            check_access(acc, na, want, n_w, n_stops);
            n_acc_total += n_w;
            for (uint32_t e = 0; e < n_dest; ++e) {
                uint64_t x = origin == X || dest_node[e] == X
                                 ? REF_INF
                                 : d[(size_t)origin * n + dest_node[e]];
                uint32_t w = x <= max_dir ? (uint32_t)x : U;
                CHECK_EQ_U32(direct[e], w);
                n_direct_total += w != U;
            }
        }
        sim_scratch_destroy(s);
        free(tr1);
        free(tr2);
        sim_egress_table_free(&eg1);
        sim_egress_table_free(&eg2);
        free(d);
        sim_graph_destroy(rev);
        sim_graph_destroy(g);
        free(arcs);
        ++cases;
    }
    printf("%d random graphs: %zu transfers, %zu egress walks, %zu access walks, %zu direct "
           "walks compared\n",
           cases, n_tr_total, n_eg_total, n_acc_total, n_direct_total);
    CHECK(n_tr_total > 1000 && n_eg_total > 1000 && n_acc_total > 1000); /* not vacuous */
}

/* A larger graph (a grid with one-way rows) where searches run in parallel for real: the
 * tables are the same with 1 and 2 threads, and equal to the reference. */
static void test_threads_grid(void) {
    enum { W = 14, H = 14, N = W * H };
    sim_arc arcs[4 * N];
    size_t m = 0;
    rng_state = 77;
    for (uint32_t y = 0; y < H; ++y)
        for (uint32_t x = 0; x < W; ++x) {
            uint32_t v = y * W + x;
            if (x + 1 < W) { /* rows alternate direction */
                if (y % 2)
                    arcs[m++] = (sim_arc){v, v + 1, 20 + rng_below(20)};
                else
                    arcs[m++] = (sim_arc){v + 1, v, 20 + rng_below(20)};
            }
            if (y + 1 < H) {
                uint32_t t = 20 + rng_below(20);
                arcs[m++] = (sim_arc){v, v + W, t};
                arcs[m++] = (sim_arc){v + W, v, t};
            }
        }
    sim_graph *g = NULL, *rev = NULL;
    CHECK_EQ_INT(sim_graph_build(N, arcs, m, &g), SIM_OK);
    CHECK_EQ_INT(sim_graph_reverse(g, &rev), SIM_OK);
    uint64_t *d = ref_all_pairs(N, arcs, m);
    static uint32_t stop_node[N / 2], dest_node[N];
    uint32_t n_stops = 0;
    for (uint32_t v = 0; v < N; v += 2) stop_node[n_stops++] = (v * 3) % N; /* distinct */
    for (uint32_t e = 0; e < N; ++e) dest_node[e] = rng_below(N);
    sim_transfer *tr1, *tr2;
    size_t n1, n2;
    sim_egress_table eg1, eg2;
    build_tables(1, g, rev, stop_node, n_stops, dest_node, N, 300, 200, &tr1, &n1, &eg1);
    build_tables(2, g, rev, stop_node, n_stops, dest_node, N, 300, 200, &tr2, &n2, &eg2);
    sim_transfer *want = malloc((size_t)n_stops * n_stops * sizeof *want);
    uint32_t *first = malloc((n_stops + 1) * sizeof *first);
    uint32_t *dest = malloc((size_t)n_stops * N * sizeof *dest);
    uint32_t *walk = malloc((size_t)n_stops * N * sizeof *walk);
    if (!want || !first || !dest || !walk) exit(2);
    size_t nw = ref_transfers(d, N, stop_node, n_stops, 300, want);
    CHECK(nw > 1000);
    check_transfers(tr1, n1, want, nw);
    check_transfers(tr2, n2, want, nw);
    ref_egress(d, N, stop_node, n_stops, dest_node, N, 200, first, dest, walk);
    CHECK(first[n_stops] > 1000);
    check_egress(&eg1, n_stops, N, first, dest, walk);
    check_egress(&eg2, n_stops, N, first, dest, walk);
    free(want);
    free(first);
    free(dest);
    free(walk);
    free(tr1);
    free(tr2);
    sim_egress_table_free(&eg1);
    sim_egress_table_free(&eg2);
    free(d);
    sim_graph_destroy(rev);
    sim_graph_destroy(g);
}

int main(void) {
    test_walk_rounding();
    test_hand_transfers();
    test_hand_egress();
    test_hand_access();
    test_bad_arguments();
    test_differential();
    test_threads_grid();
    return CHECK_DONE();
}
