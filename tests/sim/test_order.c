/* Unit tests for sim/order.c (Hilbert order, permutation inverse) and sim_graph_permute(). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "fixture.h"
#include "sim/graph.h"
#include "sim/order.h"
#include "sim/route.h"

static int is_permutation(const uint32_t *p, uint32_t n) {
    unsigned char *seen = calloc(n ? n : 1, 1);
    int ok = 1;
    for (uint32_t k = 0; k < n && ok; ++k) {
        ok = p[k] < n && !seen[p[k]];
        if (ok) seen[p[k]] = 1;
    }
    free(seen);
    return ok;
}

static void test_order_hilbert_small(void) {
    /* The four corners of a square, listed in another order: the curve starts at (0,0), goes up
     * to (0,1), across to (1,1) and down to (1,0). */
    const double x[] = {1, 0, 1, 0}, y[] = {1, 1, 0, 0};
    uint32_t order[4];
    CHECK_EQ_INT(sim_order_hilbert(x, y, 4, order), SIM_OK);
    const uint32_t want[] = {3, 1, 0, 2};
    for (int k = 0; k < 4; ++k) CHECK_EQ_U32(order[k], want[k]);
    /* Equal points keep their index order, wherever they are. */
    const double ex[] = {5, 2, 5, 2, 5}, ey[] = {5, 2, 5, 2, 5};
    uint32_t o5[5];
    CHECK_EQ_INT(sim_order_hilbert(ex, ey, 5, o5), SIM_OK);
    const uint32_t want5[] = {1, 3, 0, 2, 4};
    for (int k = 0; k < 5; ++k) CHECK_EQ_U32(o5[k], want5[k]);
    /* All points equal (a zero-size box): the identity. */
    const double z[] = {-3.5, -3.5, -3.5};
    uint32_t o3[3];
    CHECK_EQ_INT(sim_order_hilbert(z, z, 3, o3), SIM_OK);
    for (uint32_t k = 0; k < 3; ++k) CHECK_EQ_U32(o3[k], k);
    /* A single point, and nothing at all. */
    CHECK_EQ_INT(sim_order_hilbert(z, z, 1, o3), SIM_OK);
    CHECK_EQ_U32(o3[0], 0);
    CHECK_EQ_INT(sim_order_hilbert(NULL, NULL, 0, NULL), SIM_OK);
}

static void test_order_hilbert_invalid(void) {
    double x[] = {0, 1, 2}, y[] = {0, 1, 2};
    uint32_t order[3] = {7, 7, 7};
    CHECK_EQ_INT(sim_order_hilbert(NULL, y, 3, order), SIM_EINVAL);
    CHECK_EQ_INT(sim_order_hilbert(x, y, 3, NULL), SIM_EINVAL);
    x[1] = NAN;
    CHECK_EQ_INT(sim_order_hilbert(x, y, 3, order), SIM_EINVAL);
    x[1] = 1;
    y[2] = INFINITY;
    CHECK_EQ_INT(sim_order_hilbert(x, y, 3, order), SIM_EINVAL);
    CHECK_EQ_U32(order[0], 7); /* untouched */
    /* Huge but finite coordinates of opposite signs (the extent overflows): still a permutation. */
    const double hx[] = {-1e308, 1e308, 0, 5}, hy[] = {0, 0, -1e308, 1e308};
    uint32_t ho[4];
    CHECK_EQ_INT(sim_order_hilbert(hx, hy, 4, ho), SIM_OK);
    CHECK(is_permutation(ho, 4));
}

