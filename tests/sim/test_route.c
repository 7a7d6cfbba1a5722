/* Unit tests for sim/route.c: hand cases, then a differential test against a naive Dijkstra. */
#include <stdlib.h>

#include "check.h"
#include "fixture.h"
#include "reference.h"
#include "sim/graph.h"
#include "sim/route.h"

#define U SIM_UNREACHABLE
#define X SIM_INVALID_ID

static void check_u32s(const uint32_t *got, const uint32_t *want, uint32_t n) {
    for (uint32_t v = 0; v < n; ++v) CHECK_EQ_U32(got[v], want[v]);
}

/* ---- hand cases ------------------------------------------------------------------------- */

static void test_route_prefers_faster_arm(void) {
    sim_graph *g = fixture_graph("0>1:10 1>3:10 0>2:5 2>3:30");
    sim_scratch *s = sim_scratch_create(sim_graph_node_count(g));
    uint32_t t[4];
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, 5, 20}, 4); /* 0>1>3 beats 0>2>3 */
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_cutoff_is_inclusive(void) {
    sim_graph *g = fixture_graph("0>1:10 1>3:10 0>2:5 2>3:30");
    sim_scratch *s = sim_scratch_create(4);
    uint32_t t[4];
    CHECK_EQ_INT(sim_route_from(g, 0, 10, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, 5, U}, 4);
    CHECK_EQ_INT(sim_route_from(g, 0, 9, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, U, 5, U}, 4);
    CHECK_EQ_INT(sim_route_from(g, 0, 0, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, U, U, U}, 4);
    CHECK_EQ_INT(sim_route_from(g, 0, 20, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, 5, 20}, 4);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_unreachable(void) {
    /* Node 2 only has an arc out; node 4 is isolated; arcs are directed. */
    sim_graph *g = fixture_graph_n(5, "0>1:5 2>0:1 3>1:2");
    sim_scratch *s = sim_scratch_create(5);
    uint32_t t[5], near[5];
    uint32_t src = 0;
    CHECK_EQ_INT(sim_route_multi(g, &src, NULL, 1, UINT32_MAX, s, t, near), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 5, U, U, U}, 5);
    check_u32s(near, (const uint32_t[]){0, 0, X, X, X}, 5);
    /* No sources at all: everything unreachable. */
    CHECK_EQ_INT(sim_route_multi(g, NULL, NULL, 0, UINT32_MAX, s, t, near), SIM_OK);
    check_u32s(t, (const uint32_t[]){U, U, U, U, U}, 5);
    check_u32s(near, (const uint32_t[]){X, X, X, X, X}, 5);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

/* 0 - 1 - 2 - 3 - 4, both directions, 10 ds per arc. */
static const char LINE5[] = "0>1:10 1>0:10 1>2:10 2>1:10 2>3:10 3>2:10 3>4:10 4>3:10";

static void test_route_multi_nearest_and_ties(void) {
    sim_graph *g = fixture_graph(LINE5);
    sim_scratch *s = sim_scratch_create(5);
    uint32_t t[5], near[5];
    /* Node 2 is 20 from both sources: the tie goes to source index 0, whichever node it is. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0, 4}, NULL, 2, UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, 20, 10, 0}, 5);
    check_u32s(near, (const uint32_t[]){0, 0, 0, 1, 1}, 5);
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){4, 0}, NULL, 2, UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, 20, 10, 0}, 5);
    check_u32s(near, (const uint32_t[]){1, 1, 0, 0, 0}, 5);
    /* nearest may be NULL. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){4, 0}, NULL, 2, 10, s, t, NULL), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 10, U, 10, 0}, 5);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_offsets(void) {
    sim_graph *g = fixture_graph(LINE5);
    sim_scratch *s = sim_scratch_create(5);
    uint32_t t[5], near[5];
    /* Source 0 at node 0 starts 15 late; source 1 at node 4 on time. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0, 4}, (const uint32_t[]){15, 0}, 2,
                                 UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){15, 25, 20, 10, 0}, 5);
    check_u32s(near, (const uint32_t[]){0, 0, 1, 1, 1}, 5);
    /* An offset above the cutoff removes that source; the cutoff applies to offset + path. */
    CHECK_EQ_INT(
        sim_route_multi(g, (const uint32_t[]){0, 4}, (const uint32_t[]){15, 0}, 2, 14, s, t, near),
        SIM_OK);
    check_u32s(t, (const uint32_t[]){U, U, U, 10, 0}, 5);
    check_u32s(near, (const uint32_t[]){X, X, X, 1, 1}, 5);
    CHECK_EQ_INT(
        sim_route_multi(g, (const uint32_t[]){0, 4}, (const uint32_t[]){15, 0}, 2, 15, s, t, near),
        SIM_OK);
    check_u32s(t, (const uint32_t[]){15, U, U, 10, 0}, 5);
    check_u32s(near, (const uint32_t[]){0, X, X, 1, 1}, 5);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_sources_sharing_a_node(void) {
    sim_graph *g = fixture_graph(LINE5);
    sim_scratch *s = sim_scratch_create(5);
    uint32_t t[5], near[5];
    /* Three sources at node 2: least offset wins, then the lowest index among equals. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){2, 2, 2}, (const uint32_t[]){5, 3, 3}, 3,
                                 UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){23, 13, 3, 13, 23}, 5);
    check_u32s(near, (const uint32_t[]){1, 1, 1, 1, 1}, 5);
    /* Same node, same offset: index 0. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){3, 3}, NULL, 2, UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){30, 20, 10, 0, 10}, 5);
    check_u32s(near, (const uint32_t[]){0, 0, 0, 0, 0}, 5);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_zero_times_loops_duplicates(void) {
    /* Zero-time cycle 0>1>2>0, a loop on 1, a duplicate 2>3 with a faster copy second. */
    sim_graph *g = fixture_graph("0>1:0 1>2:0 2>0:0 1>1:0 2>3:9 2>3:4 3>3:1");
    sim_scratch *s = sim_scratch_create(4);
    uint32_t t[4], near[4];
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){2, 0}, NULL, 2, UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 0, 0, 4}, 4);
    check_u32s(near, (const uint32_t[]){0, 0, 0, 0}, 4); /* node 0 ties at 0: source 0 wins */
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_no_overflow(void) {
    sim_graph *g = fixture_graph("0>1:4294967290 1>2:5 1>3:4 3>4:4294967295 0>4:7");
    sim_scratch *s = sim_scratch_create(5);
    uint32_t t[5], near[5];
    /* 4294967290 + 5 == UINT32_MAX == SIM_UNREACHABLE: not representable, so unreachable. */
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, s, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){0, 4294967290u, U, 4294967294u, 7}, 5);
    /* Offsets near the top: sums must not wrap round to small times. */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0, 3},
                                 (const uint32_t[]){10, UINT32_MAX - 1}, 2, UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){10, U, U, UINT32_MAX - 1, 17}, 5);
    check_u32s(near, (const uint32_t[]){0, X, X, 1, 0}, 5);
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){3}, (const uint32_t[]){UINT32_MAX}, 1,
                                 UINT32_MAX, s, t, near),
                 SIM_OK);
    check_u32s(t, (const uint32_t[]){U, U, U, U, U}, 5);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_route_invalid_arguments(void) {
    sim_graph *g = fixture_graph(LINE5);
    sim_scratch *small = sim_scratch_create(4), *s = sim_scratch_create(5);
    uint32_t t[5] = {1, 2, 3, 4, 5};
    CHECK_EQ_INT(sim_route_from(g, 5, UINT32_MAX, s, t), SIM_EINVAL);
    CHECK_EQ_INT(t[0], 1); /* outputs untouched on error */
    CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0, 7}, NULL, 2, UINT32_MAX, s, t, NULL),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, small, t), SIM_EINVAL);
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, NULL, t), SIM_EINVAL);
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, s, NULL), SIM_EINVAL);
    CHECK_EQ_INT(sim_route_multi(g, NULL, NULL, 1, UINT32_MAX, s, t, NULL), SIM_EINVAL);
    /* A bigger scratch is fine. */
    sim_scratch *big = sim_scratch_create(100);
    CHECK_EQ_INT(sim_route_from(g, 2, UINT32_MAX, big, t), SIM_OK);
    check_u32s(t, (const uint32_t[]){20, 10, 0, 10, 20}, 5);
    sim_scratch_destroy(big);
    sim_scratch_destroy(small);
    sim_scratch_destroy(s);
    sim_scratch_destroy(NULL);
    sim_graph_destroy(g);
}

