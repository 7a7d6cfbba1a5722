/* Warnings are counted per kind of problem, with at most SIM_WARN_EXAMPLES examples. */
#include "check.h"
#include "sim/warn.h"

int main(void) {
    sim_warnings w = {0};
    for (int i = 0; i < 5; ++i) sim_warnings_add(&w, "way truncated", "way %d", 100 + i);
    sim_warnings_add(&w, "empty value", NULL);
    sim_warnings_add_n(&w, 52, "island", "%d segments", 359);
    sim_warnings_add_n(&w, 3, "island", NULL);
    CHECK_EQ_INT(w.n, 3);
    CHECK_STR_EQ(w.items[0].what, "way truncated");
    CHECK_EQ_INT(w.items[0].count, 5);
    CHECK_EQ_INT(w.items[0].n_examples, SIM_WARN_EXAMPLES);
    CHECK_STR_EQ(w.items[0].examples[0], "way 100");
    CHECK_STR_EQ(w.items[0].examples[2], "way 102");
    CHECK_EQ_INT(w.items[1].count, 1);
    CHECK_EQ_INT(w.items[1].n_examples, 0);
    CHECK_EQ_INT(w.items[2].count, 55);
    CHECK_EQ_INT(w.items[2].n_examples, 1);
    CHECK_STR_EQ(w.items[2].examples[0], "359 segments");
    sim_warnings_add(NULL, "ignored", NULL); /* NULL list: no-op */
    sim_warnings_clear(&w);
    CHECK_EQ_INT(w.n, 0);
    sim_warnings_clear(NULL);
    return CHECK_DONE();
}