/* A W x W grid of points given in shuffled order: along the curve, grid neighbours are close. */
static void test_order_hilbert_locality(void) {
    enum { W = 256, N = W * W };
    rng_state = 31;
    uint32_t *cell_of = malloc(N * sizeof *cell_of); /* input index -> grid cell */
    for (uint32_t i = 0; i < N; ++i) cell_of[i] = i;
    for (uint32_t i = N - 1; i > 0; --i) {
        uint32_t j = rng_below(i + 1), t = cell_of[i];
        cell_of[i] = cell_of[j];
        cell_of[j] = t;
    }
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (uint32_t i = 0; i < N; ++i) {
        x[i] = 1000.0 + 10.0 * (cell_of[i] % W); /* projected metres, 10 m apart */
        y[i] = -500.0 + 10.0 * (cell_of[i] / W);
    }
    uint32_t *order = malloc(N * sizeof *order), *again = malloc(N * sizeof *again);
    uint32_t *pos = malloc(N * sizeof *pos), *pos_of_cell = malloc(N * sizeof *pos_of_cell);
    CHECK_EQ_INT(sim_order_hilbert(x, y, N, order), SIM_OK);
    CHECK(is_permutation(order, N));
    CHECK_EQ_INT(sim_order_hilbert(x, y, N, again), SIM_OK);
    int same = 1;
    for (uint32_t k = 0; k < N; ++k) same &= order[k] == again[k];
    CHECK(same); /* deterministic */
    CHECK_EQ_INT(sim_order_invert(order, N, pos), SIM_OK);
    for (uint32_t i = 0; i < N; ++i) pos_of_cell[cell_of[i]] = pos[i];
    /* Mean |position difference| over grid edges: along the curve vs in the input order. */
    double sum_curve = 0, sum_input = 0;
    uint32_t edges = 0, unit_steps = 0;
    for (uint32_t c = 0; c < N; ++c) {
        uint32_t cx = c % W, cy = c / W;
        uint32_t nb[2] = {cx + 1 < W ? c + 1 : UINT32_MAX, cy + 1 < W ? c + W : UINT32_MAX};
        for (int k = 0; k < 2; ++k) {
            if (nb[k] == UINT32_MAX) continue;
            double a = pos_of_cell[c], b = pos_of_cell[nb[k]];
            sum_curve += fabs(a - b);
            unit_steps += fabs(a - b) == 1.0;
            ++edges;
        }
    }
    uint32_t *input_of_cell = malloc(N * sizeof *input_of_cell);
    for (uint32_t i = 0; i < N; ++i) input_of_cell[cell_of[i]] = i;
    for (uint32_t c = 0; c < N; ++c) {
        if (c % W + 1 < W) sum_input += fabs((double)input_of_cell[c] - input_of_cell[c + 1]);
        if (c / W + 1 < W) sum_input += fabs((double)input_of_cell[c] - input_of_cell[c + W]);
    }
    double mean_curve = sum_curve / edges, mean_input = sum_input / edges;
    printf("hilbert locality on %ux%u: mean |index difference| of grid neighbours %.1f "
           "(shuffled input %.1f); %u of %u edges are consecutive on the curve\n",
           W, W, mean_curve, mean_input, unit_steps, edges);
    CHECK(mean_curve * 50 < mean_input);
    CHECK(unit_steps == N - 1); /* a Hilbert curve on a full 2^k grid visits cells edge to edge */
    free(input_of_cell);
    free(pos_of_cell);
    free(pos);
    free(again);
    free(order);
    free(y);
    free(x);
    free(cell_of);
}

static void test_order_invert(void) {
    const uint32_t p[] = {2, 0, 3, 1};
    uint32_t inv[4];
    CHECK_EQ_INT(sim_order_invert(p, 4, inv), SIM_OK);
    const uint32_t want[] = {1, 3, 0, 2};
    for (int k = 0; k < 4; ++k) CHECK_EQ_U32(inv[k], want[k]);
    CHECK_EQ_INT(sim_order_invert((const uint32_t[]){0, 0, 1}, 3, inv), SIM_EINVAL);
    CHECK_EQ_INT(sim_order_invert((const uint32_t[]){0, 3, 1}, 3, inv), SIM_EINVAL);
    CHECK_EQ_INT(sim_order_invert(NULL, 3, inv), SIM_EINVAL);
    CHECK_EQ_INT(sim_order_invert(NULL, 0, NULL), SIM_OK);
}

static void test_graph_permute_hand(void) {
    sim_graph *g = fixture_graph("0>1:10 0>2:5 2>1:1 1>0:7"), *p = NULL;
    /* new_of_old: 0 -> 2, 1 -> 0, 2 -> 1. */
    CHECK_EQ_INT(sim_graph_permute(g, (const uint32_t[]){2, 0, 1}, &p), SIM_OK);
    CHECK_EQ_INT(sim_graph_validate(p), SIM_OK);
    CHECK_EQ_U32(sim_graph_node_count(p), 3);
    CHECK_EQ_U32(sim_graph_arc_count(p), 4);
    const uint32_t *first = sim_graph_first_out(p), *head = sim_graph_head(p),
                   *t = sim_graph_time_ds(p);
    /* new 0 (old 1): 1>0:7 -> 0>2:7; new 1 (old 2): 2>1:1 -> 1>0:1;
     * new 2 (old 0): 0>1:10, 0>2:5 in that order -> 2>0:10, 2>1:5. */
    const uint32_t wf[] = {0, 1, 2, 4}, wh[] = {2, 0, 0, 1}, wt[] = {7, 1, 10, 5};
    for (int k = 0; k < 4; ++k) CHECK_EQ_U32(first[k], wf[k]);
    for (int k = 0; k < 4; ++k) {
        CHECK_EQ_U32(head[k], wh[k]);
        CHECK_EQ_U32(t[k], wt[k]);
    }
    sim_graph *q = (sim_graph *)1;
    CHECK_EQ_INT(sim_graph_permute(g, (const uint32_t[]){2, 2, 1}, &q), SIM_EINVAL);
    CHECK(q == NULL);
    CHECK_EQ_INT(sim_graph_permute(g, (const uint32_t[]){0, 1, 3}, &q), SIM_EINVAL);
    CHECK_EQ_INT(sim_graph_permute(g, NULL, &q), SIM_EINVAL);
    CHECK_EQ_INT(sim_graph_permute(NULL, (const uint32_t[]){0}, &q), SIM_EINVAL);
    CHECK_EQ_INT(sim_graph_permute(g, (const uint32_t[]){0, 1, 2}, NULL), SIM_EINVAL);
    sim_graph *e = NULL, *pe = NULL;
    CHECK_EQ_INT(sim_graph_build(0, NULL, 0, &e), SIM_OK);
    CHECK_EQ_INT(sim_graph_permute(e, NULL, &pe), SIM_OK);
    CHECK_EQ_U32(sim_graph_node_count(pe), 0);
    sim_graph_destroy(pe);
    sim_graph_destroy(e);
    sim_graph_destroy(p);
    sim_graph_destroy(g);
}