static void test_route_empty_graph(void) {
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(0, NULL, 0, &g), SIM_OK);
    sim_scratch *s = sim_scratch_create(0);
    CHECK(s != NULL);
    uint32_t t[1] = {7};
    CHECK_EQ_INT(sim_route_multi(g, NULL, NULL, 0, UINT32_MAX, s, t, NULL), SIM_OK);
    CHECK_EQ_INT(t[0], 7);
    CHECK_EQ_INT(sim_route_from(g, 0, UINT32_MAX, s, t), SIM_EINVAL);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

/* ---- sim_search and the settled list ---------------------------------------------------- */

static void test_search_settled_list(void) {
    sim_graph *g = fixture_graph_n(6, "0>1:10 1>3:10 0>2:5 2>3:30 3>4:0 5>0:1");
    sim_scratch *s = sim_scratch_create(6);
    const uint32_t *nodes, *times;
    uint32_t src = 0;
    CHECK_EQ_INT(sim_search(g, &src, NULL, 1, UINT32_MAX, s), SIM_OK);
    CHECK_EQ_U32(sim_scratch_settled(s, &nodes, &times), 5); /* node 5 only has an arc out */
    /* Settle order is time order; nodes 3 and 4 tie at 20 (3 first: 4 is reached through it). */
    check_u32s(nodes, (const uint32_t[]){0, 2, 1, 3, 4}, 5);
    check_u32s(times, (const uint32_t[]){0, 5, 10, 20, 20}, 5);
    CHECK_EQ_U32(sim_scratch_time(s, 3), 20);
    CHECK_EQ_U32(sim_scratch_time(s, 5), U);
    CHECK_EQ_U32(sim_scratch_time(s, 99), U); /* beyond the scratch */
    CHECK_EQ_U32(sim_scratch_settled(s, NULL, NULL), 5);
    /* Cutoff 10 (inclusive): 0, 2, 1. */
    CHECK_EQ_INT(sim_search(g, &src, NULL, 1, 10, s), SIM_OK);
    CHECK_EQ_U32(sim_scratch_settled(s, &nodes, &times), 3);
    check_u32s(nodes, (const uint32_t[]){0, 2, 1}, 3);
    check_u32s(times, (const uint32_t[]){0, 5, 10}, 3);
    CHECK_EQ_U32(sim_scratch_time(s, 3), U); /* was 20 in the previous search: now stale */
    /* Multi-source with offsets; a source above the cutoff is ignored; shared nodes count once. */
    CHECK_EQ_INT(
        sim_search(g, (const uint32_t[]){3, 3, 5, 0}, (const uint32_t[]){7, 2, 50, 4}, 4, 12, s),
        SIM_OK);
    CHECK_EQ_U32(sim_scratch_settled(s, &nodes, &times), 4);
    check_u32s(nodes, (const uint32_t[]){3, 4, 0, 2}, 4);
    check_u32s(times, (const uint32_t[]){2, 2, 4, 9}, 4);
    /* No sources: nothing settled. */
    CHECK_EQ_INT(sim_search(g, NULL, NULL, 0, UINT32_MAX, s), SIM_OK);
    CHECK_EQ_U32(sim_scratch_settled(s, NULL, NULL), 0);
    CHECK_EQ_U32(sim_scratch_time(s, 0), U);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

static void test_search_invalid_arguments(void) {
    sim_graph *g = fixture_graph(LINE5);
    sim_scratch *small = sim_scratch_create(4), *s = sim_scratch_create(5);
    uint32_t src = 2;
    CHECK_EQ_INT(sim_search(g, &src, NULL, 1, UINT32_MAX, s), SIM_OK);
    CHECK_EQ_U32(sim_scratch_settled(s, NULL, NULL), 5);
    /* A failed search leaves an empty list, not the previous search's. */
    CHECK_EQ_INT(sim_search(g, (const uint32_t[]){1, 5}, NULL, 2, UINT32_MAX, s), SIM_EINVAL);
    CHECK_EQ_U32(sim_scratch_settled(s, NULL, NULL), 0);
    CHECK_EQ_U32(sim_scratch_time(s, 2), U);
    CHECK_EQ_INT(sim_search(g, &src, NULL, 1, UINT32_MAX, small), SIM_EINVAL);
    CHECK_EQ_INT(sim_search(g, NULL, NULL, 1, UINT32_MAX, s), SIM_EINVAL);
    CHECK_EQ_INT(sim_search(NULL, &src, NULL, 1, UINT32_MAX, s), SIM_EINVAL);
    CHECK_EQ_INT(sim_search(g, &src, NULL, 1, UINT32_MAX, NULL), SIM_EINVAL);
    sim_scratch_destroy(small);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

/* Ties through zero-time arcs where the lower source index arrives second: node 2 is reached at
 * 5 from source 1 (1>2) and from source 0 (0>3>2 with 3>2 free), and passes its index on to 4
 * and 5 through more free arcs. Both arc orders, so that either label can be settled first. */
static void test_route_zero_time_tie_propagates(void) {
    const char *specs[] = {"1>2:5 0>3:5 3>2:0 2>4:0 4>5:0 5>6:1",
                           "0>3:5 3>2:0 1>2:5 2>4:0 4>5:0 5>6:1",
                           "0>3:5 1>2:5 2>4:0 4>5:0 3>2:0 5>6:1"};
    for (int k = 0; k < 3; ++k) {
        sim_graph *g = fixture_graph(specs[k]);
        sim_scratch *s = sim_scratch_create(7);
        uint32_t t[7], near[7];
        CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0, 1}, NULL, 2, UINT32_MAX, s, t, near),
                     SIM_OK);
        check_u32s(t, (const uint32_t[]){0, 0, 5, 5, 5, 5, 6}, 7);
        check_u32s(near, (const uint32_t[]){0, 1, 0, 0, 0, 0, 0}, 7);
        /* The reverse priority: source 0 at node 1 wins everything it ties. */
        CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){1, 0}, NULL, 2, UINT32_MAX, s, t, near),
                     SIM_OK);
        check_u32s(near, (const uint32_t[]){1, 0, 0, 1, 0, 0, 0}, 7);
        sim_scratch_destroy(s);
        sim_graph_destroy(g);
    }
}

