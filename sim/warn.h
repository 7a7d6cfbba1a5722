/*
 * accessim — warnings summarised as counts plus a few examples, never one line per row.
 *
 * Loaders add one entry per problem ("way truncated at the extract's edge", "way 1234");
 * entries with the same text are counted together and keep the first SIM_WARN_EXAMPLES examples.
 * Not thread-safe: add from one thread (loaders run serially).
 */
#ifndef SIM_WARN_H
#define SIM_WARN_H

#include <stddef.h>

#define SIM_WARN_EXAMPLES 3

typedef struct {
    char what[160];
    size_t count;
    char examples[SIM_WARN_EXAMPLES][96];
    size_t n_examples;
} sim_warning;

typedef struct {
    sim_warning *items;
    size_t n, cap;
} sim_warnings;

/**
 * Counts one occurrence of the problem `what` (copied), with an optional example (printf-style;
 * `example_fmt` may be NULL). Out of memory silently drops the warning (it is advice only).
 */
void sim_warnings_add(sim_warnings *w, const char *what, const char *example_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** As sim_warnings_add(), counting `count` occurrences at once. */
void sim_warnings_add_n(sim_warnings *w, size_t count, const char *what, const char *example_fmt,
                        ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** Frees the entries (not `w` itself); NULL is a no-op. */
void sim_warnings_clear(sim_warnings *w);

#endif
