/* Unit tests for sim/graph.c: CSR construction, stable arc order, reverse, validation. */
#include "check.h"
#include "fixture.h"
#include "sim/graph.h"

static void check_csr(const sim_graph *g, uint32_t n, const uint32_t *first_out, uint32_t m,
                      const uint32_t *head, const uint32_t *time_ds) {
    CHECK_EQ_U32(sim_graph_node_count(g), n);
    CHECK_EQ_U32(sim_graph_arc_count(g), m);
    for (uint32_t v = 0; v <= n; ++v) CHECK_EQ_U32(sim_graph_first_out(g)[v], first_out[v]);
    for (uint32_t a = 0; a < m; ++a) {
        CHECK_EQ_U32(sim_graph_head(g)[a], head[a]);
        CHECK_EQ_U32(sim_graph_time_ds(g)[a], time_ds[a]);
    }
    CHECK_EQ_INT(sim_graph_validate(g), SIM_OK);
}

static void test_graph_csr_by_hand(void) {
    sim_graph *g = fixture_graph("0>1:10 1>3:10 0>2:5 2>3:30");
    /* node 0: arcs to 1 then 2 (input order); node 1: to 3; node 2: to 3; node 3: none */
    check_csr(g, 4, (const uint32_t[]){0, 2, 3, 4, 4}, 4, (const uint32_t[]){1, 2, 3, 3},
              (const uint32_t[]){10, 5, 10, 30});
    sim_graph_destroy(g);
}

static void test_graph_stable_order_duplicates_loops(void) {
    /* Arcs leaving node 2 arrive interleaved with others; duplicates and loops are kept. */
    sim_graph *g = fixture_graph("2>0:7 1>1:0 2>2:3 0>2:1 2>0:7 1>0:4 2>1:9");
    check_csr(g, 3, (const uint32_t[]){0, 1, 3, 7}, 7, (const uint32_t[]){2, 1, 0, 0, 2, 0, 1},
              (const uint32_t[]){1, 0, 4, 7, 3, 7, 9});
    sim_graph_destroy(g);
}

static void test_graph_reverse(void) {
    sim_graph *g = fixture_graph("0>1:10 1>3:10 0>2:5 2>3:30");
    sim_graph *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    /* Reverse: 1>0:10 3>1:10 2>0:5 3>2:30; arcs entering a node ordered by their tail. */
    check_csr(r, 4, (const uint32_t[]){0, 0, 1, 2, 4}, 4, (const uint32_t[]){0, 0, 1, 2},
              (const uint32_t[]){10, 5, 10, 30});
    /* g's arcs are already sorted by head per node, so reversing twice gives g back exactly. */
    sim_graph *rr = NULL;
    CHECK_EQ_INT(sim_graph_reverse(r, &rr), SIM_OK);
    check_csr(rr, 4, sim_graph_first_out(g), 4, sim_graph_head(g), sim_graph_time_ds(g));
    sim_graph_destroy(rr);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

static void test_graph_reverse_twice_stable(void) {
    sim_graph *g = fixture_graph("2>0:7 1>1:0 2>2:3 0>2:1 2>0:7 1>0:4 2>1:9 0>2:2");
    sim_graph *r = NULL, *rr = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    /* r: 0>1:4 0>2:7 0>2:7 | 1>1:0 1>2:9 | 2>0:1 2>0:2 2>2:3, ordered by tail in g. */
    check_csr(r, 3, (const uint32_t[]){0, 3, 5, 8}, 8, (const uint32_t[]){1, 2, 2, 1, 2, 0, 0, 2},
              (const uint32_t[]){4, 7, 7, 0, 9, 1, 2, 3});
    /* Twice reversed: g's arcs, stably sorted by head within each node. */
    CHECK_EQ_INT(sim_graph_reverse(r, &rr), SIM_OK);
    check_csr(rr, 3, (const uint32_t[]){0, 2, 4, 8}, 8, (const uint32_t[]){2, 2, 0, 1, 0, 0, 1, 2},
              (const uint32_t[]){1, 2, 4, 0, 7, 7, 9, 3});
    sim_graph_destroy(rr);
    sim_graph_destroy(r);
    sim_graph_destroy(g);
}

static void test_graph_bad_endpoint(void) {
    sim_arc arcs[] = {{0, 1, 5}, {1, 3, 5}};
    sim_graph *g = (sim_graph *)&g; /* any non-NULL value: must be reset to NULL */
    CHECK_EQ_INT(sim_graph_build(3, arcs, 2, &g), SIM_EINVAL);
    CHECK(g == NULL);
    arcs[1] = (sim_arc){3, 1, 5};
    g = (sim_graph *)&g;
    CHECK_EQ_INT(sim_graph_build(3, arcs, 2, &g), SIM_EINVAL);
    CHECK(g == NULL);
    CHECK_EQ_INT(sim_graph_build(0, arcs, 1, &g), SIM_EINVAL);
    CHECK(g == NULL);
    CHECK_EQ_INT(sim_graph_build(3, NULL, 1, &g), SIM_EINVAL);
    CHECK(g == NULL);
}

static void test_graph_too_many_arcs(void) {
    /* Rejected before reading any arc, so a tiny array is enough. */
    sim_arc arc = {0, 0, 1};
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(1, &arc, (size_t)UINT32_MAX, &g), SIM_EINVAL);
    CHECK(g == NULL);
}

static void test_graph_empty(void) {
    sim_graph *g = NULL;
    CHECK_EQ_INT(sim_graph_build(0, NULL, 0, &g), SIM_OK);
    CHECK(g != NULL);
    check_csr(g, 0, (const uint32_t[]){0}, 0, NULL, NULL);
    sim_graph *r = NULL;
    CHECK_EQ_INT(sim_graph_reverse(g, &r), SIM_OK);
    check_csr(r, 0, (const uint32_t[]){0}, 0, NULL, NULL);
    sim_graph_destroy(r);
    sim_graph_destroy(g);

    /* Nodes without arcs. */
    CHECK_EQ_INT(sim_graph_build(3, NULL, 0, &g), SIM_OK);
    check_csr(g, 3, (const uint32_t[]){0, 0, 0, 0}, 0, NULL, NULL);
    sim_graph_destroy(g);
}

static void test_graph_validate_null_and_destroy_null(void) {
    CHECK_EQ_INT(sim_graph_validate(NULL), SIM_EINTERNAL);
    sim_graph_destroy(NULL);
    CHECK_EQ_INT(sim_graph_reverse(NULL, &(sim_graph *){NULL}), SIM_EINVAL);
}

int main(void) {
    test_graph_csr_by_hand();
    test_graph_stable_order_duplicates_loops();
    test_graph_reverse();
    test_graph_reverse_twice_stable();
    test_graph_bad_endpoint();
    test_graph_too_many_arcs();
    test_graph_empty();
    test_graph_validate_null_and_destroy_null();
    return CHECK_DONE();
}