/* ---- naive reference -------------------------------------------------------------------- */

/* Multi-source reference: for each v the lexicographic minimum over sources i of
 * (offset_i + d(src_i, v), i) among times <= min(cutoff, UINT32_MAX - 1), computed by one naive
 * search per source. */
static void ref_multi(uint32_t n, const sim_arc *arcs, size_t m, const uint32_t *src,
                      const uint32_t *off, uint32_t n_src, uint32_t cutoff, uint32_t *time_ds,
                      uint32_t *nearest) {
    uint64_t *dist = malloc(((size_t)n + 1) * sizeof *dist);
    unsigned char *done = malloc((size_t)n + 1);
    uint64_t limit = cutoff < UINT32_MAX ? cutoff : (uint64_t)UINT32_MAX - 1;
    for (uint32_t v = 0; v < n; ++v) {
        time_ds[v] = U;
        nearest[v] = X;
    }
    for (uint32_t i = 0; i < n_src; ++i) {
        ref_single(n, arcs, m, src[i], off ? off[i] : 0, dist, done);
        for (uint32_t v = 0; v < n; ++v) /* strict <: an equal time keeps the lower index */
            if (dist[v] <= limit && (time_ds[v] == U || dist[v] < time_ds[v])) {
                time_ds[v] = (uint32_t)dist[v];
                nearest[v] = i;
            }
    }
    free(done);
    free(dist);
}

