#include "sim/warn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
static void warnings_vadd(sim_warnings *w, size_t count, const char *what,
                          const char *example_fmt, va_list ap) {
    if (!w) return;
    sim_warning *it = NULL;
    for (size_t i = 0; i < w->n; ++i)
        if (strncmp(w->items[i].what, what, sizeof w->items[i].what - 1) == 0) it = &w->items[i];
    if (!it) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? 2 * w->cap : 8;
            sim_warning *p = realloc(w->items, cap * sizeof *p);
            if (!p) return;
            w->items = p;
            w->cap = cap;
        }
        it = &w->items[w->n++];
        memset(it, 0, sizeof *it);
        snprintf(it->what, sizeof it->what, "%s", what);
    }
    it->count += count;
    if (example_fmt && it->n_examples < SIM_WARN_EXAMPLES)
        vsnprintf(it->examples[it->n_examples++], sizeof it->examples[0], example_fmt, ap);
}

void sim_warnings_add(sim_warnings *w, const char *what, const char *example_fmt, ...) {
    va_list ap;
    va_start(ap, example_fmt);
    warnings_vadd(w, 1, what, example_fmt, ap);
    va_end(ap);
}

void sim_warnings_add_n(sim_warnings *w, size_t count, const char *what, const char *example_fmt,
                        ...) {
    va_list ap;
    va_start(ap, example_fmt);
    warnings_vadd(w, count, what, example_fmt, ap);
    va_end(ap);
}

void sim_warnings_clear(sim_warnings *w) {
    if (!w) return;
    free(w->items);
    w->items = NULL;
    w->n = w->cap = 0;
}