/* Random graphs, random permutations (and Hilbert orders of random points): every distance
 * from every node is unchanged once renumbered. */
static void test_graph_permute_preserves_distances(void) {
    enum { MAX_N = 120 };
    rng_state = 4242;
    sim_arc *arcs = malloc(5 * MAX_N * sizeof *arcs);
    uint32_t perm[MAX_N], new_of_old[MAX_N], t[MAX_N], tp[MAX_N];
    double x[MAX_N], y[MAX_N];
    sim_scratch *s = sim_scratch_create(MAX_N);
    int graphs = 0, bad = 0;
    for (int k = 0; k < 120; ++k) {
        uint32_t n = 1 + rng_below(MAX_N);
        size_t m = rng_below(5 * n + 1);
        for (size_t a = 0; a < m; ++a) {
            if (a > 0 && rng_below(10) == 0) {
                arcs[a] = arcs[rng_below((uint32_t)a)]; /* duplicate */
                continue;
            }
            arcs[a] = (sim_arc){rng_below(n), rng_below(n), rng_below(5) ? rng_below(100) : 0};
        }
        sim_graph *g = NULL, *p = NULL;
        CHECK_EQ_INT(sim_graph_build(n, arcs, m, &g), SIM_OK);
        if (k % 2) { /* a Hilbert order of random points */
            for (uint32_t v = 0; v < n; ++v) {
                x[v] = rng_below(1000) * 0.5;
                y[v] = rng_below(1000) * 0.5;
            }
            CHECK_EQ_INT(sim_order_hilbert(x, y, n, perm), SIM_OK);
        } else { /* a uniformly random permutation */
            for (uint32_t v = 0; v < n; ++v) perm[v] = v;
            for (uint32_t v = n - 1; v > 0; --v) {
                uint32_t j = rng_below(v + 1), tmp = perm[v];
                perm[v] = perm[j];
                perm[j] = tmp;
            }
        }
        CHECK_EQ_INT(sim_order_invert(perm, n, new_of_old), SIM_OK);
        CHECK_EQ_INT(sim_graph_permute(g, new_of_old, &p), SIM_OK);
        bad |= sim_graph_validate(p) != SIM_OK || sim_graph_arc_count(p) != m;
        for (uint32_t u = 0; u < n; ++u) {
            bad |= sim_route_from(g, u, UINT32_MAX, s, t) != SIM_OK;
            bad |= sim_route_from(p, new_of_old[u], UINT32_MAX, s, tp) != SIM_OK;
            for (uint32_t v = 0; v < n; ++v) bad |= t[v] != tp[new_of_old[v]];
        }
        /* Permuting back with the inverse restores g arc for arc. */
        sim_graph *back = NULL;
        CHECK_EQ_INT(sim_graph_permute(p, perm, &back), SIM_OK);
        const uint32_t *f0 = sim_graph_first_out(g), *f1 = sim_graph_first_out(back);
        const uint32_t *h0 = sim_graph_head(g), *h1 = sim_graph_head(back);
        const uint32_t *t0 = sim_graph_time_ds(g), *t1 = sim_graph_time_ds(back);
        for (uint32_t v = 0; v <= n; ++v) bad |= f0[v] != f1[v];
        for (size_t a = 0; a < m; ++a) bad |= h0[a] != h1[a] || t0[a] != t1[a];
        sim_graph_destroy(back);
        sim_graph_destroy(p);
        sim_graph_destroy(g);
        ++graphs;
    }
    CHECK(!bad);
    CHECK(graphs >= 100);
    printf("permute: %d graphs, all-pairs distances preserved\n", graphs);
    sim_scratch_destroy(s);
    free(arcs);
}

int main(void) {
    test_order_hilbert_small();
    test_order_hilbert_invalid();
    test_order_hilbert_locality();
    test_order_invert();
    test_graph_permute_hand();
    test_graph_permute_preserves_distances();
    return CHECK_DONE();
}