static uint32_t random_time(void) {
    uint32_t r = rng_below(100);
    if (r < 20) return 0;
    if (r < 80) return rng_below(100);
    if (r < 95) return rng_below(10000);
    return r < 98 ? UINT32_MAX - rng_below(1000) : (uint32_t)rng_next();
}

static uint32_t random_cutoff(void) {
    uint32_t r = rng_below(10);
    if (r < 4) return UINT32_MAX;
    if (r < 5) return 0;
    if (r < 8) return rng_below(500);
    return r < 9 ? UINT32_MAX - 1 : (uint32_t)rng_next();
}

#define MAX_N 300
#define MAX_SRC 6

/* Compares sim_route_multi on g (built from arcs) with the reference, for one random query. */
static int compare_one(const sim_graph *g, uint32_t n, const sim_arc *arcs, size_t m,
                       sim_scratch *s, uint32_t *t, uint32_t *near, uint32_t *rt, uint32_t *rnear) {
    uint32_t src[MAX_SRC], off[MAX_SRC];
    uint32_t n_src = rng_below(MAX_SRC + 1);
    int with_off = rng_below(3) != 0;
    for (uint32_t i = 0; i < n_src; ++i) {
        /* Often repeat a node, to exercise sources sharing one. */
        src[i] = (i > 0 && rng_below(4) == 0) ? src[rng_below(i)] : rng_below(n);
        off[i] = rng_below(4) == 0 ? 0 : random_time();
    }
    uint32_t cutoff = random_cutoff();
    const uint32_t *offp = with_off ? off : NULL;
    ref_multi(n, arcs, m, src, offp, n_src, cutoff, rt, rnear);
    int bad = sim_route_multi(g, src, offp, n_src, cutoff, s, t, near) != SIM_OK;
    for (uint32_t v = 0; v < n; ++v) bad |= t[v] != rt[v] || near[v] != rnear[v];
    /* sim_search: every reached node exactly once, in non-decreasing time, with its time. */
    bad |= sim_search(g, src, offp, n_src, cutoff, s) != SIM_OK;
    const uint32_t *nodes, *times;
    uint32_t cnt = sim_scratch_settled(s, &nodes, &times), reached = 0;
    for (uint32_t v = 0; v < n; ++v) {
        reached += rt[v] != U;
        bad |= sim_scratch_time(s, v) != rt[v];
    }
    bad |= cnt != reached;
    for (uint32_t k = 0; k < cnt && k < n; ++k) {
        bad |= nodes[k] >= n || times[k] != rt[nodes[k]];
        if (k > 0) bad |= times[k] < times[k - 1];
    }
    /* ... and the same list when repeated (deterministic order). */
    uint32_t first[MAX_N];
    for (uint32_t k = 0; k < cnt && k < n; ++k) first[k] = nodes[k];
    bad |= sim_search(g, src, offp, n_src, cutoff, s) != SIM_OK;
    bad |= sim_scratch_settled(s, &nodes, NULL) != cnt;
    for (uint32_t k = 0; k < cnt && k < n; ++k) bad |= nodes[k] != first[k];
    if (n_src == 1 && !offp) { /* the single-source form must agree too */
        bad |= sim_route_from(g, src[0], cutoff, s, t) != SIM_OK;
        for (uint32_t v = 0; v < n; ++v) bad |= t[v] != rt[v];
    }
    return bad;
}

static void test_route_differential(void) {
    rng_state = 20240611;
    static uint32_t t[MAX_N], near[MAX_N], rt[MAX_N], rnear[MAX_N];
    sim_arc *arcs = malloc(5 * MAX_N * sizeof *arcs), *rarcs = malloc(5 * MAX_N * sizeof *rarcs);
    /* One scratch shared by every graph size, as a thread would hold it. */
    sim_scratch *shared = sim_scratch_create(MAX_N);
    int graphs = 0, queries = 0, failed_graphs = 0;
    for (int k = 0; k < 300; ++k) {
        uint32_t n = 1 + rng_below(MAX_N);
        size_t m = rng_below(5 * n + 1);
        if (k % 10 == 0) m = rng_below(n + 1); /* sparse: many unreachable nodes */
        for (size_t a = 0; a < m; ++a) {
            if (a > 0 && rng_below(10) == 0) { /* exact or parallel duplicate */
                arcs[a] = arcs[rng_below((uint32_t)a)];
                if (rng_below(2)) arcs[a].time_ds = random_time();
            } else {
                arcs[a].from = rng_below(n);
                arcs[a].to = rng_below(8) == 0 ? arcs[a].from : rng_below(n); /* loops */
                arcs[a].time_ds = random_time();
            }
            rarcs[a] = (sim_arc){arcs[a].to, arcs[a].from, arcs[a].time_ds};
        }
        sim_graph *g = NULL, *r = NULL;
        CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
        CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
        sim_scratch *own = sim_scratch_create(n); /* and one sized exactly */
        int bad = 0;
        for (int q = 0; q < 4; ++q) {
            bad |= compare_one(g, n, arcs, m, q % 2 ? shared : own, t, near, rt, rnear);
            bad |= compare_one(r, n, rarcs, m, q % 2 ? own : shared, t, near, rt, rnear);
            queries += 2;
        }
        CHECK(!bad);
        if (bad) {
            ++failed_graphs;
            fprintf(stderr, "  differential: graph %d (n=%u, m=%zu) differs\n", k, n, m);
        }
        ++graphs;
        sim_scratch_destroy(own);
        sim_graph_destroy(r);
        sim_graph_destroy(g);
    }
    CHECK(graphs >= 200);
    CHECK_EQ_INT(failed_graphs, 0);
    printf("differential: %d graphs, %d queries\n", graphs, queries);
    sim_scratch_destroy(shared);
    free(rarcs);
    free(arcs);
}

/* One scratch reused for many searches with varied sources and cutoffs on one small graph. */
static void test_route_scratch_reuse(void) {
    enum { N = 12, SEARCHES = 20000 };
    rng_state = 7;
    sim_arc arcs[40];
    size_t m = 0;
    for (uint32_t v = 0; v + 1 < N; ++v) arcs[m++] = (sim_arc){v, v + 1, 1 + rng_below(20)};
    while (m < 40) arcs[m++] = (sim_arc){rng_below(N), rng_below(N), rng_below(50)};
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(N, arcs, m, &g), SIM_OK);
    uint32_t full[N][N], nothing[N];
    for (uint32_t src = 0; src < N; ++src)
        ref_multi(N, arcs, m, &src, NULL, 1, UINT32_MAX, full[src], nothing);
    sim_scratch *s = sim_scratch_create(N);
    uint32_t t[N];
    int bad = 0;
    for (int k = 0; k < SEARCHES; ++k) {
        uint32_t src = rng_below(N), cutoff = rng_below(4) ? rng_below(200) : UINT32_MAX;
        bad |= sim_route_from(g, src, cutoff, s, t) != SIM_OK;
        for (uint32_t v = 0; v < N; ++v) bad |= t[v] != (full[src][v] <= cutoff ? full[src][v] : U);
    }
    CHECK(!bad);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

/* The scratch's generation counter is 16 bits (stepping by 2) and wraps every 32767 searches.
 * Search A labels every node with small times; 65534 searches then touch only node 0, so the
 * counter passes A's generation number twice; search B comes after. Without the full reset at
 * each wrap, A's stale, smaller labels would look current and block B's. */
static void test_route_generation_wraparound(void) {
    sim_graph *g = fixture_graph("0>1:1 1>2:1 2>3:1 3>4:1 4>5:1");
    sim_scratch *s = sim_scratch_create(6);
    uint32_t t[6], near[6];
    CHECK_EQ_INT(sim_route_from(g, 1, UINT32_MAX, s, t), SIM_OK); /* A */
    check_u32s(t, (const uint32_t[]){U, 0, 1, 2, 3, 4}, 6);
    int bad = 0;
    for (int k = 0; k < 65534; ++k) bad |= sim_route_from(g, 0, 0, s, t) != SIM_OK || t[1] != U;
    CHECK(!bad);
    for (int k = 0; k < 3; ++k) { /* B, then two more past the wrap */
        CHECK_EQ_INT(sim_route_multi(g, (const uint32_t[]){0}, NULL, 1, UINT32_MAX, s, t, near),
                     SIM_OK);
        check_u32s(t, (const uint32_t[]){0, 1, 2, 3, 4, 5}, 6);
        check_u32s(near, (const uint32_t[]){0, 0, 0, 0, 0, 0}, 6);
        CHECK_EQ_INT(sim_search(g, (const uint32_t[]){0}, NULL, 1, UINT32_MAX, s), SIM_OK);
        CHECK_EQ_U32(sim_scratch_settled(s, NULL, NULL), 6);
        CHECK_EQ_U32(sim_scratch_time(s, 5), 5);
    }
    /* Every search length around the wrap, through sim_search alone. */
    bad = 0;
    for (int k = 0; k < 70000; ++k) {
        uint32_t src = (uint32_t)(k % 2);
        bad |= sim_search(g, &src, NULL, 1, k % 3 ? UINT32_MAX : 2, s) != SIM_OK;
        bad |= sim_scratch_settled(s, NULL, NULL) != (k % 3 ? 6 - src : 3);
        bad |= sim_scratch_time(s, 5) != (k % 3 ? 5 - src : U);
    }
    CHECK(!bad);
    sim_scratch_destroy(s);
    sim_graph_destroy(g);
}

int main(void) {
    test_route_prefers_faster_arm();
    test_route_cutoff_is_inclusive();
    test_route_unreachable();
    test_route_multi_nearest_and_ties();
    test_route_offsets();
    test_route_sources_sharing_a_node();
    test_route_zero_times_loops_duplicates();
    test_route_no_overflow();
    test_route_invalid_arguments();
    test_route_empty_graph();
    test_search_settled_list();
    test_search_invalid_arguments();
    test_route_zero_time_tie_propagates();
    test_route_differential();
    test_route_scratch_reuse();
    test_route_generation_wraparound();
    return CHECK_DONE();
}
